package index

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func packClient(t *testing.T, dir string) *Client {
	t.Helper()
	return newClient(t, Options{CacheDir: dir})
}

func packs(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "packs", "*.pack"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// wantEntry checks what a fresh client reads for (kind, name); want ""
// means a miss.
func wantEntry(t *testing.T, c *Client, kind, name, want string) {
	t.Helper()
	got, ok := c.cacheRead(kind, name)
	switch {
	case want == "" && ok:
		t.Errorf("cacheRead(%q, %q) = %q, want a miss", kind, name, got)
	case want != "" && (!ok || string(got) != want):
		t.Errorf("cacheRead(%q, %q) = %q, %v, want %q", kind, name, got, ok, want)
	}
}

func TestPackVisibility(t *testing.T) {
	dir := t.TempDir()
	a := packClient(t, dir)
	a.cacheWrite("pages", "k.page", []byte("one"))
	a.cacheWrite("provenance", "p", []byte("prov"))
	// the writer reads its own entries at once
	wantEntry(t, a, "pages", "k.page", "one")
	// another client sees nothing before Flush: the pack is still a
	// temporary file
	wantEntry(t, packClient(t, dir), "pages", "k.page", "")
	a.Flush()
	a.Flush() // idempotent
	if n := len(packs(t, dir)); n != 1 {
		t.Fatalf("%d packs after Flush, want 1", n)
	}
	b := packClient(t, dir)
	wantEntry(t, b, "pages", "k.page", "one")
	wantEntry(t, b, "provenance", "p", "prov")
	wantEntry(t, b, "pages", "other.page", "")
	// a is still usable: a later write starts a new pack, which wins
	a.cacheWrite("pages", "k.page", []byte("two"))
	a.Flush()
	wantEntry(t, packClient(t, dir), "pages", "k.page", "two")
	wantEntry(t, packClient(t, dir), "provenance", "p", "prov")
}

func TestPackNothingWritten(t *testing.T) {
	dir := t.TempDir()
	c := packClient(t, dir)
	wantEntry(t, c, "pages", "k.page", "")
	c.Flush()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Flush with nothing written left %v", entries)
	}
	// no cache dir: every call is a no-op
	n := newClient(t, Options{})
	n.cacheWrite("pages", "k.page", []byte("x"))
	wantEntry(t, n, "pages", "k.page", "")
	n.Flush()
}

func TestPackCrashAndCleanup(t *testing.T) {
	dir := t.TempDir()
	crashed := packClient(t, dir)
	crashed.cacheWrite("pages", "lost.page", []byte("lost")) // never flushed
	wantEntry(t, packClient(t, dir), "pages", "lost.page", "")
	tmps, _ := filepath.Glob(filepath.Join(dir, "packs", ".tmp-*"))
	if len(tmps) != 1 {
		t.Fatalf("temporary files: %v", tmps)
	}
	// a young temporary file may be another run's pack in progress
	compactPacks(filepath.Join(dir, "packs"), time.Now(), t.Logf)
	if _, err := os.Stat(tmps[0]); err != nil {
		t.Errorf("young temporary file removed: %v", err)
	}
	compactPacks(filepath.Join(dir, "packs"), time.Now().Add(2*time.Hour), t.Logf)
	if _, err := os.Stat(tmps[0]); !os.IsNotExist(err) {
		t.Errorf("temporary file older than an hour kept: %v", err)
	}
}

func TestPackDamaged(t *testing.T) {
	t.Run("mapped", testPackDamaged)
	t.Run("read", func(t *testing.T) {
		mapPacks = false
		defer func() { mapPacks = true }()
		testPackDamaged(t)
	})
}

func testPackDamaged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func([]byte) []byte
		good   bool // the intact entry still reads
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-5] }, false},
		{"short", func(b []byte) []byte { return b[:10] }, false},
		{"empty", func(b []byte) []byte { return nil }, false},
		{"bad magic", func(b []byte) []byte { b[len(b)-2] ^= 1; return b }, false},
		{"bad index sha256", func(b []byte) []byte { b[len(b)-len(packMagic)-1] ^= 1; return b }, false},
		{"bad index offset", func(b []byte) []byte { b[len(b)-int(packTrailerLen)+7] ^= 1; return b }, false},
		{"flipped entry byte", func(b []byte) []byte { b[0] ^= 1; return b }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := packClient(t, dir)
			c.cacheWrite("pages", "bad.page", []byte("first entry"))
			c.cacheWrite("pages", "good.page", []byte("second entry"))
			c.Flush()
			p := packs(t, dir)[0]
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, tc.damage(data), 0o600); err != nil {
				t.Fatal(err)
			}
			r := packClient(t, dir)
			wantEntry(t, r, "pages", "bad.page", "")
			want := ""
			if tc.good {
				want = "second entry"
			}
			wantEntry(t, r, "pages", "good.page", want)
		})
	}
}

func TestPackMetadataCheckedByName(t *testing.T) {
	dir := t.TempDir()
	c := packClient(t, dir)
	c.cacheWrite("metadata", cacheKey("x"), []byte("Metadata-Version: 2.1\n"))
	c.Flush()
	wantEntry(t, packClient(t, dir), "metadata", cacheKey("x"), "")
}

func TestPackCompaction(t *testing.T) {
	dir := t.TempDir()
	want := map[string]string{}
	for i := range 9 {
		c := packClient(t, dir)
		c.cacheWrite("pages", "shared.page", fmt.Appendf(nil, "v%d", i))
		c.cacheWrite("pages", fmt.Sprintf("own-%d.page", i), fmt.Appendf(nil, "own %d", i))
		want[fmt.Sprintf("own-%d.page", i)] = fmt.Sprintf("own %d", i)
		c.Flush()
		if n := len(packs(t, dir)); i < 8 && n != i+1 {
			t.Fatalf("after %d flushes: %d packs", i+1, n)
		}
	}
	want["shared.page"] = "v8"
	if p := packs(t, dir); len(p) != 1 {
		t.Fatalf("after 9 flushes: packs %v, want one", p)
	}
	r := packClient(t, dir)
	for name, v := range want {
		wantEntry(t, r, "pages", name, v)
	}
	// a pack flushed after a compaction still wins
	c := packClient(t, dir)
	c.cacheWrite("pages", "shared.page", []byte("v9"))
	c.Flush()
	wantEntry(t, packClient(t, dir), "pages", "shared.page", "v9")
}

// TestPackConcurrentClients runs two writers (and their compactions) at
// once on one cache; a third client reads every entry. Run with -race.
func TestPackConcurrentClients(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for run := range 6 {
				c := packClient(t, dir)
				var inner sync.WaitGroup
				for e := range 4 {
					inner.Go(func() {
						name := fmt.Sprintf("w%d-r%d-e%d", w, run, e)
						c.cacheWrite("provenance", name, []byte(name))
						c.cacheRead("provenance", name)
					})
				}
				inner.Wait()
				c.Flush()
			}
		})
	}
	wg.Wait()
	r := packClient(t, dir)
	var missing []string
	for w := range 2 {
		for run := range 6 {
			for e := range 4 {
				name := fmt.Sprintf("w%d-r%d-e%d", w, run, e)
				if got, ok := r.cacheRead("provenance", name); !ok || string(got) != name {
					missing = append(missing, name)
				}
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("entries lost: %v", missing)
	}
	if p := packs(t, dir); len(p) > maxPacks+1 || len(p) == 0 {
		t.Errorf("packs left: %d", len(p))
	}
}
