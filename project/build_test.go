package project

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/build"
	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/internal/testsigstore"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/resolver"
	"github.com/safepip/safepip/verify"
)

// The tests below lock with the real interpreter (python3) running the
// build hooks of tinybackend, served by a loopback index.

func noEnv(string) (string, bool) { return "", false }

// tinySdist is an sdist of name 1.0 built by tinybackend; tiny is its
// tiny.json ("" for the one testindex writes), pkgInfo its PKG-INFO ("" for
// a dynamic Metadata-Version 2.1 one).
func tinySdist(name, tiny, pkgInfo string, requires ...string) testindex.Dist {
	files := map[string]string{"pyproject.toml": testindex.TinyPyproject}
	if tiny != "" {
		files["tiny.json"] = tiny
	}
	if pkgInfo != "" {
		files["PKG-INFO"] = pkgInfo
	}
	return testindex.Dist{Name: name, Version: "1.0", Sdist: true, Requires: requires, SdistFiles: files}
}

// buildLockDir writes safepip.toml (one default index, policy appended)
// and requirements.txt in a new directory.
func buildLockDir(t *testing.T, indexURL, policy string, reqs ...string) (string, *Env) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "safepip.toml", fmt.Sprintf("[[index]]\nname = \"internal\"\nurl = %q\ndefault = true\n\n[policy]\n%s\n", indexURL, policy))
	writeFile(t, dir, "requirements.txt", strings.Join(reqs, "\n")+"\n")
	return dir, &Env{Dir: dir, CacheDir: filepath.Join(dir, "cache"), Getenv: noEnv}
}

// writeIn writes dir/name, making dir first.
func writeIn(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, name, data)
}

func lockReqs(dir string) LockOptions {
	return LockOptions{Requirements: []string{filepath.Join(dir, "requirements.txt")}}
}

// TestLockBuildDependencies locks an allowed sdist: its build-system
// requires and its get_requires answer are resolved together (with their
// own dependencies), recorded as sorted references, and the build packages
// are wheels shared by the packages whose builds need them.
func TestLockBuildDependencies(t *testing.T) {
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "tiny-extra", Version: "1.2", Requires: []string{"tiny-helper"}})
	idx.Add(testindex.Dist{Name: "tiny-extra", Version: "1.2", Sdist: true}) // never a build dependency
	idx.Add(testindex.Dist{Name: "tiny-helper", Version: "3.0"})
	idx.Add(tinySdist("acme-a", `{"name": "acme-a", "version": "1.0", "module": "acme_a", "get_requires": ["tiny-extra"]}`, "Metadata-Version: 2.2\nName: acme-a\nVersion: 1.0\nRequires-Dist: acme-b\n"))
	idx.Add(tinySdist("acme-b", "", "Metadata-Version: 2.2\nName: acme-b\nVersion: 1.0\n"))
	srv := idx.Serve(t)
	dir, env := buildLockDir(t, srv.URL, `allow-sdist = ["acme-a", "acme-b"]`, "acme-a")
	res, err := Lock(context.Background(), env, lockReqs(dir))
	if err != nil {
		t.Fatal(err)
	}
	lf := res.Lock
	wantRefs := map[string][]string{
		"acme-a": {"tiny-extra==1.2", "tiny-helper==3.0", "tinybackend==1.0"},
		"acme-b": {"tinybackend==1.0"},
	}
	for name, want := range wantRefs {
		if p := lf.Package(name); p == nil || !slices.Equal(p.BuildDependencies, want) {
			t.Errorf("%s build-dependencies = %v, want %q", name, p, want)
		}
	}
	wantPkgs := map[string][]string{"tiny-extra": {"acme-a"}, "tiny-helper": {"acme-a"}, "tinybackend": {"acme-a", "acme-b"}}
	if len(lf.BuildPackages) != len(wantPkgs) {
		t.Errorf("%d build packages, want %d: %+v", len(lf.BuildPackages), len(wantPkgs), lf.BuildPackages)
	}
	for _, bp := range lf.BuildPackages {
		if !slices.Equal(bp.RequiredBy, wantPkgs[bp.Name]) {
			t.Errorf("build package %s required-by %q, want %q", bp.Name, bp.RequiredBy, wantPkgs[bp.Name])
		}
		for _, f := range bp.Files {
			if !strings.HasSuffix(f.Name, ".whl") {
				t.Errorf("build package %s locks %s: build dependencies are wheels only", bp.Name, f.Name)
			}
		}
	}
	if bp := lf.BuildPackage("tiny-extra", "1.2"); bp == nil || !slices.Equal(bp.Dependencies, []string{"tiny-helper"}) {
		t.Errorf("tiny-extra's build package = %+v, want dependencies [tiny-helper]", bp)
	}
	// Locking again changes nothing: the build packages are preferred.
	again, err := Lock(context.Background(), env, lockReqs(dir))
	if err != nil || again.Written {
		t.Errorf("a second lock: written %v, %v; want the same bytes", again != nil && again.Written, err)
	}
	check := lockReqs(dir)
	check.Check = true
	if _, err := Lock(context.Background(), env, check); err != nil {
		t.Errorf("lock --check after lock: %v", err)
	}
}

