package pep508

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/safepip/safepip/pypa/pep440"
)

// referenceScript evaluates a batch of markers and requirements with the
// packaging 21.3 vendored in pip. It reads one JSON object on stdin and
// writes one on stdout. A LegacySpecifier counts as invalid, as it does here.
const referenceScript = `
import json, sys, warnings
warnings.simplefilter("ignore")
from pip._vendor import packaging
from pip._vendor.packaging import markers, requirements, specifiers
data = json.load(sys.stdin)
out = {"markers": [], "requirements": [], "packaging": packaging.__version__,
       "python": list(sys.version_info[:3])}
for case in data["markers"]:
    try:
        m = markers.Marker(case["marker"])
    except Exception as e:
        out["markers"].append({"err": type(e).__name__ + ": " + str(e)})
        continue
    res = {"str": str(m), "evals": []}
    for env in case.get("envs") or []:
        try:
            res["evals"].append({"value": m.evaluate(env)})
        except Exception as e:
            res["evals"].append({"err": type(e).__name__ + ": " + str(e)})
    out["markers"].append(res)
for s in data["requirements"]:
    try:
        r = requirements.Requirement(s)
        legacy = [str(x) for x in r.specifier._specs if not isinstance(x, specifiers.Specifier)]
        if legacy:
            out["requirements"].append({"err": "LegacySpecifier: " + ",".join(legacy)})
            continue
        out["requirements"].append({"str": str(r), "name": r.name, "url": r.url or "",
            "extras": sorted(r.extras), "marker": str(r.marker) if r.marker else ""})
    except Exception as e:
        out["requirements"].append({"err": type(e).__name__ + ": " + str(e)})
json.dump(out, sys.stdout)
`

// markerCase is a marker to parse, print and evaluate in each of Envs.
type markerCase struct {
	Marker string        `json:"marker"`
	Envs   []Environment `json:"envs,omitempty"`
}

type markerResult struct {
	Err   string       `json:"err"`
	Str   string       `json:"str"`
	Evals []evalResult `json:"evals"`
}

type evalResult struct {
	Value *bool  `json:"value"`
	Err   string `json:"err"`
}

type requirementResult struct {
	Err    string   `json:"err"`
	Str    string   `json:"str"`
	Name   string   `json:"name"`
	URL    string   `json:"url"`
	Extras []string `json:"extras"`
	Marker string   `json:"marker"`
}

