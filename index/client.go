package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/safepip/safepip/pypa/pep508"
)

// Defaults of Options.
const (
	DefaultTimeout            = 15 * time.Second // pip's --timeout default
	DefaultLowSpeedLimit      = 1024             // bytes per second
	DefaultRetryBudget        = retryBudgetTimeouts * DefaultTimeout
	DefaultRetries            = 3
	DefaultBackoff            = 500 * time.Millisecond
	DefaultMaxBackoff         = 20 * time.Second
	DefaultMaxPageBytes       = 64 << 20
	DefaultMaxMetadataBytes   = 16 << 20
	DefaultMaxProvenanceBytes = 16 << 20
	DefaultMaxFileBytes       = 8 << 30
	DefaultParallel           = 8
)

// Options configure a Client. The zero value works: no disk cache, no
// netrc, and the defaults above.
type Options struct {
	// CacheDir holds the on-disk cache; "" keeps nothing on disk.
	CacheDir string
	// NetrcPath is a netrc file to take credentials from; "" for none.
	// A missing file is not an error.
	NetrcPath string
	// Timeout bounds connecting (DNS, TCP, TLS), then waiting for the
	// response headers; it is also the window of LowSpeedLimit.
	Timeout time.Duration
	// LowSpeedLimit ends a response whose body brings fewer bytes a second
	// than this, on average over a window of Timeout, as curl's
	// --speed-limit and cargo's http.low-speed-limit (0: the default,
	// negative: no limit).
	LowSpeedLimit int64
	// RetryBudget bounds the time of one request's attempts and back-off
	// pauses: no retry starts, nor waits, past it (0: 4 × Timeout). A page,
	// metadata or provenance request ends, body included, within
	// RetryBudget + 2 × Timeout; a file download has no such deadline (a
	// large file on a slow but steady link still arrives), only the
	// low-speed limit.
	RetryBudget time.Duration
	// Retries is how many times a failed request is retried (0: the
	// default, negative: never).
	Retries int
	// Backoff is the pause before the first retry, doubled each time up to
	// MaxBackoff, which also caps Retry-After.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Size limits of responses.
	MaxPageBytes       int64
	MaxMetadataBytes   int64
	MaxProvenanceBytes int64
	MaxFileBytes       int64
	// Parallel bounds Prefetch.
	Parallel int
	// Refresh revalidates every cached page with the index, even one that
	// its Cache-Control max-age says is still fresh.
	Refresh bool
	// Logf receives one line per notable event (retries, cache hits,
	// fall-backs); URLs in it are redacted. nil discards them.
	Logf func(format string, args ...any)
	// Transport replaces the base HTTP transport (tests with TLS servers);
	// nil uses a tuned clone of http.DefaultTransport.
	Transport http.RoundTripper
}

// Client fetches from package indexes. It is safe for concurrent use.
type Client struct {
	opts  Options
	retry *retryTransport
	http  *http.Client
	netrc []netrcEntry
	// flights are the shared requests in progress (sharedDup); work
	// counts their goroutines, for Flush to wait on.
	flightMu sync.Mutex
	flights  map[string]*flight
	work     sync.WaitGroup

	now func() time.Time // the clock freshness is judged by; tests turn it

	linksMu sync.Mutex
	links   map[string]*Project // remote --find-links pages, parsed, for this client's life

	pack packStore // small cache entries (pack.go)
}

