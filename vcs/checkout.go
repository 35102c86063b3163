package vcs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// GitError is a git command that failed while fetching a commit.
type GitError struct {
	Repo   string // the repository, credentials redacted
	Commit string
	Op     string // what was being done: "fetching", "checking out"
	Output string // git's output, credentials redacted
	Err    error
}

func (e *GitError) Error() string {
	msg := fmt.Sprintf("%s commit %s of %s: %v", e.Op, e.Commit, e.Repo, e.Err)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += "\n" + out
	}
	return msg
}

func (e *GitError) Unwrap() error { return e.Err }

// maxOutputBytes bounds the git output an error keeps (its end).
const maxOutputBytes = 8 << 10

// checkoutOptions are Checkout's knobs for tests.
type checkoutOptions struct {
	// protocolV0 makes the fetch use git's protocol version 0, where a
	// server refuses a commit it does not advertise: the fall-back path.
	protocolV0 bool
}

// Checkout makes a clean checkout of ref.Commit under cacheDir/git, in a
// directory named by the sha256 of the repository (without credentials)
// and the commit, and returns it (with ref.Subdirectory applied). A
// checkout already there is reused once its HEAD is checked; a new one is
// made in a temporary directory and renamed into place. The commit is
// fetched alone (depth 1), or with every branch and tag when the server
// refuses to serve a commit by its hash.
func Checkout(ctx context.Context, ref GitRef, cacheDir string) (string, error) {
	return checkout(ctx, ref, cacheDir, checkoutOptions{})
}

func checkout(ctx context.Context, ref GitRef, cacheDir string, o checkoutOptions) (string, error) {
	if len(ref.Commit) != 40 || !isHex(ref.Commit) || strings.ToLower(ref.Commit) != ref.Commit {
		return "", fmt.Errorf("%s: the commit must be 40 lower-case hex digits", ref.Redacted())
	}
	if cacheDir == "" {
		return "", fmt.Errorf("%s: no cache directory to check the repository out into", ref.Redacted())
	}
	g, err := newGit(ref)
	if err != nil {
		return "", err
	}
	root := filepath.Join(cacheDir, "git")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(ref.PublicRepo() + "\n" + ref.Commit))
	dir := filepath.Join(root, hex.EncodeToString(sum[:]))
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		if err := g.checkHead(ctx, dir); err == nil {
			return subdirectory(ref, dir)
		}
		// not what a checkout of ours looks like (edited by hand, or
		// from an older safepip): make it again
		if err := os.RemoveAll(dir); err != nil {
			return "", err
		}
	}
	tmp, err := os.MkdirTemp(root, ".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // a no-op after the rename
	if err := g.fetch(ctx, tmp, o); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// another safepip made it meanwhile: use theirs, once checked
		if err2 := g.checkHead(ctx, dir); err2 != nil {
			return "", fmt.Errorf("%s: moving the checkout into %s: %w", ref.Redacted(), dir, err)
		}
	}
	return subdirectory(ref, dir)
}

func subdirectory(ref GitRef, dir string) (string, error) {
	if ref.Subdirectory == "" {
		return dir, nil
	}
	sub := filepath.Join(dir, filepath.FromSlash(ref.Subdirectory))
	if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%s: the repository has no directory %q at that commit; fix #subdirectory=", ref.Redacted(), ref.Subdirectory)
	}
	return sub, nil
}

// git runs the system git for one repository.
type git struct {
	path    string
	ref     GitRef
	env     []string
	secrets []string // what of the URL must not be shown
}

func newGit(ref GitRef) (*git, error) {
	path, err := exec.LookPath("git")
	if err != nil {
		return nil, errNoGit
	}
	g := &git{path: path, ref: ref, env: gitEnviron(os.Environ())}
	if u, err := url.Parse(ref.Repo); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			g.secrets = append(g.secrets, u.User.String(), p, url.QueryEscape(p))
		} else if name := u.User.Username(); name != "" && u.Scheme != "ssh" {
			// https://TOKEN@host: the user name is the secret (an ssh user
			// name such as "git" is not one)
			g.secrets = append(g.secrets, u.User.String(), name)
		}
	}
	return g, nil
}

