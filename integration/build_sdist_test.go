package integration

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/lock"
)

// oneIndexConfig is a safepip.toml of one default index allowing the
// sdists of names.
func oneIndexConfig(url string, names ...string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return fmt.Sprintf("[[index]]\nname = \"pypi\"\nurl = %q\ndefault = true\n\n[resolution]\nrequires-python = \">=3.9\"\n\n[policy]\nallow-sdist = [%s]\n",
		url, strings.Join(q, ", "))
}

// lockedDeps returns the names of p's dependencies (each entry up to its
// first character that cannot be in a name).
func lockedDeps(p *lock.Package) []string {
	var out []string
	for _, d := range p.Dependencies {
		name, _, _ := strings.Cut(d, " ")
		name = strings.FieldsFunc(name, func(r rune) bool { return strings.ContainsRune("[<>=!~;(", r) })[0]
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// TestDynamicSdistMetadataFromBackend locks an sdist-only project whose
// PKG-INFO (Metadata-Version 2.1) cannot be trusted: its dependencies are
// what the backend's prepare_metadata_for_build_wheel computes, in a build
// environment of locked files, and they are resolved and routed like any
// (acme-dep from the private index although the public one serves 99.0).
func TestDynamicSdistMetadataFromBackend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	private := testindex.New(t)
	private.Add(testindex.Dist{Name: "acme-dyn", Version: "1.0", Sdist: true,
		Requires: []string{"acme-dep>=1", "plainlib"}, // what the backend says (tiny.json)
		SdistFiles: map[string]string{
			"pyproject.toml": testindex.TinyPyproject,
			// Metadata-Version 2.1: the PKG-INFO of an sdist says nothing
			// reliable; a resolver that believed it would look for acme-decoy.
			"PKG-INFO": "Metadata-Version: 2.1\nName: acme-dyn\nVersion: 1.0\nRequires-Dist: acme-decoy\n",
		}})
	private.Add(testindex.Dist{Name: "acme-dep", Version: "1.0"})
	public := testindex.New(t)
	public.Add(testindex.TinyBackend("tinybackend", "1.0"))
	public.Add(testindex.Dist{Name: "plainlib", Version: "2.0"})
	public.Add(testindex.Dist{Name: "acme-dep", Version: "99.0"})
	privSrv, pubSrv := private.Serve(t), public.Serve(t)
	writeFile(t, filepath.Join(dir, "requirements.txt"), fmt.Sprintf("--index-url %s\n--extra-index-url %s\nacme-dyn\n", pubSrv.URL, privSrv.URL))
	writeFile(t, filepath.Join(dir, "safepip.toml"), strings.Replace(pinnedConfig(pubSrv.URL, privSrv.URL), "acme-lib", "acme-dyn", 1))

	lockLog := filepath.Join(dir, "lock.log")
	universalRun(t, dir, 0, map[string]string{"TINYBACKEND_LOG": lockLog}, "lock", "-r", "requirements.txt")
	if hooks := hookLog(t, lockLog); !slices.Contains(hooks, "prepare_metadata_for_build_wheel acme-dyn") {
		t.Errorf("the lock's metadata of acme-dyn did not come from its backend: hooks %q", hooks)
	}
	// the same bytes again (a CI diff shows no noise), and --check agrees
	universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt", "--lock", "again.lock")
	if a, b := readFile(t, filepath.Join(dir, "safepip.lock")), readFile(t, filepath.Join(dir, "again.lock")); string(a) != string(b) {
		t.Errorf("a second lock differs:\n%s\nfirst:\n%s", b, a)
	}
	universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt", "--check")
	lf := readLock(t, filepath.Join(dir, "safepip.lock"))
	dyn := lf.Package("acme-dyn")
	if dyn == nil {
		t.Fatalf("the lock has no acme-dyn:\n%s", readFile(t, filepath.Join(dir, "safepip.lock")))
	}
	sdist := private.File("acme_dyn-1.0.tar.gz")
	if dyn.Index != "private" || !dyn.AllowSdist || len(dyn.Files) != 1 || dyn.Files[0].SHA256 != sdist.SHA256 {
		t.Errorf("acme-dyn is locked as %+v, want the private sdist with sha256 %s", dyn, sdist.SHA256)
	}
	if got := lockedDeps(dyn); !slices.Equal(got, []string{"acme-dep", "plainlib"}) {
		t.Errorf("acme-dyn dependencies = %q, want the backend's acme-dep and plainlib", dyn.Dependencies)
	}
	if !slices.Equal(dyn.BuildDependencies, []string{"tinybackend==1.0"}) {
		t.Errorf("acme-dyn build-dependencies = %q, want [tinybackend==1.0]", dyn.BuildDependencies)
	}
	if bp := lf.BuildPackage("tinybackend", "1.0"); bp == nil || bp.Index != "public" {
		t.Errorf("build-package tinybackend 1.0 = %+v, want it from the public index", bp)
	}
	for name, want := range map[string]string{"acme-dep": "1.0 private", "plainlib": "2.0 public"} {
		if p := lf.Package(name); p == nil || p.Version+" "+p.Index != want {
			t.Errorf("%s is locked as %+v, want %s", name, p, want)
		}
	}
	if lf.Package("acme-decoy") != nil {
		t.Errorf("acme-decoy, which only the untrusted PKG-INFO names, is locked")
	}

	venv := filepath.Join(dir, "venv")
	py := freshVenv(t, venv)
	universalRun(t, dir, 0, nil, "install", "--frozen", "-r", "requirements.txt", "--python", py)
	if got, want := installedSet(t, venv), []string{"acme-dep==1.0", "acme-dyn==1.0", "plainlib==2.0"}; !slices.Equal(got, want) {
		t.Errorf("installed %v, want %v", got, want)
	}
}

// TestSetuptoolsSdistPEP518Defaults locks and installs an sdist with a
// setup.py and no pyproject.toml, built with the real setuptools wheel the
// interpreter's ensurepip bundles (and the "wheel" wheel, which setuptools
// before 70.1 asks for), both served on a file:// index: PEP 518's default
// setuptools>=40.8.0 is resolved and locked, setuptools' own
// get_requires_for_build_wheel answer too, and the dependencies come from
// setup.py, not from PKG-INFO.
func TestSetuptoolsSdistPEP518Defaults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	setuptools, wheelWhl := bundledSetuptools(t)
	idx := testindex.New(t)
	idx.Add(testindex.Dist{Name: "legacy-pkg", Version: "0.3", Sdist: true, SdistFiles: map[string]string{
		"setup.py":               "from setuptools import setup\n\nsetup(name='legacy-pkg', version='0.3', packages=['legacy_pkg'], install_requires=['plainlib>=1'])\n",
		"PKG-INFO":               "Metadata-Version: 2.1\nName: legacy-pkg\nVersion: 0.3\n",
		"legacy_pkg/__init__.py": "ANSWER = 42\n",
	}})
	idx.Add(testindex.Dist{Name: "plainlib", Version: "1.0"})
	url := treeWithWheels(t, idx, filepath.Join(dir, "index"), setuptools, wheelWhl)
	writeFile(t, filepath.Join(dir, "requirements.txt"), "legacy-pkg\n")
	writeFile(t, filepath.Join(dir, "safepip.toml"), oneIndexConfig(url, "legacy-pkg"))

	universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt")
	lf := readLock(t, filepath.Join(dir, "safepip.lock"))
	p := lf.Package("legacy-pkg")
	if p == nil {
		t.Fatalf("the lock has no legacy-pkg:\n%s", readFile(t, filepath.Join(dir, "safepip.lock")))
	}
	stVersion, whVersion := wheelVersion(setuptools), wheelVersion(wheelWhl)
	if want := []string{"setuptools==" + stVersion, "wheel==" + whVersion}; !slices.Equal(p.BuildDependencies, want) {
		t.Errorf("legacy-pkg build-dependencies = %q, want %q", p.BuildDependencies, want)
	}
	if got := lockedDeps(p); !slices.Equal(got, []string{"plainlib"}) {
		t.Errorf("legacy-pkg dependencies = %q, want setup.py's plainlib", p.Dependencies)
	}
	for _, f := range []string{setuptools, wheelWhl} {
		name, version := wheelName(f), wheelVersion(f)
		bp := lf.BuildPackage(name, version)
		if bp == nil || len(bp.Files) != 1 || bp.Files[0].SHA256 != fileSHA256(t, f) {
			t.Errorf("build-package %s %s = %+v, want %s with sha256 %s", name, version, bp, filepath.Base(f), fileSHA256(t, f))
		}
	}

	venv := filepath.Join(dir, "venv")
	py := freshVenv(t, venv)
	universalRun(t, dir, 0, nil, "install", "--frozen", "-r", "requirements.txt", "--python", py)
	if got, want := installedSet(t, venv), []string{"legacy-pkg==0.3", "plainlib==1.0"}; !slices.Equal(got, want) {
		t.Errorf("installed %v, want %v", got, want)
	}
	if got := pythonSays(t, py, "import legacy_pkg; print(legacy_pkg.ANSWER)"); got != "42" {
		t.Errorf("the installed legacy_pkg says %q, want 42", got)
	}
}

