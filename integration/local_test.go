package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/internal/testgit"
	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/lock"
)

// Local and git sources, end to end: the user's own trees are locked by
// where they are (relative to the lock) and built with locked, verified
// build dependencies (testindex.TinyBackend from the index), then installed
// by pip like every other file.

// localProject is the files of a project that TinyBackend builds: a static
// [project] table, tiny.json for the backend, and its module saying value.
func localProject(name, version, value string, deps ...string) map[string]string {
	module := strings.ReplaceAll(name, "-", "_")
	quoted := make([]string, len(deps))
	for i, d := range deps {
		quoted[i] = fmt.Sprintf("%q", d)
	}
	if deps == nil {
		deps = []string{}
	}
	tiny, _ := json.Marshal(map[string]any{"name": name, "version": version, "module": module, "dependencies": deps})
	return map[string]string{
		"pyproject.toml": testindex.TinyPyproject + fmt.Sprintf("\n[project]\nname = %q\nversion = %q\ndependencies = [%s]\n",
			name, version, strings.Join(quoted, ", ")),
		"tiny.json":                string(tiny),
		module + "/__init__.py":    fmt.Sprintf("VALUE = %q\n", value),
		module + "/__pycache__/.x": "", // never packaged
	}
}

// writeTree writes files under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, text)
	}
}

// localIndex serves the build backend and the runtime dependency of the
// local projects, and returns the safepip.toml that names it.
func localIndex(t *testing.T) (config string, srv *testindex.Server) {
	t.Helper()
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "dep-lite", Version: "1.0"})
	srv = idx.Serve(t)
	return fmt.Sprintf("[[index]]\nname = \"pypi\"\nurl = %q\ndefault = true\n", srv.URL), srv
}

