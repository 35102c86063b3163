package project

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/internal/testsigstore"
	"github.com/safepip/safepip/lock"
)

func attested(publisher, workflow string) *lock.Attestation {
	return &lock.Attestation{Publisher: publisher, Workflow: workflow, Identity: "x", Issuer: "y", LogIndex: 1, BundleSHA256: strings.Repeat("0", 64)}
}

func oneFileLock(name, version string, a *lock.Attestation) *lock.File {
	file := fmt.Sprintf("%s-%s-py3-none-any.whl", strings.ReplaceAll(name, "-", "_"), version)
	return &lock.File{Packages: []lock.Package{{Name: name, Version: version, Files: []lock.Dist{{Name: file, Attestation: a}}}}}
}

// twoFileLock locks acme 1.0 as a wheel and an sdist.
func twoFileLock(wheel, sdist *lock.Attestation) *lock.File {
	return &lock.File{Packages: []lock.Package{{Name: "acme", Version: "1.0", Files: []lock.Dist{
		{Name: "acme-1.0-py3-none-any.whl", SHA256: "aa", Attestation: wheel},
		{Name: "acme-1.0.tar.gz", SHA256: "bb", Attestation: sdist},
	}}}}
}

func TestCheckPublishers(t *testing.T) {
	const wf = ".github/workflows/publish.yml"
	tests := []struct {
		name    string
		old     *lock.File
		new     *lock.File
		allow   []string
		wantOld string // "" when no error is expected
		wantNew string
	}{
		{"first lock", nil, oneFileLock("acme", "1.0", attested("github:acme/acme", wf)), nil, "", ""},
		{"same publisher", oneFileLock("acme", "1.0", attested("github:acme/acme", wf)), oneFileLock("acme", "1.1", attested("github:acme/acme", wf)), nil, "", ""},
		{"repository case differs", oneFileLock("acme", "1.0", attested("github:Acme/ACME", wf)), oneFileLock("acme", "1.1", attested("github:acme/acme", wf)), nil, "", ""},
		{"never attested", oneFileLock("acme", "1.0", nil), oneFileLock("acme", "1.1", nil), nil, "", ""},
		{"attested now, not before", oneFileLock("acme", "1.0", nil), oneFileLock("acme", "1.1", attested("github:acme/acme", wf)), nil, "", ""},
		{"other repository", oneFileLock("acme", "1.0", attested("github:acme/acme", wf)), oneFileLock("acme", "1.1", attested("github:evil/acme", wf)), nil,
			"github:acme/acme (workflow " + wf + ")", "github:evil/acme (workflow " + wf + ")"},
		{"other workflow", oneFileLock("acme", "1.0", attested("github:acme/acme", wf)), oneFileLock("acme", "1.1", attested("github:acme/acme", ".github/workflows/x.yml")), nil,
			"github:acme/acme (workflow " + wf + ")", "github:acme/acme (workflow .github/workflows/x.yml)"},
		{"vanished", oneFileLock("acme", "1.0", attested("github:acme/acme", wf)), oneFileLock("acme", "1.1", nil), nil,
			"github:acme/acme (workflow " + wf + ")", "no attestation"},
		{"allowed, any spelling", oneFileLock("acme", "1.0", attested("github:acme/acme", wf)), oneFileLock("acme", "1.1", attested("github:evil/acme", wf)), []string{"ACME"}, "", ""},
		{"two workflows, unchanged", twoFileLock(attested("github:acme/acme", wf), attested("github:acme/acme", ".github/workflows/wheels.yml")),
			twoFileLock(attested("github:acme/acme", wf), attested("github:acme/acme", ".github/workflows/wheels.yml")), nil, "", ""},
		{"unattested sdist beside an attested wheel, unchanged", twoFileLock(attested("github:acme/acme", wf), nil), twoFileLock(attested("github:acme/acme", wf), nil), nil, "", ""},
		{"same file, other publisher", twoFileLock(attested("github:acme/acme", wf), attested("github:acme/acme", ".github/workflows/wheels.yml")),
			twoFileLock(attested("github:acme/acme", ".github/workflows/wheels.yml"), attested("github:acme/acme", ".github/workflows/wheels.yml")), nil,
			"github:acme/acme (workflow " + wf + ")", "github:acme/acme (workflow .github/workflows/wheels.yml)"},
		{"new version, either workflow", twoFileLock(attested("github:acme/acme", wf), attested("github:acme/acme", ".github/workflows/wheels.yml")),
			oneFileLock("acme", "1.1", attested("github:acme/acme", ".github/workflows/wheels.yml")), nil, "", ""},
		{"new version, neither", twoFileLock(attested("github:acme/acme", wf), attested("github:acme/acme", ".github/workflows/wheels.yml")),
			oneFileLock("acme", "1.1", attested("github:evil/acme", wf)), nil,
			"github:acme/acme (workflow " + wf + ") or github:acme/acme (workflow .github/workflows/wheels.yml)", "github:evil/acme (workflow " + wf + ")"},
		{"another project allowed", oneFileLock("acme", "1.0", attested("github:acme/acme", wf)), oneFileLock("acme", "1.1", nil), []string{"other"},
			"github:acme/acme (workflow " + wf + ")", "no attestation"},
	}
	for _, tt := range tests {
		err := checkPublishers(tt.new, tt.old, tt.allow)
		var pc *PublisherChangeError
		switch {
		case tt.wantOld == "" && err != nil:
			t.Errorf("%s: checkPublishers = %v, want nil", tt.name, err)
		case tt.wantOld != "" && !errors.As(err, &pc):
			t.Errorf("%s: checkPublishers = %v, want a *PublisherChangeError", tt.name, err)
		case tt.wantOld != "" && (pc.Old != tt.wantOld || pc.New != tt.wantNew || pc.Package != "acme" || pc.File != tt.new.Packages[0].Files[0].Name):
			t.Errorf("%s: checkPublishers = %+v, want old %q new %q", tt.name, pc, tt.wantOld, tt.wantNew)
		}
	}
}

