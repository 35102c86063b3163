package metadata

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
)

// Metadata is a parsed core metadata file.
type Metadata struct {
	MetadataVersion string // "1.0" through "2.4"
	Name            string // as written; pep508.NormalizeName for comparisons
	Version         pep440.Version

	Summary                string
	Description            string // the body, or the Description header
	DescriptionContentType string
	Keywords               []string // split at commas (or spaces when there is no comma)
	HomePage               string
	DownloadURL            string
	Author                 string
	AuthorEmail            string
	Maintainer             string
	MaintainerEmail        string
	License                string
	LicenseExpression      string // SPDX expression, Metadata-Version 2.4
	LicenseFiles           []string
	Classifiers            []string
	Platforms              []string
	SupportedPlatforms     []string
	ProjectURLs            []ProjectURL

	RequiresDist     []pep508.Requirement
	RequiresPython   pep440.SpecifierSet // empty when absent
	RequiresExternal []string
	ProvidesExtra    []string // PEP 685 normalized, in order, without repeats
	ProvidesDist     []string
	ObsoletesDist    []string
	Dynamic          []string // field names as written, Metadata-Version 2.2

	headers []Header
	body    string
}

// ProjectURL is one Project-URL: "label, url".
type ProjectURL struct {
	Label string
	URL   string
}

// Parse parses a METADATA or PKG-INFO file named name.
func Parse(name string, data []byte) (*Metadata, error) {
	headers, body, err := parseHeaders(name, data)
	if err != nil {
		return nil, err
	}
	m := &Metadata{headers: headers, body: body}
	fieldErr := func(h Header, err error) error {
		return &Error{File: name, Line: h.Line, Field: h.Name, Value: h.Value, Err: err}
	}
	required := func(field string) (Header, error) {
		h, ok := m.first(field)
		if !ok || unfold(h.Value) == "" {
			return h, &Error{File: name, Err: fmt.Errorf("%w: %s", ErrMissingField, field)}
		}
		return h, nil
	}

	h, err := required("Metadata-Version")
	if err != nil {
		return nil, err
	}
	m.MetadataVersion = unfold(h.Value)
	if !knownVersion(m.MetadataVersion) {
		return nil, fieldErr(h, errors.New("unsupported Metadata-Version; this tool reads 1.0, 1.1, 1.2 and 2.x"))
	}
	if h, err = required("Name"); err != nil {
		return nil, err
	}
	m.Name = unfold(h.Value)
	if !pep508.ValidName(m.Name) {
		return nil, fieldErr(h, errors.New("invalid project name; use ASCII letters, digits and . _ - between them"))
	}
	if h, err = required("Version"); err != nil {
		return nil, err
	}
	if m.Version, err = pep440.Parse(unfold(h.Value)); err != nil {
		return nil, fieldErr(h, err)
	}

	m.Summary = m.single("Summary")
	m.DescriptionContentType = m.single("Description-Content-Type")
	m.HomePage = m.single("Home-page")
	m.DownloadURL = m.single("Download-URL")
	m.Author = m.single("Author")
	m.AuthorEmail = m.single("Author-email")
	m.Maintainer = m.single("Maintainer")
	m.MaintainerEmail = m.single("Maintainer-email")
	m.License = m.single("License")
	m.LicenseExpression = m.single("License-Expression")
	m.LicenseFiles = m.multi("License-File")
	m.Classifiers = m.multi("Classifier")
	m.Platforms = m.multi("Platform")
	m.SupportedPlatforms = m.multi("Supported-Platform")
	m.RequiresExternal = m.multi("Requires-External")
	m.ProvidesDist = m.multi("Provides-Dist")
	m.ObsoletesDist = m.multi("Obsoletes-Dist")
	m.Dynamic = m.multi("Dynamic")
	m.Keywords = splitKeywords(m.single("Keywords"))

	m.Description = body
	if strings.TrimSpace(body) == "" {
		if h, ok := m.first("Description"); ok {
			m.Description = unescapeDescription(h.Value)
		}
	}

	for _, h := range m.all("Project-URL") {
		label, url, ok := strings.Cut(unfold(h.Value), ",")
		if !ok {
			label, url = "", label
		}
		m.ProjectURLs = append(m.ProjectURLs, ProjectURL{strings.TrimSpace(label), strings.TrimSpace(url)})
	}
	for _, h := range m.all("Requires-Dist") {
		r, err := pep508.ParseRequirement(unfold(h.Value))
		if err != nil {
			return nil, fieldErr(h, err)
		}
		m.RequiresDist = append(m.RequiresDist, r)
	}
	if h, ok := m.first("Requires-Python"); ok {
		if m.RequiresPython, err = pep440.ParseSpecifierSet(unfold(h.Value)); err != nil {
			return nil, fieldErr(h, err)
		}
	}
	for _, h := range m.all("Provides-Extra") {
		extra := unfold(h.Value)
		if !pep508.ValidName(extra) {
			return nil, fieldErr(h, errors.New("invalid extra name; use ASCII letters, digits and . _ - between them"))
		}
		extra = pep508.NormalizeExtra(extra)
		if !contains(m.ProvidesExtra, extra) {
			m.ProvidesExtra = append(m.ProvidesExtra, extra)
		}
	}
	return m, nil
}

