package index

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// fakeServer answers requests in the synctest bubble, where time is the
// bubble's: its waits cost the test nothing, and elapsed time is exact.
type fakeServer func(req *http.Request) (*http.Response, error)

func (f fakeServer) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// connected tells the request's trace that a connection is there, as the
// real transport does.
func connected(req *http.Request) {
	if tr := httptrace.ContextClientTrace(req.Context()); tr != nil && tr.GotConn != nil {
		tr.GotConn(httptrace.GotConnInfo{})
	}
}

// dripping returns a 200 whose body sends chunk bytes every interval,
// total bytes in all, until the client closes it.
func dripping(req *http.Request, chunk, total int, interval time.Duration) *http.Response {
	pr, pw := io.Pipe()
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		sent := 0
		for sent < total {
			select {
			case <-tick.C:
			case <-req.Context().Done():
				pw.CloseWithError(req.Context().Err())
				return
			}
			n := min(chunk, total-sent)
			if _, err := pw.Write(make([]byte, n)); err != nil {
				return
			}
			sent += n
		}
		pw.Close()
	}()
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Header: http.Header{"Content-Type": {"text/html"}},
		Body: pr, ContentLength: -1, Request: req}
}

const deadURL = "http://127.0.0.1:9/simple"

// TestDefaultsBoundAPage checks the arithmetic of the defaults on the
// bubble's clock: a page from an index that never connects, connects and
// never answers, or answers and trickles, ends within 100 s, retries
// included, with the limit named.
func TestDefaultsBoundAPage(t *testing.T) {
	const bound = 100 * time.Second
	if worst := DefaultRetryBudget + 2*DefaultTimeout; worst > bound {
		t.Fatalf("retry budget %s + 2 × timeout %s = %s, more than %s", DefaultRetryBudget, DefaultTimeout, worst, bound)
	}
	tests := []struct {
		name    string
		retries int
		serve   fakeServer
		limit   string
	}{
		{"no connection", 0, func(req *http.Request) (*http.Response, error) {
			<-req.Context().Done()
			return nil, req.Context().Err()
		}, LimitConnect},
		{"no headers", 0, func(req *http.Request) (*http.Response, error) {
			connected(req)
			<-req.Context().Done()
			return nil, req.Context().Err()
		}, LimitHeaders},
		{"no headers, many retries", 50, func(req *http.Request) (*http.Response, error) {
			connected(req)
			<-req.Context().Done()
			return nil, req.Context().Err()
		}, LimitHeaders},
		{"a byte every 5 s", 0, func(req *http.Request) (*http.Response, error) {
			connected(req)
			return dripping(req, 1, 1<<20, 5*time.Second), nil
		}, LimitLowSpeed},
		{"2 KiB/s, above the low-speed limit, for 10 min", 0, func(req *http.Request) (*http.Response, error) {
			connected(req)
			return dripping(req, 2048, 600*2048, time.Second), nil
		}, LimitTotal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, err := NewClient(Options{Transport: tt.serve, Retries: tt.retries, Logf: t.Logf})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				_, err = c.Project(context.Background(), Index{Name: "dead", URL: deadURL}, "acme")
				took := time.Since(start)
				var ne *NetworkError
				var te *TimeoutError
				if !errors.As(err, &ne) || !errors.As(err, &te) || te.Limit != tt.limit {
					t.Fatalf("err = %v, want a *NetworkError with the %s", err, tt.limit)
				}
				if took > bound {
					t.Errorf("took %s, more than %s", took, bound)
				}
				if !strings.Contains(err.Error(), `index "dead"`) || !strings.Contains(err.Error(), deadURL+"/acme/") || !strings.Contains(err.Error(), tt.limit) {
					t.Errorf("message %q lacks the index, the URL or the limit", err)
				}
				t.Logf("%s after %s", err, took)
			})
		})
	}
}

// TestRetryBudgetStopsRetries: with retries to spare, the budget ends
// them and the error says so.
func TestRetryBudgetStopsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		serve := fakeServer(func(req *http.Request) (*http.Response, error) {
			connected(req)
			<-req.Context().Done()
			return nil, req.Context().Err()
		})
		c, err := NewClient(Options{Transport: serve, Timeout: time.Second, RetryBudget: 5 * time.Second, Retries: 1000, Backoff: time.Millisecond, MaxBackoff: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.Project(context.Background(), Index{Name: "dead", URL: deadURL}, "acme")
		var ne *NetworkError
		if !errors.As(err, &ne) || ne.Budget != 5*time.Second || ne.Attempts != 5 {
			t.Fatalf("err = %#v, want a *NetworkError after 5 attempts with the budget spent", err)
		}
		if took := time.Since(start); took > 5*time.Second+2*time.Second {
			t.Errorf("took %s, more than the budget and one attempt", took)
		}
		if !strings.Contains(err.Error(), "retry budget of 5s is spent") {
			t.Errorf("message %q does not name the budget", err)
		}
	})
}

