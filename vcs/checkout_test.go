package vcs

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/safepip/safepip/internal/testgit"
)

// testRepo is a real git repository made by the test.
type testRepo struct {
	t   *testing.T
	dir string
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: filepath.Join(t.TempDir(), "repo")}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return testgit.Git(r.t, r.dir, args...)
}

// commit writes files and commits them, returning the commit.
func (r *testRepo) commit(files map[string]string) string {
	r.t.Helper()
	return testgit.Commit(r.t, r.dir, files)
}

func (r *testRepo) url() string { return "file://" + filepath.ToSlash(r.dir) }

func TestCheckout(t *testing.T) {
	repo := newTestRepo(t)
	first := repo.commit(map[string]string{"a.txt": "one\n", "sub/pkg/pyproject.toml": "[project]\n"})
	second := repo.commit(map[string]string{"a.txt": "two\n"})
	cache := t.TempDir()
	ctx := context.Background()

	dir, err := Checkout(ctx, GitRef{Repo: repo.url(), Commit: first}, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "a.txt")); got != "one\n" {
		t.Errorf("checkout of the first commit has a.txt %q, want %q", got, "one\n")
	}
	if !strings.HasPrefix(dir, filepath.Join(cache, "git")+string(filepath.Separator)) {
		t.Errorf("checkout in %s, want it under %s", dir, filepath.Join(cache, "git"))
	}
	dir2, err := Checkout(ctx, GitRef{Repo: repo.url(), Commit: second}, cache)
	if err != nil {
		t.Fatal(err)
	}
	if dir2 == dir || readFile(t, filepath.Join(dir2, "a.txt")) != "two\n" {
		t.Errorf("the second commit's checkout %s has %q", dir2, readFile(t, filepath.Join(dir2, "a.txt")))
	}

	// reused: a file left in the checkout stays, no temporary directory remains
	marker := filepath.Join(dir, "reused")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := Checkout(ctx, GitRef{Repo: repo.url(), Commit: first}, cache)
	if err != nil || again != dir {
		t.Fatalf("second Checkout = %q, %v; want %q", again, err, dir)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the checkout was made again instead of reused: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(cache, "git"))
	if len(entries) != 2 {
		t.Errorf("cache holds %d entries, want the 2 checkouts: %v", len(entries), entries)
	}

	// a checkout moved to another commit is made again
	runGit(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "moved")
	again, err = Checkout(ctx, GitRef{Repo: repo.url(), Commit: first}, cache)
	if err != nil || readFile(t, filepath.Join(again, "a.txt")) != "one\n" {
		t.Errorf("a checkout at the wrong commit was reused: %v", err)
	}

	sub, err := Checkout(ctx, GitRef{Repo: repo.url(), Commit: first, Subdirectory: "sub/pkg"}, cache)
	if err != nil || sub != filepath.Join(dir, "sub", "pkg") {
		t.Errorf("Checkout with a subdirectory = %q, %v; want %q", sub, err, filepath.Join(dir, "sub", "pkg"))
	}
	if _, err := Checkout(ctx, GitRef{Repo: repo.url(), Commit: second, Subdirectory: "nope"}, cache); err == nil || !strings.Contains(err.Error(), `no directory "nope"`) {
		t.Errorf("Checkout of a missing subdirectory: %v", err)
	}
}

func TestCheckoutFallsBackToAFullFetch(t *testing.T) {
	repo := newTestRepo(t)
	old := repo.commit(map[string]string{"a.txt": "one\n"})
	repo.commit(map[string]string{"a.txt": "two\n"})
	// protocol v0 and a commit the server does not advertise (not a tip):
	// the fetch by hash is refused, the full fetch finds it
	dir, err := checkout(context.Background(), GitRef{Repo: repo.url(), Commit: old}, t.TempDir(), checkoutOptions{protocolV0: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "a.txt")); got != "one\n" {
		t.Errorf("a.txt = %q, want %q", got, "one\n")
	}
}

