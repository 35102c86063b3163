package verify

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func writeDist(t *testing.T, root, name, version string, files map[string]string) {
	t.Helper()
	info := filepath.Join(root, name+"-"+version+".dist-info")
	var record string
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(content))
		record += fmt.Sprintf("%s,sha256=%s,%d\n", p, base64.RawURLEncoding.EncodeToString(sum[:]), len(content))
	}
	record += name + "-" + version + ".dist-info/RECORD,,\n"
	if err := os.MkdirAll(info, 0o755); err != nil {
		t.Fatal(err)
	}
	meta := "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n\nbody: Name: not-a-header\n"
	if err := os.WriteFile(filepath.Join(info, "METADATA"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(info, "RECORD"), []byte(record), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInstalledAndRecord(t *testing.T) {
	root := t.TempDir()
	writeDist(t, root, "Acme_Triton", "1.0", map[string]string{"acme_triton/__init__.py": "x = 1\n", "acme_triton/data.txt": "data"})
	writeDist(t, root, "tabulate_lite", "1.1", map[string]string{"tabulate_lite/__init__.py": "y = 2\n"})
	dists, err := Installed(root, filepath.Join(root, "does-not-exist"), root)
	if err != nil {
		t.Fatal(err)
	}
	if len(dists) != 2 || dists[0].Name != "acme-triton" || dists[0].Version != "1.0" || dists[1].Name != "tabulate-lite" {
		t.Fatalf("Installed = %+v", dists)
	}
	if p, err := dists[0].CheckRecord(); err != nil || len(p) != 0 {
		t.Fatalf("CheckRecord of an untouched dist = %+v, %v", p, err)
	}
	if err := os.WriteFile(filepath.Join(root, "acme_triton/__init__.py"), []byte("import os; os.system('steal')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "acme_triton/data.txt")); err != nil {
		t.Fatal(err)
	}
	p, err := dists[0].CheckRecord()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, q := range p {
		got[q.Path] = q.Reason
	}
	if len(p) != 2 || got["acme_triton/__init__.py"] != "modified" || got["acme_triton/data.txt"] != "missing" {
		t.Errorf("CheckRecord after tampering = %+v", p)
	}
}
