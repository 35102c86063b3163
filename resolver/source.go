package resolver

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
)

// Source is what the resolver needs of the outside world: each project's
// page from the one index routing chose for it, and the metadata of a
// file on that page.
type Source interface {
	Project(ctx context.Context, name string) (*index.Project, error)
	Metadata(ctx context.Context, p *index.Project, f index.File) ([]byte, error)
	// Local returns the metadata of name when it comes from the user's
	// own source tree (see RoutedSource.AddLocal), else nil: such a
	// project has one version and no page, and is never routed.
	Local(name string) *metadata.Metadata
}

// RoutedSource is the Source of a real run: a config.Router decides the
// index of every project, and an index.Client reads it. Pages are
// memoized for the run, so routing and resolving read each page once.
type RoutedSource struct {
	client *index.Client
	router *config.Router
	cfg    *config.Config
	locked map[string]string // project -> index name in the existing lock
	direct map[string]index.File
	local  map[string]*metadata.Metadata

	mu    sync.Mutex
	pages map[pageKey]*pageResult
}

type pageKey struct{ index, project string }

type pageResult struct {
	done chan struct{}
	page *index.Project
	err  error
}

// NewRoutedSource returns a Source over cfg's indexes. locked maps project
// names to the index an existing lock recorded for them (nil for none).
func NewRoutedSource(cfg *config.Config, client *index.Client, locked map[string]string) *RoutedSource {
	s := &RoutedSource{client: client, cfg: cfg, locked: locked, pages: map[pageKey]*pageResult{}}
	s.router = config.NewRouter(cfg, s)
	return s
}

// DirectIndex is the Project.Index of a project that a "name @ url"
// requirement names: it comes from that URL, not from any index.
const DirectIndex = ""

// AddDirect makes name come from the one file f (a "name @ url"
// requirement, whose hash the caller checked is present) instead of an
// index. Routing never sees the name.
func (s *RoutedSource) AddDirect(name string, f index.File) {
	if s.direct == nil {
		s.direct = map[string]index.File{}
	}
	s.direct[name] = f
}

// LocalIndex is the Project.Index of a project from the user's own
// source tree (a local directory or a VCS checkout): one version, never
// routed, no files.
const LocalIndex = "<local>"

// AddLocal makes name come from a source tree whose metadata the caller
// read (or built): the resolution takes md's version and dependencies,
// and no index is asked about name.
func (s *RoutedSource) AddLocal(name string, md *metadata.Metadata) {
	if s.local == nil {
		s.local = map[string]*metadata.Metadata{}
	}
	s.local[pep508.NormalizeName(name)] = md
}

// Local implements Source.
func (s *RoutedSource) Local(name string) *metadata.Metadata { return s.local[name] }

// Route returns where project comes from, and why.
func (s *RoutedSource) Route(ctx context.Context, project string) (config.Route, error) {
	return s.router.Route(ctx, project, s.locked[project])
}

// Project returns the page of the index that routing chose for name.
func (s *RoutedSource) Project(ctx context.Context, name string) (*index.Project, error) {
	if md := s.local[name]; md != nil {
		return &index.Project{Name: name, Index: LocalIndex, Versions: []string{md.Version.String()}}, nil
	}
	if f, ok := s.direct[name]; ok {
		u, _ := config.StripUserinfo(f.URL)
		return &index.Project{Name: name, Index: DirectIndex, URL: u, Files: []index.File{f}}, nil
	}
	r, err := s.Route(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.page(ctx, r.Index, name)
}

// Metadata returns the core metadata of f, a file of p.
func (s *RoutedSource) Metadata(ctx context.Context, p *index.Project, f index.File) ([]byte, error) {
	if p.Index == DirectIndex {
		return s.client.Metadata(ctx, index.Index{Name: "direct URL", URL: f.URL}, f)
	}
	x, ok := s.cfg.Index(p.Index)
	if !ok {
		return nil, errors.New("index " + p.Index + " is not configured")
	}
	return s.client.Metadata(ctx, ClientIndex(x), f)
}

// Client returns the index client, for downloads and provenance.
func (s *RoutedSource) Client() *index.Client { return s.client }

// Versions implements config.Lookup over the memoized pages.
func (s *RoutedSource) Versions(ctx context.Context, x config.Index, project string) ([]string, error) {
	p, err := s.page(ctx, x, project)
	var nf *index.NotFoundError
	if errors.As(err, &nf) {
		return nil, config.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return pageVersions(p), nil
}

func (s *RoutedSource) page(ctx context.Context, x config.Index, project string) (*index.Project, error) {
	key := pageKey{x.Name, project}
	s.mu.Lock()
	r, ok := s.pages[key]
	if !ok {
		r = &pageResult{done: make(chan struct{})}
		s.pages[key] = r
		s.mu.Unlock()
		// Detached from this caller's cancellation: the result is memoized
		// for every caller, so it must never be this caller's ctx.Err().
		// The client's time-outs bound it.
		r.page, r.err = s.client.Project(context.WithoutCancel(ctx), ClientIndex(x), project)
		close(r.done)
	} else {
		s.mu.Unlock()
	}
	select {
	case <-r.done:
		return r.page, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ClientIndex returns the index client's view of a configured index.
func ClientIndex(x config.Index) index.Index {
	return index.Index{Name: x.Name, URL: x.URL, FindLinks: x.Kind == config.Flat}
}

// pageVersions lists the versions a page offers, ascending, for messages.
func pageVersions(p *index.Project) []string {
	var vs []pep440.Version
	seen := map[string]bool{}
	for i := range p.Files {
		v, _, ok := fileVersion(&p.Files[i], p.Name)
		if !ok {
			continue
		}
		if !seen[v.String()] {
			seen[v.String()] = true
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b pep440.Version) int { return a.Compare(b) })
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}