// bundledSetuptools returns the setuptools wheel of python3's ensurepip
// and a wheel of "wheel" (Debian's python3-wheel-whl, which .ci/run
// installs, or the interpreter's test data).
func bundledSetuptools(t *testing.T) (setuptools, wheelWhl string) {
	t.Helper()
	out, err := exec.Command("python3", "-I", "-c",
		"import ensurepip, pathlib, sysconfig; print(pathlib.Path(ensurepip.__file__).parent / '_bundled'); print(sysconfig.get_paths()['stdlib'])").Output()
	if err != nil {
		t.Fatalf("python3 has no ensurepip: %v", err)
	}
	dirs := strings.Split(strings.TrimSpace(string(out)), "\n")
	st, _ := filepath.Glob(filepath.Join(dirs[0], "setuptools-*.whl"))
	var wh []string
	for _, pattern := range []string{"/usr/share/python-wheels/wheel-*.whl", filepath.Join(dirs[1], "test", "wheeldata", "wheel-*.whl")} {
		m, _ := filepath.Glob(pattern)
		wh = append(wh, m...)
	}
	if len(st) == 0 || len(wh) == 0 {
		t.Fatalf("no setuptools wheel in %s (%v) or no wheel-*.whl (%v): nothing to build a setup.py project with offline", dirs[0], st, wh)
	}
	return st[0], wh[0]
}

