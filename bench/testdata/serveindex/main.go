// Command serveindex serves a build_corpus.py tree on loopback, for the
// benchmarks in bench/. It does what ../shared/bench/serve_index.py does
// (PEP 503 HTML, PEP 691 JSON by Accept negotiation, .metadata files,
// Last-Modified revalidation), but from Go, so that a benchmark measures the
// client and not Python's http.server (about 1 ms a request on 2 cores).
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
	"sync/atomic"
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
	st, err := os.Stat(full)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if st.IsDir() {
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
	}
	f, err := os.Open(full)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fst, err := f.Stat()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.ServeContent(w, r, filepath.Base(full), fst.ModTime(), f)
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
