package integration

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/safepip/safepip/internal/testindex"
)

// The interpreters of the universal lock test, as pyenv installs them.
var pyenvVersions = []string{"3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0"}

// universalDists is a project whose requirements differ by python_version,
// sys_platform and Requires-Python:
//   - tomli below 3.11 only; winonly on Windows only; linuxonly on Linux only
//   - newlib 2.0 needs Python >=3.11, so 3.9 and 3.10 get newlib 1.0
//   - forked<2 below 3.12, forked>=2 from 3.12: two versions in one lock
//   - native has a wheel per platform (Linux x86_64, Windows, macOS arm64)
func universalDists() []testindex.Dist {
	var ds []testindex.Dist
	ds = append(ds,
		testindex.Dist{Name: "app", Version: "1.0", RequiresPython: ">=3.9", Requires: []string{
			`tomli; python_version < "3.11"`,
			`winonly; sys_platform == "win32"`,
			`linuxonly; sys_platform == "linux"`,
			`newlib`,
			`forked<2; python_version < "3.12"`,
			`forked>=2; python_version >= "3.12"`,
			`native`,
		}},
		testindex.Dist{Name: "tomli", Version: "2.0.1", RequiresPython: ">=3.7"},
		testindex.Dist{Name: "winonly", Version: "1.0"},
		testindex.Dist{Name: "linuxonly", Version: "1.0", Tags: "py3-none-manylinux_2_17_x86_64"},
		testindex.Dist{Name: "newlib", Version: "1.0", RequiresPython: ">=3.9"},
		testindex.Dist{Name: "newlib", Version: "2.0", RequiresPython: ">=3.11"},
		testindex.Dist{Name: "forked", Version: "1.5"},
		testindex.Dist{Name: "forked", Version: "2.1"},
	)
	for _, plat := range []string{"manylinux_2_17_x86_64", "win_amd64", "macosx_11_0_arm64"} {
		ds = append(ds, testindex.Dist{Name: "native", Version: "1.0", Tags: "cp39-abi3-" + plat})
	}
	return ds
}

// wantSelection is what each Python version must get on this Linux x86_64
// machine, as "name==version".
var wantSelection = map[string][]string{
	"3.9":  {"app==1.0", "forked==1.5", "linuxonly==1.0", "native==1.0", "newlib==1.0", "tomli==2.0.1"},
	"3.10": {"app==1.0", "forked==1.5", "linuxonly==1.0", "native==1.0", "newlib==1.0", "tomli==2.0.1"},
	"3.11": {"app==1.0", "forked==1.5", "linuxonly==1.0", "native==1.0", "newlib==2.0"},
	"3.12": {"app==1.0", "forked==2.1", "linuxonly==1.0", "native==1.0", "newlib==2.0"},
	"3.13": {"app==1.0", "forked==2.1", "linuxonly==1.0", "native==1.0", "newlib==2.0"},
}

