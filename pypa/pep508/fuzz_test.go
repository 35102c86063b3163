package pep508

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// Seeds beyond testdata/fuzz/FuzzXxx: the table tests' inputs.
var fuzzSeeds = []string{
	`requests[socks]>=2.0; python_version >= "3.8"`,
	`name @ https://h/p ; os_name=="nt" and (extra == 'x' or "3.8" <= python_version)`,
	`name (>=1.0, <2, ===foo) ; sys.platform not in "win32"`,
	`name===a;b ; os_name == "a"`,
	`name @ file:///tmp/x.whl`,
	`((os_name == "a" or os_name == "b")) and os_name == "c"`,
}

// realRequirements returns the lines of testdata/requires-dist.txt.
func realRequirements(f *testing.F) []string {
	data, err := os.ReadFile("testdata/requires-dist.txt")
	if err != nil {
		f.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func FuzzRequirement(f *testing.F) {
	for _, s := range append(fuzzSeeds, realRequirements(f)...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			checkSyntaxError(t, "ParseRequirement", s, err)
			return
		}
		again := roundTrip(t, "ParseRequirement", r, ParseRequirement)
		if NormalizeName(again.Name) != NormalizeName(r.Name) || again.URL != r.URL {
			t.Fatalf("ParseRequirement(%q) and its String() differ: %+v, %+v", s, r, again)
		}
		_, _ = r.Marker.Evaluate(linux311)
		_, _ = r.Marker.EvaluateExtras(linux311, r.Extras)
	})
}

func FuzzMarker(f *testing.F) {
	addMarkerSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMarker(s)
		if err != nil {
			checkSyntaxError(t, "ParseMarker", s, err)
			return
		}
		again := roundTrip(t, "ParseMarker", m, ParseMarker)
		str := m.String()
		got, err1 := m.Evaluate(linux311)
		want, err2 := again.Evaluate(linux311)
		if got != want || (err1 == nil) != (err2 == nil) {
			t.Fatalf("ParseMarker(%q) evaluates to %v, %v but its String() %q to %v, %v", s, got, err1, str, want, err2)
		}
		if err1 != nil {
			var ee *EvalError
			if !errors.As(err1, &ee) {
				t.Fatalf("Marker(%q).Evaluate error %T, want *EvalError", s, err1)
			}
		}
	})
}

// roundTrip checks that v's String parses back to the same String and
// returns what it parsed to.
func roundTrip[T interface{ String() string }](t *testing.T, fn string, v T, parse func(string) (T, error)) T {
	t.Helper()
	str := v.String()
	again, err := parse(str)
	if err != nil {
		t.Fatalf("%s: String() = %q, which does not parse: %v", fn, str, err)
	}
	if again.String() != str {
		t.Fatalf("%s: String() = %q, which prints as %q", fn, str, again.String())
	}
	return again
}

// checkSyntaxError checks that err from parsing s is a *SyntaxError
// pointing into s.
func checkSyntaxError(t *testing.T, fn, s string, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("%s(%q) error %T, want *SyntaxError", fn, s, err)
	}
	if se.Offset < 0 || se.Offset > len(s) || se.Input != maskUserinfo(s) || len(se.Input) != len(s) {
		t.Fatalf("%s(%q) error %q at offset %d, outside the input", fn, s, se.Msg, se.Offset)
	}
}

func BenchmarkParseRequirement(b *testing.B) {
	const s = `requests[security,socks] (>=2.8.1, ==2.8.*) ; python_version < "3.10" and sys_platform != "win32"`
	for b.Loop() {
		if _, err := ParseRequirement(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarkerEvaluate(b *testing.B) {
	m, err := ParseMarker(`python_version >= "3.8" and (sys_platform == "linux" or platform_machine in "x86_64 aarch64") and extra == "test"`)
	if err != nil {
		b.Fatal(err)
	}
	env := with(linux311, "extra", "test")
	for b.Loop() {
		if _, err := m.Evaluate(env); err != nil {
			b.Fatal(err)
		}
	}
}
