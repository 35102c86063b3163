package index

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/wheel"
)

// Content types of the simple API (PEP 691).
const (
	ContentTypeJSON = "application/vnd.pypi.simple.v1+json"
	ContentTypeHTML = "application/vnd.pypi.simple.v1+html"
)

// acceptHeader prefers JSON, then the versioned HTML, then plain HTML.
const acceptHeader = ContentTypeJSON + ", " + ContentTypeHTML + ";q=0.2, text/html;q=0.01"

// ParseHTML parses a PEP 503 HTML project page (or a --find-links page)
// served at pageURL. Links are resolved against pageURL or the page's
// <base href>; a file's name is the last path segment of its link (PEP 503
// requires the anchor text to match it); hashes come from "#sha256=..."
// fragments; data-* attributes are HTML-unescaped. Links that are not files (directories, other URL
// schemes) are left out and named in Project.Skipped. Project.Name is
// empty: an HTML page does not state it reliably.
//
// An error means the page cannot be trusted: an unparsable page URL, a
// malformed hash, or a filename with a path separator, "..", or a control
// character.
func ParseHTML(pageURL string, data []byte) (*Project, error) {
	page, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("page URL %q: %w", Redact(pageURL), urlErr(err))
	}
	base := page
	baseSet := false
	p := &Project{URL: Redact(pageURL)}
	tk := tokenizer{data: data}
	for {
		name, attrs, ok := tk.next()
		if !ok {
			break
		}
		switch name {
		case "base":
			if href, ok := attrs["href"]; ok && !baseSet {
				baseSet = true
				u, err := page.Parse(strings.TrimSpace(href))
				if err != nil {
					return nil, fmt.Errorf("<base href=%q>: %w", Redact(href), urlErr(err))
				}
				base = u
			}
		case "meta":
			if attrs["name"] == "pypi:repository-version" {
				p.APIVersion = attrs["content"]
			}
		case "a":
			href, ok := attrs["href"]
			if !ok {
				continue
			}
			f, skip, err := htmlFile(page, base, strings.TrimSpace(href), attrs)
			if err != nil {
				return nil, err
			}
			if skip != "" {
				p.Skipped = append(p.Skipped, skip)
				continue
			}
			p.Files = append(p.Files, f)
		}
	}
	if err := checkAPIVersion(p.APIVersion); err != nil {
		return nil, err
	}
	return p, nil
}

// htmlFile builds a File from one anchor. A non-empty skip says why the
// link is not a file.
func htmlFile(page, base *url.URL, href string, attrs map[string]string) (f File, skip string, err error) {
	u, err := base.Parse(href)
	if err != nil {
		return f, fmt.Sprintf("link %q: %v", Redact(href), urlErr(err)), nil
	}
	if !linkSchemeOK(page, u) {
		return f, fmt.Sprintf("link %q: scheme %q not allowed on this page", Redact(u.String()), u.Scheme), nil
	}
	filename, err := lastSegment(u)
	if err != nil {
		return f, "", err
	}
	if filename == "" {
		return f, fmt.Sprintf("link %q: not a file", Redact(u.String())), nil
	}
	f = File{Filename: filename, Hashes: map[string]string{}}
	if algo, value, ok := strings.Cut(u.Fragment, "="); ok && knownHash(algo) {
		algo, value, err := checkHash(algo, value)
		if err != nil {
			return f, "", fmt.Errorf("file %q: %w", filename, err)
		}
		f.Hashes[algo] = value
	}
	f.URL = cleanURL(u)
	f.RequiresPython = strings.TrimSpace(attrs["data-requires-python"])
	if reason, ok := attrs["data-yanked"]; ok {
		f.Yanked, f.YankedReason = true, reason
	}
	meta, ok := attrs["data-core-metadata"]
	if !ok {
		meta, ok = attrs["data-dist-info-metadata"]
	}
	if ok {
		if f.CoreMetadata, f.CoreMetadataHashes, err = htmlMetadataAttr(meta); err != nil {
			return f, "", fmt.Errorf("file %q: data-core-metadata: %w", filename, err)
		}
	}
	if prov, ok := attrs["data-provenance"]; ok && prov != "" {
		pu, err := base.Parse(strings.TrimSpace(prov))
		if err != nil || !linkSchemeOK(page, pu) {
			return f, "", fmt.Errorf("file %q: bad data-provenance %q", filename, Redact(prov))
		}
		f.Provenance = cleanURL(pu)
	}
	return f, "", nil
}

