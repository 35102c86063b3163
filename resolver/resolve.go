// Package resolver chooses one version of every project a set of
// requirements needs, from the one index that routing assigns each
// project: for one target environment (Options.Target), or universally,
// for every environment of a scope, forking where one version cannot
// serve them all (Options.Scope; see Scope and universal.go). It is the
// Python provider of the PubGrub solver in resolver/pubgrub: versions of a
// project form a finite universe read from its index page, so version sets
// are exact bitsets.
//
// The rules, checked by TestResolve, TestUniversal and by the packse
// conformance suite in integration/packse_test.go:
//
//   - A project of the user's own source tree (a local directory or a VCS
//     checkout, Source.Local) has one version, the metadata its caller read,
//     and no page: no index is ever asked about its name.
//   - A project under pip's --no-binary (Options.NoBinary) has no wheels at
//     all: its sdist alone serves, allowed whatever the policy says, and a
//     version without one is refused, saying so.
//   - An sdist whose metadata is not static (PEP 643) serves with the
//     metadata Options.SdistMetadata builds, asked once per file and only
//     for a version the solver tries; without it, the version is refused.
//   - A version counts only with a wheel compatible with the target's tags,
//     or an sdist when the policy allows sdists for the project. In a
//     universal resolution, versions with a file that installs somewhere
//     in the fork (the environments a wheel's tags allow, see
//     tagEnvironments) come first; one without is still locked when
//     nothing else fits (installing it there fails, naming the tags),
//     and every required environment needs a wheel.
//   - Requires-Python (the index's data-requires-python and the metadata's)
//     must hold for the target's Python, pre-releases of Python included.
//     Upper bounds count: uv ignores them, pip and safepip do not, since a
//     lock for the target must not install what says it will not run there.
//     In a universal resolution a version whose Requires-Python holds in
//     part of the fork splits it; upper bounds refuse only a fork that
//     lies wholly above them.
//   - Pre-releases count when --pre is given, when a requirement of the
//     user's (or a constraint) names one, or when no final release matches a
//     requirement. A dependency's pin does not opt in by itself.
//   - A yanked release (PEP 592) counts only for an exact == or === pin in
//     the user's requirements or constraints.
//   - Extras are virtual packages "foo[bar]" that pull foo at the same
//     version; extra names compare in their PEP 685 normal form.
//   - Versions are tried newest first, the one in the existing lock before
//     all others. When one project's chosen versions are refused five times
//     by decisions already taken, the solve starts again deciding it first,
//     as uv does, so that a new release is not traded for an ancient one.
package resolver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
	"github.com/safepip/safepip/resolver/pubgrub"
)

// rootName is the package that stands for the user's requirements.
const rootName = "<root>"

// Options steer a resolution.
type Options struct {
	// Scope, when not nil, makes the resolution universal: valid in every
	// environment of the scope, forking where one version cannot serve
	// them all (see Scope). Target is then unused.
	Scope *Scope
	// Target is the one environment of a resolution without a Scope.
	Target Target
	// Pre allows pre-releases of every project (--pre).
	Pre bool
	// AllowSdist says whether a project may be served by an sdist when it
	// has no wheel for the target. nil: wheels only.
	AllowSdist func(project string) bool
	// ExcludeNewer ignores files uploaded after it; zero for no cut-off.
	ExcludeNewer time.Time
	// Preferences are versions to keep when still allowed (the existing
	// lock), by normalized name; a universal lock may hold several.
	Preferences map[string][]Preference
	// Constraints restrict versions without requiring anything (-c files).
	Constraints []pep508.Requirement
	// Parallel bounds background fetches; 0 means 16.
	Parallel int
	// NoBinary is pip's --no-binary: never a wheel of the project; its
	// sdist serves everywhere (that counts as allowing it), and
	// Package.Files holds only the sdist. nil: none.
	NoBinary func(project string) bool
	// NoBinaryFrom says where the --no-binary naming project was given
	// ("requirements.txt:3", "PIP_NO_BINARY"), for the reason a version
	// with only wheels is refused. nil: not said.
	NoBinaryFrom func(project string) string
	// OnlyBinaryFrom says where pip's --only-binary made project wheels
	// only, for the reason its sdist cannot serve; "" (or nil) when the
	// policy did.
	OnlyBinaryFrom func(project string) string
	// SdistRefused, when it returns a reason for project, is why its
	// sdist may not serve, in place of the policy's ("build dependencies
	// are installed from wheels only"): the reason completes "has only an
	// sdist, and ...", and no allow-sdist hint follows. nil: the policy's.
	SdistRefused func(project string) string
	// SdistMetadata returns the core metadata of an allowed sdist whose
	// metadata is not static (Metadata-Version < 2.2, or Dynamic:
	// Requires-Dist, Requires-Python, Provides-Extra): the caller builds
	// it. It is called once per file, and only for a version the solver
	// tries. nil: such sdists are skipped with a reason. Its error ends
	// the resolution (it is not a reason to skip).
	SdistMetadata func(ctx context.Context, p *index.Project, f index.File) (*metadata.Metadata, error)
}

