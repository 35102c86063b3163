package pep440

import (
	"fmt"
	"math"
	"strings"
)

// maxVersionBytes bounds the length of a version string (after trimming
// whitespace): no real version comes close, and it keeps keys small.
const maxVersionBytes = 1024

// Version is a parsed, valid PEP 440 version. Values are immutable.
//
// v == w compares normalized strings; use Compare for PEP 440 equality.
type Version struct {
	s   string // normalized form, packaging's str(Version)
	key string // sort key: Compare is a byte comparison of keys

	// ends of the sections of key (see appendKey)
	epochEnd, relEnd, preEnd, postEnd, pubEnd int

	nrel  int // number of release components, trailing zeros included
	flags uint8
}

const (
	hasPre uint8 = 1 << iota
	hasPost
	hasDev
	hasLocal
)

// ParseError reports a version or specifier that is not valid PEP 440.
// Callers add where the text came from: fmt.Errorf("%s:%d: %w", file, line, err).
type ParseError struct {
	Input string // the text given to the parser
	Msg   string // what is wrong with it
}

// maxErrorInput bounds how much of a hostile input an error message repeats.
const maxErrorInput = 100

// Error returns the input, quoted and cut to maxErrorInput bytes, and what
// is wrong with it: "1.0.": trailing ".".
func (e *ParseError) Error() string {
	in := e.Input
	if len(in) > maxErrorInput {
		in = in[:maxErrorInput] + "..."
	}
	return fmt.Sprintf("%q: %s", in, e.Msg)
}

// Parse parses a PEP 440 version, accepting every spelling PEP 440 allows
// and normalizing it ("1.0RC1" -> "1.0rc1").
func Parse(s string) (Version, error) {
	t := trimSpace(s)
	if len(t) > maxVersionBytes {
		return Version{}, &ParseError{s, fmt.Sprintf("longer than %d bytes", maxVersionBytes)}
	}
	var rel [8]string
	p := parts{release: rel[:0]}
	if msg := p.scan(t, false); msg != "" {
		return Version{}, &ParseError{s, msg}
	}
	return p.version(), nil
}

// MustParse is Parse for tests and constants; it panics on error.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the normalized form.
func (v Version) String() string { return v.s }

// Canonical returns the normalized form with the trailing zeros of the
// release dropped, as packaging's canonicalize_version does ("1.0.0rc1" ->
// "1rc1"). Two versions compare equal exactly when their canonical forms
// are equal, so it serves as a map key.
func (v Version) Canonical() string {
	i := baseEnd(v.s)
	rel := v.s[:i]
	for strings.HasSuffix(rel, ".0") {
		rel = rel[:len(rel)-2]
	}
	if len(rel) == i {
		return v.s
	}
	return rel + v.s[i:]
}

// Compare returns -1, 0 or +1 as v sorts before, equal to or after o.
func (v Version) Compare(o Version) int { return strings.Compare(v.key, o.key) }

// comparePublic is Compare with the local labels of v and o ignored.
func (v Version) comparePublic(o Version) int {
	return strings.Compare(v.key[:v.pubEnd], o.key[:o.pubEnd])
}

// sameBase reports whether v and o have equal epochs and releases.
func (v Version) sameBase(o Version) bool { return v.key[:v.relEnd] == o.key[:o.relEnd] }

// IsPrerelease reports whether v is a pre-release or a developmental release.
func (v Version) IsPrerelease() bool { return v.flags&(hasPre|hasDev) != 0 }

// IsPostrelease reports whether v has a post-release segment.
func (v Version) IsPostrelease() bool { return v.flags&hasPost != 0 }

// IsDevrelease reports whether v has a developmental release segment.
func (v Version) IsDevrelease() bool { return v.flags&hasDev != 0 }

// Local returns the local version label ("" when there is none).
func (v Version) Local() string {
	if i := strings.IndexByte(v.s, '+'); i >= 0 {
		return v.s[i+1:]
	}
	return ""
}

// Public returns v without its local version label.
func (v Version) Public() Version {
	if v.flags&hasLocal == 0 {
		return v
	}
	return v.reparse(v.s[:strings.IndexByte(v.s, '+')])
}

