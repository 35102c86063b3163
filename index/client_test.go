package index

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/pypa/wheel"
)

// newClient returns a client with tiny back-off, logging into the test.
func newClient(t *testing.T, opts Options) *Client {
	t.Helper()
	if opts.Backoff == 0 {
		opts.Backoff = time.Millisecond
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 5 * time.Millisecond
	}
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runProject is one run: Project, then Flush, so that the next client on
// the same cache dir sees what this one stored.
func runProject(ctx context.Context, c *Client, ix Index, name string) (*Project, error) {
	defer c.Flush()
	return c.Project(ctx, ix, name)
}

func serveAcme(t *testing.T) (*testindex.Index, *testindex.Server, *testindex.File) {
	idx := testindex.New(t)
	f := idx.Add(testindex.Dist{
		Name: "Acme.Triton", Version: "1.0", Requires: []string{"idna>=2"}, RequiresPython: ">=3.8",
		UploadTime: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), Provenance: []byte(`{"attestation_bundles": []}`),
	})
	idx.Add(testindex.Dist{Name: "acme-triton", Version: "0.9", Yanked: "broken build", UploadTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	idx.Add(testindex.Dist{Name: "acme-triton", Version: "0.9", Sdist: true, YankedNoReason: true})
	return idx, idx.Serve(t), f
}

func TestProjectJSONAndHTMLAgree(t *testing.T) {
	ctx := context.Background()
	_, srv, f := serveAcme(t)
	c := newClient(t, Options{})
	ix := Index{Name: "internal", URL: srv.URL}

	srv.SetFormat(testindex.FormatJSON)
	pj, err := c.Project(ctx, ix, "ACME_triton")
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFormat(testindex.FormatHTML)
	ph, err := c.Project(ctx, ix, "acme-triton")
	if err != nil {
		t.Fatal(err)
	}
	if pj.Name != "acme-triton" || pj.Index != "internal" || len(pj.Files) != 3 {
		t.Fatalf("JSON project = %+v", pj)
	}
	got := pj.Files[0]
	parsed, err := wheel.ParseWheel(f.Filename)
	if err != nil {
		t.Fatal(err)
	}
	want := File{
		Filename: f.Filename, URL: srv.FileURL(f.Filename), Hashes: map[string]string{"sha256": f.SHA256},
		RequiresPython: ">=3.8", CoreMetadata: true, CoreMetadataHashes: map[string]string{"sha256": f.MetadataSHA256()},
		Size: int64(len(f.Data)), UploadTime: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), Provenance: srv.ProvenanceURL(f.Filename),
		Wheel: &parsed,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JSON file:\n got %+v\nwant %+v", got, want)
	}
	if !pj.Files[1].Yanked || pj.Files[1].YankedReason != "broken build" || !pj.Files[2].Yanked || pj.Files[2].YankedReason != "" {
		t.Errorf("yanked: %+v / %+v", pj.Files[1], pj.Files[2])
	}
	// HTML carries neither size nor upload time (PEP 700 is JSON only)
	for i := range pj.Files {
		j := pj.Files[i]
		j.Size, j.UploadTime = 0, time.Time{}
		if !reflect.DeepEqual(j, ph.Files[i]) {
			t.Errorf("file %d: JSON %+v\nHTML %+v", i, j, ph.Files[i])
		}
	}
	accepts := srv.Requests()[0].Header.Get("Accept")
	if !strings.HasPrefix(accepts, ContentTypeJSON) {
		t.Errorf("Accept = %q, want JSON first", accepts)
	}
}

func TestNotFound(t *testing.T) {
	_, srv, _ := serveAcme(t)
	c := newClient(t, Options{})
	_, err := c.Project(context.Background(), Index{Name: "pypi", URL: srv.URL}, "nope")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Project != "nope" || nf.Index != "pypi" {
		t.Fatalf("err = %v, want *NotFoundError", err)
	}
	if srv.Count("/simple/nope/") != 1 {
		t.Errorf("a 404 must not be retried: %v", srv.Paths())
	}
}

func TestMetadataFile(t *testing.T) {
	ctx := context.Background()
	_, srv, f := serveAcme(t)
	c := newClient(t, Options{CacheDir: t.TempDir()})
	ix := Index{Name: "internal", URL: srv.URL}
	p, err := c.Project(ctx, ix, "acme-triton")
	if err != nil {
		t.Fatal(err)
	}
	md, err := c.Metadata(ctx, ix, p.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(md, f.METADATA) {
		t.Errorf("metadata = %q", md)
	}
	if srv.Count("/files/"+f.Filename+".metadata") != 1 || srv.Count("/files/"+f.Filename) != 0 {
		t.Errorf("requests: %v", srv.Paths())
	}
	// cached by hash: no second request
	if _, err := c.Metadata(ctx, ix, p.Files[0]); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("/files/" + f.Filename + ".metadata"); n != 1 {
		t.Errorf("metadata fetched %d times, want 1 (cache)", n)
	}
}

func TestMetadataHashMismatch(t *testing.T) {
	ctx := context.Background()
	_, srv, f := serveAcme(t)
	srv.Handle("/files/"+f.Filename+".metadata", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("Metadata-Version: 2.1\nName: acme-triton\nVersion: 1.0\nRequires-Dist: evil\n"))
	})
	c := newClient(t, Options{})
	ix := Index{Name: "internal", URL: srv.URL}
	p, err := c.Project(ctx, ix, "acme-triton")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Metadata(ctx, ix, p.Files[0])
	var hm *HashMismatchError
	if !errors.As(err, &hm) {
		t.Fatalf("err = %v, want *HashMismatchError", err)
	}
	msg := err.Error()
	for _, want := range []string{f.Filename, "expected " + f.MetadataSHA256(), "got      " + hm.Got} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if srv.Count("/files/"+f.Filename) != 0 {
		t.Error("a hash mismatch must not fall back to the file")
	}
}