// Preference is a version to keep, and where the existing lock installs
// it: a fork prefers it only when that marker meets the fork's
// environments, newest first. A zero Marker means everywhere.
type Preference struct {
	Version string
	Marker  string
}

// Package is one resolved project.
type Package struct {
	Name         string // normalized
	Version      pep440.Version
	Project      *index.Project // the page it came from (Index names the index)
	Files        []index.File   // every file of the version
	Metadata     *metadata.Metadata
	Sdist        bool     // no wheel fits the target: the sdist serves it
	Extras       []string // extras that were requested of it
	Dependencies []string // normalized names of the projects it needs here
	RequiredBy   []string // normalized names, or "<root>"
	// Marker holds the environments that need this version: TrueMarker
	// when every environment of the resolution does. In a universal
	// resolution, versions of one name have disjoint markers.
	Marker pep508.MarkerSet
}

// Resolution is the result of Resolve, sorted by name, then version.
type Resolution struct {
	Packages []*Package
	// Forks are the environments of a universal resolution that chose
	// different versions, sorted by their marker text; empty when one
	// choice serves the whole scope.
	Forks []pep508.MarkerSet
}

// MissingError says that a project is not on the index it is routed to, or
// on none of the indexes asked.
type MissingError struct {
	Project string
	Err     error
}

func (e *MissingError) Error() string { return e.Err.Error() }
func (e *MissingError) Unwrap() error { return e.Err }

