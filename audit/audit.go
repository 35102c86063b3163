package audit

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/wheel"
)

// This file holds the exposure audit (Run): which names that private
// indexes serve can someone else publish on the public index, and which
// would plain pip already take from there. Collecting the indexes from pip's
// configuration is pure too (ParsePipConfig, PipIndexes); reading the files
// is the caller's.

// Class is how exposed one private project is.
type Class string

// The classes, from the attacker's point of view.
const (
	// Unclaimed: the public index has no such project; anyone can
	// register the name and publish any version.
	Unclaimed Class = "unclaimed"
	// Shadowed: plain pip, given both indexes, picks a version the public
	// index serves (a higher one, or the same one, which pip may take from
	// either index). The attack works today.
	Shadowed Class = "shadowed"
	// Claimed: the public index has the name, with lower versions only.
	Claimed Class = "claimed"
	// Pinned: safepip's routing (packages in safepip.toml) already sends
	// the project to one index. Plain pip is as exposed as the public
	// versions say.
	Pinned Class = "pinned"
)

// Index is one index a pip user on this machine would hit.
type Index struct {
	Name string
	// URL may hold credentials: use it for requests only, never print it
	// (use Display).
	URL       string
	FindLinks bool
	// Sources say where the index was declared: "requirements.txt:3
	// (--extra-index-url)", "/etc/pip.conf:4 [global] extra-index-url",
	// "PIP_EXTRA_INDEX_URL", "safepip.toml:7".
	Sources []string
	// Declared is true for an [[index]] of safepip.toml, which a remedy
	// extends instead of declaring it anew.
	Declared bool
}

// Display returns the URL with credentials and query values removed.
func (x Index) Display() string { return index.Redact(x.URL) }

// SameURL reports whether two index URLs name the same index: credentials,
// the case of scheme and host, and a trailing slash do not count.
func SameURL(a, b string) bool { return urlKey(a) == urlKey(b) }

func urlKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" && u.Scheme != "file" {
		return strings.TrimRight(raw, "/")
	}
	u.User = nil
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String()
}

// Fetcher is what the audit needs of the index client (*index.Client).
type Fetcher interface {
	// Project returns the files an index offers for a project;
	// *index.NotFoundError when it has none.
	Project(ctx context.Context, idx index.Index, name string) (*index.Project, error)
	// Download writes the bytes at f.URL to w with the client's HTTP rules
	// (credentials, retries, redirects, time-outs); the audit reads root
	// pages with it.
	Download(ctx context.Context, idx index.Index, f index.File, w io.Writer) (string, error)
}

// Options are the inputs of Run.
type Options struct {
	// Public is the public index (PyPI's simple API by default): the one
	// an attacker can publish to.
	Public Index
	// Indexes are every index collected; those with the public URL are
	// skipped, the others are private.
	Indexes []Index
	// Names are projects named by the requirements files and the lock: the
	// ones checked on a private index whose project list is not available.
	Names []string
	// Pin returns the index safepip routes name to when its packages pin
	// it (config.Config.Pin); nil: nothing is pinned.
	Pin func(name string) (indexName string, ok bool, err error)
	// Parallel bounds the requests in flight; 0 means 8.
	Parallel int
	// MaxListed is the longest project list taken as a private index's
	// own (0 means 5000): an index listing more is a mirror or proxy of
	// the public index, whose every name is on the public index by
	// construction; only the named projects are checked on it.
	MaxListed int
}

// Report is the audit's answer.
type Report struct {
	Public   IndexReport   `json:"public_index"`
	Indexes  []IndexReport `json:"indexes"`
	Findings []Finding     `json:"findings"`
	Errors   []string      `json:"errors"`
}

// IndexReport is one index as the audit saw it.
type IndexReport struct {
	Name    string   `json:"name"`
	URL     string   `json:"url"`  // credentials removed
	Kind    string   `json:"kind"` // "simple" or "find-links"
	Public  bool     `json:"public"`
	Sources []string `json:"sources"`
	// Listed is true when the projects checked came from the index's own
	// project list (/simple/), false when they are the names of the
	// requirements and the lock that the index has.
	Listed   bool   `json:"listed"`
	Projects int    `json:"projects"` // projects checked on it
	Note     string `json:"note,omitempty"`
	Error    string `json:"error,omitempty"`
}