// TestLockBuildConstraints: [policy] build-constraints restricts the
// build-dependency resolutions, and is part of the inputs digest.
func TestLockBuildConstraints(t *testing.T) {
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.TinyBackend("tinybackend", "2.0"))
	idx.Add(tinySdist("acme-a", "", "Metadata-Version: 2.2\nName: acme-a\nVersion: 1.0\n"))
	srv := idx.Serve(t)
	dir, env := buildLockDir(t, srv.URL, `allow-sdist = ["acme-a"]`, "acme-a")
	res, err := Lock(context.Background(), env, lockReqs(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Lock.Package("acme-a").BuildDependencies; !slices.Equal(got, []string{"tinybackend==2.0"}) {
		t.Errorf("unconstrained build-dependencies = %q, want the newest tinybackend", got)
	}
	writeFile(t, dir, "build-constraints.txt", "tinybackend<2\n")
	writeFile(t, dir, "safepip.toml", fmt.Sprintf("[[index]]\nname = \"internal\"\nurl = %q\ndefault = true\n\n[policy]\nallow-sdist = [\"acme-a\"]\nbuild-constraints = \"build-constraints.txt\"\n", srv.URL))
	res2, err := Lock(context.Background(), env, lockReqs(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := res2.Lock.Package("acme-a").BuildDependencies; !slices.Equal(got, []string{"tinybackend==1.0"}) {
		t.Errorf("build-dependencies under tinybackend<2 = %q, want tinybackend==1.0", got)
	}
	if res.Lock.Inputs == res2.Lock.Inputs {
		t.Error("build-constraints did not change the inputs digest")
	}
	writeFile(t, dir, "build-constraints.txt", "tinybackend<1.5\n")
	check := lockReqs(dir)
	check.Check = true
	var stale *StaleError
	if _, err := Lock(context.Background(), env, check); !errors.As(err, &stale) {
		t.Errorf("lock --check after the build constraints changed = %v, want stale", err)
	}
	writeFile(t, dir, "build-constraints.txt", "tinybackend<2\nacme @ https://example.com/acme-1.0-py3-none-any.whl\n")
	var ie *InputError
	if _, err := Lock(context.Background(), env, lockReqs(dir)); !errors.As(err, &ie) || !strings.Contains(err.Error(), "build-constraints.txt:2") || !strings.Contains(err.Error(), "a build constraint is a project name") {
		t.Errorf("a URL in build-constraints = %v, want an input error naming its line", err)
	}
}

// TestLockBuildRequirementErrors: a build requirement no index has, or
// one served by two indexes without a pin, is a resolution failure (exit
// 3) naming the package whose build needs it.
func TestLockBuildRequirementErrors(t *testing.T) {
	idx := testindex.New(t)
	idx.Add(testindex.Dist{Name: "acme-a", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml": "[build-system]\nrequires = [\"acme-build-plugin>=1\"]\nbuild-backend = \"acme_build_plugin.build\"\n",
		"PKG-INFO":       "Metadata-Version: 2.2\nName: acme-a\nVersion: 1.0\n",
	}})
	srv := idx.Serve(t)
	dir, env := buildLockDir(t, srv.URL, `allow-sdist = ["acme-a"]`, "acme-a")
	_, err := Lock(context.Background(), env, lockReqs(dir))
	var nf *config.NotFoundError
	var ns *resolver.NoSolutionError
	if !errors.As(err, &nf) && !errors.As(err, &ns) || !strings.Contains(err.Error(), "resolving the build dependencies of acme-a, sdist acme_a-1.0.tar.gz [acme-build-plugin>=1]") {
		t.Errorf("an unresolvable build requirement = %v (%T), want a resolution error naming acme-a", err, err)
	}

	public := testindex.New(t)
	public.Add(testindex.TinyBackend("acme-build-plugin", "99.0"))
	pubSrv := public.Serve(t)
	private := testindex.New(t)
	private.Add(testindex.TinyBackend("acme-build-plugin", "1.0"))
	private.Add(idx.Files("acme-a")[0].Dist)
	privSrv := private.Serve(t)
	writeFile(t, dir, "safepip.toml", fmt.Sprintf("[[index]]\nname = \"public\"\nurl = %q\ndefault = true\n\n[[index]]\nname = \"private\"\nurl = %q\n\n[policy]\nallow-sdist = [\"acme-a\"]\n", pubSrv.URL, privSrv.URL))
	writeFile(t, dir, "requirements.txt", "acme-a\n")
	_, err = Lock(context.Background(), env, lockReqs(dir))
	var amb *config.AmbiguousError
	if !errors.As(err, &amb) || !strings.Contains(err.Error(), "the build dependencies of acme-a") {
		t.Errorf("a build requirement on two indexes = %v, want ambiguity naming acme-a", err)
	}
}

// TestLockNoBuildIsolation: a [policy] no-build-isolation project locks no
// build dependencies (the target environment provides them).
func TestLockNoBuildIsolation(t *testing.T) {
	idx := testindex.New(t)
	idx.Add(tinySdist("acme-native", "", "Metadata-Version: 2.2\nName: acme-native\nVersion: 1.0\n"))
	srv := idx.Serve(t)
	dir, env := buildLockDir(t, srv.URL, "allow-sdist = [\"acme-native\"]\nno-build-isolation = [\"Acme_Native\"]", "acme-native")
	res, err := Lock(context.Background(), env, lockReqs(dir))
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Lock.Package("acme-native"); p == nil || len(p.BuildDependencies) > 0 || len(res.Lock.BuildPackages) > 0 {
		t.Errorf("a no-build-isolation package locked build dependencies: %+v, %+v", p, res.Lock.BuildPackages)
	}
}

// TestLockDynamicSdistMetadata: an sdist whose PKG-INFO is not static gets
// its dependencies from the backend's prepare_metadata_for_build_wheel.
func TestLockDynamicSdistMetadata(t *testing.T) {
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "plainlib", Version: "2.0"})
	d := tinySdist("acme-dyn", "", "Metadata-Version: 2.1\nName: acme-dyn\nVersion: 1.0\nRequires-Dist: acme-decoy\n", "plainlib")
	idx.Add(d)
	srv := idx.Serve(t)
	dir, env := buildLockDir(t, srv.URL, `allow-sdist = ["acme-dyn"]`, "acme-dyn")
	hooks := filepath.Join(dir, "hooks.log")
	t.Setenv("TINYBACKEND_LOG", hooks)
	res, err := Lock(context.Background(), env, lockReqs(dir))
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Lock.Package("acme-dyn"); p == nil || !slices.Equal(p.Dependencies, []string{"plainlib"}) || !slices.Equal(p.BuildDependencies, []string{"tinybackend==1.0"}) {
		t.Errorf("acme-dyn = %+v, want the backend's dependencies [plainlib] and build-dependencies [tinybackend==1.0]", p)
	}
	// one build environment serves both the build requirements and the
	// metadata, since get_requires asks for nothing more
	data, _ := os.ReadFile(hooks)
	if got, want := strings.Fields(string(data)), []string{"get_requires_for_build_wheel", "acme-dyn", "prepare_metadata_for_build_wheel", "acme-dyn"}; !slices.Equal(got, want) {
		t.Errorf("hooks run = %q, want %q", got, want)
	}

	// A backend whose get_requires asks for more: locked, then the
	// metadata is built with it.
	idx.Add(testindex.Dist{Name: "tiny-extra", Version: "1.2"})
	idx.Add(tinySdist("acme-more", `{"name": "acme-more", "version": "1.0", "module": "acme_more", "dependencies": ["plainlib"], "get_requires": ["tiny-extra"]}`, "Metadata-Version: 2.1\nName: acme-more\nVersion: 1.0\n"))
	writeFile(t, dir, "requirements.txt", "acme-more\n")
	writeFile(t, dir, "hooks.log", "")
	writeFile(t, dir, "safepip.toml", fmt.Sprintf("[[index]]\nname = \"internal\"\nurl = %q\ndefault = true\n\n[policy]\nallow-sdist = [\"acme-more\"]\n", srv.URL))
	if res, err = Lock(context.Background(), env, lockReqs(dir)); err != nil {
		t.Fatal(err)
	}
	if p := res.Lock.Package("acme-more"); p == nil || !slices.Equal(p.Dependencies, []string{"plainlib"}) || !slices.Equal(p.BuildDependencies, []string{"tiny-extra==1.2", "tinybackend==1.0"}) {
		t.Errorf("acme-more = %+v, want dependencies [plainlib] and build-dependencies [tiny-extra==1.2 tinybackend==1.0]", p)
	}
	// two environments: the first learns what get_requires wants
	data, _ = os.ReadFile(hooks)
	if got, want := strings.Fields(string(data)), strings.Fields("get_requires_for_build_wheel acme-more get_requires_for_build_wheel acme-more prepare_metadata_for_build_wheel acme-more"); !slices.Equal(got, want) {
		t.Errorf("hooks run for acme-more = %q, want %q", got, want)
	}
}

// TestTreeMetadata reads a source tree's metadata: static from
// pyproject.toml's [project] table (no hook), else from the backend.
func TestTreeMetadata(t *testing.T) {
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	srv := idx.Serve(t)
	dir, env := buildLockDir(t, srv.URL, "", "tinybackend")
	in, err := readInputs(env, []string{filepath.Join(dir, "requirements.txt")}, nil, Sources{}, config.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	client, err := env.newClient(index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := resolver.NewRoutedSource(in.cfg, client, nil)
	b, err := newBuilds(env, in.cfg, client, src, resolver.Options{Scope: &resolver.Scope{Markers: pep508.TrueMarker()}}, "python3", nil, func(string) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()

	static := filepath.Join(dir, "static")
	writeIn(t, static, "pyproject.toml", `[build-system]
requires = ["tinybackend"]
build-backend = "tinybackend.build"

[project]
name = "Acme_Static"
version = "2.1"
requires-python = ">=3.9"
dependencies = ["idna>=2"]

[project.optional-dependencies]
socks = ["pysocks ; sys_platform != 'win32'"]
`)
	md, err := b.treeMetadata(context.Background(), static, "requirements.txt:1")
	if err != nil {
		t.Fatal(err)
	}
	var reqs []string
	for _, r := range md.RequiresDist {
		reqs = append(reqs, r.String())
	}
	if md.Name != "acme-static" || md.Version.String() != "2.1" || md.RequiresPython.String() != ">=3.9" ||
		!slices.Equal(reqs, []string{"idna>=2", `pysocks; sys_platform != "win32" and extra == "socks"`}) {
		t.Errorf("static tree metadata = %s %s %s %q", md.Name, md.Version, md.RequiresPython, reqs)
	}
	if len(b.trees) != 0 {
		t.Error("static metadata ran a backend")
	}

	dynamic := filepath.Join(dir, "dynamic")
	writeIn(t, dynamic, "pyproject.toml", "[build-system]\nrequires = [\"tinybackend\"]\nbuild-backend = \"tinybackend.build\"\n\n[project]\nname = \"acme-dyn\"\nversion = \"1.0\"\ndynamic = [\"dependencies\"]\n")
	writeIn(t, dynamic, "tiny.json", `{"name": "acme-dyn", "version": "1.0", "module": "acme_dyn", "dependencies": ["plainlib>=2"]}`)
	md, err = b.treeMetadata(context.Background(), dynamic, "requirements.txt:2")
	if err != nil {
		t.Fatal(err)
	}
	if md.Name != "acme-dyn" || len(md.RequiresDist) != 1 || md.RequiresDist[0].String() != "plainlib>=2" {
		t.Errorf("dynamic tree metadata = %s %v, want acme-dyn with plainlib>=2 from the backend", md.Name, md.RequiresDist)
	}

	// [policy] no-build-isolation: the hook interpreter's own environment,
	// which has no tinybackend (a sandbox would have had it)
	b.cfg.Policy.NoBuildIsolation = []string{"acme-native"}
	native := filepath.Join(dir, "native")
	writeIn(t, native, "pyproject.toml", "[build-system]\nrequires = [\"tinybackend\"]\nbuild-backend = \"tinybackend.build\"\n\n[project]\nname = \"Acme.Native\"\nversion = \"1.0\"\ndynamic = [\"dependencies\"]\n")
	writeFile(t, native, "tiny.json", `{"name": "acme-native", "version": "1.0", "module": "acme_native"}`)
	var be *build.BackendError
	if _, err := b.treeMetadata(context.Background(), native, "requirements.txt:4"); !errors.As(err, &be) || !strings.Contains(be.Reason, "cannot be loaded") {
		t.Errorf("metadata of a no-build-isolation tree = %v, want the hook interpreter's own environment (without the backend)", err)
	}

	broken := filepath.Join(dir, "broken")
	writeIn(t, broken, "pyproject.toml", "[build-system]\nbuild-backend = \"x\"\n")
	if _, err := b.treeMetadata(context.Background(), broken, "requirements.txt:3"); err == nil || !strings.Contains(err.Error(), "requirements.txt:3") {
		t.Errorf("a tree without build-system requires = %v, want an error naming requirements.txt:3", err)
	}
}

// TestPolicyBuildKeys parses [policy] build-constraints and
// no-build-isolation, and refuses what they cannot be.
func TestPolicyBuildKeys(t *testing.T) {
	f, err := config.Parse(filepath.Join("proj", "safepip.toml"), []byte("[policy]\nbuild-constraints = \"c/build.txt\"\nno-build-isolation = [\"Acme_Native\", \"b\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := f.Policy
	if p.BuildConstraints != filepath.Join("proj", "c", "build.txt") || p.BuildConstraintsWritten != "c/build.txt" {
		t.Errorf("build-constraints = %q (%q)", p.BuildConstraints, p.BuildConstraintsWritten)
	}
	if !slices.Equal(p.NoBuildIsolation, []string{"acme-native", "b"}) || p.BuildIsolated("acme.NATIVE") || !p.BuildIsolated("c") {
		t.Errorf("no-build-isolation = %q", p.NoBuildIsolation)
	}
	for _, doc := range []string{"[policy]\nbuild-constraints = \"\"", "[policy]\nno-build-isolation = [\"not a name\"]", "[policy]\nno-build-isolation = true"} {
		if _, err := config.Parse("safepip.toml", []byte(doc)); err == nil || !strings.Contains(err.Error(), "safepip.toml:2") {
			t.Errorf("config.Parse(%q) = %v, want an error at line 2", doc, err)
		}
	}
}

// TestPlanBuilds lists what install builds, from what, with which locked
// build dependencies.
func TestPlanBuilds(t *testing.T) {
	lf := &lock.File{
		Packages: []lock.Package{
			{Name: "acme-a", Version: "1.0", Index: "i", AllowSdist: true, BuildDependencies: []string{"tinybackend==1.0"},
				Files: []lock.Dist{{Name: "acme_a-1.0.tar.gz", SHA256: strings.Repeat("a", 64)}}},
			{Name: "me", Version: "0.1", Source: &lock.Source{Path: ".", Editable: true}},
			{Name: "g", Version: "2", Source: &lock.Source{Git: "https://host/r.git", Commit: strings.Repeat("c", 40), Subdirectory: "sub"}},
			{Name: "n", Version: "3", Index: "i", AllowSdist: true, Files: []lock.Dist{{Name: "n-3.tar.gz", SHA256: strings.Repeat("b", 64)}}},
		},
		BuildPackages: []lock.Package{{Name: "tinybackend", Version: "1.0", Index: "i", RequiredBy: []string{"acme-a"},
			Files: []lock.Dist{{Name: "tinybackend-1.0-py3-none-any.whl", SHA256: strings.Repeat("d", 64)}}}},
	}
	choices := []install.Choice{
		{Package: &lf.Packages[0], File: lf.Packages[0].Files[0], Sdist: true, Build: true},
		{Package: &lf.Packages[1], Build: true},
		{Package: &lf.Packages[2], Build: true},
		{Package: &lf.Packages[3], File: lf.Packages[3].Files[0], Sdist: true, Build: true},
	}
	cfg, err := config.Parse("safepip.toml", []byte("[policy]\nno-build-isolation = [\"n\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := describedTarget(&Env{Getenv: noEnv}, TargetOptions{PythonVersion: "3.11", Platform: "manylinux_2_28_x86_64"})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := planBuilds(&config.Config{Policy: cfg.Policy}, lf, choices, tgt.Tags, tgt.Markers)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range plan {
		got = append(got, p.String())
	}
	want := []string{
		"acme-a 1.0 from sdist acme_a-1.0.tar.gz, with tinybackend==1.0",
		"me 0.1 from path . (editable), with no build dependencies",
		"g 2 from git https://host/r.git@" + strings.Repeat("c", 40) + "#subdirectory=sub, with no build dependencies",
		"n 3 from sdist n-3.tar.gz, in the target environment ([policy] no-build-isolation)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("planBuilds =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if deps := buildDepChoices(append(plan, plan...)); len(deps) != 1 || deps[0].File.Name != "tinybackend-1.0-py3-none-any.whl" {
		t.Errorf("buildDepChoices = %+v, want tinybackend's wheel once", deps)
	}
}

// TestCheckBuiltWheel refuses a built wheel of another project or version.
func TestCheckBuiltWheel(t *testing.T) {
	p := &lock.Package{Name: "acme-lib", Version: "1.0"}
	for path, ok := range map[string]bool{
		"/x/acme_lib-1.0-py3-none-any.whl":      true,
		"/x/Acme.Lib-1.0.0-py3-none-any.whl":    true,
		"/x/acme_lib-1.1-py3-none-any.whl":      false,
		"/x/acme_other-1.0-py3-none-any.whl":    false,
		"/x/acme_lib-1.0-cp311-cp311-linux.whl": true,
	} {
		if err := checkBuiltWheel(path, p); (err == nil) != ok {
			t.Errorf("checkBuiltWheel(%s) = %v, want ok %v", path, err, ok)
		}
	}
}

// TestStaticTreeMetadataFallsBack leaves to the backend a tree whose
// [project] table does not say it all, and names the requirement in errors.
func TestStaticTreeMetadataFallsBack(t *testing.T) {
	dir := t.TempDir()
	for name, doc := range map[string]string{
		"no-project":      "[build-system]\nrequires = []\n",
		"no-version":      "[project]\nname = \"a\"\n",
		"dynamic-version": "[project]\nname = \"a\"\nversion = \"1\"\ndynamic = [\"version\"]\n",
		"dynamic-python":  "[project]\nname = \"a\"\nversion = \"1\"\ndynamic = [\"requires-python\"]\n",
	} {
		writeIn(t, filepath.Join(dir, name), "pyproject.toml", doc)
		if md, err := staticTreeMetadata(filepath.Join(dir, name), name); md != nil || err != nil {
			t.Errorf("staticTreeMetadata(%s) = %v, %v; want the backend asked", name, md, err)
		}
	}
	if md, err := staticTreeMetadata(filepath.Join(dir, "absent"), "absent"); md != nil || err != nil {
		t.Errorf("staticTreeMetadata(no pyproject.toml) = %v, %v", md, err)
	}
	writeIn(t, filepath.Join(dir, "bad"), "pyproject.toml", "[project]\nname = \"a\"\nversion = \"not a version\"\n")
	if _, err := staticTreeMetadata(filepath.Join(dir, "bad"), "req.txt:4"); err == nil || !strings.Contains(err.Error(), "req.txt:4") {
		t.Errorf("a bad version = %v, want an error naming req.txt:4", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "unreadable", "pyproject.toml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := staticTreeMetadata(filepath.Join(dir, "unreadable"), "x"); err == nil {
		t.Error("a pyproject.toml that is a directory read as no file")
	}
}

// TestLockDirectURLSdist locks the build dependencies of an sdist named by
// URL ("name @ url#sha256="), as of one from an index.
func TestLockDirectURLSdist(t *testing.T) {
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	sdist := idx.Add(tinySdist("acme-a", "", "Metadata-Version: 2.2\nName: acme-a\nVersion: 1.0\n"))
	srv := idx.Serve(t)
	dir, env := buildLockDir(t, srv.URL, `allow-sdist = ["acme-a"]`, "acme-a @ "+srv.FileURL(sdist.Filename)+"#sha256="+sdist.SHA256)
	res, err := Lock(context.Background(), env, lockReqs(dir))
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Lock.Package("acme-a"); p == nil || p.URL == "" || !slices.Equal(p.BuildDependencies, []string{"tinybackend==1.0"}) {
		t.Errorf("acme-a by URL = %+v, want its build-dependencies locked", p)
	}
}

// TestLockBuildPackageAttestations verifies build packages' attestations
// under the policy of runtime files: a verified publisher is recorded, a
// pinned publisher that signed nothing or another one fails the lock.
func TestLockBuildPackageAttestations(t *testing.T) {
	sig, err := testsigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	signed := func(publisher string) *testindex.Index {
		idx := testindex.New(t)
		d := testindex.TinyBackend("tinybackend", "1.0")
		f, err := testindex.Build(d)
		if err != nil {
			t.Fatal(err)
		}
		if d.Provenance, err = sig.Provenance(f.Filename, f.Data, testsigstore.GitHub(publisher, "publish.yml")); err != nil {
			t.Fatal(err)
		}
		idx.Add(d)
		idx.Add(tinySdist("acme-a", "", "Metadata-Version: 2.2\nName: acme-a\nVersion: 1.0\n"))
		return idx
	}
	policy := "allow-sdist = [\"acme-a\"]\ntrusted-root = \"trusted_root.json\"\n[policy.publishers]\ntinybackend = \"github:acme/tinybackend\""
	dir, env := buildLockDir(t, signed("acme/tinybackend").Serve(t).URL, policy, "acme-a")
	writeFile(t, dir, "trusted_root.json", string(sig.TrustedRootJSON()))
	res, err := Lock(context.Background(), env, lockReqs(dir))
	if err != nil {
		t.Fatal(err)
	}
	bp := res.Lock.BuildPackage("tinybackend", "1.0")
	if bp == nil || bp.Files[0].Attestation == nil || bp.Files[0].Attestation.Publisher != "github:acme/tinybackend" {
		t.Fatalf("tinybackend's build package = %+v, want its verified publisher recorded", bp)
	}

	other, env2 := buildLockDir(t, signed("evil/tinybackend").Serve(t).URL, policy, "acme-a")
	writeFile(t, other, "trusted_root.json", string(sig.TrustedRootJSON()))
	_, err = Lock(context.Background(), env2, lockReqs(other))
	if !errors.Is(err, verify.ErrPublisherMismatch) || !strings.Contains(err.Error(), "tinybackend 1.0") {
		t.Errorf("a build dependency signed by another publisher than its pin locked: %v", err)
	}
}

// TestLockBuildPython: the lock-time hooks run with BuildPython (install's
// --python), else --python, else the active virtualenv's interpreter.
func TestLockBuildPython(t *testing.T) {
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(tinySdist("acme-a", "", "Metadata-Version: 2.2\nName: acme-a\nVersion: 1.0\n"))
	srv := idx.Serve(t)
	dir, env := buildLockDir(t, srv.URL, `allow-sdist = ["acme-a"]`, "acme-a")
	missing := filepath.Join(dir, "no-such-python")
	o := lockReqs(dir)
	o.BuildPython = missing
	var ie *InputError
	if _, err := Lock(context.Background(), env, o); !errors.As(err, &ie) || !strings.Contains(err.Error(), "build hooks") || !strings.Contains(err.Error(), missing) {
		t.Errorf("Lock with BuildPython %s = %v, want an input error naming it", missing, err)
	}
	venv := filepath.Join(dir, "venv")
	env.Getenv = func(k string) (string, bool) { return venv, k == "VIRTUAL_ENV" }
	if _, err := Lock(context.Background(), env, lockReqs(dir)); err == nil || !strings.Contains(err.Error(), filepath.Join(venv, "bin", "python")) {
		t.Errorf("Lock in an active virtualenv without its interpreter = %v, want the error to name it", err)
	}
}

// TestBuildDepError names the builds a mismatching build dependency
// belongs to, and leaves a runtime file's error as it is.
func TestBuildDepError(t *testing.T) {
	plugin := &lock.Package{Name: "acme-build-plugin", Version: "1.0"}
	lib := &lock.Package{Name: "acme-lib", Version: "1.0"}
	app := &lock.Package{Name: "app", Version: "2.0"}
	plan := []PlannedBuild{{Choice: install.Choice{Package: lib}, Deps: []install.Choice{{Package: plugin}}}, {Choice: install.Choice{Package: app}, Deps: []install.Choice{{Package: plugin}}}}
	err := buildDepError(&install.HashMismatchError{Package: "acme-build-plugin", File: "acme_build_plugin-1.0-py3-none-any.whl"}, []install.Choice{{Package: lib}}, plan)
	var hm *install.HashMismatchError
	if !errors.As(err, &hm) || !strings.HasPrefix(err.Error(), "build dependency of acme-lib 1.0, app 2.0: acme-build-plugin: acme_build_plugin-1.0-py3-none-any.whl does not match the lock") {
		t.Errorf("buildDepError = %v", err)
	}
	runtime := &install.HashMismatchError{Package: "acme-lib", File: "acme_lib-1.0.tar.gz"}
	if err := buildDepError(runtime, []install.Choice{{Package: lib}}, plan); err != error(runtime) {
		t.Errorf("buildDepError(runtime file) = %v, want it unchanged", err)
	}
}

// TestCheckBuiltMetadata refuses a built wheel whose METADATA says what
// the locked metadata did not (a dependency, a Requires-Python), for the
// target environment, as install refuses a downloaded one.
func TestCheckBuiltMetadata(t *testing.T) {
	dir := t.TempDir()
	built := func(d testindex.Dist) *build.Result {
		f, err := testindex.Build(d)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, f.Filename)
		writeFile(t, dir, f.Filename, string(f.Data))
		return &build.Result{Wheel: path, SHA256: f.SHA256}
	}
	tgt, err := describedTarget(&Env{Getenv: noEnv}, TargetOptions{PythonVersion: "3.11", Platform: "manylinux_2_28_x86_64"})
	if err != nil {
		t.Fatal(err)
	}
	p := &lock.Package{Name: "acme-lib", Version: "1.0", Dependencies: []string{"idna"}, Source: &lock.Source{Path: "."}}
	for _, tt := range []struct {
		dist  testindex.Dist
		field string // "" when it passes
	}{
		{testindex.Dist{Name: "acme-lib", Version: "1.0", Requires: []string{"idna>=2", "pywin32 ; sys_platform == 'win32'"}}, ""},
		{testindex.Dist{Name: "acme-lib", Version: "1.0", Requires: []string{"idna", "acme-extra-payload"}}, "Requires-Dist"},
		{testindex.Dist{Name: "acme-lib", Version: "1.0", RequiresPython: ">=3.12"}, "Requires-Python"},
	} {
		err := checkBuiltMetadata(context.Background(), built(tt.dist), p, tgt.Markers)
		var mm *install.MetadataMismatchError
		if tt.field == "" && err != nil || tt.field != "" && (!errors.As(err, &mm) || mm.Field != tt.field) {
			t.Errorf("checkBuiltMetadata(%v) = %v, want mismatch %q", tt.dist.Requires, err, tt.field)
		}
	}
}