// BaseVersion returns the epoch and release of v ("1!2.0rc1+x" -> "1!2.0").
func (v Version) BaseVersion() Version {
	i := baseEnd(v.s)
	if i == len(v.s) {
		return v
	}
	return v.reparse(v.s[:i])
}

// baseEnd returns the length of the epoch and release in the normalized
// version s.
func baseEnd(s string) int {
	i := 0
	for i < len(s) && (isDigit(s[i]) || s[i] == '!' || s[i] == '.' && i+1 < len(s) && isDigit(s[i+1])) {
		i++
	}
	return i
}

// reparse parses a piece of a normalized version, which cannot fail.
func (v Version) reparse(s string) Version {
	var p parts
	if msg := p.scan(s, false); msg != "" {
		panic("pep440: normalized version " + v.s + " does not re-parse: " + msg)
	}
	return p.version()
}

func (v Version) parts() parts {
	var p parts
	if v.s != "" {
		p.scan(v.s, false)
	}
	return p
}

// Epoch returns the epoch (0 when there is none). A number too large for
// an int is reported as math.MaxInt; String and Compare stay exact.
func (v Version) Epoch() int { return atoiSat(v.parts().epoch) }

// Release returns the release numbers, trailing zeros included. A number too
// large for an int is reported as math.MaxInt; String and Compare stay exact.
func (v Version) Release() []int {
	p := v.parts()
	r := make([]int, len(p.release))
	for i, d := range p.release {
		r[i] = atoiSat(d)
	}
	return r
}

// Pre returns the pre-release kind ("a", "b" or "rc") and number, if any.
func (v Version) Pre() (kind string, n int, ok bool) {
	p := v.parts()
	if p.preKind == "" {
		return "", 0, false
	}
	return p.preKind, atoiSat(p.preN), true
}

// Post returns the post-release number, if any.
func (v Version) Post() (n int, ok bool) {
	p := v.parts()
	return atoiSat(p.postN), p.hasPost
}

// Dev returns the developmental release number, if any.
func (v Version) Dev() (n int, ok bool) {
	p := v.parts()
	return atoiSat(p.devN), p.hasDev
}

// atoiSat converts a digit string without leading zeros, saturating at
// math.MaxInt.
func atoiSat(d string) int {
	n := 0
	for i := 0; i < len(d); i++ {
		c := int(d[i] - '0')
		if n > (math.MaxInt-c)/10 {
			return math.MaxInt
		}
		n = n*10 + c
	}
	return n
}

// parts holds a version as scanned; numbers are digit strings without
// leading zeros ("0" for zero).
type parts struct {
	epoch   string
	release []string
	preKind string // "", "a", "b" or "rc"
	preN    string
	hasPost bool
	postN   string
	hasDev  bool
	devN    string
	local   []string // lower case, numeric parts without leading zeros
}

