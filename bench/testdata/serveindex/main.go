// Command serveindex serves a build_corpus.py tree on loopback, for the
// benchmarks in bench/. It does what ../shared/bench/serve_index.py does
// (PEP 503 HTML, PEP 691 JSON by Accept negotiation, .metadata files,
// Last-Modified revalidation), but from Go and from memory (each file is
// read once), so that a benchmark measures the client and not the server:
// Python's http.server takes about 1 ms a request on 2 cores.
//
//	go build -o serveindex ./bench/testdata/serveindex
//	serveindex -dir CORPUS [-addr 127.0.0.1:0] [-max-age SECONDS]
//
// With -max-age it sends "Cache-Control: max-age=N, public" on the simple
// pages, as PyPI does (N=600); without, no Cache-Control, as
// ../shared/bench/serve_index.py.
//
// It prints "http://127.0.0.1:PORT/simple" on its first line of stdout once
// it listens. GET /-/requests answers how many requests it has served
// before that one, so a script can count a tool's requests. It lives under testdata so that `go build ./...`, `go vet
// ./...` and the import rules of deps_test.go do not see it; it is built by
// path only.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	jsonType = "application/vnd.pypi.simple.v1+json"
	htmlType = "application/vnd.pypi.simple.v1+html"
)

func main() {
	dir := flag.String("dir", "", "corpus directory made by build_corpus.py")
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	maxAge := flag.Int("max-age", 0, "send Cache-Control: max-age=N, public on simple pages, as PyPI does (0: none)")
	flag.Parse()
	if *dir == "" {
		log.Fatal("serveindex: -dir is required")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("serveindex: -addr %q: want a loopback address such as 127.0.0.1:0", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("serveindex: %v", err)
	}
	if err := mime.AddExtensionType(".metadata", "text/plain"); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s/simple\n", ln.Addr())
	os.Stdout.Sync()
	log.Fatal(http.Serve(ln, &handler{root: *dir, maxAge: *maxAge}))
}

type handler struct {
	root     string
	maxAge   int
	requests atomic.Int64
	files    sync.Map // full path -> *memFile, read once: the corpus does not change while served
}

// memFile is a path of the corpus as first read: a directory, or a file's
// bytes and modification time.
type memFile struct {
	dir  bool
	data []byte
	mod  time.Time
}

// load returns full as read on first use; nil when it does not exist.
func (h *handler) load(full string) *memFile {
	if m, ok := h.files.Load(full); ok {
		return m.(*memFile)
	}
	st, err := os.Stat(full)
	if err != nil {
		return nil
	}
	m := &memFile{dir: st.IsDir(), mod: st.ModTime()}
	if !m.dir {
		if m.data, err = os.ReadFile(full); err != nil {
			return nil
		}
	}
	h.files.Store(full, m)
	return m
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/-/requests" {
		fmt.Fprintln(w, h.requests.Load())
		return
	}
	h.requests.Add(1)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	clean := path.Clean("/" + r.URL.Path)
	full := filepath.Join(h.root, filepath.FromSlash(clean))
	m := h.load(full)
	if m == nil {
		http.NotFound(w, r)
		return
	}
	if m.dir {
		if !strings.HasSuffix(r.URL.Path, "/") {
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		}
		ctype := "text/html"
		file := "index.html"
		if strings.HasPrefix(clean, "/simple") && wantsJSON(r.Header.Get("Accept")) {
			ctype, file = jsonType, "index.json"
		}
		w.Header().Set("Vary", "Accept")
		if h.maxAge > 0 {
			w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d, public", h.maxAge))
		}
		w.Header().Set("Content-Type", ctype)
		full = filepath.Join(full, file)
		if m = h.load(full); m == nil || m.dir {
			http.NotFound(w, r)
			return
		}
	}
	http.ServeContent(w, r, filepath.Base(full), m.mod, bytes.NewReader(m.data))
}

// wantsJSON reports whether the JSON type has the highest q among the types
// this server can answer, as serve_index.py decides.
func wantsJSON(accept string) bool {
	best, bestQ := "", -1.0
	for part := range strings.SplitSeq(accept, ",") {
		fields := strings.Split(part, ";")
		mtype, q := strings.ToLower(strings.TrimSpace(fields[0])), 1.0
		for _, f := range fields[1:] {
			if v, ok := strings.CutPrefix(strings.TrimSpace(f), "q="); ok {
				parsed, err := strconv.ParseFloat(v, 64)
				if err != nil {
					parsed = 0
				}
				q = parsed
			}
		}
		switch mtype {
		case jsonType, htmlType, "text/html", "*/*":
			if q > bestQ {
				best, bestQ = mtype, q
			}
		}
	}
	return best == jsonType
}
