package verify

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
)

// publicGoodRoot is the Sigstore public-good trusted_root.json as distributed
// through TUF (tuf-repo-cdn.sigstore.dev), snapshot of 2025-10-21. It is
// public data; a root only adds keys over time, so an older snapshot still
// verifies everything signed while its keys were current.
//
//go:embed trusted_root.public-good.json
var publicGoodRoot []byte

// PublicGoodRootName names the embedded root in messages.
const PublicGoodRootName = "embedded Sigstore public-good root (snapshot 2025-10-21)"

// TrustedRootFile is the name of the trusted root that UpdateTrustedRoot
// writes into its cache directory.
const TrustedRootFile = "trusted_root.json"

// Errors about trusted roots, matched with errors.Is.
var (
	// ErrBadRoot: a trusted_root.json that does not parse.
	ErrBadRoot = errors.New("unusable trusted root")
	// ErrStaleRoot: a trusted root none of whose keys of some kind is still
	// valid, so that nothing signed today can verify against it.
	ErrStaleRoot = errors.New("stale trusted root")
	// ErrRootUpdate: refreshing the root through TUF failed (usually the
	// network).
	ErrRootUpdate = errors.New("trusted root update failed")
)

// refreshHint says how to get a current root, for every root message.
const refreshHint = `refresh it with "safepip trust update" (needs network), or set [policy] trusted-root in safepip.toml to a current trusted_root.json`

// A RootError reports a problem with a trusted root, naming it.
type RootError struct {
	Root   string // the root's name: PublicGoodRootName, a file path, ...
	Kind   error  // ErrBadRoot, ErrStaleRoot or ErrRootUpdate
	Reason string
	Err    error // the underlying cause, may be nil
}

func (e *RootError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "trusted root %s: %s", e.Root, e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Kind == ErrStaleRoot || e.Kind == ErrRootUpdate {
		b.WriteString("\nhint: ")
		if e.Kind == ErrRootUpdate {
			b.WriteString(`offline, set [policy] trusted-root in safepip.toml to a trusted_root.json file; the root compiled into safepip needs no network`)
		} else {
			b.WriteString(refreshHint)
		}
	}
	return b.String()
}

// Unwrap makes errors.Is match both the Kind and the cause.
func (e *RootError) Unwrap() []error {
	errs := []error{e.Kind}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// A TrustedRoot is a parsed Sigstore trusted_root.json with the name that
// messages use for it.
type TrustedRoot struct {
	name     string
	json     []byte
	material *root.TrustedRoot
}

// PublicGoodRoot returns the Sigstore public-good root compiled into safepip.
func PublicGoodRoot() *TrustedRoot {
	r, err := LoadTrustedRoot(PublicGoodRootName, publicGoodRoot)
	if err != nil {
		panic("verify: embedded public-good root: " + err.Error()) // a bug: the file is ours and tested
	}
	return r
}

// LoadTrustedRoot parses a Sigstore trusted_root.json (media type
// application/vnd.dev.sigstore.trustedroot+json;version=0.1). name, usually
// the file's path, is what messages call the root.
func LoadTrustedRoot(name string, data []byte) (*TrustedRoot, error) {
	if len(data) > maxRootBytes {
		return nil, &RootError{Root: name, Kind: ErrBadRoot, Reason: fmt.Sprintf("larger than %d bytes", maxRootBytes)}
	}
	tr, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		return nil, &RootError{Root: name, Kind: ErrBadRoot, Reason: "not a Sigstore trusted_root.json", Err: err}
	}
	if len(tr.FulcioCertificateAuthorities()) == 0 || len(tr.RekorLogs()) == 0 {
		return nil, &RootError{Root: name, Kind: ErrBadRoot, Reason: "no Fulcio certificate authority or no Rekor transparency log"}
	}
	return &TrustedRoot{name: name, json: data, material: tr}, nil
}

const maxRootBytes = 4 << 20

// Name returns what messages call the root.
func (r *TrustedRoot) Name() string { return r.name }

// JSON returns the bytes the root was parsed from, to save it.
func (r *TrustedRoot) JSON() []byte { return r.json }

// Material returns the root for sigstore-go.
func (r *TrustedRoot) Material() root.TrustedMaterial { return r.material }