// htmlMetadataAttr parses a PEP 714 attribute: "true" or "<hash>=<hex>".
func htmlMetadataAttr(v string) (bool, map[string]string, error) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "true", "":
		return true, map[string]string{}, nil
	case "false":
		return false, nil, nil
	}
	algo, value, ok := strings.Cut(v, "=")
	if !ok {
		return false, nil, fmt.Errorf("%q is neither \"true\" nor <hash>=<hex>", v)
	}
	algo, value, err := checkHash(algo, value)
	if err != nil {
		return false, nil, err
	}
	return true, map[string]string{algo: value}, nil
}

// ParseJSON parses a PEP 691 JSON project page served at pageURL. Relative
// file URLs are resolved against pageURL. The page must state a 1.x
// meta.api-version and a name; any malformed field, hash or filename is an
// error naming the file. The page is decoded by decodePage (pep691.go).
func ParseJSON(pageURL string, data []byte) (*Project, error) {
	page, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("page URL %q: %w", Redact(pageURL), urlErr(err))
	}
	jp, err := decodePage(data)
	if err != nil {
		return nil, fmt.Errorf("malformed JSON page: %w", err)
	}
	if jp.apiVersion == "" {
		return nil, errors.New("JSON page has no meta.api-version")
	}
	if err := checkAPIVersion(jp.apiVersion); err != nil {
		return nil, err
	}
	if jp.name == "" {
		return nil, errors.New("JSON page has no project name")
	}
	p := &Project{Name: jp.name, URL: Redact(pageURL), APIVersion: jp.apiVersion, Versions: jp.versions}
	if len(jp.files) > 0 {
		p.Files = make([]File, len(jp.files))
	}
	r := urlResolver{page: page}
	for i := range jp.files {
		jf := &jp.files[i]
		if err := jsonToFile(&r, jf, &p.Files[i]); err != nil {
			if jf.filename == "" {
				return nil, fmt.Errorf("files[%d]: %w", i, err)
			}
			return nil, fmt.Errorf("file %q: %w", jf.filename, err)
		}
	}
	return p, nil
}

// jsonToFile checks jf and fills f.
func jsonToFile(r *urlResolver, jf *rawFile, f *File) error {
	*f = File{Filename: jf.filename}
	if jf.filename == "" {
		return errors.New("no filename")
	}
	if err := checkFilename(jf.filename); err != nil {
		return err
	}
	if jf.url == "" {
		return errors.New("no url")
	}
	var err error
	if f.URL, err = r.resolve(jf.url); err != nil {
		return err
	}
	if f.Hashes, err = jsonHashes(jf.hashes); err != nil {
		return err
	}
	if jf.hasRequiresPython {
		f.RequiresPython = strings.TrimSpace(jf.requiresPython)
	}
	if f.Yanked, f.YankedReason, err = jsonYanked(jf.yanked); err != nil {
		return err
	}
	meta := jf.core
	if meta == "" || meta == "null" {
		meta = jf.dist
	}
	if f.CoreMetadata, f.CoreMetadataHashes, err = jsonMetadata(meta); err != nil {
		return err
	}
	if jf.hasSize {
		if jf.size < 0 {
			return fmt.Errorf("negative size %d", jf.size)
		}
		f.Size = jf.size
	}
	if jf.hasUploadTime {
		t, err := time.Parse(time.RFC3339Nano, jf.uploadTime)
		if err != nil {
			return fmt.Errorf("upload-time %q is not an ISO 8601 time like 2006-01-02T15:04:05.000000Z", jf.uploadTime)
		}
		f.UploadTime = t.UTC()
	}
	if jf.hasProvenance && jf.provenance != "" {
		pu, err := r.page.Parse(jf.provenance)
		if err != nil || !linkSchemeOK(r.page, pu) {
			return fmt.Errorf("bad provenance URL %q", Redact(jf.provenance))
		}
		f.Provenance = cleanURL(pu)
	}
	return nil
}