// TestSlowSteadyDownload: a file that takes far longer than any page may,
// at a steady speed above the limit, downloads; a trickle does not.
func TestSlowSteadyDownload(t *testing.T) {
	const size = 300 * 2048
	tests := []struct {
		name     string
		chunk    int
		interval time.Duration
		limit    string
	}{
		{"2 KiB/s for 5 min", 2048, time.Second, ""},
		{"a byte every 2 s", 1, 2 * time.Second, LimitLowSpeed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				serve := fakeServer(func(req *http.Request) (*http.Response, error) {
					connected(req)
					return dripping(req, tt.chunk, size, tt.interval), nil
				})
				c, err := NewClient(Options{Transport: serve, Logf: t.Logf})
				if err != nil {
					t.Fatal(err)
				}
				f := File{Filename: "acme-1.0-py3-none-any.whl", URL: deadURL + "/acme-1.0-py3-none-any.whl"}
				n, err := c.Download(context.Background(), Index{Name: "slow", URL: deadURL}, f, io.Discard)
				var te *TimeoutError
				switch {
				case tt.limit == "" && err != nil:
					t.Fatalf("Download: %v", err)
				case tt.limit == "" && n == "":
					t.Fatal("Download returned no digest")
				case tt.limit != "" && (!errors.As(err, &te) || te.Limit != tt.limit):
					t.Fatalf("err = %v, want the %s", err, tt.limit)
				}
			})
		})
	}
}

// TestFullCacheIsNotANetworkError: a download the cache cannot hold fails
// with the file system's error, naming the cache, and leaves nothing.
func TestFullCacheIsNotANetworkError(t *testing.T) {
	_, srv, f := serveAcme(t)
	c := newClient(t, Options{CacheDir: t.TempDir()})
	dir := filepath.Join(c.opts.CacheDir, "files")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	full := &os.PathError{Op: "write", Err: errors.New("no space left on device")}
	w := &recordingWriter{w: failingWriter{full}}
	_, err := c.Download(context.Background(), Index{Name: "internal", URL: srv.URL}, File{Filename: f.Filename, URL: srv.FileURL(f.Filename)}, w)
	var ne *NetworkError
	if errors.As(err, &ne) || !errors.Is(err, full) {
		t.Fatalf("err = %v, want the writer's error, not a *NetworkError", err)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestLimitsOverRealConnections runs the limits through the real
// transport, over HTTP/1.1 and HTTP/2 (TLS): the trace hooks that tell
// connecting from waiting for headers must fire in both.
func TestLimitsOverRealConnections(t *testing.T) {
	handlers := []struct {
		name  string
		serve http.HandlerFunc
		limit string
	}{
		{"no headers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, LimitHeaders},
		{"trickle", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-r.Context().Done():
					return
				case <-tick.C:
					w.Write([]byte(" "))
					w.(http.Flusher).Flush()
				}
			}
		}, LimitLowSpeed},
	}
	for _, h := range handlers {
		for _, proto := range []string{"HTTP/1.1", "HTTP/2.0"} {
			t.Run(h.name+" "+proto, func(t *testing.T) {
				var got atomic.Value
				srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					got.Store(r.Proto)
					h.serve(w, r)
				}))
				var base http.RoundTripper
				if proto == "HTTP/2.0" {
					srv.EnableHTTP2 = true
					srv.StartTLS()
					base = srv.Client().Transport
				} else {
					srv.Start()
				}
				t.Cleanup(srv.Close)
				c := newClient(t, Options{Transport: base, Timeout: 300 * time.Millisecond, Retries: -1})
				_, err := c.Project(context.Background(), Index{Name: "real", URL: srv.URL + "/simple"}, "acme")
				var te *TimeoutError
				if !errors.As(err, &te) || te.Limit != h.limit {
					t.Fatalf("err = %v, want the %s", err, h.limit)
				}
				if got.Load() != proto {
					t.Errorf("the request came over %v, want %s", got.Load(), proto)
				}
			})
		}
	}
}
