package pep440

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestParseNormalizes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.0", "1.0"},
		{"1", "1"},
		{"v1.0", "1.0"},
		{"V1.0", "1.0"},
		{"  1.0\n", "1.0"},
		{"\u00a01.0\u3000", "1.0"},  // Python whitespace includes Unicode spaces
		{"\x1c1.0\x1f", "1.0"},      // and the ASCII separators
		{"01.002.0003", "1.2.3"},    // numbers are integers
		{"0!1.0", "1.0"},            // a zero epoch is not printed
		{"00!1.0", "1.0"},           //
		{"1!1.0", "1!1.0"},          //
		{"v2!1.0", "2!1.0"},         //
		{"1.0a1", "1.0a1"},          //
		{"1.0A1", "1.0a1"},          // case-insensitive
		{"1.0alpha1", "1.0a1"},      // alternate spellings
		{"1.0beta2", "1.0b2"},       //
		{"1.0c3", "1.0rc3"},         //
		{"1.0pre4", "1.0rc4"},       //
		{"1.0preview5", "1.0rc5"},   //
		{"1.0RC", "1.0rc0"},         // implicit pre-release number
		{"1.0.a1", "1.0a1"},         // separators before and after
		{"1.0-a_1", "1.0a1"},        //
		{"1.0_b.2", "1.0b2"},        //
		{"1.0a-", "1.0a0"},          // a separator without a number
		{"1.0a-1", "1.0a1"},         // "-1" is the pre-release number here
		{"1.0a1-1", "1.0a1.post1"},  // and an implicit post-release here
		{"1.0-1", "1.0.post1"},      // implicit post-release
		{"1.0-0", "1.0.post0"},      //
		{"1.0post", "1.0.post0"},    //
		{"1.0.post1", "1.0.post1"},  //
		{"1.0-post-1", "1.0.post1"}, //
		{"1.0_rev.2", "1.0.post2"},  //
		{"1.0r3", "1.0.post3"},      //
		{"1.0R", "1.0.post0"},       //
		{"1.0post-", "1.0.post0"},   //
		{"1.0dev", "1.0.dev0"},      //
		{"1.0-dev-1", "1.0.dev1"},   //
		{"1.0.DEV_2", "1.0.dev2"},   //
		{"1.0a1.post2.dev3", "1.0a1.post2.dev3"},
		{"1.0rc1post2dev3", "1.0rc1.post2.dev3"},
		{"1.0+abc", "1.0+abc"},
		{"1.0+ABC.Def", "1.0+abc.def"}, // local labels are lower-cased
		{"1.0+abc-1_2", "1.0+abc.1.2"}, // and use "." only
		{"1.0+001", "1.0+1"},           // numeric local parts are integers
		{"1.0+01a", "1.0+01a"},         // alphanumeric ones are not
		{"1.0+0", "1.0+0"},             //
		{"1.0.dev0+local.7", "1.0.dev0+local.7"},
		{"1" + strings.Repeat("0", 100), "1" + strings.Repeat("0", 100)},
		{"0" + strings.Repeat("0", 100) + "1", "1"},
	}
	for _, tt := range tests {
		v, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", `"": empty version`},
		{"   ", `"   ": empty version`},
		{"1.0.", `"1.0.": trailing "."`},
		{"1.0-", `"1.0-": trailing "-"`},
		{"1.0a1-", `"1.0a1-": trailing "-"`},
		{"a1", `"a1": no release number at "a1" (want something like "1.0")`},
		{"v", `"v": no release number at "" (want something like "1.0")`},
		{"vv1", `"vv1": no release number at "v1" (want something like "1.0")`},
		{"1!", `"1!": no release number after epoch "1!"`},
		{"1!v1", `"1!v1": no release number after epoch "1!"`},
		{"1.0foo", `"1.0foo": unexpected "foo" after "1.0"`},
		{"1.0 1", `"1.0 1": unexpected " 1" after "1.0"`},
		{"1..0", `"1..0": unexpected "..0" after "1"`},
		{"1.0a1a2", `"1.0a1a2": unexpected "a2" after "1.0a1"`},
		{"1.0.dev1.post1", `"1.0.dev1.post1": unexpected ".post1" after "1.0.dev1"`},
		{"1.0+", `"1.0+": empty local version label after "+"`},
		{"1.0+a..b", `"1.0+a..b": local version label "a..b" has an empty part`},
		{"1.0+a.", `"1.0+a.": local version label "a." has an empty part`},
		{"1.0+a+b", `"1.0+a+b": local version label "a+b" has "+" (want letters, digits and . - _)`},
		{"1.0poſt1", `"1.0poſt1": non-ASCII character at byte 5`},
		{"1.*", `"1.*": unexpected ".*" after "1"`},
		{"1.0-1-1", `"1.0-1-1": unexpected "-1" after "1.0-1"`},
		{strings.Repeat("1", maxVersionBytes+1), `"` + strings.Repeat("1", maxErrorInput) + `...": longer than 1024 bytes`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q): err = %v, want a *ParseError", tt.in, err)
			continue
		}
		if pe.Input != tt.in {
			t.Errorf("Parse(%q): ParseError.Input = %q", tt.in, pe.Input)
		}
		if err.Error() != tt.msg {
			t.Errorf("Parse(%q): err = %s, want %s", tt.in, err, tt.msg)
		}
	}
}

