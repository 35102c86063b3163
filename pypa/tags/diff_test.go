package tags

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runPython runs script with python3, input on stdin, and decodes its JSON
// stdout into out. It skips the test when python3 or pip's vendored
// packaging is missing.
func runPython(t *testing.T, script string, input, out any) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found; the differential test needs it")
	}
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "No module named 'pip") {
			t.Fatal("pip._vendor.packaging not importable; the differential test needs it")
		}
		t.Fatalf("python3: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("decoding python3 output: %v", err)
	}
}

// pyCase is one described interpreter as testdata/sys_tags.py reads it.
type pyCase struct {
	Impl     string         `json:"impl"`
	Python   [2]int         `json:"python"`
	ABIs     []string       `json:"abis"`
	Config   map[string]int `json:"config,omitempty"`
	Platform map[string]any `json:"platform"`

	target Target
}

func diffCases() []pyCase {
	type plat struct {
		p     Platform
		py    map[string]any
		sweep bool // one of many glibc versions: fewer Pythons
	}
	var plats []plat
	linux := func(arch string, glibc, musl [2]int) {
		py := map[string]any{"kind": "linux", "sysplat": "linux-" + arch}
		if glibc != [2]int{} {
			py["glibc"] = glibc
		}
		if musl != [2]int{} {
			py["musl"] = musl
		}
		plats = append(plats, plat{p: Platform{OS: Linux, Arch: arch, Glibc: glibc, Musl: musl}, py: py})
	}
	for minor := 17; minor <= 39; minor++ {
		linux("x86_64", [2]int{2, minor}, [2]int{})
		linux("aarch64", [2]int{2, minor}, [2]int{})
		if minor%11 != 6 { // all Pythons on 2.17, 2.28 and 2.39
			plats[len(plats)-1].sweep = true
			plats[len(plats)-2].sweep = true
		}
	}
	linux("x86_64", [2]int{2, 5}, [2]int{})
	linux("i686", [2]int{2, 12}, [2]int{})
	linux("i686", [2]int{2, 17}, [2]int{})
	linux("armv7l", [2]int{2, 31}, [2]int{})
	linux("ppc64le", [2]int{2, 28}, [2]int{})
	linux("s390x", [2]int{2, 17}, [2]int{})
	linux("x86_64", [2]int{3, 1}, [2]int{})
	linux("riscv64", [2]int{}, [2]int{})
	linux("x86_64", [2]int{}, [2]int{})
	for _, arch := range []string{"x86_64", "aarch64"} {
		linux(arch, [2]int{}, [2]int{1, 1})
		linux(arch, [2]int{}, [2]int{1, 2})
	}
	for _, arch := range []string{"x86_64", "arm64"} {
		mac := func(v [2]int) {
			plats = append(plats, plat{p: Platform{OS: MacOS, Arch: arch, MacVersion: v},
				py: map[string]any{"kind": "mac", "version": v, "arch": arch}})
		}
		for minor := 9; minor <= 16; minor++ {
			mac([2]int{10, minor})
		}
		for major := 11; major <= 15; major++ {
			mac([2]int{major, 0})
		}
		mac([2]int{14, 2})
	}
	for _, w := range [][2]string{{"amd64", "win-amd64"}, {"x86", "win32"}, {"arm64", "win-arm64"}} {
		plats = append(plats, plat{p: Platform{OS: Windows, Arch: w[0]}, py: map[string]any{"kind": "generic", "sysplat": w[1]}})
	}
	plats = append(plats, plat{p: Platform{OS: Other, Tag: "freebsd_14_0_release_amd64"},
		py: map[string]any{"kind": "generic", "sysplat": "freebsd-14.0-RELEASE-amd64"}})

	var cases []pyCase
	for i, pl := range plats {
		for minor := 8; minor <= 13; minor++ {
			if pl.sweep && minor != 8+i%6 && minor != 8+(i+3)%6 {
				continue
			}
			cases = append(cases, pyCase{Impl: "cp", Python: [2]int{3, minor}, Config: map[string]int{"Py_DEBUG": 0},
				Platform: pl.py, target: Target{Implementation: "cp", Python: [2]int{3, minor}, Platform: pl.p}})
		}
	}
	// debug builds, pymalloc-era ABIs, explicit ABIs and PyPy, on a few machines
	for _, pl := range []plat{plats[0], plats[len(plats)-5], plats[len(plats)-4]} {
		cases = append(cases,
			pyCase{Impl: "cp", Python: [2]int{3, 11}, Config: map[string]int{"Py_DEBUG": 1}, Platform: pl.py,
				target: Target{Implementation: "cp", Python: [2]int{3, 11}, Debug: true, Platform: pl.p}},
			pyCase{Impl: "cp", Python: [2]int{3, 7}, Config: map[string]int{"Py_DEBUG": 0, "WITH_PYMALLOC": 1}, Platform: pl.py,
				target: Target{Implementation: "cp", Python: [2]int{3, 7}, Platform: pl.p}},
			pyCase{Impl: "cp", Python: [2]int{3, 7}, Config: map[string]int{"Py_DEBUG": 1, "WITH_PYMALLOC": 1}, Platform: pl.py,
				target: Target{Implementation: "cp", Python: [2]int{3, 7}, Debug: true, Platform: pl.p}},
			pyCase{Impl: "cp", Python: [2]int{3, 12}, ABIs: []string{"none", "cp312", "abi3", "custom"}, Platform: pl.py,
				target: Target{Implementation: "cp", Python: [2]int{3, 12}, ABIs: []string{"none", "cp312", "abi3", "custom"}, Platform: pl.p}},
			pyCase{Impl: "ip", Python: [2]int{3, 4}, Platform: pl.py,
				target: Target{Implementation: "ip", Python: [2]int{3, 4}, Platform: pl.p}},
		)
	}
	for _, pl := range plats {
		if pl.p.Arch != "x86_64" && pl.p.Arch != "arm64" && pl.p.Arch != "amd64" {
			continue
		}
		for _, v := range [][2]int{{3, 9}, {3, 10}} {
			abi := "pypy" + nodot(v[0], v[1]) + "_pp73"
			cases = append(cases, pyCase{Impl: "pp", Python: v, ABIs: []string{abi}, Platform: pl.py,
				target: Target{Implementation: "pp", Python: v, ABIs: []string{abi}, Platform: pl.p}})
		}
	}
	return cases
}