// Resolve finds one version of every project that reqs need, transitively,
// for opts.Target, from src. A failure to find one is a
// *pubgrub.NoSolutionError whose message explains why.
func Resolve(ctx context.Context, src Source, reqs []pep508.Requirement, opts Options) (*Resolution, error) {
	if opts.Parallel <= 0 {
		opts.Parallel = 16
	}
	p := &provider{
		src:      src,
		opts:     opts,
		ranks:    tags.NewRanking(opts.Target.Tags),
		projects: map[string]*projectState{},
		built:    map[string]*metaResult{},
		sem:      make(chan struct{}, opts.Parallel),
		crawlSem: make(chan struct{}, opts.Parallel),

		prefetched: map[string]VersionSet{},
		markers:    map[markerKey]pep508.MarkerSet{},
		pythons:    map[string]pep508.MarkerSet{},
		siblings:   map[string][]pep440.Version{},
		allRoots:   reqs,
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.bg = ctx
	p.rootU = newUniverse([]pep440.Version{pep440.MustParse("0")})
	p.prefs = newestFirst(opts.Preferences)
	if opts.Scope != nil {
		return p.resolveUniversal(ctx)
	}
	if err := p.setRoots(); err != nil {
		return nil, err
	}
	p.first, p.last = map[string]bool{}, map[string]bool{}
	sol, err := p.solve(ctx)
	if err != nil {
		return nil, err
	}
	return p.result(sol)
}

// newestFirst sorts each project's preferences by version, newest first:
// where a universal lock holds several, a fork tries the newest it may
// use, and splits again if it must.
func newestFirst(prefs map[string][]Preference) map[string][]Preference {
	out := make(map[string][]Preference, len(prefs))
	for name, ps := range prefs {
		ps = slices.Clone(ps)
		slices.SortStableFunc(ps, func(a, b Preference) int {
			va, errA := pep440.Parse(a.Version)
			vb, errB := pep440.Parse(b.Version)
			if errA != nil || errB != nil {
				return 0
			}
			return vb.Compare(va)
		})
		out[name] = ps
	}
	return out
}

// setRoots keeps the requirements and constraints that apply to the
// target (or fork), and notes the pre-releases and yanked versions they
// opt in to.
func (p *provider) setRoots() error {
	var roots []pep508.Requirement
	for _, r := range p.allRoots {
		ok, err := p.applies(r, "")
		if err != nil {
			return err
		}
		if ok {
			roots = append(roots, r)
		}
	}
	ins := &optIns{preOK: map[string]bool{}, yankedOK: map[string][]pep440.Version{}, constrain: map[string][]pep440.SpecifierSet{}}
	for _, r := range append(slices.Clone(roots), p.opts.Constraints...) {
		name := pep508.NormalizeName(r.Name)
		if namesPrerelease(r.Specifier) {
			ins.preOK[name] = true
		}
		for _, s := range r.Specifier {
			if s.Op == "==" || s.Op == "===" {
				if v, err := pep440.Parse(s.Version); err == nil {
					ins.yankedOK[name] = append(ins.yankedOK[name], v)
				}
			}
		}
	}
	for _, c := range p.opts.Constraints {
		name := pep508.NormalizeName(c.Name)
		if ok, err := p.applies(c, ""); err != nil {
			return err
		} else if ok {
			ins.constrain[name] = append(ins.constrain[name], c.Specifier)
		}
	}
	p.roots = roots
	p.ins.Store(ins)
	return nil
}

// solve runs the solver, again with a new decision order when one
// project was refused too often (see reprioritize).
func (p *provider) solve(ctx context.Context) (map[string]pep440.Version, error) {
	var sol map[string]pep440.Version
	var err error
	for restart := 0; ; restart++ {
		p.startRun()
		sol, err = pubgrub.Solve[pep440.Version, VersionSet](ctx, p, rootName, p.rootU.versions[0], pubgrub.RootPhrase("you require"))
		// A success found by walking one project down through many
		// versions, each refused by a decision already taken, is solved
		// again deciding that project first (uv's conflict priorities):
		// otherwise a newer b loses to an older a, and b falls back to an
		// ancient release. Solving again only reorders decisions, so it
		// cannot turn a success into a failure; the pages and metadata
		// are already in memory.
		if err != nil || restart == maxRestarts || !p.reprioritize() {
			break
		}
	}
	if err != nil {
		var ns *pubgrub.NoSolutionError
		var fe *forkError
		switch {
		case errors.As(err, &ns):
			return nil, &NoSolutionError{Report: ns.Error(), Notes: p.notes()}
		case errors.As(err, &fe):
			return nil, fe
		}
		return nil, unwrapSolver(err)
	}
	return sol, nil
}

// unwrapSolver returns the routing or index error inside a provider error
// that the solver wrapped with the package and version it was working on:
// those name their project themselves, and the solver's "dependencies of
// <root> 0" prefix would only confuse.
func unwrapSolver(err error) error {
	var (
		ambiguous *config.AmbiguousError
		indexErr  *config.IndexError
		locked    *config.LockedIndexError
		cfgErr    *config.Error
		policyErr *PolicyError
		sdistErr  *SdistMetadataError
	)
	switch {
	case errors.As(err, &sdistErr):
		return sdistErr
	case errors.As(err, &policyErr):
		return policyErr
	case errors.As(err, &ambiguous):
		return ambiguous
	case errors.As(err, &indexErr):
		return indexErr
	case errors.As(err, &locked):
		return locked
	case errors.As(err, &cfgErr):
		return cfgErr
	}
	return err
}

// NoSolutionError is a resolution that cannot succeed, explained.
type NoSolutionError struct {
	Report string   // PubGrub's derivation, in numbered English sentences
	Notes  []string // facts behind it: projects missing from their index, ...
	// Fork is the marker of the environments that have no solution, in a
	// universal resolution that forked; "" otherwise.
	Fork string
}

func (e *NoSolutionError) Error() string {
	s := "no solution:\n" + e.Report
	if e.Fork != "" {
		s = "no solution for the environments where " + e.Fork + ":\n" + e.Report
	}
	for _, n := range e.Notes {
		s += "\nnote: " + n
	}
	if e.Fork != "" {
		s += "\nhint: if the lock need not serve those environments, narrow it: requires-python or environments in [resolution] of safepip.toml, or --requires-python"
	}
	return s
}

// optIns are what the root requirements and constraints that apply opt
// in to or constrain, by project name.
type optIns struct {
	preOK     map[string]bool
	yankedOK  map[string][]pep440.Version // the user's exact pins: 1.0 pins 1.0.0 too
	constrain map[string][]pep440.SpecifierSet
}

type provider struct {
	src   Source
	opts  Options
	ranks *tags.Ranking
	roots []pep508.Requirement
	rootU *universe
	// ins is what the roots opt in to or constrain; replaced per fork
	// while prefetches may read it.
	ins      atomic.Pointer[optIns]
	bg       context.Context
	sem      chan struct{}
	crawlSem chan struct{} // bounds the page fetches of crawl
	// prefetched is the set each pending package was last prefetched
	// for; the solver's goroutine alone uses it (Prefetch).
	prefetched map[string]VersionSet

	// Decision order across restarts (see reprioritize), by project name.
	first, last map[string]bool
	// Per solver run, only touched from the solver's calls.
	chosen   map[string]pep440.Version            // package -> version last chosen
	chosenOf map[string][]pubgrub.Dep[VersionSet] // package -> dependencies of that version
	refused  map[string]int                       // project -> chosen versions refused since
	culprits map[string]map[string]int            // refused project -> projects whose decision refused it

	prefs map[string][]Preference // Options.Preferences, newest first

	// Universal resolutions (Options.Scope): the fork being solved, the
	// requirements of the root before filtering, each requirement marker
	// as a set, each tag's environments, and the versions earlier forks
	// chose, preferred by later ones.
	cur      atomic.Pointer[forkState]
	allRoots []pep508.Requirement
	markerMu sync.Mutex
	markers  map[markerKey]pep508.MarkerSet
	pythons  map[string]pep508.MarkerSet // Requires-Python text -> environments
	tagEnvs  tagMemo
	siblings map[string][]pep440.Version

	mu       sync.Mutex
	projects map[string]*projectState
	edges    map[string]map[string]bool // package -> packages it depends on (base names)
	built    map[string]*metaResult     // sdist URL -> its metadata as Options.SdistMetadata built it
	missing  []string
}

// projectState is everything known of one project, filled once.
type projectState struct {
	done  chan struct{}
	err   error
	page  *index.Project
	cands []*candidate // ascending
	u     *universe
	byVer map[string]*candidate

	mu   sync.Mutex
	meta map[string]*metaResult
}

type metaResult struct {
	done chan struct{}
	md   *metadata.Metadata
	err  error
}

// split returns the project and the extra of a package name "foo[bar]".
func split(pkg string) (name, extra string) {
	if i := strings.IndexByte(pkg, '['); i >= 0 && strings.HasSuffix(pkg, "]") {
		return pkg[:i], pkg[i+1 : len(pkg)-1]
	}
	return pkg, ""
}

func (p *provider) applies(r pep508.Requirement, extra string) (bool, error) {
	if r.Marker == nil {
		return true, nil
	}
	if fs := p.cur.Load(); fs != nil {
		// universal: the requirement counts where it holds somewhere in the fork
		return !p.reqMarker(r, extra).Disjoint(fs.m), nil
	}
	var extras []string // none: "extra" is ""
	if extra != "" {
		extras = []string{extra}
	}
	ok, err := r.Marker.EvaluateExtras(p.opts.Target.Markers, extras)
	if err != nil {
		return false, fmt.Errorf("requirement %q: %w", r.String(), err)
	}
	return ok, nil
}

// project returns the state of name, fetching its page on first use.
func (p *provider) project(ctx context.Context, name string) (*projectState, error) {
	p.mu.Lock()
	st, ok := p.projects[name]
	if !ok {
		st = &projectState{done: make(chan struct{}), meta: map[string]*metaResult{}}
		p.projects[name] = st
		p.mu.Unlock()
		st.err = p.load(ctx, name, st)
		close(st.done)
	} else {
		p.mu.Unlock()
	}
	select {
	case <-st.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return st, st.err
}

func (p *provider) load(ctx context.Context, name string, st *projectState) error {
	if md := p.src.Local(name); md != nil {
		return loadLocal(name, md, st)
	}
	page, err := p.src.Project(ctx, name)
	var nf *config.NotFoundError
	var inf *index.NotFoundError
	if errors.As(err, &nf) || errors.As(err, &inf) {
		// Not on its index: no versions at all. The solver explains what
		// needed it; the note says where it was looked for. Never another
		// index: that fall-back is the hole dependency confusion uses.
		p.mu.Lock()
		p.missing = append(p.missing, err.Error())
		p.mu.Unlock()
		st.page = &index.Project{Name: name}
		st.u = newUniverse(nil)
		st.byVer = map[string]*candidate{}
		return nil
	}
	if err != nil {
		return err
	}
	pol := filterPolicy{
		scope:        p.opts.Scope,
		target:       &p.opts.Target,
		ranks:        p.ranks,
		allowSdist:   p.opts.AllowSdist != nil && p.opts.AllowSdist(name),
		noBinary:     p.opts.NoBinary != nil && p.opts.NoBinary(name),
		excludeNewer: p.opts.ExcludeNewer,
	}
	if pol.noBinary {
		pol.allowSdist = true // naming it in --no-binary allows its sdist
		if p.opts.NoBinaryFrom != nil {
			pol.noBinaryFrom = p.opts.NoBinaryFrom(name)
		}
	}
	if !pol.allowSdist && p.opts.OnlyBinaryFrom != nil {
		if from := p.opts.OnlyBinaryFrom(name); from != "" {
			pol.sdistOff = "--only-binary (from " + from + ") forbids its sdist"
		}
	}
	if !pol.allowSdist && p.opts.SdistRefused != nil {
		if why := p.opts.SdistRefused(name); why != "" {
			pol.sdistOff = why
		}
	}
	cands, err := candidates(page, pol)
	if err != nil {
		return err
	}
	st.page, st.cands = page, cands
	vs := make([]pep440.Version, len(cands))
	st.byVer = make(map[string]*candidate, len(cands))
	for i, c := range cands {
		vs[i] = c.version
		st.byVer[c.version.String()] = c
	}
	st.u = newUniverse(vs)
	return nil
}

// loadLocal fills st for a project of the user's own source tree: one
// version, the metadata its caller read, no page and no files.
func loadLocal(name string, md *metadata.Metadata, st *projectState) error {
	if md.Name != "" && pep508.NormalizeName(md.Name) != name {
		return fmt.Errorf("the local project given for %s names itself %s in its metadata", name, md.Name)
	}
	c := &candidate{version: md.Version, wheel: -1, sdist: -1, project: name, local: true}
	st.page = &index.Project{Name: name, Index: LocalIndex, Versions: []string{md.Version.String()}}
	st.cands = []*candidate{c}
	st.byVer = map[string]*candidate{md.Version.String(): c}
	st.u = newUniverse([]pep440.Version{md.Version})
	known := &metaResult{done: make(chan struct{}), md: md}
	close(known.done)
	st.meta[md.Version.String()] = known
	return nil
}

func (p *provider) notes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.missing)
}

