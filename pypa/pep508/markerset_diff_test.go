package pep508

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDifferentialMarkerSet sends generated markers and the String() of
// their sets to packaging 21.3 in one python3 run, and checks that
// packaging parses every String(), and that the set, the marker and the
// set's text answer alike in each environment where packaging is defined
// and no documented difference of this package applies.
func TestDifferentialMarkerSet(t *testing.T) {
	t.Parallel()
	g := setGen{r: rand.New(rand.NewPCG(685, 508))}
	type item struct {
		orig *Marker
		set  MarkerSet
		text string
		q    textQuality
	}
	var items []item
	var cases []markerCase
	for range 500 {
		s := g.expr()
		m := mustMarker(t, s)
		set := m.Set()
		if g.r.IntN(3) == 0 { // and some built by the algebra
			set = set.Or(MustParseMarkerSet(g.expr()).Not())
			m = nil
		}
		text, q := set.str()
		if text == "" || len(text) > 4000 {
			continue
		}
		envs := make([]Environment, 8)
		for i := range envs {
			envs[i] = g.environment()
		}
		items = append(items, item{orig: m, set: set, text: text, q: q})
		orig := text
		if m != nil {
			orig = s
		}
		cases = append(cases, markerCase{Marker: orig, Envs: envs}, markerCase{Marker: text, Envs: envs})
	}
	want, _ := runReference(t, cases, nil)
	compared := 0
	excluded := map[string]int{}
	for i, it := range items {
		wo, wt := want[2*i], want[2*i+1]
		if wt.Err != "" {
			t.Errorf("packaging 21.3 cannot parse String() %q: %s", it.text, wt.Err)
			continue
		}
		printed := mustMarker(t, it.text)
		for j, env := range cases[2*i].Envs {
			got, err := it.set.Evaluate(env)
			if it.orig != nil {
				if d := evalDeviation(it.orig, env); d.value == "" && d.undef == "" && wo.Evals[j].Err == "" {
					if err != nil || got != *wo.Evals[j].Value {
						t.Errorf("%q: set %q in %v: %v, %v; packaging 21.3 on the marker: %v", cases[2*i].Marker, it.text, env, got, err, *wo.Evals[j].Value)
					}
					compared++
				} else {
					excluded["marker: "+exclusion(d)]++
				}
			}
			if it.q == approximate {
				excluded["String() approximates an opaque complement"]++
				continue
			}
			if d := evalDeviation(printed, env); d.value == "" && d.undef == "" && wt.Evals[j].Err == "" {
				if err != nil || got != *wt.Evals[j].Value {
					t.Errorf("set %q in %v: %v, %v; packaging 21.3 on its String(): %v", it.text, env, got, err, *wt.Evals[j].Value)
				}
				compared++
			} else {
				excluded["String(): "+exclusion(d)]++
			}
		}
	}
	report(t, fmt.Sprintf("marker sets: %d evaluations agree with packaging 21.3", compared), excluded)
	if compared < 3000 {
		t.Errorf("only %d evaluations compared, want >= 3000", compared)
	}
}

// exclusion names why an evaluation is not compared.
func exclusion(d deviation) string {
	switch {
	case d.value != "":
		return d.value
	case d.undef != "":
		return d.undef
	}
	return "21.3 raises for an undefined comparison the answer does not depend on"
}