// runReference runs python3 once over all cases; it skips the test when
// python3 or pip's packaging is missing.
func runReference(t *testing.T, markers []markerCase, reqs []string) ([]markerResult, []requirementResult) {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found; the differential test needs pip's vendored packaging")
	}
	if err := exec.Command(python, "-c", "import pip._vendor.packaging.markers").Run(); err != nil {
		t.Fatalf("pip._vendor.packaging not importable: %v", err)
	}
	if markers == nil {
		markers = []markerCase{}
	}
	if reqs == nil {
		reqs = []string{}
	}
	in, err := json.Marshal(map[string]any{"markers": markers, "requirements": reqs})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", referenceScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 reference: %v\n%s", err, stderr.String())
	}
	var res struct {
		Markers      []markerResult      `json:"markers"`
		Requirements []requirementResult `json:"requirements"`
		Packaging    string              `json:"packaging"`
		Python       []int               `json:"python"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("python3 reference output: %v", err)
	}
	if res.Packaging != "21.3" {
		t.Fatalf("pip vendors packaging %s; the expectations here are those of 21.3 (pip 22 to 23): update them for the new oracle", res.Packaging)
	}
	if len(res.Python) != 3 || res.Python[0] != 3 || res.Python[1] < 11 || res.Python[1] == 11 && res.Python[2] < 4 {
		// urllib.parse checks bracketed hosts since 3.11.4
		t.Fatalf("python3 is %v; the URL expectations here are those of Python >= 3.11.4: update them for this Python", res.Python)
	}
	t.Logf("python3 reference: %v user, %v system", cmd.ProcessState.UserTime(), cmd.ProcessState.SystemTime())
	if len(res.Markers) != len(markers) || len(res.Requirements) != len(reqs) {
		t.Fatalf("python3 reference answered %d/%d markers and %d/%d requirements",
			len(res.Markers), len(markers), len(res.Requirements), len(reqs))
	}
	return res.Markers, res.Requirements
}

// Values the generators draw from, per variable.
var markerValues = map[string][]string{
	"python_version":                 {"2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3", "3.8.*", "3.1", "4"},
	"python_full_version":            {"2.7.18", "3.8.10", "3.9.0", "3.10.12", "3.11.7", "3.12.1", "3.13.0", "3.13.0rc1", "3.8"},
	"os_name":                        {"posix", "nt", "java"},
	"sys_platform":                   {"linux", "win32", "darwin", "cygwin", "linux2"},
	"platform_release":               {"5.15.0-76-generic", "6.1.0", "10", "22.1.0", "4.19.0-25-amd64"},
	"platform_system":                {"Linux", "Windows", "Darwin", "Java"},
	"platform_version":               {"#1 SMP PREEMPT_DYNAMIC", "10.0.19041", "Darwin Kernel Version 22.1.0"},
	"platform_machine":               {"x86_64", "aarch64", "AMD64", "arm64", "i686", "ppc64le", "s390x"},
	"platform_python_implementation": {"CPython", "PyPy", "Jython", "IronPython"},
	"implementation_name":            {"cpython", "pypy", "jython"},
	"implementation_version":         {"3.11.7", "7.3.12", "3.8.10", "3.12.0b2"},
	"extra":                          {"", "test", "dev", "docs", "socks"},
}

// oddValues are compared against any variable.
// versionLike are the variables whose values are versions.
var versionLike = map[string]bool{"python_version": true, "python_full_version": true, "implementation_version": true}

var oddValues = []string{"", "foo", "3.8,<4", "1.0.post1", "v3.8", " 3.8 ", "3.8.0", "3.10.*", "1!2.0", "1.0+local", "a b", "x86", "64", "lin", "3.8a1", "3.8.dev0", "3..8"}

var markerVariableNames = []string{
	"python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
	"platform_system", "platform_version", "platform_machine", "platform_python_implementation",
	"implementation_name", "implementation_version", "extra",
}

var deprecatedNames = map[string]string{
	"os_name":                        "os.name",
	"sys_platform":                   "sys.platform",
	"platform_version":               "platform.version",
	"platform_machine":               "platform.machine",
	"platform_python_implementation": "platform.python_implementation",
}

type markerGen struct {
	r     *rand.Rand
	depth int
}

func (g *markerGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// space returns whitespace between tokens; tabs and newlines are whitespace
// to packaging 21.3 too (tabs become spaces, which changes nothing here).
func (g *markerGen) space(required bool) string {
	switch g.r.IntN(10) {
	case 0:
		return "  "
	case 1:
		return "\t"
	case 2:
		return "\n "
	case 3, 4:
		if !required {
			return ""
		}
	}
	return " "
}

func (g *markerGen) variable() (shown, canonical string) {
	v := g.pick(markerVariableNames)
	if alias, ok := deprecatedNames[v]; ok && g.r.IntN(4) == 0 {
		return alias, v
	}
	if v == "platform_python_implementation" && g.r.IntN(8) == 0 {
		return "python_implementation", v
	}
	return v, v
}

func (g *markerGen) quoted(v string) string {
	if g.r.IntN(2) == 0 {
		return "'" + v + "'"
	}
	return `"` + v + `"`
}

func (g *markerGen) comparison() string {
	shown, canon := g.variable()
	var value string
	switch n := g.r.IntN(10); {
	case n < 6:
		value = g.pick(markerValues[canon])
	case n < 8:
		value = g.pick(markerValues[g.pick(markerVariableNames)])
	default:
		value = g.pick(oddValues)
	}
	ops := []string{"==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in", "==", ">=", "<", "!="}
	op := g.pick(ops)
	if !versionLike[canon] && strings.ContainsAny(op, "<>~") && g.r.IntN(4) > 0 {
		// ordering strings is an error here and code-point order in 21.3:
		// keep some, but spend most cases on comparisons both define
		op = g.pick([]string{"==", "!=", "in", "not in"})
	}
	lhs, rhs := shown, g.quoted(value)
	switch n := g.r.IntN(40); {
	case n < 8:
		lhs, rhs = rhs, lhs
	case n == 8:
		other, _ := g.variable()
		rhs = other
	case n == 9:
		lhs = g.quoted(g.pick(oddValues))
	}
	// "in" and the others need no space around them, but a variable
	// must not run into a following "in" ("extrain" is not a variable).
	return lhs + g.space(op == "in" || op == "not in") + op + g.space(false) + rhs
}

func (g *markerGen) expr() string {
	n := 1 + g.r.IntN(3)
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(g.space(false))
			b.WriteString(g.pick([]string{"and", "or"}))
			b.WriteString(g.space(false))
		}
		b.WriteString(g.term())
	}
	return b.String()
}

func (g *markerGen) term() string {
	if g.depth < 3 && g.r.IntN(4) == 0 {
		g.depth++
		defer func() { g.depth-- }()
		inner := g.expr()
		if g.r.IntN(6) == 0 {
			return "((" + inner + "))"
		}
		return "(" + g.space(false) + inner + g.space(false) + ")"
	}
	return g.comparison()
}

func (g *markerGen) environment() map[string]string {
	py := g.pick([]string{"2.7", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"})
	full := py + "." + g.pick([]string{"0", "1", "10", "18"})
	if g.r.IntN(8) == 0 {
		full += g.pick([]string{"rc1", "b2", "a1"})
	}
	plat := g.pick([]string{"linux", "win32", "darwin"})
	env := map[string]string{
		"python_version":      py,
		"python_full_version": full,
		"sys_platform":        plat,
		"os_name":             map[string]string{"linux": "posix", "darwin": "posix", "win32": "nt"}[plat],
		"platform_system":     map[string]string{"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[plat],
		"platform_release":    g.pick(markerValues["platform_release"]),
		"platform_version":    g.pick(markerValues["platform_version"]),
		"platform_machine":    g.pick(markerValues["platform_machine"]),
		"extra":               g.pick(append([]string{"Dev_Tools"}, markerValues["extra"]...)),
	}
	if g.r.IntN(3) == 0 {
		env["implementation_name"] = "pypy"
		env["platform_python_implementation"] = "PyPy"
		env["implementation_version"] = g.pick([]string{"7.3.12", "7.3.15"})
	} else {
		env["implementation_name"] = "cpython"
		env["platform_python_implementation"] = "CPython"
		env["implementation_version"] = full
	}
	return env
}

// mutate damages s a little, for parse agreement on invalid input.
func mutate(r *rand.Rand, s string) string {
	const alphabet = ` ()[],;@=<>!~"'.-_xaon` + "\t"
	b := []byte(s)
	for n := 1 + r.IntN(3); n > 0 && len(b) > 0; n-- {
		i := r.IntN(len(b))
		switch r.IntN(3) {
		case 0:
			b = append(b[:i], b[i+1:]...)
		case 1:
			b[i] = alphabet[r.IntN(len(alphabet))]
		default:
			b = append(b[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
		}
	}
	return string(b)
}

// textDeviation names a documented difference from packaging 21.3 that the
// input text triggers, or returns "".
var notInSpacing = regexp.MustCompile(`not(\t| {2,}|[ \t]{2,})in`)

func textDeviation(s string) string {
	switch {
	case strings.Contains(s, `\`):
		return "21.3 turns \\t, \\n, \\f, \\r in values into control characters"
	case notInSpacing.MatchString(s):
		return `21.3 needs exactly one space in "not in"`
	case quotedTab(s):
		return "21.3 expands tabs inside quoted values"
	}
	return ""
}

// quotedTab reports whether a tab may sit inside a quoted value.
func quotedTab(s string) bool {
	var q byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case q == 0 && (c == '\'' || c == '"'):
			q = c
		case q != 0 && c == q:
			q = 0
		case q != 0 && c == '\t':
			return true
		}
	}
	return false
}

// stringDeviation names a documented difference in String for m, or "".
func stringDeviation(m *Marker) string {
	var walk func(e *expr, top bool) string
	walk = func(e *expr, top bool) string {
		for _, t := range e.terms {
			if t.cmp != nil {
				if strings.Contains(t.cmp.lhs.text, `"`) || strings.Contains(t.cmp.rhs.text, `"`) {
					return `a value holding " is printed in single quotes`
				}
				continue
			}
			g := t.group
			if !top || len(e.terms) > 1 {
				if len(g.terms) == 1 && g.terms[0].group != nil && innermost(g).terms != nil && len(innermost(g).terms) > 1 {
					return "21.3 drops the parentheses of ((a or b))"
				}
			}
			if d := walk(g, top && len(e.terms) == 1); d != "" {
				return d
			}
		}
		return ""
	}
	return walk(m.root, true)
}