// NewClient returns a client. It fails only on an unreadable or malformed
// netrc file.
func NewClient(opts Options) (*Client, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	switch {
	case opts.LowSpeedLimit == 0:
		opts.LowSpeedLimit = DefaultLowSpeedLimit
	case opts.LowSpeedLimit < 0:
		opts.LowSpeedLimit = 0
	}
	if opts.RetryBudget <= 0 {
		opts.RetryBudget = retryBudgetTimeouts * opts.Timeout
	}
	switch {
	case opts.Retries == 0:
		opts.Retries = DefaultRetries
	case opts.Retries < 0:
		opts.Retries = 0
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	setDefault(&opts.MaxPageBytes, DefaultMaxPageBytes)
	setDefault(&opts.MaxMetadataBytes, DefaultMaxMetadataBytes)
	setDefault(&opts.MaxProvenanceBytes, DefaultMaxProvenanceBytes)
	setDefault(&opts.MaxFileBytes, DefaultMaxFileBytes)
	if opts.Parallel <= 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	c := &Client{opts: opts, links: map[string]*Project{}, now: time.Now}
	if opts.NetrcPath != "" {
		data, err := os.ReadFile(opts.NetrcPath)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("reading netrc: %w", err)
		default:
			if c.netrc, err = parseNetrc(opts.NetrcPath, data); err != nil {
				return nil, err
			}
		}
	}
	base := opts.Transport
	if base == nil {
		base = newBaseTransport(opts.Timeout)
	}
	c.retry = &retryTransport{base: base, retries: opts.Retries, backoff: opts.Backoff, maxWait: opts.MaxBackoff,
		budget: opts.RetryBudget, limits: limits{timeout: opts.Timeout, lowSpeed: opts.LowSpeedLimit}, logf: opts.Logf}
	c.http = &http.Client{Transport: c.retry, CheckRedirect: c.checkRedirect}
	return c, nil
}

// retryBudgetTimeouts is the default retry budget in timeouts: with the
// last attempt's two timeouts, a dead index costs a page 6 timeouts (90 s
// at the default 15 s), and shorter timeouts shorten it in proportion.
const retryBudgetTimeouts = 4

func setDefault(v *int64, def int64) {
	if *v <= 0 {
		*v = def
	}
}

// Requests returns how many HTTP requests the client has made, retries
// included.
func (c *Client) Requests() int64 { return c.retry.attempts.Load() }

// Project returns the files idx offers for the project name (any
// spelling). A project the index does not have is a *NotFoundError; a
// failure to reach the index a *NetworkError; an unusable page a
// *PageError. The result is the caller's to modify.
func (c *Client) Project(ctx context.Context, idx Index, name string) (*Project, error) {
	if !pep508.ValidName(name) {
		return nil, fmt.Errorf("invalid project name %q", truncate(name))
	}
	project := pep508.NormalizeName(name)
	root, err := parseIndexURL(idx)
	if err != nil {
		return nil, err
	}
	v, dup, err := c.sharedDup(ctx, "project\x00"+idx.Name+"\x00"+cleanURL(root)+"\x00"+project, func(ctx context.Context) (any, error) {
		switch {
		case idx.FindLinks:
			return c.findLinks(ctx, idx, root, project)
		case root.Scheme == "file":
			return c.fileProject(idx, root, project)
		default:
			return c.httpProject(ctx, idx, root, project)
		}
	})
	if err != nil {
		return nil, err
	}
	if !dup {
		return v.(*Project), nil // made for this call alone
	}
	return v.(*Project).clone(), nil
}

// shared runs fn once for all concurrent callers with the same key. The
// work runs detached from any one caller's cancellation (it is bounded by
// the client's time-outs), so a caller that gives up does not fail the
// others; each caller still returns as soon as its own ctx is done.
func (c *Client) shared(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	v, _, err := c.sharedDup(ctx, key, fn)
	return v, err
}

