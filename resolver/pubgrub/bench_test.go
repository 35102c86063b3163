package pubgrub

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// largeRegistry builds a registry where newer versions want newer
// dependencies, except that a few packages cap their dependencies low:
// the newest versions of most packages then conflict, and the solver has
// to back off many of them.
func largeRegistry(seed uint64, nPkgs, nVersions int) registry {
	rng := rand.New(rand.NewPCG(seed, 0))
	name := func(i int) string { return fmt.Sprintf("p%03d", i) }
	reg := registry{}
	var rootDeps []Dep[vset]
	for i := range 20 {
		rootDeps = append(rootDeps, Dep[vset]{name(i * nPkgs / 20), anyVersion()})
	}
	reg["root"] = []release{{version: mustVer("1.0.0"), deps: rootDeps}}
	for i := range nPkgs {
		capped := rng.IntN(10) == 0
		for k := 1; k <= nVersions; k++ {
			r := release{version: ver(k * 1000000)}
			seen := map[string]bool{}
			for range 1 + rng.IntN(3) {
				j := i + 1 + rng.IntN(nPkgs/10+1)
				if j >= nPkgs {
					continue
				}
				if seen[name(j)] {
					continue
				}
				seen[name(j)] = true
				// Version k wants roughly the same age of its dependency.
				lo := max(1, k-3-rng.IntN(4))
				hi := min(nVersions+1, k+1+rng.IntN(3))
				if capped {
					lo, hi = 1, 1+rng.IntN(nVersions/3+1)+1
				}
				r.deps = append(r.deps, Dep[vset]{name(j), vset{[]span{{lo * 1000000, hi * 1000000}}}})
			}
			if rng.IntN(50) == 0 {
				r.unavailable = "has no wheel for this platform"
				r.deps = nil
			}
			reg[name(i)] = append(reg[name(i)], r)
		}
	}
	return reg
}

func solveLarge(tb testing.TB, reg registry, wide bool) (map[string]ver, *provider, error) {
	p := &provider{reg: reg, wide: wide}
	sol, err := Solve[ver, vset](context.Background(), p, "root", mustVer("1.0.0"))
	var nse *NoSolutionError
	if err != nil && !errors.As(err, &nse) {
		tb.Fatal(err)
	}
	if err == nil {
		if problems := checkSolution(reg, "root", mustVer("1.0.0"), sol); len(problems) > 0 {
			tb.Fatalf("wrong solution: %v", problems)
		}
	}
	return sol, p, err
}

func TestLargeRegistries(t *testing.T) {
	solved := 0
	for seed := range uint64(10) {
		reg := largeRegistry(seed, 150, 20)
		sol, p, err := solveLarge(t, reg, seed%2 == 0)
		again, _, errAgain := solveLarge(t, reg, seed%2 == 0)
		if solutionString(sol) != solutionString(again) || fmt.Sprint(err) != fmt.Sprint(errAgain) {
			t.Errorf("seed %d: two solves differ: %s, %v and %s, %v", seed, solutionString(sol), err, solutionString(again), errAgain)
		}
		if err == nil {
			solved++
		} else if len(err.Error()) == 0 {
			t.Errorf("seed %d: empty report", seed)
		}
		t.Logf("seed %d: %d packages selected, %d versions tried, %d dependency lookups, solved %v", seed, len(sol), p.chooseCalls, p.depCalls, err == nil)
	}
	t.Logf("10 registries of 150 packages and 20 versions, each solved twice with the same result: %d solved and checked", solved)
}

func BenchmarkLargeRegistry(b *testing.B) {
	for _, size := range []struct{ pkgs, versions int }{{100, 20}, {300, 30}} {
		for _, wide := range []bool{false, true} {
			reg := largeRegistry(7, size.pkgs, size.versions)
			b.Run(fmt.Sprintf("pkgs=%d/versions=%d/wide=%v", size.pkgs, size.versions, wide), func(b *testing.B) {
				var p *provider
				for b.Loop() {
					_, p, _ = solveLarge(b, reg, wide)
				}
				b.ReportMetric(float64(p.chooseCalls), "tries")
			})
		}
	}
}

// BenchmarkLargeRegistryBitsets solves the same registries with sets over
// the known versions, the representation a PEP 440 provider would use.
func BenchmarkLargeRegistryBitsets(b *testing.B) {
	for _, size := range []struct{ pkgs, versions int }{{100, 20}, {300, 30}} {
		reg := largeRegistry(7, size.pkgs, size.versions)
		b.Run(fmt.Sprintf("pkgs=%d/versions=%d", size.pkgs, size.versions), func(b *testing.B) {
			for b.Loop() {
				sol, err := Solve[ver, bitset](context.Background(), &bitsetProvider{reg}, "root", mustVer("1.0.0"))
				if err == nil {
					if problems := checkSolution(reg, "root", mustVer("1.0.0"), sol); len(problems) > 0 {
						b.Fatal(problems)
					}
				} else if !errors.As(err, new(*NoSolutionError)) {
					b.Fatal(err)
				}
			}
		})
	}
}