// jsonHashes checks a "hashes" dict given as its pairs in page order. Like
// a map decoded by encoding/json, a repeated key keeps its last value.
// Unknown hashes that are not hex are dropped: we cannot use them anyway.
func jsonHashes(pairs []kv) (map[string]string, error) {
	// What nearly every index sends: one sha256, lower-case hex.
	if len(pairs) == 1 && pairs[0].k == "sha256" && len(pairs[0].v) == 64 && isLowerHex(pairs[0].v) {
		return map[string]string{"sha256": pairs[0].v}, nil
	}
	out := make(map[string]string, len(pairs))
	for i, p := range pairs {
		if shadowed(pairs, i) {
			continue
		}
		if !knownHash(p.k) && !isHex(p.v) {
			continue
		}
		algo, value, err := checkHash(p.k, p.v)
		if err != nil {
			return nil, err
		}
		out[algo] = value
	}
	return out, nil
}

// shadowed reports whether a later pair repeats the key of pairs[i].
func shadowed(pairs []kv, i int) bool {
	for _, q := range pairs[i+1:] {
		if q.k == pairs[i].k {
			return true
		}
	}
	return false
}

// jsonYanked decodes PEP 691 "yanked" given as its raw value: false, true,
// or a reason string.
func jsonYanked(raw string) (bool, string, error) {
	switch raw {
	case "", "null", "false":
		return false, "", nil
	case "true":
		return true, "", nil
	}
	if raw[0] == '"' {
		d := jsonDecoder{s: raw}
		reason, err := d.str()
		return true, reason, err
	}
	return false, "", fmt.Errorf("yanked is %s, want a boolean or a string", truncate(raw))
}

// jsonMetadata decodes PEP 691/714 "core-metadata" given as its raw value:
// a boolean or a dict of hashes.
func jsonMetadata(raw string) (bool, map[string]string, error) {
	switch raw {
	case "", "null", "false":
		return false, nil, nil
	case "true":
		return true, map[string]string{}, nil
	}
	d := jsonDecoder{s: raw}
	var pairs []kv
	if raw[0] != '{' || d.hashes("core-metadata", &pairs) != nil {
		return false, nil, fmt.Errorf("core-metadata is %s, want a boolean or a dict of hashes", truncate(raw))
	}
	out, err := jsonHashes(pairs)
	if err != nil {
		return false, nil, fmt.Errorf("core-metadata: %w", err)
	}
	return true, out, nil
}

// urlResolver resolves file URLs against a page as
// cleanURL(page.Parse(ref)) with linkSchemeOK does, with fast paths for the
// two common forms: absolute http(s) URLs of plain characters, returned as
// they are, and relative paths of plain characters, whose directory is
// resolved once.
type urlResolver struct {
	page      *url.URL
	dir, base string // the last relative directory and its resolved form
}

func (r *urlResolver) resolve(ref string) (string, error) {
	if plainAbsURL(ref) {
		return ref, nil
	}
	if dir, seg, ok := plainRelPath(ref); ok {
		if r.base == "" || dir != r.dir {
			probe, err := r.slow(dir + "x")
			if err != nil || !strings.HasSuffix(probe, "/x") {
				return r.slow(ref)
			}
			r.dir, r.base = dir, probe[:len(probe)-1]
		}
		return r.base + seg, nil
	}
	return r.slow(ref)
}

func (r *urlResolver) slow(ref string) (string, error) {
	u, err := r.page.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("url %q: %w", Redact(ref), urlErr(err))
	}
	if !linkSchemeOK(r.page, u) {
		return "", fmt.Errorf("url %q: scheme %q not allowed on this page", Redact(u.String()), u.Scheme)
	}
	return cleanURL(u), nil
}

// plainAbsURL reports whether ref is http(s)://host[:port]/path made of
// characters url.URL.String leaves as they are, with no "." or ".."
// segment, so that it is its own resolved, cleaned form.
func plainAbsURL(ref string) bool {
	var rest string
	switch {
	case strings.HasPrefix(ref, "https://"):
		rest = ref[len("https://"):]
	case strings.HasPrefix(ref, "http://"):
		rest = ref[len("http://"):]
	default:
		return false
	}
	slash := strings.IndexByte(rest, '/')
	if slash <= 0 {
		return false
	}
	host, path := rest[:slash], rest[slash:]
	if h, port, ok := strings.Cut(host, ":"); ok {
		if h == "" || port == "" || strings.Trim(port, "0123456789") != "" {
			return false
		}
		host = h
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; !isAlnum(c) && c != '.' && c != '-' {
			return false
		}
	}
	return plainPath(path)
}