// sharedDup is shared that also reports whether the value went to other
// callers too (then it is not this caller's alone to modify).
//
// The work runs once per key for every caller that asks while it is in
// progress, in its own goroutine, with a context that one caller's
// cancellation does not end: it ends when every caller has gone (the
// last one's context is done), so that an abandoned download stops and
// removes its temporary file instead of writing on after the workflow
// returned. Flush waits for such work.
func (c *Client) sharedDup(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, bool, error) {
	c.flightMu.Lock()
	f := c.flights[key]
	if f == nil || f.waiters == 0 { // none, or one every caller left (being cancelled)
		work, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		if c.flights == nil {
			c.flights = map[string]*flight{}
		}
		c.flights[key] = f
		c.work.Add(1)
		go func() {
			defer c.work.Done()
			f.val, f.err = fn(work)
			c.flightMu.Lock()
			if c.flights[key] == f {
				delete(c.flights, key)
			}
			c.flightMu.Unlock()
			cancel()
			close(f.done)
		}()
	}
	f.waiters++
	f.callers++
	c.flightMu.Unlock()
	select {
	case <-f.done:
		c.flightMu.Lock()
		shared := f.callers > 1
		c.flightMu.Unlock()
		return f.val, shared, f.err
	case <-ctx.Done():
		c.flightMu.Lock()
		if f.waiters--; f.waiters == 0 {
			f.cancel()
		}
		c.flightMu.Unlock()
		return nil, false, ctx.Err()
	}
}

// flight is one shared request in progress.
type flight struct {
	done    chan struct{}
	val     any
	err     error
	waiters int // callers still waiting for it
	callers int // callers it was asked by, in all
	cancel  context.CancelFunc
}

// parseIndexURL parses idx.URL (a bare path counts as a local --find-links
// directory) and checks its scheme.
func parseIndexURL(idx Index) (*url.URL, error) {
	raw := idx.URL
	if idx.FindLinks && !strings.Contains(raw, "://") {
		abs, err := filepath.Abs(raw)
		if err != nil {
			return nil, fmt.Errorf("index %q: %w", idx.Name, err)
		}
		return &url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("index %q: bad URL %s", idx.Name, Redact(raw))
	}
	if u.Scheme == "file" {
		return u, nil
	}
	if err := checkRemoteURL(u); err != nil {
		return nil, fmt.Errorf("index %q: %w", idx.Name, err)
	}
	return u, nil
}

// checkRemoteURL allows https, and plain http only to loopback hosts.
func checkRemoteURL(u *url.URL) error {
	switch {
	case u.Host == "":
		return fmt.Errorf("URL %s has no host", Redact(u.String()))
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("refusing plain http URL %s: use https (http is allowed only for loopback hosts)", Redact(u.String()))
	}
	return fmt.Errorf("unsupported URL scheme %q in %s", u.Scheme, Redact(u.String()))
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkRedirect follows at most 10 redirects, never from https to http,
// only to allowed URLs, and drops credentials when the host changes (the
// new host gets its own netrc entry, if any).
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	prev := via[len(via)-1]
	if prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("refusing redirect from https to %s", Redact(req.URL.String()))
	}
	if err := checkRemoteURL(req.URL); err != nil {
		return fmt.Errorf("redirect: %w", err)
	}
	req.URL.User = nil
	if !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
		req.Header.Del("Authorization")
		if login, pass, ok := lookupNetrc(c.netrc, req.URL.Hostname()); ok {
			req.SetBasicAuth(login, pass)
		}
	}
	return nil
}

// authorize attaches Basic credentials to req: the index URL's userinfo
// when req goes to the index's host, else the netrc entry of req's host.
func (c *Client) authorize(req *http.Request, idx Index) {
	if root, err := url.Parse(idx.URL); err == nil && root.User != nil && strings.EqualFold(root.Host, req.URL.Host) {
		pass, _ := root.User.Password()
		req.SetBasicAuth(root.User.Username(), pass)
		return
	}
	if login, pass, ok := lookupNetrc(c.netrc, req.URL.Hostname()); ok {
		req.SetBasicAuth(login, pass)
	}
}

// response is an HTTP response whose body is held to the low-speed limit.
type response struct {
	*http.Response
	url      string // the requested URL, redacted
	attempts int
	budget   time.Duration // the retry budget when it stopped the retries
}

