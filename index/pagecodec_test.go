package index

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// codecPages are pages parsed as a client parses them: JSON and HTML, big
// and small, every edge case of the JSON tests, real corpus pages.
func codecPages(t testing.TB) []*Project {
	var out []*Project
	add := func(p *Project, err error) {
		if err != nil {
			return // a page that does not parse is never encoded
		}
		if selectProject(p, "a", false) != nil {
			p.Name = "" // another project: keep its files anyway, as a links page
		}
		out = append(out, p)
	}
	htmlPage, jsonPage := largePage(60)
	add(ParseHTML("https://idx.example/simple/big/", htmlPage))
	add(ParseJSON("https://idx.example/simple/big/", jsonPage))
	for _, c := range pep691Cases {
		add(ParseJSON("https://idx.example/simple/a/", []byte(c)))
	}
	for _, c := range pep691FileCases {
		add(ParseJSON("file:///srv/simple/a/", []byte(pep691File(c))))
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParseJSON", "corpus-*"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if body, ok := fuzzSeedBytes(data); ok {
			p, err := ParseJSON("https://pypi.example/simple/x/", body)
			if err == nil {
				selectProject(p, p.Name, false)
				out = append(out, p)
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d pages to encode", len(out))
	}
	return out
}

// fuzzSeedBytes reads the []byte of a one-value "go test fuzz v1" file.
func fuzzSeedBytes(data []byte) ([]byte, bool) {
	for _, line := range strings.Split(string(data), "\n") {
		if q, ok := strings.CutPrefix(line, "[]byte("); ok {
			v, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
			return []byte(v), err == nil
		}
	}
	return nil, false
}

func TestPageCodecRoundTrip(t *testing.T) {
	for i, p := range codecPages(t) {
		got, err := decodeProject(encodeProject(p))
		if err != nil {
			t.Fatalf("page %d (%s): %v", i, p.URL, err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("page %d (%s) after a round trip:\n got %+v\nwant %+v", i, p.URL, got, p)
		}
	}
}

// TestPageCodecDamaged: every cut of an encoding, and trailing bytes, are
// errors, never a wrong page or a panic.
func TestPageCodecDamaged(t *testing.T) {
	_, jsonPage := largePage(3)
	p, err := ParseJSON("https://idx.example/simple/big/", jsonPage)
	if err != nil {
		t.Fatal(err)
	}
	enc := encodeProject(p)
	for n := range len(enc) {
		if got, err := decodeProject(enc[:n]); err == nil {
			t.Fatalf("a cut at %d of %d bytes decoded: %+v", n, len(enc), got)
		}
	}
	if _, err := decodeProject(append(enc, 0)); err == nil {
		t.Error("trailing bytes decoded")
	}
}

func FuzzPageCodec(f *testing.F) {
	for _, p := range codecPages(f) {
		f.Add(encodeProject(p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodeProject(data)
		if err != nil {
			return
		}
		// whatever decodes encodes back to what decodes the same
		again, err := decodeProject(encodeProject(p))
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("re-encoding changed the page: %v\n%+v\n%+v", err, p, again)
		}
	})
}

// TestParsedPageCache: a page revalidated unchanged is taken from the
// parsed cache, not parsed again (shown by planting a different parse
// under its key: that is what the next run returns); an entry that does
// not decode is a miss and the page is parsed.
func TestParsedPageCache(t *testing.T) {
	ctx := context.Background()
	url, requests := maxAgeServer(t, "")
	ix := Index{Name: "pypi", URL: url}
	dir := t.TempDir()
	first, err := runProject(ctx, newClient(t, Options{CacheDir: dir}), ix, "fresh")
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, Options{CacheDir: dir})
	key := parsedKey(t, c, ix)
	if data, ok := c.cacheRead("parsed", key); !ok {
		t.Fatal("no parsed entry after the first run")
	} else if p, err := decodeProject(data); err != nil {
		t.Fatal(err)
	} else if p.Index = first.Index; !reflect.DeepEqual(p, first) { // the index is the caller's, not the page's
		t.Fatalf("parsed entry %+v, want the first run's page %+v", p, first)
	}

	planted := first.clone()
	planted.Files[0].RequiresPython = ">=3.99" // not on the page: only the cache says so
	plant := newClient(t, Options{CacheDir: dir})
	plant.cacheWrite("parsed", key, encodeProject(planted))
	plant.Flush()
	second, err := runProject(ctx, newClient(t, Options{CacheDir: dir}), ix, "fresh")
	if err != nil || second.Files[0].RequiresPython != ">=3.99" {
		t.Errorf("second run: %+v, %v; want the planted parse, not a new one", second, err)
	}
	if got := requests(); !slices.Equal(got, []int{200, 304}) {
		t.Errorf("requests %v, want a 200 then a 304", got)
	}

	damaged := newClient(t, Options{CacheDir: dir})
	damaged.cacheWrite("parsed", key, []byte("garbage"))
	damaged.Flush()
	third, err := runProject(ctx, newClient(t, Options{CacheDir: dir}), ix, "fresh")
	if err != nil || !reflect.DeepEqual(first, third) {
		t.Errorf("after a damaged parsed entry: %+v, %v; want the page parsed again", third, err)
	}
}

// parsedKey is the parsed-cache key of the "fresh" page of maxAgeServer.
func parsedKey(t *testing.T, c *Client, ix Index) string {
	t.Helper()
	page := c.loadPage(cacheKey(ix.URL+"/fresh/", acceptHeader))
	if page == nil {
		t.Fatal("no cached page")
	}
	return parsedCacheKey(page, "fresh")
}
