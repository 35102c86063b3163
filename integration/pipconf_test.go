package integration

import (
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/safepip/safepip/internal/testindex"
)

// TestPipConfScripts runs testdata/pipconf/*.txtar: pip's own configuration
// (PIP_* variables, pip.conf files) read by the real binary for lock,
// install and audit, next to real pip reading the same configuration.
// Every script starts with PIP_CONFIG_FILE=/dev/null (setup); a script
// that tests a file sets it or unsets it.
func TestPipConfScripts(t *testing.T) {
	cmds := commands(t)
	// envsubst FILE: expand $VAR and ${VAR} in FILE in place (pip does not
	// expand variables in its configuration files; the scripts need the
	// loopback URLs in them).
	cmds["envsubst"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: envsubst FILE")
		}
		ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(os.Expand(ts.ReadFile(args[0]), ts.Getenv)), 0o644))
	}
	// flatdir DIR FILE: write the distributions FILE describes into DIR,
	// a --find-links directory.
	cmds["flatdir"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: flatdir DIR FILE")
		}
		idx := testindex.New(t)
		for _, d := range parseDists(ts, ts.ReadFile(args[1])) {
			idx.Add(d)
		}
		idx.WriteFlat(t, ts.MkAbs(args[0]))
	}
	testscript.Run(t, testscript.Params{Dir: "testdata/pipconf", Setup: setup, Cmds: cmds})
}

// withoutPipEnv drops pip's variables (PIP_INDEX_URL, PIP_FIND_LINKS, ...)
// from environ: safepip reads them as pip does, so a test that inherits
// the machine's environment would otherwise depend on the machine.
func withoutPipEnv(environ []string) []string {
	var out []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "PIP_") {
			out = append(out, kv)
		}
	}
	return out
}
