package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/safepip/safepip/internal/testindex"
)

// mountTmpfs mounts a tmpfs of size on dir (made if missing), unmounted
// when the test ends. It fails the test when it cannot: mounting needs root,
// as the tests have here and in CI.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("mounting a tmpfs needs root; the CI runs these tests as root")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("cannot mount a tmpfs on %s (a container without CAP_SYS_ADMIN?): %v\n%s", dir, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
	})
}

func remount(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("mount -o remount,%s %s: %v\n%s", opts, dir, err, out)
	}
}

func venvIn(t *testing.T, dir string) {
	t.Helper()
	tmpl, err := venvTemplate()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", tmpl, dir).CombinedOutput(); err != nil {
		t.Fatalf("copying the venv: %v\n%s", err, out)
	}
}

// cacheFiles lists what the cache's files/ directory holds.
func cacheFiles(t *testing.T, cache string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(cache, "files"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

var sha256Name = regexp.MustCompile(`^[0-9a-f]{64}$`)

// TestFullCacheExit6 fills a small tmpfs cache with a wheel larger than it
// during install: exit 6 naming the cache, nothing left in it to trust, and
// the next run succeeds once the cache has room, with no cleanup.
func TestFullCacheExit6(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	mountTmpfs(t, cache, "1m")
	idx := testindex.New(t)
	f := idx.Add(testindex.Dist{Name: "acme", Version: "1.0", PadBytes: 2 << 20})
	srv := idx.Serve(t)
	venvIn(t, filepath.Join(dir, "venv"))
	writeFile(t, filepath.Join(dir, "requirements.txt"), "--index-url "+srv.URL+"\nacme\n")
	if r := runSafepip(t, dir, nil, "lock", "-r", "requirements.txt", "--python", "venv/bin/python"); r.code != 0 {
		t.Fatalf("lock: exit %d", r.code)
	}
	lockBefore := readFile(t, filepath.Join(dir, "safepip.lock"))
	install := []string{"install", "--frozen", "-r", "requirements.txt", "--python", "venv/bin/python"}

	r := runSafepip(t, dir, nil, install...)
	if r.code != 6 {
		t.Errorf("install with a full cache: exit %d, want 6", r.code)
	}
	files := filepath.Join(cache, "files")
	for _, w := range []string{"caching " + f.Filename + " in " + files, "no space left on device",
		"hint: the file system that holds " + files + " is full", "SAFEPIP_CACHE_DIR"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q", w)
		}
	}
	if names := cacheFiles(t, cache); len(names) != 0 {
		t.Errorf("the failed download left %v in the cache", names)
	}
	if !bytes.Equal(lockBefore, readFile(t, filepath.Join(dir, "safepip.lock"))) {
		t.Error("the lock changed")
	}

	roomy := map[string]string{"SAFEPIP_CACHE_DIR": filepath.Join(dir, "roomy")}
	if r := runSafepip(t, dir, roomy, install...); r.code != 0 || !strings.Contains(r.stdout, "Installed 1 packages") {
		t.Errorf("install with a roomy cache: exit %d, want 0 and acme installed", r.code)
	}

	// The same cache, once it has room: nothing to clean up first.
	remount(t, cache, "size=16m")
	venvIn(t, filepath.Join(dir, "venv2"))
	if r := runSafepip(t, dir, nil, "install", "--frozen", "-r", "requirements.txt", "--python", "venv2/bin/python"); r.code != 0 {
		t.Errorf("install once the cache has room: exit %d, want 0", r.code)
	}
	names := cacheFiles(t, cache)
	if len(names) != 1 || names[0] != f.SHA256 || !sha256Name.MatchString(names[0]) {
		t.Errorf("cache files = %v, want just %s", names, f.SHA256)
	}
}

// blockers make the tmpfs mounted on dir refuse writes, and return how to
// undo that. goErr is what Go's error says, hint what safepip's hint does.
var blockers = []struct {
	name        string
	block       func(t *testing.T, dir string) (unblock func())
	goErr, hint string
}{
	{"read-only", func(t *testing.T, dir string) func() {
		remount(t, dir, "ro")
		return func() { remount(t, dir, "rw") }
	}, "read-only file system", "is on a read-only file system"},
	{"full", func(t *testing.T, dir string) func() {
		filler := filepath.Join(dir, "filler")
		out, _ := exec.Command("dd", "if=/dev/zero", "of="+filler, "bs=64k").CombinedOutput()
		if !strings.Contains(string(out), "No space left on device") {
			t.Fatalf("dd did not fill %s:\n%s", dir, out)
		}
		return func() {
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
		}
	}, "no space left on device", "is full"},
}

// TestLockDirUnwritableExit6: a lock that must change, in a directory that
// is read-only or full, is exit 6 naming the directory; the lock stays as
// it was, and the next run, once the directory takes writes, writes it.
func TestLockDirUnwritableExit6(t *testing.T) {
	for _, tt := range blockers {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			proj := filepath.Join(dir, "proj")
			mountTmpfs(t, proj, "1m")
			idx := testindex.New(t)
			idx.Add(testindex.Dist{Name: "acme", Version: "1.0"})
			idx.Add(testindex.Dist{Name: "acme", Version: "2.0"})
			srv := idx.Serve(t)
			env := map[string]string{"HOME": filepath.Join(dir, "home"), "SAFEPIP_CACHE_DIR": filepath.Join(dir, "cache")}
			reqs := filepath.Join(proj, "requirements.txt")
			writeFile(t, reqs, "--index-url "+srv.URL+"\nacme==1.0\n")
			if r := runSafepip(t, proj, env, "lock", "-r", "requirements.txt"); r.code != 0 {
				t.Fatalf("lock: exit %d", r.code)
			}
			lockPath := filepath.Join(proj, "safepip.lock")
			before := readFile(t, lockPath)
			writeFile(t, reqs, "--index-url "+srv.URL+"\nacme==2.0\n")

			unblock := tt.block(t, proj)
			r := runSafepip(t, proj, env, "lock", "-r", "requirements.txt")
			if r.code != 6 {
				t.Errorf("exit %d, want 6", r.code)
			}
			for _, w := range []string{tt.goErr, tt.hint, "writing " + lockPath, "hint: "} {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			if !bytes.Equal(before, readFile(t, lockPath)) {
				t.Error("the lock changed")
			}
			entries, _ := os.ReadDir(proj)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp") {
					t.Errorf("left %s in %s", e.Name(), proj)
				}
			}

			unblock()
			if r := runSafepip(t, proj, env, "lock", "-r", "requirements.txt"); r.code != 0 {
				t.Fatalf("lock once the directory takes writes: exit %d", r.code)
			}
			if !strings.Contains(string(readFile(t, lockPath)), "version = '2.0'") {
				t.Error("the lock was not rewritten for acme==2.0")
			}
		})
	}
}

