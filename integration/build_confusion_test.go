package integration

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/lock"
)

// The attack these tests show: a private package built from its sdist
// names a private build plugin in [build-system] requires; an attacker
// publishes a higher version of the plugin's name on the public index.
// pip, given both indexes, installs the public plugin into the build
// environment and imports it. safepip resolves build dependencies through
// the same router as runtime ones, locks them with their hashes and builds
// with nothing else.

// pluginPyproject is acme-lib's [build-system]: its backend is the plugin.
const pluginPyproject = "[build-system]\nrequires = [\"acme-build-plugin\"]\nbuild-backend = \"acme_build_plugin.build\"\n"

// acmeLib is the private sdist: static metadata (Metadata-Version 2.2), so
// an allowed sdist locks without a build, and only its build runs the
// plugin.
func acmeLib() testindex.Dist {
	return testindex.Dist{Name: "acme-lib", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml":       pluginPyproject,
		"PKG-INFO":             "Metadata-Version: 2.2\nName: acme-lib\nVersion: 1.0\n",
		"acme_lib/__init__.py": "ANSWER = 42\n",
	}}
}

// evilPlugin is acme-build-plugin at version, a working build backend
// whose import writes marker (the attacker's payload; a real one would
// steal credentials instead).
func evilPlugin(version, marker string) testindex.Dist {
	d := testindex.TinyBackend("acme-build-plugin", version)
	d.Files["acme_build_plugin/__init__.py"] = fmt.Sprintf(
		"import pathlib\npathlib.Path(%q).write_text('acme-build-plugin %s from the public index ran\\n')\n", marker, version)
	return d
}

// confusionIndexes returns the private index (acme-lib as an sdist only,
// the harmless acme-build-plugin 1.0) and the public one (the attacker's
// acme-build-plugin 99.0, which writes marker when imported).
func confusionIndexes(t *testing.T, marker string) (private, public *testindex.Index) {
	private = testindex.New(t)
	private.Add(acmeLib())
	private.Add(testindex.TinyBackend("acme-build-plugin", "1.0"))
	public = testindex.New(t)
	public.Add(evilPlugin("99.0", marker))
	return private, public
}

// confusionRequirements is the team's requirements file as many are
// written: the public index first, the private one as an extra.
func confusionRequirements(public, private string) string {
	return fmt.Sprintf("--index-url %s\n--extra-index-url %s\nacme-lib\n", public, private)
}

// pinnedConfig names both indexes and pins acme-* to the private one.
func pinnedConfig(public, private string) string {
	return fmt.Sprintf(`[[index]]
name = "public"
url = %q
default = true

[[index]]
name = "private"
url = %q
packages = ["acme-*"]

[policy]
allow-sdist = ["acme-lib"]
`, public, private)
}

// hookedPackages adds to the indexes acme-hooked, whose backend (the
// private plugin) asks through get_requires_for_build_wheel for
// acme-build-helper, which needs acme-build-core; the public index serves
// both names at 99.0, each with a .pth file that runs its payload (a file
// in markers) in any interpreter of an environment it is installed in.
// And acme-nobin, built by the plugin, which --no-binary makes an sdist
// although the private index has its wheel. It returns the private
// helper, core and acme-nobin wheel.
func hookedPackages(private, public *testindex.Index, markers string) (helper, core, nobinWheel *testindex.File) {
	private.Add(testindex.Dist{Name: "acme-hooked", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml": pluginPyproject,
		"PKG-INFO":       "Metadata-Version: 2.2\nName: acme-hooked\nVersion: 1.0\n",
		"tiny.json":      `{"name": "acme-hooked", "version": "1.0", "module": "acme_hooked", "get_requires": ["acme-build-helper"]}`,
	}})
	helper = private.Add(testindex.Dist{Name: "acme-build-helper", Version: "1.0", Requires: []string{"acme-build-core>=1"}})
	core = private.Add(testindex.Dist{Name: "acme-build-core", Version: "1.0"})
	for _, name := range []string{"acme-build-helper", "acme-build-core"} {
		module := strings.ReplaceAll(name, "-", "_")
		public.Add(testindex.Dist{Name: name, Version: "99.0", Files: map[string]string{
			module + ".pth":         "import " + module + "\n",
			module + "/__init__.py": fmt.Sprintf("import pathlib\npathlib.Path(%q).write_text('%s 99.0 ran\\n')\n", filepath.Join(markers, name), name),
		}})
	}
	private.Add(testindex.Dist{Name: "acme-nobin", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml":         pluginPyproject,
		"PKG-INFO":               "Metadata-Version: 2.2\nName: acme-nobin\nVersion: 1.0\n",
		"acme_nobin/__init__.py": "FROM = 'sdist'\n",
	}})
	nobinWheel = private.Add(testindex.Dist{Name: "acme-nobin", Version: "1.0", Files: map[string]string{"acme_nobin/__init__.py": "FROM = 'wheel'\n"}})
	return helper, core, nobinWheel
}

