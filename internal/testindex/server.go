package testindex

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safepip/safepip/pypa/pep508"
)

// Format selects which page formats a Server offers.
type Format int

const (
	FormatBoth Format = iota // negotiate with Accept, JSON or HTML
	FormatHTML               // PEP 503 HTML only, whatever the client asks
	FormatJSON               // PEP 691 JSON only, whatever the client asks
)

// Content types of the simple API.
const (
	ContentTypeJSON = "application/vnd.pypi.simple.v1+json"
	ContentTypeHTML = "application/vnd.pypi.simple.v1+html"
)

// Request is one request the server received.
type Request struct {
	Method string
	Path   string      // URL path, e.g. "/simple/acme-triton/"
	Header http.Header // a copy of the request headers
	Status int         // the status written, 0 while the handler runs
}

// Server serves an Index over HTTP on 127.0.0.1. Its paths are:
//
//	/simple/                   the root page
//	/simple/<project>/         a project page (other spellings redirect here)
//	/files/<filename>          a file (with HTTP range support)
//	/files/<filename>.metadata its PEP 658 metadata file
//	/provenance/<filename>     its PEP 740 provenance, when the Dist has one
//	/links/                    a flat --find-links page of every file
//
// Its setters may be called at any time, also while requests run.
type Server struct {
	URL  string // the index URL, "<Base>/simple"
	Base string // "http://127.0.0.1:<port>"

	idx *Index
	srv *httptest.Server

	mu        sync.Mutex
	requests  []*Request
	format    Format
	noMeta    bool
	noRange   bool
	absolute  bool
	cacheCtl  string
	user      string
	pass      string
	failures  []*failure
	delays    map[string]time.Duration
	overrides map[string]http.HandlerFunc
}

type failure struct {
	pattern string
	status  int
	left    int // < 0: forever
}

// Serve starts a server for the index, closed when the test ends.
func (x *Index) Serve(t testing.TB) *Server {
	s := &Server{idx: x, delays: map[string]time.Duration{}, overrides: map[string]http.HandlerFunc{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(s.srv.Close)
	s.Base = s.srv.URL
	s.URL = s.srv.URL + "/simple"
	return s
}

// Close shuts the server down; later requests fail to connect.
func (s *Server) Close() { s.srv.Close() }

// SetFormat chooses the page formats offered (default FormatBoth).
func (s *Server) SetFormat(f Format) { s.mu.Lock(); s.format = f; s.mu.Unlock() }

// SetMetadata turns PEP 658 metadata files on (the default) or off: off, the
// pages do not advertise them and their paths answer 404.
func (s *Server) SetMetadata(on bool) { s.mu.Lock(); s.noMeta = !on; s.mu.Unlock() }

// SetRange turns HTTP range support for files on (the default) or off.
func (s *Server) SetRange(on bool) { s.mu.Lock(); s.noRange = !on; s.mu.Unlock() }

// SetAbsoluteURLs makes pages link files by absolute URL instead of the
// default relative "../../files/<filename>".
func (s *Server) SetAbsoluteURLs(on bool) { s.mu.Lock(); s.absolute = on; s.mu.Unlock() }

// SetCacheControl sends v as the Cache-Control of project pages (PyPI
// sends "max-age=600, public"); "" sends none, the default.
func (s *Server) SetCacheControl(v string) { s.mu.Lock(); s.cacheCtl = v; s.mu.Unlock() }

// RequireAuth makes every path demand HTTP Basic auth with user and pass.
func (s *Server) RequireAuth(user, pass string) {
	s.mu.Lock()
	s.user, s.pass = user, pass
	s.mu.Unlock()
}

// Fail makes the next times requests to paths matching pattern answer
// status; times < 0 means forever. A pattern is an exact path, a prefix
// ending in "*", or "*" for every path.
func (s *Server) Fail(pattern string, status, times int) {
	s.mu.Lock()
	s.failures = append(s.failures, &failure{pattern, status, times})
	s.mu.Unlock()
}

// Delay makes requests to paths matching pattern wait d (or until the
// client gives up) before they are answered.
func (s *Server) Delay(pattern string, d time.Duration) {
	s.mu.Lock()
	s.delays[pattern] = d
	s.mu.Unlock()
}

// Handle serves paths matching pattern with h instead of the index, to
// serve hostile or unusual responses. A nil h removes the override.
func (s *Server) Handle(pattern string, h http.HandlerFunc) {
	s.mu.Lock()
	if h == nil {
		delete(s.overrides, pattern)
	} else {
		s.overrides[pattern] = h
	}
	s.mu.Unlock()
}

// Requests returns a copy of the request log, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
	}
	return out
}

