package index

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// retryTransport retries a request on 429, 5xx (but 501) and transport
// errors other than certificate failures, with exponential back-off and
// full jitter, honouring Retry-After up to maxWait. It gives up after
// retries retries, or when the next retry would start after budget has
// passed since the first attempt, and returns the last response or error.
//
// Each attempt is held to the client's time limits (limits): connecting,
// then the response headers, each within timeout; the body then to the
// low-speed limit.
type retryTransport struct {
	base     http.RoundTripper
	retries  int
	backoff  time.Duration
	maxWait  time.Duration
	budget   time.Duration
	limits   limits
	logf     func(format string, args ...any)
	attempts atomic.Int64 // every request made, for benchmarks
}

// limits are the time limits of one attempt.
type limits struct {
	timeout  time.Duration // connecting; then the response headers
	lowSpeed int64         // bytes per second a body must average over each window of timeout; 0: none
}

// requestStats is what the transport tells the client about one request,
// carried in its context under statsKey.
type requestStats struct {
	attempts    atomic.Int32
	budgetSpent atomic.Bool // retries stopped because the budget ran out
}

type statsKey struct{}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	stats, _ := ctx.Value(statsKey{}).(*requestStats)
	start := time.Now()
	for attempt := 0; ; attempt++ {
		if stats != nil {
			stats.attempts.Add(1)
		}
		t.attempts.Add(1)
		resp, err := t.limits.roundTrip(t.base, req)
		if attempt >= t.retries || !retriable(ctx, resp, err) {
			return resp, err
		}
		wait := t.wait(attempt, resp)
		if time.Since(start)+wait >= t.budget {
			// Retries must not multiply the time limits: past the budget,
			// the last answer stands.
			if stats != nil {
				stats.budgetSpent.Store(true)
			}
			t.logf("%s: no retry: the retry budget of %s is spent", Redact(req.URL.String()), t.budget)
			return resp, err
		}
		reason := ""
		if err != nil {
			reason = err.Error()
		} else {
			reason = resp.Status
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		t.logf("%s: %s; retry %d of %d in %s", Redact(req.URL.String()), reason, attempt+1, t.retries, wait)
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, context.Cause(ctx)
		}
	}
}

func retriable(ctx context.Context, resp *http.Response, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		// a certificate will not get better by asking again
		var verr *tls.CertificateVerificationError
		var uaErr x509.UnknownAuthorityError
		var hErr x509.HostnameError
		var ciErr x509.CertificateInvalidError
		return !errors.As(err, &verr) && !errors.As(err, &uaErr) && !errors.As(err, &hErr) && !errors.As(err, &ciErr)
	}
	return resp.StatusCode == http.StatusTooManyRequests ||
		resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented
}

// wait returns the pause before retry attempt+1: Retry-After when the
// server sent one (capped), else backoff*2^attempt with full jitter.
func (t *retryTransport) wait(attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
				return min(time.Duration(secs)*time.Second, t.maxWait)
			}
			if when, err := http.ParseTime(ra); err == nil {
				return min(max(time.Until(when), 0), t.maxWait)
			}
		}
	}
	d := t.backoff
	for i := 0; i < attempt && d < t.maxWait; i++ {
		d *= 2
	}
	d = min(d, t.maxWait)
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// roundTrip makes one attempt under l: a watchdog cancels it when the
// connection (DNS, TCP, TLS) is not there within l.timeout, or the
// response headers are not within l.timeout of getting it; the body of the
// response it returns is held to the low-speed limit. A limit that ends
// the attempt is its error, a *TimeoutError.
func (l limits) roundTrip(base http.RoundTripper, req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	w := &phaseWatch{timeout: l.timeout, cancel: cancel}
	w.enter(LimitConnect)
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { w.enter(LimitHeaders) }}
	resp, err := base.RoundTrip(req.WithContext(httptrace.WithClientTrace(ctx, trace)))
	w.stop()
	if err != nil {
		var te *TimeoutError
		if errors.As(context.Cause(ctx), &te) {
			err = te
		}
		cancel(nil)
		return nil, err
	}
	resp.Body = newSpeedBody(ctx, resp.Body, l, cancel)
	return resp, nil
}

// phaseWatch cancels an attempt when one phase (connecting, waiting for
// headers) lasts longer than timeout.
type phaseWatch struct {
	mu      sync.Mutex
	timeout time.Duration
	cancel  context.CancelCauseFunc
	timer   *time.Timer
	done    bool
}

func (w *phaseWatch) enter(limit string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return
	}
	if w.timer != nil {
		w.timer.Stop()
	}
	cause := &TimeoutError{Limit: limit, After: w.timeout}
	var timer *time.Timer
	timer = time.AfterFunc(w.timeout, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if !w.done && w.timer == timer { // not stopped, nor replaced by the next phase
			w.cancel(cause)
		}
	})
	w.timer = timer
}

func (w *phaseWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
	if w.timer != nil {
		w.timer.Stop()
	}
}

// speedBody cancels its request when fewer than lowSpeed bytes a second,
// on average, arrived over a window of timeout: unlike an idle timer,
// which any byte restarts, a trickle cannot keep it open, and unlike a
// deadline, a large file on a slow but steady link still arrives.
type speedBody struct {
	ctx    context.Context
	rc     io.ReadCloser
	cancel context.CancelCauseFunc
	got    atomic.Int64 // bytes in the current window

	mu     sync.Mutex
	timer  *time.Timer
	closed bool
}

func newSpeedBody(ctx context.Context, rc io.ReadCloser, l limits, cancel context.CancelCauseFunc) *speedBody {
	b := &speedBody{ctx: ctx, rc: rc, cancel: cancel}
	if l.lowSpeed <= 0 || l.timeout <= 0 {
		return b
	}
	need := max(l.lowSpeed*int64(l.timeout)/int64(time.Second), 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	var check func()
	check = func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.closed {
			return
		}
		if got := b.got.Swap(0); got < need {
			b.cancel(&TimeoutError{Limit: LimitLowSpeed, After: l.timeout, Got: got, Rate: l.lowSpeed})
			return
		}
		b.timer = time.AfterFunc(l.timeout, check)
	}
	b.timer = time.AfterFunc(l.timeout, check)
	return b
}

func (b *speedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.got.Add(int64(n))
	if err != nil && err != io.EOF {
		var te *TimeoutError
		if errors.As(context.Cause(b.ctx), &te) {
			err = te
		}
	}
	return n, err
}

func (b *speedBody) Close() error {
	b.mu.Lock()
	b.closed = true
	if b.timer != nil {
		b.timer.Stop()
	}
	b.mu.Unlock()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// newBaseTransport returns the shared transport: connection reuse and
// HTTP/2. The time limits are the retry transport's (limits.roundTrip);
// the dialer's is a backstop only.
func newBaseTransport(timeout time.Duration) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 2 * timeout, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 2 * timeout
	tr.ResponseHeaderTimeout = 0
	tr.MaxIdleConnsPerHost = 32
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return tr
}