// setFor turns a requirement's specifier into the set of versions it
// allows, with pip's pre-release rule: pre-releases count when --pre is
// given, when a user requirement names one, or when nothing else matches.
func (p *provider) setFor(name string, st *projectState, spec pep440.SpecifierSet) VersionSet {
	set, specs := p.quietSetFor(name, st, spec)
	if set.IsEmpty() && len(st.u.versions) > 0 {
		var offered []string
		for _, v := range st.u.versions {
			offered = append(offered, v.String())
		}
		p.note(fmt.Sprintf("no version of %s matches %q; index %q offers %s", name, joinSpecs(specs), st.page.Index, strings.Join(offered, ", ")))
	}
	return set
}

// quietSetFor is setFor without the note, for fetching ahead.
func (p *provider) quietSetFor(name string, st *projectState, spec pep440.SpecifierSet) (VersionSet, []pep440.SpecifierSet) {
	ins := p.ins.Load()
	specs := append([]pep440.SpecifierSet{spec}, ins.constrain[name]...)
	matching := st.u.where(func(v pep440.Version) bool {
		for _, s := range specs {
			if !s.Contains(v, pep440.PrereleasesAllow) {
				return false
			}
		}
		return true
	})
	set := matching
	if !p.opts.Pre && !ins.preOK[name] {
		finals := matching.Intersect(st.u.where(func(v pep440.Version) bool { return !v.IsPrerelease() }))
		if !finals.IsEmpty() {
			set = finals
		}
	}
	if len(spec) > 0 && len(specs) == 1 {
		return set.withLabel(spec.String()), specs
	}
	return set, specs
}

