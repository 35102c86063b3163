package project

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/internal/testgit"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/resolver"
)

const testCommit = "0123456789abcdef0123456789abcdef01234567"

// localProjects are the trees the tests name: app and libs/lib are
// projects, empty is a directory without one.
var localProjects = map[string]string{
	"app/pyproject.toml":          "[project]\nname = \"app\"\nversion = \"0.1\"\n",
	"libs/lib/setup.py":           "",
	"empty/README":                "",
	"dist/x-1.0-py3-none-any.whl": "",
	"safepip.toml":                "[[index]]\nname = \"pypi\"\nurl = \"https://pypi.example/simple\"\ndefault = true\n",
}

func readLocal(t *testing.T, env *Env, reqs string) (*inputs, error) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(env.Dir, "requirements.txt"), []byte(reqs), 0o644); err != nil {
		t.Fatal(err)
	}
	return readInputs(env, []string{"requirements.txt"}, nil, Sources{}, config.Flags{})
}

func TestLocalRequirements(t *testing.T) {
	env := testEnv(t, localProjects)
	abs := filepath.ToSlash(env.Dir)
	for _, tc := range []struct {
		line string
		want lock.Source
		name string
		ext  string
	}{
		{"-e ./app", lock.Source{Path: "app", Editable: true}, "", ""},
		{"-e .", lock.Source{}, "", ""}, // no project here: see TestLocalRequirementErrors
		{"./app", lock.Source{Path: "app"}, "", ""},
		{"./app[Test,dev] ; python_version >= '3'", lock.Source{Path: "app"}, "", "dev,test"},
		{"libs/lib", lock.Source{Path: "libs/lib"}, "", ""},
		{abs + "/libs/lib", lock.Source{Path: "libs/lib"}, "", ""},
		{"-e " + abs + "/app", lock.Source{Path: "app", Editable: true}, "", ""},
		{"app @ file://" + abs + "/app", lock.Source{Path: "app"}, "app", ""},
		{"-e file://" + abs + "/app", lock.Source{Path: "app", Editable: true}, "", ""},
		{"Git-Pkg @ git+https://tok3n@host/repo.git@" + testCommit + "#subdirectory=sub", lock.Source{Git: "https://host/repo.git", Commit: testCommit, Subdirectory: "sub"}, "git-pkg", ""},
		{"-e git+ssh://git@host/repo.git@" + testCommit + "#egg=gp", lock.Source{Git: "ssh://git@host/repo.git", Commit: testCommit}, "gp", ""},
		{"git+file:///srv/repo@" + testCommit, lock.Source{Git: "file:///srv/repo", Commit: testCommit}, "", ""},
	} {
		if tc.line == "-e ." {
			continue
		}
		in, err := readLocal(t, env, tc.line+"\n")
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if len(in.local) != 1 || len(in.reqs) != 0 {
			t.Errorf("%q: %d local requirements and %d others, want 1 local", tc.line, len(in.local), len(in.reqs))
			continue
		}
		l := in.local[0]
		src, err := l.lockSource(env.Dir)
		if err != nil || *src != tc.want {
			t.Errorf("%q: lockSource = %+v, %v; want %+v", tc.line, src, err, tc.want)
		}
		if l.Name != tc.name || strings.Join(l.Extras, ",") != tc.ext || l.Where != "requirements.txt:1" {
			t.Errorf("%q: name %q, extras %q, where %q; want %q, %q, requirements.txt:1", tc.line, l.Name, l.Extras, l.Where, tc.name, tc.ext)
		}
		if l.Git == nil && !filepath.IsAbs(l.Dir) {
			t.Errorf("%q: Dir %q is not absolute", tc.line, l.Dir)
		}
		if strings.Contains(in.digest(false), "tok3n") {
			t.Errorf("%q: the digest input holds a credential", tc.line)
		}
	}
}

