package install

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/verify"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

// buildLock adds to the universal lock an sdist-only package with build
// dependencies (one for Linux and macOS wheels only, one below 3.11 only),
// an editable directory and a git commit.
func buildLock(t *testing.T) *lock.File {
	t.Helper()
	lf := universalLock(t)
	sum := func(c string) string { return strings.Repeat(c, 64) }
	lf.Packages = append(lf.Packages,
		lock.Package{Name: "acme-lib", Version: "1.0", Index: "pypi", AllowSdist: true,
			BuildDependencies: []string{"setuptools==69.0.0", "tomli==2.0.1 ; python_version < '3.11'", "acme-native-plugin==1.0"},
			Files:             []lock.Dist{{Name: "acme_lib-1.0.tar.gz", SHA256: sum("a")}}},
		lock.Package{Name: "myproject", Version: "0.1.0", Source: &lock.Source{Path: ".", Editable: true},
			BuildDependencies: []string{"setuptools==69.0.0"}},
		lock.Package{Name: "gitpkg", Version: "2.0", Source: &lock.Source{Git: "https://git.example/repo.git", Commit: commit}},
	)
	lf.BuildPackages = []lock.Package{
		{Name: "setuptools", Version: "69.0.0", Index: "pypi", RequiredBy: []string{"acme-lib", "myproject"},
			Files: []lock.Dist{{Name: "setuptools-69.0.0-py3-none-any.whl", SHA256: sum("b")}}},
		{Name: "tomli", Version: "2.0.1", Index: "pypi", RequiredBy: []string{"acme-lib"},
			Files: []lock.Dist{{Name: "tomli-2.0.1-py3-none-any.whl", SHA256: sum("c")}}},
		{Name: "acme-native-plugin", Version: "1.0", Index: "pypi", RequiredBy: []string{"acme-lib"}, Files: []lock.Dist{
			{Name: "acme_native_plugin-1.0-cp39-abi3-manylinux_2_17_x86_64.whl", SHA256: sum("d")},
			{Name: "acme_native_plugin-1.0-py3-none-any.whl", SHA256: sum("e")},
			{Name: "acme_native_plugin-1.0-cp39-abi3-macosx_11_0_arm64.whl", SHA256: sum("f")},
		}},
	}
	if _, err := lock.Marshal(lf); err != nil {
		t.Fatalf("the hand-written build lock is invalid: %v", err)
	}
	return lf
}

func TestSelectBuiltPackages(t *testing.T) {
	lf := buildLock(t)
	env, supported := environment(t, "3.11", "manylinux_2_35_x86_64")
	choices, err := Select(lf, supported, env)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Choice{}
	for _, c := range choices {
		got[c.Package.Name] = c
	}
	if c := got["acme-lib"]; !c.Sdist || !c.Build || c.File.Name != "acme_lib-1.0.tar.gz" {
		t.Errorf("acme-lib (sdist only, allowed) = %+v, want its sdist with Sdist and Build", c)
	}
	for _, name := range []string{"myproject", "gitpkg"} {
		if c := got[name]; !c.Build || c.Sdist || c.File != (lock.Dist{}) || c.Package == nil || c.Package.Source == nil {
			t.Errorf("%s (a source) = %+v, want Build and no file", name, c)
		}
	}
	if c := got["six"]; c.Build || c.Sdist || c.File.Name != "six-1.16.0-py2.py3-none-any.whl" {
		t.Errorf("six (a wheel) = %+v, want its wheel, not built", c)
	}
}

func TestSelectBuild(t *testing.T) {
	lf := buildLock(t)
	tests := []struct {
		py, platform string
		want         string
	}{
		// setuptools everywhere; tomli below 3.11 only; the plugin's own
		// platform wheel ranks above its pure wheel.
		{"3.10", "manylinux_2_35_x86_64", "acme-native-plugin acme_native_plugin-1.0-cp39-abi3-manylinux_2_17_x86_64.whl; setuptools setuptools-69.0.0-py3-none-any.whl; tomli tomli-2.0.1-py3-none-any.whl"},
		{"3.11", "manylinux_2_35_x86_64", "acme-native-plugin acme_native_plugin-1.0-cp39-abi3-manylinux_2_17_x86_64.whl; setuptools setuptools-69.0.0-py3-none-any.whl"},
		{"3.12", "macosx_14_0_arm64", "acme-native-plugin acme_native_plugin-1.0-cp39-abi3-macosx_11_0_arm64.whl; setuptools setuptools-69.0.0-py3-none-any.whl"},
		{"3.9", "win_amd64", "acme-native-plugin acme_native_plugin-1.0-py3-none-any.whl; setuptools setuptools-69.0.0-py3-none-any.whl; tomli tomli-2.0.1-py3-none-any.whl"},
	}
	for _, tt := range tests {
		env, supported := environment(t, tt.py, tt.platform)
		choices, err := SelectBuild(lf, lf.Package("acme-lib"), supported, env)
		if err != nil {
			t.Errorf("SelectBuild(acme-lib, %s on %s): %v", tt.py, tt.platform, err)
			continue
		}
		var got []string
		for _, c := range choices {
			if c.Build || c.Sdist {
				t.Errorf("build dependency %s chosen to be built: %+v", c.Package.Name, c)
			}
			got = append(got, c.Package.Name+" "+c.File.Name)
		}
		if g := strings.Join(got, "; "); g != tt.want {
			t.Errorf("SelectBuild(acme-lib, %s on %s) =\n  %s\nwant\n  %s", tt.py, tt.platform, g, tt.want)
		}
	}
	env, supported := environment(t, "3.12", "manylinux_2_35_x86_64")
	if choices, err := SelectBuild(lf, lf.Package("gitpkg"), supported, env); err != nil || len(choices) != 0 {
		t.Errorf("SelectBuild of a package without build dependencies = %v, %v; want none", choices, err)
	}
	if choices, err := SelectBuild(lf, lf.Package("myproject"), supported, env); err != nil || len(choices) != 1 || choices[0].Package != lf.BuildPackage("setuptools", "69.0.0") {
		t.Errorf("SelectBuild(myproject) = %v, %v; want the shared setuptools entry", choices, err)
	}
}