// get sends one GET (retried by the transport) for rawURL. Transport
// failures become *NetworkError; the caller handles the status.
func (c *Client) get(ctx context.Context, idx Index, rawURL string, header http.Header) (*response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, &PageError{Index: idx.Name, URL: Redact(rawURL), Err: urlErr(err)}
	}
	u.User = nil
	if err := checkRemoteURL(u); err != nil {
		return nil, &PageError{Index: idx.Name, URL: Redact(rawURL), Err: err}
	}
	var stats requestStats
	req, err := http.NewRequestWithContext(context.WithValue(ctx, statsKey{}, &stats), http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &PageError{Index: idx.Name, URL: Redact(rawURL), Err: urlErr(err)}
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", "safepip")
	c.authorize(req, idx)
	resp, err := c.http.Do(req)
	if err != nil {
		err = urlErr(err) // its URL may hold a query token; ours is redacted
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		return nil, &NetworkError{Index: idx.Name, URL: Redact(u.String()), Attempts: int(stats.attempts.Load()), Budget: c.spent(&stats), Err: err}
	}
	return &response{Response: resp, url: Redact(u.String()), attempts: int(stats.attempts.Load()), budget: c.spent(&stats)}, nil
}

// spent is the retry budget if it stopped the retries of a request.
func (c *Client) spent(stats *requestStats) time.Duration {
	if stats.budgetSpent.Load() {
		return c.opts.RetryBudget
	}
	return 0
}

// bounded returns ctx limited to the time a page, metadata or provenance
// request may take in all: the retry budget, then one last attempt's
// connect and response-header timeouts. The caller reads the body before
// it calls cancel.
func (c *Client) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	d := c.opts.RetryBudget + 2*c.opts.Timeout
	return context.WithTimeoutCause(ctx, d, &TimeoutError{Limit: LimitTotal, After: d})
}

// statusError turns a non-success response into a *NetworkError.
func (r *response) statusError(idx Index) error {
	return &NetworkError{Index: idx.Name, URL: r.url, Status: r.StatusCode, Attempts: r.attempts, Budget: r.budget}
}

// readAll reads the body up to limit bytes; more is a *TooLargeError.
func (r *response) readAll(idx Index, limit int64) ([]byte, error) {
	defer r.Body.Close()
	if r.ContentLength > limit {
		return nil, &PageError{Index: idx.Name, URL: r.url, Err: &TooLargeError{URL: r.url, LimitBytes: limit}}
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &NetworkError{Index: idx.Name, URL: r.url, Status: r.StatusCode, Attempts: r.attempts, Err: err}
	}
	if int64(len(data)) > limit {
		return nil, &PageError{Index: idx.Name, URL: r.url, Err: &TooLargeError{URL: r.url, LimitBytes: limit}}
	}
	return data, nil
}

// httpProject fetches and parses a project page, revalidating a cached copy.
func (c *Client) httpProject(ctx context.Context, idx Index, root *url.URL, project string) (*Project, error) {
	page := *root
	page.User = nil
	page.RawQuery, page.Fragment, page.RawFragment = "", "", ""
	page.Path = strings.TrimRight(root.Path, "/") + "/" + project + "/"
	page.RawPath = ""
	pageURL := page.String()
	fetched, err := c.fetchPage(ctx, idx, pageURL, true)
	var nf *NetworkError
	if errors.As(err, &nf) && (nf.Status == http.StatusNotFound || nf.Status == http.StatusGone) {
		return nil, &NotFoundError{Index: idx.Name, URL: Redact(pageURL), Project: project}
	}
	if err != nil {
		return nil, err
	}
	p, err := c.parsedPage(fetched, project)
	if err != nil {
		return nil, &PageError{Index: idx.Name, URL: Redact(fetched.FinalURL), Err: err}
	}
	p.Index = idx.Name
	for _, s := range p.Skipped {
		c.opts.Logf("index %q: %s: skipped %s", idx.Name, p.URL, s)
	}
	return p, nil
}

