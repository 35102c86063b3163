package metadata

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits against hostile input.
const (
	// MaxBytes is the largest file Parse and ParseWheel read, in bytes.
	MaxBytes = 16 << 20
	// MaxHeaders is the most headers a file may have.
	MaxHeaders = 10000
	// MaxHeaderBytes is the longest header, folded lines included, in bytes.
	MaxHeaderBytes = 1 << 20
)

// Header is one header as written.
type Header struct {
	Name  string // as written; compare with strings.EqualFold
	Value string // leading spaces and tabs removed, folded lines joined with "\n"
	Line  int    // the line the header starts on
}

// Error is a problem in a metadata file.
type Error struct {
	File  string
	Line  int    // 0 when the problem is the file as a whole
	Field string // the field at fault, "" when none
	Value string
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "%s %q: ", e.Field, e.Value)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errors callers can test for with errors.Is.
var (
	// ErrTooLarge is input over MaxBytes, MaxHeaders or MaxHeaderBytes.
	ErrTooLarge = errors.New("metadata too large")
	// ErrMissingField is a required field that is absent or empty.
	ErrMissingField = errors.New("required field missing")
)

// splitLines splits text at "\r\n", "\r" and "\n", keeping the line breaks,
// as email.parser does.
func splitLines(text string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			lines = append(lines, text[start:i+1])
			start = i + 1
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			lines = append(lines, text[start:i+1])
			start = i + 1
		}
	}
	if start < len(text) {
		lines = append(lines, text[start:])
	}
	return lines
}

func trimEOL(s string) string { return strings.TrimRight(s, "\r\n") }

// isHeaderLine is email.feedparser's headerRE: "From ", a name of
// printable ASCII but ":" followed by ":", or a leading space or tab.
func isHeaderLine(s string) bool {
	if strings.HasPrefix(s, "From ") || strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\t") {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ':' {
			return true
		}
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return false
}

// parseHeaders splits data into headers and body as email.parser does
// with the compat32 policy.
func parseHeaders(name string, data []byte) ([]Header, string, error) {
	if len(data) > MaxBytes {
		return nil, "", &Error{File: name, Err: fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(data), MaxBytes)}
	}
	if !utf8.Valid(data) {
		return nil, "", &Error{File: name, Err: errors.New("not UTF-8; core metadata must be UTF-8")}
	}
	lines := splitLines(string(data))

	// The header block: lines up to an empty line or a line that is not a
	// header; an empty line is dropped, another line starts the body.
	n := 0
	for n < len(lines) && isHeaderLine(lines[n]) {
		n++
	}
	bodyStart := n
	if n < len(lines) && trimEOL(lines[n]) == "" {
		bodyStart = n + 1
	}

	var headers []Header
	var cur *Header
	var folded []string // the lines of cur, joined once it is complete
	finish := func() {
		if cur != nil && len(folded) > 1 {
			cur.Value = strings.Join(folded, "\n")
		}
		cur, folded = nil, nil
	}
	fromLine := "" // a "From " line email moves to the body
	size := 0
	for i := 0; i < n; i++ {
		l := lines[i]
		if l[0] == ' ' || l[0] == '\t' {
			if cur == nil {
				continue // a continuation before any header: ignored, as email does
			}
			size += len(l)
			if size > MaxHeaderBytes {
				return nil, "", &Error{File: name, Line: cur.Line, Field: cur.Name, Err: fmt.Errorf("%w: header longer than %d bytes", ErrTooLarge, MaxHeaderBytes)}
			}
			folded = append(folded, trimEOL(l))
			continue
		}
		finish()
		if strings.HasPrefix(l, "From ") {
			if i == n-1 && i > 0 {
				// email: a "From " line ending the headers starts the body
				fromLine = l
				break
			}
			continue // an envelope line, not a header
		}
		colon := strings.IndexByte(l, ':')
		if colon == 0 {
			continue // no name: email ignores the line
		}
		if len(headers) == MaxHeaders {
			return nil, "", &Error{File: name, Line: i + 1, Err: fmt.Errorf("%w: more than %d headers", ErrTooLarge, MaxHeaders)}
		}
		size = len(l)
		if size > MaxHeaderBytes {
			return nil, "", &Error{File: name, Line: i + 1, Field: l[:colon], Err: fmt.Errorf("%w: header longer than %d bytes", ErrTooLarge, MaxHeaderBytes)}
		}
		headers = append(headers, Header{
			Name:  l[:colon],
			Value: strings.TrimLeft(trimEOL(l[colon+1:]), " \t"),
			Line:  i + 1,
		})
		cur = &headers[len(headers)-1]
		folded = []string{cur.Value}
	}
	finish()
	body := fromLine + strings.Join(lines[min(bodyStart, len(lines)):], "")
	return headers, body, nil
}

// unfold joins folded lines by dropping the line breaks (RFC 5322).
func unfold(s string) string {
	if !strings.Contains(s, "\n") {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(strings.ReplaceAll(s, "\n", ""))
}
