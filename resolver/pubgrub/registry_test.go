package pubgrub

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// This file holds what the tests solve with: semver-like versions, version
// sets as unions of half-open intervals, and a registry provider.

// ver is a version major.minor.patch packed in one int, each part < 1000,
// so that the successor of a version is ver+1.
type ver int

func mustVer(s string) ver {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		panic("bad version " + s)
	}
	n := 0
	for _, p := range parts {
		d, err := strconv.Atoi(p)
		if err != nil || d < 0 || d >= 1000 {
			panic("bad version " + s)
		}
		n = n*1000 + d
	}
	return ver(n)
}

func (v ver) String() string {
	return fmt.Sprintf("%d.%d.%d", int(v)/1000000, int(v)/1000%1000, int(v)%1000)
}

const (
	minusInf = math.MinInt
	plusInf  = math.MaxInt
)

// span is the interval [lo, hi) of packed versions; lo may be minusInf and
// hi plusInf.
type span struct{ lo, hi int }

// vset is a sorted union of disjoint, non-adjacent spans.
type vset struct{ spans []span }

func anyVersion() vset   { return vset{[]span{{minusInf, plusInf}}} }
func exactly(v ver) vset { return vset{[]span{{int(v), int(v) + 1}}} }

// parseSet reads "any", "none", "1.2.3", ">=1.0.0", "<2.0.0", "^1.2.0",
// ">=1.0.0 <2.0.0", or a union of those joined by " || ".
func parseSet(s string) vset {
	out := vset{}
	for _, alt := range strings.Split(s, " || ") {
		set := anyVersion()
		for _, f := range strings.Fields(alt) {
			var part vset
			switch {
			case f == "any":
				part = anyVersion()
			case f == "none":
				part = vset{}
			case strings.HasPrefix(f, ">="):
				part = vset{[]span{{int(mustVer(f[2:])), plusInf}}}
			case strings.HasPrefix(f, "<"):
				part = vset{[]span{{minusInf, int(mustVer(f[1:]))}}}
			case strings.HasPrefix(f, "^"):
				v := mustVer(f[1:])
				part = vset{[]span{{int(v), caretEnd(v)}}}
			default:
				part = exactly(mustVer(f))
			}
			set = set.Intersect(part)
		}
		out = out.Union(set)
	}
	return out
}

func caretEnd(v ver) int {
	major, minor := int(v)/1000000, int(v)/1000%1000
	switch {
	case major > 0:
		return (major + 1) * 1000000
	case minor > 0:
		return (minor + 1) * 1000
	}
	return int(v) + 1
}

func (s vset) Contains(v ver) bool {
	for _, sp := range s.spans {
		if int(v) >= sp.lo && int(v) < sp.hi {
			return true
		}
	}
	return false
}

func (s vset) Complement() vset {
	var out []span
	lo := minusInf
	for _, sp := range s.spans {
		if sp.lo > lo {
			out = append(out, span{lo, sp.lo})
		}
		lo = sp.hi
	}
	if lo != plusInf {
		out = append(out, span{lo, plusInf})
	}
	return vset{out}
}

func (s vset) Intersect(o vset) vset {
	var out []span
	i, j := 0, 0
	for i < len(s.spans) && j < len(o.spans) {
		a, b := s.spans[i], o.spans[j]
		lo, hi := max(a.lo, b.lo), min(a.hi, b.hi)
		if lo < hi {
			out = append(out, span{lo, hi})
		}
		if a.hi < b.hi {
			i++
		} else {
			j++
		}
	}
	return vset{out}
}

func (s vset) Union(o vset) vset { return s.Complement().Intersect(o.Complement()).Complement() }
func (s vset) IsEmpty() bool     { return len(s.spans) == 0 }
func (s vset) IsFull() bool {
	return len(s.spans) == 1 && s.spans[0] == span{minusInf, plusInf}
}

func (s vset) String() string {
	if s.IsEmpty() {
		return "none"
	}
	var parts []string
	for _, sp := range s.spans {
		switch {
		case sp.lo == minusInf && sp.hi == plusInf:
			parts = append(parts, "any")
		case sp.lo == minusInf:
			parts = append(parts, "<"+ver(sp.hi).String())
		case sp.hi == plusInf:
			parts = append(parts, ">="+ver(sp.lo).String())
		case sp.hi == sp.lo+1:
			parts = append(parts, ver(sp.lo).String())
		case sp.hi == caretEnd(ver(sp.lo)):
			parts = append(parts, "^"+ver(sp.lo).String())
		default:
			parts = append(parts, ">="+ver(sp.lo).String()+" <"+ver(sp.hi).String())
		}
	}
	return strings.Join(parts, " || ")
}

// release is one version in a registry.
type release struct {
	version     ver
	deps        []Dep[vset] // sorted by package
	unavailable string
}

// registry maps packages to their releases, sorted by version.
type registry map[string][]release

