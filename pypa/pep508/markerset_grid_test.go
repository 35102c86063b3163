package pep508

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestMarkerSetGrid checks the algebra against Marker.Evaluate, the
// reference, on random markers and environments: each set and its
// And, Or, Not, String and WithExtras answer as the markers do.
func TestMarkerSetGrid(t *testing.T) {
	g := setGen{r: rand.New(rand.NewPCG(1, 2))}
	n := 600
	if testing.Short() {
		n = 150
	}
	envs := make([]Environment, 300)
	for i := range envs {
		envs[i] = g.environment()
	}
	for i := 0; i < n; i++ {
		sa, sb := g.expr(), g.expr()
		ma, mb := mustMarker(t, sa), mustMarker(t, sb)
		a, b := ma.Set(), mb.Set()
		and, or, nota := a.And(b), a.Or(b), a.Not()
		checkRoundTrip(t, a)
		checkRoundTrip(t, and)
		checkRoundTrip(t, or)
		checkRoundTrip(t, nota)
		text, q := a.str()
		printed := mustMarker(t, text)
		var satA, satAnd, satAndNot bool
		for _, env := range envs {
			va, errA := ma.Evaluate(env)
			vb, errB := mb.Evaluate(env)
			check := func(what string, s MarkerSet, want bool, wantErr error) {
				t.Helper()
				if wantErr != nil {
					return // the set may know more than Kleene logic does
				}
				got, err := s.Evaluate(env)
				if err != nil || got != want {
					t.Fatalf("%s with a = %q, b = %q\nset %q\nin %v:\ngot %v, %v; want %v", what, sa, sb, s, env, got, err, want)
				}
			}
			check("a", a, va, errA)
			check("not a", nota, !va, errA)
			switch {
			case errA == nil && errB == nil:
				check("a and b", and, va && vb, nil)
				check("a or b", or, va || vb, nil)
			case errA == nil && !va:
				check("a and b", and, false, nil)
				check("a or b", or, vb, errB)
			case errB == nil && !vb:
				check("a and b", and, false, nil)
				check("a or b", or, va, errA)
			case errA == nil && va:
				check("a or b", or, true, nil)
			case errB == nil && vb:
				check("a or b", or, true, nil)
			}
			if errA == nil && q != approximate {
				got, err := printed.Evaluate(env)
				if err != nil || got != va {
					t.Fatalf("String() of %q = %q: in %v got %v, %v; want %v", sa, text, env, got, err, va)
				}
			}
			if errA == nil && va {
				satA = true
			}
			if errA == nil && errB == nil && va && vb {
				satAnd = true
			}
			if errA == nil && errB == nil && va && !vb {
				satAndNot = true
			}
		}
		// FALSE is never claimed of a set some environment satisfies.
		if satA && a.IsFalse() || satAnd && a.Disjoint(b) || satAndNot && a.Implies(b) {
			t.Fatalf("a = %q, b = %q: IsFalse %v, Disjoint %v, Implies %v contradict an environment", sa, sb, a.IsFalse(), a.Disjoint(b), a.Implies(b))
		}
		// and every set that is not FALSE has a witness, when the
		// witness can be built (no opaque comparison on its path)
		for _, s := range []MarkerSet{a, and, a.And(b.Not())} {
			if env, ok := witness(s); ok {
				if got, err := s.Evaluate(env); err != nil || !got {
					t.Fatalf("witness %v of %q: %v, %v", env, s, got, err)
				}
			}
		}
		checkWithExtras(t, ma, a, envs[i%len(envs)])
	}
}

// checkWithExtras compares WithExtras with Marker.EvaluateExtras.
func checkWithExtras(t *testing.T, m *Marker, s MarkerSet, env Environment) {
	t.Helper()
	for _, extras := range [][]string{nil, {"test"}, {"Dev_Tools", "docs"}} {
		want, err := m.EvaluateExtras(env, extras)
		if err != nil {
			continue
		}
		w := s.WithExtras(extras)
		got, err := w.Evaluate(env)
		if err != nil || got != want {
			t.Fatalf("%q.WithExtras(%q) = %q in %v: %v, %v; want %v", m, extras, w, env, got, err, want)
		}
	}
}

func mustMarker(t *testing.T, s string) *Marker {
	t.Helper()
	if s == "" {
		return nil
	}
	m, err := ParseMarker(s)
	if err != nil {
		t.Fatalf("ParseMarker(%q): %v", s, err)
	}
	return m
}

// witness builds an environment in s by following a path to TRUE; ok is
// false for FALSE and for paths through opaque comparisons.
func witness(s MarkerSet) (Environment, bool) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	env := Environment{"python_full_version": "3.11.7", "python_version": "3.11"}
	for _, name := range setVariables[1:] {
		env[name] = "zz-" + name // a value no generated marker names
	}
	env["implementation_version"] = "3.11.7"
	id := s.id
	for id != idTrue {
		if id == idFalse {
			return nil, false
		}
		n := tab.nodes[id]
		i := slices.IndexFunc(n.kids, func(k uint32) bool { return k != idFalse })
		switch n.kind {
		case kindAtom:
			return nil, false
		case kindString:
			if i < len(n.vals) {
				env[setVariables[n.level/2]] = n.vals[i]
			}
		case kindVersion:
			var p pyver
			switch {
			case i > 0:
				p = n.bounds[i-1]
			case len(n.bounds) > 0 && n.bounds[0] == minorStart(3, 11):
				p = pyver{rel: [3]int64{3, 10, 0}, pre: preFinal}
			default:
				p = pyver{rel: [3]int64{0, 0, 0}, pre: preA}
				if len(n.bounds) > 0 && n.bounds[0].compare(pyver{rel: [3]int64{0, 0, 0}, pre: preA, n: 1}) <= 0 {
					return nil, false
				}
			}
			name := setVariables[n.level/2]
			env[name] = p.text()
			if name == "python_full_version" {
				env["python_version"] = p.minorText()
			}
		}
		id = n.kids[i]
	}
	return env, true
}

