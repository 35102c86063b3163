package pep440

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range ascending {
		f.Add(strings.TrimPrefix(s, "= "))
	}
	for _, s := range []string{"", " v1.0-1 ", "1.0.", "1!", "1.0+a..b", "1.0poſt1", "1.0a-", "1.0post-.dev_", "1" + strings.Repeat("0", 60)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("Parse(%q): error %T, want *ParseError", s, err)
			}
			return
		}
		w, err := Parse(v.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", s, v, err)
		}
		if w != v || w.Compare(v) != 0 {
			t.Fatalf("Parse(%q) = %q, which parses to %q", s, v, w)
		}
		p, b := v.Public(), v.BaseVersion()
		if p.Local() != "" || v.Compare(p) < 0 || p.comparePublic(v) != 0 {
			t.Fatalf("%q.Public() = %q", v, p)
		}
		if !strings.HasPrefix(v.String(), b.String()) && !strings.HasPrefix(p.String(), b.String()) {
			t.Fatalf("%q.BaseVersion() = %q", v, b)
		}
		if b.IsPrerelease() || b.IsPostrelease() || b.Local() != "" || !b.sameBase(v) {
			t.Fatalf("%q.BaseVersion() = %q", v, b)
		}
		_, _, _ = v.Pre()
		_, _ = v.Post()
		_, _ = v.Dev()
		_, _ = v.Epoch(), v.Release()
	})
}

func FuzzCompare(f *testing.F) {
	f.Add("1.0", "1.0.0")
	f.Add("1.0a1", "1.0.dev0")
	f.Add("1.0+abc", "1.0+1")
	f.Add("1!0", "99")
	f.Fuzz(func(t *testing.T, a, b string) {
		v, err1 := Parse(a)
		w, err2 := Parse(b)
		if err1 != nil || err2 != nil {
			return
		}
		if c, d := v.Compare(w), w.Compare(v); c != -d {
			t.Fatalf("Compare(%q, %q) = %d but Compare(%q, %q) = %d", v, w, c, w, v, d)
		}
		if (v.Compare(w) == 0) != (v.Canonical() == w.Canonical()) {
			t.Fatalf("Compare(%q, %q) = %d, but canonical forms are %q and %q", v, w, v.Compare(w), v.Canonical(), w.Canonical())
		}
		if (v.String() == w.String()) != (v == w) || v == w && v.Compare(w) != 0 {
			t.Fatalf("%q and %q: == and Compare disagree", v, w)
		}
	})
}

func FuzzSpecifierSet(f *testing.F) {
	for _, s := range []string{"", ">=1.0,<2", "==1.2.*", "!=1.2.*,~=1.2.3", "===foo", "==1.0+local", "~=1", ">=1.0.*",
		"==1.0a1.*", " < 1.0.dev0 , >0.post1", "====", ">=1.0;python_version<'3'", "~=1!2.0rc1.post2.dev3"} {
		f.Add(s, "1.2.3")
	}
	f.Add(">=1a1", "1.0a2")
	f.Add("==1.0.0.*", "1")
	f.Fuzz(func(t *testing.T, s, vs string) {
		set, err := ParseSpecifierSet(s)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("ParseSpecifierSet(%q): error %T, want *ParseError", s, err)
			}
			return
		}
		again, err := ParseSpecifierSet(set.String())
		if err != nil {
			t.Fatalf("ParseSpecifierSet(%q) = %q, which does not parse: %v", s, set, err)
		}
		if again.String() != set.String() {
			t.Fatalf("ParseSpecifierSet(%q) = %q, which parses to %q", s, set, again)
		}
		for _, sp := range set {
			if _, err := ParseSpecifier(sp.String()); err != nil {
				t.Fatalf("specifier %q of %q does not parse: %v", sp, s, err)
			}
		}
		v, err := Parse(vs)
		if err != nil {
			return
		}
		for _, pre := range []Prereleases{PrereleasesDefault, PrereleasesAllow, PrereleasesExclude} {
			in := set.Contains(v, pre)
			if in != again.Contains(v, pre) {
				t.Fatalf("%q and its String %q disagree on %q", s, set, v)
			}
			if got := len(set.Filter([]Version{v}, pre)) == 1; got != in && !(len(set) == 0 && pre == PrereleasesDefault) {
				t.Fatalf("%q: Filter and Contains disagree on %q (%v)", s, v, pre)
			}
		}
		if set.Contains(v, PrereleasesExclude) && v.IsPrerelease() {
			t.Fatalf("%q contains pre-release %q with PrereleasesExclude", s, v)
		}
	})
}
