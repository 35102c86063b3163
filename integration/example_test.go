package integration

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite ../safepip.lock.example from the bundled example")

// exampleDir is the bundled example, which requirements.txt and
// safepip.toml find through ${SAFEPIP_EXAMPLE}.
func exampleDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "example"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLockExample keeps ../safepip.lock.example current: the real binary
// locks the bundled example and the bytes must match. After a change to
// the lock format or the example, run go test ./integration -run
// TestLockExample -update and review the diff.
func TestLockExample(t *testing.T) {
	ex := exampleDir(t)
	work := t.TempDir()
	toml, err := os.ReadFile(filepath.Join(ex, "safepip.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "safepip.toml"), toml, 0o644); err != nil {
		t.Fatal(err)
	}
	// A universal lock, as a user's: its bytes do not depend on the
	// machine's Python, which is what the example shows.
	args := []string{"lock", "-q", "-r", filepath.Join(ex, "requirements.txt")}
	cmd := exec.Command(filepath.Join(binDir, "safepip"), args...)
	cmd.Dir = work
	cmd.Env = append(withoutPipEnv(os.Environ()),
		"SAFEPIP_EXAMPLE="+ex,
		"SAFEPIP_CACHE_DIR="+filepath.Join(work, "cache"),
		"HOME="+filepath.Join(work, "home"),
		"PIP_CONFIG_FILE="+os.DevNull,
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("safepip %v: %v\n%s", args, err, out)
	}
	got, err := os.ReadFile(filepath.Join(work, "safepip.lock"))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("..", "safepip.lock.example")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./integration -run TestLockExample -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("safepip.lock.example is stale: locking the bundled example gives\n%s\nrun go test ./integration -run TestLockExample -update and review the diff", got)
	}
}

// TestExampleScripts runs the scripts that need the bundled example, with
// $SAFEPIP_EXAMPLE pointing at it.
func TestExampleScripts(t *testing.T) {
	ex := exampleDir(t)
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "export_example"),
		Setup: func(env *testscript.Env) error {
			if err := setup(env); err != nil {
				return err
			}
			env.Setenv("SAFEPIP_EXAMPLE", ex)
			return nil
		},
		Cmds: commands(t),
	})
}