func innermost(e *expr) *expr {
	for len(e.terms) == 1 && e.terms[0].group != nil {
		e = e.terms[0].group
	}
	return e
}

// deviation sorts the comparisons of a marker in an environment by how
// their outcome here may differ from packaging 21.3's.
type deviation struct {
	value string // a comparison whose value differs by design
	undef string // a comparison undefined here where 21.3 gives a value
	both  bool   // a comparison undefined in both (21.3 raises for it)
}

// evalDeviation walks every comparison of m: packaging 21.3 evaluates them all.
func evalDeviation(m *Marker, env Environment) deviation {
	var d deviation
	var walk func(e *expr)
	walk = func(e *expr) {
		for _, t := range e.terms {
			if t.group != nil {
				walk(t.group)
				continue
			}
			kind, reason := comparisonDeviation(t.cmp, env)
			switch {
			case kind == "value" && d.value == "":
				d.value = reason
			case kind == "undef" && d.undef == "":
				d.undef = reason
			case kind == "both":
				d.both = true
			}
		}
	}
	walk(m.root)
	return d
}

// comparisonDeviation says whether c's value in env differs from 21.3's
// ("value"), is undefined here only ("undef") or in both ("both").
func comparisonDeviation(c *comparison, env Environment) (kind, reason string) {
	if c.lhs.isVar == c.rhs.isVar {
		return "undef", "comparing two variables or two strings is undefined"
	}
	name, lhs, rhs := c.lhs.text, env[c.lhs.text], c.rhs.text
	if !c.lhs.isVar {
		name, lhs, rhs = c.rhs.text, c.lhs.text, env[c.rhs.text]
	}
	if name == "extra" {
		raw, rawErr := c.compare(lhs, rhs)
		norm, normErr := c.compare(NormalizeExtra(lhs), NormalizeExtra(rhs))
		if raw != norm || (rawErr == nil) != (normErr == nil) {
			return "value", "PEP 685 extra normalization"
		}
	}
	const prerelease = "pre-releases match (21.3: only if the specifier names one)"
	switch c.op {
	case "in", "not in":
		return "", ""
	case "===":
		if containsPySpace(trimPySpace(rhs)) {
			return "both", ""
		}
		if v, err := pep440.Parse(lhs); err == nil && v.IsPrerelease() {
			return "value", prerelease
		}
		return "", ""
	}
	if _, ok := singleSpecifier(c.op, rhs); ok {
		v, err := pep440.Parse(lhs)
		switch {
		case err == nil && v.IsPrerelease():
			return "value", prerelease
		case err == nil:
			return "", ""
		case c.op == "==" && lhs == rhs || c.op == "!=" && lhs != rhs:
			return "value", "==, != compare a non-version with a version as strings (21.3: false)"
		case c.op == "==" || c.op == "!=":
			return "", ""
		}
		return "undef", "ordering a non-version is undefined (21.3: false)"
	}
	switch c.op {
	case "<", "<=", ">", ">=":
		return "undef", "ordering non-versions is undefined (21.3 compares code points)"
	case "~=":
		return "both", ""
	}
	return "", ""
}