// TestUniversalLockEveryInterpreter: one `safepip lock` serves every
// interpreter of the machine (pyenv's 3.9 to 3.13) and described Windows
// and macOS environments. The lock is the same bytes whichever interpreter
// is active, `lock --check` passes under each, and `install --frozen`
// gives each fresh venv its own selection with no relock and no network
// (the index is stopped after the lock).
func TestUniversalLockEveryInterpreter(t *testing.T) {
	t.Parallel()
	pythons := pyenvPythons(t)
	work := t.TempDir()
	idx := testindex.New(t)
	for _, d := range universalDists() {
		idx.Add(d)
	}
	srv := idx.Serve(t)
	stopped := false
	stop := func() {
		if !stopped {
			srv.Close()
			stopped = true
		}
	}
	t.Cleanup(stop)
	writeFile(t, filepath.Join(work, "requirements.txt"), "app\n")
	writeFile(t, filepath.Join(work, "safepip.toml"), fmt.Sprintf(`[[index]]
name = "pypi"
url = %q
default = true

[resolution]
requires-python = ">=3.9"
`, srv.URL))

	// One fresh venv per interpreter for safepip, and two (the oldest and
	// the newest Python) for plain pip, made in parallel.
	venvs := make([]string, len(pythons))
	for i, py := range pythons {
		venvs[i] = filepath.Join(work, "venv"+filepath.Base(filepath.Dir(filepath.Dir(py))))
	}
	pipVenvs := map[string]string{ // Python minor version -> venv
		pyMinor(pyenvVersions[0]):                    filepath.Join(work, "pip-oldest"),
		pyMinor(pyenvVersions[len(pyenvVersions)-1]): filepath.Join(work, "pip-newest"),
	}
	makeVenvs(t, append(slices.Clone(pythons), pythons[0], pythons[len(pythons)-1]),
		append(slices.Clone(venvs), pipVenvs[pyMinor(pyenvVersions[0])], pipVenvs[pyMinor(pyenvVersions[len(pyenvVersions)-1])]))

	universalRun(t, work, 0, nil, "lock", "-r", "requirements.txt")
	lock, err := os.ReadFile(filepath.Join(work, "safepip.lock"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the universal lock:\n%s", lock)
	for _, want := range []string{"version = 2", "[scope]", "requires-python = '>=3.9'", "name = 'forked'\nversion = '1.5'", "name = 'forked'\nversion = '2.1'"} {
		if !bytes.Contains(lock, []byte(want)) {
			t.Errorf("the lock lacks %q", want)
		}
	}
	if bytes.Contains(lock, []byte("tags = ")) || bytes.Contains(lock, []byte("markers = ")) {
		t.Errorf("the universal lock records an interpreter's tags or markers")
	}

	// Locked again from under each interpreter: the same bytes, and
	// --check agrees.
	for _, venv := range venvs {
		active := map[string]string{"VIRTUAL_ENV": venv, "PATH": filepath.Join(venv, "bin") + string(os.PathListSeparator) + os.Getenv("PATH")}
		universalRun(t, work, 0, active, "lock", "-r", "requirements.txt", "--lock", "again.lock")
		again, err := os.ReadFile(filepath.Join(work, "again.lock"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, lock) {
			t.Errorf("the lock written with %s active differs:\n%s", venv, again)
		}
		os.Remove(filepath.Join(work, "again.lock"))
		universalRun(t, work, 0, active, "lock", "-r", "requirements.txt", "--check")
	}

	// A required environment without a wheel of native (macOS x86_64) is a
	// lock-time error, exit 3, naming the package and the environment.
	strict := filepath.Join(work, "strict")
	if err := os.Mkdir(strict, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(strict, "requirements.txt"), "app\n")
	writeFile(t, filepath.Join(strict, "safepip.toml"), fmt.Sprintf(`[[index]]
name = "pypi"
url = %q
default = true

[resolution]
requires-python = ">=3.9"
required-environments = ["sys_platform == 'darwin' and platform_machine == 'x86_64'"]
`, srv.URL))
	out := universalRun(t, strict, 3, nil, "lock", "-r", "requirements.txt")
	for _, want := range []string{"native", "darwin", "x86_64", "required-environments"} {
		if !strings.Contains(out, want) {
			t.Errorf("lock with an unmet required environment said:\n%s\nwant it to name %q", out, want)
		}
	}
	if _, err := os.Stat(filepath.Join(strict, "safepip.lock")); err == nil {
		t.Errorf("a lock was written although a required environment has no wheel")
	}

	// Every locked file into the cache, then no index any more.
	universalRun(t, work, 0, nil, "verify")
	stop()

	for i, venv := range venvs {
		minor := pyMinor(pyenvVersions[i])
		var res installJSON
		universalJSON(t, work, &res, "install", "--frozen", "-r", "requirements.txt", "--python", filepath.Join(venv, "bin", "python"), "--json")
		if res.Relocked {
			t.Errorf("%s: install --frozen relocked", minor)
		}
		got := installedSet(t, venv)
		if !slices.Equal(got, wantSelection[minor]) {
			t.Errorf("Python %s installed %v, want %v", minor, got, wantSelection[minor])
		}
		var nativeFile string
		for _, p := range res.Packages {
			if p.Name == "native" {
				nativeFile = p.File
			}
		}
		if nativeFile != "native-1.0-cp39-abi3-manylinux_2_17_x86_64.whl" {
			t.Errorf("Python %s: native installed from %q, want the manylinux wheel", minor, nativeFile)
		}
		// verify --installed compares the venv with this interpreter's
		// selection.
		universalRun(t, work, 0, nil, "verify", "--offline", "--installed", "--python", filepath.Join(venv, "bin", "python"))
	}
	// tomli is locked for Python < 3.11 only: in the 3.12 venv it is extra.
	tomli := idx.File("tomli-2.0.1-py3-none-any.whl")
	wheelPath := filepath.Join(work, tomli.Filename)
	writeFile(t, wheelPath, string(tomli.Data))
	venv312 := venvs[slices.Index(pyenvVersions, "3.12.1")]
	cmd := exec.Command(filepath.Join(venv312, "bin", "python"), "-m", "pip", "install", "-q", "--no-index", "--no-deps", wheelPath)
	cmd.Env = append(withoutPipEnv(os.Environ()), "PIP_CONFIG_FILE="+os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pip install %s: %v\n%s", wheelPath, err, out)
	}
	if out := universalRun(t, work, 1, nil, "verify", "--offline", "--installed", "--python", filepath.Join(venv312, "bin", "python")); !strings.Contains(out, "tomli") || !strings.Contains(out, "extra") {
		t.Errorf("verify --installed of the 3.12 venv with tomli said:\n%s\nwant tomli reported as extra", out)
	}
	if after, _ := os.ReadFile(filepath.Join(work, "safepip.lock")); !bytes.Equal(after, lock) {
		t.Errorf("installing changed the lock")
	}

	// Plain pip, given the requirements export (each line under its
	// marker) and the files, installs the same selection offline.
	universalRun(t, work, 0, nil, "export", "--format", "requirements", "-o", "requirements.hashed.txt")
	flat := idx.WriteFlat(t, filepath.Join(work, "flat"))
	for minor, venv := range pipVenvs {
		cmd := exec.Command(filepath.Join(venv, "bin", "python"), "-m", "pip", "install", "-q", "--no-index", "--no-deps",
			"--require-hashes", "--find-links", flat, "-r", filepath.Join(work, "requirements.hashed.txt"))
		cmd.Env = append(withoutPipEnv(os.Environ()), "PIP_CONFIG_FILE="+os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("Python %s: pip install -r the requirements export: %v\n%s", minor, err, out)
		}
		if got := installedSet(t, venv); !slices.Equal(got, wantSelection[minor]) {
			t.Errorf("Python %s: plain pip installed %v from the requirements export, want %v", minor, got, wantSelection[minor])
		}
	}

	// Environments this machine is not: described, no interpreter.
	for _, tc := range []struct {
		py, platform string
		want         []string // "name==version file"
	}{
		{"3.12", "win_amd64", []string{
			"app==1.0 app-1.0-py3-none-any.whl", "forked==2.1 forked-2.1-py3-none-any.whl",
			"native==1.0 native-1.0-cp39-abi3-win_amd64.whl", "newlib==2.0 newlib-2.0-py3-none-any.whl",
			"winonly==1.0 winonly-1.0-py3-none-any.whl"}},
		{"3.10", "macosx_14_0_arm64", []string{
			"app==1.0 app-1.0-py3-none-any.whl", "forked==1.5 forked-1.5-py3-none-any.whl",
			"native==1.0 native-1.0-cp39-abi3-macosx_11_0_arm64.whl", "newlib==1.0 newlib-1.0-py3-none-any.whl",
			"tomli==2.0.1 tomli-2.0.1-py3-none-any.whl"}},
	} {
		var res installJSON
		universalJSON(t, work, &res, "install", "--frozen", "--dry-run", "--json", "--python-version", tc.py, "--platform", tc.platform)
		var got []string
		for _, p := range res.Packages {
			got = append(got, p.Name+"=="+p.Version+" "+p.File)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("--python-version %s --platform %s selected\n  %v\nwant\n  %v", tc.py, tc.platform, got, tc.want)
		}
	}

	// Inside the scope but without a wheel of native (macOS x86_64): exit 1
	// naming the package, the environment and the tags searched.
	out = universalRun(t, work, 1, nil, "install", "--frozen", "--dry-run", "--python-version", "3.12", "--platform", "macosx_14_0_x86_64")
	for _, want := range []string{"native 1.0", "CPython 3.12 on darwin x86_64", "cp312-cp312-macosx_14_0_x86_64"} {
		if !strings.Contains(out, want) {
			t.Errorf("install for macOS x86_64 said:\n%s\nwant it to name %q", out, want)
		}
	}

	// Outside the scope: Python 3.8 is refused with the key that widens it.
	out = universalRun(t, work, 1, nil, "install", "--frozen", "--dry-run", "--python-version", "3.8", "--platform", "manylinux_2_17_x86_64")
	if !strings.Contains(out, "outside the lock's scope") || !strings.Contains(out, "[resolution] requires-python") {
		t.Errorf("install for Python 3.8 said:\n%s\nwant the scope and [resolution] requires-python named", out)
	}
}

// makeVenvs makes a fresh venv at dirs[i] with pythons[i], in parallel.
func makeVenvs(t *testing.T, pythons, dirs []string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(pythons))
	for i, py := range pythons {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := exec.Command(py, "-m", "venv", dirs[i]).CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("%s -m venv %s: %v\n%s", py, dirs[i], err, out)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// pyenvPythons returns the interpreters of pyenvVersions, failing the
// test (naming the one missing) when pyenv or one of them is absent.
func pyenvPythons(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("pyenv", "root").Output()
	if err != nil {
		t.Fatalf("pyenv is not installed (%v): the universal lock test needs Python %s", err, strings.Join(pyenvVersions, ", "))
	}
	root := strings.TrimSpace(string(out))
	var pythons []string
	for _, v := range pyenvVersions {
		py := filepath.Join(root, "versions", v, "bin", "python3")
		if _, err := os.Stat(py); err != nil {
			t.Fatalf("Python %s is missing (%s): the universal lock test needs every one of %s", v, py, strings.Join(pyenvVersions, ", "))
		}
		pythons = append(pythons, py)
	}
	return pythons
}

func pyMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	return parts[0] + "." + parts[1]
}

// installJSON is what `safepip install --json` prints.
type installJSON struct {
	Environment string `json:"environment"`
	Relocked    bool   `json:"relocked"`
	Packages    []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		File    string `json:"file"`
	} `json:"packages"`
}

// universalRun runs safepip in dir (runSafepip), checks its exit status,
// and returns its stdout and stderr.
func universalRun(t *testing.T, dir string, status int, env map[string]string, args ...string) string {
	t.Helper()
	r := runSafepip(t, dir, env, args...)
	if r.code != status {
		t.Fatalf("safepip %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, status, r.stdout, r.stderr)
	}
	return r.stdout + r.stderr
}

// universalJSON runs safepip in dir, which must succeed, and decodes its
// stdout into v.
func universalJSON(t *testing.T, dir string, v any, args ...string) {
	t.Helper()
	out := runSafepip(t, dir, nil, args...)
	if out.code != 0 {
		t.Fatalf("safepip %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), out.code, out.stdout, out.stderr)
	}
	if err := json.Unmarshal([]byte(out.stdout), v); err != nil {
		t.Fatalf("safepip %s: stdout is not JSON: %v\n%s", strings.Join(args, " "), err, out.stdout)
	}
}

// installedSet lists the distributions of venv other than pip's own
// tools, as sorted "name==version".
func installedSet(t *testing.T, venv string) []string {
	t.Helper()
	out, err := exec.Command(filepath.Join(venv, "bin", "python"), "-c",
		"import importlib.metadata as m; print('\\n'.join(sorted(d.metadata['Name'].lower()+'=='+d.version for d in m.distributions())))").Output()
	if err != nil {
		t.Fatalf("listing %s: %v", venv, err)
	}
	var got []string
	for _, line := range strings.Fields(string(out)) {
		name, _, _ := strings.Cut(line, "==")
		if name != "pip" && name != "setuptools" && name != "wheel" {
			got = append(got, line)
		}
	}
	return got
}
