package build

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/internal/testindex"
)

// The tests below run the real interpreter and the real pip: each build
// makes a real venv and calls a real backend (tinybackend, from
// internal/testindex; setuptools from the interpreter's ensurepip).

var python struct {
	once sync.Once
	path string
}

// hostPython returns the real path of python3 (not a pyenv shim).
func hostPython(t testing.TB) string {
	t.Helper()
	python.once.Do(func() {
		out, err := exec.Command("python3", "-I", "-c", "import sys; print(sys.executable)").Output()
		if err == nil {
			python.path = strings.TrimSpace(string(out))
		}
	})
	if python.path == "" {
		t.Fatal("python3 is not on PATH: the sandbox tests build with a real interpreter (CI always has it)")
	}
	return python.path
}

// distWheel builds d as a wheel in dir and returns it as a build dependency.
func distWheel(t testing.TB, dir string, d testindex.Dist) install.LocalFile {
	t.Helper()
	f, err := testindex.Build(d)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, f.Filename)
	if err := os.WriteFile(path, f.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	return install.LocalFile{Path: path, SHA256: f.SHA256}
}

// backendWheel packages tinybackend (testindex.TinyBackend) as tinybackend 1.0.
func backendWheel(t testing.TB, dir string) install.LocalFile {
	t.Helper()
	return distWheel(t, dir, testindex.TinyBackend("tinybackend", "1.0"))
}