func TestMetadataByRange(t *testing.T) {
	ctx := context.Background()
	idx := testindex.New(t)
	f := idx.Add(testindex.Dist{Name: "big", Version: "1.0", Requires: []string{"numpy"}, PadBytes: 1 << 20})
	srv := idx.Serve(t)
	srv.SetMetadata(false)
	c := newClient(t, Options{})
	ix := Index{Name: "pypi", URL: srv.URL}
	p, err := c.Project(ctx, ix, "big")
	if err != nil {
		t.Fatal(err)
	}
	if p.Files[0].CoreMetadata {
		t.Fatal("metadata advertised although switched off")
	}
	md, err := c.Metadata(ctx, ix, p.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(md, f.METADATA) {
		t.Errorf("metadata = %q", md)
	}
	var fileReqs int
	for _, r := range srv.Requests() {
		if r.Path != "/files/"+f.Filename {
			continue
		}
		fileReqs++
		if r.Header.Get("Range") == "" || r.Status != http.StatusPartialContent {
			t.Errorf("file request without a range: Range %q status %d", r.Header.Get("Range"), r.Status)
		}
	}
	if fileReqs == 0 || fileReqs > 3 {
		t.Errorf("%d range requests, want 1 to 3", fileReqs)
	}
	t.Logf("METADATA of a %d-byte wheel read with %d range requests", len(f.Data), fileReqs)
}

func TestMetadataByRangeLargeDirectory(t *testing.T) {
	ctx := context.Background()
	idx := testindex.New(t)
	files := map[string]string{}
	for i := 0; i < 3000; i++ {
		files[fmt.Sprintf("many/deeply/nested/package/module_number_%04d.py", i)] = "x = 1\n"
	}
	f := idx.Add(testindex.Dist{Name: "many", Version: "1.0", Files: files, PadBytes: 256 << 10})
	srv := idx.Serve(t)
	srv.SetMetadata(false)
	c := newClient(t, Options{})
	ix := Index{Name: "pypi", URL: srv.URL}
	p, err := c.Project(ctx, ix, "many")
	if err != nil {
		t.Fatal(err)
	}
	md, err := c.Metadata(ctx, ix, p.Files[0])
	if err != nil || !bytes.Equal(md, f.METADATA) {
		t.Fatalf("metadata %q, %v", md, err)
	}
	var n int
	for _, r := range srv.Requests() {
		if r.Path == "/files/"+f.Filename {
			n++
			if r.Status != http.StatusPartialContent {
				t.Errorf("file request answered %d, want 206", r.Status)
			}
		}
	}
	if n > 3 {
		t.Errorf("%d range requests for a %d-byte wheel, want at most 3", n, len(f.Data))
	}
	t.Logf("METADATA of a %d-byte wheel with 3000 members read with %d range requests", len(f.Data), n)
}

func TestMetadataWithoutRangeDownloads(t *testing.T) {
	ctx := context.Background()
	idx := testindex.New(t)
	whl := idx.Add(testindex.Dist{Name: "plain", Version: "1.0", Requires: []string{"six"}})
	sd := idx.Add(testindex.Dist{Name: "plain", Version: "1.0", Sdist: true, Requires: []string{"six"}})
	srv := idx.Serve(t)
	srv.SetMetadata(false)
	srv.SetRange(false)
	for _, cacheDir := range []string{"", t.TempDir()} {
		c := newClient(t, Options{CacheDir: cacheDir})
		ix := Index{Name: "pypi", URL: srv.URL}
		p, err := c.Project(ctx, ix, "plain")
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []*testindex.File{whl, sd} {
			md, err := c.Metadata(ctx, ix, p.Files[i])
			if err != nil {
				t.Fatalf("cache %q: %s: %v", cacheDir, want.Filename, err)
			}
			if !bytes.Equal(md, want.METADATA) {
				t.Errorf("%s: metadata = %q", want.Filename, md)
			}
		}
	}
}

func TestBasicAuthAndNetrc(t *testing.T) {
	ctx := context.Background()
	_, srv, _ := serveAcme(t)
	srv.RequireAuth("alice", "hunter2")
	u, _ := url.Parse(srv.URL)

	c := newClient(t, Options{})
	_, err := c.Project(ctx, Index{Name: "internal", URL: srv.URL}, "acme-triton")
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "credentials") {
		t.Fatalf("without credentials: err = %v, want a 401 *NetworkError with a hint", err)
	}

	withUser := "http://alice:hunter2@" + u.Host + u.Path
	if _, err := c.Project(ctx, Index{Name: "internal", URL: withUser}, "acme-triton"); err != nil {
		t.Errorf("userinfo credentials: %v", err)
	}

	netrc := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(netrc, []byte("machine 127.0.0.1 login alice password hunter2\n"), 0o600)
	cn := newClient(t, Options{NetrcPath: netrc})
	p, err := cn.Project(ctx, Index{Name: "internal", URL: srv.URL}, "acme-triton")
	if err != nil {
		t.Fatalf("netrc credentials: %v", err)
	}
	// the file and its metadata live on the same host: credentials go along
	if _, err := cn.Metadata(ctx, Index{Name: "internal", URL: srv.URL}, p.Files[0]); err != nil {
		t.Errorf("metadata with netrc: %v", err)
	}
}

