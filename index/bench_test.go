package index

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/safepip/safepip/internal/testindex"
)

// largePage returns an HTML and a JSON page of n files, like a busy
// project's page on PyPI.
func largePage(n int) (htmlPage, jsonPage []byte) {
	var h, j strings.Builder
	h.WriteString("<!DOCTYPE html><html><body><h1>Links for big</h1>\n")
	j.WriteString(`{"meta":{"api-version":"1.1"},"name":"big","files":[`)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("big-%d.%d-cp311-cp311-manylinux_2_17_x86_64.whl", i/100, i%100)
		fmt.Fprintf(&h, `<a href="https://files.example/packages/ab/cd/%s#sha256=%s" data-requires-python="&gt;=3.8" data-core-metadata="sha256=%s">%s</a><br/>`+"\n", name, sha, sha2, name)
		if i > 0 {
			j.WriteString(",")
		}
		fmt.Fprintf(&j, `{"filename":%q,"url":"https://files.example/packages/ab/cd/%s","hashes":{"sha256":%q},"requires-python":">=3.8","core-metadata":{"sha256":%q},"size":123456,"upload-time":"2026-01-01T00:00:00.000000Z","yanked":false}`, name, name, sha, sha2)
	}
	h.WriteString("</body></html>\n")
	j.WriteString("]}")
	return []byte(h.String()), []byte(j.String())
}

func BenchmarkParseHTML(b *testing.B) {
	page, _ := largePage(10000)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := ParseHTML("https://idx.example/simple/big/", page); err != nil {
			b.Fatal(err)
		}
	}
}

// corpusLikePage returns a JSON page of n files laid out like the pages of
// ../shared/bench's corpus (and pypi.org's): indented, keys sorted,
// relative URLs, core-metadata and dist-info-metadata dicts.
func corpusLikePage(n int) []byte {
	var j strings.Builder
	j.WriteString("{\n \"files\": [\n")
	for i := 0; i < n; i++ {
		if i > 0 {
			j.WriteString(",\n")
		}
		name := fmt.Sprintf("corpus_like-%d.%d-py3-none-any.whl", i/10, i%10)
		fmt.Fprintf(&j, `  {
   "core-metadata": {
    "sha256": %q
   },
   "dist-info-metadata": {
    "sha256": %q
   },
   "filename": %q,
   "hashes": {
    "sha256": %q
   },
   "requires-python": ">=3.9",
   "size": %d,
   "upload-time": "2025-05-12T00:00:00.000000Z",
   "url": "../../files/corpus-like/%s",
   "yanked": false
  }`, sha2, sha2, name, sha, 1000+i, name)
	}
	j.WriteString("\n ],\n \"meta\": {\n  \"api-version\": \"1.1\"\n },\n \"name\": \"corpus-like\",\n \"versions\": [\n")
	for i := 0; i < n; i++ {
		if i > 0 {
			j.WriteString(",\n")
		}
		fmt.Fprintf(&j, "  \"%d.%d\"", i/10, i%10)
	}
	j.WriteString("\n ]\n}\n")
	return []byte(j.String())
}

// BenchmarkParseJSON parses a busy project's page (10,000 files with
// absolute URLs) and a page like the corpus's (50 files, relative URLs).
func BenchmarkParseJSON(b *testing.B) {
	_, big := largePage(10000)
	for _, bb := range []struct {
		name string
		page []byte
	}{{"big", big}, {"corpus", corpusLikePage(50)}} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.page)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseJSON("https://idx.example/simple/corpus-like/", bb.page); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchIndex serves projects p0..p(n-1), each with one wheel and its
// metadata file.
func benchIndex(b *testing.B, n int) (Index, []Fetch) {
	idx := testindex.New(b)
	for i := 0; i < n; i++ {
		idx.Add(testindex.Dist{Name: fmt.Sprintf("p%d", i), Version: "1.0", Requires: []string{"idna>=2"}})
	}
	srv := idx.Serve(b)
	ix := Index{Name: "local", URL: srv.URL}
	var pages []Fetch
	for i := 0; i < n; i++ {
		pages = append(pages, Fetch{Index: ix, Project: fmt.Sprintf("p%d", i)})
	}
	return ix, pages
}

// fetchAll fetches every page, then every file's metadata, as the resolver
// does, and returns the requests made.
func fetchAll(b *testing.B, c *Client, pages []Fetch) int64 {
	defer c.Flush() // a run ends by flushing: its cost belongs to the run, and priming must be visible
	ctx := context.Background()
	var metas []Fetch
	for _, r := range c.Prefetch(ctx, pages) {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
		for i := range r.Project.Files {
			metas = append(metas, Fetch{Index: pages[0].Index, File: &r.Project.Files[i]})
		}
	}
	for _, r := range c.Prefetch(ctx, metas) {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
	return c.Requests()
}

func benchClient(b *testing.B, dir string) *Client {
	c, err := NewClient(Options{CacheDir: dir, Parallel: 16})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkFetchCold fetches 200 pages and their metadata with an empty
// cache, as a first run does.
func BenchmarkFetchCold(b *testing.B) {
	_, pages := benchIndex(b, 200)
	root := b.TempDir()
	var requests int64
	var elapsed time.Duration
	for b.Loop() {
		dir, err := os.MkdirTemp(root, "cache")
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		requests += fetchAll(b, benchClient(b, dir), pages)
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(requests)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(requests)/float64(b.N), "req/op")
}

// BenchmarkFetchWarm does the same with a warm cache, as a second run
// does: pages are revalidated (304), metadata comes from disk.
func BenchmarkFetchWarm(b *testing.B) {
	_, pages := benchIndex(b, 200)
	dir := b.TempDir()
	fetchAll(b, benchClient(b, dir), pages)
	var requests int64
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		requests += fetchAll(b, benchClient(b, dir), pages)
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(requests)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(requests)/float64(b.N), "req/op")
}
