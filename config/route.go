package config

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/safepip/safepip/pypa/pep508"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"
)

// Lookup asks one index which versions of a project it offers. It returns
// an error satisfying errors.Is(err, ErrNotFound) when the index does not
// have the project (a 404); any other error is a failure of that index.
// project is normalized (PEP 503).
type Lookup interface {
	Versions(ctx context.Context, idx Index, project string) ([]string, error)
}

// ErrNotFound is what a Lookup returns (or wraps) for a project an index
// does not have.
var ErrNotFound = errors.New("project not found")

// Route is where a project is served from, and why.
type Route struct {
	Index    Index
	Reason   string   // "pinned by ...", "only index serving it ...", "default index"
	Versions []string // what Index offers, as the Lookup returned them
}

// Router routes projects to indexes (DESIGN.md "Declaring indexes"). It is
// safe for concurrent use: answers are memoized per run and concurrent
// identical questions are asked once.
type Router struct {
	cfg    *Config
	lookup Lookup

	routes  memo[routeResult] // by project and locked index
	answers memo[answer]      // by index and project
}

// memo holds answers for a run: each is computed once, concurrent callers
// of one key share the computation, and a caller that gives up (a
// prefetch cancelled once the resolution starts) never hands its
// cancellation to the others or to the memo: the computation runs
// detached from any one caller (the Lookup bounds it with its own
// time-outs), and each caller still returns as soon as its own ctx is done.
type memo[T any] struct {
	mu     sync.Mutex
	done   map[string]T
	flight singleflight.Group
}

