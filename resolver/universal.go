package resolver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
)

// Scope is the set of environments a universal resolution serves (see
// Options.Scope). The resolution starts as one fork holding all of
// Markers and splits it, as uv does, where one version cannot serve every
// environment:
//
//   - when one package's requirements name the same project under
//     different markers with different specifiers or extras (a>=2 on
//     Linux, a<2 on macOS), the fork splits along those markers;
//   - when the version chosen for a project declares a Requires-Python
//     whose lower bound holds in only part of the fork, the fork splits
//     there, so that the older Pythons get an older version and the newer
//     ones the newest;
//   - each required environment is a fork of its own from the start.
//
// Each fork is solved with PubGrub on its own, preferring the versions
// earlier forks chose; forks that chose the same versions are merged.
// Upper bounds of a Requires-Python never split a fork (most are "<4",
// and uv ignores them too); they still refuse a version in a fork that
// lies wholly above them.
type Scope struct {
	// Markers holds every environment of the lock: requires-python, the
	// environments of [resolution], and any narrowing (--python-version,
	// --platform). TrueMarker: every environment.
	Markers pep508.MarkerSet
	// Platforms, when not nil, are the only platform tags (and "any") a
	// wheel may carry: a --platform narrowing, which also bounds the glibc
	// or macOS release that markers cannot express.
	Platforms []string
	// Required are the required environments: in each, every package must
	// have a wheel; a version without one is not a candidate there.
	Required []pep508.MarkerSet
}

// maxForks bounds the forks of one resolution: each split needs a new
// solve, and markers that fork without end are a bug, not a project.
const maxForks = 256

// forkState is one fork being solved: its environments and the verdicts
// on candidates there. The solver's goroutine swaps it between solves;
// prefetches running in the background read whichever is current, which
// can only make a guess wrong.
type forkState struct {
	m pep508.MarkerSet

	mu  sync.Mutex
	why map[*candidate]string
}

// forkError stops a solve whose fork must split; the solve starts again
// in each part.
type forkError struct {
	parts []pep508.MarkerSet
	why   string
}

func (e *forkError) Error() string { return "the resolution forks: " + e.why }

// forkResult is one solved fork.
type forkResult struct {
	m   pep508.MarkerSet
	sol map[string]pep440.Version
}

// resolveUniversal runs one solve per fork, starting with the scope split
// by the required environments.
func (p *provider) resolveUniversal(ctx context.Context) (*Resolution, error) {
	sc := p.opts.Scope
	if sc.Markers.IsFalse() {
		return nil, fmt.Errorf("the lock's scope holds no environment: requires-python and environments exclude each other")
	}
	queue := []pep508.MarkerSet{sc.Markers}
	for _, r := range sc.Required {
		queue = splitAll(queue, r)
	}
	var done []forkResult
	solves := 0
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		solves++
		if solves > maxForks {
			return nil, fmt.Errorf("the resolution needs more than %d forks; narrow the lock with [resolution] environments in safepip.toml", maxForks)
		}
		sol, err := p.solveFork(ctx, f)
		var fe *forkError
		if errors.As(err, &fe) {
			queue = append(fe.parts, queue...) // depth first: siblings share preferences sooner
			continue
		}
		if err != nil {
			var ns *NoSolutionError
			if errors.As(err, &ns) && !f.Equal(sc.Markers) {
				ns.Fork = f.Within(sc.Markers).String() // the scope's own bounds go without saying
			}
			return nil, err
		}
		done = append(done, forkResult{m: f, sol: sol})
		for pkg, v := range sol {
			name, _ := split(pkg)
			if name != rootName && !slices.ContainsFunc(p.siblings[name], func(w pep440.Version) bool { return w.Compare(v) == 0 }) {
				p.siblings[name] = append(p.siblings[name], v)
				// newest first: a fork that can take the newest a sibling
				// chose does, and splits again if its Python cannot
				slices.SortFunc(p.siblings[name], func(a, b pep440.Version) int { return b.Compare(a) })
			}
		}
	}
	return p.mergeForks(done)
}