// Finding is one private project and its exposure.
type Finding struct {
	Project string `json:"project"` // PEP 503 normalized
	Class   Class  `json:"class"`
	Index   string `json:"index"` // the private index serving it
	// PinnedTo is the index safepip routes the project to (class pinned).
	PinnedTo       string   `json:"pinned_to,omitempty"`
	Versions       []string `json:"versions"`        // the private index's, ascending, yanked left out
	PublicVersions []string `json:"public_versions"` // the public index's; empty when unclaimed
	Remedy         string   `json:"remedy"`
}

// Count returns how many findings are of class c.
func (r *Report) Count(c Class) int {
	n := 0
	for _, f := range r.Findings {
		if f.Class == c {
			n++
		}
	}
	return n
}

// ExposureError is an audit that found exposure: a shadowed project, or
// with strict an unclaimed one (exit status 1).
type ExposureError struct {
	Shadowed, Unclaimed int
	Strict              bool
}

func (e *ExposureError) Error() string {
	var parts []string
	if e.Shadowed > 0 {
		parts = append(parts, fmt.Sprintf("%d shadowed (plain pip installs the public copy today)", e.Shadowed))
	}
	if e.Strict && e.Unclaimed > 0 {
		parts = append(parts, fmt.Sprintf("%d unclaimed (anyone can publish the name)", e.Unclaimed))
	}
	return "audit found exposure: " + strings.Join(parts, ", ")
}

// Check returns an *ExposureError when the report shows a shadowed
// project, or with strict an unclaimed one; nil otherwise.
func (r *Report) Check(strict bool) error {
	s, u := r.Count(Shadowed), r.Count(Unclaimed)
	if s > 0 || strict && u > 0 {
		return &ExposureError{Shadowed: s, Unclaimed: u, Strict: strict}
	}
	return nil
}

// IncompleteError is an audit that could not ask every index it had to:
// its report is not an all-clear (exit status 4). Errs are the failures,
// *index.NetworkError and *index.PageError among them.
type IncompleteError struct{ Errs []error }

func (e *IncompleteError) Error() string {
	msgs := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		msgs[i] = err.Error()
	}
	return "audit incomplete, an index could not be read: " + strings.Join(msgs, "; ")
}

func (e *IncompleteError) Unwrap() []error { return e.Errs }

// defaultMaxListed is Options.MaxListed's default.
const defaultMaxListed = 5000

// maxRootBytes bounds a root page (PyPI's, 600k projects, is ~30 MB; a
// private index's is small).
const maxRootBytes = 64 << 20

