package integration

// safepip in CI: SARIF output validated against the official schema, the
// pre-commit hooks run by the real pre-commit, the release script and the
// GitHub Action's shell steps run against a release archive built here.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/safepip/safepip/internal/testindex"
)

// TestCIScripts runs testdata/ci/*.txtar: the scripts of commands(t) plus
//
//	sarif FILE: FILE ("stdout" for the last stdout) is valid SARIF 2.1.0
//	sarifresult FILE RULE LEVEL URI LINE REGEXP: a result of RULE at
//	  LEVEL located at URI (relative to SRCROOT) and LINE ("*": any), whose
//	  message matches REGEXP
//	lockline NAME VAR: sets VAR to the line of the [[package]] named NAME
//	  in safepip.lock
func TestCIScripts(t *testing.T) {
	schema := sarifSchema(t)
	cmds := commands(t)
	read := func(ts *testscript.TestScript, name string) []byte {
		if name == "stdout" {
			return []byte(ts.ReadFile("stdout"))
		}
		return []byte(ts.ReadFile(name))
	}
	cmds["sarif"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: sarif FILE")
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(read(ts, args[0])))
		if err != nil {
			ts.Fatalf("%s is not JSON: %v", args[0], err)
		}
		if err := schema.Validate(doc); err != nil {
			ts.Fatalf("%s is not valid SARIF 2.1.0: %v", args[0], err)
		}
	}
	cmds["sarifresult"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 6 {
			ts.Fatalf("usage: sarifresult FILE RULE LEVEL URI LINE REGEXP")
		}
		var log sarifLog
		ts.Check(json.Unmarshal(read(ts, args[0]), &log))
		re, err := regexp.Compile("(?s)" + args[5])
		ts.Check(err)
		var seen []string
		for _, r := range log.Runs[0].Results {
			if len(r.Locations) != 1 {
				ts.Fatalf("result %s has %d locations, want 1", r.RuleID, len(r.Locations))
			}
			pl := r.Locations[0].PhysicalLocation
			line := strconv.Itoa(pl.Region.StartLine)
			seen = append(seen, fmt.Sprintf("%s %s %s:%s %q", r.RuleID, r.Level, pl.ArtifactLocation.URI, line, r.Message.Text))
			if log.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
				ts.Fatalf("result %s has ruleIndex %d, the rule %s", r.RuleID, r.RuleIndex, log.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID)
			}
			if r.RuleID == args[1] && r.Level == args[2] && pl.ArtifactLocation.URI == args[3] &&
				pl.ArtifactLocation.URIBaseID == "SRCROOT" && (args[4] == "*" && line != "0" || line == args[4]) && re.MatchString(r.Message.Text) {
				return
			}
		}
		ts.Fatalf("no result %s %s at %s:%s matching %q; results:\n%s", args[1], args[2], args[3], args[4], args[5], strings.Join(seen, "\n"))
	}
	cmds["lockline"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: lockline NAME VAR")
		}
		header := 0
		for i, line := range strings.Split(ts.ReadFile("safepip.lock"), "\n") {
			switch strings.TrimSpace(line) {
			case "[[package]]":
				header = i + 1
			case `name = "` + args[0] + `"`, `name = '` + args[0] + `'`:
				if header > 0 {
					ts.Setenv(args[1], strconv.Itoa(header))
					return
				}
			}
			if strings.HasPrefix(line, "[") && strings.TrimSpace(line) != "[[package]]" {
				header = 0
			}
		}
		ts.Fatalf("safepip.lock has no [[package]] named %s", args[0])
	}
	testscript.Run(t, testscript.Params{Dir: filepath.Join("testdata", "ci"), Setup: setup, Cmds: cmds})
}

// sarifLog is the part of a SARIF log the checks read.
type sarifLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// sarifSchema compiles the official SARIF 2.1.0 schema kept in
// sarif/testdata.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "sarif", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	const id = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// repoRoot is the checkout this test runs in.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// gitEnv is an environment for git commands in a test: a fixed identity,
// no user or system configuration, and no PIP_* variables of this machine.
func gitEnv(home string) []string {
	return append(withoutPipEnv(os.Environ()),
		"HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=safepip test", "GIT_AUTHOR_EMAIL=test@localhost",
		"GIT_COMMITTER_NAME=safepip test", "GIT_COMMITTER_EMAIL=test@localhost",
	)
}

