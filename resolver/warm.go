package resolver

import (
	"context"
	"sync"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
)

// Warm fetches ahead of a resolution whose target is not known yet (while
// the interpreter is being asked, most of a second on a cold start): the
// pages of reqs and, for each, the metadata of its newest final release
// that reqs allow, then the same for the dependencies that metadata names
// without a marker, and so on. Everything goes through src, so routing is
// the resolution's own (a page is asked of the index that routing chose,
// never another) and what is fetched is memoized or cached for it.
//
// It guesses as the resolver's own prefetch does, and a wrong guess costs
// only a fetch. Dependencies under a marker are left alone: without the
// target, Warm cannot tell whether the resolution will need them, and it
// must not ask an index about a name that the resolution would not. Errors
// are ignored (the resolution meets them again and reports them). Warm
// returns when ctx is done or nothing is left; parallel bounds the fetches
// in flight.
func Warm(ctx context.Context, src Source, reqs []pep508.Requirement, parallel int) {
	if parallel <= 0 {
		parallel = 16
	}
	w := &warmer{src: src, sem: make(chan struct{}, parallel), seen: map[string]bool{}}
	for _, r := range reqs {
		w.visit(ctx, r)
	}
	w.wg.Wait()
}

type warmer struct {
	src Source
	sem chan struct{}
	wg  sync.WaitGroup

	mu   sync.Mutex
	seen map[string]bool
}

// visit starts warming r's project once; r must carry no marker.
func (w *warmer) visit(ctx context.Context, r pep508.Requirement) {
	if r.Marker != nil || r.URL != "" || ctx.Err() != nil {
		return
	}
	name := pep508.NormalizeName(r.Name)
	w.mu.Lock()
	seen := w.seen[name]
	w.seen[name] = true
	w.mu.Unlock()
	if seen {
		return
	}
	w.wg.Go(func() {
		select {
		case w.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		md := w.fetch(ctx, name, r.Specifier)
		<-w.sem
		if md == nil {
			return
		}
		for _, dep := range md.RequiresDist {
			w.visit(ctx, dep)
		}
	})
}

// fetch reads name's page and the metadata of its likely version.
func (w *warmer) fetch(ctx context.Context, name string, spec pep440.SpecifierSet) *metadata.Metadata {
	if md := w.src.Local(name); md != nil {
		return md // the user's own tree: nothing to fetch
	}
	page, err := w.src.Project(ctx, name)
	if err != nil {
		return nil
	}
	f := likelyFile(page, spec)
	if f == nil {
		return nil
	}
	data, err := w.src.Metadata(ctx, page, *f)
	if err != nil {
		return nil
	}
	md, err := metadata.Parse(f.Filename+" metadata", data)
	if err != nil {
		return nil
	}
	return md
}

// likelyFile is a wheel (else an sdist) of the newest version of page that
// spec allows, final releases first and yanked files never: the version
// the resolver most likely takes.
func likelyFile(page *index.Project, spec pep440.SpecifierSet) *index.File {
	var best *index.File
	var bestV pep440.Version
	bestWheel := false
	better := func(v pep440.Version, isWheel bool) bool {
		switch {
		case best == nil:
			return true
		case v.IsPrerelease() != bestV.IsPrerelease():
			return !v.IsPrerelease()
		case v.Compare(bestV) != 0:
			return v.Compare(bestV) > 0
		}
		return isWheel && !bestWheel // a wheel over the sdist of one version
	}
	for i := range page.Files {
		f := &page.Files[i]
		if f.Yanked {
			continue
		}
		v, w, ok := fileVersion(f, page.Name)
		if !ok {
			continue
		}
		if !spec.Contains(v, pep440.PrereleasesAllow) {
			continue
		}
		if better(v, w != nil) {
			best, bestV, bestWheel = f, v, w != nil
		}
	}
	return best
}
