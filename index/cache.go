package index

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The cache under Options.CacheDir:
//
//	packs/*.pack            small entries, many per file (see pack.go), as
//	                        kind and name:
//	  pages <key>.page      a page as served, after a line with its validators
//	                        (ETag, Last-Modified), freshness and body sha256
//	  metadata <sha256>     core metadata, by its own sha256
//	  metadata-of <sha256>  core metadata, by the sha256 of its file
//	  provenance <key>      provenance objects, by URL and file hash
//	  parsed <key>          a page as parsed (pagecodec.go), by its body's
//	                        sha256, URL, content type and project
//	files/<sha256>          distribution files, by their sha256
//
// Keys never include credentials: URLs are stripped of userinfo before
// they are hashed. A pack and a file are each written to a temporary file
// in their directory and renamed into place; entries are checked when
// read, and only downloaded files (checked by their hash anyway) are
// synced to disk. Entries a client writes reach other clients at Flush.

// cachedPage is a page as stored, with what revalidation needs.
type cachedPage struct {
	URL          string `json:"url"`       // redacted, for people reading the cache
	FinalURL     string `json:"final-url"` // after redirects, without credentials
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last-modified,omitempty"`
	ContentType  string `json:"content-type"`
	// Body follows the JSON line raw: inside the JSON it would be base64
	// to decode on every warm read.
	Body []byte `json:"-"`
	// BodySHA256 is checked on every read: a body that does not match
	// (a write cut short by a crash, an edit) makes the entry a miss.
	BodySHA256 string `json:"body-sha256"`
	// FreshUntil is when the index's Cache-Control max-age (less its Age,
	// capped at MaxPageFreshness) runs out, as this machine's clock reads;
	// until then the page is used without asking the index. Zero: always
	// revalidate.
	FreshUntil time.Time `json:"fresh-until,omitzero"`
}

// MaxPageFreshness caps how long a page is used without revalidation,
// whatever max-age an index sends: a new release or a yank is seen
// within this long. PyPI sends max-age=600.
const MaxPageFreshness = 10 * time.Minute

// freshUntil reads RFC 9111 freshness from a response's headers: the
// instant, from now, until which the response may be reused without
// revalidation; zero when it may not (no max-age, no-cache, no-store,
// or an Age beyond max-age). Expires is ignored: a max-age is what
// package indexes send, and clock skew makes Expires unreliable.
func freshUntil(h http.Header, now time.Time) time.Time {
	maxAge := -1
	for name, value := range cacheDirectives(h) {
		switch name {
		case "no-cache", "no-store":
			return time.Time{}
		case "max-age":
			n, err := strconv.Atoi(strings.Trim(value, `"`))
			if err != nil || n < 0 {
				return time.Time{} // malformed: treat as stale (RFC 9111 4.2.1)
			}
			maxAge = n
		}
	}
	if maxAge <= 0 {
		return time.Time{}
	}
	age := 0
	if a := strings.TrimSpace(h.Get("Age")); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 {
			return time.Time{}
		}
		age = n
	}
	left := time.Duration(maxAge-age) * time.Second
	if left <= 0 {
		return time.Time{}
	}
	return now.Add(min(left, MaxPageFreshness))
}

// fresh reports whether the entry may be used without revalidation.
func (p *cachedPage) fresh(now time.Time) bool {
	// A FreshUntil further ahead than the cap allows means the clock was
	// turned back since it was stored: do not trust it.
	return now.Before(p.FreshUntil) && p.FreshUntil.Sub(now) <= MaxPageFreshness
}

