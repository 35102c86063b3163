package pep508

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/safepip/safepip/pypa/pep440"
)

func TestMarkerSetString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"sys_platform == 'linux' or sys_platform != 'linux'", ""},
		{"sys_platform == 'linux' and sys_platform != 'linux'", falseText},
		{"python_full_version >= '3.9' and python_full_version < '3.11'", "python_full_version >= '3.9' and python_full_version < '3.11'"},
		{"python_version >= '3.9' and python_version < '3.11'", "python_version >= '3.9' and python_version < '3.11'"},
		{"python_version >= '3.9' and python_full_version < '3.9'", falseText},
		{"python_version >= '3.9' and python_full_version < '3.9.0a0'", falseText},
		{"python_version >= '3.9' and python_full_version < '3.9.0rc1'", "python_version >= '3.9' and python_full_version < '3.9.0rc1'"},
		{"python_version >= '3.9' and python_full_version <= '3.9.0rc1'", "python_version >= '3.9' and python_full_version < '3.9.0rc2'"},
		{"python_version == '3.10'", "python_version == '3.10'"},
		{"python_full_version == '3.10.*'", "python_version == '3.10'"},
		{"python_version == '3.*'", "python_version == '3.*'"},
		{"python_version < '3.11' or python_version > '3.11'", "python_version != '3.11'"},
		{"python_version <= '3.10' or python_version >= '3.11'", ""},
		// "< 3.11" leaves out 3.11.0rc1, and so does ">= 3.11"
		{"python_full_version < '3.11' or python_full_version >= '3.11'", "python_version < '3.11' or python_full_version >= '3.11'"},
		{"python_full_version < '3.11.0rc1'", "python_full_version < '3.11.0rc1'"},
		{"python_full_version == '3.11.7'", "python_full_version == '3.11.7'"},
		{"python_full_version != '3.11.7'", "python_full_version != '3.11.7'"},
		{"python_full_version == '3.11.7.*'", "python_full_version == '3.11.7.*'"},
		{"python_full_version > '3.11.6'", "python_full_version > '3.11.6'"},
		{"python_full_version >= '3.13.0rc1'", "python_full_version >= '3.13.0rc1'"},
		{"python_full_version ~= '3.10.2'", "python_full_version >= '3.10.2' and python_full_version < '3.11'"},
		{"'3.9' <= python_version", "python_version >= '3.9'"},
		{"'3.9' > python_version", "python_version < '3.9'"},
		{"(sys_platform == 'linux' and os_name == 'posix') or (sys_platform == 'linux' and os_name != 'posix')", "sys_platform == 'linux'"},
		{"sys_platform == 'linux' or python_version >= '3.11'", "sys_platform == 'linux' or python_version >= '3.11'"},
		{"sys_platform == 'darwin' or sys_platform == 'linux'", "sys_platform == 'darwin' or sys_platform == 'linux'"},
		{"(sys_platform == 'darwin' or sys_platform == 'linux') and python_version >= '3.9'", "python_version >= '3.9' and (sys_platform == 'darwin' or sys_platform == 'linux')"},
		{"sys_platform != 'win32' and sys_platform != 'cygwin'", "sys_platform != 'cygwin' and sys_platform != 'win32'"},
		{"'linux' == sys_platform", "sys_platform == 'linux'"},
		{"'x' in platform_version", "'x' in platform_version"},
		{"'x' not in platform_version", "'x' not in platform_version"},
		{"'x' in platform_version or 'x' not in platform_version", ""},
		{"platform_machine in 'x86_64 AMD64'", "platform_machine in 'x86_64 AMD64'"},
		{`platform_version == "it's"`, `platform_version == "it's"`},
		{"extra == 'Foo_Bar'", "extra == 'foo-bar'"},
		{"extra == 'Foo_Bar' and extra != 'foo.bar'", falseText},
		{"platform_release >= '20.0'", "platform_release >= '20.0'"},
		{"platform_release == '5.10'", "platform_release == '5.10'"},
		{"platform_release != '5.10'", "platform_release != '5.10'"},
		{"implementation_name == 'cpython' and implementation_version >= '3.8'", "implementation_version >= '3.8' and implementation_name == 'cpython'"},
		{"python_version >= '3.8' and (python_version < '3.9' or python_version >= '3.9')", "python_version >= '3.8'"},
		{"os.name == 'nt'", "os_name == 'nt'"},
	}
	for _, tt := range tests {
		m, err := ParseMarkerSet(tt.in)
		if err != nil {
			t.Fatalf("ParseMarkerSet(%q): %v", tt.in, err)
		}
		if got := m.String(); got != tt.want {
			t.Errorf("ParseMarkerSet(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		checkRoundTrip(t, m)
		checkRoundTrip(t, m.Not())
	}
}

// checkRoundTrip checks that m's text parses back to m.
func checkRoundTrip(t *testing.T, m MarkerSet) {
	t.Helper()
	s, q := m.str()
	again, err := ParseMarkerSet(s)
	if err != nil {
		t.Fatalf("String() = %q does not parse: %v", s, err)
	}
	if q == sameSet && !again.Equal(m) {
		t.Errorf("String() = %q parses to %q", s, again)
	}
	if again.String() != s {
		t.Errorf("String() = %q is not stable: %q", s, again.String())
	}
	if _, err := ParseMarker(s); s != "" && err != nil {
		t.Errorf("ParseMarker(%q): %v", s, err)
	}
}

func TestMarkerSetFalseText(t *testing.T) {
	// FalseMarker prints as a marker that is false everywhere and parses back.
	f := MustParseMarkerSet(falseText)
	if !f.IsFalse() || FalseMarker().String() != falseText {
		t.Fatalf("FalseMarker() = %q; %q parses to %q", FalseMarker(), falseText, f)
	}
	var zero MarkerSet
	if !zero.IsTrue() || !zero.Equal(TrueMarker()) || zero.String() != "" {
		t.Fatalf("the zero MarkerSet is %q, want TrueMarker", zero)
	}
	var nilMarker *Marker
	if !nilMarker.Set().IsTrue() {
		t.Fatal("(*Marker)(nil).Set() is not TrueMarker")
	}
}

func TestMarkerSetOperators(t *testing.T) {
	p := MustParseMarkerSet
	linux, win := p("sys_platform == 'linux'"), p("sys_platform == 'win32'")
	py39, py311 := p("python_version >= '3.9'"), p("python_version >= '3.11'")
	atom := p("'arm' in platform_machine")
	tests := []struct {
		name      string
		got, want MarkerSet
	}{
		{"linux and win", linux.And(win), FalseMarker()},
		{"linux or not linux", linux.Or(linux.Not()), TrueMarker()},
		{"not not", linux.Not().Not(), linux},
		{"py39 and py311", py39.And(py311), py311},
		{"py39 or py311", py39.Or(py311), py39},
		{"atom and not atom", atom.And(atom.Not()), FalseMarker()},
		{"de morgan", linux.And(py39).Not(), linux.Not().Or(py39.Not())},
		{"absorb", linux.Or(linux.And(py311)), linux},
		{"distribute", linux.And(py39.Or(win)), linux.And(py39)},
		{"true and", TrueMarker().And(atom), atom},
		{"false or", FalseMarker().Or(atom), atom},
	}
	for _, tt := range tests {
		if !tt.got.Equal(tt.want) || tt.got.String() != tt.want.String() {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	relations := []struct {
		a, b              MarkerSet
		disjoint, implies bool
	}{
		{linux, win, true, false},
		{py311, py39, false, true},
		{py39, py311, false, false},
		{linux.And(py311), py39, false, true},
		{atom, linux, false, false},
		{FalseMarker(), linux, true, true},
		{linux, TrueMarker(), false, true},
		{p("python_full_version < '3.11'"), p("python_full_version >= '3.11.0rc1'"), true, false},
		{p("python_full_version < '3.11'"), p("python_version < '3.11'"), false, true},
		{p("python_full_version >= '3.11.0rc1'"), p("python_version >= '3.11'"), false, true},
	}
	for _, r := range relations {
		if got := r.a.Disjoint(r.b); got != r.disjoint {
			t.Errorf("%q.Disjoint(%q) = %v, want %v", r.a, r.b, got, r.disjoint)
		}
		if got := r.a.Implies(r.b); got != r.implies {
			t.Errorf("%q.Implies(%q) = %v, want %v", r.a, r.b, got, r.implies)
		}
	}
}

func TestMarkerSetWithExtras(t *testing.T) {
	tests := []struct {
		marker string
		extras []string
		want   string
	}{
		{"extra == 'test'", []string{"test"}, ""},
		{"extra == 'test'", []string{"Test"}, ""},
		{"extra == 'test'", nil, falseText},
		{"extra == 'test'", []string{"docs"}, falseText},
		{"extra != 'test'", nil, ""},
		{"extra == 'Dev_Tools' and sys_platform == 'linux'", []string{"dev-tools"}, "sys_platform == 'linux'"},
		{"extra == 'a' or extra == 'b' and python_version >= '3.9'", []string{"b"}, "python_version >= '3.9'"},
		{"extra == 'a' or extra == 'b' and python_version >= '3.9'", []string{"a", "b"}, ""},
		{"'te' in extra", []string{"test"}, ""},
		{"'te' in extra", nil, falseText},
		{"extra >= '1'", []string{"test"}, falseText}, // undefined counts as false
		{"sys_platform == 'linux'", []string{"x"}, "sys_platform == 'linux'"},
	}
	for _, tt := range tests {
		got := MustParseMarkerSet(tt.marker).WithExtras(tt.extras)
		if got.String() != tt.want {
			t.Errorf("%q.WithExtras(%q) = %q, want %q", tt.marker, tt.extras, got, tt.want)
		}
		if strings.Contains(got.String(), "extra") {
			t.Errorf("%q.WithExtras(%q) = %q mentions extra", tt.marker, tt.extras, got)
		}
	}
	if got := MustParseMarkerSet("extra == 'x' or os_name == 'nt'").WithoutExtras(); got.String() != "os_name == 'nt'" {
		t.Errorf("WithoutExtras = %q", got)
	}
}

func TestRequiresPythonMarker(t *testing.T) {
	tests := []struct{ spec, want, rng string }{
		{">=3.9", "python_full_version >= '3.9'", ">=3.9.0"},
		{">=3.9,<3.12", "python_full_version >= '3.9' and python_full_version < '3.12'", ">=3.9.0, <3.12.0a0"},
		{"~=3.10", "python_full_version >= '3.10' and python_full_version < '4.0'", ">=3.10.0, <4.0.0a0"},
		{"==3.11.*", "python_version == '3.11'", ">=3.11.0a0, <3.12.0a0"},
		{"!=3.10.*,>=3.8", "python_full_version >= '3.8' and python_version != '3.10'", ">=3.8.0"},
		{"", "", "*"},
		{"<2", "python_version < '2.0'", "<2.0.0a0"},
		{">3.99,<3.5", falseText, "empty"},
	}
	for _, tt := range tests {
		spec, err := pep440.ParseSpecifierSet(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		m := RequiresPythonMarker(spec)
		if m.String() != tt.want {
			t.Errorf("RequiresPythonMarker(%q) = %q, want %q", tt.spec, m, tt.want)
		}
		if got := m.PythonRange().String(); got != tt.rng {
			t.Errorf("RequiresPythonMarker(%q).PythonRange() = %s, want %s", tt.spec, got, tt.rng)
		}
		for _, v := range pyGrid {
			want := spec.Contains(pep440.MustParse(v), pep440.PrereleasesAllow)
			got, err := m.Evaluate(Environment{"python_full_version": v, "python_version": pyMinor(v)})
			if err != nil || got != want {
				t.Errorf("RequiresPythonMarker(%q).Evaluate(%s) = %v, %v; want %v", tt.spec, v, got, err, want)
			}
		}
	}
}

func TestPythonRange(t *testing.T) {
	tests := []struct{ marker, want string }{
		{"sys_platform == 'linux'", "*"},
		{"python_version >= '3.9' and python_version != '3.10' and python_version < '3.13'", ">=3.9.0a0, <3.13.0a0"},
		{"python_full_version >= '3.11.0rc1' or sys_platform == 'win32' and python_version >= '3.8'", ">=3.8.0a0"},
		{"python_full_version < '3.11'", "<3.11.0a0"},
		{"python_full_version <= '3.11'", "<3.11.1a0"},
		{falseText, "empty"},
	}
	for _, tt := range tests {
		r := MustParseMarkerSet(tt.marker).PythonRange()
		if r.String() != tt.want {
			t.Errorf("%q.PythonRange() = %s, want %s", tt.marker, r, tt.want)
		}
	}
	r := MustParseMarkerSet("python_full_version >= '3.9' and python_version < '3.11'").PythonRange()
	for v, want := range map[string]bool{"3.8.18": false, "3.9.0rc1": false, "3.9.0": true, "3.10.13": true, "3.11.0rc1": false} {
		if got := r.Contains(pep440.MustParse(v)); got != want {
			t.Errorf("%s.Contains(%s) = %v, want %v", r, v, got, want)
		}
	}
}

func TestMarkerSetEvaluateErrors(t *testing.T) {
	env := Environment{"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux", "platform_release": "6.1.0-17-amd64"}
	tests := []struct {
		marker string
		want   bool
		err    error
	}{
		{"sys_platform == 'darwin' and platform_release >= '20.0'", false, nil},
		{"sys_platform == 'linux' and platform_release >= '20.0'", false, ErrUndefinedComparison},
		{"os_name == 'posix'", false, ErrUndefinedVariable},
		{"os_name == 'posix' and sys_platform == 'win32'", false, nil},
		{"python_version >= '3.9'", true, nil},
	}
	for _, tt := range tests {
		got, err := MustParseMarkerSet(tt.marker).Evaluate(env)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("%q.Evaluate = %v, %v; want %v, %v", tt.marker, got, err, tt.want, tt.err)
		}
		var ee *EvalError
		if err != nil && !errors.As(err, &ee) {
			t.Errorf("%q.Evaluate error %T is not an *EvalError", tt.marker, err)
		}
	}
	// Without a usable python_full_version, python_version decides when it can.
	m := MustParseMarkerSet("python_version >= '3.9'")
	for _, env := range []Environment{{"python_version": "3.11"}, {"python_version": "3.11", "python_full_version": "3.11.7+"}} {
		if got, err := m.Evaluate(env); !got || err != nil {
			t.Errorf("%q.Evaluate(%v) = %v, %v; want true", m, env, got, err)
		}
	}
	m = MustParseMarkerSet("python_full_version >= '3.11.2'")
	if _, err := m.Evaluate(Environment{"python_version": "3.11"}); !errors.Is(err, ErrUndefinedVariable) {
		t.Errorf("%q.Evaluate without python_full_version: %v, want ErrUndefinedVariable", m, err)
	}
}

// TestMarkerSetPrereleaseInterpreters pins how pre-release interpreters
// fall: python_version is their X.Y, and python_full_version compares as
// packaging (>= 22, prereleases allowed) does.
func TestMarkerSetPrereleaseInterpreters(t *testing.T) {
	tests := []struct {
		marker string
		full   string
		want   bool
	}{
		{"python_version == '3.13'", "3.13.0rc1", true},
		{"python_version >= '3.13'", "3.13.0a1", true},
		{"python_version < '3.13'", "3.13.0rc1", false},
		{"python_full_version >= '3.13'", "3.13.0rc1", false},
		{"python_full_version < '3.13'", "3.13.0rc1", false}, // packaging: < leaves out 3.13's own pre-releases
		{"python_full_version < '3.13.0rc2'", "3.13.0rc1", true},
		{"python_full_version >= '3.13.0b1'", "3.13.0rc1", true},
		{"python_full_version > '3.12'", "3.13.0rc1", true},
		{"python_full_version > '3.13'", "3.13.0rc1", false},
		{"python_full_version == '3.13.*'", "3.13.0rc1", true},
		{"python_full_version ~= '3.12.1'", "3.12.0rc1", false},
		{"python_full_version ~= '3.12.0rc1'", "3.12.0rc2", true},
		{"python_full_version === '3.13.0rc1'", "3.13.0rc1", true},
		{"python_full_version === '3.13.0RC1'", "3.13.0rc1", true},
		{"python_full_version === '3.13.0'", "3.13.0rc1", false},
		{"'3.13' <= python_version", "3.13.0rc1", true},
		{"'3.13.0' > python_full_version", "3.13.0rc1", true},
		{"'3.13.0rc1' < python_full_version", "3.13.0", false}, // "<3.13.0" leaves out 3.13.0rc1
	}
	for _, tt := range tests {
		env := Environment{"python_full_version": tt.full, "python_version": pyMinor(tt.full)}
		set := MustParseMarkerSet(tt.marker)
		for _, s := range []MarkerSet{set, MustParseMarkerSet(set.String())} {
			got, err := s.Evaluate(env)
			if err != nil || got != tt.want {
				t.Errorf("%q (set %q) in %s: %v, %v; want %v", tt.marker, s, tt.full, got, err, tt.want)
			}
		}
		if want, err := mustMarker(t, tt.marker).Evaluate(env); err != nil || want != tt.want {
			t.Errorf("Marker %q in %s: %v, %v; the table is wrong", tt.marker, tt.full, want, err)
		}
	}
}

func TestMarkerSetConcurrent(t *testing.T) {
	// Goroutines build sets at once from one table; each set must print
	// as it does when built alone.
	build := func(seed uint64) []string {
		g := setGen{r: rand.New(rand.NewPCG(seed, 7))}
		var out []string
		for range 40 {
			x, y := MustParseMarkerSet(g.expr()), MustParseMarkerSet(g.expr())
			out = append(out, x.And(y).Or(y.Not()).String(), fmt.Sprint(x.Implies(y), x.Disjoint(y), x.PythonRange()))
		}
		return out
	}
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = build(uint64(i))
		}()
	}
	wg.Wait()
	for i, got := range results {
		if want := build(uint64(i)); !slices.Equal(got, want) {
			t.Errorf("goroutine %d built %q, sequentially %q", i, got, want)
		}
	}
}

// pyGrid holds python_full_version values around every boundary the
// generator's versions make: pre-releases, finals, and the next release.
var pyGrid = []string{
	"2.7.18", "3.0.0", "3.7.17", "3.8.0a1", "3.8.0rc1", "3.8.0", "3.8.10", "3.9.0a0", "3.9.0b2", "3.9.0rc1", "3.9.0", "3.9.1", "3.9.18",
	"3.10.0a1", "3.10.0rc1", "3.10.0", "3.10.1", "3.10.13", "3.11.0a1", "3.11.0rc1", "3.11.0rc2", "3.11.0", "3.11.6", "3.11.7", "3.11.8",
	"3.12.0b1", "3.12.0", "3.12.1", "3.13.0a1", "3.13.0rc1", "3.13.0rc2", "3.13.0", "3.13.1", "3.14.0a1", "4.0.0", "4.0.1",
}

func pyMinor(full string) string {
	p, ok := parsePyver(full)
	if !ok {
		panic(full)
	}
	return p.minorText()
}

// setGen generates markers over the values of pyGrid and a few strings,
// with every operator, reversed operands and nesting.
type setGen struct {
	r     *rand.Rand
	depth int
}

var setVersionValues = []string{
	"2", "3", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "4", "3.9.0", "3.9.1", "3.11.0", "3.11.7", "3.11.0rc1", "3.11.0rc2",
	"3.13.0rc1", "3.13.0a1", "3.10.0b1", "3.11.7.post1", "3.11.dev0", "3.11.0.dev0", "3.12rc1", "3.11.0.0", "3.11.0.1", "3.10+local",
	"3.11.*", "3.*", "3.9.*", "3.11.0.*", "1!3.9", "foo", "",
}

var setStringValues = map[string][]string{
	"os_name":                        {"posix", "nt", "java"},
	"sys_platform":                   {"linux", "win32", "darwin", "emscripten"},
	"platform_machine":               {"x86_64", "aarch64", "AMD64", "arm64"},
	"platform_python_implementation": {"CPython", "PyPy"},
	"implementation_name":            {"cpython", "pypy"},
	"platform_system":                {"Linux", "Windows", "Darwin"},
	"platform_release":               {"6.1.0-17-amd64", "23.1.0", "10", "5.10"},
	"platform_version":               {"#1 SMP", "10.0.19041"},
	"extra":                          {"test", "Dev_Tools", "dev-tools", "docs", ""},
}

var implVersions = []string{"3.11.7", "7.3.12", "7.3.15", "3.13.0rc1", "3.12.0"}

func (g *setGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *setGen) comparison() string {
	ops := []string{"==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"}
	var name, value string
	switch n := g.r.IntN(10); {
	case n < 5:
		name = g.pick([]string{"python_version", "python_full_version", "python_version", "implementation_version"})
		value = g.pick(setVersionValues)
		if name == "implementation_version" && g.r.IntN(2) == 0 {
			value = g.pick(implVersions)
		}
	default:
		names := slices.Sorted(mapKeys(setStringValues))
		name = g.pick(names)
		value = g.pick(setStringValues[name])
		if g.r.IntN(6) > 0 {
			ops = []string{"==", "!=", "==", "!=", "in", "not in"}
		}
		if g.r.IntN(8) == 0 {
			value = g.pick(implVersions)
		}
	}
	op := g.pick(ops)
	if strings.HasSuffix(value, "*") && op != "==" && op != "!=" {
		op = "=="
	}
	if g.r.IntN(6) == 0 {
		return "'" + value + "' " + op + " " + name
	}
	return name + " " + op + " '" + value + "'"
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (g *setGen) expr() string {
	n := 1 + g.r.IntN(3)
	var parts []string
	for range n {
		if g.depth < 2 && g.r.IntN(3) == 0 {
			g.depth++
			parts = append(parts, "("+g.expr()+")")
			g.depth--
		} else {
			parts = append(parts, g.comparison())
		}
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(g.pick([]string{" and ", " or "}))
		}
		b.WriteString(p)
	}
	return b.String()
}

// environment returns an interpreter's environment: python_version agrees
// with python_full_version, and CPython's implementation_version with it.
func (g *setGen) environment() Environment {
	full := g.pick(pyGrid)
	env := Environment{
		"python_full_version": full,
		"python_version":      pyMinor(full),
	}
	for name, vals := range setStringValues {
		switch g.r.IntN(8) {
		case 0:
			env[name] = "other"
		case 1:
			env[name] = g.pick(implVersions)
		default:
			env[name] = g.pick(vals)
		}
	}
	env["implementation_version"] = g.pick(append([]string{full, full}, implVersions...))
	return env
}

func BenchmarkMarkerSetAnd(b *testing.B) {
	sets := benchSets(64)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = sets[i%64].And(sets[(i*7+3)%64])
	}
}