// scan parses s (already trimmed) into p, returning "" or what is wrong.
// With prefix set, s is the text before ".*" of a wildcard specifier and may
// not have a dev or local segment.
func (p *parts) scan(s string, prefix bool) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return fmt.Sprintf("non-ASCII character at byte %d", i)
		}
	}
	if s == "" {
		return "empty version"
	}
	i := 0
	if s[0] == 'v' || s[0] == 'V' {
		i++
	}
	j := digitsEnd(s, i)
	if j == i {
		return fmt.Sprintf("no release number at %q (want something like \"1.0\")", s[i:])
	}
	p.epoch = "0"
	if j < len(s) && s[j] == '!' {
		p.epoch = trimZeros(s[i:j])
		i = j + 1
		j = digitsEnd(s, i)
		if j == i {
			return fmt.Sprintf("no release number after epoch %q", s[:i])
		}
	}
	p.release = append(p.release[:0], trimZeros(s[i:j]))
	i = j
	for i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		j = digitsEnd(s, i+1)
		p.release = append(p.release, trimZeros(s[i+1:j]))
		i = j
	}

	// pre-release: [-_.]? (a|b|c|rc|alpha|beta|pre|preview) [-_.]? N?
	j = i
	if j < len(s) && isSep(s[j]) {
		j++
	}
	if kw, kind := preWord(s[j:]); kw > 0 {
		p.preKind = kind
		i, p.preN = letterNumber(s, j+kw)
	}

	// post-release: -N | [-_.]? (post|rev|r) [-_.]? N?
	if i+1 < len(s) && s[i] == '-' && isDigit(s[i+1]) {
		j = digitsEnd(s, i+1)
		p.hasPost, p.postN = true, trimZeros(s[i+1:j])
		i = j
	} else {
		j = i
		if j < len(s) && isSep(s[j]) {
			j++
		}
		if kw := postWord(s[j:]); kw > 0 {
			p.hasPost = true
			i, p.postN = letterNumber(s, j+kw)
		}
	}

	// dev release: [-_.]? dev [-_.]? N?
	j = i
	if j < len(s) && isSep(s[j]) {
		j++
	}
	if hasWordFold(s[j:], "dev") {
		if prefix {
			return "no dev release allowed before \".*\""
		}
		p.hasDev = true
		i, p.devN = letterNumber(s, j+3)
	}

	// local version label: + [a-z0-9]+ ([-_.][a-z0-9]+)*
	if i < len(s) && s[i] == '+' {
		if prefix {
			return "no local version label allowed before \".*\""
		}
		label := s[i+1:]
		if label == "" {
			return "empty local version label after \"+\""
		}
		start := 0
		for k := 0; k <= len(label); k++ {
			if k < len(label) && isAlnum(label[k]) {
				continue
			}
			if k < len(label) && !isSep(label[k]) {
				return fmt.Sprintf("local version label %q has %q (want letters, digits and . - _)", label, label[k:k+1])
			}
			part := label[start:k]
			if part == "" {
				return fmt.Sprintf("local version label %q has an empty part", label)
			}
			if isAllDigits(part) {
				part = trimZeros(part)
			} else {
				part = strings.ToLower(part)
			}
			p.local = append(p.local, part)
			start = k + 1
		}
		i = len(s)
	}

	if i < len(s) {
		rest := s[i:]
		if len(rest) == 1 && isSep(rest[0]) {
			return fmt.Sprintf("trailing %q", rest)
		}
		return fmt.Sprintf("unexpected %q after %q", rest, s[:i])
	}
	return ""
}

// letterNumber scans the optional "[-_.]? N?" after a pre, post or dev
// word at i. A separator without a number is consumed: nothing after it
// could need it (the regular expression accepts the same strings).
func letterNumber(s string, i int) (int, string) {
	j := i
	if j < len(s) && isSep(s[j]) {
		j++
	}
	if k := digitsEnd(s, j); k > j {
		return k, trimZeros(s[j:k])
	}
	return j, "0"
}

// preWord returns the length and normal spelling of the pre-release word
// that s starts with. The longest word wins: no continuation after the
// shorter one ("a" of "alpha", "pre" of "preview") could match.
func preWord(s string) (int, string) {
	for _, w := range [...]struct{ word, kind string }{
		{"preview", "rc"}, {"alpha", "a"}, {"beta", "b"}, {"pre", "rc"},
		{"rc", "rc"}, {"a", "a"}, {"b", "b"}, {"c", "rc"},
	} {
		if hasWordFold(s, w.word) {
			return len(w.word), w.kind
		}
	}
	return 0, ""
}

// postWord returns the length of the post-release word that s starts with.
func postWord(s string) int {
	for _, w := range [...]string{"post", "rev", "r"} {
		if hasWordFold(s, w) {
			return len(w)
		}
	}
	return 0
}