// copyProject copies testdata/projects/name into a temporary directory.
func copyProject(t testing.TB, name string) string {
	t.Helper()
	src := filepath.Join("testdata", "projects", name)
	dst := filepath.Join(t.TempDir(), name)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func writeFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// makeSdist packs the tree dir as top/ in dir's parent, top.tar.gz.
func makeSdist(t testing.TB, dir, top string) Source {
	t.Helper()
	var members []member
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		data, err := os.ReadFile(path)
		members = append(members, member{name: top + "/" + filepath.ToSlash(rel), body: string(data)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	path := writeTarGz(t, filepath.Dir(dir), top+".tar.gz", members)
	return Source{Sdist: path, SHA256: fileSHA256(t, path)}
}

func fileSHA256(t testing.TB, path string) string {
	t.Helper()
	f := distFile(t, path)
	return f.SHA256
}

func distFile(t testing.TB, path string) install.LocalFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return install.LocalFile{Path: path, SHA256: sha256Hex(data)}
}

// testSandbox is a Sandbox whose backend log is log.
func testSandbox(t testing.TB) (*Sandbox, string) {
	t.Helper()
	log := filepath.Join(t.TempDir(), "hooks.log")
	return &Sandbox{
		Python:   hostPython(t),
		CacheDir: t.TempDir(),
		TempDir:  t.TempDir(),
		Env:      append(os.Environ(), "TINYBACKEND_LOG="+log),
	}, log
}

// hookRuns returns the lines of the backend's log.
func hookRuns(t testing.TB, log string) []string {
	t.Helper()
	data, err := os.ReadFile(log)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

func count(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// installAndRun installs wheel with real pip into a fresh venv and runs
// code with the venv's interpreter, returning what it prints.
func installAndRun(t testing.TB, res *Result, code string) string {
	t.Helper()
	ctx := context.Background()
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command(hostPython(t), "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		t.Fatalf("venv: %v\n%s", err, out)
	}
	vpy := filepath.Join(venvBin(venv), "python")
	out, err := exec.Command(vpy, "-I", "-c", `import sysconfig; print(sysconfig.get_paths()["purelib"])`).Output()
	if err != nil {
		t.Fatal(err)
	}
	site := strings.TrimSpace(string(out))
	if err := install.RunPip(ctx, hostPython(t), []install.LocalFile{{Path: res.Wheel, SHA256: res.SHA256}}, install.PipOptions{Target: site, Quiet: 1}, nil); err != nil {
		t.Fatalf("installing the built wheel: %v", err)
	}
	run, err := exec.Command(vpy, "-c", code).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", code, err, run)
	}
	return strings.TrimSpace(string(run))
}

// leftovers fails when a build left anything in the sandbox's TempDir.
func leftovers(t testing.TB, s *Sandbox) {
	t.Helper()
	entries, err := os.ReadDir(s.TempDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("the build left %s behind", filepath.Join(s.TempDir, e.Name()))
	}
}

func TestBuildSdistInstallsAndImports(t *testing.T) {
	t.Parallel()
	s, log := testSandbox(t)
	deps := []install.LocalFile{backendWheel(t, t.TempDir())}
	src := makeSdist(t, copyProject(t, "hello"), "hello-1.0")
	res, err := s.Build(context.Background(), Request{Source: src, Deps: deps})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(res.Wheel) != "hello-1.0-py3-none-any.whl" || res.Cached || len(res.Requires) != 0 {
		t.Errorf("Build = %+v, want a fresh hello-1.0-py3-none-any.whl with no extra requirements", res)
	}
	if !strings.HasPrefix(res.Wheel, s.CacheDir) || fileSHA256(t, res.Wheel) != res.SHA256 {
		t.Errorf("the wheel %s is not the cached file with sha256 %s", res.Wheel, res.SHA256)
	}
	runs := hookRuns(t, log)
	if count(runs, "get_requires_for_build_wheel hello") != 1 || count(runs, "build_wheel hello") != 1 {
		t.Errorf("hooks run: %q, want get_requires_for_build_wheel and build_wheel once", runs)
	}
	// temporary files stay in the build's directory, removed with it
	if !slices.ContainsFunc(runs, func(l string) bool { return strings.HasPrefix(l, "tmp "+s.TempDir+string(filepath.Separator)) }) {
		t.Errorf("the backend's temporary directory is not under the build's (%s): %q", s.TempDir, runs)
	}
	if got := installAndRun(t, res, "import hello; print(hello.greet())"); got != "hello from the built wheel" {
		t.Errorf("the installed wheel says %q", got)
	}
	leftovers(t, s)
}

func TestBuildBackendPath(t *testing.T) {
	t.Parallel()
	s, log := testSandbox(t)
	deps := []install.LocalFile{backendWheel(t, t.TempDir())}
	out := t.TempDir()
	res, err := s.Build(context.Background(), Request{Source: Source{Dir: copyProject(t, "inpath")}, Deps: deps, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Wheel != filepath.Join(out, "inpath-2.0-py3-none-any.whl") || res.Cached {
		t.Errorf("Build = %+v, want inpath-2.0-py3-none-any.whl in the output directory (trees are not cached)", res)
	}
	if runs := hookRuns(t, log); count(runs, "build_wheel inpath") != 1 {
		t.Errorf("hooks run: %q, want build_wheel through the in-tree backend", runs)
	}
	if got := installAndRun(t, res, "import inpath; print(inpath.VALUE)"); got != "built through backend-path" {
		t.Errorf("the installed wheel says %q", got)
	}

	// An in-tree backend that is found elsewhere than its backend-path
	// is refused (PEP 517).
	dir := copyProject(t, "inpath")
	writeFile(t, filepath.Join(dir, "pyproject.toml"), "[build-system]\nrequires = [\"tinybackend\"]\nbuild-backend = \"tinybackend.build\"\nbackend-path = [\"_build\"]\n")
	_, err = s.Build(context.Background(), Request{Source: Source{Dir: dir}, Deps: deps, OutDir: out})
	var be *BackendError
	if !errors.As(err, &be) || !strings.Contains(be.Reason, "outside its backend-path") {
		t.Errorf("Build(backend outside backend-path) = %v, want a *BackendError saying so", err)
	}
	leftovers(t, s)
}

func TestBuildEditable(t *testing.T) {
	t.Parallel()
	s, log := testSandbox(t)
	deps := []install.LocalFile{backendWheel(t, t.TempDir())}
	dir := copyProject(t, "hello")
	res, err := s.Build(context.Background(), Request{Source: Source{Dir: dir}, Deps: deps, Editable: true, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	runs := hookRuns(t, log)
	if count(runs, "get_requires_for_build_editable hello") != 1 || count(runs, "build_editable hello") != 1 || count(runs, "build_wheel") != 0 {
		t.Errorf("hooks run: %q, want the PEP 660 hooks only", runs)
	}
	// The install points at the tree: an edit shows without a rebuild.
	writeFile(t, filepath.Join(dir, "hello", "__init__.py"), "def greet():\n    return 'edited in place'\n")
	if got := installAndRun(t, res, "import hello; print(hello.greet())"); got != "edited in place" {
		t.Errorf("the editable install says %q, want the edited source's answer", got)
	}

	// A backend without build_editable cannot make one.
	writeFile(t, filepath.Join(dir, "pyproject.toml"), "[build-system]\nrequires = [\"tinybackend\"]\nbuild-backend = \"tinybackend.noprep\"\n")
	_, err = s.Build(context.Background(), Request{Source: Source{Dir: dir}, Deps: deps, Editable: true, OutDir: t.TempDir()})
	var ue *UnsupportedError
	if !errors.As(err, &ue) || ue.Hook != "build_editable" || !strings.Contains(err.Error(), "PEP 660") {
		t.Errorf("Build(editable, no PEP 660) = %v, want an *UnsupportedError for build_editable", err)
	}
	leftovers(t, s)
}

// TestBuildDependencyScripts checks that a build dependency's console
// script is on the backend's PATH and runs with the build venv's
// interpreter (as ninja or cmake from their wheels must).
func TestBuildDependencyScripts(t *testing.T) {
	t.Parallel()
	s, log := testSandbox(t)
	tool := distWheel(t, t.TempDir(), testindex.Dist{Name: "tinytool", Version: "1.0", Files: map[string]string{
		"tinytool/cli.py":                         "import sys\ndef main():\n    print('tinytool ran with', sys.prefix)\n",
		"tinytool-1.0.dist-info/entry_points.txt": "[console_scripts]\ntinytool = tinytool.cli:main\n",
	}})
	deps := []install.LocalFile{backendWheel(t, t.TempDir()), tool}
	dir := copyProject(t, "hello")
	writeFile(t, filepath.Join(dir, "tiny.json"), `{"name": "hello", "version": "1.0", "module": "hello", "run_tool": "tinytool"}`)
	if _, err := s.Build(context.Background(), Request{Source: makeSdist(t, dir, "hello-1.0"), Deps: deps}); err != nil {
		t.Fatal(err)
	}
	runs := hookRuns(t, log)
	var ran string
	for _, l := range runs {
		if p, ok := strings.CutPrefix(l, "tool: tinytool ran with "); ok {
			ran = p
		}
	}
	if !strings.HasPrefix(ran, s.TempDir) {
		t.Errorf("backend log %q: want tinytool run by the build venv's interpreter (under %s)", runs, s.TempDir)
	}
	if count(runs, "pip importable: False") != 1 {
		t.Errorf("backend log %q: the build venv has pip in it", runs)
	}
}

func TestBuildFailureKeepsBackendOutput(t *testing.T) {
	t.Parallel()
	s, _ := testSandbox(t)
	deps := []install.LocalFile{backendWheel(t, t.TempDir())}
	dir := copyProject(t, "hello")
	writeFile(t, filepath.Join(dir, "tiny.json"), `{"name": "hello", "version": "1.0", "module": "hello", "fail": "the C compiler cc was not found"}`)
	_, err := s.Build(context.Background(), Request{Source: makeSdist(t, dir, "hello-1.0"), Deps: deps})
	var be *BackendError
	if !errors.As(err, &be) {
		t.Fatalf("Build = %v, want a *BackendError", err)
	}
	if be.Hook != "build_wheel" || be.Backend != "tinybackend.build" || !strings.HasSuffix(be.Source, "hello-1.0.tar.gz") {
		t.Errorf("BackendError = hook %q backend %q source %q", be.Hook, be.Backend, be.Source)
	}
	for _, want := range []string{"tinybackend: cannot build hello: the C compiler cc was not found", "RuntimeError: the C compiler cc was not found"} {
		if !strings.Contains(be.Output, want) || !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not show the backend's %q:\n%s", want, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(s.CacheDir, "built")); len(entries) != 0 {
		t.Errorf("a failed build left %d cache entries", len(entries))
	}

	// A backend that the build dependencies do not provide.
	_, err = s.Build(context.Background(), Request{Source: Source{Dir: copyProject(t, "hello")}, OutDir: t.TempDir(),
		Deps: []install.LocalFile{distWheel(t, t.TempDir(), testindex.Dist{Name: "tinybackend", Version: "1.0"})}})
	if !errors.As(err, &be) || !strings.Contains(be.Reason, "cannot be loaded from the build dependencies") || !strings.Contains(be.Reason, "tinybackend.build") {
		t.Errorf("Build(backend missing from its wheel) = %v, want a *BackendError saying it cannot be loaded", err)
	}
	leftovers(t, s)
}

func TestBuildRefusesTamperedDependencyBeforeAnyHook(t *testing.T) {
	t.Parallel()
	s, log := testSandbox(t)
	dep := backendWheel(t, t.TempDir())
	want := dep.SHA256
	// the file changes after the caller verified it
	f, err := os.OpenFile(dep.Path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("tampered"))
	f.Close()
	got := fileSHA256(t, dep.Path)
	for _, req := range []Request{
		{Source: makeSdist(t, copyProject(t, "hello"), "hello-1.0"), Deps: []install.LocalFile{dep}},
		{Source: Source{Dir: copyProject(t, "hello")}, Deps: []install.LocalFile{dep}, Editable: true, OutDir: t.TempDir()},
	} {
		_, err = s.Build(context.Background(), req)
		var hm *HashMismatchError
		if !errors.As(err, &hm) || hm.What != "build dependency" || hm.Want != want || hm.Got != got || hm.File != dep.Path {
			t.Fatalf("Build = %v, want a *HashMismatchError for %s", err, dep.Path)
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) < 3 || lines[1] != "    expected sha256 "+want || lines[2] != "    got      sha256 "+got {
			t.Errorf("error lines = %q, want expected and actual on their own lines", lines)
		}
	}
	// The sdist itself, swapped after it was verified.
	good := makeSdist(t, copyProject(t, "hello"), "hello-1.0")
	swapped := Source{Sdist: good.Sdist, SHA256: strings.Repeat("0", 64)}
	_, err = s.Build(context.Background(), Request{Source: swapped, Deps: []install.LocalFile{backendWheel(t, t.TempDir())}})
	var hm *HashMismatchError
	if !errors.As(err, &hm) || hm.What != "sdist" || hm.Got != good.SHA256 || !strings.HasPrefix(err.Error(), "sdist "+good.Sdist+" does not match its hash") {
		t.Errorf("Build(swapped sdist) = %v, want a *HashMismatchError for the sdist", err)
	}
	if runs := hookRuns(t, log); len(runs) != 0 {
		t.Errorf("hooks ran despite the mismatch: %q", runs)
	}
	leftovers(t, s) // no venv was even made
}

func TestBuildCacheHit(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	deps := []install.LocalFile{backendWheel(t, t.TempDir())}
	src := makeSdist(t, copyProject(t, "hello"), "hello-1.0")
	var first *Result
	for i := range 2 {
		s, log := testSandbox(t) // a new Sandbox each time: the cache is on disk
		s.CacheDir = cache
		res, err := s.Build(context.Background(), Request{Source: src, Deps: deps})
		if err != nil {
			t.Fatal(err)
		}
		runs := hookRuns(t, log)
		if i == 0 {
			first = res
			if res.Cached || count(runs, "build_wheel") != 1 {
				t.Errorf("first build: cached %v, hooks %q; want one build_wheel", res.Cached, runs)
			}
			continue
		}
		if !res.Cached || len(runs) != 0 {
			t.Errorf("second build: cached %v, hooks %q; want a cache hit and no hook", res.Cached, runs)
		}
		if res.Wheel != first.Wheel || res.SHA256 != first.SHA256 {
			t.Errorf("second build = %+v, want the first one's wheel %+v", res, first)
		}
	}

	// Any other input is another key: another build environment ...
	s, log := testSandbox(t)
	s.CacheDir = cache
	more := append(deps, distWheel(t, t.TempDir(), testindex.Dist{Name: "tiny-extra", Version: "1.2"}))
	if res, err := s.Build(context.Background(), Request{Source: src, Deps: more}); err != nil || res.Cached || count(hookRuns(t, log), "build_wheel") != 1 {
		t.Errorf("build with another environment: %+v, %v; want a new build", res, err)
	}
	// ... or a cached wheel that no longer has its recorded hash.
	writeFile(t, first.Wheel, "corrupted")
	s, log = testSandbox(t)
	s.CacheDir = cache
	res, err := s.Build(context.Background(), Request{Source: src, Deps: deps})
	if err != nil || res.Cached || res.SHA256 != first.SHA256 || count(hookRuns(t, log), "build_wheel") != 1 {
		t.Errorf("build over a corrupted entry: %+v, %v; want a rebuild with the first hash", res, err)
	}
}

func TestKey(t *testing.T) {
	a := install.LocalFile{SHA256: strings.Repeat("a", 64)}
	b := install.LocalFile{SHA256: strings.Repeat("b", 64)}
	src := strings.Repeat("c", 64)
	tags := []string{"cp311-cp311-manylinux_2_17_x86_64", "py3-none-any"}
	base := Key(src, []install.LocalFile{a, b}, tags, nil)
	if Key(src, []install.LocalFile{b, a}, tags, nil) != base {
		t.Error("Key depends on the order of the build dependencies")
	}
	if Key(strings.ToUpper(src), []install.LocalFile{a, b}, tags, map[string]string{}) != base {
		t.Error("Key depends on the case of a hash, or on an empty config")
	}
	for name, k := range map[string]string{
		"source": Key(strings.Repeat("d", 64), []install.LocalFile{a, b}, tags, nil),
		"deps":   Key(src, []install.LocalFile{a}, tags, nil),
		"tags":   Key(src, []install.LocalFile{a, b}, tags[1:], nil),
		"config": Key(src, []install.LocalFile{a, b}, tags, map[string]string{"k": "v"}),
	} {
		if k == base {
			t.Errorf("Key ignores the %s", name)
		}
	}
}

func TestBuildRequirements(t *testing.T) {
	t.Parallel()
	s, log := testSandbox(t)
	backend := backendWheel(t, t.TempDir())
	dir := copyProject(t, "hello")
	writeFile(t, filepath.Join(dir, "tiny.json"), `{"name": "hello", "version": "1.0", "module": "hello", "get_requires": ["tiny-extra>=1", "never; sys_platform == 'nonesuch'"]}`)
	src := makeSdist(t, dir, "hello-1.0")
	ctx := context.Background()

	// [build-system] requires unmet: refused before any venv or hook.
	_, err := s.Build(ctx, Request{Source: src})
	var mr *MissingRequirementsError
	if !errors.As(err, &mr) || mr.From != "[build-system] requires" || !reflect.DeepEqual(mr.Missing, []string{"tinybackend>=1.0"}) {
		t.Errorf("Build(no deps) = %v, want tinybackend>=1.0 missing from [build-system] requires", err)
	}
	old := distWheel(t, t.TempDir(), testindex.Dist{Name: "tinybackend", Version: "0.9"})
	if _, err := s.Build(ctx, Request{Source: src, Deps: []install.LocalFile{old}}); !errors.As(err, &mr) {
		t.Errorf("Build(tinybackend 0.9) = %v, want tinybackend>=1.0 missing", err)
	}
	if runs := hookRuns(t, log); len(runs) != 0 {
		t.Errorf("hooks ran: %q", runs)
	}

	// The get_requires hook's answer, for the caller to lock.
	reqs, err := s.Requires(ctx, Request{Source: src, Deps: []install.LocalFile{backend}})
	if want := []string{"tiny-extra>=1", "never; sys_platform == 'nonesuch'"}; err != nil || !reflect.DeepEqual(reqs, want) {
		t.Errorf("Requires = %q, %v; want %q", reqs, err, want)
	}
	_, err = s.Build(ctx, Request{Source: src, Deps: []install.LocalFile{backend}})
	if !errors.As(err, &mr) || mr.From != "get_requires_for_build_wheel" || !reflect.DeepEqual(mr.Missing, []string{"tiny-extra>=1"}) || !reflect.DeepEqual(mr.Requires, reqs) {
		t.Errorf("Build(without tiny-extra) = %v, want tiny-extra>=1 missing (the other one's marker is false) and the whole answer %q", err, reqs)
	}
	if runs := hookRuns(t, log); count(runs, "build_wheel") != 0 {
		t.Errorf("build_wheel ran without its requirements: %q", runs)
	}
	extra := distWheel(t, t.TempDir(), testindex.Dist{Name: "Tiny_Extra", Version: "1.2"})
	res, err := s.Build(ctx, Request{Source: src, Deps: []install.LocalFile{backend, extra}})
	if err != nil || !reflect.DeepEqual(res.Requires, reqs) {
		t.Fatalf("Build(with tiny-extra) = %+v, %v", res, err)
	}
	// A hit remembers the hook's answer.
	res, err = s.Build(ctx, Request{Source: src, Deps: []install.LocalFile{extra, backend}})
	if err != nil || !res.Cached || !reflect.DeepEqual(res.Requires, reqs) {
		t.Errorf("second Build = %+v, %v; want a hit with the requirements", res, err)
	}
	leftovers(t, s)
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	s, log := testSandbox(t)
	deps := []install.LocalFile{backendWheel(t, t.TempDir())}
	dir := copyProject(t, "hello")
	writeFile(t, filepath.Join(dir, "tiny.json"), `{"name": "hello", "version": "1.0", "module": "hello", "dependencies": ["idna>=2", "tomli; python_version < '3.11'"]}`)
	ctx := context.Background()
	want := "Metadata-Version: 2.1\nName: hello\nVersion: 1.0\nRequires-Dist: idna>=2\nRequires-Dist: tomli; python_version < '3.11'\n"

	md, err := s.Metadata(ctx, Request{Source: makeSdist(t, dir, "hello-1.0"), Deps: deps})
	if err != nil {
		t.Fatal(err)
	}
	if string(md.METADATA) != want || md.Built != nil {
		t.Errorf("Metadata = %q (built %v), want %q from the hook", md.METADATA, md.Built, want)
	}
	if runs := hookRuns(t, log); count(runs, "prepare_metadata_for_build_wheel hello") != 1 || count(runs, "build_wheel") != 0 {
		t.Errorf("hooks run: %q, want prepare_metadata_for_build_wheel and no build", runs)
	}

	// Without the hook, the wheel is built (and cached) and read.
	writeFile(t, filepath.Join(dir, "pyproject.toml"), "[build-system]\nrequires = [\"tinybackend\"]\nbuild-backend = \"tinybackend.noprep\"\n")
	src := makeSdist(t, dir, "hello-1.0")
	md, err = s.Metadata(ctx, Request{Source: src, Deps: deps})
	if err != nil {
		t.Fatal(err)
	}
	if string(md.METADATA) != want || md.Built == nil || md.Built.Cached {
		t.Errorf("Metadata(no hook) = %q, built %+v; want %q from a fresh build", md.METADATA, md.Built, want)
	}
	if runs := hookRuns(t, log); count(runs, "build_wheel hello") != 1 || count(runs, "get_requires_for_build_wheel hello") != 2 {
		t.Errorf("hooks run: %q, want one build_wheel and get_requires once per call", runs)
	}
	res, err := s.Build(ctx, Request{Source: src, Deps: deps})
	if err != nil || !res.Cached || res.Wheel != md.Built.Wheel {
		t.Errorf("Build after Metadata = %+v, %v; want the wheel Metadata built, from the cache", res, err)
	}
	leftovers(t, s)
}

// TestNoIndexReachable points every index setting pip reads at a loopback
// server that records requests, then builds with a backend that runs pip
// itself: nothing may reach the server.
func TestNoIndexReachable(t *testing.T) {
	idx := testindex.New(t)
	idx.Add(testindex.Dist{Name: "somepkg", Version: "1.0"})
	srv := idx.Serve(t)
	home := t.TempDir()
	conf := "[global]\nindex-url = " + srv.Base + "/simple/\nextra-index-url = " + srv.Base + "/extra/\nfind-links = " + srv.FindLinksURL() + "\n"
	writeFile(t, filepath.Join(home, "pip.conf"), conf)
	if err := os.MkdirAll(filepath.Join(home, ".config", "pip"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(home, ".config", "pip", "pip.conf"), conf)
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("PIP_CONFIG_FILE", filepath.Join(home, "pip.conf"))
	t.Setenv("PIP_INDEX_URL", srv.Base+"/simple/")
	t.Setenv("PIP_EXTRA_INDEX_URL", srv.Base+"/extra/")
	t.Setenv("PIP_FIND_LINKS", srv.FindLinksURL())
	t.Setenv("PIP_NO_INDEX", "0")
	t.Setenv("UV_INDEX_URL", srv.Base+"/simple/")

	// The control: the same pip, given this environment, asks the server.
	host := hostPython(t)
	if out, err := exec.Command(host, "-m", "pip", "download", "--no-deps", "-d", t.TempDir(), "somepkg").CombinedOutput(); err != nil || len(srv.Requests()) == 0 {
		t.Fatalf("control: pip download did not reach the test index (%v):\n%s", err, out)
	}
	srv.ResetRequests()

	deps := []install.LocalFile{backendWheel(t, t.TempDir())}
	dir := copyProject(t, "hello")
	writeFile(t, filepath.Join(dir, "tiny.json"), `{"name": "hello", "version": "1.0", "module": "hello", "run_pip": "somepkg"}`)
	log := filepath.Join(t.TempDir(), "hooks.log")
	s := &Sandbox{Python: host, CacheDir: t.TempDir(), TempDir: t.TempDir(),
		Env: append(os.Environ(), "TINYBACKEND_LOG="+log, "TINY_HOST_PYTHON="+host)}
	if _, err := s.Build(context.Background(), Request{Source: makeSdist(t, dir, "hello-1.0"), Deps: deps}); err != nil {
		t.Fatal(err)
	}
	runs := hookRuns(t, log)
	for _, want := range []string{"env PIP_NO_INDEX=1", "env PIP_CONFIG_FILE=" + pipDevNull(runtime.GOOS), "pip download exit 1"} {
		if count(runs, want) != 1 {
			t.Errorf("backend log %q lacks %q", runs, want)
		}
	}
	for _, l := range runs {
		if strings.Contains(l, srv.Base) || strings.Contains(l, "PIP_INDEX_URL") || strings.Contains(l, "PIP_FIND_LINKS") {
			t.Errorf("the backend saw an index: %q", l)
		}
	}

	// Without a bundled pip wheel, the venv is seeded by ensurepip.
	s2 := &Sandbox{Python: host, TempDir: t.TempDir(), noBundledPip: true,
		Env: append(os.Environ(), "TINYBACKEND_LOG="+log, "TINY_HOST_PYTHON="+host)}
	res, err := s2.Build(context.Background(), Request{Source: Source{Dir: dir}, Deps: deps, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(res.Wheel) != "hello-1.0-py3-none-any.whl" {
		t.Errorf("Build(venv seeded by ensurepip) = %+v", res)
	}
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Errorf("the builds sent %d requests to the index, want 0: %+v", len(reqs), reqs)
	}
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// TestBuildConcurrent builds the same sdist twice at once with one
// Sandbox: both succeed, and the cache holds one whole entry and no
// temporary file.
func TestBuildConcurrent(t *testing.T) {
	t.Parallel()
	s, _ := testSandbox(t)
	deps := []install.LocalFile{backendWheel(t, t.TempDir())}
	req := Request{Source: makeSdist(t, copyProject(t, "hello"), "hello-1.0"), Deps: deps}
	results := make([]*Result, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.Build(context.Background(), req)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
	}
	if results[0].Wheel != results[1].Wheel || results[0].SHA256 != results[1].SHA256 {
		t.Errorf("concurrent builds disagree: %+v and %+v", results[0], results[1])
	}
	files, _ := filepath.Glob(filepath.Join(s.CacheDir, "built", "*", "*", "*"))
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if want := []string{entryFile, "hello-1.0-py3-none-any.whl"}; !reflect.DeepEqual(names, want) {
		t.Errorf("cache entry holds %q, want %q", names, want)
	}
	leftovers(t, s)
}

func TestPipDevNull(t *testing.T) {
	for goos, want := range map[string]string{"linux": "/dev/null", "darwin": "/dev/null", "windows": "nul"} {
		if got := pipDevNull(goos); got != want {
			t.Errorf("pipDevNull(%q) = %q, want %q", goos, got, want)
		}
	}
}

// TestBuildNoIsolation builds in the target environment itself: its
// packages (here the backend, unpacked into a venv's site-packages) are
// what the build imports, no venv is made and nothing is cached.
func TestBuildNoIsolation(t *testing.T) {
	t.Parallel()
	venv := filepath.Join(t.TempDir(), "target")
	if out, err := exec.Command(hostPython(t), "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		t.Fatalf("making the target venv: %v\n%s", err, out)
	}
	s, log := testSandbox(t)
	s.Python = filepath.Join(venv, "bin", "python")
	src := makeSdist(t, copyProject(t, "hello"), "hello-1.0")
	out := t.TempDir()
	_, err := s.Build(context.Background(), Request{Source: src, NoIsolation: true, OutDir: out})
	var be *BackendError
	if !errors.As(err, &be) || !strings.Contains(be.Reason, "cannot be loaded") {
		t.Errorf("Build without isolation in a venv without the backend = %v, want it unloadable", err)
	}
	sites, err := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages"))
	if err != nil || len(sites) != 1 {
		t.Fatalf("site-packages of %s: %v %q", venv, err, sites)
	}
	unzip(t, backendWheel(t, t.TempDir()).Path, sites[0])
	res, err := s.Build(context.Background(), Request{Source: src, NoIsolation: true, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cached || filepath.Dir(res.Wheel) != out || filepath.Base(res.Wheel) != "hello-1.0-py3-none-any.whl" {
		t.Errorf("Build without isolation = %+v, want hello's wheel in the output directory, not cached", res)
	}
	if got := hookRuns(t, log); !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "python ") && strings.HasSuffix(l, " in "+venv) }) {
		t.Errorf("the build did not run in the target venv: %q", got)
	}
	if entries, _ := os.ReadDir(filepath.Join(s.CacheDir, "built")); len(entries) != 0 {
		t.Errorf("a build without isolation was cached (%d entries)", len(entries))
	}
	for _, req := range []Request{
		{Source: src, NoIsolation: true, OutDir: out, Deps: []install.LocalFile{backendWheel(t, t.TempDir())}},
		{Source: src, NoIsolation: true},
	} {
		if _, err := s.Build(context.Background(), req); err == nil {
			t.Errorf("Build(%+v) without isolation succeeded, want it refused", req)
		}
	}
	leftovers(t, s)
}

// unzip extracts the zip at path into dir.
func unzip(t *testing.T, path, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, target, string(data))
	}
}