// TestLocalPathsFollowTheWorkingDirectory: pip resolves a path of a
// requirements file against the working directory, not the file's.
func TestLocalPathsFollowTheWorkingDirectory(t *testing.T) {
	env := testEnv(t, localProjects)
	if err := os.WriteFile(filepath.Join(env.Dir, "libs", "reqs.txt"), []byte("-e ./app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := readInputs(env, []string{"libs/reqs.txt"}, nil, Sources{}, config.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.local[0].Dir, filepath.Join(env.Dir, "app"); got != want {
		t.Errorf("Dir = %q, want %q (relative to the working directory)", got, want)
	}
}

func TestLocalRequirementErrors(t *testing.T) {
	env := testEnv(t, localProjects)
	for _, tc := range []struct{ line, want string }{
		{"-e ./empty", `requirements.txt:1: "./empty": ` + filepath.Join(env.Dir, "empty") + " has neither pyproject.toml nor setup.py"},
		{"./nope", "nope: no such directory"},
		{"-e .", "has neither pyproject.toml nor setup.py"},
		{"app @ file://" + env.Dir + "/nope", "no such directory"},
		{"app @ file:relative/dir", "no directory of that name exists; write \"name @ file:///abs/dir\""},
		{"gp @ git+file:///srv/repo@" + testCommit, "pip 23.2.1 refuses a git+file URL after \"name @\""},
		{"app @ git+https://host/repo.git@main", `"main" is a branch or tag name, not a commit; a moving reference is not a lock`},
		{"app @ git+https://u:s3cret@host/repo.git@v1", "git ls-remote https://host/repo.git v1"},
		{"-e git+https://host/repo.git@" + testCommit[:7] + "#egg=app", "short commit hash"},
		{"app @ hg+https://host/repo@" + testCommit, "only git repositories are supported"},
		{"./dist/x-1.0-py3-none-any.whl", "a distribution file needs a name and its hash"},
		{"-c c.txt", "a constraint cannot be a local directory or a git URL"},
	} {
		if err := os.WriteFile(filepath.Join(env.Dir, "c.txt"), []byte("./app\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := readLocal(t, env, tc.line+"\n")
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want an InputError containing %q", tc.line, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%q: %v: a credential leaked", tc.line, err)
		}
	}
}

func TestEditableGitWarns(t *testing.T) {
	env := testEnv(t, localProjects)
	in, err := readLocal(t, env, "-e git+https://host/repo.git@"+testCommit+"#egg=gp\n")
	if err != nil {
		t.Fatal(err)
	}
	if in.local[0].Editable || len(in.warnings) != 1 || !strings.Contains(in.warnings[0], "not editable") {
		t.Errorf("editable %v, warnings %q; want a regular install and a warning", in.local[0].Editable, in.warnings)
	}
}

// TestLocalDigest: the digest holds where the trees are, relative to the
// lock, and how they are asked for, never what they hold.
func TestLocalDigest(t *testing.T) {
	env := testEnv(t, localProjects)
	in, err := readLocal(t, env, "-e ./app\n")
	if err != nil {
		t.Fatal(err)
	}
	before := in.digest(false)
	if err := os.WriteFile(filepath.Join(env.Dir, "app", "code.py"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	again, _ := readLocal(t, env, "-e ./app\n")
	if again.digest(false) != before {
		t.Error("an edit inside the tree changed the inputs digest")
	}
	for _, other := range []string{"./app\n", "-e ./app[x]\n", "-e ./libs/lib\n", "./app ; python_version < '4'\n"} {
		o, err := readLocal(t, env, other)
		if err != nil {
			t.Fatal(err)
		}
		if o.digest(false) == before {
			t.Errorf("%q has the digest of -e ./app", other)
		}
	}
	// the same checkout elsewhere: the same digest
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(env.Dir, moved); err != nil {
		t.Fatal(err)
	}
	env.Dir = moved
	m, err := readLocal(t, env, "-e ./app\n")
	if err != nil || m.digest(false) != before {
		t.Errorf("the moved checkout's digest differs (%v)", err)
	}
}

func TestProjectIsLocal(t *testing.T) {
	files := map[string]string{
		"pyproject.toml": "[build-system]\nrequires = [\"tinybackend\"]\nbuild-backend = \"tinybackend.build\"\n[project]\nname = \"My_App\"\nversion = \"0.1\"\ndependencies = [\"idna\"]\n[project.optional-dependencies]\nx = [\"six\"]\n",
		"safepip.toml":   localProjects["safepip.toml"],
	}
	env := testEnv(t, files)
	in, err := readInputs(env, nil, nil, Sources{Project: ProjectOptions{Extras: []string{"X"}}}, config.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.local) != 1 || in.local[0].Dir != env.Dir || !in.local[0].Editable || in.local[0].Name != "my-app" || strings.Join(in.local[0].Extras, ",") != "x" {
		t.Fatalf("local = %+v, want the project itself, editable, with its extra", in.local)
	}
	if src, _ := in.local[0].lockSource(env.Dir); *src != (lock.Source{Path: ".", Editable: true}) {
		t.Errorf("lockSource = %+v, want path \".\", editable", src)
	}
	if notes := in.projectNotes(ProjectOptions{}); len(notes) != 0 {
		t.Errorf("notes %q for a project that is installed", notes)
	}

	// no [build-system] and no setup.py: its dependencies only, and a note
	files["pyproject.toml"] = "[project]\nname = \"virt\"\nversion = \"0.1\"\ndependencies = [\"idna\"]\n"
	env = testEnv(t, files)
	in, err = readInputs(env, nil, nil, Sources{}, config.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.local) != 0 {
		t.Errorf("a project without [build-system] is local: %+v", in.local)
	}
	if notes := in.projectNotes(ProjectOptions{}); len(notes) != 1 || !strings.Contains(notes[0], "the project virt itself is not installed") || !strings.Contains(notes[0], "no [build-system]") {
		t.Errorf("notes = %q", notes)
	}
	if notes := in.projectNotes(ProjectOptions{NoProject: true}); len(notes) != 0 {
		t.Errorf("--no-project still notes %q", notes)
	}
}

func TestWithoutProject(t *testing.T) {
	lf := &lock.File{Requested: lock.Requested{Project: "pyproject.toml"}}
	proj := &lock.Package{Name: "app", Source: &lock.Source{Path: ".", Editable: true}}
	lib := &lock.Package{Name: "lib", Source: &lock.Source{Path: "libs/lib"}}
	idna := &lock.Package{Name: "idna"}
	choices := []install.Choice{{Package: proj, Build: true}, {Package: lib, Build: true}, {Package: idna}}
	if got := withoutProject(lf, choices, false); len(got) != 3 {
		t.Errorf("without --no-project: %d choices, want 3", len(got))
	}
	got := withoutProject(lf, choices, true)
	if len(got) != 2 || got[0].Package != lib || got[1].Package != idna || len(choices) != 3 || choices[0].Package != proj {
		t.Errorf("--no-project kept %v (and the input is now %v)", got, choices)
	}
}

func TestAddLocals(t *testing.T) {
	env := testEnv(t, localProjects)
	env.CacheDir = t.TempDir()
	repo := gitRepo(t, map[string]string{"sub/pyproject.toml": "[project]\nname = \"gp\"\nversion = \"2.0\"\n"})
	reqs := "-e ./app[x]\n./app[x]\ngp @ git+file://localhost" + filepath.ToSlash(repo.dir) + "@" + repo.commit + "#subdirectory=sub\n"
	in, err := readLocal(t, env, reqs)
	if err != nil {
		t.Fatal(err)
	}
	meta := func(_ context.Context, dir, where string) (*metadata.Metadata, error) {
		pp, err := os.ReadFile(filepath.Join(dir, "pyproject.toml"))
		if err != nil {
			return nil, err
		}
		name, version := "app", "0.1"
		if strings.Contains(string(pp), "gp") {
			name, version = "GP", "2.0"
		}
		return &metadata.Metadata{Name: name, Version: pep440.MustParse(version)}, nil
	}
	src := resolver.NewRoutedSource(in.cfg, nil, nil)
	// -e ./app and ./app are two sources of one project
	if err := in.addLocals(context.Background(), env, meta, src); err == nil || !strings.Contains(err.Error(), "both ask for the project app from different sources") {
		t.Errorf("addLocals of -e ./app and ./app: %v", err)
	}
	in, _ = readLocal(t, env, "-e ./app[x]\n"+strings.SplitN(reqs, "\n", 3)[2])
	if err := in.addLocals(context.Background(), env, meta, src); err != nil {
		t.Fatal(err)
	}
	if got := in.roots(); len(got) != 2 || got[0].String() != "app[x]" || got[1].String() != "gp" {
		t.Errorf("roots = %v, want app[x] and gp", got)
	}
	gp := in.localFor("gp")
	if gp == nil || !strings.HasPrefix(gp.Dir, filepath.Join(env.CacheDir, "git")) || filepath.Base(gp.Dir) != "sub" {
		t.Fatalf("localFor(gp) = %+v, want the checkout's sub directory", gp)
	}
	if src.Local("gp") == nil || src.Local("app") == nil {
		t.Error("the local projects were not added to the source")
	}
	// the tree of a locked source: the path, or the git checkout again
	dir, err := sourceDir(context.Background(), env, nil, filepath.Join(env.Dir, "safepip.lock"), &lock.Source{Git: "file://" + filepath.ToSlash(repo.dir), Commit: repo.commit, Subdirectory: "sub"})
	if err != nil || dir != gp.Dir {
		t.Errorf("sourceDir(git) = %q, %v; want %q", dir, err, gp.Dir)
	}
	dir, err = sourceDir(context.Background(), env, nil, filepath.Join(env.Dir, "safepip.lock"), &lock.Source{Path: "app"})
	if err != nil || dir != filepath.Join(env.Dir, "app") {
		t.Errorf("sourceDir(path) = %q, %v", dir, err)
	}
	if _, err := sourceDir(context.Background(), env, nil, filepath.Join(env.Dir, "safepip.lock"), &lock.Source{Path: "empty"}); err == nil {
		t.Error("sourceDir of a directory without a project succeeded")
	}

	// a line whose name is not the tree's
	in, _ = readLocal(t, env, "other @ file://"+filepath.ToSlash(env.Dir)+"/app\n")
	if err := in.addLocals(context.Background(), env, meta, src); err == nil || !strings.Contains(err.Error(), "names the project other, but the source tree is the project app") {
		t.Errorf("a wrong name: %v", err)
	}
}

type testGitRepo struct{ dir, commit string }

func gitRepo(t *testing.T, files map[string]string) testGitRepo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	return testGitRepo{dir: dir, commit: testgit.Repo(t, dir, files)}
}

// TestLocalDigestIgnoresAddLocals: the digest install computes (without
// reading the trees) is the one lock computed after addLocals.
func TestLocalDigestIgnoresAddLocals(t *testing.T) {
	env := testEnv(t, localProjects)
	in, err := readLocal(t, env, "-e ./app\n")
	if err != nil {
		t.Fatal(err)
	}
	before := in.digest(false)
	meta := func(context.Context, string, string) (*metadata.Metadata, error) {
		return &metadata.Metadata{Name: "app", Version: pep440.MustParse("0.1")}, nil
	}
	if err := in.addLocals(context.Background(), env, meta, resolver.NewRoutedSource(in.cfg, nil, nil)); err != nil {
		t.Fatal(err)
	}
	if in.digest(false) != before {
		t.Error("addLocals changed the inputs digest")
	}
}

// TestProjectDynamicDependencies: a project that can be built may leave
// its dependencies to its backend; one that cannot is refused as before.
func TestProjectDynamicDependencies(t *testing.T) {
	dynamic := "[project]\nname = \"dyn\"\nversion = \"1.0\"\ndynamic = [\"dependencies\"]\n[dependency-groups]\ndev = [\"ruff\"]\n"
	env := testEnv(t, map[string]string{"pyproject.toml": "[build-system]\nrequires = [\"tinybackend\"]\nbuild-backend = \"tinybackend.build\"\n" + dynamic,
		"safepip.toml": localProjects["safepip.toml"]})
	in, err := readInputs(env, nil, nil, Sources{Project: ProjectOptions{Groups: []string{"dev"}}}, config.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.local) != 1 || in.local[0].Name != "dyn" || len(in.reqs) != 1 || in.reqs[0].Name != "ruff" {
		t.Errorf("local %+v, requirements %v; want the project itself and its group", in.local, in.reqs)
	}
	env = testEnv(t, map[string]string{"pyproject.toml": dynamic, "safepip.toml": localProjects["safepip.toml"]})
	if _, err := readInputs(env, nil, nil, Sources{}, config.Flags{}); err == nil || !strings.Contains(err.Error(), "dynamic") {
		t.Errorf("dynamic dependencies without a build system: %v, want the refusal", err)
	}
}

// TestGitRefFor: the lock holds no credentials; an install with the
// requirement among its inputs fetches with the line's.
func TestGitRefFor(t *testing.T) {
	env := testEnv(t, localProjects)
	in, err := readLocal(t, env, "gp @ git+https://user:s3cret@host/repo.git@"+testCommit+"#subdirectory=sub\n")
	if err != nil {
		t.Fatal(err)
	}
	src, _ := in.local[0].lockSource(env.Dir)
	if src.Git != "https://host/repo.git" {
		t.Fatalf("lockSource().Git = %q", src.Git)
	}
	if got := gitRefFor(in, src); got.Repo != "https://user:s3cret@host/repo.git" || got.Commit != testCommit || got.Subdirectory != "sub" {
		t.Errorf("gitRefFor with the input = %+v, want the line's credentials", got)
	}
	if got := gitRefFor(nil, src); got.Repo != "https://host/repo.git" {
		t.Errorf("gitRefFor without inputs = %+v, want the lock's URL", got)
	}
	other := *src
	other.Commit = strings.Repeat("f", 40)
	if got := gitRefFor(in, &other); got.Repo != "https://host/repo.git" {
		t.Errorf("gitRefFor of another commit = %+v, want no credentials", got)
	}
}

// TestInputErrorsRedact: no message about a requirement line shows the
// credentials of its URL.
func TestInputErrorsRedact(t *testing.T) {
	env := testEnv(t, localProjects)
	for _, line := range []string{
		"https://user:s3cret@files.example/x-1.0-py3-none-any.whl",
		"x @ https://user:s3cret@files.example/x-1.0-py3-none-any.whl",
		"x @ git+https://user:s3cret@host/x.git@main",
	} {
		_, err := readLocal(t, env, line+"\n")
		if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "***@") {
			t.Errorf("%q: error %v, want one with the credentials redacted", line, err)
		}
	}
}

// TestPositionalLocal: a git commit may be an argument (the lock records it
// without credentials); a directory may not (it would be recorded by its
// absolute path).
func TestPositionalLocal(t *testing.T) {
	env := testEnv(t, localProjects)
	git := "gp @ git+https://user:s3cret@host/repo.git@" + testCommit
	in, err := readInputs(env, nil, nil, Sources{Packages: []string{git}}, config.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.local) != 1 || in.local[0].Git == nil || len(in.packages) != 1 || strings.Contains(in.packages[0], "s3cret") {
		t.Errorf("local %+v, recorded %q; want the git source, recorded without credentials", in.local, in.packages)
	}
	_, err = readInputs(env, nil, nil, Sources{Packages: []string{"app @ file://" + filepath.ToSlash(env.Dir) + "/app"}}, config.Flags{})
	if err == nil || !strings.Contains(err.Error(), "command line argument:1") || !strings.Contains(err.Error(), "name it in a requirements file") {
		t.Errorf("a directory as an argument: %v", err)
	}
}