func TestTagsDifferential(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile("testdata/sys_tags.py")
	if err != nil {
		t.Fatal(err)
	}
	cases := diffCases()
	var joined []string
	runPython(t, string(script), cases, &joined)
	want := make([][]string, len(joined))
	for i, j := range joined {
		want[i] = strings.Fields(j)
	}
	if len(want) != len(cases) {
		t.Fatalf("python3 returned %d lists for %d cases", len(want), len(cases))
	}
	tagsCompared := 0
	for i, c := range cases {
		var got []string
		for _, tag := range c.target.Tags() {
			got = append(got, tag.String())
		}
		tagsCompared += len(want[i])
		if strings.Join(got, " ") != strings.Join(want[i], " ") {
			n := 0
			for n < len(got) && n < len(want[i]) && got[n] == want[i][n] {
				n++
			}
			at := func(l []string) string {
				if n < len(l) {
					return l[n]
				}
				return "<end>"
			}
			t.Errorf("%v: %d tags, packaging 21.3 %d; first difference at %d: %s, want %s",
				c.target, len(got), len(want[i]), n, at(got), at(want[i]))
		}
	}
	t.Logf("compared %d tag lists (%d tags) with packaging 21.3", len(cases), tagsCompared)
}

// factsProgram prints FactsScript's output, then the running interpreter's
// sys_tags() as a JSON list, in one object.
const factsProgram = `import contextlib, io, json
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    exec(FACTS)
from pip._vendor.packaging import tags
print(json.dumps({"facts": json.loads(buf.getvalue()), "tags": [str(t) for t in tags.sys_tags()]}))
`

func TestTargetFromFactsLocalInterpreter(t *testing.T) {
	t.Parallel()
	var out struct {
		Facts Facts    `json:"facts"`
		Tags  []string `json:"tags"`
	}
	program := strings.Replace(factsProgram, "FACTS", "json.loads(input())", 1)
	quoted, _ := json.Marshal(FactsScript)
	runPython(t, program, json.RawMessage(quoted), &out)
	target, err := TargetFromFacts(out.Facts)
	if err != nil {
		t.Fatalf("TargetFromFacts(%+v): %v", out.Facts, err)
	}
	var got []string
	for _, tag := range target.Tags() {
		got = append(got, tag.String())
	}
	if strings.Join(got, " ") != strings.Join(out.Tags, " ") {
		t.Errorf("%v: Tags() = %d tags, sys_tags() %d\n got: %v\nwant: %v", target, len(got), len(out.Tags), got, out.Tags)
	}
	t.Logf("local interpreter %v: %d tags equal to its sys_tags()", target, len(got))
}
