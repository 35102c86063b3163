package testindex

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unpack writes the sdist's members under dir and returns its one top
// directory.
func unpack(t *testing.T, data []byte, dir string) string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	tops := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		top, _, _ := strings.Cut(h.Name, "/")
		tops[top] = true
		path := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(tops) != 1 {
		t.Fatalf("sdist has top directories %v, want one", tops)
	}
	for top := range tops {
		return filepath.Join(dir, top)
	}
	return ""
}

// TestSdistFilesBuildWithTinyBackend builds a SdistFiles sdist with the
// TinyBackend wheel (imported from the zip, as a build venv would) and
// checks the wheel holds the generated module and the Dist's metadata.
func TestSdistFilesBuildWithTinyBackend(t *testing.T) {
	backend, err := Build(TinyBackend("Acme-Build-Plugin", "2.0"))
	if err != nil {
		t.Fatal(err)
	}
	if backend.Filename != "acme_build_plugin-2.0-py3-none-any.whl" {
		t.Errorf("TinyBackend filename = %q", backend.Filename)
	}
	sdist, err := Build(Dist{Name: "acme-lib", Version: "1.0", Sdist: true, Requires: []string{"idna>=2"},
		SdistFiles: map[string]string{
			"pyproject.toml":    "[build-system]\nrequires = [\"acme-build-plugin\"]\nbuild-backend = \"acme_build_plugin.build\"\n",
			"acme_lib/data.txt": "payload",
		}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	wheelPath := filepath.Join(dir, backend.Filename)
	if err := os.WriteFile(wheelPath, backend.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	src := unpack(t, sdist.Data, filepath.Join(dir, "src"))
	if filepath.Base(src) != "acme_lib-1.0" {
		t.Errorf("top directory = %q, want acme_lib-1.0", filepath.Base(src))
	}
	pkgInfo, err := os.ReadFile(filepath.Join(src, "PKG-INFO"))
	if err != nil || !bytes.Equal(pkgInfo, sdist.METADATA) {
		t.Errorf("PKG-INFO = %q (%v), want METADATA %q", pkgInfo, err, sdist.METADATA)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, hook := range []string{"build", "noprep"} {
		cmd := exec.Command("python3", "-I", "-c",
			"import sys; sys.path.insert(0, sys.argv[1]); import acme_build_plugin."+hook+" as b; print(b.build_wheel(sys.argv[2]))",
			wheelPath, out)
		cmd.Dir = src
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("build_wheel with acme_build_plugin.%s: %v\n%s", hook, err, got)
		}
		if name := strings.TrimSpace(string(got)); name != "acme_lib-1.0-py3-none-any.whl" {
			t.Errorf("build_wheel returned %q", name)
		}
	}
	zr, err := zip.OpenReader(filepath.Join(out, "acme_lib-1.0-py3-none-any.whl"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	members := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		members[f.Name] = string(body)
	}
	if members["acme_lib/data.txt"] != "payload" || members["acme_lib/__init__.py"] != "__version__ = \"1.0\"\n" {
		t.Errorf("built wheel lacks the package's code: %v", members)
	}
	if md := members["acme_lib-1.0.dist-info/METADATA"]; !strings.Contains(md, "Requires-Dist: idna>=2") {
		t.Errorf("built METADATA lacks the Dist's Requires:\n%s", md)
	}
}

// TestSdistFilesGivenPKGInfo keeps a given PKG-INFO as the file's METADATA.
func TestSdistFilesGivenPKGInfo(t *testing.T) {
	pkgInfo := "Metadata-Version: 2.2\nName: acme-lib\nVersion: 1.0\n"
	f, err := Build(Dist{Name: "acme-lib", Version: "1.0", Sdist: true,
		SdistFiles: map[string]string{"PKG-INFO": pkgInfo, "tiny.json": "{}"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(f.METADATA) != pkgInfo {
		t.Errorf("METADATA = %q, want the given PKG-INFO", f.METADATA)
	}
	src := unpack(t, f.Data, t.TempDir())
	if got, _ := os.ReadFile(filepath.Join(src, "tiny.json")); string(got) != "{}" {
		t.Errorf("tiny.json = %q, want the given one", got)
	}
}

// TestTinyBackendInitOverride lets a test replace the backend's __init__.py.
func TestTinyBackendInitOverride(t *testing.T) {
	d := TinyBackend("acme-build-plugin", "99.0")
	d.Files["acme_build_plugin/__init__.py"] = "open('marker', 'w').close()\n"
	f, err := Build(d)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(f.Data), int64(len(f.Data)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range zr.File {
		if m.Name == "acme_build_plugin/__init__.py" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d members acme_build_plugin/__init__.py, want 1", n)
	}
}