// Run audits every private index against the public one. A failure to read
// an index goes into the report and makes the error an *IncompleteError;
// the findings of the indexes that answered are kept. Findings are sorted
// by project and index.
func Run(ctx context.Context, f Fetcher, o Options) (*Report, error) {
	par := o.Parallel
	if par <= 0 {
		par = 8
	}
	if o.MaxListed <= 0 {
		o.MaxListed = defaultMaxListed
	}
	pub := toIndex(o.Public)
	r := &Report{Public: indexReport(o.Public, true), Findings: []Finding{}, Errors: []string{}}
	var private []Index
	for _, x := range o.Indexes {
		if SameURL(x.URL, o.Public.URL) {
			r.Public.Sources = append(r.Public.Sources, x.Sources...)
			continue
		}
		private = append(private, x)
	}
	names := normalizeNames(o.Names)

	// 1. Each private index's project list.
	lists := make([][]string, len(private))
	reports := make([]IndexReport, len(private))
	errs := make([]error, len(private))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(par)
	for i, x := range private {
		reports[i] = indexReport(x, false)
		g.Go(func() error {
			list, note, err := projectList(gctx, f, x, o.MaxListed)
			switch {
			case err != nil:
				errs[i] = err
			case list == nil:
				lists[i], reports[i].Note = names, note
			default:
				lists[i], reports[i].Listed = list, true
			}
			return nil
		})
	}
	g.Wait()

	// 2. Each (private index, project): the private versions. A project
	// named but absent from an index that cannot list is not its own.
	type pair struct {
		ix       int
		name     string
		versions []pep440.Version
		found    bool
		err      error
	}
	var pairs []*pair
	for i, list := range lists {
		for _, n := range list {
			pairs = append(pairs, &pair{ix: i, name: n})
		}
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(par)
	for _, p := range pairs {
		g.Go(func() error {
			proj, err := f.Project(gctx, toIndex(private[p.ix]), p.name)
			var nf *index.NotFoundError
			switch {
			case errors.As(err, &nf):
			case err != nil:
				p.err = err
			default:
				p.found, p.versions = true, versionsOf(proj)
			}
			return nil
		})
	}
	g.Wait()

	// 3. The public index, once per name.
	type answer struct {
		versions []pep440.Version
		exists   bool
		err      error
	}
	public := map[string]*answer{}
	var asks []string
	for _, p := range pairs {
		if p.found && public[p.name] == nil {
			public[p.name] = &answer{}
			asks = append(asks, p.name)
		}
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(par)
	for _, n := range asks {
		a := public[n]
		g.Go(func() error {
			proj, err := f.Project(gctx, pub, n)
			var nf *index.NotFoundError
			switch {
			case errors.As(err, &nf):
			case err != nil:
				a.err = err
			default:
				a.exists, a.versions = true, versionsOf(proj)
			}
			return nil
		})
	}
	g.Wait()

	// 4. Classify.
	var all []error
	for i := range private {
		if errs[i] != nil {
			reports[i].Error = errs[i].Error()
			all = append(all, errs[i])
		}
	}
	for _, p := range pairs {
		x := private[p.ix]
		if p.err != nil {
			all = append(all, p.err)
			if reports[p.ix].Error == "" {
				reports[p.ix].Error = p.err.Error()
			}
			continue
		}
		if !p.found {
			continue
		}
		reports[p.ix].Projects++
		a := public[p.name]
		if a.err != nil {
			continue // reported once below
		}
		fd := Finding{Project: p.name, Index: x.Name, Versions: strs(p.versions), PublicVersions: strs(a.versions)}
		if o.Pin != nil {
			to, ok, err := o.Pin(p.name)
			if err != nil {
				return nil, err
			}
			if ok {
				fd.Class, fd.PinnedTo = Pinned, to
			}
		}
		if fd.Class == "" {
			fd.Class = classify(p.versions, a.versions, a.exists)
		}
		fd.Remedy = remedy(fd, x)
		r.Findings = append(r.Findings, fd)
	}
	for _, n := range asks {
		if err := public[n].err; err != nil {
			all = append(all, err)
			if r.Public.Error == "" {
				r.Public.Error = err.Error()
			}
		}
	}
	r.Indexes = reports
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Project, b.Project), strings.Compare(a.Index, b.Index))
	})
	for _, err := range all {
		r.Errors = append(r.Errors, err.Error())
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}
	if len(all) > 0 {
		return r, &IncompleteError{Errs: all}
	}
	return r, nil
}

// classify decides the class of an unpinned project from the versions each
// index offers (yanked ones left out, as pip leaves them out).
func classify(private, public []pep440.Version, exists bool) Class {
	if !exists {
		return Unclaimed
	}
	best, ok := pick(append(slices.Clone(private), public...))
	if ok && slices.ContainsFunc(public, func(v pep440.Version) bool { return v.Compare(best) == 0 }) {
		return Shadowed
	}
	return Claimed
}

// pick returns the version pip installs for a bare requirement: the
// highest final release, or, when there is none, the highest pre-release.
func pick(vs []pep440.Version) (pep440.Version, bool) {
	var best pep440.Version
	found, final := false, false
	for _, v := range vs {
		f := !v.IsPrerelease()
		switch {
		case !found, f && !final, f == final && v.Compare(best) > 0:
			best, found, final = v, true, f
		}
	}
	return best, found
}