func wheelName(path string) string    { return strings.Split(filepath.Base(path), "-")[0] }
func wheelVersion(path string) string { return strings.Split(filepath.Base(path), "-")[1] }

func fileSHA256(t *testing.T, path string) string {
	sum := sha256.Sum256(readFile(t, path))
	return hex.EncodeToString(sum[:])
}

// treeWithWheels writes idx as a file:// PEP 503 tree under dir, adds the
// given real wheel files to it (a project page each, with PEP 658
// metadata), and returns the index URL.
func treeWithWheels(t *testing.T, idx *testindex.Index, dir string, wheels ...string) string {
	t.Helper()
	url := idx.WriteTree(t, dir)
	projects := idx.Projects()
	for _, w := range wheels {
		name, base := wheelName(w), filepath.Base(w)
		data := readFile(t, w)
		md := wheelMetadata(t, w)
		sum := sha256.Sum256(data)
		mdSum := sha256.Sum256(md)
		writeTreeFile(t, filepath.Join(dir, "files", base), data)
		writeTreeFile(t, filepath.Join(dir, "files", base+".metadata"), md)
		page := fmt.Sprintf("<!DOCTYPE html>\n<html><body>\n<a href=\"../../files/%s#sha256=%x\" data-core-metadata=\"sha256=%x\">%s</a><br/>\n</body></html>\n",
			html.EscapeString(base), sum, mdSum, html.EscapeString(base))
		writeTreeFile(t, filepath.Join(dir, "simple", name, "index.html"), []byte(page))
		projects = append(projects, name)
	}
	var root strings.Builder
	root.WriteString("<!DOCTYPE html>\n<html><body>\n")
	for _, p := range projects {
		fmt.Fprintf(&root, "<a href=\"%s/\">%s</a><br/>\n", p, p)
	}
	root.WriteString("</body></html>\n")
	writeTreeFile(t, filepath.Join(dir, "simple", "index.html"), []byte(root.String()))
	return url
}

func writeTreeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wheelMetadata returns the .dist-info/METADATA of a wheel file.
func wheelMetadata(t *testing.T, path string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".dist-info/METADATA") && strings.Count(f.Name, "/") == 1 {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			data, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
	t.Fatalf("%s has no .dist-info/METADATA", path)
	return nil
}

