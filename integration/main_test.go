// Package integration runs the real safepip binary, built once per test
// run, against indexes on loopback or on disk, and real pip in real
// virtual environments. Nothing is mocked at the process boundary.
package integration

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// binDir holds the safepip binary built for this run.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "safepip-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	defer func() {
		if venvDir != "" {
			os.RemoveAll(filepath.Dir(venvDir))
		}
	}()
	binDir = dir
	exe := "safepip"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, exe), "github.com/safepip/safepip/cmd/safepip")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building safepip:", err)
		return 1
	}
	return m.Run()
}

// setup gives every script the binary on PATH, its own HOME and cache, and
// no pip configuration from the machine.
func setup(env *testscript.Env) error {
	env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
	env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
	env.Setenv("SAFEPIP_CACHE_DIR", filepath.Join(env.WorkDir, "cache"))
	env.Setenv("PIP_CONFIG_FILE", os.DevNull)
	env.Setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
	env.Setenv("NO_COLOR", "1")
	return nil
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:   "testdata",
		Setup: setup,
		Cmds:  commands(t),
	})
}

// exits N CMD ARGS... runs CMD and checks that it exits with status N;
// stdout and stderr are kept for the checks that follow, as with exec.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad status %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
