package integration

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sourceLock is a version 2 lock holding one package, tiny 0.1.0, from
// the given source table (TOML inline table text).
func sourceLock(source string) string {
	return `version = 2
created-by = "safepip test"
inputs = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

[scope]
requires-python = ">=3.9"

[[package]]
name = "tiny"
version = "0.1.0"
source = ` + source + `
dependencies = []
required-by = ["<root>"]
`
}

// tinyProject writes a setuptools project "tiny" 0.1.0 into dir.
func tinyProject(t *testing.T, dir string) {
	t.Helper()
	writeTestFile(t, filepath.Join(dir, "pyproject.toml"), `[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "tiny"
version = "0.1.0"
`)
	writeTestFile(t, filepath.Join(dir, "tiny", "__init__.py"), "ANSWER = 42\n")
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildVenv is a fresh venv whose own setuptools can build a project
// without an index: it gets Debian's (or the interpreter's test data's)
// wheel of "wheel", which setuptools before 70.1 needs.
func buildVenv(t *testing.T, dir string) string {
	t.Helper()
	python := freshVenv(t, dir)
	_, wheelWhl := bundledSetuptools(t)
	if out, err := runPip(python, nil, "install", "--no-index", wheelWhl); err != nil {
		t.Fatalf("installing %s: %v\n%s", wheelWhl, err, out)
	}
	return python
}

// verifyInstalled runs `safepip verify --installed` with lock as the lock
// and returns its exit status and JSON report.
func verifyInstalled(t *testing.T, dir, python, lock string) (int, verifyReport, string) {
	t.Helper()
	writeTestFile(t, filepath.Join(dir, "safepip.lock"), lock)
	r := runSafepip(t, dir, nil, "--json", "verify", "--installed", "--python", python)
	var rep verifyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("safepip verify --installed: exit %d, stdout is not JSON: %v\n%s\nstderr:\n%s", r.code, err, r.stdout, r.stderr)
	}
	return r.code, rep, r.stderr
}

type verifyReport struct {
	Findings []struct {
		Kind, Package, Expected, Actual, Detail string
	}
	Installed int
	Notes     []string
}

func (r verifyReport) kinds() string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Kind+" "+f.Package+": "+f.Detail)
	}
	return strings.Join(out, "\n")
}