// CheckFresh returns a *RootError (ErrStaleRoot) when, at now, no Fulcio
// certificate authority, no Rekor log or no certificate transparency log of
// the root is valid any more: attestations signed today would then fail with
// "0 < 1 log entries" or "0 SCT entries". Verification itself never reads the
// clock; callers check freshness once, before verifying new attestations.
func (r *TrustedRoot) CheckFresh(now time.Time) error {
	var ends []time.Time
	fulcio := false
	for _, ca := range r.material.FulcioCertificateAuthorities() {
		f, ok := ca.(*root.FulcioCertificateAuthority)
		if !ok {
			continue
		}
		end := f.ValidityPeriodEnd
		if f.Root != nil && (end.IsZero() || f.Root.NotAfter.Before(end)) {
			end = f.Root.NotAfter
		}
		if covers(f.ValidityPeriodStart, end, now) {
			fulcio = true
		}
		ends = append(ends, end)
	}
	if !fulcio {
		return r.stale("no Fulcio certificate authority", ends, now)
	}
	for _, k := range []struct {
		what string
		logs map[string]*root.TransparencyLog
	}{
		{"no Rekor transparency log key", r.material.RekorLogs()},
		{"no certificate transparency log key", r.material.CTLogs()},
	} {
		ends = ends[:0]
		ok := false
		for _, l := range k.logs {
			if covers(l.ValidityPeriodStart, l.ValidityPeriodEnd, now) {
				ok = true
			}
			ends = append(ends, l.ValidityPeriodEnd)
		}
		if !ok {
			return r.stale(k.what, ends, now)
		}
	}
	return nil
}

func covers(start, end, t time.Time) bool {
	return (start.IsZero() || !t.Before(start)) && (end.IsZero() || t.Before(end))
}

func (r *TrustedRoot) stale(what string, ends []time.Time, now time.Time) error {
	var last time.Time
	for _, e := range ends {
		if e.After(last) {
			last = e
		}
	}
	reason := fmt.Sprintf("%s is valid on %s", what, now.UTC().Format(time.DateOnly))
	if !last.IsZero() {
		reason += fmt.Sprintf(" (the last one ended %s)", last.UTC().Format(time.DateOnly))
	}
	return &RootError{Root: r.name, Kind: ErrStaleRoot, Reason: reason}
}

// UpdateOptions configure UpdateTrustedRoot. The zero value means the
// Sigstore public-good TUF repository, starting from the TUF root that
// sigstore-go embeds, with the index client's default network limits.
type UpdateOptions struct {
	RepositoryURL string // default https://tuf-repo-cdn.sigstore.dev
	TUFRoot       []byte // the TUF root.json to start from; default sigstore-go's
	// Network bounds every request of the update, as the index client's
	// are bounded (safepip's --timeout, --retries and their variables).
	Network Network
	// HTTPClient replaces the client Network builds (tests: a TLS test
	// server's); Network's retries and low-speed limit still apply.
	HTTPClient *http.Client
}

// Network is how long the update waits for a repository, the same
// settings as index.Options (verify does not import index; the caller
// passes the values it gives the index client). Each zero value is the
// default.
type Network struct {
	// Timeout bounds connecting (TCP, TLS) and then waiting for the
	// response headers; it is also the window of LowSpeedLimit (0: 15 s,
	// pip's default).
	Timeout time.Duration
	// Retries is how many times a request that failed on the network or
	// with 429 or a 5xx status is tried again (0: 3; negative: none).
	Retries int
	// LowSpeedLimit ends a response whose body brings fewer bytes a
	// second than this, on average over a Timeout window (0: 1024;
	// negative: no limit).
	LowSpeedLimit int64
	// Backoff is the pause before the first retry, doubling after each
	// (0: 500 ms).
	Backoff time.Duration
}

// withDefaults fills in the zero values.
func (n Network) withDefaults() Network {
	if n.Timeout <= 0 {
		n.Timeout = 15 * time.Second
	}
	switch {
	case n.Retries == 0:
		n.Retries = 3
	case n.Retries < 0:
		n.Retries = 0
	}
	switch {
	case n.LowSpeedLimit == 0:
		n.LowSpeedLimit = 1024
	case n.LowSpeedLimit < 0:
		n.LowSpeedLimit = 0
	}
	if n.Backoff <= 0 {
		n.Backoff = 500 * time.Millisecond
	}
	return n
}

// client returns the HTTP client the limits ask for: its dial, TLS
// handshake and response header waits bounded by Timeout.
func (n Network) client() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: n.Timeout, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = n.Timeout
	tr.ResponseHeaderTimeout = n.Timeout
	return &http.Client{Transport: tr}
}

