package index

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the decoder of PEP 691 JSON project pages: a scanner that
// walks the page once, decodes only the keys ParseJSON uses and skips every
// other value, while still checking that the whole page is JSON (RFC 8259).
// It replaces encoding/json, whose reflection made page parsing the largest
// CPU cost of a lock. Its results equal json.Unmarshal into the structs the
// parser used before (kept in pep691_test.go as the oracle of a
// differential test and fuzz target), including encoding/json's quirks:
//   - object keys match case-insensitively (bytes.EqualFold), as
//     encoding/json matches struct fields; a duplicate key's last value wins;
//   - a null into a string or object is a no-op, into a map or slice it
//     sets nil; a map value null is "";
//   - a repeated "files" or "versions" array decodes into the elements left
//     by the previous one (encoding/json reuses a slice's elements);
//   - invalid UTF-8 and lone surrogates in strings become U+FFFD;
//   - "size" must be an integer literal (1.0 and 1e3 are errors).
//
// Deliberate differences: error messages differ (they give the offset),
// and where the old result depended on Go's random map order it is now
// fixed: of two hash keys that differ only in case ("SHA256", "sha256") the
// later in the page wins. Nesting is limited to maxJSONDepth, as in
// encoding/json, by recursion that cannot overflow Go's growable stack.
//
// Strings of the page that need no unescaping are substrings of one copy
// of the page, so a File's strings keep that copy alive.

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

// jsonDecoder reads one JSON document.
type jsonDecoder struct {
	s     string
	i     int
	arena []kv // backing store of rawFile.hashes
}

type kv struct{ k, v string }

// jsonSyntaxError is a malformed page.
type jsonSyntaxError struct {
	off int
	msg string
}

func (e *jsonSyntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.off, e.msg) }

func (d *jsonDecoder) syntax(msg string) error { return &jsonSyntaxError{d.i, msg} }

func (d *jsonDecoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, 0 at the end.
func (d *jsonDecoder) peek() byte {
	d.ws()
	if d.i >= len(d.s) {
		return 0
	}
	return d.s[d.i]
}

// null consumes a null literal if one is next.
func (d *jsonDecoder) null() bool {
	if d.peek() == 'n' && strings.HasPrefix(d.s[d.i:], "null") {
		d.i += 4
		return true
	}
	return false
}

func (d *jsonDecoder) literal(lit string) error {
	if !strings.HasPrefix(d.s[d.i:], lit) {
		return d.syntax("invalid literal")
	}
	d.i += len(lit)
	return nil
}

// typeError names what the value at the current offset should have been.
func (d *jsonDecoder) typeError(field, want string) error {
	return fmt.Errorf("%s: want %s at offset %d", field, want, d.i)
}

// beginObject consumes '{' or fails naming field.
func (d *jsonDecoder) beginObject(field string) error {
	if d.peek() != '{' {
		return d.typeError(field, "an object")
	}
	d.i++
	return nil
}

// nextMember moves to the next member of an object, at its key's '"';
// ok is false at '}'.
func (d *jsonDecoder) nextMember(first *bool) (bool, error) {
	c := d.peek()
	if c == '}' {
		d.i++
		return false, nil
	}
	if !*first {
		if c != ',' {
			return false, d.syntax("want ',' or '}' in object")
		}
		d.i++
		c = d.peek()
	}
	*first = false
	if c != '"' {
		return false, d.syntax("want a string key")
	}
	return true, nil
}

// colon consumes the ':' after a key.
func (d *jsonDecoder) colon() error {
	if d.peek() != ':' {
		return d.syntax("want ':' after object key")
	}
	d.i++
	return nil
}

// nextKey reads the next key of an object and its ':'; ok is false at '}'.
func (d *jsonDecoder) nextKey(first *bool) (key string, ok bool, err error) {
	if ok, err = d.nextMember(first); !ok || err != nil {
		return "", false, err
	}
	if key, err = d.str(); err != nil {
		return "", false, err
	}
	return key, true, d.colon()
}

// nextElem moves to the next element of an array; ok is false at ']'.
func (d *jsonDecoder) nextElem(first *bool) (bool, error) {
	c := d.peek()
	if *first {
		*first = false
		if c == ']' {
			d.i++
			return false, nil
		}
		return true, nil
	}
	switch c {
	case ']':
		d.i++
		return false, nil
	case ',':
		d.i++
		return true, nil
	}
	return false, d.syntax("want ',' or ']' in array")
}

// str reads a string. One without escapes or non-ASCII bytes is a
// substring of the page.
func (d *jsonDecoder) str() (string, error) {
	d.i++ // '"'
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		if c == '"' {
			d.i++
			return d.s[start : d.i-1], nil
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			return d.strSlow(start)
		}
		d.i++
	}
	return "", d.syntax("unterminated string")
}