func joinSpecs(specs []pep440.SpecifierSet) string {
	var parts []string
	for _, s := range specs {
		if len(s) > 0 {
			parts = append(parts, s.String())
		}
	}
	return strings.Join(parts, ",")
}

func (p *provider) note(n string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Contains(p.missing, n) {
		p.missing = append(p.missing, n)
	}
}

func namesPrerelease(spec pep440.SpecifierSet) bool {
	for _, s := range spec {
		if s.Op == "!=" {
			continue
		}
		if v, err := pep440.Parse(strings.TrimSuffix(s.Version, ".*")); err == nil && v.IsPrerelease() {
			return true
		}
	}
	return false
}

// refusalThreshold is how many chosen versions of one project may be
// refused, because of decisions already taken, before the next solve
// decides that project first; maxRestarts bounds the solves.
const (
	refusalThreshold = 5
	maxRestarts      = 3
)

// startRun forgets what the previous solver run chose.
func (p *provider) startRun() {
	p.chosen = map[string]pep440.Version{}
	p.chosenOf = map[string][]pubgrub.Dep[VersionSet]{}
	p.refused = map[string]int{}
	p.culprits = map[string]map[string]int{}
}

// noteChoice records the solver's choice of v for pkg. When the version
// chosen last time has left the set, a dependency of it was refused by a
// decision already taken: count the refusal against pkg, and against the
// projects whose chosen version that dependency excludes.
func (p *provider) noteChoice(pkg string, set VersionSet, v pep440.Version) {
	if prev, ok := p.chosen[pkg]; ok && !set.Contains(prev) {
		name, _ := split(pkg)
		p.refused[name]++
		for _, d := range p.chosenOf[pkg] {
			dn, _ := split(d.Package)
			if cv, ok := p.chosen[d.Package]; ok && dn != name && !d.Set.Contains(cv) {
				if p.culprits[name] == nil {
					p.culprits[name] = map[string]int{}
				}
				p.culprits[name][dn]++
			}
		}
	}
	p.chosen[pkg] = v
	delete(p.chosenOf, pkg)
}

// reprioritize moves the projects refused refusalThreshold times or more
// to the front of the decision order, and the projects that refused them
// to the back. It reports whether the order changed. A project keeps its
// first move, so two projects cannot swap places forever.
func (p *provider) reprioritize() bool {
	changed := false
	for _, name := range slices.Sorted(maps.Keys(p.refused)) {
		if p.refused[name] < refusalThreshold || p.first[name] || p.last[name] {
			continue
		}
		p.first[name] = true
		changed = true
		for c := range p.culprits[name] {
			if !p.first[c] {
				p.last[c] = true
			}
		}
	}
	return changed
}

// ChooseVersion picks the newest usable version in set, preferring the
// locked one, then final releases; yanked versions only for an exact pin.
func (p *provider) ChooseVersion(ctx context.Context, pkg string, set VersionSet) (pep440.Version, bool, error) {
	v, ok, err := p.choose(ctx, pkg, set)
	if err == nil && ok && pkg != rootName {
		p.noteChoice(pkg, set, v)
	}
	return v, ok, err
}

func (p *provider) choose(ctx context.Context, pkg string, set VersionSet) (pep440.Version, bool, error) {
	if pkg == rootName {
		return p.rootU.versions[0], set.Contains(p.rootU.versions[0]), nil
	}
	name, _ := split(pkg)
	st, err := p.project(ctx, name)
	if err != nil {
		return pep440.Version{}, false, err
	}
	// A universal fork first looks for a version with a file for some of
	// its environments, then settles for one without (the lock records
	// it, and installing it where no file fits fails, naming the tags).
	passes := []bool{false}
	if p.cur.Load() != nil {
		passes = []bool{true, false}
	}
	for _, strict := range passes {
		ok := func(c *candidate) bool {
			return c != nil && set.Contains(c.version) && p.unusable(name, c) == "" && (!strict || p.fitsFork(c))
		}
		for _, pref := range p.prefs[name] {
			if c := st.byVer[pref.Version]; ok(c) && p.preferredHere(pref) {
				return c.version, true, nil
			}
		}
		for _, v := range p.siblings[name] {
			if c := st.byVer[v.String()]; ok(c) {
				return c.version, true, nil
			}
		}
		for v := range set.Descending() {
			if ok(st.byVer[v.String()]) {
				return v, true, nil
			}
		}
	}
	var newest pep440.Version
	found := false
	for v := range set.Descending() {
		newest, found = v, true
		break
	}
	// Nothing usable: offer an unusable one so that Dependencies can say
	// why ("has no wheel for the target") in the failure report.
	return newest, found, nil
}