// TestBuildDependencyConfusion: pip builds the private sdists with the
// public plugin and installs the public helper into a build environment
// (their payloads run); safepip with acme-* pinned locks the private
// build dependencies (those of [build-system] requires, those a
// get_requires hook adds, and their own dependencies) with their hashes,
// builds with them, and no payload ever runs; without the pin the lock is
// refused (exit 3) naming the dependency and the package whose build needs
// it; --no-binary builds from the sdist with the same locked plugin; and
// pip's index variables in safepip's environment reach no build.
func TestBuildDependencyConfusion(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	markers := filepath.Join(work, "markers")
	if err := os.Mkdir(markers, 0o755); err != nil {
		t.Fatal(err)
	}
	private, public := confusionIndexes(t, filepath.Join(markers, "acme-build-plugin"))
	helper, core, nobinWheel := hookedPackages(private, public, markers)
	privSrv, pubSrv := private.Serve(t), public.Serve(t)
	plugin := private.File("acme_build_plugin-1.0-py3-none-any.whl")
	ran := func(after string) {
		t.Helper()
		entries, err := os.ReadDir(markers)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Errorf("after %s the public %s ran", after, e.Name())
		}
	}

	t.Run("pip runs the public plugin and helper", func(t *testing.T) {
		dir := t.TempDir()
		py := freshVenv(t, filepath.Join(dir, "venv"))
		out, err := runPip(py, nil, "install", "--index-url", pubSrv.URL, "--extra-index-url", privSrv.URL, "acme-lib", "acme-hooked")
		if err != nil {
			t.Fatalf("pip install acme-lib acme-hooked: %v\n%s", err, out)
		}
		for _, name := range []string{"acme-build-plugin", "acme-build-helper"} {
			if _, err := os.Stat(filepath.Join(markers, name)); err != nil {
				t.Errorf("pip's builds did not run the public %s 99.0 (%v): the test shows no attack\n%s", name, err, out)
			}
		}
		if got := installedSet(t, filepath.Join(dir, "venv")); !slices.Equal(got, []string{"acme-hooked==1.0", "acme-lib==1.0"}) {
			t.Errorf("pip installed %v, want acme-hooked and acme-lib 1.0 (built by the attacker's plugin)", got)
		}
	})
	if t.Failed() {
		return // a payload may not have run: what follows would prove nothing
	}
	if err := os.RemoveAll(markers); err != nil || os.Mkdir(markers, 0o755) != nil {
		t.Fatalf("emptying %s: %v", markers, err)
	}

	// a public index serving the helper and core alone: there the plugin
	// is found on the private index only, and the helper, which only the
	// hook names, is the ambiguous one
	hooksOnly := testindex.New(t)
	for _, name := range []string{"acme-build-helper", "acme-build-core"} {
		hooksOnly.Add(public.Files(name)[0].Dist)
	}
	hooksSrv := hooksOnly.Serve(t)
	for _, tc := range []struct {
		what, pkg, public, ambiguous string
	}{
		{"requires", "acme-lib", pubSrv.URL, "acme-build-plugin"},
		{"get_requires", "acme-hooked", hooksSrv.URL, "acme-build-helper"},
	} {
		t.Run("unpinned "+tc.what+" is ambiguous", func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "requirements.txt"), fmt.Sprintf("--index-url %s\n--extra-index-url %s\n%s\n", tc.public, privSrv.URL, tc.pkg))
			writeFile(t, filepath.Join(dir, "safepip.toml"), fmt.Sprintf("[policy]\nallow-sdist = [%q]\n", tc.pkg))
			r := runSafepip(t, dir, nil, "lock", "-r", "requirements.txt")
			if r.code != 3 {
				t.Fatalf("lock without the pin: exit %d, want 3\n%s", r.code, r.stderr)
			}
			for _, want := range []string{`"` + tc.ambiguous + `"`, tc.pkg, "99.0", "1.0", `packages = ["` + tc.ambiguous + `"]`} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("lock without the pin said:\n%s\nwant it to name %s", r.stderr, want)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "safepip.lock")); err == nil {
				t.Errorf("a lock was written although %s is ambiguous", tc.ambiguous)
			}
		})
	}
	ran("the unpinned locks")

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "requirements.txt"), "--no-binary acme-nobin\n"+
		strings.Replace(confusionRequirements(pubSrv.URL, privSrv.URL), "acme-lib\n", "acme-lib\nacme-hooked\nacme-nobin\n", 1))
	writeFile(t, filepath.Join(dir, "safepip.toml"), strings.Replace(pinnedConfig(pubSrv.URL, privSrv.URL), `["acme-lib"]`, `["acme-lib", "acme-hooked"]`, 1))
	t.Run("pinned locks the private build dependencies", func(t *testing.T) {
		pubSrv.ResetRequests() // pip and the unpinned locks asked it
		universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt")
		lf := readLock(t, filepath.Join(dir, "safepip.lock"))
		for name, want := range map[string][]string{
			"acme-lib":    {"acme-build-plugin==1.0"},
			"acme-nobin":  {"acme-build-plugin==1.0"},
			"acme-hooked": {"acme-build-core==1.0", "acme-build-helper==1.0", "acme-build-plugin==1.0"},
		} {
			p := lf.Package(name)
			if p == nil {
				t.Fatalf("the lock has no %s", name)
			}
			if p.Index != "private" || !p.AllowSdist || len(p.Files) != 1 || !strings.HasSuffix(p.Files[0].Name, ".tar.gz") {
				t.Errorf("%s is locked as %+v, want the private sdist alone, allow-sdist", name, p)
			}
			if !slices.Equal(p.BuildDependencies, want) {
				t.Errorf("%s build-dependencies = %q, want %q", name, p.BuildDependencies, want)
			}
		}
		for _, f := range []*testindex.File{plugin, helper, core} {
			bp := lf.BuildPackage(f.Project, "1.0")
			if bp == nil || bp.Index != "private" || len(bp.Files) != 1 || bp.Files[0].Name != f.Filename || bp.Files[0].SHA256 != f.SHA256 || !strings.HasPrefix(bp.Files[0].URL, privSrv.Base) {
				t.Errorf("build-package %s 1.0 = %+v, want %s sha256 %s from the private index", f.Project, bp, f.Filename, f.SHA256)
			}
			if lf.Package(f.Project) != nil {
				t.Errorf("%s is locked as a runtime package: it would be installed into the target", f.Project)
			}
		}
		if bp := lf.BuildPackage("acme-build-plugin", "1.0"); bp != nil && !slices.Equal(bp.RequiredBy, []string{"acme-hooked", "acme-lib", "acme-nobin"}) {
			t.Errorf("acme-build-plugin required-by %q, want the three packages it builds", bp.RequiredBy)
		}
		if len(lf.BuildPackages) != 3 {
			t.Errorf("build packages = %+v, want the private plugin, helper and core alone", lf.BuildPackages)
		}
		if pubSrv.Asked("acme-build-plugin") || pubSrv.Asked("acme-build-helper") || pubSrv.Asked("acme-build-core") {
			t.Errorf("the public index was asked for an acme-* build dependency although acme-* is pinned to the private one: %v", pubSrv.Paths())
		}
	})
	ran("safepip lock")
	if t.Failed() {
		return
	}

	want := []string{"acme-hooked==1.0", "acme-lib==1.0", "acme-nobin==1.0"}
	t.Run("install builds with the private plugin", func(t *testing.T) {
		venv := filepath.Join(dir, "venv")
		py := freshVenv(t, venv)
		log := filepath.Join(dir, "install.log")
		universalRun(t, dir, 0, map[string]string{"TINYBACKEND_LOG": log}, "install", "--frozen", "-r", "requirements.txt", "--python", py)
		if got := installedSet(t, venv); !slices.Equal(got, want) {
			t.Errorf("safepip installed %v, want %v alone (build dependencies never go into the target)", got, want)
		}
		if got := pythonSays(t, py, "import acme_lib, acme_nobin; print(acme_lib.ANSWER, acme_nobin.FROM)"); got != "42 sdist" {
			t.Errorf("the installed packages say %q, want 42 sdist", got)
		}
		for _, p := range []string{"acme-lib", "acme-hooked", "acme-nobin"} {
			if !slices.Contains(hookLog(t, log), "build_wheel "+p) {
				t.Errorf("install ran no build of %s: hooks %q", p, hookLog(t, log))
			}
		}
		if n := privSrv.Count("/files/" + nobinWheel.Filename); n != 0 {
			t.Errorf("the acme-nobin wheel, which --no-binary forbids, was downloaded %d times", n)
		}
	})
	ran("safepip install")

	// pip's index variables pointing at the public index, in the
	// environment of `safepip install`: the requirements file's indexes
	// already name it, so the lock stays fresh (PIP_FIND_LINKS would add an
	// index: a stale lock, by design); the lock decides, and no process of
	// the build sees an index (a fresh cache, so it builds).
	t.Run("pip variables reach no build", func(t *testing.T) {
		before := readFile(t, filepath.Join(dir, "safepip.lock"))
		venv := filepath.Join(dir, "venv-env")
		py := freshVenv(t, venv)
		log := filepath.Join(dir, "env.log")
		pubSrv.ResetRequests()
		universalRun(t, dir, 0, map[string]string{
			"TINYBACKEND_LOG":     log,
			"SAFEPIP_CACHE_DIR":   filepath.Join(dir, "cache-env"),
			"PIP_INDEX_URL":       pubSrv.URL,
			"PIP_EXTRA_INDEX_URL": pubSrv.URL,
		}, "install", "--frozen", "-r", "requirements.txt", "--python", py)
		if got := installedSet(t, venv); !slices.Equal(got, want) {
			t.Errorf("safepip installed %v with PIP_INDEX_URL set, want %v", got, want)
		}
		if paths := pubSrv.Paths(); len(paths) != 0 {
			t.Errorf("the public index was asked %v during install --frozen", paths)
		}
		hooks := hookLog(t, log)
		if !slices.Contains(hooks, "build_wheel acme-lib") || !slices.Contains(hooks, "env PIP_NO_INDEX=1") {
			t.Errorf("the build's log %q lacks build_wheel acme-lib or env PIP_NO_INDEX=1", hooks)
		}
		for _, line := range hooks {
			if strings.Contains(line, pubSrv.Base) || strings.HasPrefix(line, "env PIP_INDEX_URL") ||
				strings.HasPrefix(line, "env PIP_EXTRA_INDEX_URL") || strings.HasPrefix(line, "env PIP_FIND_LINKS") {
				t.Errorf("the backend saw an index: %q", line)
			}
		}
		if after := readFile(t, filepath.Join(dir, "safepip.lock")); string(after) != string(before) {
			t.Errorf("install --frozen changed the lock")
		}
	})
	ran("safepip install with PIP_INDEX_URL set")
}