// TestVerifyInstalledEditable installs a local setuptools project with
// real pip, editable and then not, and checks `safepip verify --installed`
// against hand-written locks of that path source: it passes for the
// locked directory, and reports a lock whose path points elsewhere, or
// whose editable flag is not how it was installed.
func TestVerifyInstalledEditable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tinyProject(t, filepath.Join(dir, "proj"))
	if err := os.MkdirAll(filepath.Join(dir, "elsewhere"), 0o755); err != nil {
		t.Fatal(err)
	}
	python := buildVenv(t, filepath.Join(dir, "venv"))
	if out, err := runPip(python, nil, "install", "--no-build-isolation", "--no-index", "-e", filepath.Join(dir, "proj")); err != nil {
		t.Fatalf("pip install -e: %v\n%s", err, out)
	}
	if got := pythonSays(t, python, "import tiny; print(tiny.ANSWER)"); got != "42" {
		t.Fatalf("the editable tiny says %q", got)
	}

	code, rep, stderr := verifyInstalled(t, dir, python, sourceLock(`{path = "proj", editable = true}`))
	if code != 0 || len(rep.Findings) != 0 || rep.Installed == 0 {
		t.Errorf("verify --installed of the locked editable: exit %d, findings:\n%s\n%s", code, rep.kinds(), stderr)
	}

	code, rep, _ = verifyInstalled(t, dir, python, sourceLock(`{path = "elsewhere", editable = true}`))
	if code != 1 || len(rep.Findings) != 1 || rep.Findings[0].Kind != "source-mismatch" ||
		!strings.Contains(rep.Findings[0].Detail, `installed from another directory than the locked source path "elsewhere"`) ||
		!strings.HasSuffix(rep.Findings[0].Expected, "/elsewhere") || !strings.HasSuffix(rep.Findings[0].Actual, "/proj") {
		t.Errorf("verify --installed with the lock's path elsewhere: exit %d, findings %+v; want exit 1 and one source-mismatch", code, rep.Findings)
	}

	code, rep, _ = verifyInstalled(t, dir, python, sourceLock(`{path = "proj"}`))
	if code != 1 || len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Detail, "locked as a copy of the directory, installed editable") {
		t.Errorf("verify --installed of an editable install locked as a copy: exit %d, findings:\n%s", code, rep.kinds())
	}

	// The text report names the finding, the lock and the installed origin.
	r := runSafepip(t, dir, nil, "verify", "--installed", "--python", python)
	if r.code != 1 || !strings.Contains(r.stdout, "tiny 0.1.0: source-mismatch: locked as a copy of the directory, installed editable") ||
		!strings.Contains(r.stdout, "actual:   the editable directory file://") {
		t.Errorf("verify --installed (text): exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// (b) the same directory installed as a copy.
	if out, err := runPip(python, nil, "install", "--no-build-isolation", "--no-index", "--force-reinstall", filepath.Join(dir, "proj")); err != nil {
		t.Fatalf("pip install DIR: %v\n%s", err, out)
	}
	code, rep, stderr = verifyInstalled(t, dir, python, sourceLock(`{path = "proj"}`))
	if code != 0 || len(rep.Findings) != 0 {
		t.Errorf("verify --installed of the locked directory installed as a copy: exit %d, findings:\n%s\n%s", code, rep.kinds(), stderr)
	}
	// an installed file edited after installation is still caught
	site := strings.TrimSpace(pythonSays(t, python, "import tiny, os; print(os.path.dirname(tiny.__file__))"))
	writeTestFile(t, filepath.Join(site, "__init__.py"), "ANSWER = 666\n")
	code, rep, _ = verifyInstalled(t, dir, python, sourceLock(`{path = "proj"}`))
	if code != 1 || len(rep.Findings) != 1 || rep.Findings[0].Kind != "modified-on-disk" {
		t.Errorf("verify --installed after editing the installed copy: exit %d, findings:\n%s", code, rep.kinds())
	}
}

// TestVerifyInstalledGitSource installs a project from a file:// git
// repository pinned by commit with real pip, and checks verify --installed
// against a lock of that commit, and of another.
func TestVerifyInstalledGitSource(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	tinyProject(t, filepath.Join(repo, "sub"))
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_GLOBAL="+os.DevNull)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "tiny")
	commit := git("rev-parse", "HEAD")
	repoURL := "file://" + filepath.ToSlash(repo)
	python := buildVenv(t, filepath.Join(dir, "venv"))
	if out, err := runPip(python, nil, "install", "--no-build-isolation", "--no-index",
		"git+"+repoURL+"@"+commit+"#egg=tiny&subdirectory=sub"); err != nil {
		t.Fatalf("pip install git+: %v\n%s", err, out)
	}
	code, rep, stderr := verifyInstalled(t, dir, python, sourceLock(`{git = "`+repoURL+`", commit = "`+commit+`", subdirectory = "sub"}`))
	if code != 0 || len(rep.Findings) != 0 {
		t.Errorf("verify --installed of the locked commit: exit %d, findings:\n%s\n%s", code, rep.kinds(), stderr)
	}
	other := strings.Repeat("f", 40)
	code, rep, _ = verifyInstalled(t, dir, python, sourceLock(`{git = "`+repoURL+`", commit = "`+other+`", subdirectory = "sub"}`))
	if code != 1 || len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Detail, "installed from another commit than locked") ||
		rep.Findings[0].Actual != "git "+repoURL+"@"+commit+" (subdirectory sub)" {
		t.Errorf("verify --installed of another commit: exit %d, findings %+v", code, rep.Findings)
	}
}