// plainRelPath splits a relative reference made of plain characters into
// its directory ("" or ending in "/") and a last segment that is neither
// empty, "." nor "..".
func plainRelPath(ref string) (dir, seg string, ok bool) {
	if ref == "" || ref[0] == '/' || !plainChars(ref) {
		return "", "", false
	}
	i := strings.LastIndexByte(ref, '/') + 1
	dir, seg = ref[:i], ref[i:]
	if seg == "" || seg == "." || seg == ".." || strings.Contains(ref, "//") {
		return "", "", false
	}
	return dir, seg, true
}

// plainPath reports whether p is plain characters with no "//" and no
// segment starting with ".".
func plainPath(p string) bool {
	return plainChars(p) && !strings.Contains(p, "//") && !strings.Contains(p, "/.")
}

// plainChars reports whether s holds only characters that a URL path keeps
// unescaped and that end no part of a URL.
func plainChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '.' && c != '_' && c != '~' && c != '/' && c != '+' {
			return false
		}
	}
	return true
}

// checkAPIVersion accepts an absent version and any 1.x.
func checkAPIVersion(v string) error {
	if v == "" {
		return nil
	}
	major, _, _ := strings.Cut(v, ".")
	if major != "1" {
		return fmt.Errorf("unsupported repository API version %q (safepip speaks 1.x)", truncate(v))
	}
	return nil
}

// hashHexLen holds the digest lengths of the hashes pip knows.
var hashHexLen = map[string]int{
	"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128,
}

func knownHash(algo string) bool {
	_, ok := hashHexLen[strings.ToLower(algo)]
	return ok
}

// checkHash lower-cases a hash and checks it is hex of the right length.
func checkHash(algo, value string) (string, string, error) {
	algo, value = strings.ToLower(algo), strings.ToLower(value)
	if !isHex(value) {
		return "", "", fmt.Errorf("%s hash %q is not hex", algo, truncate(value))
	}
	if n, ok := hashHexLen[algo]; ok && len(value) != n {
		return "", "", fmt.Errorf("%s hash %q has %d hex digits, want %d", algo, truncate(value), len(value), n)
	}
	return algo, value, nil
}

func isHex(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// checkFilename refuses names that could escape a directory or confuse a
// terminal.
func checkFilename(name string) error {
	if strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") {
		return fmt.Errorf("filename %q holds a path separator or \"..\"", truncate(name))
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("filename %q holds a control character", truncate(name))
		}
	}
	return nil
}

// lastSegment returns the unescaped last path segment of u, checked by
// checkFilename; "" when u names a directory.
func lastSegment(u *url.URL) (string, error) {
	p := u.EscapedPath()
	seg := p[strings.LastIndex(p, "/")+1:]
	name, err := url.PathUnescape(seg)
	if err != nil {
		return "", fmt.Errorf("link %q: %w", Redact(u.String()), err)
	}
	if name == "" {
		return "", nil
	}
	if err := checkFilename(name); err != nil {
		return "", err
	}
	return name, nil
}

// linkSchemeOK allows http(s) links anywhere and file links only on a
// file:// page: a remote page must never point us at local files.
func linkSchemeOK(page, link *url.URL) bool {
	switch link.Scheme {
	case "http", "https":
		return link.Host != ""
	case "file":
		return page.Scheme == "file"
	}
	return false
}

// cleanURL returns u without credentials or fragment.
func cleanURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// truncate shortens hostile values before they reach a message.
func truncate(s string) string {
	const maxLen = 80
	if len(s) > maxLen {
		return s[:maxLen] + "..."
	}
	return s
}

// parseName parses a distribution file name and checks that it is a wheel
// or sdist (PEP 427, PEP 625 and legacy sdists) of project, a PEP 503
// normalized name: one of the results is set when ok; when it is not, why
// says so.
func parseName(filename, project string) (w *wheel.Wheel, sd *wheel.Sdist, ok bool, why string) {
	var name string
	if strings.HasSuffix(strings.ToLower(filename), ".whl") {
		pw, err := wheel.ParseWheel(filename)
		if err != nil {
			return nil, nil, false, err.Error()
		}
		w, name = &pw, pw.Name
	} else {
		ps, err := wheel.ParseSdist(filename)
		if err != nil {
			return nil, nil, false, err.Error()
		}
		sd, name = &ps, ps.Name
	}
	if name != project {
		return nil, nil, false, fmt.Sprintf("%q is a file of %q, not %q", truncate(filename), name, project)
	}
	return w, sd, true, ""
}