// remedy is the one line that fixes f, private being its index.
func remedy(f Finding, private Index) string {
	pinLine := fmt.Sprintf("add %q to packages of [[index]] %q in safepip.toml", f.Project, private.Name)
	if !private.Declared {
		pinLine = fmt.Sprintf("declare it in safepip.toml: [[index]] name = %q, url = %q, packages = [%q]", private.Name, private.Display(), f.Project)
	}
	switch f.Class {
	case Unclaimed:
		return fmt.Sprintf("%s, and reserve the name: safepip placeholder %s", pinLine, f.Project)
	case Shadowed:
		v, _ := pick(parseAll(f.PublicVersions))
		return fmt.Sprintf("pin it now: %s (plain pip installs the public %s today)", pinLine, v)
	case Claimed:
		return fmt.Sprintf("%s: a higher public release would take over plain pip", pinLine)
	}
	if len(f.PublicVersions) == 0 {
		return fmt.Sprintf("none for safepip (routed to %q); reserve the public name for plain pip: safepip placeholder %s", f.PinnedTo, f.Project)
	}
	return fmt.Sprintf("none for safepip (routed to %q); plain pip still sees the public versions", f.PinnedTo)
}

func toIndex(x Index) index.Index {
	return index.Index{Name: x.Name, URL: x.URL, FindLinks: x.FindLinks}
}

func indexReport(x Index, public bool) IndexReport {
	kind := "simple"
	if x.FindLinks {
		kind = "find-links"
	}
	src := slices.Clone(x.Sources)
	if src == nil {
		src = []string{}
	}
	return IndexReport{Name: x.Name, URL: x.Display(), Kind: kind, Public: public, Sources: src}
}

// versionsOf returns the distinct versions of p's files that are not
// yanked, ascending. Files whose names do not parse are left out, as pip
// leaves them out.
func versionsOf(p *index.Project) []pep440.Version {
	var vs []pep440.Version
	for _, f := range p.Files {
		if f.Yanked {
			continue
		}
		_, v, ok := parseFilename(f.Filename)
		if !ok || slices.ContainsFunc(vs, func(w pep440.Version) bool { return w.Compare(v) == 0 }) {
			continue
		}
		vs = append(vs, v)
	}
	slices.SortFunc(vs, pep440.Version.Compare)
	return vs
}

func parseFilename(name string) (string, pep440.Version, bool) {
	if strings.HasSuffix(strings.ToLower(name), ".whl") {
		w, err := wheel.ParseWheel(name)
		return w.Name, w.Version, err == nil
	}
	s, err := wheel.ParseSdist(name)
	return s.Name, s.Version, err == nil
}

func strs(vs []pep440.Version) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}

func parseAll(ss []string) []pep440.Version {
	var vs []pep440.Version
	for _, s := range ss {
		if v, err := pep440.Parse(s); err == nil {
			vs = append(vs, v)
		}
	}
	return vs
}

func normalizeNames(names []string) []string {
	var out []string
	for _, n := range names {
		if !pep508.ValidName(n) {
			continue
		}
		n = pep508.NormalizeName(n)
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// projectList returns the projects x lists: its /simple/ root page, or the
// projects of the files on a --find-links page. It returns nil and a note
// when there is no list to read (a local directory, a root page the index
// does not serve, a list too long to be private).
func projectList(ctx context.Context, f Fetcher, x Index, maxListed int) ([]string, string, error) {
	u, err := url.Parse(x.URL)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return nil, "no project list for a local index: checked the named projects", nil
	}
	page := *u
	if !x.FindLinks {
		page.Path = strings.TrimRight(u.Path, "/") + "/"
		page.RawPath = ""
	}
	var buf bytes.Buffer
	_, err = f.Download(ctx, toIndex(x), index.File{Filename: "project-list", URL: page.String()}, &limitWriter{w: &buf, n: maxRootBytes})
	var ne *index.NetworkError
	if errors.As(err, &ne) {
		switch ne.Status {
		case 403, 404, 405, 410, 501:
			return nil, fmt.Sprintf("the index does not list its projects (%d): checked the named projects", ne.Status), nil
		}
	}
	if err != nil {
		return nil, "", err
	}
	var names []string
	if x.FindLinks {
		names, err = ParseLinks(buf.Bytes())
	} else {
		names, err = ParseRoot(buf.Bytes())
	}
	if err != nil {
		return nil, "", &index.PageError{Index: x.Name, URL: index.Redact(page.String()), Err: err}
	}
	if len(names) > maxListed {
		return nil, fmt.Sprintf("lists %d projects, more than %d: a mirror of the public index? checked the named projects", len(names), maxListed), nil
	}
	if names == nil {
		names = []string{}
	}
	return names, "", nil
}

// limitWriter fails once more than n bytes are written.
type limitWriter struct {
	w io.Writer
	n int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		return 0, fmt.Errorf("project list larger than %d bytes", maxRootBytes)
	}
	l.n -= int64(len(p))
	return l.w.Write(p)
}