func TestPublisherChangeMessage(t *testing.T) {
	err := &PublisherChangeError{Package: "acme", Version: "1.1", File: "acme-1.1-py3-none-any.whl", Old: "github:acme/acme", New: "github:evil/acme"}
	want := []string{
		"acme 1.1: the publisher of acme-1.1-py3-none-any.whl is not the one in the lock",
		"expected: github:acme/acme (locked)",
		"actual:   github:evil/acme",
		"hint: a new publisher (or none) may mean a stolen upload token or a moved repository; check with the project, then relock with --allow-publisher-change acme",
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("message:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

func TestProvenanceCache(t *testing.T) {
	dir := t.TempDir()
	data := []byte(`{"version":1}`)
	if err := storeProvenance(dir, data); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	got, ok, err := cachedProvenance(dir, hex.EncodeToString(sum[:]))
	if err != nil || !ok || string(got) != string(data) {
		t.Errorf("cachedProvenance(stored) = %q, %v, %v", got, ok, err)
	}
	for _, key := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("0", 64), strings.Repeat("0", 63)} {
		if got, ok, err := cachedProvenance(dir, key); ok || err != nil || got != nil {
			t.Errorf("cachedProvenance(%q) = %q, %v, %v; want nothing", key, got, ok, err)
		}
	}
	if _, ok, _ := cachedProvenance("", hex.EncodeToString(sum[:])); ok {
		t.Errorf("cachedProvenance without a cache directory found something")
	}
	// a damaged entry is a miss, and is removed
	path := filepath.Join(dir, provenanceDir, hex.EncodeToString(sum[:]))
	if err := os.WriteFile(path, []byte(`{"version":2}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := cachedProvenance(dir, hex.EncodeToString(sum[:])); ok || err != nil || got != nil {
		t.Errorf("cachedProvenance(damaged) = %q, %v, %v; want a miss", got, ok, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the damaged entry is still there: %v", err)
	}
}

// sitePackages writes installed distributions: name -> version and files.
func sitePackages(t *testing.T, dists map[string]map[string]string, versions map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, files := range dists {
		info := filepath.Join(root, name+"-"+versions[name]+".dist-info")
		if err := os.MkdirAll(info, 0o755); err != nil {
			t.Fatal(err)
		}
		var record strings.Builder
		for p, content := range files {
			full := filepath.Join(root, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte(content))
			fmt.Fprintf(&record, "%s,sha256=%s,%d\n", p, base64.RawURLEncoding.EncodeToString(sum[:]), len(content))
		}
		record.WriteString(name + "-" + versions[name] + ".dist-info/RECORD,,\n")
		meta := "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + versions[name] + "\n"
		if err := os.WriteFile(filepath.Join(info, "METADATA"), []byte(meta), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(info, "RECORD"), []byte(record.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestCheckInstalled(t *testing.T) {
	root := sitePackages(t, map[string]map[string]string{
		"clean":   {"clean/__init__.py": "x = 1\n"},
		"edited":  {"edited/__init__.py": "x = 1\n", "edited/gone.py": "y = 2\n"},
		"older":   {"older/__init__.py": ""},
		"stray":   {"stray/__init__.py": ""},
		"pip":     {"pip/__init__.py": ""},
		"renamed": {"renamed/__init__.py": ""},
	}, map[string]string{"clean": "1.0", "edited": "2.0", "older": "0.9", "stray": "3.0", "pip": "23.2.1", "renamed": "1.0.0"})
	if err := os.WriteFile(filepath.Join(root, "edited", "__init__.py"), []byte("x = 666\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "edited", "gone.py")); err != nil {
		t.Fatal(err)
	}
	lf := &lock.File{Packages: []lock.Package{
		{Name: "clean", Version: "1.0"}, {Name: "edited", Version: "2.0"}, {Name: "older", Version: "1.0"},
		{Name: "absent", Version: "1.0"}, {Name: "renamed", Version: "1.0"},
	}}
	var choices []install.Choice
	for i := range lf.Packages {
		choices = append(choices, install.Choice{Package: &lf.Packages[i]})
	}
	found, n, err := checkInstalled(&install.Interpreter{Purelib: root, Platlib: root}, choices)
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("compared %d installed distributions, want 6", n)
	}
	var got []string
	for _, f := range found {
		got = append(got, f.Kind+" "+f.Package+" "+f.File+" "+f.Actual)
	}
	want := []string{
		"modified-on-disk edited edited/__init__.py sha256=" + b64sha("x = 666\n"),
		"modified-on-disk edited edited/gone.py missing",
		"version-changed older  0.9",
		"not-installed absent  ",
		"extra stray  ",
	}
	// the order of one package's findings is RECORD's, a map's here
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func b64sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// signedSetup serves n projects, each with one wheel whose provenance the
// test Sigstore signed as github:acme/<name>, and writes requirements.txt
// and trusted_root.json into a new directory, which it returns.
func signedSetup(tb testing.TB, n int) string {
	tb.Helper()
	sig, err := testsigstore.New()
	if err != nil {
		tb.Fatal(err)
	}
	idx := testindex.New(tb)
	var reqs strings.Builder
	for i := range n {
		d := testindex.Dist{Name: fmt.Sprintf("pkg-%02d", i), Version: "1.0"}
		f, err := testindex.Build(d)
		if err != nil {
			tb.Fatal(err)
		}
		if d.Provenance, err = sig.Provenance(f.Filename, f.Data, testsigstore.GitHub("acme/"+d.Name, "publish.yml")); err != nil {
			tb.Fatal(err)
		}
		idx.Add(d)
		fmt.Fprintln(&reqs, d.Name)
	}
	srv := idx.Serve(tb)
	dir := tb.TempDir()
	writeFile(tb, dir, "requirements.txt", "--index-url "+srv.URL+"\n"+reqs.String())
	writeFile(tb, dir, "trusted_root.json", string(sig.TrustedRootJSON()))
	writeFile(tb, dir, "safepip.toml", "[policy]\ntrusted-root = \"trusted_root.json\"\n")
	return dir
}

func writeFile(tb testing.TB, dir, name, data string) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func signedLockOptions(dir string) LockOptions {
	return LockOptions{Requirements: []string{filepath.Join(dir, "requirements.txt")},
		Target: TargetOptions{PythonVersion: "3.11", Platform: "manylinux_2_28_x86_64"}}
}

// TestVerifiedCachePoisoned plants a forged verification result in the
// cache: lock trusts it (that is what the memo is for), and verify, which
// never reads it, refuses the lock.
func TestVerifiedCachePoisoned(t *testing.T) {
	dir := signedSetup(t, 1)
	env := &Env{Dir: dir, CacheDir: filepath.Join(dir, "cache"), Getenv: func(string) (string, bool) { return "", false }}
	o := signedLockOptions(dir)
	if _, err := Lock(context.Background(), env, o); err != nil {
		t.Fatal(err)
	}
	res, err := Verify(context.Background(), env, VerifyOptions{})
	if err != nil || res.Attested != 1 {
		t.Fatalf("Verify of a clean lock = %+v, %v", res, err)
	}
	entries, err := os.ReadDir(filepath.Join(env.CacheDir, verifiedDir))
	if err != nil || len(entries) != 1 {
		t.Fatalf("verified cache: %v, %v; want one entry", entries, err)
	}
	forged := `[{"Publisher":"github:evil/pkg-00","Workflow":".github/workflows/publish.yml","Identity":"x","Issuer":"y","LogIndex":1}]`
	writeFile(t, filepath.Join(env.CacheDir, verifiedDir), entries[0].Name(), forged)
	if err := os.Remove(filepath.Join(dir, DefaultLockName)); err != nil {
		t.Fatal(err)
	}
	lr, err := Lock(context.Background(), env, o)
	if err != nil {
		t.Fatal(err)
	}
	if a := lr.Lock.Packages[0].Files[0].Attestation; a == nil || a.Publisher != "github:evil/pkg-00" {
		t.Fatalf("lock did not use the planted entry: %+v", a)
	}
	res, err = Verify(context.Background(), env, VerifyOptions{Offline: true})
	var vf *VerifyFailedError
	if !errors.As(err, &vf) || len(res.Findings) != 1 || res.Findings[0].Kind != FindingAttestationInvalid {
		t.Fatalf("Verify after a planted entry = %+v, %v; want one %s finding", res, err, FindingAttestationInvalid)
	}
	// an entry that does not parse is verified again
	writeFile(t, filepath.Join(env.CacheDir, verifiedDir), entries[0].Name(), "{")
	if err := os.Remove(filepath.Join(dir, DefaultLockName)); err != nil {
		t.Fatal(err)
	}
	if lr, err = Lock(context.Background(), env, o); err != nil {
		t.Fatal(err)
	}
	if a := lr.Lock.Packages[0].Files[0].Attestation; a == nil || a.Publisher != "github:acme/pkg-00" {
		t.Fatalf("lock after a broken entry: %+v", a)
	}
}

// BenchmarkLockAttestations locks 50 projects, each with a signed wheel,
// warm (pages and provenance cached): attestations off; on, with earlier
// verifications remembered (a relock); and on, verifying every file anew.
func BenchmarkLockAttestations(b *testing.B) {
	dir := signedSetup(b, 50)
	for _, mode := range []string{"off", "verify", "verify-anew"} {
		b.Run(mode, func(b *testing.B) {
			policy := strings.TrimSuffix(mode, "-anew")
			writeFile(b, dir, "safepip.toml", "[policy]\nattestations = \""+policy+"\"\ntrusted-root = \"trusted_root.json\"\n")
			env := &Env{Dir: dir, CacheDir: filepath.Join(dir, "cache"), Getenv: func(string) (string, bool) { return "", false }}
			o := signedLockOptions(dir)
			o.DryRun = true
			if _, err := Lock(context.Background(), env, o); err != nil { // warm the cache
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if mode == "verify-anew" {
					b.StopTimer()
					os.RemoveAll(filepath.Join(env.CacheDir, verifiedDir))
					b.StartTimer()
				}
				res, err := Lock(context.Background(), env, o)
				if err != nil {
					b.Fatal(err)
				}
				if a := res.Lock.Packages[0].Files[0].Attestation; (a != nil) != (policy == "verify") {
					b.Fatalf("mode %s: attestation %+v", mode, a)
				}
			}
		})
	}
}
