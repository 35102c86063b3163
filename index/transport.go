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
	"strconv"
	"sync/atomic"
	"time"
)

// retryTransport retries a request on 429, 5xx (but 501) and transport
// errors other than certificate failures, with exponential back-off and
// full jitter, honouring Retry-After up to maxWait. It gives up after
// retries retries and returns the last response or error.
type retryTransport struct {
	base     http.RoundTripper
	retries  int
	backoff  time.Duration
	maxWait  time.Duration
	logf     func(format string, args ...any)
	attempts atomic.Int64 // every request made, for benchmarks
}

// attemptsKey carries a *atomic.Int32 counting the attempts of one request.
type attemptsKey struct{}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		if n, ok := ctx.Value(attemptsKey{}).(*atomic.Int32); ok {
			n.Add(1)
		}
		t.attempts.Add(1)
		resp, err := t.base.RoundTrip(req)
		if attempt >= t.retries || !retriable(ctx, resp, err) {
			return resp, err
		}
		wait := t.wait(attempt, resp)
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
			return nil, ctx.Err()
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

// newBaseTransport returns the shared transport: connection reuse, HTTP/2,
// and time-outs on dialing, TLS and waiting for response headers.
func newBaseTransport(timeout time.Duration) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = timeout
	tr.ResponseHeaderTimeout = timeout
	tr.MaxIdleConnsPerHost = 32
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return tr
}

// idleBody fails a read when no byte arrived for timeout, by cancelling
// the request's context.
type idleBody struct {
	rc      io.ReadCloser
	timer   *time.Timer
	timeout time.Duration
	cancel  context.CancelFunc
	stalled atomic.Bool
}

var errStalled = errors.New("response stalled")

func newIdleBody(rc io.ReadCloser, timeout time.Duration, cancel context.CancelFunc) *idleBody {
	b := &idleBody{rc: rc, timeout: timeout, cancel: cancel}
	b.timer = time.AfterFunc(timeout, func() { b.stalled.Store(true); cancel() })
	return b
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.timer.Reset(b.timeout)
	if err != nil && err != io.EOF && b.stalled.Load() {
		return n, errStalled
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel()
	return err
}