// hasWordFold reports whether s starts with the lower-case ASCII word w,
// ignoring ASCII case.
func hasWordFold(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if s[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isSep(c byte) bool   { return c == '.' || c == '-' || c == '_' }
func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isAllDigits(s string) bool {
	return s != "" && digitsEnd(s, 0) == len(s)
}

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// trimZeros returns the digits d without leading zeros, "0" for zero.
func trimZeros(d string) string {
	for len(d) > 1 && d[0] == '0' {
		d = d[1:]
	}
	return d
}

// trimSpace trims what Python's str.strip and regular expression \s treat
// as whitespace, which includes U+001C..U+001F and Unicode spaces.
func trimSpace(s string) string {
	return strings.TrimFunc(s, isPySpace)
}

func isPySpace(r rune) bool {
	switch {
	case r == ' ', '\t' <= r && r <= '\r', 0x1c <= r && r <= 0x1f:
		return true
	case r < 0x80:
		return false
	}
	switch r {
	case 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200a
}

// version builds the normalized string and sort key of p in one allocation.
func (p *parts) version() Version {
	var v Version
	b := make([]byte, 0, 64)
	if p.epoch != "0" {
		b = append(b, p.epoch...)
		b = append(b, '!')
	}
	for i, r := range p.release {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, r...)
	}
	if p.preKind != "" {
		v.flags |= hasPre
		b = append(b, p.preKind...)
		b = append(b, p.preN...)
	}
	if p.hasPost {
		v.flags |= hasPost
		b = append(b, ".post"...)
		b = append(b, p.postN...)
	}
	if p.hasDev {
		v.flags |= hasDev
		b = append(b, ".dev"...)
		b = append(b, p.devN...)
	}
	if len(p.local) > 0 {
		v.flags |= hasLocal
		b = append(b, '+')
		for i, part := range p.local {
			if i > 0 {
				b = append(b, '.')
			}
			b = append(b, part...)
		}
	}
	n := len(b)
	b = p.appendKey(b, &v)
	all := string(b)
	v.s, v.key = all[:n], all[n:]
	v.epochEnd -= n
	v.relEnd -= n
	v.preEnd -= n
	v.postEnd -= n
	v.pubEnd -= n
	v.nrel = len(p.release)
	return v
}

// Key bytes. The key of a version is a byte string whose order is
// packaging's order of _cmpkey tuples:
//
//	epoch      number
//	release    (keyItem number)* keyEnd, trailing zeros dropped
//	pre        keyLow (dev release only) | keyPreA/B/RC number | keyHigh (none)
//	post       keyLow (none) | keyItem number
//	dev        keyItem number | keyHigh (none)
//	local      keyLow (none) | keyItem ((keyAlpha text 0x00) | (keyNum number))* keyEnd
//
// A number is its length in two big-endian bytes, then its digits, zero
// being empty, so longer numbers sort after shorter ones.
const (
	keyEnd   = 0x01
	keyLow   = 0x01
	keyItem  = 0x02
	keyAlpha = 0x02
	keyNum   = 0x03
	keyPreA  = 0x02
	keyPreB  = 0x03
	keyPreRC = 0x04
	keyHigh  = 0x05
)

func (p *parts) appendKey(b []byte, v *Version) []byte {
	b = appendNum(b, p.epoch)
	v.epochEnd = len(b)
	rel := p.release
	for len(rel) > 0 && rel[len(rel)-1] == "0" {
		rel = rel[:len(rel)-1]
	}
	for _, r := range rel {
		b = append(b, keyItem)
		b = appendNum(b, r)
	}
	b = append(b, keyEnd)
	v.relEnd = len(b)
	switch p.preKind {
	case "a":
		b = appendNum(append(b, keyPreA), p.preN)
	case "b":
		b = appendNum(append(b, keyPreB), p.preN)
	case "rc":
		b = appendNum(append(b, keyPreRC), p.preN)
	default:
		if !p.hasPost && p.hasDev {
			b = append(b, keyLow) // 1.0.dev0 sorts before 1.0a0
		} else {
			b = append(b, keyHigh)
		}
	}
	v.preEnd = len(b)
	if p.hasPost {
		b = appendNum(append(b, keyItem), p.postN)
	} else {
		b = append(b, keyLow)
	}
	v.postEnd = len(b)
	if p.hasDev {
		b = appendNum(append(b, keyItem), p.devN)
	} else {
		b = append(b, keyHigh)
	}
	v.pubEnd = len(b)
	if len(p.local) == 0 {
		return append(b, keyLow)
	}
	b = append(b, keyItem)
	for _, part := range p.local {
		if isAllDigits(part) {
			b = appendNum(append(b, keyNum), part)
		} else {
			b = append(append(b, keyAlpha), part...)
			b = append(b, 0)
		}
	}
	return append(b, keyEnd)
}

func appendNum(b []byte, d string) []byte {
	if d == "0" {
		d = ""
	}
	return append(append(b, byte(len(d)>>8), byte(len(d))), d...)
}

// readNum reads a number written by appendNum at k[i:].
func readNum(k string, i int) (d string, next int) {
	n := int(k[i])<<8 | int(k[i+1])
	return k[i+2 : i+2+n], i + 2 + n
}
