package build

import (
	"archive/zip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPipDir: the bundled pip is unpacked once into the cache and
// imported from there, compiled modules written beside it on first use; a
// second call reuses the directory; without a cache the wheel itself is
// used.
func TestPipDir(t *testing.T) {
	py := hostPython(t)
	s := &Sandbox{Python: py}
	interp, err := s.interpreter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wheel, err := s.bundledPip(context.Background(), interp)
	if err != nil || wheel == "" {
		t.Fatalf("bundled pip: %q, %v (the interpreter's ensurepip bundles one on this machine kind and in CI)", wheel, err)
	}
	if got, err := pipDir("", wheel); err != nil || got != wheel {
		t.Errorf("pipDir without a cache = %q, %v; want the wheel %s", got, err, wheel)
	}
	cache := t.TempDir()
	dir, err := pipDir(cache, wheel)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != filepath.Join(cache, "pip") {
		t.Errorf("pip directory %s is not in %s", dir, filepath.Join(cache, "pip"))
	}
	cmd := exec.Command(py, "-c", "import pip; print(pip.__file__)")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir, "PYTHONDONTWRITEBYTECODE=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(out)), dir) {
		t.Errorf("importing pip from %s: %v\n%s", dir, err, out)
	}
	if compiled, _ := filepath.Glob(filepath.Join(dir, "pip", "__pycache__", "*.pyc")); len(compiled) == 0 {
		t.Errorf("%s/pip has no compiled modules after an import", dir)
	}
	leftovers, _ := filepath.Glob(filepath.Join(cache, "pip", ".tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary directories left behind: %v", leftovers)
	}
	again, err := pipDir(cache, wheel)
	if err != nil || again != dir {
		t.Errorf("second pipDir = %q, %v; want the same %s", again, err, dir)
	}
}

// TestUnzipPipRefusesEscapes: a member that would leave the directory is
// refused, and nothing is written outside it.
func TestUnzipPipRefusesEscapes(t *testing.T) {
	dir := t.TempDir()
	wheel := filepath.Join(dir, "pip-0-py3-none-any.whl")
	f, err := os.Create(wheel)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("../escaped.py")
	w.Write([]byte("x = 1\n"))
	zw.Close()
	f.Close()
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	if err := unzipPip(wheel, out); err == nil || !strings.Contains(err.Error(), "leaves the directory") {
		t.Errorf("unzipPip of ../escaped.py: %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "escaped.py")); err == nil {
		t.Error("escaped.py was written outside the directory")
	}
}