// unusable says why candidate c of project name cannot be chosen, as a
// phrase that completes "name ==1.0 ..."; "" when it can.
func (p *provider) unusable(name string, c *candidate) string {
	switch {
	case c.reason != "":
		return c.reason
	case c.yanked && !slices.ContainsFunc(p.ins.Load().yankedOK[name], func(v pep440.Version) bool { return v.Compare(c.version) == 0 }):
		// PEP 592: a yanked release serves only an exact pin, and only the
		// user's own: a dependency's pin must not pull it back in.
		return "is yanked (only an exact == pin in your requirements selects a yanked release)"
	}
	if fs := p.cur.Load(); fs != nil {
		return p.unusableIn(fs, c)
	}
	return ""
}

// Dependencies returns what version v of pkg needs.
func (p *provider) Dependencies(ctx context.Context, pkg string, v pep440.Version) (pubgrub.Deps[VersionSet], error) {
	if pkg == rootName {
		if fs := p.cur.Load(); fs != nil {
			if err := p.conflictFork(fs, "your requirements", p.roots, ""); err != nil {
				return pubgrub.Deps[VersionSet]{}, err
			}
		}
		deps, err := p.depsOf(ctx, p.roots, nil)
		return pubgrub.Deps[VersionSet]{Range: p.rootU.full(), Deps: deps}, err
	}
	name, extra := split(pkg)
	st, err := p.project(ctx, name)
	if err != nil {
		return pubgrub.Deps[VersionSet]{}, err
	}
	c := st.byVer[v.String()]
	if c == nil {
		return pubgrub.Deps[VersionSet]{}, fmt.Errorf("%s has no version %s", name, v)
	}
	if why := p.unusable(name, c); why != "" {
		// Every version with the same reason shares it: one line in a report.
		same := st.u.where(func(w pep440.Version) bool { return p.unusable(name, st.byVer[w.String()]) == why })
		if p.cur.Load() != nil && same.IsFull() {
			// the report would say "every version of foo": name them
			why += " (" + name + " " + versionList(same) + ")"
		}
		return pubgrub.Deps[VersionSet]{Range: same, Unavailable: why}, nil
	}
	md, err := p.metadata(ctx, st, c)
	if err != nil {
		return pubgrub.Deps[VersionSet]{}, err
	}
	one := st.u.single(v)
	if c.wheel < 0 && !c.local {
		if why := dynamicSdist(md); why != "" {
			if p.opts.SdistMetadata == nil {
				return pubgrub.Deps[VersionSet]{Range: one, Unavailable: why + "; it is skipped"}, nil
			}
			if md, err = p.builtMetadata(ctx, st, c); err != nil {
				return pubgrub.Deps[VersionSet]{}, err
			}
		}
	}
	fs := p.cur.Load()
	if fs != nil {
		rp := md.RequiresPython
		if len(rp) == 0 {
			rp = c.dataRequiresPython()
		}
		if why, err := p.pythonFork(fs, name, v, rp); err != nil || why != "" {
			return pubgrub.Deps[VersionSet]{Range: one, Unavailable: why}, err
		}
	} else if len(md.RequiresPython) > 0 && !md.RequiresPython.Contains(p.opts.Target.Python, pep440.PrereleasesAllow) {
		return pubgrub.Deps[VersionSet]{Range: one, Unavailable: fmt.Sprintf("requires Python %s (the target is %s)", md.RequiresPython, p.opts.Target.Python)}, nil
	}
	var reqs []pep508.Requirement
	for _, r := range md.RequiresDist {
		ok, err := p.applies(r, pep508.NormalizeExtra(extra))
		if err != nil {
			return pubgrub.Deps[VersionSet]{}, fmt.Errorf("%s %s: %w", name, v, err)
		}
		if ok {
			reqs = append(reqs, r)
		}
	}
	if fs != nil {
		if err := p.conflictFork(fs, name+" "+v.String(), reqs, pep508.NormalizeExtra(extra)); err != nil {
			return pubgrub.Deps[VersionSet]{}, err
		}
	}
	var self []pubgrub.Dep[VersionSet]
	if extra != "" {
		// foo[bar] 1.0 is foo 1.0 with more dependencies.
		self = append(self, pubgrub.Dep[VersionSet]{Package: name, Set: one})
	}
	deps, err := p.depsOf(ctx, reqs, self)
	if cv, ok := p.chosen[pkg]; ok && cv.Compare(v) == 0 {
		p.chosenOf[pkg] = deps
	}
	return pubgrub.Deps[VersionSet]{Range: one, Deps: deps}, err
}

