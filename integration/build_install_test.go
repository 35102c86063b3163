package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/internal/testindex"
)

// sdistOnly is an sdist-only project built by tinybackend, whose backend
// also asks for tiny-extra (get_requires_for_build_wheel); fail, when not
// "", makes every build hook fail saying it.
func sdistOnly(name, fail string) testindex.Dist {
	module := strings.ReplaceAll(name, "-", "_")
	tiny := fmt.Sprintf(`{"name": %q, "version": "1.0", "module": %q, "dependencies": [], "get_requires": ["tiny-extra>=1"], "fail": %q}`, name, module, fail)
	return testindex.Dist{Name: name, Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml": testindex.TinyPyproject,
		"tiny.json":      tiny,
		// static metadata (PEP 643): the lock reads it without a build
		"PKG-INFO":              fmt.Sprintf("Metadata-Version: 2.2\nName: %s\nVersion: 1.0\n", name),
		module + "/__init__.py": "GREETING = 'built from source'\n",
	}}
}

// buildProject writes requirements.txt and safepip.toml for one index
// that allows the sdist of name, and returns the index.
func buildProject(t *testing.T, dir, name, fail string) *testindex.Index {
	t.Helper()
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "tiny-extra", Version: "1.2"})
	idx.Add(sdistOnly(name, fail))
	srv := idx.Serve(t)
	writeFile(t, filepath.Join(dir, "requirements.txt"), name+"\n")
	writeFile(t, filepath.Join(dir, "safepip.toml"), fmt.Sprintf(
		"[[index]]\nname = \"internal\"\nurl = %q\ndefault = true\n\n[policy]\nallow-sdist = [%q]\n", srv.URL, name))
	return idx
}

// hookLines are the hooks tinybackend logged ("<hook> <name>"), without
// the settings lines build_wheel adds.
func hookLines(t *testing.T, path string) []string {
	t.Helper()
	var hooks []string
	for _, l := range hookLog(t, path) {
		if strings.HasPrefix(l, "get_requires") || strings.HasPrefix(l, "build_") || strings.HasPrefix(l, "prepare_") {
			hooks = append(hooks, l)
		}
	}
	return hooks
}

// TestBuildInstallSdist locks an sdist-only project: its [build-system]
// requires (tinybackend) and what the backend's get_requires hook adds
// (tiny-extra) are locked as its build-dependencies and as
// [[build-package]] wheels with their hashes; install builds it in a
// sandbox of those files into a real venv, where it imports; a second
// install of the same lock into a fresh venv takes the built wheel from
// the cache and runs no hook.
func TestBuildInstallSdist(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	idx := buildProject(t, dir, "acme-lib", "")
	hooks := filepath.Join(dir, "hooks.log")
	env := map[string]string{"TINYBACKEND_LOG": hooks}
	universalRun(t, dir, 0, env, "lock", "-r", "requirements.txt")

	lockPath := filepath.Join(dir, "safepip.lock")
	lf := readLock(t, lockPath)
	p := lf.Package("acme-lib")
	if p == nil || !p.AllowSdist {
		t.Fatalf("acme-lib is not locked as an allowed sdist:\n%s", readFile(t, lockPath))
	}
	if want := []string{"tiny-extra==1.2", "tinybackend==1.0"}; !slices.Equal(p.BuildDependencies, want) {
		t.Errorf("acme-lib build-dependencies = %q, want %q", p.BuildDependencies, want)
	}
	for _, want := range []*testindex.File{idx.File("tinybackend-1.0-py3-none-any.whl"), idx.File("tiny_extra-1.2-py3-none-any.whl")} {
		bp := lf.BuildPackage(want.Project, want.Version)
		if bp == nil {
			t.Errorf("no [[build-package]] %s %s:\n%s", want.Project, want.Version, readFile(t, lockPath))
			continue
		}
		if bp.Index != "internal" || !slices.Equal(bp.RequiredBy, []string{"acme-lib"}) || len(bp.Files) != 1 || bp.Files[0].SHA256 != want.SHA256 {
			t.Errorf("[[build-package]] %s = index %q, required-by %q, files %+v; want internal, [acme-lib], %s sha256 %s",
				bp.Name, bp.Index, bp.RequiredBy, bp.Files, want.Filename, want.SHA256)
		}
		if lf.Package(want.Project) != nil {
			t.Errorf("build dependency %s is locked as a runtime package: it would be installed into the target", want.Project)
		}
	}
	if got := hookLines(t, hooks); !slices.Equal(got, []string{"get_requires_for_build_wheel acme-lib"}) {
		t.Errorf("hooks run by the lock = %q, want only get_requires_for_build_wheel (the metadata is static)", got)
	}

	os.Remove(hooks)
	venv := filepath.Join(dir, "venv")
	python := freshVenv(t, venv)
	out := universalRun(t, dir, 0, env, "install", "--frozen", "--python", python)
	if strings.Contains(out, "not hash-locked") {
		t.Errorf("install still warns that build dependencies are not hash-locked:\n%s", out)
	}
	if got := hookLines(t, hooks); !slices.Contains(got, "build_wheel acme-lib") {
		t.Errorf("install did not build acme-lib: hooks %q", got)
	}
	if got := pythonSays(t, python, "import acme_lib; print(acme_lib.GREETING)"); got != "built from source" {
		t.Errorf("import acme_lib in the venv printed %q", got)
	}
	for _, tool := range []string{"tinybackend", "tiny_extra"} {
		if _, err := os.Stat(filepath.Join(sitePackagesDir(t, venv), tool)); err == nil {
			t.Errorf("build dependency %s was installed into the target venv", tool)
		}
	}

	// The same lock into a fresh venv: the built wheel comes from the
	// cache, and no hook runs.
	os.Remove(hooks)
	python2 := freshVenv(t, filepath.Join(dir, "venv2"))
	out = universalRun(t, dir, 0, env, "install", "--frozen", "--python", python2)
	if !strings.Contains(out, "acme-lib 1.0: built wheel from cache") {
		t.Errorf("the second install does not say it took the built wheel from the cache:\n%s", out)
	}
	if got := hookLines(t, hooks); len(got) > 0 {
		t.Errorf("the second install ran hooks %q, want none", got)
	}
	if got := pythonSays(t, python2, "import acme_lib; print(acme_lib.GREETING)"); got != "built from source" {
		t.Errorf("import acme_lib in the second venv printed %q", got)
	}

	// --dry-run says what would be built, with what.
	out = universalRun(t, dir, 0, nil, "install", "--frozen", "--dry-run", "--python", python2, "--force-reinstall")
	if want := "acme-lib 1.0 from sdist acme_lib-1.0.tar.gz, with tiny-extra==1.2, tinybackend==1.0"; !strings.Contains(out, want) {
		t.Errorf("install --dry-run does not say %q:\n%s", want, out)
	}
}