// TestDifferentialMarkers compares parsing, String and evaluation of
// generated markers in generated environments with packaging 21.3.
func TestDifferentialMarkers(t *testing.T) {
	t.Parallel()
	g := &markerGen{r: rand.New(rand.NewPCG(508, 1))}
	var cases []markerCase
	for i := 0; i < 5000; i++ {
		s := g.expr()
		if i%5 == 4 {
			s = mutate(g.r, s)
		}
		cases = append(cases, markerCase{Marker: s, Envs: []Environment{g.environment()}})
	}
	for _, s := range edgeMarkers {
		cases = append(cases, markerCase{Marker: s, Envs: []Environment{linux311}})
	}
	want, _ := runReference(t, cases, nil)

	var parsed, printed, evaluated int
	excluded := map[string]int{}
	for i, c := range cases {
		w := want[i]
		if d := textDeviation(c.Marker); d != "" {
			excluded[d]++
			continue
		}
		m, err := ParseMarker(c.Marker)
		if (err != nil) != (w.Err != "") {
			t.Errorf("ParseMarker(%q): error %v, packaging 21.3: %q", c.Marker, err, w.Err)
			continue
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("ParseMarker(%q): error %T, want *SyntaxError", c.Marker, err)
			}
			parsed++
			continue
		}
		parsed++
		if d := stringDeviation(m); d != "" {
			excluded[d]++
		} else if got := m.String(); got != w.Str {
			t.Errorf("ParseMarker(%q).String() = %q, packaging 21.3: %q", c.Marker, got, w.Str)
		} else {
			printed++
		}
		if len(w.Evals) != len(c.Envs) {
			t.Fatalf("python3 reference evaluated %q in %d of %d environments", c.Marker, len(w.Evals), len(c.Envs))
		}
		for j, env := range c.Envs {
			if compareEvaluation(t, m, env, w.Evals[j], excluded) {
				evaluated++
			}
		}
	}
	report(t, fmt.Sprintf("markers: %d parses, %d strings and %d evaluations agree with packaging 21.3", parsed, printed, evaluated), excluded)
	if evaluated < 2000 {
		t.Errorf("only %d evaluations compared, want >= 2000", evaluated)
	}
}

