package testgit

import (
	"path/filepath"
	"testing"
)

func TestRepo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	first := Repo(t, dir, map[string]string{"a/b.txt": "one\n"})
	if len(first) != 40 {
		t.Fatalf("commit %q is not 40 hex", first)
	}
	second := Commit(t, dir, map[string]string{"a/b.txt": "two\n"})
	if second == first || Git(t, dir, "rev-parse", "HEAD~1") != first {
		t.Errorf("second commit %s does not follow %s", second, first)
	}
	if got := Git(t, dir, "show", first+":a/b.txt"); got != "one" {
		t.Errorf("first commit holds %q", got)
	}
	if got := Git(t, dir, "branch", "--show-current"); got != "main" {
		t.Errorf("branch %q, want main", got)
	}
}