// cacheKey hashes its parts into a file name.
func cacheKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		io.WriteString(h, p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// A page entry ("pages", "<key>.page") is the cachedPage as one line of
// JSON, a newline, then the body as served: one read on the warm path.

// loadPage returns the cached page for key, its BodySHA256 checked; nil
// when there is none or it cannot be used.
func (c *Client) loadPage(key string) *cachedPage {
	data, ok := c.cacheRead("pages", key+".page")
	if !ok {
		return nil
	}
	head, body, ok := bytes.Cut(data, []byte("\n"))
	var p cachedPage
	if !ok || json.Unmarshal(head, &p) != nil {
		c.opts.Logf("cache: ignoring unreadable page entry %s", key)
		return nil
	}
	if p.ETag == "" && p.LastModified == "" && !p.fresh(c.now()) {
		return nil // cannot be revalidated, so it is useless
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != p.BodySHA256 {
		c.opts.Logf("cache: ignoring page entry %s: its body does not match", key)
		return nil
	}
	p.Body = body
	return &p
}

// storePage stores a page with what revalidation and freshness need; its
// BodySHA256 must be set.
func (c *Client) storePage(key string, p *cachedPage) {
	if c.opts.CacheDir == "" || (p.ETag == "" && p.LastModified == "" && p.FreshUntil.IsZero()) {
		return
	}
	head, err := json.Marshal(p) // one line: Marshal escapes newlines
	if err != nil {
		return
	}
	c.cacheWrite("pages", key+".page", slices.Concat(head, []byte("\n"), p.Body))
}

// noStore reports a Cache-Control: no-store response, which no cache may
// keep (RFC 9111 5.2.2.5).
func noStore(h http.Header) bool {
	for name := range cacheDirectives(h) {
		if name == "no-store" {
			return true
		}
	}
	return false
}

// cacheDirectives yields the directives of every Cache-Control field of h:
// lower-case names, and values as given ("" when none).
func cacheDirectives(h http.Header) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, field := range h.Values("Cache-Control") {
			for dir := range strings.SplitSeq(field, ",") {
				name, value, _ := strings.Cut(dir, "=")
				if !yield(strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)) {
					return
				}
			}
		}
	}
}

// cacheRead returns a cache entry; a missing or unreadable one is a miss.
func (c *Client) cacheRead(kind, name string) ([]byte, bool) {
	if c.opts.CacheDir == "" {
		return nil, false
	}
	data, ok := c.packRead(kind, name)
	if !ok || len(data) == 0 {
		return nil, false
	}
	if kind == "metadata" {
		// Keyed by its own sha256: check it, so that neither a crash nor an
		// edit of the cache can feed the resolver other metadata.
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != name {
			c.opts.Logf("cache: ignoring metadata entry %s: its content has another sha256", name)
			return nil, false
		}
	}
	return data, true
}

// cacheWrite stores an entry; a failure is logged, never fatal: the cache
// only saves work.
func (c *Client) cacheWrite(kind, name string, data []byte) {
	if c.opts.CacheDir == "" {
		return
	}
	// Into this run's pack (pack.go): one file per run, not per entry,
	// because creating hundreds of small files cost a cold lock of 262
	// projects a quarter of its time.
	c.packWrite(kind, name, data)
}

// digester hashes what is written to it: always sha256, plus the
// algorithm the index published when that is another one.
type digester struct {
	sum256 hash.Hash
	algo   string
	other  hash.Hash
}

// strongestHash picks the hash to check from those an index published.
func strongestHash(hashes map[string]string) (algo, want string) {
	for _, a := range []string{"sha256", "sha512", "sha384", "sha224", "sha1", "md5"} {
		if v := hashes[a]; v != "" {
			return a, v
		}
	}
	return "", ""
}

func newHash(algo string) hash.Hash {
	switch algo {
	case "sha512":
		return sha512.New()
	case "sha384":
		return sha512.New384()
	case "sha224":
		return sha256.New224()
	case "sha1":
		return sha1.New()
	case "md5":
		return md5.New()
	}
	return nil
}

func newDigester(hashes map[string]string) *digester {
	d := &digester{sum256: sha256.New()}
	if algo, _ := strongestHash(hashes); algo != "" && algo != "sha256" {
		d.algo, d.other = algo, newHash(algo)
	}
	return d
}

func (d *digester) Write(p []byte) (int, error) {
	d.sum256.Write(p)
	if d.other != nil {
		d.other.Write(p)
	}
	return len(p), nil
}

func (d *digester) sha256() string { return hex.EncodeToString(d.sum256.Sum(nil)) }

// check compares the digest with the strongest published hash. It
// returns the algorithm and digests on a mismatch; with no published hash
// it passes.
func (d *digester) check(hashes map[string]string) (ok bool, algo, want, got string) {
	algo, want = strongestHash(hashes)
	switch algo {
	case "":
		return true, "", "", ""
	case "sha256":
		got = d.sha256()
	default:
		got = hex.EncodeToString(d.other.Sum(nil))
	}
	return strings.EqualFold(got, want), algo, want, got
}