// freshVenv copies the run's template venv (pip 23.2.1) to dir and returns
// its python.
func freshVenv(t *testing.T, dir string) string {
	t.Helper()
	venvIn(t, dir)
	return filepath.Join(dir, "bin", "python")
}

// runPip runs python -m pip args with the machine's pip settings removed
// and env added.
func runPip(python string, env []string, args ...string) (string, error) {
	cmd := exec.Command(python, append([]string{"-m", "pip"}, args...)...)
	cmd.Env = append(withoutPipEnv(os.Environ()), "PIP_CONFIG_FILE="+os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK=1")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// pythonSays runs code with python and returns its trimmed output.
func pythonSays(t *testing.T, python, code string) string {
	t.Helper()
	out, err := exec.Command(python, "-c", code).CombinedOutput()
	if err != nil {
		t.Errorf("%s -c %q: %v\n%s", python, code, err, out)
	}
	return strings.TrimSpace(string(out))
}

// readLock parses a lock with the lock package (which validates it).
func readLock(t *testing.T, path string) *lock.File {
	t.Helper()
	lf, err := lock.Parse(path, readFile(t, path))
	if err != nil {
		t.Fatalf("the lock does not parse: %v\n%s", err, readFile(t, path))
	}
	return lf
}

// hookLog returns the lines tinybackend wrote to its $TINYBACKEND_LOG: one
// per hook run ("build_wheel acme-lib"), and the pip settings build_wheel
// saw ("env PIP_NO_INDEX=1"). No file: no hook ran.
func hookLog(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// noMarker fails the test if the attacker's plugin ran.
func noMarker(t *testing.T, marker, after string) {
	t.Helper()
	if data, err := os.ReadFile(marker); err == nil {
		t.Errorf("after %s the public acme-build-plugin ran: %s", after, data)
	}
}

// siteFiles lists every file under venv/lib (site-packages), relative and
// sorted, without bytecode caches: what an install would change.
func siteFiles(t *testing.T, venv string) []string {
	t.Helper()
	root := filepath.Join(venv, "lib")
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBuildDependencyUploadedLater is the attack's usual timeline: the lock
// is written while only the private index serves acme-build-plugin (so
// routing finds it on one index and records that one, no pin needed); then
// the attacker uploads acme-build-plugin 99.0 to the public index. A
// relock stops (exit 3) naming the plugin, the index it is locked to and
// the package whose build needs it, and leaves the lock as it was;
// install --frozen keeps building with the locked private plugin.
func TestBuildDependencyUploadedLater(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "PWNED")
	private, public := confusionIndexes(t, marker)
	attack := public.Files("acme-build-plugin")[0].Dist
	public = testindex.New(t)
	public.Add(testindex.Dist{Name: "plainlib", Version: "1.0"}) // the public index, before the upload
	privSrv, pubSrv := private.Serve(t), public.Serve(t)
	writeFile(t, filepath.Join(dir, "requirements.txt"), confusionRequirements(pubSrv.URL, privSrv.URL))
	writeFile(t, filepath.Join(dir, "safepip.toml"), "[policy]\nallow-sdist = [\"acme-lib\"]\n")
	universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt")
	before := readFile(t, filepath.Join(dir, "safepip.lock"))
	lf := readLock(t, filepath.Join(dir, "safepip.lock"))
	bp := lf.BuildPackage("acme-build-plugin", "1.0")
	if bp == nil || lf.Package("acme-lib") == nil || bp.Index != lf.Package("acme-lib").Index {
		t.Fatalf("acme-build-plugin 1.0 is locked as %+v, want it from acme-lib's (the private) index", bp)
	}

	public.Add(attack)
	for _, args := range [][]string{{"--refresh"}} {
		r := runSafepip(t, dir, nil, append([]string{"lock", "-r", "requirements.txt"}, args...)...)
		if r.code != 3 {
			t.Errorf("lock %s after the public upload: exit %d, want 3\n%s", args[0], r.code, r.stderr)
		}
		for _, want := range []string{`"acme-build-plugin"`, "acme-lib", "99.0"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("lock %s after the public upload said:\n%s\nwant it to name %s", args[0], r.stderr, want)
			}
		}
		if args[0] == "--refresh" && !strings.Contains(r.stderr, "locked to index "+fmt.Sprintf("%q", bp.Index)) {
			t.Errorf("lock --refresh after the public upload said:\n%s\nwant it to say the plugin is locked to index %q", r.stderr, bp.Index)
		}
		if after := readFile(t, filepath.Join(dir, "safepip.lock")); string(after) != string(before) {
			t.Errorf("the refused relock (%s) changed the lock", args[0])
		}
	}
	noMarker(t, marker, "the refused relocks")

	venv := filepath.Join(dir, "venv")
	py := freshVenv(t, venv)
	log := filepath.Join(dir, "install.log")
	universalRun(t, dir, 0, map[string]string{"TINYBACKEND_LOG": log, "SAFEPIP_CACHE_DIR": filepath.Join(dir, "cache-install")},
		"install", "--frozen", "-r", "requirements.txt", "--python", py)
	if got := installedSet(t, venv); !slices.Equal(got, []string{"acme-lib==1.0"}) {
		t.Errorf("installed %v, want acme-lib==1.0", got)
	}
	if !slices.Contains(hookLog(t, log), "build_wheel acme-lib") {
		t.Errorf("install ran no build of acme-lib: hooks %q", hookLog(t, log))
	}
	noMarker(t, marker, "install --frozen after the public upload")
}