// TestUnresolvableBuildDependency: a build dependency no index serves,
// named in [build-system] requires or returned by get_requires_for_build_wheel,
// is exit 3 naming it and the package whose build needs it; no lock is
// written.
func TestUnresolvableBuildDependency(t *testing.T) {
	t.Parallel()
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "acme-orphan", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml": "[build-system]\nrequires = [\"tinybackend\", \"acme-missing-plugin>=1\"]\nbuild-backend = \"tinybackend.build\"\n",
		"PKG-INFO":       "Metadata-Version: 2.2\nName: acme-orphan\nVersion: 1.0\n",
	}})
	idx.Add(testindex.Dist{Name: "acme-greedy", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml": testindex.TinyPyproject,
		"PKG-INFO":       "Metadata-Version: 2.2\nName: acme-greedy\nVersion: 1.0\n",
		"tiny.json":      `{"name": "acme-greedy", "version": "1.0", "module": "acme_greedy", "get_requires": ["acme-missing-extra>=2"]}`,
	}})
	srv := idx.Serve(t)
	for _, tc := range []struct{ pkg, missing string }{
		{"acme-orphan", "acme-missing-plugin"},
		{"acme-greedy", "acme-missing-extra"},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "requirements.txt"), tc.pkg+"\n")
			writeFile(t, filepath.Join(dir, "safepip.toml"), oneIndexConfig(srv.URL, tc.pkg))
			r := runSafepip(t, dir, nil, "lock", "-r", "requirements.txt")
			if r.code != 3 {
				t.Fatalf("lock of %s: exit %d, want 3\n%s", tc.pkg, r.code, r.stderr)
			}
			for _, want := range []string{tc.missing, tc.pkg} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("lock of %s said:\n%s\nwant it to name %s", tc.pkg, r.stderr, want)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "safepip.lock")); err == nil {
				t.Errorf("a lock was written although %s cannot be resolved", tc.missing)
			}
		})
	}
}

// TestFailingBuildExit5 locks an sdist whose backend fails in build_wheel
// beside one that builds: install exits 5 showing the backend's output, the
// target environment is as it was (neither the other build nor the wheel
// that would have been installed with them is installed), and no build
// environment is left behind.
func TestFailingBuildExit5(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "plainlib", Version: "1.0"})
	idx.Add(testindex.Dist{Name: "acme-broken", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml": testindex.TinyPyproject,
		"PKG-INFO":       "Metadata-Version: 2.2\nName: acme-broken\nVersion: 1.0\n",
		"tiny.json":      `{"name": "acme-broken", "version": "1.0", "module": "acme_broken", "fail": "the C compiler is missing"}`,
	}})
	idx.Add(testindex.Dist{Name: "acme-fine", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml": testindex.TinyPyproject,
		"PKG-INFO":       "Metadata-Version: 2.2\nName: acme-fine\nVersion: 1.0\n",
	}})
	srv := idx.Serve(t)
	writeFile(t, filepath.Join(dir, "requirements.txt"), "acme-broken\nacme-fine\nplainlib\n")
	writeFile(t, filepath.Join(dir, "safepip.toml"), oneIndexConfig(srv.URL, "acme-broken", "acme-fine"))
	universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt")
	venv := filepath.Join(dir, "venv")
	py := freshVenv(t, venv)
	site := siteFiles(t, venv)
	tmp := filepath.Join(dir, "tmp") // where build environments are made, and must be gone
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	r := runSafepip(t, dir, map[string]string{"TMPDIR": tmp}, "install", "--frozen", "-r", "requirements.txt", "--python", py)
	if r.code != 5 {
		t.Fatalf("install of a failing build: exit %d, want 5\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"acme-broken", "tinybackend: cannot build acme-broken: the C compiler is missing"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("install of a failing build said:\n%s\nwant %q", r.stderr, want)
		}
	}
	if now := siteFiles(t, venv); !slices.Equal(now, site) {
		t.Errorf("the target changed although the build failed: %d files before, %d after", len(site), len(now))
	}
	// safepip's own directories; a pip killed when the other build failed
	// may leave its tmp*cacert.pem (see the board, 07:45)
	// nothing at all: a process killed when the other build failed (pip
	// extracting its certificates) keeps its files in its build's directory
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("the failed install left %s behind in its temporary directory", e.Name())
	}
}