func BenchmarkMarkerSetOr(b *testing.B) {
	sets := benchSets(64)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = sets[i%64].Or(sets[(i*7+3)%64]).Not()
	}
}

func BenchmarkMarkerSetString(b *testing.B) {
	sets := benchSets(64)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = sets[i%64].Or(sets[(i*5+1)%64]).String()
	}
}

func BenchmarkMarkerSetParse(b *testing.B) {
	g := setGen{r: rand.New(rand.NewPCG(5, 5))}
	texts := make([]string, 64)
	for i := range texts {
		texts[i] = g.expr()
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_, _ = ParseMarkerSet(texts[i%64])
	}
}

func benchSets(n int) []MarkerSet {
	g := setGen{r: rand.New(rand.NewPCG(9, 9))}
	out := make([]MarkerSet, n)
	for i := range out {
		out[i] = MustParseMarkerSet(g.expr())
	}
	return out
}

func ExampleMarkerSet() {
	win := MustParseMarkerSet("sys_platform == 'win32'")
	old := MustParseMarkerSet("python_version < '3.11'")
	fmt.Println(win.And(old))
	fmt.Println(win.And(old).Not())
	fmt.Println(win.Or(win.Not()).IsTrue())
	// Output:
	// python_version < '3.11' and sys_platform == 'win32'
	// sys_platform != 'win32' or python_version >= '3.11'
	// true
}