// UpdateTrustedRoot fetches the current trusted_root.json through TUF (its
// metadata cached under cacheDir/tuf), writes it atomically to
// cacheDir/trusted_root.json and returns it. This is the only function of
// the package that uses the network.
func UpdateTrustedRoot(ctx context.Context, cacheDir string, opts UpdateOptions) (*TrustedRoot, error) {
	if opts.RepositoryURL == "" {
		opts.RepositoryURL = tuf.DefaultMirror
	}
	if opts.TUFRoot == nil {
		opts.TUFRoot = tuf.DefaultRoot()
	}
	limits := opts.Network.withDefaults()
	if opts.HTTPClient == nil {
		opts.HTTPClient = limits.client()
	}
	name := "from TUF repository " + opts.RepositoryURL
	fail := func(reason string, err error) error {
		return &RootError{Root: name, Kind: ErrRootUpdate, Reason: reason, Err: err}
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, fail("creating the cache directory", err)
	}
	f := fetcher.NewDefaultFetcher()
	f.SetHTTPClient(&limitedClient{ctx: ctx, c: opts.HTTPClient, n: limits})
	to := tuf.DefaultOptions().
		WithRoot(opts.TUFRoot).
		WithRepositoryBaseURL(opts.RepositoryURL).
		WithCachePath(filepath.Join(cacheDir, "tuf")).
		WithCacheValidity(tuf.NoCache). // an explicit update always asks the repository
		WithFetcher(f).
		WithContext(ctx)
	client, err := tuf.New(to)
	if err != nil {
		return nil, fail("TUF metadata update", err)
	}
	data, err := client.GetTarget(TrustedRootFile)
	if err != nil {
		return nil, fail("fetching "+TrustedRootFile, err)
	}
	path := filepath.Join(cacheDir, TrustedRootFile)
	r, err := LoadTrustedRoot(path, data)
	if err != nil {
		return nil, fail("the repository served an unusable "+TrustedRootFile, err)
	}
	if err := writeFileAtomic(path, data); err != nil {
		return nil, fail("saving "+TrustedRootFile, err)
	}
	return r, nil
}

// limitedClient makes the TUF fetcher's requests with the caller's context
// (the fetcher builds them without one), retries those that fail on the
// network or with 429 or a 5xx status, and ends a body that falls below
// the low-speed limit. A body that fails once it has begun is not retried:
// the TUF client reports it (its files are small).
type limitedClient struct {
	ctx context.Context
	c   *http.Client
	n   Network
}

func (c *limitedClient) Do(req *http.Request) (*http.Response, error) {
	wait := c.n.Backoff
	for attempt := 0; ; attempt++ {
		res, err := c.try(req)
		retry := err != nil && c.ctx.Err() == nil ||
			err == nil && (res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500)
		if !retry || attempt >= c.n.Retries {
			if err != nil {
				err = fmt.Errorf("GET %s (%d %s, timeout %s): %w", req.URL.Redacted(), attempt+1, plural(attempt+1, "attempt"), c.n.Timeout, err)
			}
			return res, err
		}
		if res != nil {
			res.Body.Close()
		}
		t := time.NewTimer(wait)
		select {
		case <-c.ctx.Done():
			t.Stop()
			return nil, c.ctx.Err()
		case <-t.C:
		}
		wait *= 2
	}
}

// errLowSpeed ends a body that brings too few bytes in a window.
var errLowSpeed = errors.New("low-speed limit")

// try makes one request; its body is watched by the low-speed limit until
// it is closed.
func (c *limitedClient) try(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(c.ctx)
	res, err := c.c.Do(req.Clone(ctx))
	if err != nil {
		cancel(nil)
		return nil, err
	}
	body := &speedBody{ReadCloser: res.Body, ctx: ctx, done: make(chan struct{})}
	res.Body = body
	if c.n.LowSpeedLimit > 0 {
		go body.watch(req.URL.Redacted(), c.n, cancel)
	} else {
		body.stop = func() { cancel(nil) }
	}
	return res, nil
}

// speedBody counts the bytes of a response body for the low-speed watch.
type speedBody struct {
	io.ReadCloser
	ctx  context.Context
	n    atomic.Int64
	done chan struct{}
	once sync.Once
	stop func()
}

func (b *speedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	if err != nil {
		if cause := context.Cause(b.ctx); errors.Is(cause, errLowSpeed) {
			err = cause
		}
	}
	return n, err
}

func (b *speedBody) Close() error {
	b.once.Do(func() {
		close(b.done)
		if b.stop != nil {
			b.stop()
		}
	})
	return b.ReadCloser.Close()
}

// watch cancels the request when a window of n.Timeout brings fewer than
// n.LowSpeedLimit bytes a second on average, naming the limit.
func (b *speedBody) watch(url string, n Network, cancel context.CancelCauseFunc) {
	defer cancel(nil)
	tick := time.NewTicker(n.Timeout)
	defer tick.Stop()
	last := int64(0)
	for {
		select {
		case <-b.done:
			return
		case <-b.ctx.Done():
			return
		case <-tick.C:
			got := b.n.Load()
			if float64(got-last) < float64(n.LowSpeedLimit)*n.Timeout.Seconds() {
				cancel(fmt.Errorf("GET %s: %w: %d bytes in %s, want %d bytes/s on average (raise --timeout, or SAFEPIP_HTTP_LOW_SPEED_LIMIT=0 turns it off)",
					url, errLowSpeed, got-last, n.Timeout, n.LowSpeedLimit))
				return
			}
			last = got
		}
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func writeFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