// ascending lists versions in packaging's order; each line is greater than
// the one before it, except that "=" marks a version equal to the previous.
var ascending = []string{
	"0.dev0",
	"0a0",
	"0",
	"0.0.0.1",
	"1.0.dev456",
	"1.0a1.dev0",
	"1.0a1",
	"1.0a2.dev456",
	"1.0a12.dev456",
	"1.0a12",
	"1.0b1.dev456",
	"1.0b2",
	"1.0b2.post345.dev456",
	"1.0b2.post345",
	"1.0b2-346",
	"1.0c1.dev456",
	"= 1.0rc1.dev456",
	"1.0c1",
	"= 1.0rc1",
	"= 1.0pre1",
	"1.0c3",
	"1.0",
	"= 1.0.0",
	"= 1.0.0.0.0",
	"= v1",
	"1.0+abc",
	"1.0+abc.0",
	"1.0+abc.5",
	"1.0+abc.10",
	"1.0+abd",
	"1.0+0",
	"1.0+1",
	"= 1.0+001",
	"1.0+1.a",
	"1.0+1.0",
	"1.0+2",
	"1.0+10",
	"1.0.post456.dev34",
	"1.0.post456",
	"1.0.post456+abc",
	"1.0.1",
	"1.1.dev1",
	"1.2",
	"1.2+1234.abc",
	"1.2+123456",
	"1.2.r32+123456",
	"1.2.rev33+123456",
	"1.10",
	"2",
	"10",
	"99999999999999999999999999999",
	"100000000000000000000000000000",
	"1!0.dev0",
	"1!0",
	"1!1.0",
	"2!0.5",
	"10!0.1",
	"99999999999999999999!0",
}

func TestCompareAscending(t *testing.T) {
	vs := make([]Version, len(ascending))
	eq := make([]bool, len(ascending)) // eq[i]: vs[i] equals vs[i-1]
	for i, s := range ascending {
		s, eq[i] = strings.CutPrefix(s, "= ")
		vs[i] = MustParse(s)
	}
	// rank[i] counts the strict steps up to i
	rank := make([]int, len(vs))
	for i := 1; i < len(vs); i++ {
		rank[i] = rank[i-1]
		if !eq[i] {
			rank[i]++
		}
	}
	for i := range vs {
		for j := range vs {
			want := 0
			if rank[i] < rank[j] {
				want = -1
			} else if rank[i] > rank[j] {
				want = 1
			}
			if got := vs[i].Compare(vs[j]); got != want {
				t.Errorf("Compare(%q, %q) = %d, want %d", vs[i], vs[j], got, want)
			}
			if same := vs[i].Canonical() == vs[j].Canonical(); same != (want == 0) {
				t.Errorf("Canonical() of %q and %q: %q and %q", vs[i], vs[j], vs[i].Canonical(), vs[j].Canonical())
			}
		}
	}
}

