package index

import (
	"bufio"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

// The corpus benchmark runs against ../shared/bench's corpus served on
// loopback. bench/index_bench.py builds the corpus, serves it, resolves the
// large set, and passes both here, so that pip download is timed against
// the same server in the same run:
//
//	go test ./index -run '^$' -bench BenchmarkCorpus -benchtime 5x \
//	    -args -corpus.url http://127.0.0.1:PORT/simple -corpus.files FILES
//
// FILES has one wheel file name per line: the resolved set. Without the
// flags the benchmark is skipped.
var (
	corpusURL   = flag.String("corpus.url", "", "simple index URL of a served ../shared/bench corpus")
	corpusFiles = flag.String("corpus.files", "", "file naming the wheels of a resolved set, one per line")
	corpusPar   = flag.Int("corpus.parallel", DefaultParallel, "Options.Parallel of the client")
)

// corpusSet returns the index and the resolved wheels given by the flags.
func corpusSet(b *testing.B) (Index, map[string]string) {
	if *corpusURL == "" || *corpusFiles == "" {
		b.Skip("needs -corpus.url and -corpus.files (run bench/index_bench.py)")
	}
	f, err := os.Open(*corpusFiles)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	wheels := map[string]string{} // file name -> project
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name := strings.TrimSpace(sc.Text())
		if name == "" {
			continue
		}
		project, _, ok := strings.Cut(name, "-")
		if !ok {
			b.Fatalf("%s: %q is not a wheel file name", *corpusFiles, name)
		}
		wheels[name] = project
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return Index{Name: "corpus", URL: *corpusURL}, wheels
}

// fetchSet fetches the page of every project of the set, then the metadata
// of its resolved wheel, as a lock of that set does once it has chosen, and
// returns the requests the client made.
func fetchSet(b *testing.B, c *Client, idx Index, wheels map[string]string) int64 {
	defer c.Flush() // a run ends by flushing: its cost belongs to the run, and priming must be visible
	ctx := context.Background()
	var pages []Fetch
	for _, project := range wheels {
		pages = append(pages, Fetch{Index: idx, Project: project})
	}
	var metas []Fetch
	for _, r := range c.Prefetch(ctx, pages) {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
		for i := range r.Project.Files {
			if _, ok := wheels[r.Project.Files[i].Filename]; ok {
				metas = append(metas, Fetch{Index: idx, File: &r.Project.Files[i]})
			}
		}
	}
	if len(metas) != len(wheels) {
		b.Fatalf("found %d of the %d resolved wheels on the index", len(metas), len(wheels))
	}
	for _, r := range c.Prefetch(ctx, metas) {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
	return c.Requests()
}

func corpusClient(b *testing.B, dir string) *Client {
	c, err := NewClient(Options{CacheDir: dir, Parallel: *corpusPar})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkCorpus fetches the resolved set's pages and metadata with a new
// empty cache for each run (cold), and with one cache primed before the
// timer (warm: pages revalidated, 304; metadata read from disk). nocache
// runs without a disk cache: the difference to cold is the cost of writing
// the cache.
func BenchmarkCorpus(b *testing.B) {
	idx, wheels := corpusSet(b)
	report := func(b *testing.B, requests int64, elapsed time.Duration) {
		b.ReportMetric(float64(requests)/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(requests)/float64(b.N), "req/op")
		b.ReportMetric(float64(len(wheels)), "projects")
	}
	b.Run("cold", func(b *testing.B) {
		root := b.TempDir()
		var requests int64
		var elapsed time.Duration
		for b.Loop() {
			dir, err := os.MkdirTemp(root, "cache")
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			requests += fetchSet(b, corpusClient(b, dir), idx, wheels)
			elapsed += time.Since(start)
		}
		report(b, requests, elapsed)
	})
	b.Run("nocache", func(b *testing.B) {
		var requests int64
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			requests += fetchSet(b, corpusClient(b, ""), idx, wheels)
			elapsed += time.Since(start)
		}
		report(b, requests, elapsed)
	})
	b.Run("warm", func(b *testing.B) {
		dir := b.TempDir()
		fetchSet(b, corpusClient(b, dir), idx, wheels)
		var requests int64
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			requests += fetchSet(b, corpusClient(b, dir), idx, wheels)
			elapsed += time.Since(start)
		}
		report(b, requests, elapsed)
	})
}