// TestVerifyBuildPackagesAndBuiltSdist locks by hand a real setuptools
// sdist with its build dependencies (the interpreter's own setuptools
// wheel and Debian's wheel of "wheel") on a file:// index, then runs the
// real binary: verify checks the build dependencies' wheels too (a
// replaced one is a hash mismatch naming it); verify --installed accepts
// the package pip built from the locked sdist, with a note that it has no
// wheel hash to match; export keeps the build dependencies in
// [tool.safepip] and rebases the sources' paths.
func TestVerifyBuildPackagesAndBuiltSdist(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	proj := filepath.Join(dir, "proj")
	tinyProject(t, proj)
	python := buildVenv(t, filepath.Join(dir, "venv"))
	files := filepath.Join(dir, "index", "files")
	cmd := exec.Command(python, "-c", "import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))", files)
	cmd.Dir = proj
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the sdist: %v\n%s", err, out)
	}
	setuptools, wheelWhl := bundledSetuptools(t)
	var buildPackages, refs []string
	for _, whl := range []string{setuptools, wheelWhl} {
		data, err := os.ReadFile(whl)
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, filepath.Join(files, filepath.Base(whl)), string(data))
		parts := strings.Split(filepath.Base(whl), "-")
		refs = append(refs, `"`+parts[0]+"=="+parts[1]+`"`)
		buildPackages = append(buildPackages, `
[[build-package]]
name = "`+parts[0]+`"
version = "`+parts[1]+`"
index = "local"
dependencies = []
required-by = ["tiny"]
[[build-package.file]]
name = "`+filepath.Base(whl)+`"
url = "file://`+filepath.ToSlash(filepath.Join(files, filepath.Base(whl)))+`"
sha256 = "`+fileSHA256(t, whl)+`"
`)
	}
	sdist := filepath.Join(files, "tiny-0.1.0.tar.gz")
	lockText := `version = 2
created-by = "safepip test"
inputs = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

[scope]
requires-python = ">=3.9"

[[index]]
name = "local"
url = "file://` + filepath.ToSlash(filepath.Join(dir, "index", "simple")) + `"

[[package]]
name = "tiny"
version = "0.1.0"
index = "local"
allow-sdist = true
build-dependencies = [` + strings.Join(refs, ", ") + `]
dependencies = []
required-by = ["<root>"]
[[package.file]]
name = "tiny-0.1.0.tar.gz"
url = "file://` + filepath.ToSlash(sdist) + `"
sha256 = "` + fileSHA256(t, sdist) + `"
` + strings.Join(buildPackages, "")
	writeTestFile(t, filepath.Join(dir, "safepip.lock"), lockText)

	out := universalRun(t, dir, 0, nil, "verify")
	if !strings.Contains(out, "Verified 3 files") {
		t.Errorf("verify of a sdist and its two build dependencies:\n%s", out)
	}

	if out, err := runPip(python, nil, "install", "--no-build-isolation", "--no-index", sdist); err != nil {
		t.Fatalf("pip install the sdist: %v\n%s", err, out)
	}
	r := runSafepip(t, dir, nil, "verify", "--installed", "--python", python)
	if r.code != 0 || !strings.Contains(r.stderr, "safepip: note: tiny 0.1.0 was built from its locked sdist tiny-0.1.0.tar.gz") ||
		!strings.Contains(r.stdout, "no findings") {
		t.Errorf("verify --installed of the package built from the locked sdist: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = runSafepip(t, dir, nil, "export", "--format", "pylock")
	if r.code != 0 || !strings.Contains(r.stdout, "[[tool.safepip.build-packages]]\nname = 'setuptools'") {
		t.Errorf("export --format pylock: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runSafepip(t, dir, nil, "export", "--format", "requirements")
	if r.code != 0 || !strings.Contains(r.stdout, "#   tiny 0.1.0: setuptools==") {
		t.Errorf("export --format requirements: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The locked setuptools wheel is replaced on the index.
	writeTestFile(t, filepath.Join(files, filepath.Base(setuptools)), "not the locked wheel")
	fresh := map[string]string{"SAFEPIP_CACHE_DIR": filepath.Join(dir, "fresh-cache")}
	r = runSafepip(t, dir, fresh, "--json", "verify")
	var rep verifyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("verify --json: %v\n%s%s", err, r.stdout, r.stderr)
	}
	if r.code != 1 || len(rep.Findings) != 1 || rep.Findings[0].Kind != "hash-mismatch" || rep.Findings[0].Package != "setuptools" {
		t.Errorf("verify with a replaced build dependency: exit %d, findings %+v; want one hash-mismatch of setuptools", r.code, rep.Findings)
	}
}

// TestExportRebasesSourcePaths: export -o into another directory writes
// the sources' paths relative to it.
func TestExportRebasesSourcePaths(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "safepip.lock"), sourceLock(`{path = "proj", editable = true}`))
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	universalRun(t, dir, 0, nil, "export", "--format", "pylock", "-o", filepath.Join("out", "pylock.toml"))
	data, err := os.ReadFile(filepath.Join(dir, "out", "pylock.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "[packages.directory]\npath = '../proj'\neditable = true") {
		t.Errorf("pylock.toml in out/:\n%s", data)
	}
	out := universalRun(t, dir, 0, nil, "export", "--format", "requirements")
	if !strings.Contains(out, "#   pip install --no-deps -e ./proj\n") {
		t.Errorf("requirements export:\n%s", out)
	}
}

// TestVerifyAfterSafepipBuilds locks and installs an sdist-only project
// with safepip's own builds, then verifies: the sdist and its two build
// dependencies' wheels are checked, and the installed package, built from
// the locked sdist, passes with a note instead of a finding.
func TestVerifyAfterSafepipBuilds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	buildProject(t, dir, "acme-lib", "")
	universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt")
	python := freshVenv(t, filepath.Join(dir, "venv"))
	universalRun(t, dir, 0, nil, "install", "--frozen", "--python", python)

	if out := universalRun(t, dir, 0, nil, "verify"); !strings.Contains(out, "Verified 3 files") {
		t.Errorf("verify of the sdist and its build dependencies:\n%s", out)
	}
	r := runSafepip(t, dir, nil, "verify", "--installed", "--python", python)
	if r.code != 0 || !strings.Contains(r.stderr, "safepip: note: acme-lib 1.0 was built from its locked sdist acme_lib-1.0.tar.gz") {
		t.Errorf("verify --installed after safepip built acme-lib: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep verifyReport
	r = runSafepip(t, dir, nil, "--json", "verify", "--installed", "--python", python)
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 || len(rep.Notes) != 1 || len(rep.Findings) != 0 {
		t.Errorf("verify --installed --json: exit %d, %v, %+v", r.code, err, rep)
	}
}