// Paths returns the path of every request, in arrival order.
func (s *Server) Paths() []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.Path)
	}
	return out
}

// Count returns how many requests asked for path.
func (s *Server) Count(path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// Asked reports whether the page of project (any spelling) was requested.
func (s *Server) Asked(project string) bool {
	return s.Count("/simple/"+normalize(project)+"/") > 0
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() { s.mu.Lock(); s.requests = nil; s.mu.Unlock() }

// ProjectURL returns the URL of project's page.
func (s *Server) ProjectURL(project string) string {
	return s.URL + "/" + normalize(project) + "/"
}

// FileURL returns the URL of a file.
func (s *Server) FileURL(filename string) string { return s.Base + "/files/" + filename }

// ProvenanceURL returns the URL of a file's provenance.
func (s *Server) ProvenanceURL(filename string) string {
	return s.Base + "/provenance/" + filename
}

// FindLinksURL returns the URL of the flat --find-links page.
func (s *Server) FindLinksURL() string { return s.Base + "/links/" }

func match(pattern, path string) bool {
	if pattern == "*" || pattern == path {
		return true
	}
	return strings.HasSuffix(pattern, "*") && strings.HasPrefix(path, pattern[:len(pattern)-1])
}

// statusRecorder records the status of a response into the request log.
type statusRecorder struct {
	http.ResponseWriter
	s   *Server
	req *Request
}

func (w *statusRecorder) WriteHeader(code int) {
	w.s.mu.Lock()
	if w.req.Status == 0 {
		w.req.Status = code
	}
	w.s.mu.Unlock()
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	w.s.mu.Lock()
	if w.req.Status == 0 {
		w.req.Status = http.StatusOK
	}
	w.s.mu.Unlock()
	return w.ResponseWriter.Write(b)
}

func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	req := &Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()}
	w := &statusRecorder{ResponseWriter: rw, s: s, req: req}

	s.mu.Lock()
	s.requests = append(s.requests, req)
	var delay time.Duration
	for p, d := range s.delays {
		if match(p, r.URL.Path) && d > delay {
			delay = d
		}
	}
	failStatus := 0
	for _, f := range s.failures {
		if f.left != 0 && match(f.pattern, r.URL.Path) {
			failStatus = f.status
			if f.left > 0 {
				f.left--
			}
			break
		}
	}
	var override http.HandlerFunc
	for p, h := range s.overrides {
		if match(p, r.URL.Path) {
			override = h
		}
	}
	user, pass := s.user, s.pass
	s.mu.Unlock()

	if delay > 0 {
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		}
	}
	if user != "" || pass != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="testindex"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
	}
	if failStatus != 0 {
		if failStatus == http.StatusTooManyRequests || failStatus == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "0")
		}
		http.Error(w, http.StatusText(failStatus), failStatus)
		return
	}
	if override != nil {
		override(w, r)
		return
	}
	s.route(w, r)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/simple" || path == "/simple/":
		s.servePage(w, r, rootHTML(s.idx.Projects()), rootJSON(s.idx.Projects()))
	case strings.HasPrefix(path, "/simple/"):
		name := strings.TrimSuffix(strings.TrimPrefix(path, "/simple/"), "/")
		if strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		if norm := normalize(name); norm != name || !strings.HasSuffix(path, "/") {
			http.Redirect(w, r, "/simple/"+norm+"/", http.StatusMovedPermanently)
			return
		}
		files := s.idx.Files(name)
		if len(files) == 0 {
			http.NotFound(w, r)
			return
		}
		o := s.pageOptions("../../files/")
		s.servePage(w, r, projectHTML(name, files, o), projectJSON(name, files, o))
	case path == "/links/":
		var all []*File
		for _, p := range s.idx.Projects() {
			all = append(all, s.idx.Files(p)...)
		}
		o := s.pageOptions("../files/")
		s.servePage(w, r, projectHTML("links", all, o), projectJSON("links", all, o))
	case strings.HasPrefix(path, "/files/"):
		name := strings.TrimPrefix(path, "/files/")
		s.mu.Lock()
		noMeta, noRange := s.noMeta, s.noRange
		s.mu.Unlock()
		if base, ok := strings.CutSuffix(name, ".metadata"); ok {
			f := s.idx.File(base)
			if f == nil || noMeta {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "binary/octet-stream")
			serveBytes(w, r, f.METADATA, noRange)
			return
		}
		f := s.idx.File(name)
		if f == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		serveBytes(w, r, f.Data, noRange)
	case strings.HasPrefix(path, "/provenance/"):
		f := s.idx.File(strings.TrimPrefix(path, "/provenance/"))
		if f == nil || f.Provenance == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		serveBytes(w, r, f.Provenance, true)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) pageOptions(relFiles string) pageOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	prefix := relFiles
	if s.absolute {
		prefix = s.Base + "/files/"
	}
	return pageOptions{
		metadata: !s.noMeta,
		fileURL:  func(f *File) string { return prefix + f.Filename },
		provenance: func(f *File) string {
			if f.Provenance == nil {
				return ""
			}
			return s.Base + "/provenance/" + f.Filename
		},
		versions: versionsOf,
	}
}

