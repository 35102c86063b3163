package install

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPipArgsNeverReachAnIndex(t *testing.T) {
	args := strings.Join(PipArgs("r.txt", PipOptions{Target: "t", Upgrade: true, Quiet: 2}), " ")
	for _, want := range []string{"--no-index", "--no-deps", "--require-hashes", "--target t", "--upgrade", "-q -q", "-r r.txt"} {
		if !strings.Contains(args, want) {
			t.Errorf("pip args %q lack %q", args, want)
		}
	}
	for _, bad := range []string{"--index-url", "--extra-index-url", "--find-links"} {
		if strings.Contains(args, bad) {
			t.Errorf("pip args %q contain %q", args, bad)
		}
	}
}

func localWheel(t *testing.T) LocalFile {
	t.Helper()
	path, err := filepath.Abs("../example/private/files/acme_triton-1.0-py3-none-any.whl")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return LocalFile{Path: path, SHA256: hex.EncodeToString(sum[:])}
}

// TestRunPipTarget installs a verified local wheel with real pip into a
// --target directory, then checks that a wrong hash makes pip fail.
func TestRunPipTarget(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 is not on PATH")
	}
	f := localWheel(t)
	target := t.TempDir()
	if err := RunPip(context.Background(), "python3", []LocalFile{f}, PipOptions{Target: target, Quiet: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(target, "acme_triton", "__init__.py")); err != nil {
		t.Fatalf("pip did not install the wheel: %v", err)
	}
	f.SHA256 = strings.Repeat("0", 64)
	err := RunPip(context.Background(), "python3", []LocalFile{f}, PipOptions{Target: t.TempDir(), Quiet: 1}, nil)
	var pe *PipError
	if !errors.As(err, &pe) || !strings.Contains(pe.Output, "HASHES") {
		t.Fatalf("RunPip with a wrong hash = %v, want a PipError showing pip's hash complaint", err)
	}
}

// TestRunPipStartFailure: pip that cannot be started is a *PipError that
// says why (the start error, wrapped), not "exit status -1" with no text.
func TestRunPipStartFailure(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-python")
	err := RunPip(context.Background(), missing, nil, PipOptions{}, nil)
	var pe *PipError
	if !errors.As(err, &pe) || pe.Err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("RunPip with %s: %v, want a *PipError wrapping the start error", missing, err)
	}
	if !strings.Contains(err.Error(), "pip could not be started ("+missing+")") {
		t.Errorf("message %q does not say pip could not start", err)
	}
}

// TestRunPipEnv: PipOptions.Env is the environment pip runs in, without
// PIP_* variables.
func TestRunPipEnv(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "env.txt")
	script := filepath.Join(dir, "fake-python")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nenv > "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := RunPip(context.Background(), script, nil, PipOptions{Env: []string{"ONLY_THIS=1", "PIP_INDEX_URL=http://evil.example/simple", "PATH=/usr/bin:/bin"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "ONLY_THIS=1") || strings.Contains(string(data), "evil.example") {
		t.Errorf("pip's environment:\n%s\nwant ONLY_THIS and no PIP_INDEX_URL", data)
	}
}
