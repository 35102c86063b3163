package install

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// PipOptions are pip's own install options that make sense once safepip
// has chosen and verified every file. Anything that would let pip reach an
// index or pick dependencies itself is deliberately absent.
type PipOptions struct {
	Target, Prefix, Root string
	User                 bool
	Upgrade              bool
	ForceReinstall       bool
	NoCompile            bool
	Quiet                int // -q count
	Verbose              int // -v count
	// Env is the environment pip runs in; nil: this process's. PIP_*
	// variables are removed from it either way.
	Env []string
}

func (o PipOptions) args() []string {
	var a []string
	if o.Target != "" {
		a = append(a, "--target", o.Target)
	}
	if o.Prefix != "" {
		a = append(a, "--prefix", o.Prefix)
	}
	if o.Root != "" {
		a = append(a, "--root", o.Root)
	}
	if o.User {
		a = append(a, "--user")
	}
	if o.Upgrade {
		a = append(a, "--upgrade")
	}
	if o.ForceReinstall {
		a = append(a, "--force-reinstall")
	}
	if o.NoCompile {
		a = append(a, "--no-compile")
	}
	for i := 0; i < o.Quiet; i++ {
		a = append(a, "-q")
	}
	for i := 0; i < o.Verbose; i++ {
		a = append(a, "-v")
	}
	return a
}

// LocalFile is a verified file on disk, ready for pip.
type LocalFile struct {
	Path     string
	SHA256   string
	Filename string // the distribution's file name, which pip parses; "" for base(Path)
}

// PipError is pip's own failure; Output is what it printed.
type PipError struct {
	Args   []string
	Code   int // -1 when pip did not start (Err says why)
	Output string
	Err    error // why pip could not be started; nil when it ran and failed
}

func (e *PipError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("pip could not be started (%s): %v", e.Args[0], e.Err)
	}
	return fmt.Sprintf("pip failed (exit status %d):\n%s", e.Code, strings.TrimRight(e.Output, "\n"))
}

func (e *PipError) Unwrap() error { return e.Err }

// requirementsFile returns the text of a requirements file that names each
// file by its local path with its hash, so that pip's --require-hashes
// checks them once more.
func requirementsFile(files []LocalFile) string {
	var b strings.Builder
	b.WriteString("# written by safepip: local, verified files only\n")
	for _, f := range files {
		fmt.Fprintf(&b, "%s --hash=sha256:%s\n", f.Path, f.SHA256)
	}
	return b.String()
}

// PipArgs returns the arguments after "python" for installing reqFile.
func PipArgs(reqFile string, opts PipOptions) []string {
	args := []string{"-m", "pip", "install",
		"--no-index", "--no-deps", "--require-hashes", "--disable-pip-version-check",
		"--no-input", "--isolated"}
	args = append(args, opts.args()...)
	return append(args, "-r", reqFile)
}

// RunPip installs files into python's environment with pip, which is
// handed nothing but local paths and their hashes. out receives pip's
// output as it runs (nil: kept only for the error).
func RunPip(ctx context.Context, python string, files []LocalFile, opts PipOptions, out io.Writer) error {
	dir, err := os.MkdirTemp("", "safepip-pip-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The cache names files by hash; pip reads name, version and tags
	// from the file name, so each file gets its own name through a link.
	named := make([]LocalFile, len(files))
	for i, f := range files {
		named[i] = f
		if f.Filename == "" || f.Filename == filepath.Base(f.Path) {
			continue
		}
		if f.Filename != filepath.Base(f.Filename) || strings.HasPrefix(f.Filename, ".") {
			return fmt.Errorf("refusing file name %q", f.Filename)
		}
		p := filepath.Join(dir, f.Filename)
		if err := linkOrCopy(f.Path, p); err != nil {
			return err
		}
		named[i].Path = p
	}
	req := filepath.Join(dir, "requirements.txt")
	if err := os.WriteFile(req, []byte(requirementsFile(named)), 0o600); err != nil {
		return err
	}
	return runPip(ctx, python, PipArgs(req, opts), opts.Env, out)
}

// RunPipUninstall removes the named distributions from python's
// environment with `pip uninstall -y` (install --exact).
func RunPipUninstall(ctx context.Context, python string, names []string, out io.Writer) error {
	if len(names) == 0 {
		return nil
	}
	args := append([]string{"-m", "pip", "uninstall", "-y", "--disable-pip-version-check", "--no-input", "--isolated"}, names...)
	return runPip(ctx, python, args, nil, out)
}

// runPip runs python with args in env (nil: this process's), pip's output
// going to out as it runs and into the *PipError when it fails.
func runPip(ctx context.Context, python string, args, env []string, out io.Writer) error {
	cmd := exec.CommandContext(ctx, python, args...)
	var buf bytes.Buffer
	w := io.Writer(&buf)
	if out != nil {
		w = io.MultiWriter(&buf, out)
	}
	cmd.Stdout, cmd.Stderr = w, w
	// pip must see no index configuration at all: --isolated ignores its
	// config files and PIP_* variables; drop them anyway for older pips.
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = withoutPipEnv(env)
	if err := cmd.Run(); err != nil {
		pe := &PipError{Args: append([]string{python}, args...), Code: -1, Output: buf.String()}
		if ee, ok := err.(*exec.ExitError); ok {
			pe.Code = ee.ExitCode()
		} else {
			pe.Err = err // it never ran: a missing interpreter, a busy file
		}
		return pe
	}
	return nil
}

func withoutPipEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, "PIP_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "PIP_NO_INPUT=1")
}

// linkOrCopy makes dst the same file as src: a hard link when the file
// system allows one, else a copy.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