// splitAll splits every fork in parts by m: the environments where m
// holds, and those where it does not; empty parts are dropped.
func splitAll(parts []pep508.MarkerSet, m pep508.MarkerSet) []pep508.MarkerSet {
	var out []pep508.MarkerSet
	not := m.Not()
	for _, f := range parts {
		if in := f.And(m); !in.IsFalse() {
			out = append(out, in)
		}
		if out2 := f.And(not); !out2.IsFalse() {
			out = append(out, out2)
		}
	}
	return out
}

// solveFork solves the fork f, restarting with a new decision order as
// Resolve does for one target.
func (p *provider) solveFork(ctx context.Context, f pep508.MarkerSet) (map[string]pep440.Version, error) {
	p.cur.Store(&forkState{m: f, why: map[*candidate]string{}})
	if err := p.setRoots(); err != nil {
		return nil, err
	}
	p.first, p.last = map[string]bool{}, map[string]bool{}
	return p.solve(ctx)
}

// preferredHere reports whether a preference of the existing lock holds
// somewhere in the current fork (always, for one target).
func (p *provider) preferredHere(pref Preference) bool {
	fs := p.cur.Load()
	if fs == nil || pref.Marker == "" {
		return true
	}
	m, err := pep508.ParseMarkerSet(pref.Marker)
	return err != nil || !m.Disjoint(fs.m) // a marker we cannot read does not decide
}

// reqMarker returns the environments where r applies, with the extra
// variable fixed to extra ("" for none); memoized by the marker's identity,
// since metadata is parsed once and its requirements kept.
func (p *provider) reqMarker(r pep508.Requirement, extra string) pep508.MarkerSet {
	if r.Marker == nil {
		return pep508.TrueMarker()
	}
	key := markerKey{r.Marker, extra}
	p.markerMu.Lock()
	m, ok := p.markers[key]
	p.markerMu.Unlock()
	if ok {
		return m
	}
	var extras []string
	if extra != "" {
		extras = []string{extra}
	}
	m = r.Marker.Set().WithExtras(extras)
	p.markerMu.Lock()
	p.markers[key] = m
	p.markerMu.Unlock()
	return m
}

// pythonMarker returns the environments whose Python satisfies a
// distribution's Requires-Python spec as pip checks it at install time
// (the release only: 3.11.0rc1 satisfies ">=3.11"), memoized by its text:
// a page's files share a few Requires-Python values.
func (p *provider) pythonMarker(spec pep440.SpecifierSet) pep508.MarkerSet {
	key := spec.String()
	p.markerMu.Lock()
	m, ok := p.pythons[key]
	p.markerMu.Unlock()
	if ok {
		return m
	}
	m = pep508.PipRequiresPythonMarker(spec)
	p.markerMu.Lock()
	p.pythons[key] = m
	p.markerMu.Unlock()
	return m
}

type markerKey struct {
	m     *pep508.Marker
	extra string
}

// coverage returns the environments some file of c can be installed in
// (any, wheel): a wheel where its tags and data-requires-python allow, an
// sdist the policy lets in wherever its data-requires-python allows;
// wheel counts wheels only (required environments).
func (p *provider) coverage(c *candidate) (any, wheel pep508.MarkerSet) {
	c.coverOnce.Do(func() {
		if c.local {
			// built from the user's tree for whichever environment installs it
			c.cover, c.wheelCover = pep508.TrueMarker(), pep508.TrueMarker()
			return
		}
		c.cover, c.wheelCover = pep508.FalseMarker(), pep508.FalseMarker()
		for i := range c.files {
			f := &c.files[i]
			if !slices.Contains(c.usable, i) {
				continue
			}
			where := pep508.TrueMarker()
			if f.RequiresPython != "" {
				if spec, err := pep440.ParseSpecifierSet(f.RequiresPython); err == nil {
					where = p.pythonMarker(spec)
				}
			}
			if _, w, _ := fileVersion(f, c.project); w != nil {
				where = where.And(p.tagEnvs.of(w.Tags))
				c.wheelCover = c.wheelCover.Or(where)
			}
			c.cover = c.cover.Or(where)
		}
	})
	return c.cover, c.wheelCover
}

// fitsFork reports whether some file of c installs somewhere in the
// current fork: versions that do are chosen before those that do not.
func (p *provider) fitsFork(c *candidate) bool {
	fs := p.cur.Load()
	if fs == nil {
		return true
	}
	anyFile, _ := p.coverage(c)
	return !anyFile.Disjoint(fs.m)
}