// compareEvaluation compares m.Evaluate(env) with packaging 21.3's answer
// w, unless a documented difference applies (then it counts it in
// excluded). It reports whether it compared.
func compareEvaluation(t *testing.T, m *Marker, env Environment, w evalResult, excluded map[string]int) bool {
	t.Helper()
	d := evalDeviation(m, env)
	if d.value != "" {
		excluded[d.value]++
		return false
	}
	got, err := m.Evaluate(env)
	switch {
	case err != nil && d.undef != "":
		excluded[d.undef]++
		return false
	case err == nil && w.Err != "" && (d.undef != "" || d.both):
		// the result does not depend on the undefined comparison
		excluded["an undefined comparison the result does not depend on is no error (21.3 raises)"]++
		return false
	case (err != nil) != (w.Err != ""):
		t.Errorf("Marker(%q).Evaluate(%v): %v, %v; packaging 21.3: %v, %q", m, env, got, err, w.Value, w.Err)
	case err == nil && (w.Value == nil || got != *w.Value):
		t.Errorf("Marker(%q).Evaluate(%v) = %v; packaging 21.3: %v", m, env, got, w.Value)
	}
	return true
}

func report(t *testing.T, summary string, excluded map[string]int) {
	t.Helper()
	var reasons []string
	for r, n := range excluded {
		reasons = append(reasons, fmt.Sprintf("%d: %s", n, r))
	}
	sort.Strings(reasons)
	if len(reasons) == 0 {
		reasons = []string{"none"}
	}
	t.Logf("%s; excluded by documented difference: %s", summary, strings.Join(reasons, "; "))
	if testing.Verbose() {
		fmt.Printf("    %s\n", summary)
	}
}

type requirementGen struct {
	*markerGen
}

func (g requirementGen) requirement() string {
	var b strings.Builder
	b.WriteString(g.pick([]string{"", "", " ", "\t"}))
	b.WriteString(g.pick([]string{"requests", "a", "A.B-c_d", "zope.interface", "Django", "name1", "1name",
		"a-", "-a", "a..b", "foo.", "a_b.c-d", "x", "_x", "caf\u00e9"}))
	if g.r.IntN(3) == 0 {
		b.WriteString(g.space(false))
		b.WriteString(g.pick([]string{"[]", "[socks]", "[b,a]", "[ a , b ]", "[a,a]", "[a,]", "[a b]", "[Dev_Tools]",
			"[a", "[,a]", "[a.b-c]"}))
	}
	url := false
	switch n := g.r.IntN(10); {
	case n < 5:
		b.WriteString(g.space(false))
		b.WriteString(g.specifier())
	case n < 7:
		url = true
		b.WriteString(g.space(false))
		b.WriteString("@")
		b.WriteString(g.space(false))
		b.WriteString(g.pick([]string{"https://example.com/p-1.0.tar.gz", "file:///tmp/x.whl", "file:/x", "file://host/x.whl",
			"git+https://github.com/a/b.git@v1#egg=b", "http://x", "./local", "http://[::1]/x", "http://[1.2.3.4]/x",
			"http://[x/y", "https://", "FILE:///x", "file:///x?", "file:///x#frag", "https://u:p@h:8080/p?q=1#f",
			"http://x;python_version>'3'", "file:x", "ssh://git@github.com/a/b"}))
	}
	if g.r.IntN(2) == 0 {
		sp := g.space(false)
		if url && g.r.IntN(4) > 0 {
			sp = g.space(true)
		}
		b.WriteString(sp)
		b.WriteString(";")
		b.WriteString(g.space(false))
		if g.r.IntN(10) > 0 {
			b.WriteString(g.expr())
		}
	}
	b.WriteString(g.pick([]string{"", "", " ", "\n"}))
	return b.String()
}

