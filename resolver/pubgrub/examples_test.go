package pubgrub

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

func solveRegistry(t *testing.T, reg registry, wide bool) (map[string]ver, error) {
	t.Helper()
	p := &provider{reg: reg, wide: wide}
	return Solve[ver, vset](context.Background(), p, "root", mustVer("1.0.0"))
}

func solutionString(sol map[string]ver) string {
	var parts []string
	for _, pkg := range slices.Sorted(maps.Keys(sol)) {
		parts = append(parts, pkg+" "+sol[pkg].String())
	}
	return strings.Join(parts, ", ")
}

// The worked examples of the PubGrub documentation (dart-lang/pub,
// doc/solver.md, section Examples) that have a solution.
func TestDocumentationSolutions(t *testing.T) {
	tests := []struct {
		name, registry, want string
	}{{
		name: "no conflicts",
		registry: `
			root 1.0.0: foo ^1.0.0
			foo 1.0.0: bar ^1.0.0
			bar 1.0.0
			bar 2.0.0`,
		want: "bar 1.0.0, foo 1.0.0, root 1.0.0",
	}, {
		name: "avoiding conflict during decision making",
		registry: `
			root 1.0.0: foo ^1.0.0, bar ^1.0.0
			foo 1.1.0: bar ^2.0.0
			foo 1.0.0
			bar 1.0.0
			bar 1.1.0
			bar 2.0.0`,
		want: "bar 1.1.0, foo 1.0.0, root 1.0.0",
	}, {
		name: "performing conflict resolution",
		registry: `
			root 1.0.0: foo >=1.0.0
			foo 2.0.0: bar ^1.0.0
			foo 1.0.0
			bar 1.0.0: foo ^1.0.0`,
		want: "foo 1.0.0, root 1.0.0",
	}, {
		name: "conflict resolution with a partial satisfier",
		registry: `
			root 1.0.0: foo ^1.0.0, target ^2.0.0
			foo 1.1.0: left ^1.0.0, right ^1.0.0
			foo 1.0.0
			left 1.0.0: shared >=1.0.0
			right 1.0.0: shared <2.0.0
			shared 2.0.0
			shared 1.0.0: target ^1.0.0
			target 2.0.0
			target 1.0.0`,
		want: "foo 1.0.0, root 1.0.0, target 2.0.0",
	}}
	for _, tt := range tests {
		for _, wide := range []bool{false, true} {
			reg := parseRegistry(t, tt.registry)
			sol, err := solveRegistry(t, reg, wide)
			if err != nil {
				t.Errorf("%s (wide %v): %v", tt.name, wide, err)
				continue
			}
			if got := solutionString(sol); got != tt.want {
				t.Errorf("%s (wide %v): solution %s, want %s", tt.name, wide, got, tt.want)
			}
			if problems := checkSolution(reg, "root", mustVer("1.0.0"), sol); len(problems) > 0 {
				t.Errorf("%s (wide %v): %s", tt.name, wide, strings.Join(problems, "; "))
			}
		}
	}
}

// linearRegistry is the example of linear error reporting in the PubGrub
// documentation.
const linearRegistry = `
	root 1.0.0: foo ^1.0.0, baz ^1.0.0
	foo 1.0.0: bar ^2.0.0
	bar 2.0.0: baz ^3.0.0
	baz 1.0.0
	baz 3.0.0`

// branchingRegistry is the example of branching error reporting in the
// PubGrub documentation.
const branchingRegistry = `
	root 1.0.0: foo ^1.0.0
	foo 1.0.0: a ^1.0.0, b ^1.0.0
	foo 1.1.0: x ^1.0.0, y ^1.0.0
	a 1.0.0: b ^2.0.0
	b 1.0.0
	b 2.0.0
	x 1.0.0: y ^2.0.0
	y 1.0.0
	y 2.0.0`

