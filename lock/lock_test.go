package lock

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
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
	checkGolden(t, sample(), "sample.lock")
}

// checkGolden checks that Marshal(f) is the golden file testdata/name (go
// test -update rewrites it), and that the file parses and marshals back to
// the same bytes. It returns the parsed file.
func checkGolden(t *testing.T, f *File, name string) *File {
	t.Helper()
	got, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", name)
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
		t.Errorf("Marshal differs from %s (run go test ./lock -update and review the diff):\n%s", golden, got)
	}
	parsed, err := Parse(golden, want)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Marshal(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, want) {
		t.Errorf("Parse then Marshal of %s is not the same bytes:\n%s", golden, again)
	}
	return parsed
}

func TestDeterministicWhateverTheInputOrder(t *testing.T) {
	a, b := sample(), sample()
	// reverse every list in b
	for i, j := 0, len(b.Packages)-1; i < j; i, j = i+1, j-1 {
		b.Packages[i], b.Packages[j] = b.Packages[j], b.Packages[i]
	}
	b.Indexes[0], b.Indexes[1] = b.Indexes[1], b.Indexes[0]
	sameBytes(t, a, b)
}

// sameBytes checks that a and b marshal to the same bytes.
func sameBytes(t *testing.T, a, b *File) {
	t.Helper()
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
	for _, name := range []string{"universal.lock", "v1.lock", "export.lock", "build.lock"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
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

// TestUniversalRoundTrip: a lock with a scope, forks and one name at two
// versions parses, and its canonical bytes parse back to the same bytes.
func TestUniversalRoundTrip(t *testing.T) {
	f, err := Read(filepath.Join("testdata", "universal.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Scope.RequiresPython != ">=3.9" || len(f.Scope.Environments) != 3 || len(f.Scope.RequiredEnvironments) != 1 || len(f.Scope.Forks) != 2 {
		t.Errorf("scope read as %+v", f.Scope)
	}
	var versions []string
	for _, p := range f.Versions("NumPy") {
		versions = append(versions, p.Version+" "+p.Marker)
	}
	if want := []string{"1.26.4 python_full_version < '3.12'", "2.1.0 python_full_version >= '3.12'"}; !slices.Equal(versions, want) {
		t.Errorf("Versions(numpy) = %q, want %q", versions, want)
	}
	b1, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	f2, err := Parse("again.lock", b1)
	if err != nil {
		t.Fatalf("%v\n%s", err, b1)
	}
	// Entries of one name sort by version whatever their input order.
	slices.Reverse(f2.Packages)
	b2, err := Marshal(f2)
	if err != nil || !bytes.Equal(b1, b2) {
		t.Errorf("universal lock does not round-trip (%v):\n%s\n---\n%s", err, b1, b2)
	}
	if !bytes.Contains(b1, []byte("[scope]\nrequires-python = '>=3.9'\nenvironments = [\n  \"sys_platform == 'darwin'\",")) {
		t.Errorf("scope not written as documented:\n%s", b1)
	}
}

// TestVersion1Compat: a version 1 lock reads as a lock narrowed to its
// [target], and is written back as version 2 with that narrowing.
func TestVersion1Compat(t *testing.T) {
	f, err := Read(filepath.Join("testdata", "v1.lock"))
	if err != nil {
		t.Fatal(err)
	}
	want := Scope{Python: "3.11.7", Implementation: "cpython", Platform: "linux_x86_64", Tags: Digest([]byte("cp311-cp311-linux_x86_64"))}
	if f.Version != 1 || !reflect.DeepEqual(f.Scope, want) {
		t.Errorf("v1 lock read as version %d, scope %+v; want 1, %+v", f.Version, f.Scope, want)
	}
	if len(f.Packages) != 3 {
		t.Errorf("v1 lock read %d packages, want 3", len(f.Packages))
	}
	b, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "sample.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, golden) {
		t.Errorf("v1 lock rewritten is not the v2 golden of the same content:\n%s", b)
	}
	// A v1 lock for a described target ("3.11", no patch level) keeps its
	// Python and platform, not the tags and markers of a made-up
	// interpreter: it installs into any 3.11 of that platform.
	described, err := Read(filepath.Join("testdata", "export.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Scope{Python: "3.11", Implementation: "cpython", Platform: "manylinux_2_17_x86_64"}); !reflect.DeepEqual(described.Scope, want) {
		t.Errorf("v1 lock of a described target read with scope %+v, want %+v", described.Scope, want)
	}
	// A v1 lock holding a v2 key, or a v2 lock holding [target], is malformed.
	v1, _ := os.ReadFile(filepath.Join("testdata", "v1.lock"))
	for _, bad := range []string{strings.Replace(string(v1), "\n[target]\n", "\n[scope]\n", 1), strings.Replace(string(golden), "\n[scope]\n", "\n[target]\n", 1)} {
		if _, err := Parse("bad.lock", []byte(bad)); err == nil || !strings.Contains(err.Error(), "unknown key") {
			t.Errorf("Parse of a lock mixing versions 1 and 2 = %v, want an unknown key", err)
		}
	}
}

func TestValidateOneNameSeveralVersions(t *testing.T) {
	entry := func(version, marker string) Package {
		return Package{Name: "numpy", Version: version, Index: "pypi", Marker: marker,
			Files: []Dist{{Name: "numpy-" + version + "-py3-none-any.whl", SHA256: sha}}}
	}
	for _, tc := range []struct {
		name string
		a, b Package
		want string // "" when valid
	}{
		{"disjoint", entry("1.26.4", "python_version < '3.12'"), entry("2.1.0", "python_version >= '3.12'"), ""},
		{"one everywhere", entry("1.26.4", ""), entry("2.1.0", "python_version >= '3.12'"), `package "numpy" is locked twice for the same environments (1.26.4 under no marker (everywhere), 2.1.0 under "python_version >= '3.12'")`},
		{"same marker", entry("1.26.4", "sys_platform == 'win32'"), entry("2.1.0", `sys_platform=="win32"`), "locked twice for the same environments"},
		{"same version twice", entry("1.26.4", ""), entry("1.26.4", ""), "locked twice"},
		{"overlapping ranges", entry("1.26.4", "python_version < '3.12'"), entry("2.1.0", "python_version >= '3.11'"), "locked twice for the same environments"},
		{"disjoint platforms", entry("1.26.4", "sys_platform == 'win32'"), entry("2.1.0", "sys_platform != 'win32' and python_version >= '3.9'"), ""},
		{"overlap through and", entry("1.26.4", "sys_platform == 'linux' and python_version < '3.12'"), entry("2.1.0", "python_version >= '3.10' and platform_machine == 'x86_64'"), "locked twice for the same environments"},
		{"bad marker", entry("1.26.4", "python_version <"), entry("2.1.0", "python_version >= '3.12'"), `marker "python_version <"`},
	} {
		f := sample()
		f.Packages = append(f.Packages, tc.a, tc.b)
		_, err := Marshal(f)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: Marshal error = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestValidateScope(t *testing.T) {
	for _, tc := range []struct {
		scope Scope
		want  string
	}{
		{Scope{RequiresPython: ">=3.9,<"}, `[scope] requires-python ">=3.9,<"`},
		{Scope{Environments: []string{"sys_platform = 'linux'"}}, `[scope] environments: marker "sys_platform = 'linux'"`},
		{Scope{Forks: []string{"python_version <"}}, `[scope] forks: marker`},
	} {
		f := sample()
		f.Scope = tc.scope
		if _, err := Marshal(f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Marshal with scope %+v = %v, want %q", tc.scope, err, tc.want)
		}
	}
}

// TestDiffSeveralVersions: entries of one name pair by marker, then by
// version; what is left is added or removed.
func TestDiffSeveralVersions(t *testing.T) {
	entry := func(version, marker string) Package {
		return Package{Name: "numpy", Version: version, Index: "pypi", Marker: marker,
			Files: []Dist{{Name: "numpy-" + version + "-py3-none-any.whl", SHA256: sha}}}
	}
	lockOf := func(ps ...Package) *File {
		f := sample()
		f.Packages = append(f.Packages, ps...)
		f.Normalize()
		return f
	}
	const lo, hi = "python_version < '3.12'", "python_version >= '3.12'"
	for _, tc := range []struct {
		name     string
		old, new *File
		want     []Change
	}{
		{"fork appears", lockOf(entry("1.26.4", "")), lockOf(entry("1.26.4", lo), entry("2.1.0", hi)), []Change{
			{Name: "numpy", Index: "pypi", Kind: "changed", OldVersion: "1.26.4", NewVersion: "1.26.4", Marker: lo},
			{Name: "numpy", Index: "pypi", Kind: "added", NewVersion: "2.1.0", Marker: hi}}},
		{"fork upgraded", lockOf(entry("1.26.4", lo), entry("2.1.0", hi)), lockOf(entry("1.26.4", lo), entry("2.2.0", hi)), []Change{
			{Name: "numpy", Index: "pypi", Kind: "upgraded", OldVersion: "2.1.0", NewVersion: "2.2.0", Marker: hi}}},
		{"fork merged", lockOf(entry("1.26.4", lo), entry("2.1.0", hi)), lockOf(entry("2.1.0", "")), []Change{
			{Name: "numpy", Index: "pypi", Kind: "removed", OldVersion: "1.26.4", Marker: lo},
			{Name: "numpy", Index: "pypi", Kind: "changed", OldVersion: "2.1.0", NewVersion: "2.1.0"}}},
		{"unchanged", lockOf(entry("1.26.4", lo), entry("2.1.0", hi)), lockOf(entry("2.1.0", hi), entry("1.26.4", lo)), nil},
	} {
		got := Diff(tc.old, tc.new)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: Diff =\n  %+v\nwant\n  %+v", tc.name, got, tc.want)
		}
	}
}