func TestRetryThenSuccess(t *testing.T) {
	_, srv, _ := serveAcme(t)
	srv.Fail("/simple/acme-triton/", http.StatusServiceUnavailable, 2)
	c := newClient(t, Options{})
	if _, err := c.Project(context.Background(), Index{Name: "pypi", URL: srv.URL}, "acme-triton"); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("/simple/acme-triton/"); n != 3 {
		t.Errorf("%d requests, want 3 (two 503s, then 200)", n)
	}
}

func TestRetryGivesUp(t *testing.T) {
	_, srv, _ := serveAcme(t)
	srv.Fail("*", http.StatusServiceUnavailable, -1)
	c := newClient(t, Options{Retries: 2})
	_, err := c.Project(context.Background(), Index{Name: "pypi", URL: srv.URL}, "acme-triton")
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Status != 503 || ne.Attempts != 3 || ne.Index != "pypi" {
		t.Fatalf("err = %#v, want a 503 *NetworkError after 3 attempts", err)
	}
	if !strings.Contains(err.Error(), srv.URL+"/acme-triton/") || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("message %q lacks the URL or the attempts", err)
	}
	if n := srv.Count("/simple/acme-triton/"); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestRetryAfterIsCapped(t *testing.T) {
	_, srv, _ := serveAcme(t)
	srv.Handle("/simple/acme-triton/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newClient(t, Options{Retries: 1, MaxBackoff: time.Millisecond})
	_, err := c.Project(context.Background(), Index{Name: "pypi", URL: srv.URL}, "acme-triton")
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Status != http.StatusTooManyRequests || ne.Attempts != 2 {
		t.Fatalf("err = %v, want a 429 *NetworkError after 2 attempts", err)
	}
}

func TestSlowIndexTimesOut(t *testing.T) {
	_, srv, _ := serveAcme(t)
	srv.Delay("/simple/acme-triton/", time.Minute)
	c := newClient(t, Options{Timeout: 50 * time.Millisecond, Retries: 1})
	_, err := c.Project(context.Background(), Index{Name: "pypi", URL: srv.URL}, "acme-triton")
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Attempts != 2 || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("err = %v, want a time-out *NetworkError after 2 attempts", err)
	}
}

func TestHostilePages(t *testing.T) {
	ctx := context.Background()
	huge := bytes.Repeat([]byte("<a href=x>"), 20000)
	tests := []struct {
		name  string
		ctype string
		body  []byte
		want  string
	}{
		{"huge", "text/html", huge, "larger than 100000 bytes"},
		{"malformed JSON", ContentTypeJSON, []byte(`{"meta": {"api-version": "1.0"}, "files": [`), "malformed JSON"},
		{"other project", ContentTypeJSON, []byte(`{"meta": {"api-version": "1.0"}, "name": "torch", "files": []}`), `page is for project "torch"`},
		{"slash in filename", ContentTypeJSON, []byte(`{"meta": {"api-version": "1.0"}, "name": "acme-triton", "files": [{"filename": "x/../../acme_triton-1.0.tar.gz", "url": "a", "hashes": {}}]}`), "path separator"},
		{"dotdot in HTML", "text/html", []byte(`<a href="..%2F..%2Facme_triton-1.0.tar.gz">`), "path separator"},
		{"content type", "application/octet-stream", []byte("x"), "unexpected Content-Type"},
		{"binary", "text/html", []byte("\x00\xff<a href=\"\x00\"><a href=\"a%00-1.0.tar.gz\">\xfe"), "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv, _ := serveAcme(t)
			srv.Handle("/simple/acme-triton/", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.Write(tt.body)
			})
			c := newClient(t, Options{MaxPageBytes: 100000})
			_, err := c.Project(ctx, Index{Name: "internal", URL: srv.URL}, "acme-triton")
			var pe *PageError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a *PageError containing %q", err, tt.want)
			}
		})
	}
}

