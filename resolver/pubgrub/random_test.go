package pubgrub

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// randomSet returns a set over versions 1..n (as k.0.0): mostly an
// interval, sometimes one version, a union of two intervals, any or none.
func randomSet(rng *rand.Rand, n int) vset {
	bound := func() int { return (1 + rng.IntN(n+1)) * 1000000 }
	interval := func() vset {
		lo, hi := bound(), bound()
		if lo > hi {
			lo, hi = hi, lo
		}
		if rng.IntN(4) == 0 {
			lo = minusInf
		}
		if rng.IntN(4) == 0 {
			hi = plusInf
		}
		if lo >= hi {
			return vset{}
		}
		return vset{[]span{{lo, hi}}}
	}
	switch r := rng.IntN(20); {
	case r < 3:
		return exactly(ver((1 + rng.IntN(n)) * 1000000))
	case r < 5:
		return interval().Union(interval())
	case r < 7:
		return anyVersion()
	case r < 8:
		return vset{}
	}
	return interval()
}

// randomRegistry builds a registry of up to maxPkgs packages besides root,
// each with up to maxVersions versions.
func randomRegistry(rng *rand.Rand, maxPkgs, maxVersions int) registry {
	nPkgs := 1 + rng.IntN(maxPkgs)
	names := make([]string, nPkgs)
	for i := range names {
		names[i] = fmt.Sprintf("p%d", i)
	}
	randomDeps := func(self string, max int) []Dep[vset] {
		var deps []Dep[vset]
		seen := map[string]bool{}
		for range rng.IntN(max + 1) {
			name := names[rng.IntN(nPkgs)]
			switch rng.IntN(30) {
			case 0:
				name = "root"
			case 1:
				name = self
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			deps = append(deps, Dep[vset]{name, randomSet(rng, maxVersions)})
		}
		slices.SortFunc(deps, func(a, b Dep[vset]) int { return strings.Compare(a.Package, b.Package) })
		return deps
	}
	reg := registry{"root": {{version: mustVer("1.0.0"), deps: randomDeps("root", 3)}}}
	for _, name := range names {
		nv := 1 + rng.IntN(maxVersions)
		for k := 1; k <= maxVersions && len(reg[name]) < nv; k++ {
			if rng.IntN(4) == 0 {
				continue // leave gaps in the version numbers
			}
			r := release{version: ver(k * 1000000), deps: randomDeps(name, 3)}
			if rng.IntN(12) == 0 {
				r.unavailable = "is unavailable for testing"
				r.deps = nil
			}
			reg[name] = append(reg[name], r)
		}
	}
	return reg
}

// bruteForce reports whether any selection of versions solves reg for root
// 1.0.0, trying every combination.
func bruteForce(reg registry) bool {
	var pkgs []string
	for pkg := range reg {
		pkgs = append(pkgs, pkg)
	}
	slices.Sort(pkgs)
	sol := map[string]ver{}
	var try func(i int) bool
	try = func(i int) bool {
		if i == len(pkgs) {
			for pkg, v := range sol {
				for _, r := range reg[pkg] {
					if r.version != v {
						continue
					}
					for _, d := range r.deps {
						dv, ok := sol[d.Package]
						if !ok || !d.Set.Contains(dv) {
							return false
						}
					}
				}
			}
			return true
		}
		pkg := pkgs[i]
		if pkg == "root" {
			sol[pkg] = mustVer("1.0.0")
			return try(i + 1)
		}
		delete(sol, pkg)
		if try(i + 1) {
			return true
		}
		for _, r := range reg[pkg] {
			if r.unavailable != "" {
				continue
			}
			sol[pkg] = r.version
			if try(i + 1) {
				return true
			}
		}
		delete(sol, pkg)
		return false
	}
	return try(0)
}

func TestRandomRegistries(t *testing.T) {
	const instances = 3000
	rng := rand.New(rand.NewPCG(1, 2))
	solved, failed, numbered := 0, 0, 0
	for i := range instances {
		reg := randomRegistry(rng, 5, 4)
		if i%5 == 0 {
			reg = randomRegistry(rng, 7, 5)
		}
		want := bruteForce(reg)
		for _, wide := range []bool{false, true} {
			p := &provider{reg: reg, wide: wide}
			sol, err := Solve[ver, vset](context.Background(), p, "root", mustVer("1.0.0"))
			var nse *NoSolutionError
			switch {
			case err == nil:
				solved++
				if problems := checkSolution(reg, "root", mustVer("1.0.0"), sol); len(problems) > 0 {
					t.Errorf("instance %d (wide %v): wrong solution %s: %s\n%s", i, wide, solutionString(sol), strings.Join(problems, "; "), dumpRegistry(reg))
				}
				if !want {
					t.Errorf("instance %d (wide %v): solver found %s, brute force found nothing", i, wide, solutionString(sol))
				}
			case errors.As(err, &nse):
				failed++
				if want {
					t.Errorf("instance %d (wide %v): solver found no solution, brute force did:\n%s\n%s", i, wide, err, dumpRegistry(reg))
				}
				if strings.Contains(err.Error(), "(1)") {
					numbered++
				}
				if problems := checkReport(err.Error()); len(problems) > 0 {
					t.Errorf("instance %d (wide %v): %s in report\n%s", i, wide, strings.Join(problems, "; "), err)
				}
			default:
				t.Errorf("instance %d (wide %v): %v\n%s", i, wide, err, dumpRegistry(reg))
			}
		}
	}
	t.Logf("%d random registries of up to 7 packages and 5 versions, each solved twice: %d solutions checked, %d failures confirmed by brute force, %d of whose reports have numbered lines",
		instances, solved, failed, numbered)
	if solved == 0 || failed == 0 || numbered == 0 {
		t.Errorf("generator is lopsided: %d solved, %d failed", solved, failed)
	}
}

func dumpRegistry(reg registry) string {
	var lines []string
	for pkg, rs := range reg {
		for _, r := range rs {
			line := pkg + " " + r.version.String()
			if r.unavailable != "" {
				line += ": unavailable " + r.unavailable
			} else if len(r.deps) > 0 {
				var ds []string
				for _, d := range r.deps {
					ds = append(ds, d.Package+" "+d.Set.String())
				}
				line += ": " + strings.Join(ds, ", ")
			}
			lines = append(lines, line)
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

var (
	lineNumber = regexp.MustCompile(`^\((\d+)\) +`)
	lineRef    = regexp.MustCompile(` \((\d+)\)[,. ]`)
)

// checkReport lists what is wrong with the shape of a failure report:
// lines that are not sentences, references to lines not written yet,
// numbers out of sequence, a missing conclusion.
func checkReport(report string) []string {
	var problems []string
	defined := 0
	lines := strings.Split(report, "\n")
	for i, line := range lines {
		if line == "" {
			if i == 0 || i == len(lines)-1 || lines[i-1] == "" {
				problems = append(problems, fmt.Sprintf("stray blank line %d", i+1))
			}
			continue
		}
		text := strings.TrimLeft(line, " ")
		if m := lineNumber.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n != defined+1 {
				problems = append(problems, fmt.Sprintf("line number (%d) after (%d)", n, defined))
			}
			defined = n
			text = line[len(m[0]):]
		}
		if !strings.HasSuffix(text, ".") || !(strings.HasPrefix(text, "Because ") ||
			strings.HasPrefix(text, "And because ") || strings.HasPrefix(text, "So, because ") ||
			strings.HasPrefix(text, "Thus, ")) {
			problems = append(problems, fmt.Sprintf("odd sentence %q", text))
		}
		for _, m := range lineRef.FindAllStringSubmatch(text, -1) {
			if n, _ := strconv.Atoi(m[1]); n > defined {
				problems = append(problems, fmt.Sprintf("reference to (%d) before it is written", n))
			}
		}
	}
	if !strings.HasSuffix(report, "version solving failed.") {
		problems = append(problems, "no conclusion")
	}
	return problems
}

// FuzzSolve solves the random registry grown from a seed, with both set
// types, and checks the verdict against brute force.
func FuzzSolve(f *testing.F) {
	for seed := range uint64(20) {
		f.Add(seed, uint8(5), uint8(4))
	}
	f.Fuzz(func(t *testing.T, seed uint64, pkgs, versions uint8) {
		reg := randomRegistry(rand.New(rand.NewPCG(seed, seed>>32)), 1+int(pkgs%6), 1+int(versions%5))
		want := bruteForce(reg)
		solutions := []func() (map[string]ver, error){
			func() (map[string]ver, error) {
				return Solve[ver, vset](context.Background(), &provider{reg: reg}, "root", mustVer("1.0.0"))
			},
			func() (map[string]ver, error) {
				return Solve[ver, bitset](context.Background(), &bitsetProvider{reg}, "root", mustVer("1.0.0"))
			},
		}
		for _, solve := range solutions {
			sol, err := solve()
			var nse *NoSolutionError
			switch {
			case err == nil:
				if problems := checkSolution(reg, "root", mustVer("1.0.0"), sol); len(problems) > 0 || !want {
					t.Fatalf("solution %s: %v (brute force found one: %v)\n%s", solutionString(sol), problems, want, dumpRegistry(reg))
				}
			case errors.As(err, &nse):
				if want {
					t.Fatalf("no solution, brute force found one:\n%v\n%s", err, dumpRegistry(reg))
				}
				if problems := checkReport(err.Error()); len(problems) > 0 {
					t.Fatalf("%v in report\n%v", problems, err)
				}
			default:
				t.Fatal(err)
			}
		}
	})
}