// unusableIn says why c cannot serve the current fork, or "": only a
// required environment without a wheel refuses a version; one with no
// file for the fork is chosen last (see choose).
func (p *provider) unusableIn(fs *forkState, c *candidate) string {
	fs.mu.Lock()
	why, ok := fs.why[c]
	fs.mu.Unlock()
	if ok {
		return why
	}
	_, wheels := p.coverage(c)
	for _, r := range p.opts.Scope.Required {
		if in := fs.m.And(r); !in.IsFalse() && wheels.Disjoint(in) {
			why = "has no wheel for the required environment " + markerText(r) + wheelTagsOf(c.files) + " (required-environments in [resolution])"
			if c.noBinary != "" {
				why += ", as " + c.noBinary + " leaves its wheels out"
			}
			break
		}
	}
	fs.mu.Lock()
	fs.why[c] = why
	fs.mu.Unlock()
	return why
}

// versionList names the versions of s, newest first, cut after a few.
func versionList(s VersionSet) string {
	const maxShown = 3
	var vs []string
	n := 0
	for v := range s.Descending() {
		if n < maxShown {
			vs = append(vs, v.String())
		}
		n++
	}
	if n > maxShown {
		return strings.Join(vs, ", ") + fmt.Sprintf(" and %d older", n-maxShown)
	}
	return strings.Join(vs, ", ")
}

// markerText is a marker set as a report shows it.
func markerText(m pep508.MarkerSet) string {
	if m.IsTrue() {
		return "any environment"
	}
	return fmt.Sprintf("%q", m.String())
}

// lowerBounds keeps the specifiers of spec that bound the Python version
// from below: the ones a fork splits on.
func lowerBounds(spec pep440.SpecifierSet) pep440.SpecifierSet {
	var out pep440.SpecifierSet
	for _, s := range spec {
		switch s.Op {
		case ">=", ">":
			out = append(out, s)
		case "~=", "==", "===":
			v := strings.TrimSuffix(s.Version, ".*")
			if ls, err := pep440.ParseSpecifier(">=" + v); err == nil {
				out = append(out, ls)
			}
		}
	}
	return out
}

// pythonFork checks version v's Requires-Python against the fork: a
// reason when no environment of the fork satisfies it, a split when its
// lower bound holds in part of the fork only.
func (p *provider) pythonFork(fs *forkState, name string, v pep440.Version, rp pep440.SpecifierSet) (string, error) {
	if len(rp) == 0 {
		return "", nil
	}
	if p.pythonMarker(rp).Disjoint(fs.m) {
		return fmt.Sprintf("requires Python %s, which no environment where %s has", rp, markerText(fs.m)), nil
	}
	lower := p.pythonMarker(lowerBounds(rp))
	if fs.m.Implies(lower) {
		return "", nil
	}
	return "", &forkError{
		parts: []pep508.MarkerSet{fs.m.And(lower), fs.m.And(lower.Not())},
		why:   fmt.Sprintf("%s %s requires Python %s", name, v, rp),
	}
}

// conflictFork returns the split of the fork that requirements reqs (of
// one package, with extra fixed) call for: one project named under
// different markers with different specifiers, extras or URLs.
func (p *provider) conflictFork(fs *forkState, owner string, reqs []pep508.Requirement, extra string) error {
	byName := map[string][]pep508.Requirement{}
	for _, r := range reqs {
		n := pep508.NormalizeName(r.Name)
		byName[n] = append(byName[n], r)
	}
	var splits []pep508.MarkerSet
	var names []string
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		rs := byName[n]
		if len(rs) < 2 {
			continue
		}
		same := true
		for _, r := range rs[1:] {
			if !sameDemand(rs[0], r) {
				same = false
				break
			}
		}
		if same {
			continue
		}
		var ms []pep508.MarkerSet
		for _, r := range rs {
			m := fs.m.And(p.reqMarker(r, extra))
			if !slices.ContainsFunc(ms, m.Equal) {
				ms = append(ms, m)
			}
		}
		if len(ms) < 2 {
			continue // one marker for all: the requirements simply combine
		}
		splits = append(splits, ms...)
		names = append(names, n)
	}
	if len(splits) == 0 {
		return nil
	}
	parts := []pep508.MarkerSet{fs.m}
	for _, m := range splits {
		parts = splitAll(parts, m)
	}
	if len(parts) < 2 {
		return nil
	}
	p.orderForks(parts, byName, names, extra)
	return &forkError{parts: parts, why: fmt.Sprintf("%s needs %s under different markers", owner, strings.Join(names, ", "))}
}