// run runs name args in dir with env and returns its combined output; it
// fails the test unless the exit status is want.
func runIn(t *testing.T, dir string, env []string, want int, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	got := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	if got != want {
		t.Fatalf("%s %s in %s: exit status %d, want %d; output:\n%s", name, strings.Join(args, " "), dir, got, want, out)
	}
	return string(out)
}

// goEnv returns `go env NAME`.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// TestPreCommitHooks installs the hooks of .pre-commit-hooks.yaml with
// the real pre-commit (language: golang builds safepip from a git copy of
// this checkout, with the module cache and no network) into a project's
// git repository: a commit whose lock is stale fails, one with a fresh
// lock passes.
func TestPreCommitHooks(t *testing.T) {
	if _, err := exec.LookPath("pre-commit"); err != nil {
		t.Fatal("pre-commit is not installed (.ci/run installs Debian's package): " + err.Error())
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is not installed")
	}
	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	env := append(gitEnv(home),
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "pre-commit-cache"),
		// safepip builds offline from the module cache this test already uses.
		"GOMODCACHE="+goEnv(t, "GOMODCACHE"), "GOCACHE="+goEnv(t, "GOCACHE"),
		"GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local",
		"SAFEPIP_CACHE_DIR="+filepath.Join(tmp, "cache"), "PIP_CONFIG_FILE="+os.DevNull, "NO_COLOR=1",
	)

	// The hook repository: the sources cmd/safepip is built from and the
	// hooks manifest, committed, as pre-commit clones a repository at a rev.
	hooks := filepath.Join(tmp, "safepip-hooks")
	copySources(t, repoRoot(t), hooks)
	runIn(t, hooks, env, 0, "git", "init", "-q")
	runIn(t, hooks, env, 0, "git", "add", "-A")
	runIn(t, hooks, env, 0, "git", "commit", "-q", "-m", "safepip")
	rev := strings.TrimSpace(runIn(t, hooks, env, 0, "git", "rev-parse", "HEAD"))
	runIn(t, hooks, env, 0, "pre-commit", "validate-manifest", ".pre-commit-hooks.yaml")

	idx := testindex.New(t)
	idx.Add(testindex.Dist{Name: "tabulate-lite", Version: "1.0"})
	idx.Add(testindex.Dist{Name: "tabulate-lite", Version: "1.1"})
	srv := idx.Serve(t)

	proj := filepath.Join(tmp, "project")
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(proj, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	write(".pre-commit-config.yaml", fmt.Sprintf(`repos:
  - repo: %s
    rev: %s
    hooks:
      - id: safepip-lock-check
        args: [-r, requirements.txt]
`, hooks, rev))
	write("requirements.txt", "--index-url "+srv.URL+"\ntabulate-lite==1.0\n")
	safepip := filepath.Join(binDir, "safepip")
	runIn(t, proj, env, 0, safepip, "lock", "-r", "requirements.txt")
	runIn(t, proj, env, 0, "git", "init", "-q")
	runIn(t, proj, env, 0, "pre-commit", "install")

	// A fresh lock: the hook builds safepip, runs, and the commit is made.
	runIn(t, proj, env, 0, "git", "add", "-A")
	out := runIn(t, proj, env, 0, "git", "commit", "-m", "fresh lock")
	if !regexp.MustCompile(`safepip lock --check\.+Passed`).MatchString(out) {
		t.Errorf("fresh lock: the hook did not pass; output:\n%s", out)
	}

	// A requirement changes and the lock does not: the commit fails.
	write("requirements.txt", "--index-url "+srv.URL+"\ntabulate-lite==1.1\n")
	runIn(t, proj, env, 0, "git", "add", "requirements.txt")
	out = runIn(t, proj, env, 1, "git", "commit", "-m", "stale lock")
	for _, want := range []string{"safepip lock --check", "Failed", "exit code: 1", "safepip.lock is stale: the requirements or the configuration changed", "run `safepip lock` and commit the result"} {
		if !strings.Contains(out, want) {
			t.Errorf("stale lock: output lacks %q:\n%s", want, out)
		}
	}
	if log := runIn(t, proj, env, 0, "git", "log", "--format=%s"); strings.Contains(log, "stale lock") {
		t.Errorf("the stale commit was made:\n%s", log)
	}

	// Relocked, the same commit passes.
	runIn(t, proj, env, 0, safepip, "lock", "-r", "requirements.txt")
	runIn(t, proj, env, 0, "git", "add", "-A")
	out = runIn(t, proj, env, 0, "git", "commit", "-m", "relocked")
	if !regexp.MustCompile(`safepip lock --check\.+Passed`).MatchString(out) {
		t.Errorf("relocked: the hook did not pass; output:\n%s", out)
	}

	// A commit that touches none of the hook's files does not run it.
	write("README", "hello\n")
	runIn(t, proj, env, 0, "git", "add", "README")
	out = runIn(t, proj, env, 0, "git", "commit", "-m", "docs")
	if !regexp.MustCompile(`safepip lock --check\.+\(no files to check\)Skipped`).MatchString(out) {
		t.Errorf("unrelated commit: the hook was not skipped; output:\n%s", out)
	}
}