// depsOf turns requirements into solver dependencies, fetching the pages of
// the projects named (in parallel) to know their versions.
func (p *provider) depsOf(ctx context.Context, reqs []pep508.Requirement, deps []pubgrub.Dep[VersionSet]) ([]pubgrub.Dep[VersionSet], error) {
	states := make([]*projectState, len(reqs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.opts.Parallel)
	for i, r := range reqs {
		g.Go(func() (err error) {
			states[i], err = p.project(gctx, pep508.NormalizeName(r.Name))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, r := range reqs {
		name := pep508.NormalizeName(r.Name)
		set := p.setFor(name, states[i], r.Specifier)
		deps = append(deps, pubgrub.Dep[VersionSet]{Package: name, Set: set})
		for _, x := range r.Extras {
			deps = append(deps, pubgrub.Dep[VersionSet]{Package: name + "[" + pep508.NormalizeExtra(x) + "]", Set: set})
		}
		p.prefetchBest(name, states[i], set)
	}
	return deps, nil
}

// metadata returns the parsed metadata of candidate c, fetched once.
func (p *provider) metadata(ctx context.Context, st *projectState, c *candidate) (*metadata.Metadata, error) {
	return memoMetadata(ctx, &st.mu, st.meta, c.version.String(), func() (*metadata.Metadata, error) {
		// Fetched under the run's context, not the caller's: a prefetch
		// that the solver ends up waiting for must not die with a caller.
		return p.fetchMetadata(p.bg, st, c)
	})
}

// memoMetadata returns memo[key] (memo guarded by mu), filled by fill on
// first use; later callers wait for it, or for their ctx.
func memoMetadata(ctx context.Context, mu *sync.Mutex, memo map[string]*metaResult, key string, fill func() (*metadata.Metadata, error)) (*metadata.Metadata, error) {
	mu.Lock()
	m, ok := memo[key]
	if !ok {
		m = &metaResult{done: make(chan struct{})}
		memo[key] = m
		mu.Unlock()
		m.md, m.err = fill()
		close(m.done)
	} else {
		mu.Unlock()
	}
	select {
	case <-m.done:
		return m.md, m.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *provider) fetchMetadata(ctx context.Context, st *projectState, c *candidate) (*metadata.Metadata, error) {
	f := c.metadataFile()
	data, err := p.src.Metadata(ctx, st.page, *f)
	if err != nil {
		return nil, err
	}
	md, err := metadata.Parse(f.Filename+" metadata", data)
	if err != nil {
		return nil, err
	}
	if pep508.NormalizeName(md.Name) != st.page.Name || md.Version.Compare(c.version) != 0 {
		return nil, fmt.Errorf("%s: metadata names %s %s, not %s %s: the index serves inconsistent metadata", f.Filename, md.Name, md.Version, st.page.Name, c.version)
	}
	return md, nil
}

// builtMetadata returns the metadata of c's sdist as Options.SdistMetadata
// builds it, once per file. The solver alone asks for it, never a
// prefetch: a build is too dear for a guess.
func (p *provider) builtMetadata(ctx context.Context, st *projectState, c *candidate) (*metadata.Metadata, error) {
	f := c.files[c.sdist]
	return memoMetadata(ctx, &p.mu, p.built, f.URL, func() (*metadata.Metadata, error) {
		md, err := p.opts.SdistMetadata(p.bg, st.page, f)
		if err == nil && (pep508.NormalizeName(md.Name) != st.page.Name || md.Version.Compare(c.version) != 0) {
			err = fmt.Errorf("the built metadata names %s %s", md.Name, md.Version)
		}
		if err != nil {
			return nil, &SdistMetadataError{Project: st.page.Name, Version: c.version.String(), File: f.Filename, Err: err}
		}
		return md, nil
	})
}

// SdistMetadataError is a failure to build the metadata of an sdist
// (Options.SdistMetadata): it ends the resolution, since skipping the
// version would resolve something else than the user asked for.
type SdistMetadataError struct {
	Project, Version string
	File             string // the sdist's file name
	Err              error
}

func (e *SdistMetadataError) Error() string {
	return fmt.Sprintf("%s %s: building the metadata of %s: %v", e.Project, e.Version, e.File, e.Err)
}

func (e *SdistMetadataError) Unwrap() error { return e.Err }

// prefetchBest starts fetching the metadata of the version the solver is
// likely to try next for name, in the background and bounded. It reports
// false when it left that to later because enough fetches are in flight.
func (p *provider) prefetchBest(name string, st *projectState, set VersionSet) bool {
	v, ok, err := p.choose(p.bg, name, set)
	if err != nil || !ok {
		return true
	}
	c := st.byVer[v.String()]
	if c == nil || p.unusable(name, c) != "" {
		return true
	}
	st.mu.Lock()
	_, started := st.meta[v.String()]
	st.mu.Unlock()
	if started {
		return true
	}
	select {
	case p.sem <- struct{}{}:
	default:
		return false // enough in flight; the solver will fetch it when needed
	}
	go func() {
		defer func() { <-p.sem }()
		// errors are kept for the solver's own call
		if md, err := p.metadata(p.bg, st, c); err == nil {
			p.crawl(md)
		}
	}()
	return true
}

// Prefetch implements pubgrub.Prefetcher.
func (p *provider) Prefetch(ctx context.Context, pending []pubgrub.Pending[VersionSet]) {
	for _, pd := range pending {
		if pd.Package == rootName {
			continue
		}
		// Every decision passes every pending package: look again only
		// at those whose set changed since their last prefetch.
		if last, ok := p.prefetched[pd.Package]; ok && last.Equal(pd.Set) {
			continue
		}
		name, _ := split(pd.Package)
		p.mu.Lock()
		st := p.projects[name]
		p.mu.Unlock()
		if st == nil {
			continue
		}
		select {
		case <-st.done:
			if st.err == nil && p.prefetchBest(name, st, pd.Set) {
				p.prefetched[pd.Package] = pd.Set
			}
		default:
		}
	}
}

// ChoosePackage implements pubgrub.Chooser: decide first what has at most
// one version left (it is forced anyway), then the projects an earlier
// solve found refused too often (see reprioritize), then the most
// conflicted, then in discovery order, which keeps fetches ahead of the
// solver; the projects that did the refusing come last.
func (p *provider) ChoosePackage(ctx context.Context, pending []pubgrub.Pending[VersionSet]) (int, error) {
	rank := func(pkg string) int {
		name, _ := split(pkg)
		switch {
		case p.first[name]:
			return 0
		case p.last[name]:
			return 2
		}
		return 1
	}
	best := 0
	for i, pd := range pending {
		if pd.Set.Len() <= 1 {
			return i, nil
		}
		if r, rb := rank(pd.Package), rank(pending[best].Package); r < rb || r == rb && pd.Conflicts > pending[best].Conflicts {
			best = i
		}
	}
	return best, nil
}

// result assembles the Resolution from the solver's answer.
func (p *provider) result(sol map[string]pep440.Version) (*Resolution, error) {
	byName := map[string]*Package{}
	for pkg, v := range sol {
		if pkg == rootName {
			continue
		}
		name, extra := split(pkg)
		rp := byName[name]
		if rp == nil {
			// Prefetches may still be running: read the memos under their locks.
			p.mu.Lock()
			st := p.projects[name]
			p.mu.Unlock()
			c := st.byVer[v.String()]
			st.mu.Lock()
			md := st.meta[v.String()]
			st.mu.Unlock()
			if md == nil || md.md == nil {
				return nil, fmt.Errorf("internal error: %s %s chosen without metadata", name, v)
			}
			mdv := md.md
			if c.sdist >= 0 {
				p.mu.Lock()
				b := p.built[c.files[c.sdist].URL]
				p.mu.Unlock()
				if b != nil && b.md != nil && c.wheel < 0 {
					mdv = b.md // the sdist's own metadata is dynamic: what its build says
				}
			}
			rp = &Package{Name: name, Version: v, Project: st.page, Files: c.files, Metadata: mdv, Sdist: c.wheel < 0 && !c.local, Marker: pep508.TrueMarker()}
			byName[name] = rp
		}
		if extra != "" {
			rp.Extras = append(rp.Extras, extra)
		}
	}
	// Edges: recompute from metadata, for the chosen versions and extras.
	add := func(from, to string) {
		to = pep508.NormalizeName(to)
		if from == to {
			return
		}
		if tp := byName[to]; tp != nil {
			if !slices.Contains(tp.RequiredBy, from) {
				tp.RequiredBy = append(tp.RequiredBy, from)
			}
			if fp := byName[from]; fp != nil && !slices.Contains(fp.Dependencies, to) {
				fp.Dependencies = append(fp.Dependencies, to)
			}
		}
	}
	for _, r := range p.roots {
		add(rootName, r.Name)
	}
	for _, rp := range byName {
		extras := append([]string{""}, rp.Extras...)
		for _, r := range rp.Metadata.RequiresDist {
			for _, x := range extras {
				if ok, _ := p.applies(r, x); ok {
					add(rp.Name, r.Name)
					break
				}
			}
		}
	}
	res := &Resolution{}
	for _, rp := range byName {
		slices.Sort(rp.Extras)
		slices.Sort(rp.Dependencies)
		slices.Sort(rp.RequiredBy)
		res.Packages = append(res.Packages, rp)
	}
	slices.SortFunc(res.Packages, func(a, b *Package) int { return strings.Compare(a.Name, b.Name) })
	return res, nil
}

// dynamicSdist says why an sdist's metadata cannot be trusted to describe
// what it builds, or "" when it can: PEP 643 (Metadata-Version 2.2 and
// later) lets an sdist declare its dependencies static, and only then do
// they hold for the wheel it builds.
func dynamicSdist(md *metadata.Metadata) string {
	majorText, minorText, _ := strings.Cut(md.MetadataVersion, ".")
	major, errMajor := strconv.Atoi(majorText)
	minor, errMinor := strconv.Atoi(minorText)
	if errMajor != nil || errMinor != nil || major < 2 || major == 2 && minor < 2 {
		return fmt.Sprintf("has only an sdist with Metadata-Version %s, older than PEP 643's 2.2, so its dependencies may change when it is built", md.MetadataVersion)
	}
	for _, f := range md.Dynamic {
		switch strings.ToLower(f) {
		case "requires-dist", "requires-python", "provides-extra":
			return fmt.Sprintf("has only an sdist whose %s is dynamic (PEP 643), so its dependencies are unknown until it is built", f)
		}
	}
	return ""
}