// TestSecondInstallRebuildsNothing installs one sdist-based lock into two
// fresh venvs with one cache: the first builds (the backend logs its
// hooks), the second takes the built wheel from the cache and runs no hook;
// verify --installed accepts both.
func TestSecondInstallRebuildsNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "acme-cached", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml":          testindex.TinyPyproject,
		"PKG-INFO":                "Metadata-Version: 2.2\nName: acme-cached\nVersion: 1.0\n",
		"acme_cached/__init__.py": "ANSWER = 42\n",
	}})
	srv := idx.Serve(t)
	writeFile(t, filepath.Join(dir, "requirements.txt"), "acme-cached\n")
	writeFile(t, filepath.Join(dir, "safepip.toml"), oneIndexConfig(srv.URL, "acme-cached"))
	universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt")
	for i, want := range []bool{true, false} {
		venv := filepath.Join(dir, fmt.Sprintf("venv%d", i+1))
		py := freshVenv(t, venv)
		log := filepath.Join(dir, fmt.Sprintf("install%d.log", i+1))
		universalRun(t, dir, 0, map[string]string{"TINYBACKEND_LOG": log}, "install", "--frozen", "-r", "requirements.txt", "--python", py)
		if got := pythonSays(t, py, "import acme_cached; print(acme_cached.ANSWER)"); got != "42" {
			t.Errorf("install %d: acme_cached says %q, want 42", i+1, got)
		}
		hooks := hookLog(t, log)
		if built := slices.Contains(hooks, "build_wheel acme-cached"); built != want {
			t.Errorf("install %d: built = %v, want %v (hooks %q)", i+1, built, want, hooks)
		}
		if !want && len(hooks) != 0 {
			t.Errorf("install %d ran hooks although the built wheel is cached: %q", i+1, hooks)
		}
		// a wheel built from a locked sdist is what the lock installs
		universalRun(t, dir, 0, nil, "verify", "--offline", "--installed", "--python", py)
	}

	// Other bytes written over the cached wheel (a disk fault, or a local
	// attacker who did not also rewrite the entry's recorded hash): a third
	// install does not take them; it builds again.
	built := filesUnder(t, filepath.Join(dir, "cache"), func(name string) bool { return name == "acme_cached-1.0-py3-none-any.whl" })
	if len(built) != 1 {
		t.Fatalf("the cache holds %d built acme_cached wheels (%q), want 1", len(built), built)
	}
	poisoned, err := testindex.Build(testindex.Dist{Name: "acme-cached", Version: "1.0", Files: map[string]string{"acme_cached/__init__.py": "ANSWER = 666\n"}})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, built[0], string(poisoned.Data))
	py := freshVenv(t, filepath.Join(dir, "venv3"))
	log := filepath.Join(dir, "install3.log")
	r := runSafepip(t, dir, map[string]string{"TINYBACKEND_LOG": log}, "install", "--frozen", "-r", "requirements.txt", "--python", py)
	if r.code != 0 {
		t.Fatalf("install with a poisoned built-wheel cache: exit %d, want 0 (a rebuild)\n%s", r.code, r.stderr)
	}
	if got := pythonSays(t, py, "import acme_cached; print(acme_cached.ANSWER)"); got != "42" {
		t.Errorf("install 3 took the poisoned cached wheel: acme_cached says %q", got)
	}
	if !slices.Contains(hookLog(t, log), "build_wheel acme-cached") {
		t.Errorf("install 3 did not rebuild: hooks %q", hookLog(t, log))
	}
}

