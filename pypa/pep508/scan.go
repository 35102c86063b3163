package pep508

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanner walks the input with a byte offset. Whitespace between tokens is
// what packaging 21.3 (pyparsing) skips: space, tab, newline, carriage return.
type scanner struct {
	kind string // "requirement" or "marker", for errors
	in   string
	pos  int
}

func (s *scanner) errorf(pos int, msg string) *SyntaxError {
	return syntaxError(s.kind, s.in, pos, msg)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) skipSpace() {
	for s.pos < len(s.in) && isSpace(s.in[s.pos]) {
		s.pos++
	}
}

func (s *scanner) atEnd() bool { return s.pos >= len(s.in) }

// peek reports whether the input continues with lit at the current offset.
func (s *scanner) peek(lit string) bool { return strings.HasPrefix(s.in[s.pos:], lit) }

// accept consumes lit if the input continues with it.
func (s *scanner) accept(lit string) bool {
	if s.peek(lit) {
		s.pos += len(lit)
		return true
	}
	return false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// identifier consumes a PEP 508 identifier (a name or an extra):
// letters and digits, with runs of "-", "_", "." only between them.
func (s *scanner) identifier() (string, bool) {
	start := s.pos
	if s.atEnd() || !isAlnum(s.in[s.pos]) {
		return "", false
	}
	end := s.pos
	i := s.pos
	for i < len(s.in) {
		c := s.in[i]
		if isAlnum(c) {
			i++
			end = i
			continue
		}
		if c == '-' || c == '_' || c == '.' {
			i++
			continue
		}
		break
	}
	s.pos = end
	return s.in[start:end], true
}

// isPySpace reports whether r is whitespace for Python's str.isspace and
// the \s of its regular expressions, which the specifier grammar uses.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || 0x1c <= r && r <= 0x1f
}

// trimPySpace trims what Python's str.strip() would.
func trimPySpace(s string) string { return strings.TrimFunc(s, isPySpace) }

// containsPySpace reports whether s contains Python whitespace.
func containsPySpace(s string) bool { return strings.IndexFunc(s, isPySpace) >= 0 }

// pySpaceLen returns the length of the run of Python whitespace at s's start.
func pySpaceLen(s string) int { return runLen(s, isPySpace) }

// runLen returns the byte length of the prefix of s whose runes satisfy ok.
func runLen(s string, ok func(rune) bool) int {
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if !ok(r) {
			break
		}
		n += size
	}
	return n
}
