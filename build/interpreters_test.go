package build

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safepip/safepip/install"
)

// TestBuildForEachInterpreter builds the same sdist for every pyenv
// interpreter on the machine: each build runs in a venv of its target,
// and the cache keeps one entry per target (their tags differ).
func TestBuildForEachInterpreter(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("pyenv", "root").Output()
	if err != nil {
		t.Fatal("pyenv is not installed: no other interpreters to build for (this machine kind and CI have it)")
	}
	root := strings.TrimSpace(string(out))
	cache := t.TempDir()
	deps := []install.LocalFile{backendWheel(t, t.TempDir())}
	src := makeSdist(t, copyProject(t, "hello"), "hello-1.0")
	found := 0
	t.Cleanup(func() { // after the parallel subtests
		entries, _ := filepath.Glob(filepath.Join(cache, "built", "*", "*"))
		if len(entries) != found {
			t.Errorf("the cache holds %d entries, want one per interpreter (%d)", len(entries), found)
		}
	})
	for _, v := range []string{"3.9", "3.10", "3.12", "3.13"} {
		matches, _ := filepath.Glob(filepath.Join(root, "versions", v+".*", "bin", "python"+v))
		if len(matches) == 0 {
			continue
		}
		found++
		python := matches[0]
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			log := filepath.Join(t.TempDir(), "hooks.log")
			s := &Sandbox{Python: python, CacheDir: cache, TempDir: t.TempDir(), Env: append(os.Environ(), "TINYBACKEND_LOG="+log)}
			for i := range 2 {
				res, err := s.Build(context.Background(), Request{Source: src, Deps: deps})
				if err != nil {
					t.Fatal(err)
				}
				if res.Cached != (i == 1) {
					t.Errorf("build %d: cached %v", i+1, res.Cached)
				}
			}
			runs := hookRuns(t, log)
			want := fmt.Sprintf("python %s in %s", v, s.TempDir)
			if count(runs, "build_wheel hello") != 1 || count(runs, want) != 1 {
				t.Errorf("hooks run: %q, want one build_wheel by Python %s in a venv under %s", runs, v, s.TempDir)
			}
			leftovers(t, s)
		})
	}
	if found == 0 {
		t.Fatalf("no pyenv interpreter of 3.9, 3.10, 3.12 or 3.13 under %s", root)
	}
}