// orderForks sorts the parts of a split in the order they are solved, as
// uv does: the highest Python first, so that each Python gets the newest
// version that supports it; then the part whose requirements (of the
// projects that split it) have more upper bounds, since what satisfies
// a<2 also satisfies a>=1, and later parts prefer what earlier ones chose.
func (p *provider) orderForks(parts []pep508.MarkerSet, byName map[string][]pep508.Requirement, names []string, extra string) {
	type key struct {
		lower pep440.Version
		upper int
	}
	keys := make(map[int]key, len(parts))
	for i, f := range parts {
		k := key{lower: f.PythonRange().Lower}
		for _, n := range names {
			for _, r := range byName[n] {
				if !p.reqMarker(r, extra).Disjoint(f) && boundedAbove(r.Specifier) {
					k.upper++
				}
			}
		}
		keys[i] = k
	}
	idx := make([]int, len(parts))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := keys[b].lower.Compare(keys[a].lower); c != 0 {
			return c
		}
		return keys[b].upper - keys[a].upper
	})
	sorted := make([]pep508.MarkerSet, len(parts))
	for i, j := range idx {
		sorted[i] = parts[j]
	}
	copy(parts, sorted)
}

// boundedAbove reports whether spec sets an upper bound on the version.
func boundedAbove(spec pep440.SpecifierSet) bool {
	for _, s := range spec {
		switch s.Op {
		case "<", "<=", "==", "===", "~=":
			return true
		}
	}
	return false
}

// sameDemand reports whether a and b ask the same of one project.
func sameDemand(a, b pep508.Requirement) bool {
	if a.URL != b.URL || a.Specifier.String() != b.Specifier.String() || len(a.Extras) != len(b.Extras) {
		return false
	}
	ax, bx := slices.Clone(a.Extras), slices.Clone(b.Extras)
	for i := range ax {
		ax[i], bx[i] = pep508.NormalizeExtra(ax[i]), pep508.NormalizeExtra(bx[i])
	}
	slices.Sort(ax)
	slices.Sort(bx)
	return slices.Equal(ax, bx)
}

// mergeForks builds the Resolution of the solved forks: each package's
// marker is where some path from the root reaches it in some fork (the
// parents' markers and the requirements' own, to a fixpoint since
// dependencies may form cycles); forks that chose the same versions
// merge into one.
func (p *provider) mergeForks(done []forkResult) (*Resolution, error) {
	type key struct{ name, version string }
	merged := map[key]*Package{}
	var forks []pep508.MarkerSet
	var sols []map[string]string
	for _, fr := range done {
		p.cur.Store(&forkState{m: fr.m, why: map[*candidate]string{}})
		if err := p.setRoots(); err != nil {
			return nil, err
		}
		res, err := p.result(fr.sol)
		if err != nil {
			return nil, err
		}
		marks := p.propagate(fr.m, fr.sol, res)
		// A package the solver took in for a requirement whose marker
		// meets the fork, but that no path from the root reaches (b ;
		// linux under a ; win32), is needed nowhere: it is left out.
		res.Packages = slices.DeleteFunc(res.Packages, func(rp *Package) bool {
			m, ok := marks[rp.Name]
			return !ok || m.IsFalse()
		})
		kept := func(n string) bool { _, ok := marks[n]; return n == rootName || ok && !marks[n].IsFalse() }
		for _, rp := range res.Packages {
			rp.Dependencies = slices.DeleteFunc(rp.Dependencies, func(n string) bool { return !kept(n) })
			rp.RequiredBy = slices.DeleteFunc(rp.RequiredBy, func(n string) bool { return !kept(n) })
		}
		for _, rp := range res.Packages {
			k := key{rp.Name, rp.Version.String()}
			m := marks[rp.Name]
			if prev := merged[k]; prev != nil {
				prev.Marker = prev.Marker.Or(m)
				prev.Extras = union(prev.Extras, rp.Extras)
				prev.Dependencies = union(prev.Dependencies, rp.Dependencies)
				prev.RequiredBy = union(prev.RequiredBy, rp.RequiredBy)
				continue
			}
			rp.Marker = m
			merged[k] = rp
		}
		// Forks that chose the same versions are one environment of the lock.
		sol := map[string]string{}
		for _, rp := range res.Packages {
			sol[rp.Name] = rp.Version.String()
		}
		if i := slices.IndexFunc(sols, func(s map[string]string) bool { return maps.Equal(s, sol) }); i >= 0 {
			forks[i] = forks[i].Or(fr.m)
			continue
		}
		sols = append(sols, sol)
		forks = append(forks, fr.m)
	}
	res := &Resolution{}
	for _, rp := range merged {
		if p.opts.Scope.Markers.Implies(rp.Marker) {
			rp.Marker = pep508.TrueMarker() // everywhere the lock is for
		}
		res.Packages = append(res.Packages, rp)
	}
	slices.SortFunc(res.Packages, func(a, b *Package) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return a.Version.Compare(b.Version)
	})
	for i := 1; i < len(res.Packages); i++ {
		a, b := res.Packages[i-1], res.Packages[i]
		if a.Name == b.Name && !a.Marker.Disjoint(b.Marker) {
			return nil, fmt.Errorf("internal error: %s %s and %s overlap where %s", a.Name, a.Version, b.Version, a.Marker.And(b.Marker))
		}
	}
	if len(forks) > 1 {
		for _, f := range forks {
			res.Forks = append(res.Forks, f)
		}
		slices.SortFunc(res.Forks, func(a, b pep508.MarkerSet) int { return strings.Compare(a.String(), b.String()) })
	}
	return res, nil
}

