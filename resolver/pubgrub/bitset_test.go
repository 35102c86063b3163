package pubgrub

import (
	"context"
	"errors"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// bitset is a set over the known versions of one package, the approach
// the package documentation suggests for PEP 440: exact complements, and
// no gaps between versions for the report to explain.
type bitset struct {
	known []ver // sorted; at most 64
	bits  uint64
}

func (s bitset) mask() uint64 { return uint64(1)<<len(s.known) - 1 }

func (s bitset) Contains(v ver) bool {
	i, ok := slices.BinarySearch(s.known, v)
	return ok && s.bits&(1<<i) != 0
}
func (s bitset) Intersect(o bitset) bitset { return bitset{s.known, s.bits & o.bits} }
func (s bitset) Union(o bitset) bitset     { return bitset{s.known, s.bits | o.bits} }
func (s bitset) Complement() bitset        { return bitset{s.known, ^s.bits & s.mask()} }
func (s bitset) IsEmpty() bool             { return s.bits == 0 }
func (s bitset) IsFull() bool              { return s.bits == s.mask() }

// String writes runs of adjacent known versions as ranges, leaving out a
// bound at either end of the known versions, as pub does.
func (s bitset) String() string {
	if s.IsEmpty() {
		return "none"
	}
	var parts []string
	for i := 0; i < len(s.known); i++ {
		if s.bits&(1<<i) == 0 {
			continue
		}
		j := i
		for j+1 < len(s.known) && s.bits&(1<<(j+1)) != 0 {
			j++
		}
		switch {
		case i == j:
			parts = append(parts, s.known[i].String())
		case i == 0 && j == len(s.known)-1:
			parts = append(parts, "any")
		case i == 0:
			parts = append(parts, "<"+s.known[j+1].String())
		case j == len(s.known)-1:
			parts = append(parts, ">="+s.known[i].String())
		default:
			parts = append(parts, ">="+s.known[i].String()+" <"+s.known[j+1].String())
		}
		i = j
	}
	return strings.Join(parts, " || ")
}

// bitsetProvider serves a registry with bitsets, one version at a time.
type bitsetProvider struct{ reg registry }

func (p *bitsetProvider) set(pkg string, s vset) bitset {
	out := bitset{}
	for i, r := range p.reg[pkg] {
		out.known = append(out.known, r.version)
		if s.Contains(r.version) {
			out.bits |= 1 << i
		}
	}
	return out
}

func (p *bitsetProvider) ChooseVersion(ctx context.Context, pkg string, set bitset) (ver, bool, error) {
	if set.IsEmpty() {
		return 0, false, nil
	}
	return set.known[63-bits.LeadingZeros64(set.bits)], true, nil
}

func (p *bitsetProvider) Dependencies(ctx context.Context, pkg string, v ver) (Deps[bitset], error) {
	for _, r := range p.reg[pkg] {
		if r.version != v {
			continue
		}
		d := Deps[bitset]{Range: p.set(pkg, exactly(v)), Unavailable: r.unavailable}
		for _, dep := range r.deps {
			d.Deps = append(d.Deps, Dep[bitset]{dep.Package, p.set(dep.Package, dep.Set)})
		}
		return d, nil
	}
	return Deps[bitset]{}, errors.New("no such release")
}

func (p *bitsetProvider) ChoosePackage(ctx context.Context, pending []Pending[bitset]) (int, error) {
	best := 0
	for i, pk := range pending {
		if bits.OnesCount64(pk.Set.bits) < bits.OnesCount64(pending[best].Set.bits) {
			best = i
		}
	}
	return best, nil
}

func TestBitsetSets(t *testing.T) {
	reg := parseRegistry(t, branchingRegistry)
	_, err := Solve[ver, bitset](context.Background(), &bitsetProvider{reg}, "root", mustVer("1.0.0"))
	want := `    Because foo 1.0.0 depends on a which depends on b 2.0.0, foo 1.0.0 requires b 2.0.0.
(1) So, because foo 1.0.0 depends on b 1.0.0, foo 1.0.0 is forbidden.

    Because foo 1.1.0 depends on x which depends on y 2.0.0, foo 1.1.0 requires y 2.0.0.
    And because foo 1.1.0 depends on y 1.0.0, foo 1.1.0 is forbidden.
    And because foo 1.0.0 is forbidden (1), foo is forbidden.
    So, because root depends on foo, version solving failed.`
	if err == nil || err.Error() != want {
		t.Errorf("report\n%v\nwant\n%s", err, want)
	}

	// Versions unavailable for the same reason make one fact.
	reg = parseRegistry(t, `
		root 1.0.0: foo >=2.0.0
		foo 1.0.0
		foo 2.0.0: unavailable requires Python >=3.12
		foo 2.1.0: unavailable requires Python >=3.12
		foo 2.2.0: unavailable requires Python >=3.12`)
	_, err = Solve[ver, bitset](context.Background(), &bitsetProvider{reg}, "root", mustVer("1.0.0"))
	want = "Because root depends on foo >=2.0.0 which requires Python >=3.12, version solving failed."
	if err == nil || err.Error() != want {
		t.Errorf("report\n%v\nwant\n%s", err, want)
	}

	// Every random registry gets the same verdict as with intervals.
	rng := rand.New(rand.NewPCG(3, 4))
	const instances = 1000
	for i := range instances {
		reg := randomRegistry(rng, 5, 4)
		want := bruteForce(reg)
		sol, err := Solve[ver, bitset](context.Background(), &bitsetProvider{reg}, "root", mustVer("1.0.0"))
		var nse *NoSolutionError
		switch {
		case err == nil:
			if problems := checkSolution(reg, "root", mustVer("1.0.0"), sol); len(problems) > 0 || !want {
				t.Errorf("instance %d: solution %s: %s (brute force found one: %v)\n%s", i, solutionString(sol), strings.Join(problems, "; "), want, dumpRegistry(reg))
			}
		case errors.As(err, &nse):
			if want {
				t.Errorf("instance %d: no solution, brute force found one:\n%v\n%s", i, err, dumpRegistry(reg))
			}
		default:
			t.Errorf("instance %d: %v", i, err)
		}
	}
	t.Logf("%d random registries solved with bitsets, verdicts checked by brute force", instances)
}
