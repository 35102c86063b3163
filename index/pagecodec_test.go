package index

import (
	"bytes"
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

// TestParsedPageCache: a second run parses nothing (the parse comes from
// the cache) and gets the same page; a damaged parsed entry is a miss.
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
	if _, ok := c.cacheRead("parsed", parsedKey(t, c, ix)); !ok {
		t.Fatal("no parsed entry after the first run")
	}
	second, err := runProject(ctx, c, ix, "fresh")
	if err != nil || !reflect.DeepEqual(first, second) {
		t.Errorf("page from the parsed cache differs (%v):\n%+v\n%+v", err, first, second)
	}
	if got := requests(); !slices.Equal(got, []int{200, 304}) {
		t.Errorf("requests %v", got)
	}
	// a parsed entry that does not decode: the page is parsed again
	c3 := newClient(t, Options{CacheDir: dir})
	c3.cacheWrite("parsed", parsedKey(t, c3, ix), []byte("garbage"))
	third, err := c3.Project(ctx, ix, "fresh")
	if err != nil || !reflect.DeepEqual(first, third) {
		t.Errorf("after a damaged parsed entry: %+v, %v", third, err)
	}
}

// parsedKey is the parsed-cache key of the "fresh" page of maxAgeServer.
func parsedKey(t *testing.T, c *Client, ix Index) string {
	t.Helper()
	page := ix.URL + "/fresh/"
	data, ok := c.cacheRead("pages", cacheKey(page, acceptHeader)+".page")
	if !ok {
		t.Fatal("no cached page")
	}
	_, body, _ := bytes.Cut(data, []byte("\n"))
	return parsedCacheKey(page, ContentTypeJSON, body, "fresh")
}