// ParseRoot parses a simple repository's root page, the list of its
// projects: PEP 691 JSON ({"projects": [{"name": ...}]}) when the page is
// a JSON object, else PEP 503 HTML, whose anchors' texts are the names.
// It returns the valid names, normalized, sorted, without repeats; names
// that are not valid project names are left out.
func ParseRoot(data []byte) ([]string, error) {
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		var page struct {
			Meta struct {
				APIVersion string `json:"api-version"`
			} `json:"meta"`
			Projects []struct {
				Name string `json:"name"`
			} `json:"projects"`
		}
		if err := json.Unmarshal(t, &page); err != nil {
			return nil, fmt.Errorf("root page: %v", err)
		}
		if major, _, _ := strings.Cut(page.Meta.APIVersion, "."); major != "" && major != "1" {
			return nil, fmt.Errorf("root page: unsupported api-version %q (want 1.x)", page.Meta.APIVersion)
		}
		names := make([]string, len(page.Projects))
		for i, p := range page.Projects {
			names[i] = p.Name
		}
		return normalizeNames(names), nil
	}
	var names []string
	for _, a := range anchors(data) {
		name := strings.TrimSpace(a.text)
		if name == "" {
			name = path.Base(strings.TrimRight(a.href, "/"))
		}
		names = append(names, name)
	}
	return normalizeNames(names), nil
}

// ParseLinks parses a --find-links page and returns the projects its
// wheels and sdists belong to, normalized, sorted, without repeats.
func ParseLinks(data []byte) ([]string, error) {
	var names []string
	for _, a := range anchors(data) {
		href := a.href
		if i := strings.IndexAny(href, "?#"); i >= 0 {
			href = href[:i]
		}
		file, err := url.PathUnescape(path.Base(href))
		if err != nil {
			continue
		}
		if name, _, ok := parseFilename(file); ok {
			names = append(names, name)
		}
	}
	return normalizeNames(names), nil
}

type anchor struct{ href, text string }

// anchors returns the <a> elements of an HTML page: their href attribute
// and their text, entities decoded. It is a tolerant scan, not a full HTML
// parser: a name it misreads is a name checked in vain, never a crash.
func anchors(data []byte) []anchor {
	s := string(data)
	lower := asciiLower(s)
	var out []anchor
	for i := 0; ; {
		j := strings.Index(lower[i:], "<a")
		if j < 0 {
			return out
		}
		start := i + j + 2
		if start < len(s) && !isSpace(s[start]) && s[start] != '>' {
			i = start
			continue
		}
		end := strings.IndexByte(s[start:], '>')
		if end < 0 {
			return out
		}
		tag := s[start : start+end]
		textStart := start + end + 1
		close := strings.Index(lower[textStart:], "</a")
		if close < 0 {
			close = len(s) - textStart
		}
		out = append(out, anchor{href: attr(tag, "href"), text: html.UnescapeString(s[textStart : textStart+close])})
		i = textStart + close
	}
}

// attr returns the value of the attribute name in the inside of a tag.
func attr(tag, name string) string {
	lower := asciiLower(tag)
	for i := 0; ; {
		j := strings.Index(lower[i:], name)
		if j < 0 {
			return ""
		}
		k := i + j
		i = k + len(name)
		if k > 0 && !isSpace(tag[k-1]) {
			continue
		}
		rest := strings.TrimLeft(tag[i:], " \t\r\n")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\r\n")
		if rest == "" {
			return ""
		}
		if q := rest[0]; q == '"' || q == '\'' {
			if e := strings.IndexByte(rest[1:], q); e >= 0 {
				return html.UnescapeString(rest[1 : 1+e])
			}
			return html.UnescapeString(rest[1:])
		}
		if e := strings.IndexAny(rest, " \t\r\n"); e >= 0 {
			rest = rest[:e]
		}
		return html.UnescapeString(rest)
	}
}

// asciiLower lowers ASCII letters only, so that offsets in the result are
// offsets in s (strings.ToLower may change the length of invalid UTF-8).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