func TestSecretNeverInErrorsOrLogs(t *testing.T) {
	ctx := context.Background()
	const secret = "s3cr3t-T0KEN"
	idx := testindex.New(t)
	f := idx.Add(testindex.Dist{Name: "acme-triton", Version: "1.0"})
	srv := idx.Serve(t)
	srv.RequireAuth("ci", secret)
	u, _ := url.Parse(srv.URL)
	ix := Index{Name: "internal", URL: "http://ci:" + secret + "@" + u.Host + u.Path}

	var logs bytes.Buffer
	var mu sync.Mutex
	c := newClient(t, Options{Retries: 1, Timeout: 50 * time.Millisecond, CacheDir: t.TempDir(), Logf: func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(&logs, format+"\n", args...)
		mu.Unlock()
	}})
	var errs []error
	record := func(_ any, err error) { errs = append(errs, err) }

	p, err := c.Project(ctx, ix, "acme-triton")
	if err != nil {
		t.Fatal(err)
	}
	record(c.Project(ctx, ix, "missing"))
	srv.Fail("/simple/acme-triton/", 503, -1)
	record(c.Project(ctx, ix, "acme-triton"))
	srv.Fail("/simple/other/", 401, -1)
	record(c.Project(ctx, ix, "other"))
	srv.Handle("/files/"+f.Filename+".metadata", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("tampered")) })
	record(c.Metadata(ctx, ix, p.Files[0]))
	srv.Delay("/simple/slow/", time.Minute)
	record(c.Project(ctx, ix, "slow"))
	record(c.Project(ctx, Index{Name: "bad", URL: "http://ci:" + secret + "@example.com/simple"}, "x"))
	record(c.Project(ctx, Index{Name: "bad", URL: "https://ci:" + secret + "@exa mple.com/simple"}, "x"))
	record(c.Project(ctx, Index{Name: "bad", URL: "https://ci:" + secret + "@example.com:port/simple"}, "x"))
	// a page URL or a link url.Parse refuses: its error quotes the input
	record(ParseHTML("https://ci:"+secret+"@example.com:port/simple/a/", nil))
	record(ParseJSON("https://ci:"+secret+"@example.com:port/simple/a/", nil))
	record(ParseHTML("https://example.com/simple/a/", []byte(`<base href="https://ci:`+secret+`@h:port/">`)))
	record(ParseJSON("https://example.com/simple/a/", []byte(`{"meta":{"api-version":"1.0"},"name":"a","files":[{"filename":"a-1.0.tar.gz","url":"https://ci:`+secret+`@h:port/a-1.0.tar.gz","hashes":{}}]}`)))
	if p, err := ParseHTML("https://example.com/simple/a/", []byte(`<a href="https://ci:`+secret+`@h:port/a-1.0.tar.gz">a</a>`)); err != nil {
		t.Fatal(err)
	} else if len(p.Skipped) != 1 || strings.Contains(p.Skipped[0], secret) {
		t.Errorf("skipped link: %q, want one reason without the secret", p.Skipped)
	}

	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("case %d: error shows the secret: %v", i, err)
		}
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("log shows the secret:\n%s", logs.String())
	}
	// nor does the cache
	filepath.Walk(c.opts.CacheDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(path)
			if bytes.Contains(data, []byte(secret)) || strings.Contains(path, secret) {
				t.Errorf("cache entry %s holds the secret", path)
			}
		}
		return nil
	})
}

func TestCacheRevalidation(t *testing.T) {
	ctx := context.Background()
	idx, srv, _ := serveAcme(t)
	dir := t.TempDir()
	ix := Index{Name: "pypi", URL: srv.URL}
	first, err := runProject(ctx, newClient(t, Options{CacheDir: dir}), ix, "acme-triton")
	if err != nil {
		t.Fatal(err)
	}
	// a new client (a new run) revalidates and gets 304
	second, err := runProject(ctx, newClient(t, Options{CacheDir: dir}), ix, "acme-triton")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("cached page differs:\n%+v\n%+v", first, second)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[1].Header.Get("If-None-Match") == "" || reqs[1].Status != http.StatusNotModified {
		t.Fatalf("second request: %+v", reqs[len(reqs)-1])
	}
	// a new upload changes the page: 200 and the new file
	idx.Add(testindex.Dist{Name: "acme-triton", Version: "2.0"})
	third, err := runProject(ctx, newClient(t, Options{CacheDir: dir}), ix, "acme-triton")
	if err != nil {
		t.Fatal(err)
	}
	if len(third.Files) != len(first.Files)+1 || srv.Requests()[2].Status != http.StatusOK {
		t.Errorf("after an upload: %d files, status %d", len(third.Files), srv.Requests()[2].Status)
	}
}