// copySources copies into dst what building ./cmd/safepip reads from the
// module (its packages' Go and embedded files, go.mod, go.sum) and the
// hooks manifest.
func copySources(t *testing.T, root, dst string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-f", `{{if .Module}}{{if .Module.Main}}{{.Dir}}{{range .GoFiles}} {{.}}{{end}}{{range .EmbedFiles}} {{.}}{{end}}{{end}}{{end}}`, "./cmd/safepip")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	files := []string{"go.mod", "go.sum", ".pre-commit-hooks.yaml", "LICENSE"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		rel, err := filepath.Rel(root, fields[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fields[1:] {
			files = append(files, filepath.Join(rel, f))
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReleaseAndAction runs scripts/release for this machine's target
// twice (the archives must be the same bytes), checks what the archive
// holds and what its binary reports, then runs the GitHub Action's shell
// steps (scripts/action) against it with the variables GitHub sets.
func TestReleaseAndAction(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Fatal("not a git checkout: scripts/release builds a commit")
	}
	tmp := t.TempDir()
	target := runtime.GOOS + "/" + runtime.GOARCH
	env := append(gitEnv(filepath.Join(tmp, "home")), "TARGETS="+target, "GOFLAGS=", "GOTOOLCHAIN=local", "GOCACHE="+goEnv(t, "GOCACHE"), "GOMODCACHE="+goEnv(t, "GOMODCACHE"))
	// The release is built from a clone without this repository's tags, so
	// that a tag of the declared version on an older commit does not stop
	// it; the scripts are this checkout's.
	src := filepath.Join(tmp, "src")
	runIn(t, tmp, env, 0, "git", "clone", "--quiet", "--shared", "--no-tags", root, src)
	for _, name := range []string{"release", "action"} {
		data, err := os.ReadFile(filepath.Join(root, "scripts", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, "scripts", name), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dist1, dist2 := filepath.Join(tmp, "dist1"), filepath.Join(tmp, "dist2")
	// A release is of the version cmd/safepip declares.
	m := regexp.MustCompile(`(?m)^const version = "([^"]+)"$`).FindStringSubmatch(readString(t, filepath.Join(src, "cmd", "safepip", "main.go")))
	if m == nil {
		t.Fatal("cmd/safepip/main.go declares no version")
	}
	ver := m[1]
	out := runIn(t, src, append(env, "DIST="+dist1), 2, filepath.Join(src, "scripts", "release"), "v99.0.0")
	if !strings.Contains(out, `cmd/safepip/main.go declares version "`+ver+`", not "99.0.0": commit the new version there first`) {
		t.Errorf("release of another version than declared: output:\n%s", out)
	}
	runIn(t, src, append(env, "DIST="+dist1), 0, filepath.Join(src, "scripts", "release"), "v"+ver)
	runIn(t, src, append(env, "DIST="+dist2), 0, filepath.Join(src, "scripts", "release"), "v"+ver)
	sums1, err := os.ReadFile(filepath.Join(dist1, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	sums2, err := os.ReadFile(filepath.Join(dist2, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sums1, sums2) {
		t.Errorf("two release builds of one commit differ:\n%s\n%s", sums1, sums2)
	}
	archive := fmt.Sprintf("safepip_%s_%s_%s.tar.gz", ver, runtime.GOOS, runtime.GOARCH)
	if !regexp.MustCompile(`^[0-9a-f]{64}  ` + regexp.QuoteMeta(archive) + "\n$").Match(sums1) {
		t.Errorf("SHA256SUMS = %q, want one line for %s", sums1, archive)
	}
	members := tarMembers(t, filepath.Join(dist1, archive))
	if want := "LICENSE 0644 0 root; README.md 0644 0 root; safepip 0755 0 root"; members != want {
		t.Errorf("%s holds %s, want %s", archive, members, want)
	}

	// The GitHub Action's steps, as a runner runs them.
	gh := filepath.Join(tmp, "github")
	if err := os.MkdirAll(gh, 0o755); err != nil {
		t.Fatal(err)
	}
	runnerArch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	runnerOS := map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS]
	ghEnv := func(step string, extra ...string) []string {
		return append(append(withoutPipEnv(os.Environ()),
			"GITHUB_ACTIONS=true", "GITHUB_WORKSPACE="+filepath.Join(tmp, "project"),
			"GITHUB_OUTPUT="+filepath.Join(gh, step+".output"), "GITHUB_STEP_SUMMARY="+filepath.Join(gh, "summary.md"),
			"GITHUB_PATH="+filepath.Join(gh, "path"), "RUNNER_OS="+runnerOS, "RUNNER_ARCH="+runnerArch,
			"RUNNER_TEMP="+filepath.Join(tmp, "runner-temp"), "SAFEPIP_CACHE_DIR="+filepath.Join(tmp, "cache"),
			"PIP_CONFIG_FILE="+os.DevNull, "NO_COLOR=1",
		), extra...)
	}
	action := filepath.Join(src, "scripts", "action")
	base := "SAFEPIP_ACTION_BASE_URL=file://" + dist1
	if err := os.MkdirAll(filepath.Join(tmp, "runner-temp"), 0o755); err != nil {
		t.Fatal(err)
	}

	// action.yml runs these two steps.
	yml, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{`run: '"$GITHUB_ACTION_PATH/scripts/action" install'`, `run: '"$GITHUB_ACTION_PATH/scripts/action" run'`} {
		if !bytes.Contains(yml, []byte(step)) {
			t.Errorf("action.yml lacks the step %s", step)
		}
	}

	// A wrong pinned sha256: nothing is installed, the error says why.
	out = runIn(t, tmp, ghEnv("bad", "SAFEPIP_ACTION_VERSION=v"+ver, base, "SAFEPIP_ACTION_SHA256="+strings.Repeat("0", 64)), 1, action, "install")
	for _, want := range []string{"::error title=safepip action::" + archive + " from file://" + dist1 + " does not match the sha256 input", "expected: sha256:" + strings.Repeat("0", 64), "nothing was installed"} {
		if !strings.Contains(out, want) {
			t.Errorf("bad sha256: output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(gh, "path")); err == nil {
		t.Errorf("bad sha256: GITHUB_PATH was written")
	}
	// A checksums file that lists other bytes fails the same way.
	bad := filepath.Join(tmp, "SHA256SUMS.bad")
	if err := os.WriteFile(bad, []byte(strings.Repeat("1", 64)+"  "+archive+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out = runIn(t, tmp, ghEnv("bad", "SAFEPIP_ACTION_VERSION=v"+ver, base, "SAFEPIP_ACTION_CHECKSUMS="+bad), 1, action, "install")
	if !strings.Contains(out, "does not match "+bad) {
		t.Errorf("bad SHA256SUMS: output:\n%s", out)
	}
	// A version that was not released: the download fails.
	runIn(t, tmp, ghEnv("bad", "SAFEPIP_ACTION_VERSION=v99.0.0", base), 1, action, "install")

	// The release's own SHA256SUMS.
	out = runIn(t, tmp, ghEnv("install", "SAFEPIP_ACTION_VERSION=v"+ver, base), 0, action, "install")
	rev := strings.TrimSpace(runIn(t, src, env, 0, "git", "rev-parse", "HEAD"))
	for _, want := range []string{"safepip " + ver + "\n", "module   v" + ver + "\n", "revision " + rev + " (", "installed " + archive} {
		if !strings.Contains(out, want) {
			t.Errorf("install: output lacks %q:\n%s", want, out)
		}
	}
	installed := filepath.Join(tmp, "runner-temp", "safepip-v"+ver+"-"+runtime.GOOS+"_"+runtime.GOARCH, "bin", "safepip")
	if got := readString(t, filepath.Join(gh, "install.output")); got != "path="+installed+"\n" {
		t.Errorf("GITHUB_OUTPUT = %q, want path=%s", got, installed)
	}
	if got := readString(t, filepath.Join(gh, "path")); got != filepath.Dir(installed)+"\n" {
		t.Errorf("GITHUB_PATH = %q", got)
	}
	// The pinned sha256 of the right archive installs too.
	pinned := strings.Fields(string(sums1))[0]
	runIn(t, tmp, ghEnv("install", "SAFEPIP_ACTION_VERSION=v"+ver, base, "SAFEPIP_ACTION_SHA256="+strings.ToUpper(pinned)), 0, action, "install")

	// The run step: lock --check in a project whose lock is stale fails
	// with exit 1, an annotation on the lock and a step summary.
	idx := testindex.New(t)
	idx.Add(testindex.Dist{Name: "tabulate-lite", Version: "1.0"})
	idx.Add(testindex.Dist{Name: "tabulate-lite", Version: "1.1"})
	srv := idx.Serve(t)
	proj := filepath.Join(tmp, "project")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proj, "requirements.txt"), []byte("--index-url "+srv.URL+"\ntabulate-lite==1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runStep := func(want int, command, args string, extra ...string) string {
		t.Helper()
		return runIn(t, proj, ghEnv("run", append([]string{"SAFEPIP_ACTION_BIN=" + installed, "SAFEPIP_ACTION_COMMAND=" + command, "SAFEPIP_ACTION_ARGS=" + args}, extra...)...), want, action, "run")
	}
	runStep(0, "lock", "-r 'requirements.txt'")
	runStep(0, "lock --check", "-r requirements.txt")
	if got := readString(t, filepath.Join(gh, "run.output")); got != "exit-code=0\nexit-code=0\n" {
		t.Errorf("GITHUB_OUTPUT after two runs = %q", got)
	}
	if err := os.WriteFile(filepath.Join(proj, "requirements.txt"), []byte("--index-url "+srv.URL+"\ntabulate-lite==1.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out = runStep(1, "lock --check", "-r requirements.txt")
	if want := "::error file=safepip.lock,title=safepip::" + filepath.Join(proj, "safepip.lock") + " is stale"; !strings.Contains(out, want) {
		t.Errorf("stale lock: output lacks %q:\n%s", want, out)
	}
	if got := readString(t, filepath.Join(gh, "run.output")); !strings.HasSuffix(got, "exit-code=1\n") {
		t.Errorf("GITHUB_OUTPUT = %q, want exit-code=1 last", got)
	}
	summary := readString(t, filepath.Join(gh, "summary.md"))
	for _, want := range []string{
		"### safepip `lock -r requirements.txt`: passed\n",
		"### safepip `lock --check -r requirements.txt`: passed\n",
		"### safepip `lock --check -r requirements.txt`: failed (exit status 1: a check failed)\n\n```\n" + filepath.Join(proj, "safepip.lock") + " is stale",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("step summary lacks %q:\n%s", want, summary)
		}
	}
	// stdout-file: a SARIF report for the upload step.
	runStep(0, "audit --format sarif", "-r requirements.txt --public-index "+srv.URL, "SAFEPIP_ACTION_STDOUT=results.sarif")
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(readString(t, filepath.Join(proj, "results.sarif"))))
	if err != nil {
		t.Fatal(err)
	}
	if err := sarifSchema(t).Validate(doc); err != nil {
		t.Errorf("results.sarif: %v", err)
	}

	// An unknown command is refused before anything runs.
	out = runStep(1, "rm -rf /", "")
	if !strings.Contains(out, `input command "rm" is not one of lock, install, verify, audit, export`) {
		t.Errorf("unknown command: output:\n%s", out)
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// tarMembers lists a .tar.gz's members as "name mode uid owner", sorted
// as stored, and checks each mtime is the same.
func tarMembers(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" {
		t.Errorf("%s: gzip header names %q", path, gz.Name)
	}
	tr := tar.NewReader(gz)
	var out []string
	var mtime int64 = -1
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if mtime >= 0 && h.ModTime.Unix() != mtime {
			t.Errorf("%s: %s has mtime %d, others %d", path, h.Name, h.ModTime.Unix(), mtime)
		}
		mtime = h.ModTime.Unix()
		out = append(out, fmt.Sprintf("%s %04o %d %s", h.Name, h.Mode, h.Uid, h.Uname))
	}
	return strings.Join(out, "; ")
}
