package vcs

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
)

// GitRef is one commit of a git repository, and where in it the project is.
type GitRef struct {
	// Repo is the repository URL without "git+", @rev and fragment
	// ("https://host/repo.git", "file:///srv/repo"). It keeps the
	// credentials the requirement gave, for the fetch only: print it
	// through Redacted and record it through PublicRepo.
	Repo string
	// Commit is the full commit, 40 lower-case hex digits.
	Commit string
	// Subdirectory is the project's directory inside the repository, slash
	// form, relative ("" for the top).
	Subdirectory string
}

// gitSchemes are the transports a git requirement may use, after "git+".
var gitSchemes = []string{"https", "http", "ssh", "file"}

// RevisionError is a git requirement that is not pinned to a full commit.
type RevisionError struct {
	URL    string // the requirement's URL, credentials redacted
	Repo   string // the repository, credentials removed, for git ls-remote
	Rev    string // the revision written; "" when there is none
	Reason string // why it is not a commit
	// Fragment is the URL's fragment as written ("subdirectory=sub&egg=x"),
	// kept in the pinned URL the message shows.
	Fragment string
}

func (e *RevisionError) Error() string {
	ref := e.Rev
	if ref == "" || isHex(ref) {
		ref = "HEAD"
	}
	pinned := "git+" + e.Repo + "@<commit>"
	if e.Fragment != "" {
		pinned += "#" + e.Fragment
	}
	return fmt.Sprintf("%s: %s; a moving reference is not a lock, since the commit it names can change while the lock stays the same: "+
		"find the commit with `git ls-remote %s %s` and pin it with all 40 hex digits, as in %s",
		e.URL, e.Reason, e.Repo, ref, pinned)
}

// ParseGit parses a git requirement URL as pip writes it:
// "git+https://host/repo.git@<commit>#subdirectory=sub&egg=name". The
// revision must be a full 40-hex commit: a branch, a tag, a short hash or
// none is a *RevisionError that says why and how to pin it. Errors show the
// URL with its credentials redacted.
func ParseGit(rawURL string) (GitRef, error) {
	shown := redactURL(rawURL)
	rest, ok := cutPrefixFold(rawURL, "git+")
	if !ok {
		return GitRef{}, fmt.Errorf("%s: not a git URL: safepip fetches version control requirements with git only, written git+https://host/repo.git@<commit>", shown)
	}
	u, err := url.Parse(rest)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return GitRef{}, fmt.Errorf("%s: not a valid URL; write git+https://host/repo.git@<commit>", shown)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if !slices.Contains(gitSchemes, u.Scheme) {
		return GitRef{}, fmt.Errorf("%s: git+%s is not supported; use git+https, git+ssh, git+http or git+file", shown, u.Scheme)
	}
	if u.Scheme == "file" && u.Host != "" && u.Host != "localhost" {
		return GitRef{}, fmt.Errorf("%s: a file URL names a directory of this machine: write git+file:///abs/path/to/repo@<commit>", shown)
	}
	if u.Scheme == "file" {
		u.Host = "" // git takes file:///path, not file://localhost/path
	} else if u.Host == "" {
		return GitRef{}, fmt.Errorf("%s: the URL has no host", shown)
	}
	var ref GitRef
	frag := u.EscapedFragment()
	if ref.Subdirectory, err = parseFragment(u.Fragment); err != nil {
		return GitRef{}, fmt.Errorf("%s: %w", shown, err)
	}
	u.Fragment, u.RawFragment = "", ""
	// pip takes the revision after the path's last "@" (the host's
	// user information is not part of the path).
	p, rev, hasRev := cutLast(u.Path, "@")
	u.Path, u.RawPath = p, ""
	ref.Repo = u.String()
	if u.Path == "" || u.Path == "/" {
		return GitRef{}, fmt.Errorf("%s: the URL names no repository", shown)
	}
	public := ref.PublicRepo()
	switch {
	case !hasRev || rev == "":
		return GitRef{}, &RevisionError{URL: shown, Repo: public, Fragment: frag, Reason: "no commit is given, so pip would take whatever the default branch points at"}
	case isHex(rev) && len(rev) < 40:
		return GitRef{}, &RevisionError{URL: shown, Repo: public, Rev: rev, Fragment: frag,
			Reason: fmt.Sprintf("%q is a short commit hash, which a later commit can come to share", rev)}
	case isHex(rev) && len(rev) == 64:
		return GitRef{}, fmt.Errorf("%s: %q is a SHA-256 repository's commit; safepip supports SHA-1 repositories (40 hex digits) only", shown, rev)
	case !isHex(rev) || len(rev) != 40:
		return GitRef{}, &RevisionError{URL: shown, Repo: public, Rev: rev, Fragment: frag,
			Reason: fmt.Sprintf("%q is a branch or tag name, not a commit", rev)}
	}
	ref.Commit = strings.ToLower(rev)
	return ref, nil
}

// parseFragment reads pip's fragment keys: subdirectory= (a relative path
// inside the repository) and egg= (a project name, checked); others are
// ignored, as pip ignores them.
func parseFragment(frag string) (string, error) {
	if frag == "" {
		return "", nil
	}
	q, err := url.ParseQuery(frag)
	if err != nil {
		return "", fmt.Errorf("fragment %q: %w", frag, err)
	}
	for _, egg := range q["egg"] {
		r, err := pep508.ParseRequirement(egg)
		if err != nil || len(r.Specifier) > 0 || r.URL != "" || r.Marker != nil || len(r.Extras) > 0 {
			return "", fmt.Errorf("#egg=%s is not a project name; write #egg=<name>, or better \"name @ git+...\"", egg)
		}
	}
	subs := q["subdirectory"]
	if len(subs) == 0 {
		return "", nil
	}
	sub := subs[len(subs)-1]
	clean := path.Clean(strings.ReplaceAll(sub, `\`, "/"))
	if sub == "" || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(clean, ":") {
		return "", fmt.Errorf("#subdirectory=%s must be a directory inside the repository, relative to its top", sub)
	}
	if clean == "." {
		return "", nil
	}
	return clean, nil
}

// PublicRepo is the repository URL without credentials: what a lock
// records and a message may show. An ssh user name without a password
// ("ssh://git@host/repo.git") stays: it says which account to log in as
// and is no secret.
func (r GitRef) PublicRepo() string {
	u, err := url.Parse(r.Repo)
	if err != nil {
		return redactURL(r.Repo)
	}
	if _, hasPassword := u.User.Password(); u.Scheme != "ssh" || hasPassword {
		u.User = nil
	} else if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// Redacted is the requirement's URL as messages show it:
// "git+https://***@host/repo.git@<commit>#subdirectory=sub", with any user
// information replaced by "***".
func (r GitRef) Redacted() string {
	s := "git+" + redactURL(r.Repo)
	if r.Commit != "" {
		s += "@" + r.Commit
	}
	if r.Subdirectory != "" {
		s += "#subdirectory=" + r.Subdirectory
	}
	return s
}

// redactURL replaces the user information of the URL s ("user:pass@")
// with "***"; text that does not parse is cut after its scheme so that
// nothing of it can leak.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return scheme + "://***" + rest[at:]
	}
	return s
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// errNoGit is the system git missing from PATH.
var errNoGit = errors.New("git is not installed or not on PATH: safepip fetches git+ requirements with the system git; install git")