// parsedPage parses a project page and keeps its files of project, or
// takes that result from the cache: the key is everything the result
// depends on (the body's sha256, the URL links resolve against, the content
// type, the project, the codec), so a page revalidated unchanged, or fresh
// by max-age, is parsed once, not on every run. A cache entry that does not
// decode is a miss.
func (c *Client) parsedPage(page *cachedPage, project string) (*Project, error) {
	key := parsedCacheKey(page, project)
	if data, ok := c.cacheRead("parsed", key); ok {
		if p, err := decodeProject(data); err == nil {
			return p, nil
		}
		c.opts.Logf("cache: ignoring parsed page entry %s: it does not decode", key)
	}
	p, err := parsePage(page.FinalURL, page.ContentType, page.Body)
	if err == nil {
		err = selectProject(p, project, false)
	}
	if err != nil {
		return nil, err
	}
	c.cacheWrite("parsed", key, encodeProject(p))
	return p, nil
}

// parsePage parses a page by its content type.
func parsePage(pageURL, contentType string, body []byte) (*Project, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if contentType == "" {
		mt, err = "text/html", nil
	}
	if err != nil {
		return nil, fmt.Errorf("bad Content-Type %q", truncate(contentType))
	}
	switch mt {
	case ContentTypeJSON:
		return ParseJSON(pageURL, body)
	case ContentTypeHTML, "text/html":
		return ParseHTML(pageURL, body)
	}
	return nil, fmt.Errorf("unexpected Content-Type %q (want %s or text/html)", truncate(mt), ContentTypeJSON)
}

// fetchPage GETs a page with content negotiation, using and refreshing the
// page cache. It returns the page: its body and the body's sha256, the URL
// it came from after redirects (relative links resolve against it) and its
// content type.
func (c *Client) fetchPage(ctx context.Context, idx Index, pageURL string, negotiate bool) (*cachedPage, error) {
	accept := "text/html"
	if negotiate {
		accept = acceptHeader
	}
	key := cacheKey(pageURL, accept)
	cached := c.loadPage(key)
	if cached != nil && !c.opts.Refresh && cached.fresh(c.now()) {
		c.opts.Logf("%s: fresh in the cache (Cache-Control max-age), not asked", Redact(pageURL))
		return cached, nil
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	h := http.Header{"Accept": {accept}}
	if cached != nil {
		if cached.ETag != "" {
			h.Set("If-None-Match", cached.ETag)
		}
		if cached.LastModified != "" {
			h.Set("If-Modified-Since", cached.LastModified)
		}
	}
	resp, err := c.get(ctx, idx, pageURL, h)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && cached != nil:
		resp.Body.Close()
		c.opts.Logf("%s: not modified, using the cache", resp.url)
		// A 304 renews freshness (RFC 9111 4.3.4); stored only when it
		// changes, so that an index without max-age costs no write.
		if until := freshUntil(resp.Header, c.now()); !until.IsZero() || !cached.FreshUntil.IsZero() {
			cached.FreshUntil = until
			c.storePage(key, cached)
		}
		return cached, nil
	case resp.StatusCode != http.StatusOK:
		resp.Body.Close()
		return nil, resp.statusError(idx)
	}
	body, err := resp.readAll(idx, c.opts.MaxPageBytes)
	if err != nil {
		return nil, err
	}
	final := *resp.Request.URL
	final.User = nil
	sum := sha256.Sum256(body)
	p := &cachedPage{
		URL: Redact(pageURL), FinalURL: final.String(), ETag: resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"), ContentType: resp.Header.Get("Content-Type"), Body: body,
		BodySHA256: hex.EncodeToString(sum[:]), FreshUntil: freshUntil(resp.Header, c.now()),
	}
	if !noStore(resp.Header) {
		c.storePage(key, p)
	}
	return p, nil
}

// fileProject reads <root>/<project>/index.html of a file:// PEP 503 tree.
func (c *Client) fileProject(idx Index, root *url.URL, project string) (*Project, error) {
	dir := strings.TrimRight(root.Path, "/") + "/" + project + "/"
	pageURL := (&url.URL{Scheme: "file", Path: dir}).String()
	data, err := readLocal(filepath.FromSlash(dir+"index.html"), c.opts.MaxPageBytes)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &NotFoundError{Index: idx.Name, URL: pageURL, Project: project}
	}
	if err != nil {
		return nil, &PageError{Index: idx.Name, URL: pageURL, Err: err}
	}
	p, err := ParseHTML(pageURL, data)
	if err == nil {
		err = selectProject(p, project, false)
	}
	if err != nil {
		return nil, &PageError{Index: idx.Name, URL: pageURL, Err: err}
	}
	p.Index = idx.Name
	return p, nil
}

