package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/safepip/safepip/build"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/project"
	"github.com/safepip/safepip/vcs"
)

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) (string, bool) { return "", false }, args: args}
	code = run(e)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runArgs(t, "version")
	if code != 0 || !strings.HasPrefix(out, "safepip "+version+"\nmodule   ") {
		t.Errorf("safepip version = %d, %q", code, out)
	}
	code, out, _ = runArgs(t, "--json", "version")
	if code != 0 || !strings.HasPrefix(out, "{\n  \"version\": \""+version+"\",\n  \"module_version\": ") {
		t.Errorf("safepip --json version = %d, %q", code, out)
	}
}

func TestHelpAndUsageErrors(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{[]string{"--help"}, 0, "Commands:", ""},
		{[]string{"version", "--help"}, 0, "Print the safepip version.", ""},
		{[]string{"bogus"}, exitUsage, "", `unexpected argument bogus`},
		{[]string{"--no-such-flag", "version"}, exitUsage, "", "unknown flag --no-such-flag"},
		{nil, exitUsage, "", `hint: run "safepip --help"`},
	}
	for _, tt := range tests {
		code, out, errs := runArgs(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.inStdout) || !strings.Contains(errs, tt.inStderr) {
			t.Errorf("safepip %v = %d\nstdout: %s\nstderr: %s\nwant %d, stdout containing %q, stderr containing %q",
				tt.args, code, out, errs, tt.code, tt.inStdout, tt.inStderr)
		}
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{&kong.ParseError{}, exitUsage},
		{fmt.Errorf("wrapped: %w", &kong.ParseError{}), exitUsage},
		{fmt.Errorf("lock: %w", &project.HashError{}), exitCheck},
		{fmt.Errorf("install: %w", &lock.OutsideScopeError{}), exitCheck},
		{errors.New("anything else"), exitCheck},
		{fmt.Errorf("acme 1.0: %w", &build.BackendError{Hook: "build_wheel"}), exitPip},
		{&build.EnvironmentError{Err: errors.New("no venv")}, exitPip},
		{fmt.Errorf("acme 1.0: %w", &build.HashMismatchError{What: "build dependency"}), exitCheck},
		{&build.MissingRequirementsError{Missing: []string{"wheel"}}, exitResolution},
		{&build.BuildSystemError{}, exitUsage},
		{&build.SdistError{}, exitUsage},
		{&build.UnsupportedError{Hook: "build_editable"}, exitUsage},
		{fmt.Errorf("requirements.txt:3: %w", &vcs.RevisionError{Rev: "main"}), exitUsage},
		{&vcs.GitError{Op: "fetching", Err: errors.New("exit status 128")}, exitNetwork},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestInstallEditableFlag: pip's `install -e PATH` is refused with the
// two ways safepip spells it, exit 2, before anything is read.
func TestInstallEditableFlag(t *testing.T) {
	code, _, stderr := runArgs(t, "install", "-e", "./app")
	if code != exitUsage || !strings.Contains(stderr, `write "-e ./app" in requirements.txt`) || !strings.Contains(stderr, "`safepip install` alone installs it editable") {
		t.Errorf("install -e ./app: exit %d, want 2 with the requirements-file line and the project hint\n%s", code, stderr)
	}
}
