package pep508

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxInputBytes bounds the text ParseRequirement and ParseMarker accept.
// Real requirements, URLs included, are a few hundred bytes; the bound keeps
// hostile metadata from costing more than a linear scan of 32 KiB.
const maxInputBytes = 32 << 10

// maxMarkerDepth bounds parenthesis nesting in a marker, so that parsing and
// evaluation recurse at most this deep whatever the input.
const maxMarkerDepth = 64

// SyntaxError reports text that is not a valid requirement or marker.
type SyntaxError struct {
	Kind   string // "requirement" or "marker"
	Input  string // the text that was parsed, URL credentials masked with "*"
	Offset int    // byte offset in Input where the problem starts
	Msg    string // what was expected, e.g. "expected end or semicolon (after version specifier)"
	Err    error  // the underlying cause (a pep440 error, say), or nil
}

func (e *SyntaxError) Error() string {
	msg := e.Msg
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return fmt.Sprintf("invalid %s %s: at byte %d: %s", e.Kind, quoteInput(e.Input), e.Offset, msg)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// syntaxError builds a *SyntaxError whose Input and Msg carry no URL
// credentials: "https://user:token@host" becomes "https://**********@host",
// the same length, so that Offset still points at the right byte.
func syntaxError(kind, in string, offset int, msg string) *SyntaxError {
	return &SyntaxError{Kind: kind, Input: maskUserinfo(in), Offset: offset, Msg: maskUserinfo(msg)}
}

// maskUserinfo replaces with "*" every byte of the user information
// (before the last "@" of the authority) of each "scheme://" URL in s.
func maskUserinfo(s string) string {
	var b []byte
	for i := 0; ; {
		j := strings.Index(s[i:], "://")
		if j < 0 {
			break
		}
		start := i + j + len("://")
		end := start
		for end < len(s) && strings.IndexByte("/?# \t\n\r", s[end]) < 0 {
			end++
		}
		if at := strings.LastIndexByte(s[start:end], '@'); at >= 0 {
			if b == nil {
				b = []byte(s)
			}
			for k := start; k < start+at; k++ {
				b[k] = '*'
			}
		}
		i = end
	}
	if b == nil {
		return s
	}
	return string(b)
}

// quoteInput quotes s for an error message, shortening hostile lengths.
func quoteInput(s string) string {
	const keep = 120
	if len(s) <= keep {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:keep]) + fmt.Sprintf("... (%d bytes)", len(s))
}

var (
	// ErrUndefinedVariable marks a marker that names a variable the
	// environment lacks (packaging's UndefinedEnvironmentName).
	ErrUndefinedVariable = errors.New("variable not in environment")

	// ErrUndefinedComparison marks a comparison PEP 508 gives no meaning,
	// such as ">=" between strings that are not versions (packaging's
	// UndefinedComparison).
	ErrUndefinedComparison = errors.New("undefined comparison")
)

// EvalError reports a marker that cannot be evaluated in an environment.
// Err is ErrUndefinedVariable or ErrUndefinedComparison.
type EvalError struct {
	Expr   string // the failing comparison, e.g. `platform_release >= "5.x"`
	Err    error
	Detail string // the values involved and what would work instead
}

func (e *EvalError) Error() string {
	return fmt.Sprintf("evaluating marker %s: %v: %s", strconv.Quote(e.Expr), e.Err, e.Detail)
}

func (e *EvalError) Unwrap() error { return e.Err }