func TestDownload(t *testing.T) {
	ctx := context.Background()
	_, srv, f := serveAcme(t)
	dir := t.TempDir()
	c := newClient(t, Options{CacheDir: dir})
	ix := Index{Name: "pypi", URL: srv.URL}
	p, err := c.Project(ctx, ix, "acme-triton")
	if err != nil {
		t.Fatal(err)
	}
	path, err := c.DownloadToCache(ctx, ix, p.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); !bytes.Equal(data, f.Data) || filepath.Base(path) != f.SHA256 {
		t.Errorf("cached file %s differs", path)
	}
	if _, err := c.DownloadToCache(ctx, ix, p.Files[0]); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("/files/" + f.Filename); n != 1 {
		t.Errorf("file downloaded %d times, want 1", n)
	}

	var buf bytes.Buffer
	sum, err := c.Download(ctx, ix, p.Files[0], &buf)
	if err != nil || sum != f.SHA256 || !bytes.Equal(buf.Bytes(), f.Data) {
		t.Errorf("Download = %s, %v", sum, err)
	}

	srv.Handle("/files/"+f.Filename, func(w http.ResponseWriter, r *http.Request) { w.Write(bytes.Repeat([]byte("x"), len(f.Data))) })
	c2 := newClient(t, Options{CacheDir: t.TempDir()})
	_, err = c2.DownloadToCache(ctx, ix, p.Files[0])
	var hm *HashMismatchError
	if !errors.As(err, &hm) || hm.Want != f.SHA256 {
		t.Fatalf("tampered download: err = %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(c2.opts.CacheDir, "files"))
	if len(entries) != 0 {
		t.Errorf("a failed download left %d entries in the cache", len(entries))
	}
}

func TestProvenance(t *testing.T) {
	ctx := context.Background()
	_, srv, _ := serveAcme(t)
	c := newClient(t, Options{CacheDir: t.TempDir()})
	ix := Index{Name: "pypi", URL: srv.URL}
	p, err := c.Project(ctx, ix, "acme-triton")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		data, err := c.Provenance(ctx, ix, p.Files[0])
		if err != nil || string(data) != `{"attestation_bundles": []}` {
			t.Errorf("Provenance = %q, %v", data, err)
		}
	}
	if n := srv.Count("/provenance/" + p.Files[0].Filename); n != 1 {
		t.Errorf("provenance fetched %d times, want 1 (cache)", n)
	}
	if data, err := c.Provenance(ctx, ix, p.Files[1]); data != nil || err != nil {
		t.Errorf("file without provenance: %q, %v; want nil, nil", data, err)
	}
}

func TestFileIndexAndFindLinks(t *testing.T) {
	ctx := context.Background()
	idx, srv, f := serveAcme(t)
	idx.Add(testindex.Dist{Name: "other", Version: "1.0"})
	tree := idx.WriteTree(t, t.TempDir())
	flat := idx.WriteFlat(t, t.TempDir())
	c := newClient(t, Options{})
	for _, ix := range []Index{
		{Name: "tree", URL: tree},
		{Name: "flat", URL: flat, FindLinks: true},
		{Name: "flat-url", URL: "file://" + flat, FindLinks: true},
		{Name: "links-page", URL: srv.FindLinksURL(), FindLinks: true},
	} {
		p, err := c.Project(ctx, ix, "acme-triton")
		if err != nil {
			t.Errorf("%s: %v", ix.Name, err)
			continue
		}
		var found *File
		for i := range p.Files {
			if p.Files[i].Filename == f.Filename {
				found = &p.Files[i]
			}
		}
		if len(p.Files) != 3 || found == nil || found.SHA256() != f.SHA256 {
			t.Errorf("%s: files %+v", ix.Name, p.Files)
			continue
		}
		md, err := c.Metadata(ctx, ix, *found)
		if err != nil || !bytes.Equal(md, f.METADATA) {
			t.Errorf("%s: metadata %q, %v", ix.Name, md, err)
		}
		var buf bytes.Buffer
		if _, err := c.Download(ctx, ix, *found, &buf); err != nil || !bytes.Equal(buf.Bytes(), f.Data) {
			t.Errorf("%s: download: %v", ix.Name, err)
		}
		var nf *NotFoundError
		if _, err := c.Project(ctx, ix, "absent"); !errors.As(err, &nf) {
			t.Errorf("%s: absent project: err = %v, want *NotFoundError", ix.Name, err)
		}
	}
}

func TestFindLinksPageFetchedOnce(t *testing.T) {
	ctx := context.Background()
	idx := testindex.New(t)
	idx.Add(testindex.Dist{Name: "one", Version: "1.0"})
	idx.Add(testindex.Dist{Name: "two", Version: "1.0"})
	srv := idx.Serve(t)
	c := newClient(t, Options{})
	ix := Index{Name: "links", URL: srv.FindLinksURL(), FindLinks: true}
	for _, name := range []string{"one", "two", "one"} {
		p, err := c.Project(ctx, ix, name)
		if err != nil || len(p.Files) != 1 || p.Files[0].URL != srv.FileURL(p.Files[0].Filename) {
			t.Fatalf("%s: %+v, %v", name, p, err)
		}
	}
	if n := srv.Count("/links/"); n != 1 {
		t.Errorf("links page fetched %d times, want 1", n)
	}
}

func TestInsecureURLsRefused(t *testing.T) {
	c := newClient(t, Options{})
	for u, want := range map[string]string{
		"http://pypi.example/simple": "plain http",
		"ftp://pypi.example/simple":  "scheme",
		"https:///simple":            "no host",
	} {
		// refused before any request: a DNS or connection error would
		// not name the rule
		_, err := c.Project(context.Background(), Index{Name: "x", URL: u}, "a")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to say %q", u, err, want)
		}
	}
	for _, host := range []string{"localhost", "127.0.0.5", "[::1]"} {
		if err := checkRemoteURL(&url.URL{Scheme: "http", Host: host}); err != nil {
			t.Errorf("loopback %s refused: %v", host, err)
		}
	}
}

func TestRedirects(t *testing.T) {
	ctx := context.Background()
	// B holds the project; A redirects there. Different ports are different hosts.
	_, srvB, _ := serveAcme(t)
	idxA := testindex.New(t)
	srvA := idxA.Serve(t)
	srvA.Handle("/simple/*", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srvB.URL+strings.TrimPrefix(r.URL.Path, "/simple"), http.StatusFound)
	})
	uA, _ := url.Parse(srvA.URL)
	c := newClient(t, Options{})
	p, err := c.Project(ctx, Index{Name: "a", URL: "http://u:pw@" + uA.Host + "/simple"}, "acme-triton")
	if err != nil {
		t.Fatal(err)
	}
	if srvA.Requests()[0].Header.Get("Authorization") == "" {
		t.Error("the index host got no credentials")
	}
	if h := srvB.Requests()[0].Header.Get("Authorization"); h != "" {
		t.Errorf("credentials followed a redirect to another host: %q", h)
	}
	// relative links resolve against the page that was finally served
	if !strings.HasPrefix(p.Files[0].URL, srvB.Base) {
		t.Errorf("file URL %s not on the final host", p.Files[0].URL)
	}

	// https -> http is refused
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srvB.URL+"/acme-triton/", http.StatusFound)
	}))
	defer tlsSrv.Close()
	ct := newClient(t, Options{Transport: tlsSrv.Client().Transport})
	_, err = ct.Project(ctx, Index{Name: "tls", URL: tlsSrv.URL + "/simple"}, "acme-triton")
	if err == nil || !strings.Contains(err.Error(), "refusing redirect from https") {
		t.Errorf("https -> http: err = %v", err)
	}
}