// propagate computes where each package of one fork's solution is
// needed: the root is needed everywhere in the fork, and a requirement of
// package x applies where x is needed and the requirement's marker (its
// extras fixed to those asked of x) holds.
func (p *provider) propagate(fork pep508.MarkerSet, sol map[string]pep440.Version, res *Resolution) map[string]pep508.MarkerSet {
	byName := map[string]*Package{}
	for _, rp := range res.Packages {
		byName[rp.Name] = rp
	}
	// edges from a solver package ("foo" or "foo[x]") to others, with markers
	type edge struct {
		to string
		m  pep508.MarkerSet
	}
	edges := map[string][]edge{}
	addReq := func(from string, r pep508.Requirement, extra string) {
		m := p.reqMarker(r, extra)
		if m.Disjoint(fork) {
			return
		}
		to := pep508.NormalizeName(r.Name)
		if _, ok := sol[to]; !ok {
			return
		}
		edges[from] = append(edges[from], edge{to, m})
		for _, x := range r.Extras {
			xp := to + "[" + pep508.NormalizeExtra(x) + "]"
			if _, ok := sol[xp]; ok {
				edges[from] = append(edges[from], edge{xp, m})
			}
		}
	}
	for _, r := range p.roots {
		addReq(rootName, r, "")
	}
	for pkg := range sol {
		if pkg == rootName {
			continue
		}
		name, extra := split(pkg)
		rp := byName[name]
		if rp == nil {
			continue
		}
		for _, r := range rp.Metadata.RequiresDist {
			addReq(pkg, r, pep508.NormalizeExtra(extra))
		}
		if extra != "" {
			edges[pkg] = append(edges[pkg], edge{name, pep508.TrueMarker()})
		}
	}
	marks := map[string]pep508.MarkerSet{rootName: fork}
	work := []string{rootName}
	queued := map[string]bool{rootName: true}
	for len(work) > 0 {
		from := work[0]
		work = work[1:]
		queued[from] = false
		here := marks[from]
		for _, e := range edges[from] {
			add := here.And(e.m)
			prev, seen := marks[e.to]
			if !seen {
				prev = pep508.FalseMarker()
			}
			next := prev.Or(add)
			if seen && next.Equal(prev) {
				continue
			}
			marks[e.to] = next
			if !queued[e.to] {
				queued[e.to] = true
				work = append(work, e.to)
			}
		}
	}
	out := map[string]pep508.MarkerSet{}
	for pkg, m := range marks {
		name, _ := split(pkg)
		if prev, ok := out[name]; ok {
			m = prev.Or(m)
		}
		out[name] = m
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
