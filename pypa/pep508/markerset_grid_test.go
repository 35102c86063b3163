package pep508

import (
	"math/rand/v2"
	"slices"
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