func serveBytes(w http.ResponseWriter, r *http.Request, data []byte, noRange bool) {
	if noRange {
		w.Header().Set("Accept-Ranges", "none")
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(data)
		}
		return
	}
	http.ServeContent(w, r, "", fixedTime, bytes.NewReader(data))
}

// servePage answers with the JSON or HTML page the Accept header prefers,
// with an ETag and Last-Modified, and 304 when the client's copy is current.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, htmlPage, jsonPage []byte) {
	s.mu.Lock()
	format, cacheCtl := s.format, s.cacheCtl
	s.mu.Unlock()
	if cacheCtl != "" {
		w.Header().Set("Cache-Control", cacheCtl)
	}
	useJSON := false
	switch format {
	case FormatJSON:
		useJSON = true
	case FormatBoth:
		useJSON = prefersJSON(r.Header.Get("Accept"))
	}
	body, ctype := htmlPage, "text/html; charset=utf-8"
	if useJSON {
		body, ctype = jsonPage, ContentTypeJSON
	} else if strings.Contains(r.Header.Get("Accept"), ContentTypeHTML) {
		ctype = ContentTypeHTML
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	modified := s.idx.lastModified()
	w.Header().Set("Vary", "Accept")
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", modified.Format(http.TimeFormat))
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if inm == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !modified.After(t) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// prefersJSON reports whether an Accept header ranks the PEP 691 JSON type
// above every HTML type.
func prefersJSON(accept string) bool {
	jsonQ, htmlQ := -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		mt := strings.TrimSpace(fields[0])
		q := 1.0
		for _, p := range fields[1:] {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		switch mt {
		case ContentTypeJSON, "application/vnd.pypi.simple.latest+json":
			jsonQ = max(jsonQ, q)
		case ContentTypeHTML, "application/vnd.pypi.simple.latest+html", "text/html", "*/*":
			htmlQ = max(htmlQ, q)
		}
	}
	return jsonQ > 0 && jsonQ >= htmlQ
}

func normalize(name string) string { return pep508.NormalizeName(name) }
