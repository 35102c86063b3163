package index

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// NetworkError is an index that could not be reached or kept failing (5xx,
// 429, time-outs) after retries, or answered with an unexpected status. The
// CLI maps it to exit code 4.
type NetworkError struct {
	Index    string // Index.Name
	URL      string // credentials removed
	Status   int    // the last HTTP status, 0 when there was no response
	Attempts int    // requests made, retries included
	// Budget is the retry budget when it stopped the retries; 0 when the
	// retries ran out or the failure was not retriable.
	Budget time.Duration
	Err    error // the cause, nil when Status says it all
}

func (e *NetworkError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "index %q: fetching %s: ", e.Index, e.URL)
	switch {
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	case e.Status == 401 || e.Status == 403:
		fmt.Fprintf(&b, "%d %s (check the credentials in the index URL or ~/.netrc)", e.Status, statusText(e.Status))
	default:
		fmt.Fprintf(&b, "%d %s", e.Status, statusText(e.Status))
	}
	switch {
	case e.Budget > 0:
		fmt.Fprintf(&b, " (after %d attempts: the retry budget of %s is spent)", e.Attempts, e.Budget)
	case e.Attempts > 1:
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// The limits a *TimeoutError names.
const (
	LimitConnect  = "connect timeout"         // DNS, TCP and TLS
	LimitHeaders  = "response-header timeout" // from the connection to the response headers
	LimitLowSpeed = "low-speed limit"         // the body's average speed over a window
	LimitTotal    = "time limit"              // a page, metadata or provenance request, retries included
)

// TimeoutError is a request ended by one of the client's time limits
// (Options.Timeout, LowSpeedLimit, RetryBudget). It is the Err of a
// *NetworkError.
type TimeoutError struct {
	Limit string        // LimitConnect, LimitHeaders, LimitLowSpeed or LimitTotal
	After time.Duration // the limit's time: the timeout, the window, the total
	Got   int64         // LimitLowSpeed: bytes received in the window
	Rate  int64         // LimitLowSpeed: the bytes per second required
}

func (e *TimeoutError) Error() string {
	switch e.Limit {
	case LimitConnect:
		return fmt.Sprintf("no connection within %s (%s)", e.After, e.Limit)
	case LimitHeaders:
		return fmt.Sprintf("no response headers within %s of connecting (%s)", e.After, e.Limit)
	case LimitLowSpeed:
		return fmt.Sprintf("%d bytes in %s, slower than %d bytes/s (%s)", e.Got, e.After, e.Rate, e.Limit)
	}
	return fmt.Sprintf("no complete answer within %s (%s of a page: the retry budget plus twice the timeout)", e.After, e.Limit)
}

// Timeout reports true, as net.Error's method does.
func (e *TimeoutError) Timeout() bool { return true }

func (e *NetworkError) Unwrap() error { return e.Err }

// NotFoundError is a project the index does not have: its page answered
// 404 (or 410), or a file:// tree or --find-links location has no file of
// it. The router treats it as "absent" when asking every unpinned index,
// and as fatal for the index a project is routed to.
type NotFoundError struct {
	Index   string // Index.Name
	URL     string // credentials removed
	Project string // normalized name
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("index %q has no project %q (%s)", e.Index, e.Project, e.URL)
}

// PageError is a page, metadata file or provenance that was fetched but
// cannot be used: malformed, hostile, too large, or of another project.
type PageError struct {
	Index string // Index.Name
	URL   string // credentials removed
	Err   error
}

func (e *PageError) Error() string {
	return fmt.Sprintf("index %q: %s: %v", e.Index, e.URL, e.Err)
}

func (e *PageError) Unwrap() error { return e.Err }

// HashMismatchError is content whose digest differs from the one the index
// published. The content is discarded.
type HashMismatchError struct {
	What      string // "file" or "metadata file"
	Filename  string
	URL       string // credentials removed
	Algorithm string // "sha256"
	Want      string // the published digest
	Got       string // the digest of what was served
}

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("%s of %s: %s hash mismatch\n    expected %s\n    got      %s\nthe index or a proxy served different bytes than it published (%s)",
		e.What, e.Filename, e.Algorithm, e.Want, e.Got, e.URL)
}

// TooLargeError is a response larger than its limit.
type TooLargeError struct {
	URL        string // credentials removed
	LimitBytes int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: response larger than %d bytes (raise the limit in the client options if this is expected)", e.URL, e.LimitBytes)
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "status"
}

// Redact returns rawURL fit for messages and logs: userinfo becomes "***"
// and every query value "***" (signed download URLs carry tokens there).
// Text that does not parse as a URL has anything that looks like userinfo
// removed.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return redactUnparsed(rawURL)
	}
	if u.User != nil {
		u.User = url.User("***")
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k, vs := range q {
			for i := range vs {
				vs[i] = "***"
			}
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	return strings.Replace(u.String(), "%2A%2A%2A", "***", -1)
}

// urlErr is err without the URL a *url.Error quotes in full (credentials
// and query tokens included); callers name the URL themselves, redacted.
func urlErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactUnparsed removes "user:pass@" from text that url.Parse refused.
func redactUnparsed(s string) string {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + 3
	}
	end := len(s)
	if i := strings.IndexAny(s[start:], "/?#"); i >= 0 {
		end = start + i
	}
	if at := strings.LastIndex(s[start:end], "@"); at >= 0 {
		return s[:start] + "***" + s[start+at:]
	}
	return s
}
