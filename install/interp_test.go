package install

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectPython3(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 is not on PATH")
	}
	// The real executable, not a shim (pyenv's python3 is a script, whose
	// answers are never cached).
	exe, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatal(err)
	}
	python := strings.TrimSpace(string(exe))
	cache := t.TempDir()
	in, err := Inspect(context.Background(), python, cache)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", "import sys, platform; print('%d.%d' % sys.version_info[:2], sys.platform, platform.machine())").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := string(out)
	got := in.Markers["python_version"] + " " + in.Markers["sys_platform"] + " " + in.Markers["platform_machine"] + "\n"
	if got != want {
		t.Errorf("markers = %q, python3 says %q", got, want)
	}
	if in.Facts.Implementation != "cpython" || in.Facts.Version[0] != 3 || in.Purelib == "" || in.Pip == "" {
		t.Errorf("Inspect = %+v", in)
	}
	if in.Markers["sys_platform"] == "linux" && in.Facts.Glibc == "" && in.Facts.Musl == "" {
		t.Errorf("Linux interpreter with neither glibc nor musl: %+v", in)
	}
	target, err := in.Target()
	if err != nil {
		t.Fatal(err)
	}
	if tags := target.Tags(); len(tags) < 10 || tags[0].Interpreter != "cp3"+in.Markers["python_version"][2:] {
		t.Errorf("Target().Tags() = %v...", tags[:min(3, len(tags))])
	}
	entries, _ := os.ReadDir(filepath.Join(cache, "interpreters"))
	if len(entries) != 1 {
		t.Fatalf("cache holds %d entries, want 1", len(entries))
	}
	again, err := Inspect(context.Background(), python, cache)
	if err != nil || again.Executable != in.Executable {
		t.Errorf("cached Inspect = %+v, %v", again, err)
	}
}

func TestInspectMissingInterpreter(t *testing.T) {
	_, err := Inspect(context.Background(), filepath.Join(t.TempDir(), "no-python"), "")
	if err == nil {
		t.Fatal("Inspect of a missing interpreter succeeded")
	}
}

func TestScriptInterpretersAreNotCached(t *testing.T) {
	dir := t.TempDir()
	shim := filepath.Join(dir, "python-shim")
	if err := os.WriteFile(shim, []byte("#!/bin/sh\nexec python3 \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if !isScript(shim) {
		t.Fatal("isScript(shim) = false")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 is not on PATH")
	}
	cache := t.TempDir()
	if _, err := Inspect(context.Background(), shim, cache); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Join(cache, "interpreters")); len(entries) != 0 {
		t.Errorf("a shim's answer was cached: %d entries", len(entries))
	}
}