func (g requirementGen) specifier() string {
	clauses := []string{">=1.0", "<2", "==1.*", "~=1.4.2", "~=1", "===foo", ">= 1.0", "!=1.5", ">=foo",
		"==1.0+local", ">=1.0+local", "==", "<=2.0.dev1", ">1!2", "== 3.8.*", "~=2.2.post3", ">=1.0a1", "===1.0", "<3.0.0"}
	n := 1 + g.r.IntN(3)
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, g.pick(clauses))
	}
	s := strings.Join(parts, g.pick([]string{",", ", ", " ,", " , "}))
	if g.r.IntN(3) == 0 {
		s = "(" + g.space(false) + s + g.space(false) + ")"
	}
	return s
}

// TestDifferentialRequirements compares parsing and String of generated
// requirements with packaging 21.3.
func TestDifferentialRequirements(t *testing.T) {
	t.Parallel()
	g := requirementGen{&markerGen{r: rand.New(rand.NewPCG(508, 2))}}
	var inputs []string
	for i := 0; i < 4000; i++ {
		s := g.requirement()
		if i%4 == 3 {
			s = mutate(g.r, s)
		}
		inputs = append(inputs, s)
	}
	inputs = append(inputs, edgeRequirements...)
	_, want := runReference(t, nil, inputs)
	var ok, bad int
	excluded := map[string]int{}
	for i, s := range inputs {
		switch compareRequirement(t, s, want[i], excluded) {
		case "valid":
			ok++
		case "invalid":
			bad++
		}
	}
	report(t, fmt.Sprintf("requirements: %d valid and %d invalid agree with packaging 21.3", ok, bad), excluded)
	if ok < 1000 || bad < 1000 {
		t.Errorf("compared %d valid and %d invalid requirements, want >= 1000 of each", ok, bad)
	}
}

// compareRequirement compares ParseRequirement(s) with packaging 21.3's
// answer w and returns "valid" or "invalid" when they agree, "" when a
// documented difference applies (counted in excluded) or they disagree.
func compareRequirement(t *testing.T, s string, w requirementResult, excluded map[string]int) string {
	t.Helper()
	if d := textDeviation(s); d != "" {
		excluded[d]++
		return ""
	}
	r, err := ParseRequirement(s)
	var se *SyntaxError
	if err != nil && errors.As(err, &se) && strings.Contains(se.Msg, "control character") {
		excluded["URLs with control characters are refused"]++
		return ""
	}
	if (err != nil) != (w.Err != "") {
		t.Errorf("ParseRequirement(%q): error %v; packaging 21.3: %q (%q)", s, err, w.Err, w.Str)
		return ""
	}
	if err != nil {
		if !errors.As(err, &se) {
			t.Errorf("ParseRequirement(%q): error %T, want *SyntaxError", s, err)
		}
		return "invalid"
	}
	if r.Marker != nil {
		if d := stringDeviation(r.Marker); d != "" {
			excluded[d]++
			return ""
		}
	}
	str := r.String()
	if hasArbitrary(r.Specifier) && r.Marker != nil && r.URL == "" {
		// documented: " ; " after a "===" clause so that String parses back
		excluded[`" ; " after "===": 21.3's "name===x; m" does not parse back`]++
		str = strings.Replace(str, " ; ", "; ", 1)
	}
	extras := append([]string(nil), r.Extras...)
	sort.Strings(extras)
	extras = compactStrings(extras)
	if w.Extras == nil {
		w.Extras = []string{}
	}
	got := fmt.Sprintf("%q %q %q %q %q", str, r.Name, r.URL, extras, r.Marker.String())
	exp := fmt.Sprintf("%q %q %q %q %q", w.Str, w.Name, w.URL, w.Extras, w.Marker)
	if got != exp {
		t.Errorf("ParseRequirement(%q):\n got %s\nwant %s (packaging 21.3)", s, got, exp)
		return ""
	}
	return "valid"
}