// strSlow unescapes a string from start, replacing invalid UTF-8 and lone
// surrogates by U+FFFD as encoding/json does.
func (d *jsonDecoder) strSlow(start int) (string, error) {
	b := make([]byte, 0, d.i-start+16)
	b = append(b, d.s[start:d.i]...)
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), nil
		case c < 0x20:
			return "", d.syntax("control character in string")
		case c == '\\':
			if d.i+1 >= len(d.s) {
				return "", d.syntax("unterminated string")
			}
			e := d.s[d.i+1]
			d.i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := hex4(d.s[d.i:])
				if !ok {
					return "", d.syntax("bad \\u escape")
				}
				d.i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if strings.HasPrefix(d.s[d.i:], `\u`) {
						r2, ok = hex4(d.s[d.i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						d.i += 6
						r = dec
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", d.syntax("bad escape in string")
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			d.i++
		default:
			r, n := utf8.DecodeRuneInString(d.s[d.i:])
			d.i += n
			b = utf8.AppendRune(b, r)
		}
	}
	return "", d.syntax("unterminated string")
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// skipStr checks a string without building it.
func (d *jsonDecoder) skipStr() error {
	d.i++
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return nil
		case c < 0x20:
			return d.syntax("control character in string")
		case c == '\\':
			if d.i+1 >= len(d.s) {
				return d.syntax("unterminated string")
			}
			switch d.s[d.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.i += 2
			case 'u':
				if _, ok := hex4(d.s[d.i+2:]); !ok {
					return d.syntax("bad \\u escape")
				}
				d.i += 6
			default:
				return d.syntax("bad escape in string")
			}
		default:
			d.i++
		}
	}
	return d.syntax("unterminated string")
}

// number reads a number literal (RFC 8259 grammar) and returns its text.
func (d *jsonDecoder) number() (string, error) {
	start := d.i
	s := d.s
	if d.i < len(s) && s[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(s) && s[d.i] == '0':
		d.i++
	case d.i < len(s) && '1' <= s[d.i] && s[d.i] <= '9':
		d.digits()
	default:
		return "", d.syntax("bad number")
	}
	if d.i < len(s) && s[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return "", d.syntax("bad number")
		}
	}
	if d.i < len(s) && (s[d.i] == 'e' || s[d.i] == 'E') {
		d.i++
		if d.i < len(s) && (s[d.i] == '+' || s[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return "", d.syntax("bad number")
		}
	}
	return s[start:d.i], nil
}

func (d *jsonDecoder) digits() int {
	start := d.i
	for d.i < len(d.s) && '0' <= d.s[d.i] && d.s[d.i] <= '9' {
		d.i++
	}
	return d.i - start
}