func TestPrefetch(t *testing.T) {
	ctx := context.Background()
	idx := testindex.New(t)
	var files []*testindex.File
	for i := 0; i < 20; i++ {
		files = append(files, idx.Add(testindex.Dist{Name: fmt.Sprintf("p%d", i), Version: "1.0"}))
	}
	srv := idx.Serve(t)
	c := newClient(t, Options{Parallel: 4})
	ix := Index{Name: "pypi", URL: srv.URL}
	var reqs []Fetch
	for i := 0; i < 20; i++ {
		reqs = append(reqs, Fetch{Index: ix, Project: fmt.Sprintf("p%d", i)})
	}
	reqs = append(reqs, Fetch{Index: ix, Project: "absent"})
	got := c.Prefetch(ctx, reqs)
	for i, r := range got[:20] {
		if r.Err != nil || r.Project.Name != fmt.Sprintf("p%d", i) {
			t.Errorf("slot %d: %+v", i, r)
		}
	}
	var nf *NotFoundError
	if !errors.As(got[20].Err, &nf) {
		t.Errorf("absent: %v", got[20].Err)
	}
	var mreqs []Fetch
	for i, r := range got[:20] {
		mreqs = append(mreqs, Fetch{Index: ix, File: &r.Project.Files[0]}, Fetch{Index: ix, File: &got[i].Project.Files[0]})
	}
	for i, r := range c.Prefetch(ctx, mreqs) {
		if r.Err != nil || !bytes.Equal(r.Metadata, files[i/2].METADATA) {
			t.Errorf("metadata slot %d: %v", i, r.Err)
		}
	}
}