// TestDifferentialRealRequirements compares the Requires-Dist values of a
// real corpus with packaging 21.3: parsing, String, and each marker in a
// few real environments with extra "" and with each extra it names.
func TestDifferentialRealRequirements(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/requires-dist.txt")
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			inputs = append(inputs, line)
		}
	}
	envs := []Environment{
		linux311,
		with(linux311, "sys_platform", "win32", "os_name", "nt", "platform_system", "Windows",
			"platform_release", "10", "platform_machine", "AMD64", "python_version", "3.8", "python_full_version", "3.8.10"),
		with(linux311, "sys_platform", "darwin", "platform_system", "Darwin", "platform_release", "22.1.0",
			"platform_machine", "arm64", "python_version", "3.13", "python_full_version", "3.13.0"),
		with(linux311, "implementation_name", "pypy", "platform_python_implementation", "PyPy",
			"implementation_version", "7.3.12", "python_version", "3.9", "python_full_version", "3.9.16"),
	}
	var markers []markerCase
	seen := map[string]bool{}
	for _, s := range inputs {
		r, err := ParseRequirement(s)
		if err != nil || r.Marker == nil || seen[r.Marker.String()] {
			continue
		}
		seen[r.Marker.String()] = true
		c := markerCase{Marker: r.Marker.String()}
		for _, x := range append([]string{""}, markerExtras(r.Marker)...) {
			for _, env := range envs {
				c.Envs = append(c.Envs, with(env, "extra", x))
			}
		}
		markers = append(markers, c)
	}
	wantMarkers, wantReqs := runReference(t, markers, inputs)

	var ok, bad, evaluated int
	excluded := map[string]int{}
	for i, s := range inputs {
		switch compareRequirement(t, s, wantReqs[i], excluded) {
		case "valid":
			ok++
		case "invalid":
			bad++
		}
	}
	for i, c := range markers {
		m, err := ParseMarker(c.Marker)
		if err != nil || wantMarkers[i].Err != "" || len(wantMarkers[i].Evals) != len(c.Envs) {
			t.Errorf("ParseMarker(%q): %v; packaging 21.3: %+v", c.Marker, err, wantMarkers[i])
			continue
		}
		for j, env := range c.Envs {
			if compareEvaluation(t, m, env, wantMarkers[i].Evals[j], excluded) {
				evaluated++
			}
		}
	}
	report(t, fmt.Sprintf("real requirements: %d valid, %d invalid and %d marker evaluations agree with packaging 21.3", ok, bad, evaluated), excluded)
	if ok < 4000 || evaluated < 4000 {
		t.Errorf("compared %d real requirements and %d evaluations, want >= 4000 of each", ok, evaluated)
	}
}

// markerExtras returns the extra names m compares "extra" with, as written.
func markerExtras(m *Marker) []string {
	var out []string
	var walk func(e *expr)
	walk = func(e *expr) {
		for _, t := range e.terms {
			switch {
			case t.group != nil:
				walk(t.group)
			case t.cmp.lhs.isVar && t.cmp.lhs.text == "extra" && !t.cmp.rhs.isVar:
				out = append(out, t.cmp.rhs.text)
			case t.cmp.rhs.isVar && t.cmp.rhs.text == "extra" && !t.cmp.lhs.isVar:
				out = append(out, t.cmp.lhs.text)
			}
		}
	}
	walk(m.root)
	return out
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	if out == nil {
		return []string{}
	}
	return out
}

