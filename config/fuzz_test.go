package config

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse checks that no input makes Parse or New panic, that every error
// is a *config.Error, and that parsing is deterministic: the same document
// gives the same canonical form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{fullConfig, tomlPyPIInternal, "", "[policy]\nallow-sdist = true\n", "[[index]]\nname = \"a\"\nurl = \"${X}\"\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(what string, err error) {
			var ce *Error
			if err != nil && !errors.As(err, &ce) {
				t.Fatalf("%s: error %T is not a *config.Error: %v", what, err, err)
			}
		}
		fa, err := Parse("safepip.toml", data)
		check("Parse", err)
		_, err2 := ParsePyproject("pyproject.toml", data)
		check("ParsePyproject", err2)
		if err != nil {
			return
		}
		fb, _ := Parse("safepip.toml", data)
		getenv := func(string) (string, bool) { return "v", true }
		ca, errA := New(Options{File: fa, Getenv: getenv, Dir: "/w"})
		cb, errB := New(Options{File: fb, Getenv: getenv, Dir: "/w"})
		check("New", errA)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("New is not deterministic: %v vs %v", errA, errB)
		}
		if errA != nil {
			return
		}
		if !bytes.Equal(ca.Canonical(), cb.Canonical()) {
			t.Fatalf("canonical forms differ:\n%s\n%s", ca.Canonical(), cb.Canonical())
		}
		if _, ok := ca.Default(); !ok {
			t.Fatalf("no default index without --no-index")
		}
		for _, x := range ca.Indexes {
			if _, _, err := ca.Pin(x.Name); err != nil {
				check("Pin", err)
			}
		}
	})
}