// findLinks lists the files of project in a --find-links location: a
// local directory, a local HTML file, or an http(s) page of links.
func (c *Client) findLinks(ctx context.Context, idx Index, root *url.URL, project string) (*Project, error) {
	var p *Project
	switch root.Scheme {
	case "file":
		info, err := os.Stat(filepath.FromSlash(root.Path))
		if err != nil {
			return nil, &PageError{Index: idx.Name, URL: root.String(), Err: err}
		}
		if info.IsDir() {
			p, err = listDir(root)
		} else {
			var data []byte
			data, err = readLocal(filepath.FromSlash(root.Path), c.opts.MaxPageBytes)
			if err == nil {
				p, err = ParseHTML(root.String(), data)
			}
		}
		if err != nil {
			return nil, &PageError{Index: idx.Name, URL: root.String(), Err: err}
		}
	default:
		var err error
		if p, err = c.linksPage(ctx, idx, root); err != nil {
			return nil, err
		}
	}
	p.Name = "" // a links page lists many projects
	if err := selectProject(p, project, true); err != nil {
		return nil, &PageError{Index: idx.Name, URL: p.URL, Err: err}
	}
	if len(p.Files) == 0 {
		return nil, &NotFoundError{Index: idx.Name, URL: Redact(root.String()), Project: project}
	}
	if root.Scheme == "file" {
		for i := range p.Files {
			if err := c.hashLocal(&p.Files[i]); err != nil {
				return nil, &PageError{Index: idx.Name, URL: p.URL, Err: err}
			}
		}
	}
	p.Index = idx.Name
	p.Skipped = nil
	return p, nil
}

// linksPage fetches and parses a remote --find-links page once per client:
// every project asks the same page.
func (c *Client) linksPage(ctx context.Context, idx Index, root *url.URL) (*Project, error) {
	page := *root
	page.User = nil
	pageURL := page.String()
	c.linksMu.Lock()
	p, ok := c.links[pageURL]
	c.linksMu.Unlock()
	if ok {
		return p.clone(), nil
	}
	v, err := c.shared(ctx, "links\x00"+pageURL, func(ctx context.Context) (any, error) {
		page, err := c.fetchPage(ctx, idx, pageURL, false)
		if err != nil {
			return nil, err
		}
		p, err := parsePage(page.FinalURL, page.ContentType, page.Body)
		if err != nil {
			return nil, &PageError{Index: idx.Name, URL: Redact(page.FinalURL), Err: err}
		}
		c.linksMu.Lock()
		c.links[pageURL] = p
		c.linksMu.Unlock()
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Project).clone(), nil
}

// listDir lists the regular files of a local directory as links.
func listDir(root *url.URL) (*Project, error) {
	entries, err := os.ReadDir(filepath.FromSlash(root.Path))
	if err != nil {
		return nil, err
	}
	dir := strings.TrimRight(root.Path, "/") + "/"
	p := &Project{URL: (&url.URL{Scheme: "file", Path: dir}).String()}
	for _, e := range entries {
		if !e.Type().IsRegular() || checkFilename(e.Name()) != nil {
			continue
		}
		p.Files = append(p.Files, File{
			Filename: e.Name(),
			URL:      (&url.URL{Scheme: "file", Path: dir + e.Name()}).String(),
			Hashes:   map[string]string{},
		})
	}
	return p, nil
}

// hashLocal fills in the sha256 and size of a local file that has none, so
// local files carry hashes like remote ones.
func (c *Client) hashLocal(f *File) error {
	if f.SHA256() != "" || !strings.HasPrefix(f.URL, "file:") {
		return nil
	}
	path, err := localPath(f.URL)
	if err != nil {
		return err
	}
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	d := newDigester(nil)
	n, err := io.Copy(d, io.LimitReader(fh, c.opts.MaxFileBytes+1))
	if err != nil {
		return fmt.Errorf("hashing %s: %w", path, err)
	}
	if n > c.opts.MaxFileBytes {
		return &TooLargeError{URL: f.URL, LimitBytes: c.opts.MaxFileBytes}
	}
	f.Hashes["sha256"] = d.sha256()
	f.Size = n
	return nil
}

// localPath returns the local path of a file:// URL.
func localPath(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "file" {
		return "", fmt.Errorf("%s is not a file:// URL", Redact(rawURL))
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", fmt.Errorf("file URL %s names a remote host", Redact(rawURL))
	}
	return filepath.FromSlash(u.Path), nil
}

// readLocal reads a local file of at most limit bytes.
func readLocal(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{URL: "file://" + filepath.ToSlash(path), LimitBytes: limit}
	}
	return data, nil
}

