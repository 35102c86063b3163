package lock

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

const sha = "70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6"

func sample() *File {
	return &File{
		Version:   FormatVersion,
		CreatedBy: "safepip 0.1.0",
		Inputs:    Digest([]byte("requests")),
		Scope:     Scope{Python: "3.11.7", Implementation: "cpython", Platform: "linux_x86_64", Tags: Digest([]byte("cp311-cp311-linux_x86_64"))},
		Policy:    Policy{ExcludeNewer: "2026-11-01T00:00:00Z"},
		Indexes:   []Index{{Name: "pypi", URL: "https://pypi.org/simple"}, {Name: "internal", URL: "https://pypi.internal.example/simple"}},
		Packages: []Package{
			{Name: "urllib3", Version: "2.2.3", Index: "pypi", RequiredBy: []string{"requests"}, Files: []Dist{
				{Name: "urllib3-2.2.3.tar.gz", URL: "https://files.example/urllib3-2.2.3.tar.gz", SHA256: strings.Repeat("b", 64), Size: 300},
				{Name: "urllib3-2.2.3-py3-none-any.whl", URL: "https://files.example/urllib3-2.2.3-py3-none-any.whl", SHA256: strings.Repeat("a", 64), Size: 200},
			}},
			{Name: "requests", Version: "2.32.3", Index: "pypi", RequiresPython: ">=3.8",
				Dependencies: []string{"urllib3", "Charset_Normalizer", "idna", "certifi"}, RequiredBy: []string{RootName},
				Files: []Dist{{Name: "requests-2.32.3-py3-none-any.whl", URL: "https://files.example/requests-2.32.3-py3-none-any.whl", SHA256: sha, Size: 64928,
					Attestation: &Attestation{Publisher: "github:psf/requests", Workflow: ".github/workflows/publish.yml",
						Identity: "https://github.com/psf/requests/.github/workflows/publish.yml@refs/tags/v2.32.3",
						Issuer:   "https://token.actions.githubusercontent.com", LogIndex: 123456789, BundleSHA256: strings.Repeat("c", 64)}}}},
			{Name: "acme-triton", Version: "1.0", Index: "internal", RequiredBy: []string{RootName}, Files: []Dist{
				{Name: "acme_triton-1.0-py3-none-any.whl", URL: "https://pypi.internal.example/files/acme_triton-1.0-py3-none-any.whl", SHA256: strings.Repeat("d", 64)}}},
		},
	}
}

func TestGolden(t *testing.T) {
	got, err := Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sample.lock")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Marshal(sample) differs from %s (run go test ./lock -update and review the diff):\n%s", golden, got)
	}
	f, err := Parse(golden, want)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, want) {
		t.Errorf("Parse then Marshal of %s is not the same bytes:\n%s", golden, again)
	}
}

func TestDeterministicWhateverTheInputOrder(t *testing.T) {
	a, b := sample(), sample()
	// reverse every list in b
	for i, j := 0, len(b.Packages)-1; i < j; i, j = i+1, j-1 {
		b.Packages[i], b.Packages[j] = b.Packages[j], b.Packages[i]
	}
	b.Indexes[0], b.Indexes[1] = b.Indexes[1], b.Indexes[0]
	ba, err := Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	bb, err := Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ba, bb) {
		t.Errorf("same content in another order gave other bytes:\n%s\n---\n%s", ba, bb)
	}
}

func TestParseErrors(t *testing.T) {
	valid, err := Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	exportLock, err := os.ReadFile(filepath.Join("testdata", "export.lock"))
	if err != nil {
		t.Fatal(err)
	}
	direct := string(exportLock) // has a "name @ url" package
	tests := []struct {
		name string
		data string
		want string
	}{
		{"newer format", "version = 3\n", "written by a newer safepip (format version 3; this one reads 2): upgrade safepip"},
		{"unknown key", strings.Replace(string(valid), "created-by =", "created_by =", 1), `unknown key "created_by"`},
		{"bad toml", "version = 1\n[target\n", "safepip.lock:2:"},
		{"bad sha", strings.Replace(string(valid), sha, "abc", 1), `sha256 "abc" is not 64 lower-case hex digits`},
		{"credentials", strings.Replace(string(valid), "https://pypi.internal.example", "https://user:hunter2@pypi.internal.example", 1), "url carries credentials"},
		{"credentials in a direct url", strings.Replace(direct, "url = 'https://example.org/dl/tool", "url = 'https://user:hunter2@example.org/dl/tool", 1), `package "tool-from-url": url carries credentials`},
		{"unknown index", strings.Replace(string(valid), "index = 'internal'", "index = 'nowhere'", 1), `index "nowhere" is not among`},
		{"old format", "version = 0\n", "unsupported lock format version 0"},
		{"slash in file name", strings.Replace(string(valid), "name = 'acme_triton-1.0-py3-none-any.whl'", "name = '../x.whl'", 1), `bad file name "../x.whl"`},
	}
	for _, tt := range tests {
		_, err := Parse("safepip.lock", []byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse error = %v, want it to contain %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error leaks a credential: %v", tt.name, err)
		}
	}
	_, err = Parse("safepip.lock", []byte("version = 3\n"))
	if !errors.Is(err, ErrNewerFormat) {
		t.Errorf("newer format error %v is not ErrNewerFormat", err)
	}
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "safepip.lock")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := sample()
	bad.Packages[0].Files[0].SHA256 = "nope"
	if err := Write(path, bad); err == nil {
		t.Fatal("Write of an invalid lock succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("failed Write changed the lock to %q", b)
	}
	if err := Write(path, sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Write left %d entries in the directory, want only the lock", len(entries))
	}
}

func TestDiff(t *testing.T) {
	old := sample()
	old.Normalize()
	new := sample()
	new.Packages = new.Packages[:2] // drop acme-triton
	new.Packages[0].Version = "2.3.0"
	new.Packages = append(new.Packages, Package{Name: "idna", Version: "3.10", Index: "pypi", Files: []Dist{{Name: "idna-3.10-py3-none-any.whl", SHA256: sha}}})
	new.Normalize()
	got := Diff(old, new)
	want := []Change{
		{Name: "acme-triton", Index: "internal", Kind: "removed", OldVersion: "1.0"},
		{Name: "idna", Index: "pypi", Kind: "added", NewVersion: "3.10"},
		{Name: "urllib3", Index: "pypi", Kind: "upgraded", OldVersion: "2.2.3", NewVersion: "2.3.0"},
	}
	if len(got) != len(want) {
		t.Fatalf("Diff = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Diff[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if d := Diff(old, old); len(d) != 0 {
		t.Errorf("Diff(old, old) = %+v, want none", d)
	}
}

func TestDigestIsLengthPrefixed(t *testing.T) {
	if Digest([]byte("ab"), []byte("c")) == Digest([]byte("a"), []byte("bc")) {
		t.Error("Digest does not separate its parts")
	}
}

func FuzzParse(f *testing.F) {
	if b, err := Marshal(sample()); err == nil {
		f.Add(b)
	}
	f.Add([]byte("version = 1\n"))
	f.Add([]byte("version = 1\n[[package]]\nname='a'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := Parse("fuzz.lock", data)
		if err != nil {
			return
		}
		b1, err := Marshal(lf)
		if err != nil {
			return // valid input that normalizes into a conflict (two spellings of one name)
		}
		lf2, err := Parse("fuzz.lock", b1)
		if err != nil {
			t.Fatalf("re-parse of marshalled lock: %v\n%s", err, b1)
		}
		b2, err := Marshal(lf2)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("marshal is not stable: %v\n%s\n---\n%s", err, b1, b2)
		}
	})
}