func knownVersion(v string) bool {
	switch v {
	case "1.0", "1.1", "1.2":
		return true
	}
	minor, ok := strings.CutPrefix(v, "2.")
	return ok && minor != "" && strings.Trim(minor, "0123456789") == ""
}

// Get returns the values of every header named field, compared without
// regard to case, in file order; nil when there is none.
func (m *Metadata) Get(field string) []string {
	var out []string
	for _, h := range m.all(field) {
		out = append(out, h.Value)
	}
	return out
}

// Headers returns every header in file order.
func (m *Metadata) Headers() []Header { return append([]Header(nil), m.headers...) }

// Body returns the text after the headers ("" when there is none).
func (m *Metadata) Body() string { return m.body }

func (m *Metadata) all(field string) []Header {
	var out []Header
	for _, h := range m.headers {
		if strings.EqualFold(h.Name, field) {
			out = append(out, h)
		}
	}
	return out
}

func (m *Metadata) first(field string) (Header, bool) {
	for _, h := range m.headers {
		if strings.EqualFold(h.Name, field) {
			return h, true
		}
	}
	return Header{}, false
}

func (m *Metadata) single(field string) string {
	h, _ := m.first(field)
	return unfold(h.Value)
}

func (m *Metadata) multi(field string) []string {
	var out []string
	for _, h := range m.all(field) {
		out = append(out, unfold(h.Value))
	}
	return out
}

// splitKeywords splits Keywords at commas, or at spaces in files that
// predate the comma form.
func splitKeywords(s string) []string {
	if s == "" {
		return nil
	}
	var parts []string
	if strings.Contains(s, ",") {
		parts = strings.Split(s, ",")
	} else {
		parts = strings.Fields(s)
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// unescapeDescription undoes the folding setuptools applies to a
// Description header: each continuation line starts with eight spaces, or
// with seven spaces and "|".
func unescapeDescription(v string) string {
	lines := strings.Split(v, "\n")
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "       |"):
			lines[i] = l[8:]
		case strings.HasPrefix(l, "        "):
			lines[i] = l[8:]
		default:
			lines[i] = strings.TrimLeft(l, " \t")
		}
	}
	return strings.Join(lines, "\n")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// DependenciesFor returns the Requires-Dist entries that apply in env when
// the given extras are requested: those without a marker, and those whose
// marker holds with "extra" unset ("") or set to one of extras. Extras are
// compared in PEP 685 normal form; one that ProvidesExtra lacks selects
// nothing. env is not modified.
func (m *Metadata) DependenciesFor(env pep508.Environment, extras []string) ([]pep508.Requirement, error) {
	e := maps.Clone(env)
	if e == nil {
		e = pep508.Environment{}
	}
	wanted := []string{""}
	for _, x := range extras {
		if x = pep508.NormalizeExtra(x); !contains(wanted, x) {
			wanted = append(wanted, x)
		}
	}
	var out []pep508.Requirement
	for _, r := range m.RequiresDist {
		if r.Marker == nil {
			out = append(out, r)
			continue
		}
		for _, x := range wanted {
			e["extra"] = x
			ok, err := r.Marker.Evaluate(e)
			if err != nil {
				return nil, fmt.Errorf("%s: Requires-Dist %q: %w", m.Name, r.String(), err)
			}
			if ok {
				out = append(out, r)
				break
			}
		}
	}
	return out, nil
}