// edgeRequirements are hand-picked corners of packaging 21.3's grammar.
var edgeRequirements = []string{
	"name>=\v1.0", "name>=1.0\v", "name\v>=1.0", "name>=\u00a01.0", "name>=1.0\u2003,<2", "name>=\x1c1.0",
	"name===\u00a0x", "name=== x", "name===", "name ===a;b", "name===a)", "name (===a)", "name===a,b",
	"name<=1.0)", "name(<=1.0))", "name>1.0;", "name==1.0.*", "name==1.0.*+local", "name!=1.*", ">=1.0",
	"name~=1.0.*", "name~=1", "name~=1.0", "name~= 1.0", "name ~=v1.0rc1", "name~=1.0a", "name~=1.0abc",
	"name==1.0abc", "name>=1.0a", "name<1.0-1", "name<1.0-", "name>=1!2.0", "name==V1.0", "name>=1.0,,<2",
	"name>=1.0 ,, <2", "name,", "name[a]]", "name[[a]", "name [a] [b]", "name[a-b.c_d]", "name[a-]", "name[-a]",
	"name[a,b,]", "name[ ]", "name@http://x", "name@ http://x", "name @http://x ;os_name=='a'",
	"name @ http://x;", "name @ http://x ;", "name @ http://x ; ", "name @ http://x\t", "name @ 'http://x'",
	"name @ http://x@y", "name @ http://x#y z", "name @ http://[::1]", "name @ http://[::1%eth0]/x",
	"name @ http://[v1.a]/x", "name @ http://[vz.a]/x", "name @ http://[1::2::3]/x", "name @ http://a]b[c/x",
	"name @ http://a[b]c/x", "name @ https:x", "name @ https:/x", "name @ ://x", "name @ 1http://x",
	"name @ h+t.t-p://x", "name @ file://", "name @ file:///", "name @ file:", "name @ file:///x;y",
	"name @ file:///x?y", "name @ file:///x#", "name @ file:///x#y", "name @ file://h", "name @ file:////x",
	"name @ File:///x", "name @ file:///x/../y", "name @ git+ssh://git@github.com/a/b.git",
	"name; os_name=='a'and", "name; (os_name=='a')and(os_name=='b')", "name;os_name=='a';",
	"name ; extra == 'a' ; extra == 'b'", "name; os_name == 'a' # comment",
	"name >= 1.0 ; python_version >= '3'", "name>=1.0 ;python_version>='3'", "name>=1.0;python_version>='3'",
	"name>=1.0;;", "name (>=1.0);os_name=='a'", "name (>=1.0)x", "name[a](>=1)", "name[a]>=1@x",
	"name@", "@ http://x", "name @ http://x @ y", "name>=1.0 @ http://x",
}

// edgeMarkers are hand-picked corners of packaging 21.3's marker grammar.
var edgeMarkers = []string{
	"os_name=='posix'", "os_name==\"posix\"", "os_name == 'posix'or os_name=='nt'",
	"os_name in 'posixnt'", "'posix'in os_name", "os_name not in'nt'", "os_namein 'x'", "os_name in'x'",
	"os_name ==''", "'' in os_name", "python_version >= '3.8' and python_version < '4'",
	"python_version > '3.9'", "python_version > '3.10'", "python_version ~= '3.1'", "python_version == '3'",
	"python_version == '3.*'", "python_version != '3.11.*'", "python_version == '3.11.0'", "python_version === '3.11'",
	"python_version === '3.11.0'", "python_version === 'foo'", "python_version <= '3.11+local'",
	"python_version == '3.11+local'", "python_full_version == '3.11.7+local'", "python_version >= 'v3.8'",
	"python_version >= '3.8 '", "python_version >= ' 3.8'", "python_version >= '3 .8'", "python_version < ''",
	"python_version == ''", "python_version != ''", "python_version in ''", "python_version >= '3.8,<4'",
	"python_version == '3.11,'", "implementation_version >= '3.11.7'", "platform_release == '5.15.0-76-generic'",
	"platform_machine == 'x86_64' or platform_machine == 'AMD64'", "platform_machine in 'x86_64 aarch64'",
	"sys_platform.startswith('linux')", "python_version", "(python_version)", "(", ")", "()", "( )",
	"os_name == 'posix' and", "os_name == 'posix' and (os_name == 'nt'", "((((os_name == 'posix'))))",
	"(os_name == 'posix') or (os_name == 'nt') and (python_version < '3')",
	"(os_name == 'posix' or os_name == 'nt') and (python_version < '3' or python_version > '3.5')",
	"'3.8'<python_version", "'3.8'<'3.9'", "os_name", "platform.python_implementation=='CPython'",
	"python_implementation=='CPython'", "os.name=='posix'", "sys.platform=='linux'", "platform.version!='x'",
	"platform.machine!='x'", "extra=='test'", "extra==''", "extra!=''", "extra in 'test'",
}