func TestCheckoutErrors(t *testing.T) {
	repo := newTestRepo(t)
	repo.commit(map[string]string{"a.txt": "one\n"})
	ctx := context.Background()
	missing := strings.Repeat("ab", 20)
	for _, o := range []checkoutOptions{{}, {protocolV0: true}} {
		_, err := checkout(ctx, GitRef{Repo: repo.url(), Commit: missing}, t.TempDir(), o)
		var ge *GitError
		if !errors.As(err, &ge) || ge.Commit != missing || !strings.Contains(err.Error(), repo.url()) {
			t.Errorf("checkout(%+v) of a missing commit = %v, want a *GitError naming the repository and commit", o, err)
		}
	}

	// credentials are redacted from every message, git's output included
	ref := GitRef{Repo: "http://user:s3cret@127.0.0.1:1/repo.git", Commit: missing}
	cache := t.TempDir()
	_, err := Checkout(ctx, ref, cache)
	if err == nil {
		t.Fatal("Checkout of an unreachable repository succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "http://***@127.0.0.1:1/repo.git") {
		t.Errorf("error = %q, want the URL with its credentials redacted", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(cache, "git")); len(entries) != 0 {
		t.Errorf("a failed checkout left %v in the cache", entries)
	}

	if _, err := Checkout(ctx, GitRef{Repo: repo.url(), Commit: "main"}, t.TempDir()); err == nil {
		t.Error("Checkout of a branch name succeeded")
	}
}

// TestCheckoutIgnoresUserConfig: a user's url.insteadOf would send the fetch
// elsewhere; Checkout runs git without the user's configuration.
func TestCheckoutIgnoresUserConfig(t *testing.T) {
	repo := newTestRepo(t)
	c := repo.commit(map[string]string{"a.txt": "real\n"})
	other := newTestRepo(t)
	other.commit(map[string]string{"a.txt": "other\n"})
	global := filepath.Join(t.TempDir(), "gitconfig")
	cfg := "[url \"" + other.url() + "\"]\n\tinsteadOf = " + repo.url() + "\n"
	if err := os.WriteFile(global, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CONFIG_GLOBAL", global)
	t.Setenv("GIT_DIR", other.dir+"/.git")
	dir, err := Checkout(context.Background(), GitRef{Repo: repo.url(), Commit: c}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "a.txt")); got != "real\n" {
		t.Errorf("a.txt = %q: the user's git configuration changed what was fetched", got)
	}
}

func TestGitEnviron(t *testing.T) {
	env := gitEnviron([]string{"PATH=/bin", "GIT_DIR=/x", "GIT_SSH_COMMAND=ssh -i k", "HOME=/h"})
	want := map[string]string{"PATH": "/bin", "HOME": "/h", "GIT_SSH_COMMAND": "ssh -i k", "GIT_TERMINAL_PROMPT": "0",
		"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.DevNull}
	got := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("gitEnviron: %s=%q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["GIT_DIR"]; ok {
		t.Error("gitEnviron kept GIT_DIR")
	}
}

func runGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCheckoutConcurrent: several safepips checking the same commit out at
// once all get the one complete checkout, and leave no temporary directory.
func TestCheckoutConcurrent(t *testing.T) {
	repo := newTestRepo(t)
	c := repo.commit(map[string]string{"a.txt": "one\n"})
	cache := t.TempDir()
	const n = 4
	dirs, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dirs[i], errs[i] = Checkout(context.Background(), GitRef{Repo: repo.url(), Commit: c}, cache)
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || dirs[i] != dirs[0] {
			t.Errorf("Checkout %d = %q, %v; want %q", i, dirs[i], errs[i], dirs[0])
		}
	}
	if got := readFile(t, filepath.Join(dirs[0], "a.txt")); got != "one\n" {
		t.Errorf("a.txt = %q", got)
	}
	entries, _ := os.ReadDir(filepath.Join(cache, "git"))
	if len(entries) != 1 {
		t.Errorf("the cache holds %v, want the one checkout", entries)
	}
}
