package pep440

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSpecifierSetContains(t *testing.T) {
	const (
		D = PrereleasesDefault
		A = PrereleasesAllow
		X = PrereleasesExclude
	)
	tests := []struct {
		set  string
		v    string
		pre  Prereleases
		want bool
	}{
		{"", "1.0", D, true},
		{"", "1.0a1", D, false}, // an empty set names no pre-release
		{"", "1.0a1", A, true},
		{">=1.0", "1.0", D, true},
		{">=1.0", "0.9", D, false},
		{">=1.0", "2.0a1", D, false},
		{">=1.0", "2.0a1", A, true},
		{">=1.0a1", "2.0a1", D, true}, // the set names a pre-release
		{">=1.0a1", "2.0a1", X, false},
		{">=1.0a1,<3", "2.0b1", D, true},
		{">=1.0,!=1.5a1", "1.6a1", D, false}, // != names no pre-release
		{">=1.0", "1.0+local", D, true},      // local labels are ignored
		{"<=1.0", "1.0+local", D, true},
		{"==1.0", "1.0+local", D, true},
		{"==1.0", "1.0.0", D, true},
		{"==1.0+local", "1.0", D, false},
		{"==1.0+local", "1.0+local", D, true},
		{"==1.0+local", "1.0+LOCAL", D, true},
		{"!=1.0", "1.0+local", D, false},
		{"!=1.0+local", "1.0", D, true},
		{"==1.2.*", "1.2", D, true},
		{"==1.2.*", "1.2.0", D, true},
		{"==1.2.*", "1.2.5", D, true},
		{"==1.2.*", "1.2.5+local", D, true},
		{"==1.2.*", "1.3", D, false},
		{"==1.2.*", "1.2.5a1", D, false},
		{"==1.2.*", "1.2.5a1", A, true},
		{"==1.2.0.*", "1.2", D, true}, // the candidate is padded with zeros
		{"==1.0.*", "1a1", A, true},   // ... before it is shortened (packaging 22+)
		{"==1.*", "1!1.0", D, false},  // epochs differ
		{"==1!1.*", "1!1.0", D, true},
		{"==1.0a1.*", "1.0a1", D, true}, // names a pre-release
		{"==1.0a1.*", "1.0a1.post1.dev2", D, true},
		{"==1.0a1.*", "1.0a2", D, false},
		{"==1.0a1.*", "1.0.0a1", D, false},
		{"==1.0.post1.*", "1.0.post1.dev3", A, true},
		{"==1.0.post1.*", "1.0.post2", A, false},
		{"==V1.0.*", "1.0.3", D, true}, // the prefix is normalized (packaging 22+)
		{"!=1.2.*", "1.2.5", D, false},
		{"!=1.2.*", "1.3", D, true},
		{"~=2.2", "2.2", D, true},
		{"~=2.2", "2.9", D, true},
		{"~=2.2", "3.0", D, false},
		{"~=2.2", "2.1", D, false},
		{"~=2.2.0", "2.2.9", D, true},
		{"~=2.2.0", "2.3", D, false},
		{"~=1.4.5a4", "1.4.5a4", D, true},
		{"~=1.4.5a4", "1.4.9", D, true},
		{"~=1.4.5a4", "1.5", D, false},
		{"~=1.0c1", "1.5", D, true}, // ~=1.0rc1 is >=1.0rc1, ==1.* (21.3 reads "0c1" as text)
		{"~=2.2.post3", "2.9", D, true},
		{"~=2.2.post3", "2.2.post2", D, false},
		{"~=1!2.2", "1!2.5", D, true},
		{"~=1!2.2", "2.5", D, false},
		{"<3.1", "3.0", D, true},
		{"<3.1", "3.1.dev0", A, false}, // a pre-release of the version itself
		{"<3.1", "3.0.dev0", A, true},
		{"<3.1rc1", "3.1.dev0", A, true},  // unless the specifier names one
		{"<3.1rc1", "3.1.dev0", D, false}, // < never names a pre-release
		{"<3.1", "3.1+local", D, false},
		{"<3.1", "3.0+local", D, true},
		{">3.1", "3.2", D, true},
		{">3.1", "3.1.post0", D, false}, // a post-release of the version itself
		{">3.1", "3.1.1.post0", D, true},
		{">3.1.post0", "3.1.post1", D, true},
		{">3.1", "3.1+local", D, false}, // a local version of the version itself
		{">3.1a1", "3.1.post1", D, false},
		{">3.1", "3.1.0.1", D, true},
		{"<=3.1", "3.1.post0", D, false},
		{">=3.1", "3.1.post0", D, true},
		{"===1.0", "1.0", D, true},
		{"===1.0", "1.0.0", D, false},
		{"===1.0+LOCAL", "1.0+local", D, true},
		{"===foobar", "1.0", D, false},
		{"===1.0a1", "1.0a1", D, true}, // === names a pre-release
		{"===", "1.0", D, false},
		{">=1, <2, !=1.5.*", "1.5.1", D, false},
		{">=1, <2, !=1.5.*", "1.6", D, true},
		{">=0" + strings.Repeat("0", 80) + "1", "2", D, true},
		{"<" + "1" + strings.Repeat("0", 80), "9" + strings.Repeat("9", 79), D, true},
	}
	for _, tt := range tests {
		set, err := ParseSpecifierSet(tt.set)
		if err != nil {
			t.Errorf("ParseSpecifierSet(%q): %v", tt.set, err)
			continue
		}
		if got := set.Contains(MustParse(tt.v), tt.pre); got != tt.want {
			t.Errorf("%q.Contains(%q, %v) = %v, want %v", tt.set, tt.v, tt.pre, got, tt.want)
		}
		if len(set) == 1 {
			if got := set[0].Contains(MustParse(tt.v), tt.pre); got != tt.want {
				t.Errorf("Specifier %q.Contains(%q, %v) = %v, want %v", tt.set, tt.v, tt.pre, got, tt.want)
			}
			lit := Specifier{Op: set[0].Op, Version: set[0].Version}
			if got := lit.Contains(MustParse(tt.v), tt.pre); got != tt.want {
				t.Errorf("literal Specifier %q.Contains(%q, %v) = %v, want %v", tt.set, tt.v, tt.pre, got, tt.want)
			}
		}
	}
}