// Failures, among them the two error reporting examples of the PubGrub
// documentation, word for word but for the line number placement.
func TestFailureReports(t *testing.T) {
	tests := []struct {
		name, registry string
		wide           bool
		want           string
	}{{
		name:     "linear error reporting",
		registry: linearRegistry,
		wide:     true,
		want: `
Because every version of foo depends on bar ^2.0.0 which depends on baz ^3.0.0, every version of foo requires baz ^3.0.0.
So, because root depends on both baz ^1.0.0 and foo ^1.0.0, version solving failed.`,
	}, {
		name:     "branching error reporting",
		registry: branchingRegistry,
		wide:     true,
		want: `
    Because foo <1.1.0 depends on a ^1.0.0 which depends on b ^2.0.0, foo <1.1.0 requires b ^2.0.0.
(1) So, because foo <1.1.0 depends on b ^1.0.0, foo <1.1.0 is forbidden.

    Because foo >=1.1.0 depends on x ^1.0.0 which depends on y ^2.0.0, foo >=1.1.0 requires y ^2.0.0.
    And because foo >=1.1.0 depends on y ^1.0.0, foo >=1.1.0 is forbidden.
    And because foo <1.1.0 is forbidden (1), foo is forbidden.
    So, because root depends on foo ^1.0.0, version solving failed.`,
	}, {
		name:     "branching, one version at a time",
		registry: branchingRegistry,
		// Ranges of one version leave gaps between versions in this set
		// type, which the report has to explain away; sets relative to the
		// known versions (see TestBitsetSets) do not have them.
		want: `
    Because no versions of a match ^1.0.1 and a 1.0.0 depends on b ^2.0.0, a ^1.0.0 requires b ^2.0.0.
    And because foo 1.0.0 depends on a ^1.0.0, foo 1.0.0 requires b ^2.0.0.
(1) So, because foo 1.0.0 depends on b ^1.0.0 and no versions of foo match >=1.0.1 <1.1.0 || ^1.1.1, foo >=1.0.0 <1.1.0 || ^1.1.1 is forbidden.

    Because no versions of x match ^1.0.1 and x 1.0.0 depends on y ^2.0.0, x ^1.0.0 requires y ^2.0.0.
    And because foo 1.1.0 depends on both x ^1.0.0 and y ^1.0.0, foo 1.1.0 is forbidden.
    And because foo >=1.0.0 <1.1.0 || ^1.1.1 is forbidden (1), foo ^1.0.0 is forbidden.
    So, because root depends on foo ^1.0.0, version solving failed.`,
	}, {
		name: "root needs a missing range",
		registry: `
			root 1.0.0: foo >=2.0.0
			foo 1.0.0`,
		want: `Because root depends on foo >=2.0.0 which doesn't match any versions, version solving failed.`,
	}, {
		name: "root needs a package with no versions",
		registry: `
			root 1.0.0: ghost any`,
		want: `Because root depends on ghost which doesn't match any versions, version solving failed.`,
	}, {
		name: "unavailable versions",
		registry: `
			root 1.0.0: foo >=2.0.0
			foo 1.0.0
			foo 2.0.0: unavailable requires Python >=3.12
			foo 2.1.0: unavailable requires Python >=3.12`,
		wide: true,
		want: `Because root depends on foo >=2.0.0 which requires Python >=3.12, version solving failed.`,
	}, {
		name: "unavailable root",
		registry: `
			root 1.0.0: unavailable requires Python >=3.99`,
		want: `Because root requires Python >=3.99, version solving failed.`,
	}, {
		name: "dependency on no versions",
		registry: `
			root 1.0.0: foo any
			foo 1.0.0: bar none`,
		wide: true,
		want: `Because every version of foo depends on bar none which doesn't match any versions and root depends on foo, version solving failed.`,
	}, {
		name: "two requirements that cannot meet",
		registry: `
			root 1.0.0: a any, b any
			a 1.0.0: shared ^1.0.0
			a 2.0.0: shared ^1.0.0
			b 1.0.0: shared ^2.0.0
			shared 1.0.0
			shared 2.0.0`,
		wide: true,
		want: `
Because every version of b depends on shared ^2.0.0 and every version of a depends on shared ^1.0.0, b is incompatible with a.
So, because root depends on both a and b, version solving failed.`,
	}}
	for _, tt := range tests {
		reg := parseRegistry(t, tt.registry)
		sol, err := solveRegistry(t, reg, tt.wide)
		var nse *NoSolutionError
		if !errors.As(err, &nse) {
			t.Errorf("%s: got solution %v, error %v; want a *NoSolutionError", tt.name, sol, err)
			continue
		}
		if got, want := nse.Error(), strings.TrimPrefix(tt.want, "\n"); got != want {
			t.Errorf("%s: report\n%s\nwant\n%s", tt.name, got, want)
		}
	}
}