// realMarkers returns the distinct markers of testdata/requires-dist.txt.
func realMarkers(t testing.TB) []string {
	data, err := os.ReadFile("testdata/requires-dist.txt")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if _, m, ok := strings.Cut(line, ";"); ok && !strings.HasPrefix(line, "#") && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// TestMarkerSetRealMarkers checks the markers of real distributions: each
// set prints a text that parses back to it, and answers as the marker in
// a grid of interpreter environments, with and without extras.
func TestMarkerSetRealMarkers(t *testing.T) {
	g := setGen{r: rand.New(rand.NewPCG(3, 4))}
	envs := make([]Environment, 60)
	for i := range envs {
		envs[i] = g.environment()
		envs[i]["sys_platform"] = g.pick([]string{"linux", "win32", "darwin", "cygwin"})
		envs[i]["extra"] = ""
	}
	markers := realMarkers(t)
	if len(markers) < 500 {
		t.Fatalf("only %d distinct markers in testdata/requires-dist.txt", len(markers))
	}
	union := FalseMarker()
	for _, s := range markers {
		m := mustMarker(t, s)
		set := m.Set()
		checkRoundTrip(t, set)
		union = union.Or(set.WithoutExtras())
		for _, env := range envs {
			for _, extras := range [][]string{nil, {"test"}} {
				want, err := m.EvaluateExtras(env, extras)
				if err != nil {
					continue
				}
				if got, err := set.WithExtras(extras).Evaluate(env); err != nil || got != want {
					t.Fatalf("%q.WithExtras(%q) = %q in %v: %v, %v; want %v", s, extras, set.WithExtras(extras), env, got, err, want)
				}
			}
		}
	}
	checkRoundTrip(t, union)
}

// BenchmarkMarkerSetCold builds the sets of real markers in an empty
// table and combines them as a forking resolver does: the cost when
// nothing is memoized yet.
func BenchmarkMarkerSetCold(b *testing.B) {
	markers := realMarkers(b)[:200]
	parsed := make([]*Marker, len(markers))
	for i, s := range markers {
		parsed[i], _ = ParseMarker(s)
	}
	fork := "python_full_version >= '3.9' and python_version < '3.12' and sys_platform == 'linux'"
	b.ResetTimer()
	for b.Loop() {
		tab = newTable()
		f := MustParseMarkerSet(fork)
		for _, m := range parsed {
			s := m.Set().WithExtras([]string{"test"})
			if !s.Disjoint(f) {
				f = f.And(s.Not()).Or(f.And(s))
			}
			_ = s.String()
		}
	}
}

func TestMarkerSetWithin(t *testing.T) {
	scope := MustParseMarkerSet("python_full_version >= '3.9'")
	tests := []struct{ set, scope, want string }{
		{"python_full_version >= '3.9' and python_version < '3.11'", "python_full_version >= '3.9'", "python_version < '3.11'"},
		{"python_full_version >= '3.9' and sys_platform == 'win32'", "python_full_version >= '3.9'", "sys_platform == 'win32'"},
		{"python_version >= '3.8' and sys_platform == 'linux'", "python_full_version >= '3.9'", "sys_platform == 'linux'"},
		{"python_version < '3.9'", "python_full_version >= '3.9'", falseText},
		{"sys_platform == 'linux' or sys_platform == 'darwin'", "sys_platform == 'darwin' or sys_platform == 'linux'", ""},
		{"sys_platform == 'linux' and python_version >= '3.12'", "sys_platform == 'linux' or sys_platform == 'darwin'", "python_version >= '3.12' and sys_platform == 'linux'"},
	}
	for _, tt := range tests {
		a, sc := MustParseMarkerSet(tt.set), MustParseMarkerSet(tt.scope)
		got := a.Within(sc)
		if got.String() != tt.want {
			t.Errorf("%q.Within(%q) = %q, want %q", tt.set, tt.scope, got, tt.want)
		}
		if !got.And(sc).Equal(a.And(sc)) {
			t.Errorf("%q.Within(%q) = %q differs inside the scope", tt.set, tt.scope, got)
		}
	}
	// and on random sets
	g := setGen{r: rand.New(rand.NewPCG(11, 12))}
	for range 300 {
		a, sc := MustParseMarkerSet(g.expr()), MustParseMarkerSet(g.expr()).Or(scope)
		if got := a.Within(sc); !got.And(sc).Equal(a.And(sc)) {
			t.Fatalf("%q.Within(%q) = %q differs inside the scope", a, sc, got)
		}
	}
}

func TestPipRequiresPythonMarker(t *testing.T) {
	tests := []struct{ spec, want string }{
		{">=3.11", "python_version >= '3.11'"},
		{">=3.11.2", "python_full_version > '3.11.1'"},
		{"<3.11", "python_version < '3.11'"},
		{">=3.9,!=3.10.*", "python_version >= '3.9' and python_version != '3.10'"},
		{"==3.12.*", "python_version == '3.12'"},
		{">3.11.0rc1", "python_version >= '3.11'"},
	}
	for _, tt := range tests {
		spec, err := pep440.ParseSpecifierSet(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		m := PipRequiresPythonMarker(spec)
		if m.String() != tt.want {
			t.Errorf("PipRequiresPythonMarker(%q) = %q, want %q", tt.spec, m, tt.want)
		}
		// pip: spec.contains(".".join(sys.version_info[:3]))
		for _, full := range pyGrid {
			p, _ := parsePyver(full)
			release := pyver{rel: p.rel, pre: preFinal}.text()
			want := spec.Contains(pep440.MustParse(release), pep440.PrereleasesAllow)
			got, err := m.Evaluate(Environment{"python_full_version": full, "python_version": pyMinor(full)})
			if err != nil || got != want {
				t.Errorf("PipRequiresPythonMarker(%q) in %s: %v, %v; want %v", tt.spec, full, got, err, want)
			}
		}
	}
}

func BenchmarkMarkerSetEvaluate(b *testing.B) {
	sets := benchSets(64)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_, _ = sets[i%64].Evaluate(linux311)
	}
}