// TestTargetEnvironmentUnwritableExit6: pip cannot write the target
// environment (full, read-only): exit 6 naming it, not a pip failure; once
// it takes writes, the next install succeeds.
func TestTargetEnvironmentUnwritableExit6(t *testing.T) {
	for _, tt := range blockers {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			venv := filepath.Join(dir, "venv")
			mountTmpfs(t, venv, "64m")
			tmpl, err := venvTemplate()
			if err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("cp", "-a", tmpl+"/.", venv).CombinedOutput(); err != nil {
				t.Fatalf("copying the venv: %v\n%s", err, out)
			}
			idx := testindex.New(t)
			idx.Add(testindex.Dist{Name: "acme", Version: "1.0", PadBytes: 1 << 20})
			srv := idx.Serve(t)
			writeFile(t, filepath.Join(dir, "requirements.txt"), "--index-url "+srv.URL+"\nacme\n")
			if r := runSafepip(t, dir, nil, "lock", "-r", "requirements.txt", "--python", "venv/bin/python"); r.code != 0 {
				t.Fatalf("lock: exit %d", r.code)
			}
			install := []string{"install", "--frozen", "-r", "requirements.txt", "--python", "venv/bin/python"}

			unblock := tt.block(t, venv)
			r := runSafepip(t, dir, nil, install...)
			if r.code != 6 {
				t.Errorf("exit %d, want 6", r.code)
			}
			for _, w := range []string{"pip failed", "due to an OSError", "hint: ", venv, tt.hint} {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			unblock()
			if r := runSafepip(t, dir, nil, install...); r.code != 0 || !strings.Contains(r.stdout, "Installed 1 packages") {
				t.Errorf("install once the environment takes writes: exit %d, want 0 and acme installed", r.code)
			}
		})
	}
}
