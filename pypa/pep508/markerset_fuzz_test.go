package pep508

import (
	"errors"
	"flag"
	"strings"
	"testing"
)

// FuzzMarkerSet checks, for any marker, that building its set never
// panics, that String() parses back to a set with the same String(), that
// the set and its complement split every environment, and that a set
// whose String() is exact evaluates like the marker where that is defined.
// Seeds: testdata/fuzz/FuzzMarkerSet and the markers of the other tests.
func FuzzMarkerSet(f *testing.F) {
	addMarkerSeeds(f)
	fuzzing := flag.Lookup("test.fuzz").Value.String() != ""
	f.Fuzz(func(t *testing.T, s string) {
		if fuzzing {
			// The process-wide table keeps every node; a fuzzing process
			// runs millions of inputs, so each starts from an empty one
			// (nothing else runs while fuzzing).
			tab = newTable()
		}
		m, err := ParseMarker(s)
		if err != nil {
			if _, err2 := ParseMarkerSet(s); err2 == nil && strings.TrimFunc(s, isPySpace) != "" {
				t.Fatalf("ParseMarkerSet(%q) accepts what ParseMarker refuses: %v", s, err)
			}
			return
		}
		set := m.Set()
		text, q := set.str()
		if len(text) <= maxInputBytes {
			again, err := ParseMarkerSet(text)
			if err != nil {
				t.Fatalf("ParseMarkerSet(%q).String() = %q, which does not parse: %v", s, text, err)
			}
			if again.String() != text {
				t.Fatalf("ParseMarkerSet(%q).String() = %q, which prints as %q", s, text, again.String())
			}
			if q == sameSet && !again.Equal(set) {
				t.Fatalf("ParseMarkerSet(%q).String() = %q parses to another set", s, text)
			}
		}
		not := set.Not()
		if !set.And(not).IsFalse() || !set.Or(not).IsTrue() || !set.Disjoint(not) || set.Implies(not) != set.IsFalse() {
			t.Fatalf("ParseMarkerSet(%q) = %q and its complement %q do not split the environments", s, text, not)
		}
		for _, env := range []Environment{linux311, {"python_version": "3.13", "python_full_version": "3.13.0rc1", "sys_platform": "win32", "extra": "x"}} {
			want, err1 := m.Evaluate(env)
			got, err2 := set.Evaluate(env)
			if err2 != nil {
				var ee *EvalError
				if !errors.As(err2, &ee) {
					t.Fatalf("%q.Evaluate error %T, want *EvalError", text, err2)
				}
			}
			if err1 == nil && (err2 != nil || got != want) {
				t.Fatalf("ParseMarker(%q).Evaluate = %v but its set %q: %v, %v", s, want, text, got, err2)
			}
			if n, err3 := not.Evaluate(env); err2 == nil && (err3 != nil || n == got) {
				t.Fatalf("%q and its complement %q both evaluate to %v, %v", text, not, got, err3)
			}
		}
		_ = set.WithExtras([]string{"x", "Test"}).String()
		_ = set.PythonRange().String()
	})
}

// addMarkerSeeds adds the table tests' inputs and the markers of
// testdata/requires-dist.txt to a marker fuzz target.
func addMarkerSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range realRequirements(f) {
		if _, m, ok := strings.Cut(s, ";"); ok {
			f.Add(m)
		}
	}
}
