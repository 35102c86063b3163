package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/safepip/safepip/pypa/pep508"
)

// File is one parsed configuration file, before merging with requirements
// files and flags. Its indexes hold the URLs as written: New expands ${VAR}.
type File struct {
	Path    string
	Indexes []Index
	Policy  Policy
	// Resolution is the [resolution] table (the scope of a universal lock).
	Resolution Resolution
}

// Names of the configuration files Load looks for.
const (
	FileName      = "safepip.toml"
	PyprojectName = "pyproject.toml"
)

// maxFileBytes bounds a configuration file; real ones are a few kilobytes.
const maxFileBytes = 1 << 20

// Load reads the configuration of the project in dir: safepip.toml, or the
// [tool.safepip] table of pyproject.toml. It returns nil and no error when
// there is neither. Both at once is an error (see the package doc).
func Load(dir string) (*File, error) {
	tomlPath := filepath.Join(dir, FileName)
	pyPath := filepath.Join(dir, PyprojectName)
	tomlData, err := readFile(tomlPath)
	if err != nil {
		return nil, err
	}
	pyData, err := readFile(pyPath)
	if err != nil {
		return nil, err
	}
	var fromPy *File
	if pyData != nil {
		if fromPy, err = ParsePyproject(pyPath, pyData); err != nil {
			return nil, err
		}
	}
	if tomlData == nil {
		return fromPy, nil
	}
	if fromPy != nil {
		return nil, errorf(tomlPath, 0, "", "%s also has a [tool.safepip] table; keep the configuration in one file (safepip would otherwise ignore one, and with it any packages pins)", pyPath)
	}
	return Parse(tomlPath, tomlData)
}

// LoadFile reads the configuration file at path (--config): a pyproject.toml
// must have a [tool.safepip] table; any other name is read as safepip.toml.
func LoadFile(path string) (*File, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, errorf(path, 0, "", "no such file")
	}
	if filepath.Base(path) != PyprojectName {
		return Parse(path, data)
	}
	f, err := ParsePyproject(path, data)
	if err == nil && f == nil {
		err = errorf(path, 0, "tool.safepip", "missing: add a [tool.safepip] table, or name a safepip.toml")
	}
	return f, err
}

// readFile returns the contents of path, or nil when it does not exist.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return nil, errorf(path, 0, "", "larger than %d bytes; is this the right file?", maxFileBytes)
	}
	return data, nil
}

// Parse parses the safepip.toml named name (a path: trusted-root is
// resolved against its directory). Every problem found is reported, each an
// *Error, joined.
func Parse(name string, data []byte) (*File, error) {
	doc, p, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	return p.file(doc)
}

// ParsePyproject parses the [tool.safepip] table of the pyproject.toml named
// name. It returns nil and no error when there is no such table.
func ParsePyproject(name string, data []byte) (*File, error) {
	doc, p, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	tool, ok := doc["tool"].(map[string]any)
	if !ok {
		return nil, nil
	}
	v, ok := tool["safepip"]
	if !ok {
		return nil, nil
	}
	p.prefix = []string{"tool", "safepip"}
	t, ok := v.(map[string]any)
	if !ok {
		return nil, p.errorf(nil, "is a %s; want a table: [tool.safepip]", typeName(v))
	}
	return p.file(t)
}

// decode reads TOML into generic values and indexes the line of every key.
func decode(name string, data []byte) (map[string]any, *parser, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ := de.Position()
			return nil, nil, errorf(name, line, "", "%s", strings.TrimPrefix(de.Error(), "toml: "))
		}
		return nil, nil, errorf(name, 0, "", "%s", strings.TrimPrefix(err.Error(), "toml: "))
	}
	return doc, &parser{name: name, lines: keyLines(data)}, nil
}

// parser checks decoded TOML against the schema, collecting errors.
type parser struct {
	name   string
	lines  map[string]int
	prefix []string // ["tool", "safepip"] in pyproject.toml
	errs   []error
}

// path elements for array members are "#N".
func (p *parser) full(path []string) []string {
	return append(slices.Clone(p.prefix), path...)
}