// TestBuildDependencySdistNeverBuilt: build dependencies are wheels only,
// even under allow-sdist = true: a build plugin published as an sdist alone
// (whose own build would run its code) is exit 3 naming it and the package
// whose build needs it, and nothing of it runs.
func TestBuildDependencySdistNeverBuilt(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "PWNED")
	idx := testindex.New(t)
	idx.Add(acmeLib())
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	payload := fmt.Sprintf("import pathlib\npathlib.Path(%q).write_text('the sdist of acme-build-plugin was built\\n')\n", marker)
	idx.Add(testindex.Dist{Name: "acme-build-plugin", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml":                "[build-system]\nrequires = []\nbuild-backend = \"payload\"\nbackend-path = [\".\"]\n",
		"payload.py":                    payload,
		"PKG-INFO":                      "Metadata-Version: 2.2\nName: acme-build-plugin\nVersion: 1.0\n",
		"acme_build_plugin/__init__.py": payload,
	}})
	srv := idx.Serve(t)
	writeFile(t, filepath.Join(dir, "requirements.txt"), "acme-lib\n")
	writeFile(t, filepath.Join(dir, "safepip.toml"), strings.Replace(oneIndexConfig(srv.URL), "allow-sdist = []", "allow-sdist = true", 1))
	r := runSafepip(t, dir, nil, "lock", "-r", "requirements.txt")
	if r.code != 3 {
		t.Fatalf("lock with an sdist-only build plugin: exit %d, want 3\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"acme-build-plugin", "acme-lib"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("lock with an sdist-only build plugin said:\n%s\nwant it to name %s", r.stderr, want)
		}
	}
	// allow-sdist is already true: a hint to set it would send the user
	// round in circles; build dependencies are wheels whatever the policy
	if strings.Contains(r.stderr, "allow-sdist in [policy] of safepip.toml lets it in") {
		t.Errorf("lock with an sdist-only build plugin said:\n%s\nwhich suggests allow-sdist, which never applies to build dependencies", r.stderr)
	}
	noMarker(t, marker, "lock with an sdist-only build plugin")
}

// TestBuildForEachInterpreter installs one universal lock of an sdist into
// a venv of the oldest Python of the machine (3.9) and one of python3: each build
// runs in a venv of the target interpreter, and a build requirement under
// a marker, which get_requires_for_build_wheel returns, is locked with the
// marker and present in the build environment exactly where it holds (the
// sandbox refuses a build whose hook asks for what it lacks).
func TestBuildForEachInterpreter(t *testing.T) {
	t.Parallel()
	pythons := pyenvPythons(t)
	dir := t.TempDir()
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "old-helper", Version: "1.0"})
	idx.Add(testindex.Dist{Name: "acme-multi", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml":         testindex.TinyPyproject,
		"PKG-INFO":               "Metadata-Version: 2.2\nName: acme-multi\nVersion: 1.0\n",
		"tiny.json":              `{"name": "acme-multi", "version": "1.0", "module": "acme_multi", "get_requires": ["old-helper; python_version < '3.10'"]}`,
		"acme_multi/__init__.py": "ANSWER = 42\n",
	}})
	srv := idx.Serve(t)
	writeFile(t, filepath.Join(dir, "requirements.txt"), "acme-multi\n")
	writeFile(t, filepath.Join(dir, "safepip.toml"), oneIndexConfig(srv.URL, "acme-multi"))
	universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt")
	lf := readLock(t, filepath.Join(dir, "safepip.lock"))
	want := []string{"old-helper==1.0 ; python_version < '3.10'", "tinybackend==1.0"}
	if p := lf.Package("acme-multi"); p == nil || !slices.Equal(p.BuildDependencies, want) {
		t.Errorf("acme-multi is locked as %+v, want build-dependencies %q", p, want)
	}
	oldest := filepath.Join(dir, "venv-oldest")
	if out, err := exec.Command(pythons[0], "-m", "venv", oldest).CombinedOutput(); err != nil {
		t.Fatalf("%s -m venv: %v\n%s", pythons[0], err, out)
	}
	for _, venv := range []string{oldest, filepath.Join(dir, "venv-python3")} {
		if venv != oldest {
			freshVenv(t, venv) // python3 (3.11): old-helper is not wanted there
		}
		v := pythonSays(t, filepath.Join(venv, "bin", "python"), "import sys; print('%d.%d' % sys.version_info[:2])")
		log := filepath.Join(dir, "hooks"+v+".log")
		universalRun(t, dir, 0, map[string]string{"TINYBACKEND_LOG": log}, "install", "--frozen", "-r", "requirements.txt", "--python", filepath.Join(venv, "bin", "python"))
		if got := installedSet(t, venv); !slices.Equal(got, []string{"acme-multi==1.0"}) {
			t.Errorf("Python %s: installed %v, want acme-multi==1.0 alone", v, got)
		}
		hooks := hookLog(t, log)
		if !slices.Contains(hooks, "build_wheel acme-multi") || !slices.ContainsFunc(hooks, func(l string) bool { return strings.HasPrefix(l, "python "+v+" in ") }) {
			t.Errorf("Python %s: the build did not run with Python %s: hooks %q", v, v, hooks)
		}
	}
}