// skip checks and skips one value; depth counts the enclosing arrays and
// objects.
func (d *jsonDecoder) skip(depth int) error {
	switch d.peek() {
	case '"':
		return d.skipStr()
	case '{':
		if depth >= maxJSONDepth {
			return d.syntax("nested deeper than encoding/json allows")
		}
		d.i++
		first := true
		for {
			ok, err := d.nextMember(&first)
			if err != nil || !ok {
				return err
			}
			if err := d.skipStr(); err != nil {
				return err
			}
			if err := d.colon(); err != nil {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	case '[':
		if depth >= maxJSONDepth {
			return d.syntax("nested deeper than encoding/json allows")
		}
		d.i++
		first := true
		for {
			ok, err := d.nextElem(&first)
			if err != nil || !ok {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	case 0:
		return d.syntax("unexpected end of page")
	default:
		_, err := d.number()
		return err
	}
}

// raw skips one value and returns its text, as json.RawMessage holds it.
func (d *jsonDecoder) raw(depth int) (string, error) {
	d.ws()
	start := d.i
	if err := d.skip(depth); err != nil {
		return "", err
	}
	return d.s[start:d.i], nil
}

// strField reads a string into *dst; null leaves it, as encoding/json does.
func (d *jsonDecoder) strField(field string, dst *string) error {
	switch d.peek() {
	case '"':
		s, err := d.str()
		*dst = s
		return err
	case 'n':
		return d.literal("null")
	}
	return d.typeError(field, "a string")
}

// optStr reads a string or null into (*dst, *set), like a *string.
func (d *jsonDecoder) optStr(field string, dst *string, set *bool) error {
	if d.null() {
		*dst, *set = "", false
		return nil
	}
	if d.peek() != '"' {
		return d.typeError(field, "a string or null")
	}
	s, err := d.str()
	*dst, *set = s, true
	return err
}

// hashes reads an object of strings, appending its pairs to *dst (a map:
// null empties it); values null are "".
func (d *jsonDecoder) hashes(field string, dst *[]kv) error {
	if d.null() {
		*dst = nil
		return nil
	}
	if err := d.beginObject(field); err != nil {
		return err
	}
	fresh := len(*dst) == 0
	start := len(d.arena)
	first := true
	for {
		k, ok, err := d.nextKey(&first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		var v string
		switch d.peek() {
		case '"':
			if v, err = d.str(); err != nil {
				return err
			}
		case 'n':
			if err := d.literal("null"); err != nil {
				return err
			}
		default:
			return d.typeError(field, "string values")
		}
		if fresh {
			d.arena = append(d.arena, kv{k, v})
		} else {
			*dst = append(*dst, kv{k, v})
		}
	}
	if fresh {
		// cap-limited so that a later merge copies instead of
		// overwriting the next file's pairs
		*dst = d.arena[start:len(d.arena):len(d.arena)]
	}
	return nil
}

// rawFile is one entry of "files" as decoded, before checking.
type rawFile struct {
	filename, url                string
	hashes                       []kv // in page order; later keys win
	requiresPython               string
	hasRequiresPython            bool
	yanked, core, dist           string // the raw values; "" when absent
	size                         int64
	hasSize                      bool
	uploadTime, provenance       string
	hasUploadTime, hasProvenance bool
}

// rawPage is a decoded page.
type rawPage struct {
	apiVersion, name string
	versions         []string
	files            []rawFile
}

// keyIs matches an object key to a field name as encoding/json does.
func keyIs(key, name string) bool { return key == name || strings.EqualFold(key, name) }

// decodePage decodes a PEP 691 project page.
func decodePage(data []byte) (*rawPage, error) {
	d := &jsonDecoder{s: string(data)}
	p := &rawPage{}
	if d.peek() == '{' {
		if err := d.page(p); err != nil {
			return nil, err
		}
	} else if v, err := d.raw(0); err != nil {
		return nil, err
	} else if v != "null" {
		return nil, errors.New("the page is not a JSON object")
	}
	if d.peek() != 0 {
		return nil, d.syntax("data after the page")
	}
	return p, nil
}

func (d *jsonDecoder) page(p *rawPage) error {
	d.i++
	var versionsAll []string
	var filesAll []rawFile
	first := true
	for {
		key, ok, err := d.nextKey(&first)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		switch {
		case keyIs(key, "meta"):
			err = d.meta(p)
		case keyIs(key, "name"):
			err = d.strField("name", &p.name)
		case keyIs(key, "versions"):
			p.versions, versionsAll, err = array(d, "versions", versionsAll, d.version)
		case keyIs(key, "files"):
			if filesAll == nil {
				// a guess from the page size: about 500 bytes a file
				filesAll = make([]rawFile, 0, min(len(d.s)/500+1, 100000))
			}
			p.files, filesAll, err = array(d, "files", filesAll, d.file)
		default:
			err = d.skip(1)
		}
		if err != nil {
			return err
		}
	}
}

func (d *jsonDecoder) meta(p *rawPage) error {
	if d.null() {
		return nil
	}
	if err := d.beginObject("meta"); err != nil {
		return err
	}
	first := true
	for {
		key, ok, err := d.nextKey(&first)
		if err != nil || !ok {
			return err
		}
		if keyIs(key, "api-version") {
			err = d.strField("meta.api-version", &p.apiVersion)
		} else {
			err = d.skip(2)
		}
		if err != nil {
			return err
		}
	}
}

// array decodes an array into the elements left in all by an earlier
// array of the same key, as encoding/json reuses a slice's elements; it
// returns the slice and the new all.
func array[T any](d *jsonDecoder, field string, all []T, elem func(*T, int) error) ([]T, []T, error) {
	if d.null() {
		return nil, nil, nil
	}
	if d.peek() != '[' {
		return nil, nil, d.typeError(field, "an array")
	}
	d.i++
	n := 0
	first := true
	for {
		ok, err := d.nextElem(&first)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			break
		}
		if n == len(all) {
			var zero T
			all = append(all, zero)
		}
		if err := elem(&all[n], n); err != nil {
			return nil, nil, err
		}
		n++
	}
	if n == 0 {
		return []T{}, nil, nil
	}
	return all[:n:n], all, nil
}

func (d *jsonDecoder) version(v *string, _ int) error { return d.strField("versions[]", v) }

func (d *jsonDecoder) file(f *rawFile, n int) error {
	if d.null() {
		return nil
	}
	if d.peek() != '{' {
		return d.typeError(fmt.Sprintf("files[%d]", n), "an object")
	}
	d.i++
	first := true
	for {
		key, ok, err := d.nextKey(&first)
		if err != nil || !ok {
			return err
		}
		if name := fileField(key); name != "" {
			err = d.fileKey(f, name)
		} else {
			err = d.skip(3)
		}
		if err != nil {
			return fmt.Errorf("files[%d].%w", n, err)
		}
	}
}

// fileFields are the keys of a file that ParseJSON uses.
var fileFields = [...]string{"filename", "url", "hashes", "requires-python", "yanked",
	"core-metadata", "dist-info-metadata", "size", "upload-time", "provenance"}

// fileField returns the field key names, matched as encoding/json does, or
// "" for a key to skip.
func fileField(key string) string {
	for _, name := range fileFields {
		if key == name {
			return name
		}
	}
	for _, name := range fileFields {
		if strings.EqualFold(key, name) {
			return name
		}
	}
	return ""
}

func (d *jsonDecoder) fileKey(f *rawFile, name string) (err error) {
	switch name {
	case "filename":
		err = d.strField("filename", &f.filename)
	case "url":
		err = d.strField("url", &f.url)
	case "hashes":
		err = d.hashes("hashes", &f.hashes)
	case "requires-python":
		err = d.optStr("requires-python", &f.requiresPython, &f.hasRequiresPython)
	case "yanked":
		f.yanked, err = d.raw(3)
	case "core-metadata":
		f.core, err = d.raw(3)
	case "dist-info-metadata":
		f.dist, err = d.raw(3)
	case "size":
		err = d.size(f)
	case "upload-time":
		err = d.optStr("upload-time", &f.uploadTime, &f.hasUploadTime)
	case "provenance":
		err = d.optStr("provenance", &f.provenance, &f.hasProvenance)
	}
	return err
}

// size reads an integer or null, as encoding/json fills an *int64.
func (d *jsonDecoder) size(f *rawFile) error {
	if d.null() {
		f.size, f.hasSize = 0, false
		return nil
	}
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		return d.typeError("size", "an integer")
	}
	at := d.i
	num, err := d.number()
	if err != nil {
		return err
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return fmt.Errorf("size: %s at offset %d is not an integer", truncate(num), at)
	}
	f.size, f.hasSize = v, true
	return nil
}