func TestRevalidateWithLastModifiedOnly(t *testing.T) {
	ctx := context.Background()
	var hits []string
	var mu sync.Mutex
	page := `<a href="/files/lm-1.0.tar.gz#sha256=` + sha + `">lm</a>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, r.Header.Get("If-Modified-Since"))
		mu.Unlock()
		const lm = "Mon, 02 Nov 2026 10:00:00 GMT"
		if r.Header.Get("If-Modified-Since") == lm {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", lm)
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(page))
	}))
	defer srv.Close()
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		p, err := runProject(ctx, newClient(t, Options{CacheDir: dir}), Index{Name: "lm", URL: srv.URL + "/simple"}, "lm")
		if err != nil || len(p.Files) != 1 {
			t.Fatalf("run %d: %v %v", i, p, err)
		}
	}
	if len(hits) != 2 || hits[0] != "" || hits[1] == "" {
		t.Errorf("If-Modified-Since sent: %q", hits)
	}
}

func TestHostileRangeAndMetadata(t *testing.T) {
	ctx := context.Background()
	idx := testindex.New(t)
	f := idx.Add(testindex.Dist{Name: "r", Version: "1.0", PadBytes: 200 << 10})
	srv := idx.Serve(t)
	srv.SetMetadata(false)
	ix := Index{Name: "pypi", URL: srv.URL}
	c := newClient(t, Options{MaxMetadataBytes: 10})
	p, err := c.Project(ctx, ix, "r")
	if err != nil {
		t.Fatal(err)
	}
	// METADATA larger than the limit
	if _, err := c.Metadata(ctx, ix, p.Files[0]); err == nil || !strings.Contains(err.Error(), "more than the 10 allowed") {
		t.Errorf("large METADATA: err = %v", err)
	}
	// a server lying about the range it sends
	srv.Handle("/files/"+f.Filename, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Range", "bytes 0-3/99999999999")
		w.WriteHeader(http.StatusPartialContent)
		w.Write([]byte("PK\x03\x04"))
	})
	c = newClient(t, Options{})
	var pe *PageError
	if _, err := c.Metadata(ctx, ix, p.Files[0]); !errors.As(err, &pe) {
		t.Errorf("lying Content-Range: err = %v, want *PageError", err)
	}
	// a wheel without METADATA is an error naming the file, not a panic
	srv.Handle("/files/r-3.0-py3-none-any.whl", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader([]byte("not a zip at all, just text")))
	})
	_, err = c.Metadata(ctx, ix, File{Filename: "r-3.0-py3-none-any.whl", URL: srv.FileURL("r-3.0-py3-none-any.whl"), Hashes: map[string]string{}})
	if err == nil || !strings.Contains(err.Error(), "r-3.0-py3-none-any.whl") {
		t.Errorf("not a zip: err = %v", err)
	}
}

func TestSharedCollapsesDuplicates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newClient(t, Options{})
		release := make(chan struct{})
		var calls atomic.Int32
		fn := func(context.Context) (any, error) {
			calls.Add(1)
			<-release
			return "page", nil
		}
		results := make([]any, 5)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() { results[i], _ = c.shared(context.Background(), "same", fn) })
		}
		synctest.Wait() // every caller is now blocked in shared
		close(release)
		wg.Wait()
		if n := calls.Load(); n != 1 {
			t.Errorf("fn ran %d times for 5 identical requests, want 1", n)
		}
		for i, r := range results {
			if r != "page" {
				t.Errorf("caller %d got %v", i, r)
			}
		}
	})
}

func TestSharedCallerCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newClient(t, Options{})
		release := make(chan struct{})
		fn := func(context.Context) (any, error) { <-release; return "page", nil }
		ctx, cancel := context.WithCancel(context.Background())
		var first, second error
		var got any
		var wg sync.WaitGroup
		wg.Go(func() { _, first = c.shared(ctx, "k", fn) })
		wg.Go(func() { got, second = c.shared(context.Background(), "k", fn) })
		synctest.Wait()
		cancel() // the first caller gives up; the second still gets the page
		synctest.Wait()
		close(release)
		wg.Wait()
		if !errors.Is(first, context.Canceled) || second != nil || got != "page" {
			t.Errorf("first %v; second %v %v", first, got, second)
		}
	})
}

func TestFreshUntil(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		headers []string // "Name: value"
		want    time.Duration
	}{
		{nil, 0},
		{[]string{"Cache-Control: max-age=600, public"}, 10 * time.Minute},
		{[]string{"Cache-Control: public,max-age=60"}, time.Minute},
		{[]string{"Cache-Control: MAX-AGE=\"60\""}, time.Minute},
		{[]string{"Cache-Control: max-age=60", "Age: 20"}, 40 * time.Second},
		{[]string{"Cache-Control: max-age=60", "Age: 60"}, 0},
		{[]string{"Cache-Control: max-age=60", "Age: soon"}, 0},
		{[]string{"Cache-Control: max-age=0"}, 0},
		{[]string{"Cache-Control: max-age=-5"}, 0},
		{[]string{"Cache-Control: max-age=ten"}, 0},
		{[]string{"Cache-Control: max-age=600, no-cache"}, 0},
		{[]string{"Cache-Control: max-age=600", "Cache-Control: no-store"}, 0},
		{[]string{"Cache-Control: s-maxage=600"}, 0},
		{[]string{"Cache-Control: max-age=31536000"}, MaxPageFreshness}, // capped
		{[]string{"Expires: Wed, 25 Nov 2026 13:00:00 GMT"}, 0},
	} {
		h := http.Header{}
		for _, kv := range tc.headers {
			k, v, _ := strings.Cut(kv, ": ")
			h.Add(k, v)
		}
		got := freshUntil(h, now)
		if tc.want == 0 {
			if !got.IsZero() {
				t.Errorf("%q: fresh until %v, want not fresh", tc.headers, got)
			}
			continue
		}
		if got.Sub(now) != tc.want {
			t.Errorf("%q: fresh for %v, want %v", tc.headers, got.Sub(now), tc.want)
		}
	}
}

// maxAgeServer serves one JSON project page with an ETag and the given
// Cache-Control, answering If-None-Match with 304, and counts requests.
func maxAgeServer(t *testing.T, cacheControl string) (url string, requests func() []int) {
	var mu sync.Mutex
	var statuses []int
	page := `{"meta":{"api-version":"1.1"},"name":"fresh","files":[{"filename":"fresh-1.0-py3-none-any.whl","url":"/f/fresh-1.0-py3-none-any.whl","hashes":{"sha256":"` + sha + `"}}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		defer func() {
			mu.Lock()
			statuses = append(statuses, status)
			mu.Unlock()
		}()
		if cacheControl != "" {
			w.Header().Set("Cache-Control", cacheControl)
		}
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			status = http.StatusNotModified
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", ContentTypeJSON)
		w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/simple", func() []int {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(statuses)
	}
}

func TestCacheMaxAge(t *testing.T) {
	ctx := context.Background()
	url, requests := maxAgeServer(t, "max-age=600, public")
	ix := Index{Name: "pypi", URL: url}
	dir := t.TempDir()
	now := time.Now()
	run := func(opts Options, at time.Time) *Project {
		t.Helper()
		opts.CacheDir = dir
		c := newClient(t, opts)
		c.now = func() time.Time { return at }
		p, err := runProject(ctx, c, ix, "fresh")
		if err != nil || len(p.Files) != 1 || p.Files[0].SHA256() != sha {
			t.Fatalf("page: %+v, %v", p, err)
		}
		return p
	}
	first := run(Options{}, now)
	// within max-age a new run does not ask the index at all
	if second := run(Options{}, now.Add(5*time.Minute)); !reflect.DeepEqual(first, second) {
		t.Errorf("fresh cached page differs:\n%+v\n%+v", first, second)
	}
	if got := requests(); !slices.Equal(got, []int{200}) {
		t.Fatalf("requests within max-age: %v, want [200]", got)
	}
	// Refresh revalidates anyway
	run(Options{Refresh: true}, now.Add(5*time.Minute))
	if got := requests(); !slices.Equal(got, []int{200, 304}) {
		t.Fatalf("requests with Refresh: %v, want [200 304]", got)
	}
	// the 304 renewed freshness from its own time: still fresh 14 minutes
	// after the first fetch, stale after 16
	run(Options{}, now.Add(14*time.Minute))
	if got := requests(); len(got) != 2 {
		t.Fatalf("requests after a renewing 304: %v", got)
	}
	run(Options{}, now.Add(16*time.Minute))
	if got := requests(); !slices.Equal(got, []int{200, 304, 304}) {
		t.Fatalf("requests once stale: %v, want a revalidation", got)
	}
	// a clock turned back (the entry claims more than MaxPageFreshness
	// ahead) is not trusted
	run(Options{}, now.Add(-time.Hour))
	if got := requests(); len(got) != 4 {
		t.Fatalf("requests with the clock turned back: %v, want a revalidation", got)
	}
}

func TestCacheNoMaxAgeOrNoStore(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		cacheControl string
		want         []int
	}{
		{"", []int{200, 304}},                      // validators only: always revalidate
		{"no-cache", []int{200, 304}},              // stored, never fresh
		{"max-age=600, no-store", []int{200, 200}}, // never stored
	} {
		url, requests := maxAgeServer(t, tc.cacheControl)
		dir := t.TempDir()
		for range 2 {
			if _, err := runProject(ctx, newClient(t, Options{CacheDir: dir}), Index{Name: "pypi", URL: url}, "fresh"); err != nil {
				t.Fatal(err)
			}
		}
		if got := requests(); !slices.Equal(got, tc.want) {
			t.Errorf("Cache-Control %q: requests %v, want %v", tc.cacheControl, got, tc.want)
		}
	}
}

