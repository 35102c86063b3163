package integration

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/lock"
)

// noBinaryIndex serves acme-lib 1.0 (an sdist only, built by tinybackend)
// needing helper, helper 2.0 as a wheel and as an sdist, wheelonly 1.0 as a
// wheel only, and the build backend tinybackend 1.0 as a wheel only.
func noBinaryIndex(t *testing.T) *testindex.Server {
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	tiny := map[string]string{"pyproject.toml": testindex.TinyPyproject}
	idx.Add(testindex.Dist{Name: "acme-lib", Version: "1.0", Sdist: true, Requires: []string{"helper"}, SdistFiles: tiny})
	idx.Add(testindex.Dist{Name: "helper", Version: "2.0"})
	idx.Add(testindex.Dist{Name: "helper", Version: "2.0", Sdist: true, SdistFiles: tiny})
	idx.Add(testindex.Dist{Name: "wheelonly", Version: "1.0"})
	return idx.Serve(t)
}

// lockFileNames lists the file names the lock records for p.
func lockFileNames(p *lock.Package) []string {
	var out []string
	for _, f := range p.Files {
		out = append(out, f.Name)
	}
	slices.Sort(out)
	return out
}

// TestNoBinaryAll: `--no-binary :all:` locks and builds every runtime
// package from its sdist (its wheels are neither locked nor installed,
// and naming it allows its sdist where the policy allows wheels only),
// while the build backend stays a locked wheel; the format control is
// part of the lock's inputs; a version with only wheels is refused,
// saying where --no-binary came from; --only-binary NAME after it gives
// NAME its wheel back.
func TestNoBinaryAll(t *testing.T) {
	t.Parallel()
	srv := noBinaryIndex(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "safepip.toml"), oneIndexConfig(srv.URL)) // allow-sdist = []: wheels only
	writeFile(t, filepath.Join(dir, "requirements.txt"), "acme-lib\n")

	// the policy alone refuses acme-lib's sdist
	r := runSafepip(t, dir, nil, "lock", "-r", "requirements.txt")
	if r.code != 3 || !strings.Contains(r.stderr, "has only an sdist, and the policy allows wheels only") {
		t.Fatalf("lock without --no-binary: exit %d, want 3 naming the policy\n%s", r.code, r.stderr)
	}

	r = runSafepip(t, dir, nil, "lock", "-r", "requirements.txt", "--no-binary", ":all:")
	if r.code != 0 {
		t.Fatalf("lock --no-binary :all:: exit %d\n%s", r.code, r.stderr)
	}
	lf := readLock(t, filepath.Join(dir, "safepip.lock"))
	for _, name := range []string{"acme-lib", "helper"} {
		p := lf.Package(name)
		if p == nil {
			t.Fatalf("%s is not locked", name)
		}
		files := lockFileNames(p)
		if !p.AllowSdist || len(files) != 1 || !strings.HasSuffix(files[0], ".tar.gz") {
			t.Errorf("%s: allow-sdist %t, files %v; want its sdist alone, allowed", name, p.AllowSdist, files)
		}
	}
	if lf.Package("tinybackend") != nil {
		t.Errorf("the build backend is locked as a runtime package")
	}
	backend := lf.BuildPackage("tinybackend", "1.0")
	if backend == nil || len(backend.Files) != 1 || !strings.HasSuffix(backend.Files[0].Name, ".whl") {
		t.Fatalf("build-package tinybackend 1.0 = %+v; want it locked as its wheel: --no-binary :all: is for runtime packages only", backend)
	}

	if r := runSafepip(t, dir, nil, "lock", "-r", "requirements.txt", "--no-binary", ":all:", "--check"); r.code != 0 {
		t.Errorf("lock --check with the same --no-binary: exit %d, want 0\n%s", r.code, r.stderr)
	}

	// the format control is an input: without it the lock is stale
	python := freshVenv(t, filepath.Join(dir, "venv"))
	if r := runSafepip(t, dir, nil, "install", "-r", "requirements.txt", "--frozen", "--python", python); r.code != 1 || !strings.Contains(r.stderr, "stale") {
		t.Errorf("install --frozen without --no-binary: exit %d, want 1 (stale)\n%s", r.code, r.stderr)
	}
	r = runSafepip(t, dir, nil, "install", "-r", "requirements.txt", "--no-binary", ":all:", "--frozen", "--python", python)
	if r.code != 0 {
		t.Fatalf("install --frozen --no-binary :all:: exit %d\n%s", r.code, r.stderr)
	}
	for _, name := range []string{"acme-lib", "helper"} {
		wheel := pythonSays(t, python, "import importlib.metadata as m; print(m.distribution('"+name+"').read_text('WHEEL'))")
		if !strings.Contains(wheel, "Generator: tinybackend") {
			t.Errorf("%s was not installed from a wheel built from its sdist; WHEEL:\n%s", name, wheel)
		}
	}
	if got := installedSet(t, filepath.Join(dir, "venv")); !slices.Equal(got, []string{"acme-lib==1.0", "helper==2.0"}) {
		t.Errorf("installed %v, want acme-lib==1.0 and helper==2.0 (the build backend stays out of the target)", got)
	}

	// --only-binary after it gives helper its wheel back
	r = runSafepip(t, dir, nil, "lock", "-r", "requirements.txt", "--no-binary", ":all:", "--only-binary", "helper")
	if r.code != 0 {
		t.Fatalf("lock --no-binary :all: --only-binary helper: exit %d\n%s", r.code, r.stderr)
	}
	lf = readLock(t, filepath.Join(dir, "safepip.lock"))
	if p := lf.Package("helper"); p == nil || p.AllowSdist || !slices.Contains(lockFileNames(p), "helper-2.0-py3-none-any.whl") {
		t.Errorf("helper under --only-binary = %+v; want its wheel locked and its sdist not allowed", p)
	}

	// a version with only wheels cannot serve --no-binary
	writeFile(t, filepath.Join(dir, "requirements.txt"), "--no-binary wheelonly\nwheelonly\n")
	r = runSafepip(t, dir, nil, "lock", "-r", "requirements.txt")
	if r.code != 3 || !strings.Contains(r.stderr, "wheelonly which has only wheels, and --no-binary (from ") || !strings.Contains(r.stderr, "requirements.txt:1) forbids them") {
		t.Errorf("lock of a wheel-only project under --no-binary: exit %d, want 3 with the reason and requirements.txt:1\n%s", r.code, r.stderr)
	}
}
