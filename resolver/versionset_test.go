package resolver

import (
	"math/rand"
	"testing"

	"github.com/safepip/safepip/pypa/pep440"
)

func versions(ss ...string) []pep440.Version {
	out := make([]pep440.Version, len(ss))
	for i, s := range ss {
		out[i] = pep440.MustParse(s)
	}
	return out
}

func TestVersionSetString(t *testing.T) {
	u := newUniverse(versions("2.0", "1.0", "1.5", "3.0", "1.0.0"))
	if len(u.versions) != 4 {
		t.Fatalf("universe has %d versions, want 4 (1.0 and 1.0.0 are one)", len(u.versions))
	}
	at := func(ss ...string) VersionSet {
		s := u.empty()
		for _, v := range versions(ss...) {
			s = s.Union(u.single(v))
		}
		return s
	}
	tests := []struct {
		set  VersionSet
		want string
	}{
		{u.empty(), "<none>"},
		{u.full(), "*"},
		{at("1.0"), "==1.0"},
		{at("1.0", "1.5"), "<2.0"},
		{at("1.5"), "==1.5"},
		{at("2.0", "3.0"), ">=2.0"},
		{at("1.5", "2.0"), ">=1.5, <3.0"},
		{at("1.0", "2.0"), "==1.0 | ==2.0"},
		{at("2.0").Complement(), "<2.0 | ==3.0"},
	}
	for _, tt := range tests {
		if got := tt.set.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// TestVersionSetAlgebra checks the set laws on random subsets of a universe
// larger than one word.
func TestVersionSetAlgebra(t *testing.T) {
	var vs []pep440.Version
	for i := 0; i < 150; i++ {
		vs = append(vs, pep440.MustParse("1."+string(rune('0'+i/100))+string(rune('0'+i/10%10))+string(rune('0'+i%10))))
	}
	u := newUniverse(vs)
	rng := rand.New(rand.NewSource(1))
	random := func() VersionSet {
		return u.where(func(pep440.Version) bool { return rng.Intn(2) == 0 })
	}
	for i := 0; i < 200; i++ {
		a, b := random(), random()
		if !a.Complement().Complement().Equal(a) {
			t.Fatal("complement is not an involution")
		}
		if !a.Intersect(b).Complement().Equal(a.Complement().Union(b.Complement())) {
			t.Fatal("De Morgan fails")
		}
		if a.Len()+a.Complement().Len() != len(u.versions) {
			t.Fatal("a and its complement do not partition the universe")
		}
		var desc []pep440.Version
		for v := range a.Descending() {
			desc = append(desc, v)
		}
		// Descending is the members, newest first: a brute-force filter
		// of the universe
		var want []pep440.Version
		for i := len(u.versions) - 1; i >= 0; i-- {
			if a.Contains(u.versions[i]) {
				want = append(want, u.versions[i])
			}
		}
		if len(desc) != len(want) || len(desc) != a.Len() {
			t.Fatalf("Descending gave %d versions, the universe filtered %d, Len %d", len(desc), len(want), a.Len())
		}
		for i := range desc {
			if desc[i].Compare(want[i]) != 0 {
				t.Fatalf("Descending()[%d] = %s, want %s", i, desc[i], want[i])
			}
		}
		for _, v := range u.versions {
			if a.Intersect(b).Contains(v) != (a.Contains(v) && b.Contains(v)) {
				t.Fatalf("Contains(%s) disagrees with Intersect", v)
			}
		}
	}
	if u.full().Contains(pep440.MustParse("9.9")) {
		t.Error("a version outside the universe is contained")
	}
}
