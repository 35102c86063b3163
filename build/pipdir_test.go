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

// TestUnpackedPip: the bundled pip is unpacked and compiled once into the
// cache, reused by the next Sandbox after its manifest checks out, made
// again when a file in it changed; without a cache it is the Sandbox's own
// and Close removes it.
func TestUnpackedPip(t *testing.T) {
	py := hostPython(t)
	cache := t.TempDir()
	s := &Sandbox{Python: py, CacheDir: cache}
	interp, err := s.interpreter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wheel, err := s.bundledPip(context.Background(), interp)
	if err != nil || wheel == "" {
		t.Fatalf("bundled pip: %q, %v (the interpreter's ensurepip bundles one on this machine kind and in CI)", wheel, err)
	}
	dir, err := s.unpackedPip(wheel, interp)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != filepath.Join(cache, "pip") {
		t.Errorf("pip directory %s is not in %s", dir, filepath.Join(cache, "pip"))
	}
	if compiled, _ := filepath.Glob(filepath.Join(dir, "pip", "__pycache__", "*.pyc")); len(compiled) == 0 {
		t.Errorf("%s/pip has no compiled modules", dir)
	}
	cmd := exec.Command(py, "-c", "import pip; print(pip.__file__)")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir, "PYTHONDONTWRITEBYTECODE=1")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(strings.TrimSpace(string(out)), dir) {
		t.Errorf("importing pip from %s: %v\n%s", dir, err, out)
	}
	if err := checkPipDir(dir); err != nil {
		t.Errorf("after an import: %v", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(cache, "pip", ".tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary directories left behind: %v", leftovers)
	}
	s.Close() // a cached directory stays
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("Close removed the cached %s: %v", dir, err)
	}

	// another run: the same directory, checked
	s2 := &Sandbox{Python: py, CacheDir: cache}
	if again, err := s2.unpackedPip(wheel, interp); err != nil || again != dir {
		t.Errorf("next Sandbox: %q, %v; want the cached %s", again, err, dir)
	}
	// a changed module, or one added, is not used: the entry is made again
	evil := filepath.Join(dir, "pip", "__init__.py")
	writeFile(t, evil, "raise SystemExit('changed in the cache')\n")
	writeFile(t, filepath.Join(dir, "sitecustomize.py"), "x = 1\n")
	s3 := &Sandbox{Python: py, CacheDir: cache}
	if _, err := s3.unpackedPip(wheel, interp); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(evil); strings.Contains(string(data), "changed in the cache") {
		t.Error("a pip module changed in the cache was kept")
	}
	if _, err := os.Stat(filepath.Join(dir, "sitecustomize.py")); err == nil {
		t.Error("a file added to the cached pip was kept")
	}
	if err := checkPipDir(dir); err != nil {
		t.Errorf("the remade directory: %v", err)
	}

	// without a cache: the Sandbox's own, removed by Close
	s4 := &Sandbox{Python: py, TempDir: t.TempDir()}
	own, err := s4.unpackedPip(wheel, interp)
	if err != nil || filepath.Dir(own) != s4.TempDir {
		t.Fatalf("without a cache: %q, %v; want a directory in %s", own, err, s4.TempDir)
	}
	if err := s4.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(own); !os.IsNotExist(err) {
		t.Errorf("after Close, %s: %v; want it removed", own, err)
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

// BenchmarkCheckPipDir: what each Sandbox pays before its first build to
// trust the cached pip (every file hashed against the manifest).
func BenchmarkCheckPipDir(b *testing.B) {
	py := hostPython(b)
	s := &Sandbox{Python: py, CacheDir: b.TempDir()}
	interp, err := s.interpreter(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	wheel, err := s.bundledPip(context.Background(), interp)
	if err != nil || wheel == "" {
		b.Fatalf("bundled pip: %q, %v", wheel, err)
	}
	dir, err := s.unpackedPip(wheel, interp)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := checkPipDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}