// fetchSmall returns the bytes at rawURL (http(s) or file://), at most
// limit of them. A missing resource is a *NetworkError with Status 404.
func (c *Client) fetchSmall(ctx context.Context, idx Index, rawURL string, limit int64) ([]byte, error) {
	if strings.HasPrefix(rawURL, "file:") {
		path, err := localPath(rawURL)
		if err != nil {
			return nil, &PageError{Index: idx.Name, URL: Redact(rawURL), Err: err}
		}
		data, err := readLocal(path, limit)
		if errors.Is(err, os.ErrNotExist) {
			return nil, &NetworkError{Index: idx.Name, URL: Redact(rawURL), Status: http.StatusNotFound}
		}
		if err != nil {
			return nil, &PageError{Index: idx.Name, URL: Redact(rawURL), Err: err}
		}
		return data, nil
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	resp, err := c.get(ctx, idx, rawURL, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, resp.statusError(idx)
	}
	return resp.readAll(idx, limit)
}

// Provenance returns the PEP 740 provenance object of f as served, at most
// MaxProvenanceBytes, cached by its URL and the file's hash. A file without
// a provenance URL gives nil, nil.
func (c *Client) Provenance(ctx context.Context, idx Index, f File) ([]byte, error) {
	if f.Provenance == "" {
		return nil, nil
	}
	key := cacheKey(f.Provenance, f.SHA256())
	if data, ok := c.cacheRead("provenance", key); ok {
		return data, nil
	}
	v, err := c.shared(ctx, "provenance\x00"+key, func(ctx context.Context) (any, error) {
		data, err := c.fetchSmall(ctx, idx, f.Provenance, c.opts.MaxProvenanceBytes)
		if err != nil {
			return nil, err
		}
		c.cacheWrite("provenance", key, data)
		return data, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// Fetch is one request for Prefetch: a project page, or with File set, the
// core metadata of that file.
type Fetch struct {
	Index   Index
	Project string
	File    *File
}

// Fetched is the answer to one Fetch.
type Fetched struct {
	Project  *Project // for a page
	Metadata []byte   // for a file's metadata
	Err      error
}

// Prefetch runs reqs with at most Options.Parallel at a time and returns
// one answer per request, in order. Errors stay in their slot: a missing
// project on one index does not stop the others.
func (c *Client) Prefetch(ctx context.Context, reqs []Fetch) []Fetched {
	out := make([]Fetched, len(reqs))
	var g errgroup.Group
	g.SetLimit(c.opts.Parallel)
	for i, r := range reqs {
		g.Go(func() error {
			if r.File != nil {
				out[i].Metadata, out[i].Err = c.Metadata(ctx, r.Index, *r.File)
			} else {
				out[i].Project, out[i].Err = c.Project(ctx, r.Index, r.Project)
			}
			return nil
		})
	}
	g.Wait()
	return out
}