// TestLocalProjects: `-e .` (the working directory's project) is installed
// editable, so an edit shows without reinstalling; `./libs/lib` is built
// and installed as a regular wheel; both are locked as paths relative to
// the lock, with their build dependency; the lock holds no absolute path of
// this machine, stays fresh when the checkout moves, and `verify
// --installed` accepts the editable install.
func TestLocalProjects(t *testing.T) {
	t.Parallel()
	config, _ := localIndex(t)
	root := t.TempDir()
	repo := filepath.Join(root, "checkout")
	writeTree(t, repo, localProject("app", "0.1", "one", "dep-lite>=1"))
	writeTree(t, filepath.Join(repo, "libs", "lib"), localProject("lib-one", "1.0", "lib one"))
	writeFile(t, filepath.Join(repo, "safepip.toml"), config)
	writeFile(t, filepath.Join(repo, "requirements.txt"), "-e .\n./libs/lib\n")

	universalRun(t, repo, 0, nil, "lock", "-r", "requirements.txt")
	data := readFile(t, filepath.Join(repo, "safepip.lock"))
	lf := readLock(t, filepath.Join(repo, "safepip.lock"))
	for _, tc := range []struct {
		name string
		want lock.Source
	}{
		{"app", lock.Source{Path: ".", Editable: true}},
		{"lib-one", lock.Source{Path: "libs/lib"}},
	} {
		p := lf.Package(tc.name)
		if p == nil {
			t.Fatalf("the lock has no %s:\n%s", tc.name, data)
		}
		if p.Source == nil || *p.Source != tc.want || p.Index != "" || len(p.Files) != 0 {
			t.Errorf("%s is locked with source %+v, index %q, files %v; want %+v, no index, no files", tc.name, p.Source, p.Index, p.Files, tc.want)
		}
		if !slices.Equal(p.BuildDependencies, []string{"tinybackend==1.0"}) {
			t.Errorf("%s build-dependencies = %q, want [tinybackend==1.0]", tc.name, p.BuildDependencies)
		}
	}
	if p := lf.Package("dep-lite"); p == nil || !slices.Contains(p.RequiredBy, "app") {
		t.Errorf("dep-lite (app's dependency) is not locked as required by app: %+v", p)
	}
	for _, abs := range []string{root, repo, filepath.ToSlash(repo)} {
		if strings.Contains(string(data), abs) {
			t.Errorf("the lock holds the absolute path %s:\n%s", abs, data)
		}
	}

	venv := filepath.Join(root, "venv")
	py := freshVenv(t, venv)
	universalRun(t, repo, 0, nil, "install", "--frozen", "-r", "requirements.txt", "--python", py)
	if got, want := installedSet(t, venv), []string{"app==0.1", "dep-lite==1.0", "lib-one==1.0"}; !slices.Equal(got, want) {
		t.Errorf("installed %v, want %v (tinybackend is a build dependency and stays out)", got, want)
	}
	if got := pythonSays(t, py, "import app, lib_one; print(app.VALUE, '|', lib_one.VALUE)"); got != "one | lib one" {
		t.Errorf("the installed projects say %q", got)
	}
	// editable: the working copy is what runs; the regular install is a copy
	writeFile(t, filepath.Join(repo, "app", "__init__.py"), "VALUE = 'edited'\n")
	writeFile(t, filepath.Join(repo, "libs", "lib", "lib_one", "__init__.py"), "VALUE = 'edited'\n")
	if got := pythonSays(t, py, "import app, lib_one; print(app.VALUE, '|', lib_one.VALUE)"); got != "edited | lib one" {
		t.Errorf("after editing both trees the projects say %q, want the edit for app (editable) only", got)
	}
	if r := runSafepip(t, repo, nil, "verify", "--installed", "--python", py); r.code != 0 {
		t.Errorf("verify --installed after an editable install: exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
	// an edit inside a tree does not make the lock stale
	universalRun(t, repo, 0, nil, "lock", "-r", "requirements.txt", "--check")

	// the same checkout elsewhere: the lock is fresh and installs from there
	moved := filepath.Join(root, "moved", "checkout")
	if err := os.MkdirAll(filepath.Dir(moved), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(repo, moved); err != nil {
		t.Fatal(err)
	}
	universalRun(t, moved, 0, nil, "lock", "-r", "requirements.txt", "--check")
	venv2 := filepath.Join(root, "venv2")
	py2 := freshVenv(t, venv2)
	universalRun(t, moved, 0, nil, "install", "--frozen", "-r", "requirements.txt", "--python", py2)
	if got := pythonSays(t, py2, "import app; print(app.__file__)"); !strings.HasPrefix(got, moved) {
		t.Errorf("the editable app of the moved checkout is %s, want it under %s", got, moved)
	}

	// a directory that is not a project, named on a line
	writeTree(t, moved, map[string]string{"docs/index.md": "", "bad.txt": "-e ./docs\n"})
	r := runSafepip(t, moved, nil, "lock", "-r", "bad.txt", "--lock", "bad.lock")
	if r.code != 2 || !strings.Contains(r.stderr, `bad.txt:1: "./docs"`) || !strings.Contains(r.stderr, "neither pyproject.toml nor setup.py") {
		t.Errorf("-e ./docs: exit %d, want 2 naming the line and the missing pyproject.toml\n%s", r.code, r.stderr)
	}
}

// TestLocalProjectFromPyproject: with no -r, the project of pyproject.toml
// is installed itself (editable), as `-e .` would; --no-project installs
// its dependencies only and keeps the lock as it is.
func TestLocalProjectFromPyproject(t *testing.T) {
	t.Parallel()
	config, _ := localIndex(t)
	repo := t.TempDir()
	writeTree(t, repo, localProject("app", "0.1", "one", "dep-lite"))
	writeFile(t, filepath.Join(repo, "safepip.toml"), config)

	venv := filepath.Join(repo, "venv-no-project")
	py := freshVenv(t, venv)
	universalRun(t, repo, 0, nil, "install", "--python", py, "--no-project")
	if got := installedSet(t, venv); !slices.Equal(got, []string{"dep-lite==1.0"}) {
		t.Errorf("--no-project installed %v, want dep-lite alone", got)
	}
	lf := readLock(t, filepath.Join(repo, "safepip.lock"))
	if p := lf.Package("app"); p == nil || p.Source == nil || *p.Source != (lock.Source{Path: ".", Editable: true}) {
		t.Errorf("the lock's app = %+v, want the editable path source \".\"", p)
	}
	venv = filepath.Join(repo, "venv")
	py = freshVenv(t, venv)
	universalRun(t, repo, 0, nil, "install", "--frozen", "--python", py)
	if got := installedSet(t, venv); !slices.Equal(got, []string{"app==0.1", "dep-lite==1.0"}) {
		t.Errorf("install installed %v, want the project and its dependency", got)
	}
	writeFile(t, filepath.Join(repo, "app", "__init__.py"), "VALUE = 'edited'\n")
	if got := pythonSays(t, py, "import app; print(app.VALUE)"); got != "edited" {
		t.Errorf("the project is not editable: it says %q after an edit", got)
	}
}

// TestLocalFileURL: "name @ file:///abs/dir" is a path source, recorded
// relative to the lock.
func TestLocalFileURL(t *testing.T) {
	t.Parallel()
	config, _ := localIndex(t)
	repo := t.TempDir()
	writeTree(t, filepath.Join(repo, "vendor", "filepkg"), localProject("filepkg", "2.0", "from a file URL"))
	writeFile(t, filepath.Join(repo, "safepip.toml"), config)
	url := "file://" + filepath.ToSlash(filepath.Join(repo, "vendor", "filepkg"))
	writeFile(t, filepath.Join(repo, "requirements.txt"), "filepkg @ "+url+"\n")

	venv := filepath.Join(repo, "venv")
	py := freshVenv(t, venv)
	universalRun(t, repo, 0, nil, "install", "-r", "requirements.txt", "--python", py)
	lf := readLock(t, filepath.Join(repo, "safepip.lock"))
	if p := lf.Package("filepkg"); p == nil || p.Source == nil || *p.Source != (lock.Source{Path: "vendor/filepkg"}) {
		t.Errorf("filepkg is locked as %+v, want the path source vendor/filepkg", p)
	}
	if got := pythonSays(t, py, "import filepkg; print(filepkg.VALUE)"); got != "from a file URL" {
		t.Errorf("filepkg says %q", got)
	}

	// the name on the line must be the tree's
	writeFile(t, filepath.Join(repo, "wrong.txt"), "other @ "+url+"\n")
	r := runSafepip(t, repo, nil, "lock", "-r", "wrong.txt", "--lock", "wrong.lock")
	if r.code != 2 || !strings.Contains(r.stderr, "names the project other, but the source tree is the project filepkg") {
		t.Errorf("a wrong name: exit %d, want 2\n%s", r.code, r.stderr)
	}
}

// gitRepoWith makes a git repository at dir holding files and returns its
// commit.
func gitRepoWith(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	commit := testgit.Repo(t, dir, files)
	testgit.Git(t, dir, "tag", "v2.0")
	return commit
}

// TestLocalGitCommit: a file:// git repository pinned by commit is checked
// out, built and installed; the lock records its URL and commit; a branch
// or a tag is exit 2 with the command that finds the commit; credentials
// in a git URL reach no message and no lock.
func TestLocalGitCommit(t *testing.T) {
	t.Parallel()
	config, _ := localIndex(t)
	root := t.TempDir()
	gitDir := filepath.Join(root, "gitpkg")
	files := map[string]string{}
	for name, text := range localProject("gitpkg", "2.0", "from git", "dep-lite") {
		files["pkg/"+name] = text
	}
	commit := gitRepoWith(t, gitDir, files)
	repoURL := "file://" + filepath.ToSlash(gitDir)

	work := filepath.Join(root, "work")
	writeTree(t, work, map[string]string{
		"safepip.toml":     config,
		"requirements.txt": "git+" + repoURL + "@" + commit + "#egg=gitpkg&subdirectory=pkg\n",
		"named.txt":        "gitpkg @ git+file://localhost" + filepath.ToSlash(gitDir) + "@" + commit + "#subdirectory=pkg\n",
		"branch.txt":       "gitpkg @ git+file://localhost" + filepath.ToSlash(gitDir) + "@main#subdirectory=pkg\n",
		"tag.txt":          "git+" + repoURL + "@v2.0#egg=gitpkg&subdirectory=pkg\n",
		"secret.txt":       "gitpkg @ git+https://user:s3cret-token@127.0.0.1:1/gitpkg.git@" + commit + "\n",
	})
	venv := filepath.Join(root, "venv")
	py := freshVenv(t, venv)
	universalRun(t, work, 0, nil, "install", "-r", "requirements.txt", "--python", py)
	if got := installedSet(t, venv); !slices.Equal(got, []string{"dep-lite==1.0", "gitpkg==2.0"}) {
		t.Errorf("installed %v, want gitpkg 2.0 and its dependency", got)
	}
	if got := pythonSays(t, py, "import gitpkg; print(gitpkg.VALUE)"); got != "from git" {
		t.Errorf("gitpkg says %q", got)
	}
	if r := runSafepip(t, work, nil, "verify", "--installed", "--python", py); r.code != 0 {
		t.Errorf("verify --installed after a git install: exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
	lf := readLock(t, filepath.Join(work, "safepip.lock"))
	want := lock.Source{Git: repoURL, Commit: commit, Subdirectory: "pkg"}
	if p := lf.Package("gitpkg"); p == nil || p.Source == nil || *p.Source != want {
		t.Errorf("gitpkg is locked as %+v, want the source %+v", p, want)
	}
	// install --frozen in a fresh cache checks the commit out again
	venv2 := filepath.Join(root, "venv2")
	py2 := freshVenv(t, venv2)
	universalRun(t, work, 0, map[string]string{"SAFEPIP_CACHE_DIR": filepath.Join(root, "cache2")}, "install", "--frozen", "-r", "requirements.txt", "--python", py2)
	if got := pythonSays(t, py2, "import gitpkg; print(gitpkg.VALUE)"); got != "from git" {
		t.Errorf("gitpkg from a fresh cache says %q", got)
	}
	// "name @ git+file://localhost/..." is the same source
	universalRun(t, work, 0, nil, "lock", "-r", "named.txt", "--lock", "named.lock")
	if p := readLock(t, filepath.Join(work, "named.lock")).Package("gitpkg"); p == nil || p.Source == nil || *p.Source != want {
		t.Errorf("named.lock's gitpkg = %+v, want %+v", p, want)
	}

	// as an argument: the lock records it as given (a git URL holds no path
	// of this machine's project tree)
	named := strings.TrimSpace(string(readFile(t, filepath.Join(work, "named.txt"))))
	universalRun(t, work, 0, nil, "lock", named, "--lock", "arg.lock")
	argLock := readLock(t, filepath.Join(work, "arg.lock"))
	if req := argLock.Requested.Requirements; len(req) != 1 || strings.ReplaceAll(req[0], " ", "") != strings.ReplaceAll(named, " ", "") {
		t.Errorf("arg.lock requested %q, want %q", req, named)
	}
	if p := argLock.Package("gitpkg"); p == nil || p.Source == nil || *p.Source != want {
		t.Errorf("arg.lock's gitpkg = %+v, want %+v", p, want)
	}

	for _, tc := range []struct{ file, ref string }{{"branch.txt", "main"}, {"tag.txt", "v2.0"}} {
		r := runSafepip(t, work, nil, "lock", "-r", tc.file, "--lock", "moving.lock")
		for _, w := range []string{tc.file + ":1", fmt.Sprintf("%q is a branch or tag name, not a commit", tc.ref), "a moving reference is not a lock",
			fmt.Sprintf("git ls-remote %s %s", repoURL, tc.ref)} {
			if r.code != 2 || !strings.Contains(r.stderr, w) {
				t.Errorf("%s: exit %d, want 2 and %q in\n%s", tc.file, r.code, w, r.stderr)
			}
		}
	}

	r := runSafepip(t, work, nil, "lock", "-r", "secret.txt", "--lock", "secret.lock")
	if r.code == 0 || strings.Contains(r.stdout+r.stderr, "s3cret-token") || !strings.Contains(r.stderr, "https://***@127.0.0.1:1/gitpkg.git") {
		t.Errorf("an unreachable git URL with credentials: exit %d, want a failure naming the redacted URL and no credential:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(work, "secret.lock")); err == nil {
		t.Error("a lock was written although the repository could not be fetched")
	}
}

// TestLocalProjectDynamicDependencies: the project's backend computes its
// dependencies (prepare_metadata_for_build_wheel in the locked build
// environment), and they are locked as the project's.
func TestLocalProjectDynamicDependencies(t *testing.T) {
	t.Parallel()
	config, _ := localIndex(t)
	repo := t.TempDir()
	files := localProject("app", "0.1", "one", "dep-lite")
	files["pyproject.toml"] = testindex.TinyPyproject + "\n[project]\nname = \"app\"\nversion = \"0.1\"\ndynamic = [\"dependencies\"]\n"
	writeTree(t, repo, files)
	writeFile(t, filepath.Join(repo, "safepip.toml"), config)
	universalRun(t, repo, 0, nil, "lock")
	lf := readLock(t, filepath.Join(repo, "safepip.lock"))
	if p := lf.Package("app"); p == nil || !slices.Equal(p.Dependencies, []string{"dep-lite"}) {
		t.Errorf("app = %+v, want its backend's dependency dep-lite", p)
	}
	if p := lf.Package("dep-lite"); p == nil || !slices.Equal(p.RequiredBy, []string{"app"}) {
		t.Errorf("dep-lite = %+v, want it required by app", p)
	}
}
