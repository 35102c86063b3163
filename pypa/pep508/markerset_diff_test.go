package pep508

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safepip/safepip/pypa/pep440"
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

// modernScript evaluates markers with a packaging >= 22 (pip >= 24), which
// lets pre-releases match as this package does.
const modernScript = `
import json, sys
from pip._vendor import packaging
from pip._vendor.packaging import markers
data = json.load(sys.stdin)
out = {"packaging": packaging.__version__, "markers": []}
for case in data["markers"]:
    res = []
    m = markers.Marker(case["marker"])
    for env in case["envs"]:
        try:
            res.append({"value": m.evaluate(env)})
        except Exception as e:
            res.append({"err": type(e).__name__ + ": " + str(e)})
    out["markers"].append(res)
json.dump(out, sys.stdout)
`

// TestDifferentialMarkerSetPrereleases compares sets of exactly computed
// comparisons, and their String(), with the packaging of pip >= 24 in
// interpreters that include pre-releases (3.13.0rc1), where packaging
// 21.3 differs by design. It runs when pyenv holds a Python whose pip
// vendors packaging >= 22 (3.13 on this project's machines).
func TestDifferentialMarkerSetPrereleases(t *testing.T) {
	t.Parallel()
	python := modernPython(t)
	g := exactGen{setGen{r: rand.New(rand.NewPCG(2024, 1))}}
	type result struct {
		Value *bool  `json:"value"`
		Err   string `json:"err"`
	}
	var cases []markerCase
	var sets []MarkerSet
	for range 300 {
		s := g.expr()
		set := MustParseMarkerSet(s)
		envs := make([]Environment, 12)
		for i := range envs {
			full := g.pick(pyGrid)
			envs[i] = Environment{"python_full_version": full, "python_version": pyMinor(full),
				"sys_platform": g.pick([]string{"linux", "win32", "darwin", "zz"}), "platform_machine": g.pick([]string{"x86_64", "arm64", "zz"})}
		}
		cases = append(cases, markerCase{Marker: s, Envs: envs})
		if text := set.String(); text != "" {
			cases = append(cases, markerCase{Marker: text, Envs: envs})
			sets = append(sets, set, set)
		} else {
			sets = append(sets, set)
		}
	}
	in, err := json.Marshal(map[string]any{"markers": cases})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", modernScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", python, err, stderr.String())
	}
	var res struct {
		Packaging string     `json:"packaging"`
		Markers   [][]result `json:"markers"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.Markers) != len(cases) {
		t.Fatalf("%s answered %d of %d markers: %v", python, len(res.Markers), len(cases), err)
	}
	compared := 0
	for i, c := range cases {
		for j, env := range c.Envs {
			w := res.Markers[i][j]
			got, err := sets[i].Evaluate(env)
			if w.Err != "" || err != nil || got != *w.Value {
				t.Errorf("%q (set %q) in %v: %v, %v; packaging %s: %v %s", c.Marker, sets[i], env, got, err, res.Packaging, w.Value, w.Err)
				continue
			}
			compared++
		}
	}
	t.Logf("marker sets: %d evaluations agree with packaging %s (pre-release interpreters included)", compared, res.Packaging)
}

// modernPython returns a pyenv Python whose pip vendors packaging >= 22,
// or fails the test.
func modernPython(t *testing.T) string {
	root, err := exec.Command("pyenv", "root").Output()
	if err != nil {
		t.Fatal("no pyenv: the pre-release oracle (pip >= 24) needs pyenv's Python 3.13, which this machine kind and CI have")
	}
	paths, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(root)), "versions", "3.1[3-9]*", "bin", "python3"))
	for _, p := range paths {
		out, err := exec.Command(p, "-c", "from pip._vendor import packaging; print(packaging.__version__)").Output()
		if err != nil {
			continue
		}
		if v, err := pep440.Parse(strings.TrimSpace(string(out))); err == nil && v.Compare(pep440.MustParse("22")) >= 0 {
			return p
		}
	}
	t.Fatal("no pyenv Python 3.13+ with pip >= 22 (packaging 24): the pre-release oracle cannot run")
	return ""
}