// gitEnviron is the environment git runs with: no GIT_* variable of the
// caller's but those that say how to reach an ssh host, no prompt, and no
// system or user configuration (a user's url.<base>.insteadOf, a
// credential helper or a proxy setting must not change what is fetched).
func gitEnviron(base []string) []string {
	out := make([]string, 0, len(base)+6)
	sshSet := false
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "GIT_SSH" || k == "GIT_SSH_COMMAND" || k == "GIT_SSH_VARIANT":
			sshSet = true
		case strings.HasPrefix(k, "GIT_"):
			continue
		}
		out = append(out, kv)
	}
	if !sshSet {
		out = append(out, "GIT_SSH_COMMAND=ssh -o BatchMode=yes") // ssh asks no passphrase either
	}
	return append(out, "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_ASKPASS=", "GIT_NO_REPLACE_OBJECTS=1")
}

// run runs git in dir and returns its output; a failure is a *GitError.
func (g *git) run(ctx context.Context, dir, op string, args ...string) (string, error) {
	args = append([]string{"-c", "core.autocrlf=false", "-c", "core.eol=lf", "-c", "advice.detachedHead=false"}, args...)
	cmd := exec.CommandContext(ctx, g.path, args...)
	cmd.Dir = dir
	cmd.Env = g.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = nil
	err := cmd.Run()
	text := g.redact(out.String())
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		if len(text) > maxOutputBytes {
			text = "..." + text[len(text)-maxOutputBytes:]
		}
		return text, &GitError{Repo: redactURL(g.ref.Repo), Commit: g.ref.Commit, Op: op, Output: text, Err: err}
	}
	return text, nil
}

func (g *git) redact(s string) string {
	for _, sec := range g.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// fetch makes a checkout of the commit in the empty directory dir.
func (g *git) fetch(ctx context.Context, dir string, o checkoutOptions) error {
	if _, err := g.run(ctx, dir, "creating a repository for", "init", "-q", "--template=", "."); err != nil {
		return err
	}
	proto := []string{}
	if o.protocolV0 {
		proto = []string{"-c", "protocol.version=0"}
	}
	args := append(proto, "fetch", "-q", "--no-tags", "--depth", "1", "--", g.ref.Repo, g.ref.Commit)
	if _, err := g.run(ctx, dir, "fetching", args...); err != nil {
		if ctx.Err() != nil {
			return err
		}
		// The server does not serve commits by hash (protocol v0 without
		// uploadpack.allowReachableSHA1InWant): fetch what it advertises.
		all := append(proto, "fetch", "-q", "--", g.ref.Repo, "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")
		if _, err := g.run(ctx, dir, "fetching", all...); err != nil {
			return err
		}
		if _, err := g.run(ctx, dir, "finding", "cat-file", "-e", g.ref.Commit+"^{commit}"); err != nil {
			var ge *GitError
			if errors.As(err, &ge) {
				ge.Err = errors.New("no branch or tag of the repository holds that commit (and the server would not serve it by its hash); check the commit, or push it")
			}
			return err
		}
	}
	if _, err := g.run(ctx, dir, "checking out", "checkout", "-q", "--detach", g.ref.Commit); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, ".gitmodules")); err == nil {
		if _, err := g.run(ctx, dir, "fetching the submodules of", "submodule", "update", "--init", "--recursive"); err != nil {
			return err
		}
	}
	return g.checkHead(ctx, dir)
}

// checkHead checks that the checkout in dir is at the commit.
func (g *git) checkHead(ctx context.Context, dir string) error {
	out, err := g.run(ctx, dir, "checking", "rev-parse", "--verify", "HEAD")
	if err != nil {
		return err
	}
	if head := strings.TrimSpace(out); head != g.ref.Commit {
		return &GitError{Repo: redactURL(g.ref.Repo), Commit: g.ref.Commit, Op: "checking out",
			Err: fmt.Errorf("the checkout in %s is at %s", dir, head)}
	}
	return nil
}