// damagePackEntry rewrites the one entry of kind in dir's one pack, with
// a valid index and trailer, so that only the entry's own checks stand
// between it and the caller.
func damagePackEntry(t *testing.T, dir, kind string, damage func([]byte) []byte) {
	t.Helper()
	packs, _ := filepath.Glob(filepath.Join(dir, "packs", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("packs: %v", packs)
	}
	f, err := os.Open(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	entries, err := readPackIndex(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	var out, idx []byte
	for _, e := range entries {
		b := data[e.off : e.off+e.n]
		if e.key.kind == kind {
			b = damage(slices.Clone(b))
			e.sum = sha256.Sum256(b) // the pack's own check passes: the entry's must catch it
		}
		e.n = int64(len(b))
		idx = append(idx, e.indexLine(int64(len(out)))...)
		out = append(out, b...)
	}
	out = append(out, packTail(idx, int64(len(out)))...)
	if err := os.WriteFile(packs[0], out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCachePageDamaged: a page entry cut short or edited is a miss, never
// a page the index did not serve.
func TestCachePageDamaged(t *testing.T) {
	ctx := context.Background()
	for name, damage := range map[string]func([]byte) []byte{
		"truncated": func(b []byte) []byte { return b[:len(b)-10] },
		"no body":   func(b []byte) []byte { return b[:bytes.IndexByte(b, '\n')] },
		"edited": func(b []byte) []byte {
			return bytes.Replace(b, []byte("fresh-1.0-py3"), []byte("fresh-9.9-py3"), 1)
		},
		"bad head": func(b []byte) []byte { return append([]byte("{"), b...) },
	} {
		url, requests := maxAgeServer(t, "max-age=600")
		dir := t.TempDir()
		ix := Index{Name: "pypi", URL: url}
		if _, err := runProject(ctx, newClient(t, Options{CacheDir: dir}), ix, "fresh"); err != nil {
			t.Fatal(err)
		}
		damagePackEntry(t, dir, "pages", damage)
		p, err := runProject(ctx, newClient(t, Options{CacheDir: dir}), ix, "fresh")
		if err != nil || p.Files[0].Filename != "fresh-1.0-py3-none-any.whl" {
			t.Errorf("%s: %+v, %v", name, p, err)
		}
		if got := requests(); !slices.Equal(got, []int{200, 200}) {
			t.Errorf("%s: requests %v, want the page fetched again", name, got)
		}
	}
}

// TestSharedWorkEndsWhenEveryCallerLeft: shared work goes on while one
// caller still waits, even when another gave up; once every caller has
// gone its context is cancelled, and Flush waits for it to end.
func TestSharedWorkEndsWhenEveryCallerLeft(t *testing.T) {
	c, err := NewClient(Options{})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	release := make(chan struct{})
	var ended atomic.Bool
	fn := func(ctx context.Context) (any, error) {
		close(started)
		select {
		case <-release:
			return "done", nil
		case <-ctx.Done():
			ended.Store(true)
			return nil, ctx.Err()
		}
	}
	// two callers; the first gives up, the second gets the value
	ctx1, cancel1 := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() { _, err := c.shared(ctx1, "k", fn); errs <- err }()
	<-started
	got := make(chan any, 1)
	go func() {
		v, shared, _ := c.sharedDup(context.Background(), "k", fn)
		if !shared {
			t.Error("the second caller's value is not reported as shared")
		}
		got <- v
	}()
	for {
		c.flightMu.Lock()
		n := c.flights["k"].callers
		c.flightMu.Unlock()
		if n == 2 {
			break
		}
		runtime.Gosched()
	}
	cancel1()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("the caller that gave up got %v", err)
	}
	close(release)
	if v := <-got; v != "done" || ended.Load() {
		t.Errorf("the waiting caller got %v (work cancelled: %v); one caller leaving must not end shared work", v, ended.Load())
	}

	// one caller that gives up: the work is cancelled, Flush waits for it
	ctx2, cancel2 := context.WithCancel(context.Background())
	started = make(chan struct{})
	release = make(chan struct{})
	go func() { _, err := c.shared(ctx2, "k2", fn); errs <- err }()
	<-started
	cancel2()
	<-errs
	c.Flush()
	if !ended.Load() {
		t.Error("work every caller left was not cancelled before Flush returned")
	}
}
