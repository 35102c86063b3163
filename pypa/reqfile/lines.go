package reqfile

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// line is one logical line of a requirements file: physical lines joined,
// comments removed, variables expanded. num is the first physical line.
type line struct {
	num  int
	text string
}

var errNotUTF8 = errors.New("file is not UTF-8 text; save it as UTF-8")

// decode returns data as text: UTF-8 with an optional BOM, or UTF-16 with a
// BOM, the encodings pip's auto_decode recognises without a coding
// declaration.
func decode(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0, 0}):
		return decodeUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(data[2:], true)
	}
	if !utf8.Valid(data) {
		return "", errNotUTF8
	}
	return string(data), nil
}

func decodeUTF16(data []byte, bigEndian bool) (string, error) {
	if len(data)%2 != 0 {
		return "", errors.New("file has a UTF-16 byte order mark but an odd length")
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	return string(utf16.Decode(units)), nil
}

// splitLines splits text as Python's str.splitlines does: at \n, \r, \r\n,
// \v, \f, \x1c, \x1d, \x1e, \x85, U+2028 and U+2029, without a final empty
// line.
func splitLines(text string) []string {
	lines := make([]string, 0, strings.Count(text, "\n")+1)
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			lines = append(lines, text[start:i])
			i += size
			start = i
		case '\r':
			lines = append(lines, text[start:i])
			i += size
			if i < len(text) && text[i] == '\n' {
				i++
			}
			start = i
		default:
			i += size
		}
	}
	if start < len(text) {
		lines = append(lines, text[start:])
	}
	return lines
}

// isSpace reports whether r is whitespace for Python's str.isspace and the
// \s of its re module.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || 0x1c <= r && r <= 0x1f
}

func trimSpace(s string) string { return strings.TrimFunc(s, isSpace) }

// isCommentLine reports whether s is a comment line: only whitespace before
// a "#" (pip's COMMENT_RE.match).
func isCommentLine(s string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(s, isSpace), "#")
}

// stripComment removes the first "#" that starts the line or follows
// whitespace, the whitespace before it and everything after it
// (pip's COMMENT_RE.sub).
func stripComment(s string) string {
	wsStart := -1 // start of the current run of whitespace
	for i, r := range s {
		switch {
		case r == '#' && i == 0:
			return ""
		case r == '#' && wsStart >= 0:
			return s[:wsStart]
		case isSpace(r):
			if wsStart < 0 {
				wsStart = i
			}
		default:
			wsStart = -1
		}
	}
	return s
}

// joinLines joins a line ending in a backslash with the next one, as pip's
// join_lines: the backslashes at both ends of the continued line are
// removed, a comment line ends the join, and the joined line takes the
// number of its first physical line.
func joinLines(physical []string) []line {
	out := make([]line, 0, len(physical))
	var pending []string
	first := 0
	for i, s := range physical {
		num := i + 1
		comment := isCommentLine(s)
		if !strings.HasSuffix(s, `\`) || comment {
			if comment {
				s = " " + s // so the comment is still removed after joining
			}
			if pending != nil {
				pending = append(pending, s)
				out = append(out, line{first, strings.Join(pending, "")})
				pending = nil
			} else {
				out = append(out, line{num, s})
			}
			continue
		}
		if pending == nil {
			first = num
		}
		pending = append(pending, strings.Trim(s, `\`))
	}
	if pending != nil {
		out = append(out, line{first, strings.Join(pending, "")})
	}
	return out
}

var errTooManyVars = fmt.Errorf("%w: more than %d distinct ${NAME} references on one line", ErrTooLarge, MaxVarsPerLine)

// expandVars replaces ${NAME} references, NAME being upper case ASCII
// letters, digits and "_", when getenv reports a non-empty value. Like pip,
// the references are found in the original line and each is then replaced
// everywhere in the current text (a value may thus bring in a reference
// that a later replacement fills).
func expandVars(s string, getenv func(string) (string, bool)) (string, error) {
	if getenv == nil || !strings.Contains(s, "${") {
		return s, nil
	}
	var refs []string
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) || s[i+1] != '{' {
			continue
		}
		j := i + 2
		for j < len(s) && ('A' <= s[j] && s[j] <= 'Z' || '0' <= s[j] && s[j] <= '9' || s[j] == '_') {
			j++
		}
		if j > i+2 && j < len(s) && s[j] == '}' {
			if ref := s[i : j+1]; !slices.Contains(refs, ref) {
				if len(refs) == MaxVarsPerLine {
					return "", errTooManyVars
				}
				refs = append(refs, ref)
			}
			i = j
		}
	}
	for _, ref := range refs {
		value, ok := getenv(ref[2 : len(ref)-1])
		if !ok || value == "" {
			continue
		}
		s = strings.ReplaceAll(s, ref, value)
	}
	return s, nil
}

// logicalLines runs pip's preprocess: split, join, strip comments and blank
// lines, expand variables. An error is for the line number returned.
func logicalLines(text string, getenv func(string) (string, bool)) ([]line, int, error) {
	joined := joinLines(splitLines(text))
	out := joined[:0]
	for _, l := range joined {
		s := trimSpace(stripComment(l.text))
		if s == "" {
			continue
		}
		s, err := expandVars(s, getenv)
		if err != nil {
			return nil, l.num, err
		}
		out = append(out, line{l.num, s})
	}
	return out, 0, nil
}