// parseRegistry reads lines "pkg version [unavailable: reason | dep set, dep set]".
//
//	root 1.0.0: foo ^1.0.0, bar ^1.0.0
//	foo 1.0.0
func parseRegistry(t testing.TB, text string) registry {
	t.Helper()
	reg := registry{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		line = strings.TrimSpace(line)
		head, rest, _ := strings.Cut(line, ":")
		f := strings.Fields(head)
		if len(f) != 2 {
			t.Fatalf("bad registry line %q", line)
		}
		r := release{version: mustVer(f[1])}
		rest = strings.TrimSpace(rest)
		if reason, ok := strings.CutPrefix(rest, "unavailable "); ok {
			r.unavailable = reason
		} else if rest != "" {
			for _, d := range strings.Split(rest, ",") {
				name, set, _ := strings.Cut(strings.TrimSpace(d), " ")
				r.deps = append(r.deps, Dep[vset]{name, parseSet(set)})
			}
		}
		slices.SortFunc(r.deps, func(a, b Dep[vset]) int { return strings.Compare(a.Package, b.Package) })
		reg[f[0]] = append(reg[f[0]], r)
	}
	for _, rs := range reg {
		slices.SortFunc(rs, func(a, b release) int { return int(a.version) - int(b.version) })
	}
	return reg
}

// provider serves a registry. It picks the newest version in a set and,
// like pub, decides the package with the fewest matching versions first.
// With wide set, it reports dependencies for the widest run of adjacent
// versions sharing them, as pub does, otherwise for the single version.
type provider struct {
	reg  registry
	wide bool

	chooseCalls, depCalls int
	asked                 map[string]bool // "pkg version" given to Dependencies
}

func (p *provider) ChooseVersion(ctx context.Context, pkg string, set vset) (ver, bool, error) {
	p.chooseCalls++
	rs := p.reg[pkg]
	for i := len(rs) - 1; i >= 0; i-- {
		if set.Contains(rs[i].version) {
			return rs[i].version, true, nil
		}
	}
	return 0, false, nil
}

func (p *provider) Dependencies(ctx context.Context, pkg string, v ver) (Deps[vset], error) {
	p.depCalls++
	key := pkg + " " + v.String()
	if p.asked == nil {
		p.asked = map[string]bool{}
	}
	if p.asked[key] {
		return Deps[vset]{}, fmt.Errorf("asked twice for %s", key)
	}
	p.asked[key] = true
	rs := p.reg[pkg]
	i := slices.IndexFunc(rs, func(r release) bool { return r.version == v })
	if i < 0 {
		return Deps[vset]{}, fmt.Errorf("no release %s", key)
	}
	r := rs[i]
	d := Deps[vset]{Range: exactly(v), Deps: r.deps, Unavailable: r.unavailable}
	if p.wide {
		same := func(o release) bool {
			return o.unavailable == r.unavailable && depsString(o.deps) == depsString(r.deps)
		}
		first, last := i, i
		for first > 0 && same(rs[first-1]) {
			first--
		}
		for last < len(rs)-1 && same(rs[last+1]) {
			last++
		}
		lo, hi := minusInf, plusInf
		if first > 0 {
			lo = int(rs[first].version)
		}
		if last < len(rs)-1 {
			hi = int(rs[last+1].version)
		}
		d.Range = vset{[]span{{lo, hi}}}
	}
	return d, nil
}

func depsString(deps []Dep[vset]) string {
	var b strings.Builder
	for _, d := range deps {
		b.WriteString(d.Package + " " + d.Set.String() + ",")
	}
	return b.String()
}

func (p *provider) ChoosePackage(ctx context.Context, pending []Pending[vset]) (int, error) {
	best, bestCount := 0, -1
	for i, pk := range pending {
		n := 0
		for _, r := range p.reg[pk.Package] {
			if pk.Set.Contains(r.version) {
				n++
			}
		}
		if bestCount < 0 || n < bestCount {
			best, bestCount = i, n
		}
	}
	return best, nil
}

// checkSolution reports everything wrong with sol as a solution of reg for
// root: a missing or unavailable release, an unmet dependency, a package
// nothing needs.
func checkSolution(reg registry, root string, rootVersion ver, sol map[string]ver) []string {
	var problems []string
	if sol[root] != rootVersion {
		problems = append(problems, fmt.Sprintf("root %s at %v, want %v", root, sol[root], rootVersion))
	}
	needed := map[string]bool{root: true}
	queue := []string{root}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		v, ok := sol[pkg]
		if !ok {
			continue
		}
		i := slices.IndexFunc(reg[pkg], func(r release) bool { return r.version == v })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("%s %v does not exist", pkg, v))
			continue
		}
		r := reg[pkg][i]
		if r.unavailable != "" {
			problems = append(problems, fmt.Sprintf("%s %v is unavailable", pkg, v))
		}
		for _, d := range r.deps {
			dv, ok := sol[d.Package]
			if !ok || !d.Set.Contains(dv) {
				problems = append(problems, fmt.Sprintf("%s %v needs %s %s, got %v (selected: %v)", pkg, v, d.Package, d.Set, dv, ok))
			}
			if !needed[d.Package] {
				needed[d.Package] = true
				queue = append(queue, d.Package)
			}
		}
	}
	for pkg := range sol {
		if !needed[pkg] {
			problems = append(problems, fmt.Sprintf("%s is selected but nothing needs it", pkg))
		}
	}
	slices.Sort(problems)
	return problems
}
