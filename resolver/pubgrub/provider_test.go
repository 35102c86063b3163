package pubgrub

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// misbehaving wraps the registry provider and breaks one rule.
type misbehaving struct {
	*provider
	choose func(pkg string, set vset) (ver, bool, error)
	deps   func(pkg string, v ver) (Deps[vset], error)
}

func (m *misbehaving) ChooseVersion(ctx context.Context, pkg string, set vset) (ver, bool, error) {
	if m.choose != nil {
		return m.choose(pkg, set)
	}
	return m.provider.ChooseVersion(ctx, pkg, set)
}

func (m *misbehaving) Dependencies(ctx context.Context, pkg string, v ver) (Deps[vset], error) {
	if m.deps != nil {
		return m.deps(pkg, v)
	}
	return m.provider.Dependencies(ctx, pkg, v)
}

var errIndexDown = errors.New("index down")

func TestProviderMisbehaviour(t *testing.T) {
	reg := parseRegistry(t, `
		root 1.0.0: foo ^1.0.0
		foo 1.0.0: bar any
		foo 1.1.0: bar any
		bar 1.0.0`)
	tests := []struct {
		name   string
		choose func(pkg string, set vset) (ver, bool, error)
		deps   func(pkg string, v ver) (Deps[vset], error)
		want   string
		is     error
	}{{
		name:   "version outside the set",
		choose: func(pkg string, set vset) (ver, bool, error) { return mustVer("9.0.0"), true, nil },
		want:   "choosing a version of foo ^1.0.0: provider chose 9.0.0, which is not in the set",
	}, {
		name:   "error choosing",
		choose: func(pkg string, set vset) (ver, bool, error) { return 0, false, errIndexDown },
		want:   "choosing a version of foo ^1.0.0: index down",
		is:     errIndexDown,
	}, {
		name: "range without the version",
		deps: func(pkg string, v ver) (Deps[vset], error) {
			return Deps[vset]{Range: parseSet(">=5.0.0")}, nil
		},
		want: "dependencies of root 1.0.0: provider returned them for >=5.0.0, which does not hold 1.0.0",
	}, {
		name: "error in dependencies",
		deps: func(pkg string, v ver) (Deps[vset], error) {
			if pkg == "foo" {
				return Deps[vset]{}, errIndexDown
			}
			return Deps[vset]{Range: exactly(v), Deps: []Dep[vset]{{"foo", parseSet("^1.0.0")}}}, nil
		},
		want: "dependencies of foo 1.1.0: index down",
		is:   errIndexDown,
	}}
	for _, tt := range tests {
		p := &misbehaving{provider: &provider{reg: reg}, choose: tt.choose, deps: tt.deps}
		sol, err := Solve[ver, vset](context.Background(), p, "root", mustVer("1.0.0"))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v, %v; want error %q", tt.name, sol, err, tt.want)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: errors.Is(%v, %v) = false", tt.name, err, tt.is)
		}
	}
}

// chooser picks a fixed index; a prefetcher records what it is told.
type chooser struct {
	*provider
	index    int
	prefetch []string
}

func (c *chooser) ChoosePackage(ctx context.Context, pending []Pending[vset]) (int, error) {
	return c.index, nil
}

func (c *chooser) Prefetch(ctx context.Context, pending []Pending[vset]) {
	var parts []string
	for _, p := range pending {
		parts = append(parts, p.Package+" "+p.Set.String())
	}
	c.prefetch = append(c.prefetch, strings.Join(parts, ", "))
}

func TestChooserAndPrefetcher(t *testing.T) {
	reg := parseRegistry(t, `
		root 1.0.0: foo ^1.0.0, bar ^2.0.0
		foo 1.0.0: baz any
		bar 2.0.0
		baz 1.0.0`)
	c := &chooser{provider: &provider{reg: reg}}
	sol, err := Solve[ver, vset](context.Background(), c, "root", mustVer("1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := solutionString(sol), "bar 2.0.0, baz 1.0.0, foo 1.0.0, root 1.0.0"; got != want {
		t.Errorf("solution %s, want %s", got, want)
	}
	// Always the first pending package, in order of discovery.
	want := []string{"bar ^2.0.0, foo ^1.0.0", "foo ^1.0.0", "baz any"}
	if strings.Join(c.prefetch, " / ") != strings.Join(want, " / ") {
		t.Errorf("prefetched %q, want %q", c.prefetch, want)
	}

	c = &chooser{provider: &provider{reg: reg}, index: 7}
	_, err = Solve[ver, vset](context.Background(), c, "root", mustVer("1.0.0"))
	if err == nil || err.Error() != "choosing the next package: provider chose 7 of 2 packages" {
		t.Errorf("chooser out of range: got %v", err)
	}
}

// cancelling cancels the context on its nth call.
type cancelling struct {
	*provider
	cancel context.CancelFunc
	n      int
}

func (c *cancelling) ChooseVersion(ctx context.Context, pkg string, set vset) (ver, bool, error) {
	c.n--
	if c.n == 0 {
		c.cancel()
	}
	return c.provider.ChooseVersion(ctx, pkg, set)
}

func TestContextCancelled(t *testing.T) {
	reg := parseRegistry(t, `
		root 1.0.0: a any
		a 1.0.0: b any
		b 1.0.0: c any
		c 1.0.0`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &cancelling{provider: &provider{reg: reg}, cancel: cancel, n: 2}
	_, err := Solve[ver, vset](ctx, p, "root", mustVer("1.0.0"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if p.chooseCalls != 2 {
		t.Errorf("provider asked %d times, want 2: the solver must stop at the next step", p.chooseCalls)
	}
}

func TestSelfAndRootDependencies(t *testing.T) {
	tests := []struct{ name, registry, want string }{{
		name: "package needing itself in its own range",
		registry: `
			root 1.0.0: foo any
			foo 1.0.0: foo any`,
		want: "foo 1.0.0, root 1.0.0",
	}, {
		name: "package needing another version of itself",
		registry: `
			root 1.0.0: foo any
			foo 1.0.0
			foo 2.0.0: foo 1.0.0`,
		want: "foo 1.0.0, root 1.0.0",
	}, {
		name: "package needing the root",
		registry: `
			root 1.0.0: foo any
			foo 1.0.0
			foo 2.0.0: root >=2.0.0`,
		want: "foo 1.0.0, root 1.0.0",
	}}
	for _, tt := range tests {
		for _, wide := range []bool{false, true} {
			sol, err := solveRegistry(t, parseRegistry(t, tt.registry), wide)
			if err != nil || solutionString(sol) != tt.want {
				t.Errorf("%s (wide %v): got %s, %v; want %s", tt.name, wide, solutionString(sol), err, tt.want)
			}
		}
	}
}
