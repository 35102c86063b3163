package install

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
)

// universalLock is a hand-written universal lock: numpy forks on the
// Python version, colorama is for Windows only, uvloop everywhere else
// (with wheels for Linux x86_64 and macOS arm64 only), tomli below 3.11.
func universalLock(t *testing.T) *lock.File {
	t.Helper()
	whl := func(names ...string) []lock.Dist {
		var ds []lock.Dist
		for i, n := range names {
			ds = append(ds, lock.Dist{Name: n, URL: "https://files.example/" + n, SHA256: strings.Repeat(fmt.Sprint(i%10), 64)})
		}
		return ds
	}
	var np1, np2 []string
	for _, py := range []string{"39", "310", "311"} {
		for _, plat := range []string{"manylinux_2_17_x86_64.manylinux2014_x86_64", "macosx_11_0_arm64", "win_amd64"} {
			np1 = append(np1, fmt.Sprintf("numpy-1.26.4-cp%s-cp%s-%s.whl", py, py, plat))
		}
	}
	for _, py := range []string{"312", "313"} {
		for _, plat := range []string{"manylinux_2_17_x86_64.manylinux2014_x86_64", "macosx_14_0_arm64", "win_amd64"} {
			np2 = append(np2, fmt.Sprintf("numpy-2.1.0-cp%s-cp%s-%s.whl", py, py, plat))
		}
	}
	lf := &lock.File{
		Version: lock.FormatVersion, CreatedBy: "safepip test", Inputs: lock.Digest([]byte("x")),
		Scope:   lock.Scope{RequiresPython: ">=3.9", Forks: []string{"python_full_version < '3.12'", "python_full_version >= '3.12'"}},
		Indexes: []lock.Index{{Name: "pypi", URL: "https://pypi.org/simple"}},
		Packages: []lock.Package{
			{Name: "numpy", Version: "2.1.0", Index: "pypi", Marker: "python_full_version >= '3.12'", RequiresPython: ">=3.10", Files: whl(np2...)},
			{Name: "numpy", Version: "1.26.4", Index: "pypi", Marker: "python_full_version < '3.12'", RequiresPython: ">=3.9", Files: whl(np1...)},
			{Name: "six", Version: "1.16.0", Index: "pypi", Files: whl("six-1.16.0-py2.py3-none-any.whl", "six-1.16.0.tar.gz")},
			{Name: "colorama", Version: "0.4.6", Index: "pypi", Marker: "sys_platform == 'win32'", Files: whl("colorama-0.4.6-py2.py3-none-any.whl")},
			{Name: "uvloop", Version: "0.19.0", Index: "pypi", Marker: "sys_platform != 'win32'", Files: whl(
				"uvloop-0.19.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "uvloop-0.19.0-cp39-abi3-macosx_10_9_universal2.whl")},
			{Name: "tomli", Version: "2.0.1", Index: "pypi", Marker: "python_version < '3.11'", Files: whl("tomli-2.0.1-py3-none-any.whl")},
		},
	}
	if _, err := lock.Marshal(lf); err != nil {
		t.Fatalf("the hand-written universal lock is invalid: %v", err)
	}
	return lf
}

// environment describes a CPython of version py ("3.12") on platform, as
// its marker environment and tags.
func environment(t *testing.T, py, platform string) (pep508.Environment, []tags.Tag) {
	t.Helper()
	pv, err := tags.ParsePythonVersion(py)
	if err != nil {
		t.Fatal(err)
	}
	plat, err := tags.ParsePlatform(platform)
	if err != nil {
		t.Fatal(err)
	}
	tt := tags.Target{Implementation: "cp", Python: pv, Platform: plat}
	full := py + ".1"
	env := pep508.Environment{"python_version": py, "python_full_version": full, "implementation_name": "cpython",
		"platform_python_implementation": "CPython", "implementation_version": full}
	switch {
	case strings.HasPrefix(platform, "win"):
		env["sys_platform"], env["os_name"], env["platform_system"], env["platform_machine"] = "win32", "nt", "Windows", "AMD64"
	case strings.HasPrefix(platform, "macosx"):
		env["sys_platform"], env["os_name"], env["platform_system"], env["platform_machine"] = "darwin", "posix", "Darwin", plat.Arch
	default:
		env["sys_platform"], env["os_name"], env["platform_system"], env["platform_machine"] = "linux", "posix", "Linux", plat.Arch
	}
	return env, tt.Tags()
}

func TestSelectUniversalPerEnvironment(t *testing.T) {
	const (
		linux = "manylinux_2_35_x86_64"
		mac   = "macosx_14_0_arm64"
		win   = "win_amd64"
	)
	tests := []struct {
		py, platform string
		want         string // "name version file" per line, in lock order
	}{
		{"3.9", linux, "numpy 1.26.4 numpy-1.26.4-cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64.whl; six 1.16.0 six-1.16.0-py2.py3-none-any.whl; tomli 2.0.1 tomli-2.0.1-py3-none-any.whl; uvloop 0.19.0 uvloop-0.19.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
		{"3.10", mac, "numpy 1.26.4 numpy-1.26.4-cp310-cp310-macosx_11_0_arm64.whl; six 1.16.0 six-1.16.0-py2.py3-none-any.whl; tomli 2.0.1 tomli-2.0.1-py3-none-any.whl; uvloop 0.19.0 uvloop-0.19.0-cp39-abi3-macosx_10_9_universal2.whl"},
		{"3.10", win, "colorama 0.4.6 colorama-0.4.6-py2.py3-none-any.whl; numpy 1.26.4 numpy-1.26.4-cp310-cp310-win_amd64.whl; six 1.16.0 six-1.16.0-py2.py3-none-any.whl; tomli 2.0.1 tomli-2.0.1-py3-none-any.whl"},
		{"3.11", linux, "numpy 1.26.4 numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl; six 1.16.0 six-1.16.0-py2.py3-none-any.whl; uvloop 0.19.0 uvloop-0.19.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
		{"3.11", win, "colorama 0.4.6 colorama-0.4.6-py2.py3-none-any.whl; numpy 1.26.4 numpy-1.26.4-cp311-cp311-win_amd64.whl; six 1.16.0 six-1.16.0-py2.py3-none-any.whl"},
		{"3.12", linux, "numpy 2.1.0 numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl; six 1.16.0 six-1.16.0-py2.py3-none-any.whl; uvloop 0.19.0 uvloop-0.19.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
		{"3.12", mac, "numpy 2.1.0 numpy-2.1.0-cp312-cp312-macosx_14_0_arm64.whl; six 1.16.0 six-1.16.0-py2.py3-none-any.whl; uvloop 0.19.0 uvloop-0.19.0-cp39-abi3-macosx_10_9_universal2.whl"},
		{"3.13", win, "colorama 0.4.6 colorama-0.4.6-py2.py3-none-any.whl; numpy 2.1.0 numpy-2.1.0-cp313-cp313-win_amd64.whl; six 1.16.0 six-1.16.0-py2.py3-none-any.whl"},
		{"3.13", mac, "numpy 2.1.0 numpy-2.1.0-cp313-cp313-macosx_14_0_arm64.whl; six 1.16.0 six-1.16.0-py2.py3-none-any.whl; uvloop 0.19.0 uvloop-0.19.0-cp39-abi3-macosx_10_9_universal2.whl"},
	}
	lf := universalLock(t)
	for _, tt := range tests {
		env, supported := environment(t, tt.py, tt.platform)
		choices, err := Select(lf, supported, env)
		if err != nil {
			t.Errorf("Select(%s on %s): %v", tt.py, tt.platform, err)
			continue
		}
		var got []string
		for _, c := range choices {
			got = append(got, c.Package.Name+" "+c.Package.Version+" "+c.File.Name)
		}
		if g := strings.Join(got, "; "); g != tt.want {
			t.Errorf("Select(%s on %s) =\n  %s\nwant\n  %s", tt.py, tt.platform, g, tt.want)
		}
	}
}

func TestSelectOutsideScope(t *testing.T) {
	lf := universalLock(t)
	env, supported := environment(t, "3.8", "manylinux_2_35_x86_64")
	_, err := Select(lf, supported, env)
	var out *lock.OutsideScopeError
	if !errors.As(err, &out) {
		t.Fatalf("Select for Python 3.8 = %v, want an OutsideScopeError", err)
	}
	for _, want := range []string{"CPython 3.8.1 on linux x86_64", `requires-python ">=3.9"`, "[resolution] requires-python"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}

	lf.Scope.Environments = []string{"sys_platform == 'linux'", "sys_platform == 'darwin'"}
	env, supported = environment(t, "3.12", "win_amd64")
	_, err = Select(lf, supported, env)
	if !errors.As(err, &out) || out.Key != "[resolution] environments" || !strings.Contains(err.Error(), "CPython 3.12.1 on win32 AMD64") {
		t.Errorf("Select for Windows outside environments = %v, want an OutsideScopeError naming [resolution] environments", err)
	}
}

func TestSelectNarrowedScope(t *testing.T) {
	lf := universalLock(t)
	lf.Scope.Python = "3.11"
	lf.Scope.Platform = "manylinux_2_17_x86_64"
	env, supported := environment(t, "3.11", "manylinux_2_35_x86_64")
	if _, err := Select(lf, supported, env); err != nil {
		t.Errorf("a lock narrowed to 3.11 on manylinux_2_17_x86_64 refused a 3.11 on manylinux_2_35_x86_64: %v", err)
	}
	var out *lock.OutsideScopeError
	env, supported = environment(t, "3.12", "manylinux_2_35_x86_64")
	if _, err := Select(lf, supported, env); !errors.As(err, &out) || !strings.Contains(err.Error(), `python "3.11"`) {
		t.Errorf("a lock narrowed to 3.11 took 3.12: %v", err)
	}
	env, supported = environment(t, "3.11", "manylinux_2_12_x86_64")
	if _, err := Select(lf, supported, env); !errors.As(err, &out) || !strings.Contains(err.Error(), `platform "manylinux_2_17_x86_64"`) {
		t.Errorf("a lock narrowed to manylinux_2_17 took a glibc 2.12 machine: %v", err)
	}
	// An interpreter lock holds for exactly that interpreter's tags and markers.
	env, supported = environment(t, "3.11", "manylinux_2_35_x86_64")
	lf.Scope.Tags, lf.Scope.Markers = lock.TagsDigest(supported), lock.MarkersDigest(env)
	if _, err := Select(lf, supported, env); err != nil {
		t.Errorf("an interpreter lock refused its own interpreter: %v", err)
	}
	env["platform_release"] = "6.1"
	if _, err := Select(lf, supported, env); !errors.As(err, &out) || !strings.Contains(out.Reason, "marker environment differs") {
		t.Errorf("an interpreter lock took another marker environment: %v", err)
	}
}

func TestSelectNoFileNamesPackageEnvironmentAndTags(t *testing.T) {
	lf := universalLock(t)
	env, supported := environment(t, "3.12", "macosx_14_0_x86_64")
	_, err := Select(lf, supported, env)
	var nf *NoFileError
	if !errors.As(err, &nf) {
		t.Fatalf("Select on macOS x86_64 = %v, want a NoFileError (numpy has arm64 wheels only)", err)
	}
	for _, want := range []string{"numpy 2.1.0", "CPython 3.12.1 on darwin x86_64", "cp312-cp312-macosx_14_0_x86_64", "numpy-2.1.0-cp312-cp312-win_amd64.whl", "more"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

func TestSelectTwoVersionsHold(t *testing.T) {
	lf := universalLock(t)
	lf.Versions("numpy")[1].Marker = "python_full_version >= '3.11'" // 2.1.0 overlaps numpy 1.26.4's < 3.12
	env, supported := environment(t, "3.11", "win_amd64")
	_, err := Select(lf, supported, env)
	if err == nil || !strings.Contains(err.Error(), "numpy is locked at") || !strings.Contains(err.Error(), "both markers hold") {
		t.Errorf("Select with two numpy entries holding = %v, want an error naming both", err)
	}
}

func TestSelectVersion1Lock(t *testing.T) {
	lf, err := lock.Read("../lock/testdata/v1.lock")
	if err != nil {
		t.Fatal(err)
	}
	if lf.Version != 1 || lf.Scope.Python != "3.11.7" || lf.Scope.Platform != "linux_x86_64" {
		t.Fatalf("version 1 lock read as version %d, scope %+v", lf.Version, lf.Scope)
	}
	env, supported := environment(t, "3.11", "linux_x86_64")
	env["python_full_version"] = "3.11.7"
	lf.Scope.Tags = "" // the sample's digest is not of a real tag list
	choices, err := Select(lf, supported, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(choices) != 3 {
		t.Errorf("Select of the version 1 lock chose %d packages, want 3", len(choices))
	}
}

// pylockSelector is a PEP 751 installer's choice, written with pip's own
// packaging: the lock's requires-python and environments, each package's
// marker, and per package the wheel whose tag ranks first. It reads a
// pylock.toml and a JSON list of [environment, tags] cases, and prints one
// line per selected package, or "outside", per case.
const pylockSelector = `
import json, sys, tomllib
from pip._vendor.packaging.markers import Marker
from pip._vendor.packaging.specifiers import SpecifierSet
from pip._vendor.packaging.utils import parse_wheel_filename
doc = tomllib.load(open(sys.argv[1], "rb"))
for env, tags in json.load(sys.stdin):
    rank = {t: i for i, t in enumerate(tags)}
    rp = doc.get("requires-python")
    envs = doc.get("environments")
    if (rp and not SpecifierSet(rp).contains(env["python_full_version"], prereleases=True)) or (envs and not any(Marker(m).evaluate(env) for m in envs)):
        print("outside")
        continue
    out = []
    for p in doc["packages"]:
        if "marker" in p and not Marker(p["marker"]).evaluate(env):
            continue
        best = None
        for w in p.get("wheels", []):
            ranks = [rank[str(t)] for t in parse_wheel_filename(w["name"])[3] if str(t) in rank]
            if ranks and (best is None or min(ranks) < best[0]):
                best = (min(ranks), w["name"])
        out.append("%s %s %s" % (p["name"], p["version"], best[1] if best else "none"))
    print("; ".join(out))
`

// TestSelectAgreesWithPylockInstaller exports the universal lock as PEP 751
// and has pip's packaging select from it for Python 3.8 to 3.13 on Linux,
// macOS (arm64 and x86_64) and Windows: it must choose what Select does.
func TestSelectAgreesWithPylockInstaller(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found; the differential test needs Python 3.11+ with pip's vendored packaging")
	}
	lf := universalLock(t)
	lf.Scope.Environments = []string{"sys_platform == 'linux'", "sys_platform == 'darwin'"}
	pylock, err := lock.ExportPylock(lf, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pylock.toml")
	if err := os.WriteFile(path, pylock, 0o644); err != nil {
		t.Fatal(err)
	}
	type tcase struct{ py, platform string }
	var cases []tcase
	var input [][2]any
	var want []string
	for _, platform := range []string{"manylinux_2_35_x86_64", "macosx_14_0_arm64", "macosx_14_0_x86_64", "win_amd64"} {
		for _, py := range []string{"3.8", "3.9", "3.10", "3.11", "3.12", "3.13"} {
			env, supported := environment(t, py, platform)
			names := make([]string, len(supported))
			for i, tag := range supported {
				names[i] = tag.String()
			}
			cases = append(cases, tcase{py, platform})
			input = append(input, [2]any{env, names})
			choices, err := Select(lf, supported, env)
			var out *lock.OutsideScopeError
			var nf *NoFileError
			switch {
			case errors.As(err, &out):
				want = append(want, "outside")
			case errors.As(err, &nf):
				want = append(want, "no file: "+nf.Package+" "+nf.Version)
			case err != nil:
				t.Fatalf("Select(%s on %s): %v", py, platform, err)
			default:
				var got []string
				for _, c := range choices {
					got = append(got, c.Package.Name+" "+c.Package.Version+" "+c.File.Name)
				}
				want = append(want, strings.Join(got, "; "))
			}
		}
	}
	stdin, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", pylockSelector, path)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("the pylock selector: %v\n%s", err, stderr.String())
	}
	got := strings.Split(strings.TrimSuffix(string(stdout), "\n"), "\n")
	if len(got) != len(cases) {
		t.Fatalf("the pylock selector answered %d cases, want %d:\n%s", len(got), len(cases), stdout)
	}
	outside, selected := 0, 0
	for i, c := range cases {
		w := want[i]
		if pkg, ok := strings.CutPrefix(w, "no file: "); ok {
			// Select refuses; the installer finds no wheel for that package.
			if !strings.Contains(got[i], pkg+" none") {
				t.Errorf("%s on %s: Select found no file for %s, the PEP 751 installer chose: %s", c.py, c.platform, pkg, got[i])
			}
			continue
		}
		if got[i] != w {
			t.Errorf("%s on %s:\n  Select:         %s\n  PEP 751 (pip's packaging): %s", c.py, c.platform, w, got[i])
		}
		if w == "outside" {
			outside++
		} else {
			selected++
		}
	}
	t.Logf("%d environments agree: %d selected, %d outside the scope", len(cases), selected, outside)
	if outside == 0 || selected == 0 {
		t.Errorf("the cases should cover both selections and environments outside the scope")
	}
}