// sitePackagesDir is venv's site-packages directory.
func sitePackagesDir(t *testing.T, venv string) string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages"))
	if err != nil || len(dirs) != 1 {
		t.Fatalf("site-packages of %s: %v %q", venv, err, dirs)
	}
	return dirs[0]
}

// TestBuildInstallNoBuildIsolation: a [policy] no-build-isolation project
// locks no build dependencies and is built in the target environment
// itself, with the backend the target holds; a target without it fails
// the build (exit 5) rather than fetching anything.
func TestBuildInstallNoBuildIsolation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	idx := testindex.New(t)
	idx.Add(sdistOnly("acme-native", ""))
	srv := idx.Serve(t)
	writeFile(t, filepath.Join(dir, "requirements.txt"), "acme-native\n")
	writeFile(t, filepath.Join(dir, "safepip.toml"), fmt.Sprintf(
		"[[index]]\nname = \"internal\"\nurl = %q\ndefault = true\n\n[policy]\nallow-sdist = [\"acme-native\"]\nno-build-isolation = [\"acme-native\"]\n", srv.URL))
	universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt")
	lf := readLock(t, filepath.Join(dir, "safepip.lock"))
	if p := lf.Package("acme-native"); p == nil || len(p.BuildDependencies) > 0 || len(lf.BuildPackages) > 0 {
		t.Fatalf("a no-build-isolation project locked build dependencies:\n%s", readFile(t, filepath.Join(dir, "safepip.lock")))
	}

	bare := freshVenv(t, filepath.Join(dir, "bare"))
	out := universalRun(t, dir, 5, nil, "install", "--frozen", "--python", bare)
	if !strings.Contains(out, "cannot be loaded") {
		t.Errorf("a target without the backend: the message does not say the backend cannot be loaded:\n%s", out)
	}

	python := freshVenv(t, filepath.Join(dir, "venv"))
	backend, err := testindex.Build(testindex.TinyBackend("tinybackend", "1.0"))
	if err != nil {
		t.Fatal(err)
	}
	whl := filepath.Join(dir, backend.Filename)
	writeFile(t, whl, string(backend.Data))
	if out, err := runPip(python, nil, "install", "--no-index", "--no-deps", whl); err != nil {
		t.Fatalf("installing the backend into the target: %v\n%s", err, out)
	}
	universalRun(t, dir, 0, nil, "install", "--frozen", "--python", python)
	if got := pythonSays(t, python, "import acme_native; print(acme_native.GREETING)"); got != "built from source" {
		t.Errorf("import acme_native printed %q", got)
	}
}