func TestSelectBuildNoWheelNamesBothPackages(t *testing.T) {
	lf := buildLock(t)
	plugin := lf.BuildPackage("acme-native-plugin", "1.0")
	// platform wheels for Linux and macOS only
	plugin.Files = slices.DeleteFunc(plugin.Files, func(d lock.Dist) bool { return strings.Contains(d.Name, "none-any") })
	env, supported := environment(t, "3.12", "win_amd64")
	_, err := SelectBuild(lf, lf.Package("acme-lib"), supported, env)
	var nf *NoFileError
	if !errors.As(err, &nf) {
		t.Fatalf("SelectBuild on Windows = %v, want a NoFileError", err)
	}
	for _, want := range []string{
		"build dependency acme-native-plugin 1.0 of acme-lib 1.0 has no wheel for CPython 3.12.1 on win32 AMD64",
		"the lock has acme_native_plugin-1.0-cp39-abi3-macosx_11_0_arm64.whl, acme_native_plugin-1.0-cp39-abi3-manylinux_2_17_x86_64.whl;",
		"cp312-cp312-win_amd64",
		"build dependencies are always wheels",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if nf.Package != "acme-native-plugin" || nf.BuildOf != "acme-lib 1.0" {
		t.Errorf("NoFileError = %+v, want Package acme-native-plugin, BuildOf acme-lib 1.0", nf)
	}
}

func TestSelectBuildDanglingReference(t *testing.T) {
	lf := buildLock(t)
	lf.Package("acme-lib").BuildDependencies = []string{"setuptools==70.0"} // a lock edited by hand
	env, supported := environment(t, "3.12", "win_amd64")
	_, err := SelectBuild(lf, lf.Package("acme-lib"), supported, env)
	if err == nil || !strings.Contains(err.Error(), "acme-lib 1.0: build dependency setuptools==70.0 is not among the [[build-package]] entries") {
		t.Errorf("SelectBuild with a dangling reference = %v", err)
	}
}

// TestFetchBuildChoices fetches, from a real index on loopback, a wheel,
// an sdist to build and its build dependencies, next to a directory
// source: the files are hashed and checked like any other, the source has
// nothing to fetch. A build dependency changed on the index after locking
// is a hash mismatch.
func TestFetchBuildChoices(t *testing.T) {
	idx := testindex.New(t)
	six := idx.Add(testindex.Dist{Name: "six", Version: "1.16.0"})
	lib := idx.Add(testindex.Dist{Name: "acme-lib", Version: "1.0", Sdist: true, Requires: []string{"six"}})
	backend := idx.Add(testindex.Dist{Name: "acme-backend", Version: "1.0", Requires: []string{"acme-helper>=1"}})
	helper := idx.Add(testindex.Dist{Name: "acme-helper", Version: "1.0"})
	srv := idx.Serve(t)
	dist := func(f *testindex.File) []lock.Dist {
		return []lock.Dist{{Name: f.Filename, URL: srv.FileURL(f.Filename), SHA256: f.SHA256}}
	}
	lf := &lock.File{
		Version: lock.FormatVersion, CreatedBy: "safepip test", Inputs: lock.Digest([]byte("x")),
		Indexes: []lock.Index{{Name: "internal", URL: srv.URL}},
		Packages: []lock.Package{
			{Name: "six", Version: "1.16.0", Index: "internal", RequiredBy: []string{"acme-lib"}, Files: dist(six)},
			{Name: "acme-lib", Version: "1.0", Index: "internal", AllowSdist: true, Dependencies: []string{"six"},
				BuildDependencies: []string{"acme-backend==1.0", "acme-helper==1.0"}, RequiredBy: []string{lock.RootName}, Files: dist(lib)},
			{Name: "myproject", Version: "0.1.0", Source: &lock.Source{Path: "."}, BuildDependencies: []string{"acme-backend==1.0", "acme-helper==1.0"}},
		},
		BuildPackages: []lock.Package{
			{Name: "acme-backend", Version: "1.0", Index: "internal", Dependencies: []string{"acme-helper"}, RequiredBy: []string{"acme-lib", "myproject"}, Files: dist(backend)},
			{Name: "acme-helper", Version: "1.0", Index: "internal", RequiredBy: []string{"acme-lib", "myproject"}, Files: dist(helper)},
		},
	}
	if _, err := lock.Marshal(lf); err != nil {
		t.Fatal(err)
	}
	env, supported := environment(t, "3.11", "manylinux_2_35_x86_64")
	choices, err := Select(lf, supported, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range choices {
		if !c.Build {
			continue
		}
		deps, err := SelectBuild(lf, c.Package, supported, env)
		if err != nil {
			t.Fatal(err)
		}
		choices = append(choices, deps...)
	}
	if len(choices) != 7 {
		t.Fatalf("%d choices, want 3 packages and 2 build dependencies of each of 2", len(choices))
	}
	client, err := index.NewClient(index.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Flush) // downloads abandoned by a failed Fetch end before the cache is removed
	where := func(p *lock.Package, d lock.Dist) (index.Index, string, error) {
		return index.Index{Name: "internal", URL: srv.URL}, d.URL, nil
	}
	fetched, err := Fetch(context.Background(), client, where, choices, env, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(fetched) != len(choices) {
		t.Fatalf("Fetch returned %d, want one per choice (%d)", len(fetched), len(choices))
	}
	for i, f := range fetched {
		if f.Package != choices[i].Package {
			t.Errorf("fetched[%d] is %s, want %s: one per choice, in order", i, f.Package.Name, choices[i].Package.Name)
		}
		if f.Package.Source != nil {
			if f.Path != "" || !f.Build {
				t.Errorf("source %s fetched as %+v, want no path and Build", f.Package.Name, f)
			}
			continue
		}
		got, err := verify.FileSHA256(f.Path)
		if err != nil || got != f.File.SHA256 {
			t.Errorf("%s on disk at %s: sha256 %s, %v; want %s", f.File.Name, f.Path, got, err, f.File.SHA256)
		}
	}
	for _, name := range []string{backend.Filename, helper.Filename} {
		if n := srv.Count("/files/" + name); n != 1 {
			t.Errorf("%s, shared by two builds, was downloaded %d times, want once", name, n)
		}
	}

	// The build backend is replaced on the index after locking.
	evil := idx.Add(testindex.Dist{Name: "acme-backend", Version: "1.0", Requires: []string{"acme-helper>=1"}, Files: map[string]string{"acme_backend/__init__.py": "raise SystemExit('not the locked backend')"}})
	if evil.SHA256 == backend.SHA256 {
		t.Fatal("the replaced wheel has the same bytes")
	}
	client, err = index.NewClient(index.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Flush)
	_, err = Fetch(context.Background(), client, where, choices, env, 4)
	var hm *HashMismatchError
	if !errors.As(err, &hm) || hm.Package != "acme-backend" || hm.Want != backend.SHA256 || hm.Got != evil.SHA256 {
		t.Fatalf("Fetch of a replaced build dependency = %v, want a HashMismatchError for acme-backend", err)
	}
}

// TestFetchBuildDependencyMetadata: a build dependency's wheel whose
// METADATA names a dependency its [[build-package]] entry lacks is refused,
// as a runtime wheel is.
func TestFetchBuildDependencyMetadata(t *testing.T) {
	idx := testindex.New(t)
	backend := idx.Add(testindex.Dist{Name: "acme-backend", Version: "1.0", Requires: []string{"evil-helper"}})
	srv := idx.Serve(t)
	bp := &lock.Package{Name: "acme-backend", Version: "1.0", Index: "internal", Dependencies: []string{},
		Files: []lock.Dist{{Name: backend.Filename, URL: srv.FileURL(backend.Filename), SHA256: backend.SHA256}}}
	client, err := index.NewClient(index.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Flush) // downloads abandoned by a failed Fetch end before the cache is removed
	where := func(p *lock.Package, d lock.Dist) (index.Index, string, error) {
		return index.Index{Name: "internal", URL: srv.URL}, d.URL, nil
	}
	env, _ := environment(t, "3.11", "manylinux_2_35_x86_64")
	_, err = Fetch(context.Background(), client, where, []Choice{{Package: bp, File: bp.Files[0]}}, env, 1)
	var mm *MetadataMismatchError
	if !errors.As(err, &mm) || mm.Field != "Requires-Dist" || mm.InWheel != "evil-helper" {
		t.Errorf("Fetch of a build dependency with an unlocked dependency = %v, want a Requires-Dist MetadataMismatchError", err)
	}
}