func TestAccessors(t *testing.T) {
	tests := []struct {
		in                   string
		epoch                int
		release              []int
		preKind              string
		preN                 int
		post, dev            int // -1: none
		local, public, base  string
		isPre, isPost, isDev bool
	}{
		{"1.0", 0, []int{1, 0}, "", 0, -1, -1, "", "1.0", "1.0", false, false, false},
		{"2!1.2.3rc4.post5.dev6+Ab.7", 2, []int{1, 2, 3}, "rc", 4, 5, 6, "ab.7", "2!1.2.3rc4.post5.dev6", "2!1.2.3", true, true, true},
		{"1.0.dev0", 0, []int{1, 0}, "", 0, -1, 0, "", "1.0.dev0", "1.0", true, false, true},
		{"1.0alpha", 0, []int{1, 0}, "a", 0, -1, -1, "", "1.0a0", "1.0", true, false, false},
		{"1.0-3", 0, []int{1, 0}, "", 0, 3, -1, "", "1.0.post3", "1.0", false, true, false},
		{"1.0+local", 0, []int{1, 0}, "", 0, -1, -1, "local", "1.0", "1.0", false, false, false},
		{"1." + strings.Repeat("9", 40), 0, []int{1, math.MaxInt}, "", 0, -1, -1, "", "1." + strings.Repeat("9", 40), "1." + strings.Repeat("9", 40), false, false, false},
	}
	for _, tt := range tests {
		v := MustParse(tt.in)
		if got := v.Epoch(); got != tt.epoch {
			t.Errorf("%q.Epoch() = %d, want %d", tt.in, got, tt.epoch)
		}
		if got := v.Release(); !slices.Equal(got, tt.release) {
			t.Errorf("%q.Release() = %v, want %v", tt.in, got, tt.release)
		}
		kind, n, ok := v.Pre()
		if kind != tt.preKind || n != tt.preN || ok != (tt.preKind != "") {
			t.Errorf("%q.Pre() = %q, %d, %v, want %q, %d", tt.in, kind, n, ok, tt.preKind, tt.preN)
		}
		if n, ok := v.Post(); ok != (tt.post >= 0) || ok && n != tt.post {
			t.Errorf("%q.Post() = %d, %v, want %d", tt.in, n, ok, tt.post)
		}
		if n, ok := v.Dev(); ok != (tt.dev >= 0) || ok && n != tt.dev {
			t.Errorf("%q.Dev() = %d, %v, want %d", tt.in, n, ok, tt.dev)
		}
		if got := v.Local(); got != tt.local {
			t.Errorf("%q.Local() = %q, want %q", tt.in, got, tt.local)
		}
		if got := v.Public().String(); got != tt.public {
			t.Errorf("%q.Public() = %q, want %q", tt.in, got, tt.public)
		}
		if got := v.BaseVersion().String(); got != tt.base {
			t.Errorf("%q.BaseVersion() = %q, want %q", tt.in, got, tt.base)
		}
		if v.IsPrerelease() != tt.isPre || v.IsPostrelease() != tt.isPost || v.IsDevrelease() != tt.isDev {
			t.Errorf("%q: IsPrerelease, IsPostrelease, IsDevrelease = %v, %v, %v, want %v, %v, %v",
				tt.in, v.IsPrerelease(), v.IsPostrelease(), v.IsDevrelease(), tt.isPre, tt.isPost, tt.isDev)
		}
		if p := v.Public(); p.Compare(MustParse(tt.public)) != 0 || p.Local() != "" {
			t.Errorf("%q.Public() does not compare equal to %q", tt.in, tt.public)
		}
	}
}

// TestZeroVersion checks that the zero Version, which Parse never returns,
// does not panic.
func TestZeroVersion(t *testing.T) {
	var z Version
	set, _ := ParseSpecifierSet(">=0")
	if z.String() != "" || z.Compare(MustParse("0")) >= 0 || set.Contains(z, PrereleasesAllow) {
		t.Errorf("zero Version: String %q, Compare %d, Contains %v", z, z.Compare(MustParse("0")), set.Contains(z, PrereleasesAllow))
	}
	_ = z.Release()
	_, _, _ = z.Pre()
	_ = z.Public()
	_ = z.BaseVersion()
	if sp, err := ParseSpecifier("==1.*"); err != nil || sp.Contains(z, PrereleasesAllow) {
		t.Errorf("==1.* contains the zero Version")
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("MustParse(\"x\") did not panic")
		}
	}()
	MustParse("x")
}