// selectProject checks that page p is the page of project and keeps only
// its files, moving the others to Skipped. A page naming another project
// is an error.
func selectProject(p *Project, project string, quiet bool) error {
	if p.Name != "" && pep508.NormalizeName(p.Name) != project {
		return fmt.Errorf("page is for project %q, not %q", truncate(p.Name), project)
	}
	p.Name = project
	kept := p.Files[:0]
	for _, f := range p.Files {
		w, sd, ok, why := parseName(f.Filename, project)
		if ok {
			f.Wheel, f.Sdist = w, sd
			kept = append(kept, f)
		} else if !quiet {
			p.Skipped = append(p.Skipped, why)
		}
	}
	p.Files = kept
	return nil
}

// tokenizer finds start tags and their attributes in HTML. It is enough for
// simple-API pages: it skips comments, doctype, end tags and the bodies of
// script and style elements, and never fails: malformed markup ends a tag or
// the page.
type tokenizer struct {
	data []byte
	pos  int
}

// next returns the next start tag's lower-case name and its attributes
// (lower-case names, unescaped values, first occurrence wins).
func (t *tokenizer) next() (string, map[string]string, bool) {
	d := t.data
	for {
		i := indexByte(d, t.pos, '<')
		if i < 0 {
			t.pos = len(d)
			return "", nil, false
		}
		t.pos = i + 1
		if hasPrefixAt(d, t.pos, "!--") {
			end := indexString(d, t.pos+3, "-->")
			if end < 0 {
				t.pos = len(d)
				return "", nil, false
			}
			t.pos = end + 3
			continue
		}
		start := t.pos
		for t.pos < len(d) && isAlnum(d[t.pos]) {
			t.pos++
		}
		if t.pos == start {
			continue // end tag, doctype, stray "<"
		}
		name := strings.ToLower(string(d[start:t.pos]))
		attrs := t.attrs()
		if name == "script" || name == "style" {
			end := indexFold(d, t.pos, "</"+name)
			if end < 0 {
				t.pos = len(d)
			} else {
				t.pos = end
			}
			continue
		}
		return name, attrs, true
	}
}

func (t *tokenizer) attrs() map[string]string {
	d := t.data
	attrs := map[string]string{}
	for t.pos < len(d) {
		for t.pos < len(d) && (isSpace(d[t.pos]) || d[t.pos] == '/') {
			t.pos++
		}
		if t.pos >= len(d) {
			break
		}
		if d[t.pos] == '>' {
			t.pos++
			break
		}
		start := t.pos
		for t.pos < len(d) && !isSpace(d[t.pos]) && d[t.pos] != '=' && d[t.pos] != '>' && d[t.pos] != '/' {
			t.pos++
		}
		key := strings.ToLower(string(d[start:t.pos]))
		for t.pos < len(d) && isSpace(d[t.pos]) {
			t.pos++
		}
		value := ""
		if t.pos < len(d) && d[t.pos] == '=' {
			t.pos++
			for t.pos < len(d) && isSpace(d[t.pos]) {
				t.pos++
			}
			if t.pos < len(d) && (d[t.pos] == '"' || d[t.pos] == '\'') {
				q := d[t.pos]
				end := indexByte(d, t.pos+1, q)
				if end < 0 {
					end = len(d)
				}
				value = string(d[t.pos+1 : end])
				t.pos = min(end+1, len(d))
			} else {
				vs := t.pos
				for t.pos < len(d) && !isSpace(d[t.pos]) && d[t.pos] != '>' {
					t.pos++
				}
				value = string(d[vs:t.pos])
			}
		}
		if _, dup := attrs[key]; !dup && key != "" {
			attrs[key] = html.UnescapeString(value)
		}
	}
	return attrs
}

func indexByte(d []byte, from int, c byte) int {
	if from >= len(d) {
		return -1
	}
	i := bytes.IndexByte(d[from:], c)
	if i < 0 {
		return -1
	}
	return from + i
}

func indexString(d []byte, from int, s string) int {
	if from > len(d) {
		return -1
	}
	i := bytes.Index(d[from:], []byte(s))
	if i < 0 {
		return -1
	}
	return from + i
}

func indexFold(d []byte, from int, s string) int {
	for i := from; i+len(s) <= len(d); i++ {
		if d[i] == '<' && bytes.EqualFold(d[i:i+len(s)], []byte(s)) {
			return i
		}
	}
	return -1
}

func hasPrefixAt(d []byte, at int, s string) bool {
	return at+len(s) <= len(d) && string(d[at:at+len(s)]) == s
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// isLowerHex reports whether s is lower-case hex digits only.
func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