func (p *parser) line(path []string) int {
	full := p.full(path)
	for len(full) > 0 {
		if l, ok := p.lines[strings.Join(full, keySep)]; ok {
			return l
		}
		full = full[:len(full)-1]
	}
	return 0
}

func (p *parser) key(path []string) string {
	var parts []string
	for _, s := range p.full(path) {
		if !strings.HasPrefix(s, "#") {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ".")
}

func (p *parser) errorf(path []string, format string, args ...any) error {
	e := errorf(p.name, p.line(path), p.key(path), format, args...)
	p.errs = append(p.errs, e)
	return e
}

func (p *parser) unknown(path []string, k string, allowed string) {
	p.errorf(append(slices.Clone(path), k), "unknown key; allowed here: %s", allowed)
}

func (p *parser) file(doc map[string]any) (*File, error) {
	f := &File{Path: p.name}
	for _, k := range sortedKeys(doc) {
		v := doc[k]
		switch k {
		case "index":
			arr, ok := v.([]any)
			if !ok {
				p.errorf([]string{k}, "is a %s; want [[index]] tables", typeName(v))
				continue
			}
			for i, e := range arr {
				path := []string{"index", fmt.Sprintf("#%d", i)}
				t, ok := e.(map[string]any)
				if !ok {
					p.errorf(path, "is a %s; want a table", typeName(e))
					continue
				}
				if x, ok := p.index(path, t); ok {
					f.Indexes = append(f.Indexes, x)
				}
			}
		case "policy":
			t, ok := v.(map[string]any)
			if !ok {
				p.errorf([]string{k}, "is a %s; want a [policy] table", typeName(v))
				continue
			}
			f.Policy = p.policy(t)
		case "resolution":
			t, ok := v.(map[string]any)
			if !ok {
				p.errorf([]string{k}, "is a %s; want a [resolution] table", typeName(v))
				continue
			}
			f.Resolution = p.resolution(t)
		default:
			p.unknown(nil, k, "[[index]], [policy], [resolution]")
		}
	}
	p.checkIndexes(f.Indexes)
	if len(p.errs) > 0 {
		return nil, joinErrors(p.errs)
	}
	return f, nil
}

const indexKeys = "name, url, default, packages, format"

func (p *parser) index(path []string, t map[string]any) (Index, bool) {
	x := Index{FromFile: true}
	n := len(p.errs)
	at := func(k string) []string { return append(slices.Clone(path), k) }
	for _, k := range sortedKeys(t) {
		v := t[k]
		switch k {
		case "name":
			s, ok := p.str(at(k), v)
			if ok && !validIndexName(s) {
				p.errorf(at(k), "%q: a name is letters, digits, \".\", \"_\" and \"-\", starting and ending with a letter or digit", s)
			}
			x.Name = s
		case "url":
			s, ok := p.str(at(k), v)
			if ok && strings.TrimSpace(s) == "" {
				p.errorf(at(k), "empty; want the URL of a simple index such as \"https://pypi.org/simple\"")
			}
			x.URL, x.written = s, s
		case "default":
			b, ok := v.(bool)
			if !ok {
				p.errorf(at(k), "is a %s; want true or false", typeName(v))
			}
			x.Default = b
		case "packages":
			list, ok := p.strList(at(k), v)
			if ok && len(list) == 0 {
				p.errorf(at(k), "empty; list project names or globs such as [\"acme-*\"], or remove the key")
			}
			for i, s := range list {
				pat, err := normalizePattern(s)
				if err != nil {
					p.errorf(append(at(k), fmt.Sprintf("#%d", i)), "%v", err)
					continue
				}
				if !slices.Contains(x.Packages, pat) {
					x.Packages = append(x.Packages, pat)
				}
			}
		case "format":
			s, ok := p.str(at(k), v)
			switch {
			case !ok:
			case s == "simple":
				x.Kind = Simple
			case s == "flat":
				x.Kind = Flat
			default:
				p.errorf(at(k), "%q: want \"simple\" (a PEP 503 index) or \"flat\" (a --find-links page or directory)", s)
			}
		default:
			p.unknown(path, k, indexKeys)
		}
	}
	if _, ok := t["name"]; !ok {
		p.errorf(path, "[[index]] has no name; add name = \"...\"")
	}
	if _, ok := t["url"]; !ok {
		p.errorf(path, "[[index]] %q has no url; add url = \"https://...\"", x.Name)
	}
	x.line = p.line(path)
	x.file = p.name
	x.Source = fmt.Sprintf("%s:%d", p.name, x.line)
	return x, len(p.errs) == n
}

// checkIndexes finds conflicts between the [[index]] tables of one file.
func (p *parser) checkIndexes(xs []Index) {
	var def *Index
	for i := range xs {
		x := &xs[i]
		where := []string{"index", fmt.Sprintf("#%d", i)}
		if x.Default {
			if def != nil {
				p.errorf(where, "[[index]] %q is a second default (the first is %q at %s); keep default = true on one", x.Name, def.Name, def.Source)
			}
			def = x
			if len(x.Packages) > 0 {
				p.errorf(append(where, "packages"), "[[index]] %q is the default, which serves every project no other index claims; move packages to another index or drop default", x.Name)
			}
		}
		for _, y := range xs[:i] {
			if strings.EqualFold(x.Name, y.Name) {
				p.errorf(append(where, "name"), "[[index]] %q is declared twice (first at %s); give each index its own name", x.Name, y.Source)
			}
			if urlKey(x.written) == urlKey(y.written) {
				p.errorf(append(where, "url"), "[[index]] %q has the same url as %q (%s); declare each index once", x.Name, y.Name, y.Source)
			}
			for _, a := range x.Packages {
				for _, b := range y.Packages {
					if ex, ok := overlap(a, b); ok {
						p.errorf(append(where, "packages"), "%q of [[index]] %q and %q of [[index]] %q (%s) both match projects such as %q; a project is served by one index: make the patterns disjoint", a, x.Name, b, y.Name, y.Source, ex)
					}
				}
			}
		}
	}
}

func (p *parser) policy(t map[string]any) Policy {
	var pol Policy
	path := []string{"policy"}
	at := func(k string) []string { return append(slices.Clone(path), k) }
	for _, k := range sortedKeys(t) {
		v := t[k]
		switch k {
		case "allow-sdist":
			if b, ok := v.(bool); ok {
				pol.AllowSdist.All = b
				continue
			}
			if _, ok := v.([]any); !ok {
				p.errorf(at(k), "is a %s; want true, false or a list of project names", typeName(v))
				continue
			}
			pol.AllowSdist.Names = p.names(at(k), v)
		case "exclude-newer":
			switch v := v.(type) {
			case time.Time:
				pol.ExcludeNewer = v.UTC()
			case string:
				tm, err := time.Parse(time.RFC3339, v)
				if err != nil {
					p.errorf(at(k), "%q: want an RFC 3339 time with a zone, such as \"2026-11-01T00:00:00Z\"", v)
				}
				pol.ExcludeNewer = tm.UTC()
			default:
				p.errorf(at(k), "is a %s; want an RFC 3339 time with a zone, such as \"2026-11-01T00:00:00Z\"", typeName(v))
			}
		case "min-release-age":
			s, ok := p.str(at(k), v)
			if !ok {
				continue
			}
			d, err := ParseAge(s)
			if err != nil {
				p.errorf(at(k), "%v", err)
			}
			pol.MinReleaseAge = d
		case "attestations":
			s, ok := p.str(at(k), v)
			switch {
			case !ok:
			case s == "off":
				pol.Attestations = Off
			case s == "verify":
				pol.Attestations = Verify
			case s == "require":
				pol.Attestations = Require
			default:
				p.errorf(at(k), "%q: want \"off\", \"verify\" (when the index serves them) or \"require\"", s)
			}
		case "require-attestations":
			pol.RequireAttestations = p.names(at(k), v)
		case "trusted-root":
			s, ok := p.str(at(k), v)
			if ok && s == "" {
				p.errorf(at(k), "empty; want the path of a trusted_root.json, or remove the key for the public-good root")
			}
			if ok && s != "" {
				pol.trustedRootWritten = s
				pol.TrustedRoot = s
				if !filepath.IsAbs(s) {
					pol.TrustedRoot = filepath.Join(filepath.Dir(p.name), s)
				}
			}
		case "build-constraints":
			s, ok := p.str(at(k), v)
			if ok && s == "" {
				p.errorf(at(k), "empty; want the path of a constraints file (pip's -c format), or remove the key")
			}
			if ok && s != "" {
				pol.BuildConstraintsWritten, pol.BuildConstraints = s, s
				if !filepath.IsAbs(s) {
					pol.BuildConstraints = filepath.Join(filepath.Dir(p.name), s)
				}
			}
		case "no-build-isolation":
			pol.NoBuildIsolation = p.names(at(k), v)
		case "publishers":
			pt, ok := v.(map[string]any)
			if !ok {
				p.errorf(at(k), "is a %s; want a [policy.publishers] table of project = \"github:OWNER/REPO\"", typeName(v))
				continue
			}
			pol.Publishers = p.publishers(at(k), pt)
		default:
			p.unknown(path, k, "allow-sdist, exclude-newer, min-release-age, attestations, require-attestations, trusted-root, build-constraints, no-build-isolation, [policy.publishers]")
		}
	}
	return pol
}

func (p *parser) publishers(path []string, t map[string]any) map[string]Publisher {
	out := make(map[string]Publisher)
	for _, k := range sortedKeys(t) {
		at := append(slices.Clone(path), k)
		if !pep508.ValidName(k) {
			p.errorf(at, "%q is not a project name", k)
			continue
		}
		var spec, workflow string
		switch v := t[k].(type) {
		case string:
			spec = v
		case map[string]any:
			for _, ik := range sortedKeys(v) {
				switch ik {
				case "publisher":
					spec, _ = p.str(append(slices.Clone(at), ik), v[ik])
				case "workflow":
					workflow, _ = p.str(append(slices.Clone(at), ik), v[ik])
				default:
					p.unknown(at, ik, "publisher, workflow")
				}
			}
			if _, ok := v["publisher"]; !ok {
				p.errorf(at, "no publisher; want %s", publisherForms)
				continue
			}
		default:
			p.errorf(at, "is a %s; want %s", typeName(v), publisherForms)
			continue
		}
		name := pep508.NormalizeName(k)
		if prev, dup := out[name]; dup {
			p.errorf(at, "%q is pinned twice (also at %s)", name, prev.Source)
			continue
		}
		pub, err := parsePublisher(spec, workflow)
		if err != nil {
			p.errorf(at, "%v", err)
			continue
		}
		pub.Source = fmt.Sprintf("%s:%d", p.name, p.line(at))
		out[name] = pub
	}
	return out
}

func (p *parser) str(path []string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		p.errorf(path, "is a %s; want a string", typeName(v))
	}
	return s, ok
}

func (p *parser) strList(path []string, v any) ([]string, bool) {
	arr, ok := v.([]any)
	if !ok {
		p.errorf(path, "is a %s; want a list of strings", typeName(v))
		return nil, false
	}
	out := make([]string, 0, len(arr))
	good := true
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			p.errorf(append(slices.Clone(path), fmt.Sprintf("#%d", i)), "is a %s; want a string", typeName(e))
			good = false
			continue
		}
		out = append(out, s)
	}
	return out, good
}

// names reads a list of project names, normalized, sorted and unique.
func (p *parser) names(path []string, v any) []string {
	list, _ := p.strList(path, v)
	var out []string
	for i, s := range list {
		if !pep508.ValidName(s) {
			p.errorf(append(slices.Clone(path), fmt.Sprintf("#%d", i)), "%q is not a project name (letters, digits, \".\", \"_\", \"-\")", s)
			continue
		}
		out = append(out, pep508.NormalizeName(s))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func validIndexName(s string) bool {
	return s != "" && len(s) <= 64 && pep508.ValidName(s)
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		return "float"
	case []any:
		return "list"
	case map[string]any:
		return "table"
	case time.Time, toml.LocalDate, toml.LocalDateTime, toml.LocalTime:
		return "date-time"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