func (m *memo[T]) get(ctx context.Context, key string, compute func(context.Context) T) (T, error) {
	m.mu.Lock()
	v, ok := m.done[key]
	m.mu.Unlock()
	if ok {
		return v, nil
	}
	work := context.WithoutCancel(ctx)
	ch := m.flight.DoChan(key, func() (any, error) {
		m.mu.Lock()
		v, ok := m.done[key] // answered between the check above and now
		m.mu.Unlock()
		if !ok {
			v = compute(work)
			m.mu.Lock()
			if m.done == nil {
				m.done = map[string]T{}
			}
			m.done[key] = v
			m.mu.Unlock()
		}
		return v, nil
	})
	select {
	case res := <-ch:
		return res.Val.(T), nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

type routeResult struct {
	route Route
	err   error
}

type answer struct {
	versions []string
	err      error
}

// maxParallel bounds the indexes asked at once for one project.
const maxParallel = 8

// NewRouter returns a router over cfg's indexes, asking them through lookup.
func NewRouter(cfg *Config, lookup Lookup) *Router {
	return &Router{cfg: cfg, lookup: lookup}
}

// Route returns the one index that serves project. locked is the name of the
// index the existing lock records for it ("" when not locked): the project
// is asked there, and the other indexes without packages are still asked so
// that a new upload elsewhere is caught as ambiguous.
//
// Errors: *AmbiguousError (served by two indexes), *NotFoundError (on none
// of the indexes asked, or not on the index it is pinned or locked to),
// *IndexError (an index failed: never replaced by another), *Error (the
// configuration pins it twice, or pins it to an index --no-index dropped),
// *LockedIndexError (locked to an index the configuration no longer routes
// it to).
func (r *Router) Route(ctx context.Context, project, locked string) (Route, error) {
	if !pep508.ValidName(project) {
		return Route{}, fmt.Errorf("%q is not a valid project name", project)
	}
	name := pep508.NormalizeName(project)
	key := name + keySep + strings.ToLower(locked)
	res, err := r.routes.get(ctx, key, func(work context.Context) routeResult {
		rt, err := r.route(work, name, locked)
		return routeResult{rt, err}
	})
	if err != nil {
		return Route{}, err
	}
	return res.route, res.err
}

func (r *Router) route(ctx context.Context, name, locked string) (Route, error) {
	pin, pinned, err := r.cfg.Pin(name)
	if err != nil {
		return Route{}, err
	}
	if pinned {
		// Only the pinned index is asked: asking another would tell it the
		// private name, and a 404 or 503 here must not fall back.
		reason := fmt.Sprintf("pinned by packages %q of index %q (%s)", pin.pinPattern(name), pin.Name, pin.Source)
		if locked != "" && !strings.EqualFold(locked, pin.Name) {
			reason += fmt.Sprintf("; was locked to %q", locked)
		}
		vs, err := r.versions(ctx, pin, name)
		if errors.Is(err, ErrNotFound) {
			return Route{}, &NotFoundError{Project: name, Asked: []Index{pin}, Why: fmt.Sprintf("pinned there by packages %q (%s)", pin.pinPattern(name), pin.Source)}
		}
		if err != nil {
			return Route{}, err
		}
		return Route{Index: pin, Reason: reason, Versions: vs}, nil
	}

	// The candidates: every index without packages (the default included).
	var unpinned []Index
	extra := false
	for _, x := range r.cfg.Indexes {
		if len(x.Packages) == 0 {
			unpinned = append(unpinned, x)
			if !x.Default {
				extra = true
			}
		}
	}
	var lockedIdx Index
	if locked != "" {
		i := slices.IndexFunc(unpinned, func(x Index) bool { return strings.EqualFold(x.Name, locked) })
		if i < 0 {
			return Route{}, &LockedIndexError{Project: name, Locked: locked, Config: r.cfg}
		}
		lockedIdx = unpinned[i]
	}
	if !extra {
		def, ok := r.cfg.Default()
		if !ok {
			return Route{}, &NotFoundError{Project: name, Why: "no index is configured (--no-index without --find-links?)"}
		}
		vs, err := r.versions(ctx, def, name)
		if errors.Is(err, ErrNotFound) {
			return Route{}, &NotFoundError{Project: name, Asked: []Index{def}, Why: "the default index"}
		}
		if err != nil {
			return Route{}, err
		}
		return Route{Index: def, Reason: fmt.Sprintf("default index (%s)", def.Source), Versions: vs}, nil
	}

	// Ask every unpinned index, in parallel; each writes its own slot.
	found := make([][]string, len(unpinned))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(maxParallel)
	for i, x := range unpinned {
		g.Go(func() error {
			vs, err := r.versions(gctx, x, name)
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			found[i] = vs
			if found[i] == nil {
				found[i] = []string{}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return Route{}, err
	}
	var offers []Offer
	for i, x := range unpinned {
		if found[i] != nil {
			offers = append(offers, Offer{Index: x, Versions: found[i]})
		}
	}
	names := make([]string, len(unpinned))
	for i, x := range unpinned {
		names[i] = fmt.Sprintf("%q", x.Name)
	}
	switch {
	case len(offers) == 0 && locked != "":
		return Route{}, &NotFoundError{Project: name, Asked: []Index{lockedIdx}, Why: fmt.Sprintf("the lock records %q", lockedIdx.Name)}
	case len(offers) == 0:
		return Route{}, &NotFoundError{Project: name, Asked: unpinned}
	case len(offers) > 1:
		return Route{}, &AmbiguousError{Project: name, Offers: offers, Locked: lockedIdx.Name, Config: r.cfg}
	}
	o := offers[0]
	if locked != "" && !strings.EqualFold(o.Index.Name, locked) {
		// The locked index lost the project and another has it: the lock's
		// choice no longer holds, which a user must look at.
		return Route{}, &NotFoundError{Project: name, Asked: []Index{lockedIdx}, Why: fmt.Sprintf("the lock records %q; %s now serves it instead", lockedIdx.Name, o.Index)}
	}
	reason := fmt.Sprintf("only index serving it among %s", strings.Join(names, ", "))
	if locked != "" {
		reason = fmt.Sprintf("locked to %q; no other index among %s serves it", locked, strings.Join(names, ", "))
	}
	return Route{Index: o.Index, Reason: reason, Versions: o.Versions}, nil
}

// versions asks idx for project once per run.
func (r *Router) versions(ctx context.Context, idx Index, project string) ([]string, error) {
	key := idx.Name + keySep + project
	a, err := r.answers.get(ctx, key, func(work context.Context) answer {
		vs, err := r.lookup.Versions(work, idx, project)
		if err != nil && !errors.Is(err, ErrNotFound) {
			err = &IndexError{Project: project, Index: idx, Err: err}
		}
		return answer{vs, err}
	})
	if err != nil {
		return nil, err
	}
	return a.versions, a.err
}

// Offer is one index's versions of a project.
type Offer struct {
	Index    Index
	Versions []string
}

// AmbiguousError reports a project served by two or more indexes none of
// which is pinned for it (exit 3). Only the user's configuration resolves
// it: Fix returns the safepip.toml lines that would.
type AmbiguousError struct {
	Project string
	Offers  []Offer
	Locked  string // the index the lock records, if any
	Config  *Config
}

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	if e.Locked != "" {
		fmt.Fprintf(&b, "%q is locked to index %q but is now also served by another index; a new upload of the name elsewhere may be an attack:", e.Project, e.Locked)
	} else {
		fmt.Fprintf(&b, "%q is served by %d indexes; safepip takes a project from one index only:", e.Project, len(e.Offers))
	}
	for _, o := range e.Offers {
		fmt.Fprintf(&b, "\n  %s from %s offers %s", o.Index, o.Index.Source, formatVersions(o.Versions))
	}
	for _, l := range e.Fix() {
		b.WriteString("\n" + l)
	}
	return b.String()
}

// Fix returns hint lines: for each offering index other than the default,
// the safepip.toml lines that pin the project there, and, when the default
// offers it, how to take it from the default.
func (e *AmbiguousError) Fix() []string {
	var out []string
	defaultOffers := false
	for _, o := range e.Offers {
		x := o.Index
		if x.Default {
			defaultOffers = true
			continue
		}
		if x.FromFile {
			// x has no packages (it would not have been asked otherwise).
			out = append(out, fmt.Sprintf("hint: to take %q from %q, add this line to its [[index]] table at %s:", e.Project, x.Name, x.Source))
			out = append(out, fmt.Sprintf("  packages = %s", tomlList([]string{e.Project})))
			continue
		}
		out = append(out, fmt.Sprintf("hint: to take %q from %q, declared at %s, add to safepip.toml:", e.Project, x.Name, x.Source))
		out = append(out, "  [[index]]", fmt.Sprintf("  name = %q", x.Name), fmt.Sprintf("  url = %q", x.Display()))
		if x.Kind == Flat {
			out = append(out, `  format = "flat"`)
		}
		out = append(out, fmt.Sprintf("  packages = %s", tomlList([]string{e.Project})))
		if _, had := StripUserinfo(x.written); had {
			out = append(out, `  # credentials: write them as ${VAR} in url, or in ~/.netrc`)
		}
	}
	if defaultOffers {
		var others []string
		for _, o := range e.Offers {
			if !o.Index.Default {
				others = append(others, fmt.Sprintf("%q", o.Index.Name))
			}
		}
		def := ""
		for _, o := range e.Offers {
			if o.Index.Default {
				def = o.Index.Name
			}
		}
		out = append(out, fmt.Sprintf("hint: to take %q from the default index %q, give %s a packages list of the projects it serves, without %q",
			e.Project, def, strings.Join(others, " and "), e.Project))
	}
	return out
}

func tomlList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// formatVersions shows a few versions: all of up to five, else the first
// two and the last two with the count.
func formatVersions(vs []string) string {
	switch {
	case len(vs) == 0:
		return "no versions"
	case len(vs) <= 5:
		return strings.Join(vs, ", ")
	}
	return fmt.Sprintf("%s, %s, ..., %s, %s (%d versions)", vs[0], vs[1], vs[len(vs)-2], vs[len(vs)-1], len(vs))
}

// NotFoundError reports a project absent from every index asked.
type NotFoundError struct {
	Project string
	Asked   []Index
	Why     string // why only these were asked: a pin, the lock; "" when all unpinned indexes were
}

func (e *NotFoundError) Error() string {
	asked := make([]string, len(e.Asked))
	for i, x := range e.Asked {
		asked[i] = x.String()
	}
	switch {
	case len(e.Asked) == 0:
		return fmt.Sprintf("%q: %s", e.Project, e.Why)
	case len(e.Asked) == 1 && e.Why != "":
		return fmt.Sprintf("%q is not on index %s (%s); safepip does not look for it elsewhere", e.Project, asked[0], e.Why)
	}
	return fmt.Sprintf("%q is on none of the indexes asked: %s", e.Project, strings.Join(asked, ", "))
}

// IndexError reports an index that failed (5xx, time-out, a bad page) while
// asked for a project. The project fails with it: no other index is tried.
type IndexError struct {
	Project string
	Index   Index
	Err     error
}

func (e *IndexError) Error() string {
	return fmt.Sprintf("asking index %s (from %s) for %q: %s (safepip does not fall back to another index)",
		e.Index, e.Index.Source, e.Project, scrub(e.Err.Error(), e.Index.URL))
}

func (e *IndexError) Unwrap() error { return e.Err }

// LockedIndexError reports a project that the lock records on an index the
// configuration no longer routes it to (removed, or now pinned to other
// projects). Moving a project between indexes is a decision for a person.
type LockedIndexError struct {
	Project string
	Locked  string
	Config  *Config
}

func (e *LockedIndexError) Error() string {
	if x, ok := e.Config.Index(e.Locked); ok {
		return fmt.Sprintf("%q is locked to index %s, whose packages no longer include it; add it back to its packages, or relock it with --upgrade-package %s", e.Project, x, e.Project)
	}
	return fmt.Sprintf("%q is locked to index %q, which is not configured; declare that index again, or relock it with --upgrade-package %s", e.Project, e.Locked, e.Project)
}