func TestRootPhrase(t *testing.T) {
	tests := []struct{ registry, want string }{{
		registry: linearRegistry,
		want: `Because every version of foo depends on bar ^2.0.0 which depends on baz ^3.0.0, every version of foo requires baz ^3.0.0.
So, because you require both baz ^1.0.0 and foo ^1.0.0, version solving failed.`,
	}, {
		registry: `
			root 1.0.0: foo >=2.0.0
			foo 1.0.0`,
		want: `Because you require foo >=2.0.0 which doesn't match any versions, version solving failed.`,
	}, {
		registry: `
			root 1.0.0: foo any
			foo 1.0.0: bar none`,
		want: `Because every version of foo depends on bar none which doesn't match any versions and you require foo, version solving failed.`,
	}}
	for _, tt := range tests {
		p := &provider{reg: parseRegistry(t, tt.registry), wide: true}
		_, err := Solve[ver, vset](context.Background(), p, "root", mustVer("1.0.0"), RootPhrase("you require"))
		if err == nil || err.Error() != tt.want {
			t.Errorf("report\n%v\nwant\n%s", err, tt.want)
		}
	}
}

func TestThus(t *testing.T) {
	reg := parseRegistry(t, `
		root 1.0.0: foo any
		foo 1.0.0: gone any
		foo 2.0.0: bar any
		bar 1.0.0: x any
		bar 2.0.0: y any`)
	_, err := Solve[ver, bitset](context.Background(), &bitsetProvider{reg}, "root", mustVer("1.0.0"))
	want := `Because foo 1.0.0 depends on gone which doesn't match any versions and foo 2.0.0 depends on bar, every version of foo requires bar.
Because bar 1.0.0 depends on x which doesn't match any versions and bar 2.0.0 depends on y which doesn't match any versions, bar is forbidden.
Thus, foo is forbidden.
So, because root depends on foo, version solving failed.`
	if err == nil || err.Error() != want {
		t.Errorf("report\n%v\nwant\n%s", err, want)
	}
}

func TestDerivationTree(t *testing.T) {
	reg := parseRegistry(t, linearRegistry)
	_, err := solveRegistry(t, reg, true)
	var nse *NoSolutionError
	if !errors.As(err, &nse) {
		t.Fatalf("got %v, want a *NoSolutionError", err)
	}
	// Collect the external facts of the proof.
	var external []string
	seen := map[*Incompatibility]bool{}
	var walk func(ic *Incompatibility)
	walk = func(ic *Incompatibility) {
		if seen[ic] {
			return
		}
		seen[ic] = true
		if ic.Kind != KindDerived {
			external = append(external, ic.Kind.String()+": "+ic.Text)
		}
		for _, c := range ic.Causes {
			walk(c)
		}
	}
	walk(nse.Derivation)
	slices.Sort(external)
	want := []string{
		"dependency: every version of bar depends on baz ^3.0.0",
		"dependency: every version of foo depends on bar ^2.0.0",
		"dependency: root depends on baz ^1.0.0",
		"dependency: root depends on foo ^1.0.0",
	}
	if !slices.Equal(external, want) {
		t.Errorf("external facts:\n%s\nwant\n%s", strings.Join(external, "\n"), strings.Join(want, "\n"))
	}
	if nse.Derivation.Kind != KindDerived || len(nse.Derivation.Terms) != 1 || nse.Derivation.Terms[0].Package != "root" {
		t.Errorf("root of derivation = %+v, want the root package alone", nse.Derivation)
	}
}