func TestSpecifierSetString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{" , ,", ""},
		{">=1.0", ">=1.0"},
		{" >= 1.0 ", ">=1.0"},
		{"<2,>=1.0", "<2,>=1.0"},
		{">=1.0, <2", "<2,>=1.0"},                  // sorted as text
		{">=1.0A1, ==1.0.*", "==1.0.*,>=1.0A1"},    // the text is kept as written
		{"==1.0,==1.0.0", "==1.0"},                 // duplicates dropped, first kept
		{"==1.0.0, == 1.0", "==1.0.0"},             //
		{"==1.0a1,==1.0alpha1", "==1.0a1"},         //
		{"==1.0.*,==1.0.0.*", "==1.0.*,==1.0.0.*"}, // wildcards compare as text
		{"~=1.0,~=1.0.0", "~=1.0,~=1.0.0"},         // they differ (packaging 22+)
		{"===1.0,===1.0.0", "===1.0,===1.0.0"},     // they differ
		{"=== foo", "===foo"},
		{"===", "==="},
		{"====", "===="}, // === with the text "="
	}
	for _, tt := range tests {
		set, err := ParseSpecifierSet(tt.in)
		if err != nil {
			t.Errorf("ParseSpecifierSet(%q): %v", tt.in, err)
			continue
		}
		if got := set.String(); got != tt.want {
			t.Errorf("ParseSpecifierSet(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSpecifierSetErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"1.0", `"1.0": no operator (want one of ==, !=, <=, >=, <, >, ~=, ===)`},
		{"=1.0", `"=1.0": no operator (want one of ==, !=, <=, >=, <, >, ~=, ===)`},
		{">=1.0,<", `">=1.0,<": "<": no version after "<"`},
		{"<=", `"<=": no version after "<="`},
		{"< =1.0", `"< =1.0": no release number at "=1.0" (want something like "1.0")`},
		{">=1.0.*", `">=1.0.*": wildcard "1.0.*" only allowed with == and !=`},
		{"~=1.0.*", `"~=1.0.*": wildcard "1.0.*" only allowed with == and !=`},
		{"==1.0.dev1.*", `"==1.0.dev1.*": no dev release allowed before ".*"`},
		{"==1.0+abc.*", `"==1.0+abc.*": no local version label allowed before ".*"`},
		{"==1.*.*", `"==1.*.*": unexpected ".*" after "1"`},
		{"==.*", `"==.*": empty version`},
		{"==1.0 .*", `"==1.0 .*": unexpected " " after "1.0"`},
		{">=1.0+abc", `">=1.0+abc": local version label in "1.0+abc" only allowed with ==, != and ===`},
		{"~=1.0+abc", `"~=1.0+abc": local version label in "1.0+abc" only allowed with ==, != and ===`},
		{"~=1", `"~=1": ~= needs at least two release numbers ("1" has one; try "~=1.0")`},
		{"~=1!1", `"~=1!1": ~= needs at least two release numbers ("1!1" has one; try "~=1!1.0")`},
		{"=== a b", `"=== a b": whitespace in "a b" after "==="`},
		{">=1.0 <2", `">=1.0 <2": unexpected " <2" after "1.0"`},
		{">=1.0;python_version<'3'", `">=1.0;python_version<'3'": unexpected ";python_version<'3'" after "1.0"`},
		{">=1.0, foo", `">=1.0, foo": "foo": no operator (want one of ==, !=, <=, >=, <, >, ~=, ===)`},
	}
	for _, tt := range tests {
		_, err := ParseSpecifierSet(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseSpecifierSet(%q): err = %v, want a *ParseError", tt.in, err)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("ParseSpecifierSet(%q): err = %s\n\twant %s", tt.in, err, tt.msg)
		}
	}
}

func TestSpecifierSetFilter(t *testing.T) {
	vs := func(s string) []Version {
		var out []Version
		for _, f := range strings.Fields(s) {
			out = append(out, MustParse(f))
		}
		return out
	}
	tests := []struct {
		set  string
		in   string
		pre  Prereleases
		want string
	}{
		{"", "1.0 2.0a1 1.5", PrereleasesDefault, "1.0 1.5"},
		{"", "1.0a1 2.0b1", PrereleasesDefault, "1.0a1 2.0b1"}, // only pre-releases: keep them
		{"", "1.0a1 2.0b1", PrereleasesExclude, ""},
		{"", "1.0 2.0a1", PrereleasesAllow, "1.0 2.0a1"},
		{">=1.0", "0.9 2.0 1.0 3.0a1", PrereleasesDefault, "2.0 1.0"},
		{">=1.0", "2.0a1 3.0b1", PrereleasesDefault, ""}, // packaging 21.3: no fallback once a set has specifiers
		{">=1.0", "2.0a1 3.0b1", PrereleasesAllow, "2.0a1 3.0b1"},
		{">=1.0a1", "0.9 2.0a1 1.0", PrereleasesDefault, "2.0a1 1.0"},
		{">=1.0a1", "0.9 2.0a1 1.0", PrereleasesExclude, "1.0"},
	}
	for _, tt := range tests {
		set, err := ParseSpecifierSet(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range set.Filter(vs(tt.in), tt.pre) {
			got = append(got, v.String())
		}
		if want := strings.Fields(tt.want); !slices.Equal(got, want) {
			t.Errorf("%q.Filter(%s, %v) = %q, want %q", tt.set, tt.in, tt.pre, got, want)
		}
	}
}

func TestParseSpecifier(t *testing.T) {
	sp, err := ParseSpecifier(" ~= 1.4.5 ")
	if err != nil || sp.Op != "~=" || sp.Version != "1.4.5" || sp.String() != "~=1.4.5" {
		t.Errorf("ParseSpecifier(\" ~= 1.4.5 \") = %+v, %v", sp, err)
	}
	if _, err := ParseSpecifier(">=1.0,<2"); err == nil {
		t.Errorf("ParseSpecifier(\">=1.0,<2\") accepted two clauses")
	}
	changed := sp
	changed.Version = "2.0"
	if changed.Contains(MustParse("1.4.9"), PrereleasesDefault) || !changed.Contains(MustParse("2.5"), PrereleasesDefault) {
		t.Errorf("~=1.4.5 changed to %q matches like ~=1.4.5", changed)
	}
	bad := Specifier{Op: ">=", Version: "x"}
	if bad.Contains(MustParse("1.0"), PrereleasesAllow) {
		t.Errorf("invalid literal Specifier %q contains 1.0", bad)
	}
	if (SpecifierSet{bad}).Contains(MustParse("1.0"), PrereleasesAllow) {
		t.Errorf("set of invalid literal Specifier %q contains 1.0", bad)
	}
}

func TestNamesPrerelease(t *testing.T) {
	tests := []struct {
		set  string
		want bool
	}{
		{"", false},
		{">=1.0", false},
		{">=1.0a1", true},
		{"<=1.0.dev0", true},
		{"==1.0rc1", true},
		{"==1.0rc1.*", true},
		{"~=1.0b1", true},
		{"===1.0a1", true},
		{"===foo", false},
		{"<2.0rc1", false},
		{">2.0rc1", false},
		{"!=2.0rc1", false},
		{">=1.0,<2.0a1", false},
		{">=1.0,!=1.5,<=2.0a1", true},
	}
	for _, tt := range tests {
		set, err := ParseSpecifierSet(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		if got := set.NamesPrerelease(); got != tt.want {
			t.Errorf("%q.NamesPrerelease() = %v, want %v", tt.set, got, tt.want)
		}
		var lits SpecifierSet
		for _, sp := range set {
			lits = append(lits, Specifier{Op: sp.Op, Version: sp.Version})
		}
		if got := lits.NamesPrerelease(); got != tt.want {
			t.Errorf("literal %q.NamesPrerelease() = %v, want %v", tt.set, got, tt.want)
		}
	}
}
