package vcs

import (
	"errors"
	"strings"
	"testing"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

func TestParseGit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want GitRef
	}{
		{"git+https://host/repo.git@" + commit, GitRef{Repo: "https://host/repo.git", Commit: commit}},
		{"git+https://host/repo.git@" + strings.ToUpper(commit), GitRef{Repo: "https://host/repo.git", Commit: commit}},
		{"GIT+HTTPS://host/repo.git@" + commit, GitRef{Repo: "https://host/repo.git", Commit: commit}},
		{"git+http://127.0.0.1:8080/repo@" + commit, GitRef{Repo: "http://127.0.0.1:8080/repo", Commit: commit}},
		{"git+ssh://git@host/org/repo.git@" + commit + "#egg=pkg", GitRef{Repo: "ssh://git@host/org/repo.git", Commit: commit}},
		{"git+file:///srv/repo@" + commit + "#subdirectory=libs/a&egg=a", GitRef{Repo: "file:///srv/repo", Commit: commit, Subdirectory: "libs/a"}},
		{"git+file:///srv/repo@" + commit + "#egg=a&subdirectory=./libs//a/", GitRef{Repo: "file:///srv/repo", Commit: commit, Subdirectory: "libs/a"}},
		{"git+https://user:s3cret@host/repo.git@" + commit, GitRef{Repo: "https://user:s3cret@host/repo.git", Commit: commit}},
		{"git+https://host/a@b/repo.git@" + commit, GitRef{Repo: "https://host/a@b/repo.git", Commit: commit}},
	} {
		got, err := ParseGit(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseGit(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseGitErrors(t *testing.T) {
	for _, tc := range []struct {
		in       string
		revision bool     // a *RevisionError
		want     []string // in the message
	}{
		{"git+https://host/repo.git@main", true, []string{`"main" is a branch or tag name`, "a moving reference is not a lock", "`git ls-remote https://host/repo.git main`", "git+https://host/repo.git@<commit>"}},
		{"git+https://host/repo.git@v1.0#egg=x&subdirectory=sub", true, []string{`"v1.0" is a branch or tag name`, "git ls-remote https://host/repo.git v1.0", "as in git+https://host/repo.git@<commit>#egg=x&subdirectory=sub"}},
		{"git+https://host/repo.git", true, []string{"no commit is given", "git ls-remote https://host/repo.git HEAD"}},
		{"git+https://host/repo.git@", true, []string{"no commit is given"}},
		{"git+https://host/repo.git@abc1234", true, []string{`"abc1234" is a short commit hash`, "all 40 hex digits"}},
		{"git+https://host/repo.git@refs/pull/1/head", true, []string{"is a branch or tag name"}},
		{"git+https://user:s3cret@host/repo.git@main", true, []string{"git+https://***@host/repo.git@main", "git ls-remote https://host/repo.git main"}},
		{"git+https://tok3n@host/repo.git@main", true, []string{"git+https://***@host/repo.git@main"}},
		{"git+git://host/repo.git@" + commit, false, []string{"git+git is not supported"}},
		{"hg+https://host/repo@" + commit, false, []string{"not a git URL"}},
		{"https://host/repo.git@" + commit, false, []string{"not a git URL"}},
		{"git+file://otherhost/srv/repo@" + commit, false, []string{"git+file:///abs/path"}},
		{"git+https:///repo.git@" + commit, false, []string{"no host"}},
		{"git+https://host@" + commit, false, []string{"names no repository"}},
		{"git+https://host/repo.git@" + commit + "#subdirectory=../up", false, []string{"must be a directory inside the repository"}},
		{"git+https://host/repo.git@" + commit + "#subdirectory=/abs", false, []string{"must be a directory inside the repository"}},
		{"git+https://host/repo.git@" + commit + "#egg=a>=1", false, []string{"#egg=a>=1 is not a project name"}},
		{"git+https://host/repo.git@" + commit + strings.Repeat("0", 24), false, []string{"SHA-256 repository"}},
	} {
		_, err := ParseGit(tc.in)
		if err == nil {
			t.Errorf("ParseGit(%q): no error", tc.in)
			continue
		}
		var re *RevisionError
		if errors.As(err, &re) != tc.revision {
			t.Errorf("ParseGit(%q) = %T, want a *RevisionError: %v", tc.in, err, tc.revision)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseGit(%q) = %q, want it to contain %q", tc.in, err, w)
			}
		}
		if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "tok3n") {
			t.Errorf("ParseGit(%q) = %q: a credential leaked", tc.in, err)
		}
	}
}

func TestRedacted(t *testing.T) {
	r := GitRef{Repo: "https://user:s3cret@host/repo.git", Commit: commit, Subdirectory: "sub"}
	if got, want := r.Redacted(), "git+https://***@host/repo.git@"+commit+"#subdirectory=sub"; got != want {
		t.Errorf("Redacted() = %q, want %q", got, want)
	}
	if got, want := r.PublicRepo(), "https://host/repo.git"; got != want {
		t.Errorf("PublicRepo() = %q, want %q", got, want)
	}
	ssh := GitRef{Repo: "ssh://git@host/repo.git", Commit: commit}
	if got, want := ssh.PublicRepo(), "ssh://git@host/repo.git"; got != want {
		t.Errorf("PublicRepo() = %q, want %q", got, want)
	}
}

func TestPublicRepo(t *testing.T) {
	for in, want := range map[string]string{
		"ssh://git@host/repo.git":     "ssh://git@host/repo.git",
		"ssh://git:pw@host/repo.git":  "ssh://host/repo.git",
		"https://tok3n@host/repo.git": "https://host/repo.git",
		"https://u:s3cret@host/r.git": "https://host/r.git",
		"file:///srv/repo":            "file:///srv/repo",
		"http://127.0.0.1:8080/r?x=1": "http://127.0.0.1:8080/r?x=1",
	} {
		if got := (GitRef{Repo: in}).PublicRepo(); got != want {
			t.Errorf("PublicRepo(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseGit(f *testing.F) {
	for _, s := range []string{"git+https://host/repo.git@" + commit + "#subdirectory=a&egg=b", "git+https://u:p@h/r@main", "git+file:///x@" + commit} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseGit(s)
		if err != nil {
			return
		}
		if len(r.Commit) != 40 || !isHex(r.Commit) {
			t.Fatalf("ParseGit(%q).Commit = %q", s, r.Commit)
		}
		again, err := ParseGit("git+" + r.Repo + "@" + r.Commit + subFragment(r.Subdirectory))
		if err != nil || again != r {
			t.Fatalf("ParseGit(%q) = %+v; its own form parses as %+v, %v", s, r, again, err)
		}
	})
}

func subFragment(sub string) string {
	if sub == "" {
		return ""
	}
	return "#subdirectory=" + sub
}