// TestMarkerSetExhaustive checks IsFalse, Implies, Disjoint and Equal
// exactly, on markers of exact comparisons only, against an environment
// grid that is complete for them: every python_full_version cut of both
// sets (and the lowest point), times every value the markers name and one
// they do not, for sys_platform and platform_machine.
func TestMarkerSetExhaustive(t *testing.T) {
	g := exactGen{setGen{r: rand.New(rand.NewPCG(42, 43))}}
	n := 400
	if testing.Short() {
		n = 100
	}
	for range n {
		sa, sb := g.expr(), g.expr()
		ma, mb := mustMarker(t, sa), mustMarker(t, sb)
		a, b := ma.Set(), mb.Set()
		points := map[pyver]bool{minPyver: true}
		for _, v := range pyGrid { // in case a cut were missing
			p, _ := parsePyver(v)
			points[p] = true
		}
		for _, s := range []MarkerSet{a, b} {
			for _, p := range pythonCuts(s) {
				points[p] = true
			}
		}
		var anyA, anyAB, anyANotB, diff bool
		for p := range points {
			for _, plat := range []string{"linux", "win32", "darwin", "zz-other"} {
				for _, mach := range []string{"x86_64", "arm64", "zz-other"} {
					env := Environment{"python_full_version": p.text(), "python_version": p.minorText(), "sys_platform": plat, "platform_machine": mach}
					va, err1 := ma.Evaluate(env)
					vb, err2 := mb.Evaluate(env)
					if err1 != nil || err2 != nil {
						t.Fatalf("%q, %q in %v: %v, %v", sa, sb, env, err1, err2)
					}
					anyA = anyA || va
					anyAB = anyAB || va && vb
					anyANotB = anyANotB || va && !vb
					diff = diff || va != vb
					for _, c := range []struct {
						what string
						s    MarkerSet
						want bool
					}{{"a", a, va}, {"a and b", a.And(b), va && vb}, {"a or b", a.Or(b), va || vb}, {"not a", a.Not(), !va}} {
						if got, err := c.s.Evaluate(env); err != nil || got != c.want {
							t.Fatalf("%s with a = %q, b = %q in %v: %v, %v; want %v", c.what, sa, sb, env, got, err, c.want)
						}
					}
				}
			}
		}
		if a.IsFalse() == anyA || a.Disjoint(b) == anyAB || a.Implies(b) == anyANotB || a.Equal(b) == diff {
			t.Fatalf("a = %q (%q), b = %q (%q): IsFalse %v, Disjoint %v, Implies %v, Equal %v; the grid says %v, %v, %v, %v",
				sa, a, sb, b, a.IsFalse(), a.Disjoint(b), a.Implies(b), a.Equal(b), !anyA, !anyAB, !anyANotB, !diff)
		}
	}
}

// pythonCuts lists the python_full_version bounds of every node of s.
func pythonCuts(s MarkerSet) []pyver {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	var out []pyver
	seen := map[uint32]bool{}
	var walk func(id uint32)
	walk = func(id uint32) {
		if id <= idFalse || seen[id] {
			return
		}
		seen[id] = true
		n := tab.nodes[id]
		out = append(out, n.bounds...)
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(s.id)
	return out
}

// exactGen generates markers of comparisons the algebra computes exactly.
type exactGen struct{ setGen }

var exactVersions = []string{
	"3", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.9.1", "3.11.0", "3.11.7", "3.11.0rc1",
	"3.13.0rc1", "3.13.0a1", "3.10.0b1", "3.11.7.post1", "3.11.dev0", "3.12rc1", "3.11.0.1", "4",
}

func (g *exactGen) comparison() string {
	if g.r.IntN(2) == 0 {
		name := g.pick([]string{"python_version", "python_full_version"})
		op := g.pick([]string{"==", "!=", "<", "<=", ">", ">=", "~=", "==="})
		value := g.pick(exactVersions)
		if op == "==" || op == "!=" {
			if g.r.IntN(3) == 0 {
				value = g.pick([]string{"3.11.*", "3.*", "3.9.*", "3.11.0.*"})
			}
		}
		if op == "~=" && !strings.Contains(value, ".") {
			value += ".0"
		}
		if g.r.IntN(5) == 0 && op != "~=" && !strings.HasSuffix(value, "*") {
			return "'" + value + "' " + op + " " + name
		}
		return name + " " + op + " '" + value + "'"
	}
	name := g.pick([]string{"sys_platform", "platform_machine"})
	value := g.pick(map[string][]string{"sys_platform": {"linux", "win32", "darwin"}, "platform_machine": {"x86_64", "arm64"}}[name])
	return name + " " + g.pick([]string{"==", "!="}) + " '" + value + "'"
}

func (g *exactGen) expr() string {
	n := 1 + g.r.IntN(3)
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(g.pick([]string{" and ", " or "}))
		}
		if g.depth < 2 && g.r.IntN(3) == 0 {
			g.depth++
			b.WriteString("(" + g.expr() + ")")
			g.depth--
		} else {
			b.WriteString(g.comparison())
		}
	}
	return b.String()
}
