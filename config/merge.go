package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/safepip/safepip/pypa/reqfile"
)

// Options are the inputs New merges.
type Options struct {
	// File is the configuration file (Load, LoadFile, Parse); nil: none.
	File *File
	// Requirements are the index options of the requirements files, in the
	// order pip reads them.
	Requirements []IndexOption
	// Flags are the command line's index options.
	Flags Flags
	// Getenv looks up ${VAR} references in the URLs of the configuration
	// file and of requirements files (the shell expands those of flags).
	// nil: no variables are set, so any reference is an error.
	Getenv func(string) (string, bool)
	// Dir is the directory relative --find-links paths of the command line
	// and of pip's configuration are resolved against; "": the current
	// directory.
	Dir string
	// Pip is pip's own configuration (ReadPip): the defaults of pip's
	// options, below the requirements files and the command line; nil:
	// none.
	Pip *Pip
	// Format are the requirements files' --no-binary and --only-binary
	// values in the order pip reads them: applied after Pip's and the
	// command line's (Flags.Format), as pip applies a file's option lines
	// to the format control its options filled.
	Format []reqfile.FormatValue
}

// Flags are the index options of the command line.
type Flags struct {
	IndexURL       string
	ExtraIndexURLs []string
	FindLinks      []string
	NoIndex        bool
	// Format are the command line's --no-binary and --only-binary values
	// in the order given: pip applies them in turn, after its
	// configuration, and the last one naming a project wins.
	Format []FormatFlag
}

// FormatFlag is one --no-binary (NoBinary true) or --only-binary value
// of the command line, as pip takes it: project names separated by
// commas, ":all:" or ":none:".
type FormatFlag struct {
	NoBinary bool
	Value    string
}

// String returns the flag as written: "--no-binary VALUE".
func (f FormatFlag) String() string {
	if f.NoBinary {
		return "--no-binary " + f.Value
	}
	return "--only-binary " + f.Value
}

// IndexOption is one index option line of a requirements file.
type IndexOption struct {
	// Name is the option as pip spells it: "--index-url" ("-i"),
	// "--extra-index-url", "--find-links" ("-f") or "--no-index".
	Name  string
	Value string // the URL or path; "" for --no-index
	// Source is where the option was written, such as "requirements.txt:3".
	Source string
	// Dir is the requirements file's directory, against which a relative
	// --find-links path is resolved; "": Options.Dir.
	Dir string
}

// New merges the configuration file, the requirements files' index options
// and the flags into the final configuration (see the package doc for the
// precedence). Errors are *Error values naming where each conflicting or
// malformed declaration was written.
func New(o Options) (*Config, error) {
	m := merger{o: o, getenv: o.Getenv}
	if m.getenv == nil {
		m.getenv = func(string) (string, bool) { return "", false }
	}
	return m.run()
}

type merger struct {
	o       Options
	getenv  func(string) (string, bool)
	indexes []Index
	errs    []error
}

func (m *merger) run() (*Config, error) {
	c := &Config{}
	if f := m.o.File; f != nil {
		c.Policy = f.Policy
		c.Resolution = f.Resolution
		for _, x := range f.Indexes {
			u, err := m.resolve(x.written, true, filepath.Dir(f.Path))
			if err != nil {
				m.errs = append(m.errs, errorf(x.file, x.line, "index.url", "[[index]] %q: %v", x.Name, err))
				continue
			}
			x.URL = u
			m.indexes = append(m.indexes, x)
		}
	}

	// The default index: the command line, then requirements files, then
	// the file, then PyPI.
	var reqDefault *IndexOption
	var noIndex string
	type extra struct {
		opt    IndexOption
		kind   Kind
		expand bool // ${VAR} is expanded in requirements files only, as pip does
	}
	var extras []extra
	for _, opt := range m.o.Requirements {
		switch opt.Name {
		case "-i", "--index-url":
			if reqDefault == nil {
				o := opt
				reqDefault = &o
			} else if urlKey(reqDefault.Value) != urlKey(opt.Value) {
				m.errs = append(m.errs, errorf(opt.Source, 0, "--index-url", "%s conflicts with --index-url %s (%s): safepip has one default index; keep one and declare the other in safepip.toml with the packages it serves",
					RedactURL(opt.Value), RedactURL(reqDefault.Value), reqDefault.Source))
			}
		case "--extra-index-url":
			extras = append(extras, extra{opt, Simple, true})
		case "-f", "--find-links":
			extras = append(extras, extra{opt, Flat, true})
		case "--no-index":
			if noIndex == "" {
				noIndex = opt.Source
			}
		default:
			m.errs = append(m.errs, errorf(opt.Source, 0, opt.Name, "not an index option (want --index-url, --extra-index-url, --find-links or --no-index)"))
		}
	}
	fl := m.o.Flags
	if fl.NoIndex {
		noIndex = "command line"
	}

	// pip's configuration gives the defaults of pip's options. The command
	// line's --index-url replaces pip's; its --extra-index-url and
	// --find-links add to pip's lists, after them (optparse appends to the
	// default list). A requirements file's --index-url replaces every index
	// URL before it, pip's extra ones included, as in pip; safepip keeps
	// the command line's, which wins over requirements files. pip lists
	// all of these before the requirements files' own.
	pip := m.o.Pip
	if pip == nil {
		pip = &Pip{}
	}
	var first []extra
	if reqDefault == nil {
		for _, v := range pip.ExtraIndexURLs {
			first = append(first, extra{IndexOption{Value: v.Value, Source: v.Source}, Simple, false})
		}
	}
	for _, u := range fl.ExtraIndexURLs {
		first = append(first, extra{IndexOption{Name: "--extra-index-url", Value: u, Source: "command line"}, Simple, false})
	}
	for _, v := range pip.FindLinks {
		first = append(first, extra{IndexOption{Value: v.Value, Source: v.Source}, Flat, false})
	}
	for _, u := range fl.FindLinks {
		first = append(first, extra{IndexOption{Name: "--find-links", Value: u, Source: "command line"}, Flat, false})
	}
	extras = append(first, extras...)
	if noIndex == "" && pip.NoIndex != nil {
		noIndex = pip.NoIndex.Source
	}

	switch {
	case fl.IndexURL != "":
		m.setDefault(IndexOption{Name: "--index-url", Value: fl.IndexURL, Source: "command line"}, false)
	case reqDefault != nil:
		m.setDefault(*reqDefault, true)
	case pip.IndexURL != nil:
		m.setDefault(IndexOption{Value: pip.IndexURL.Value, Source: pip.IndexURL.Source}, false)
	default:
		if !slices.ContainsFunc(m.indexes, func(x Index) bool { return x.Default }) {
			m.setDefault(IndexOption{Value: PyPI, Source: "built-in default"}, false)
		}
	}
	for _, e := range extras {
		m.add(e.opt, e.kind, e.expand)
	}

	// pip's format control: its configuration, then the command line,
	// then the requirements files, the last value naming a project
	// winning. --only-binary makes a project wheels only, whatever
	// [policy] allow-sdist says; --no-binary builds it from its sdist,
	// which counts as allowing that sdist.
	c.format = pip.FormatControl()
	for _, f := range fl.Format {
		const src = "command line"
		if err := c.format.Handle(f.NoBinary, f.Value, func(name string, _ PipValue, _ bool) PipValue { return PipValue{name, src} }); err != nil {
			m.errs = append(m.errs, errorf("command line", 0, "", "%s: %v", f, err))
		}
	}
	for _, v := range m.o.Format {
		src := v.Source.String()
		// reqfile.Parse refused the values Handle refuses.
		_ = c.format.Handle(v.NoBinary, v.Value, func(name string, _ PipValue, _ bool) PipValue { return PipValue{name, src} })
	}
	c.Policy.AllowSdist = c.Policy.AllowSdist.withFormat(c.format)

	if noIndex != "" {
		c.noIndex = noIndex
		for _, x := range m.indexes {
			if x.Kind == Simple {
				c.disabled = append(c.disabled, x)
			} else {
				c.Indexes = append(c.Indexes, x)
			}
		}
	} else {
		c.Indexes = m.indexes
	}
	if len(m.errs) > 0 {
		return nil, joinErrors(m.errs)
	}
	return c, nil
}

// setDefault makes the index at opt the default, replacing the file's.
func (m *merger) setDefault(opt IndexOption, expand bool) {
	u, err := m.resolve(opt.Value, expand, m.dir(opt))
	if err != nil {
		m.errs = append(m.errs, errorf(opt.Source, 0, "--index-url", "%v", err))
		return
	}
	key := urlKey(u)
	var kept []Index
	found := false
	for _, x := range m.indexes {
		switch {
		case urlKey(x.URL) == key:
			if len(x.Packages) > 0 {
				m.errs = append(m.errs, errorf(opt.Source, 0, "--index-url", "%s is [[index]] %q (%s), which has packages and so cannot be the default; point --index-url elsewhere or drop its packages",
					x.Display(), x.Name, x.Source))
			}
			x.Default = true
			found = true
			kept = append(kept, x)
		case x.Default:
			// Replaced, as pip's --index-url replaces PyPI.
		default:
			kept = append(kept, x)
		}
	}
	m.indexes = kept
	if found {
		return
	}
	x := m.newIndex(opt, u, Simple)
	x.Default = true
	if opt.Source == "built-in default" {
		x.Source = opt.Source
		if _, taken := m.lookup("pypi"); !taken {
			x.Name = "pypi"
		}
	}
	m.indexes = append([]Index{x}, m.indexes...)
}

// add adds an index without packages, unless one with that URL exists.
func (m *merger) add(opt IndexOption, kind Kind, expand bool) {
	u, err := m.resolve(opt.Value, expand, m.dir(opt))
	if err != nil {
		m.errs = append(m.errs, errorf(opt.Source, 0, opt.Name, "%v", err))
		return
	}
	for i, x := range m.indexes {
		if urlKey(x.URL) == urlKey(u) {
			// Declared already; keep that declaration (its name and pins),
			// taking credentials from this one if it has none.
			if _, had := StripUserinfo(x.URL); !had {
				if _, has := StripUserinfo(u); has {
					m.indexes[i].URL = u
				}
			}
			return
		}
	}
	m.indexes = append(m.indexes, m.newIndex(opt, u, kind))
}

func (m *merger) newIndex(opt IndexOption, u string, kind Kind) Index {
	src := opt.Source
	if opt.Name != "" {
		src += " (" + opt.Name + ")"
	}
	return Index{Name: m.uniqueName(generatedName(u)), URL: u, Kind: kind, Source: src, written: opt.Value}
}

func (m *merger) dir(opt IndexOption) string {
	if opt.Dir != "" {
		return opt.Dir
	}
	return m.o.Dir
}

func (m *merger) lookup(name string) (Index, bool) {
	for _, x := range m.indexes {
		if strings.EqualFold(x.Name, name) {
			return x, true
		}
	}
	return Index{}, false
}

func (m *merger) uniqueName(base string) string {
	name := base
	for i := 2; ; i++ {
		if _, taken := m.lookup(name); !taken {
			return name
		}
		name = base + "-" + strconv.Itoa(i)
	}
}

// generatedName names an index from the command line or a requirements file
// after its host ("pypi.internal.example", "127.0.0.1-8080") or, for a
// local directory, after the directory.
func generatedName(u string) string {
	pu, err := url.Parse(u)
	base := ""
	if err == nil {
		if pu.Scheme == "file" {
			base = filepath.Base(filepath.FromSlash(pu.Path))
		} else {
			base = strings.ToLower(pu.Host)
		}
	}
	b := []byte(base)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '-'
		}
	}
	name := strings.Trim(string(b), "-._")
	if !validIndexName(name) {
		return "index"
	}
	return name
}

// resolve expands ${VAR} (when expand), turns a path into a file:// URL
// against dir, and checks the scheme. Errors show the URL as written,
// redacted: the expanded form may hold secrets.
func (m *merger) resolve(written string, expand bool, dir string) (string, error) {
	s := written
	if expand {
		var err error
		if s, err = expandVars(written, m.getenv); err != nil {
			return "", err
		}
	}
	shown := RedactURL(written)
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("empty URL")
	}
	if !strings.Contains(s, "://") {
		p := filepath.FromSlash(s)
		if !filepath.IsAbs(p) {
			if dir == "" {
				dir = "."
			}
			abs, err := filepath.Abs(filepath.Join(dir, p))
			if err != nil {
				return "", fmt.Errorf("%s: %v", shown, err)
			}
			p = abs
		}
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String(), nil
	}
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse errors quote the URL, credentials included.
		return "", fmt.Errorf("%s is not a valid URL", shown)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		if u.Host == "" {
			return "", fmt.Errorf("%s has no host", shown)
		}
	case "http":
		if !loopback(u.Hostname()) {
			return "", fmt.Errorf("%s: plain http is allowed only for loopback hosts; use https", shown)
		}
	case "file":
		if u.Path == "" {
			return "", fmt.Errorf("%s has no path", shown)
		}
	default:
		return "", fmt.Errorf("%s: unsupported scheme %q (want https, http on loopback, or file)", shown, u.Scheme)
	}
	return s, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// urlKey is the form in which two URLs of the same index compare equal:
// no credentials, lower-case scheme and host, no trailing slash.
func urlKey(u string) string {
	s, _ := StripUserinfo(u)
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return strings.TrimRight(s, "/")
	}
	host, path, _ := strings.Cut(rest, "/")
	return strings.ToLower(scheme) + "://" + strings.ToLower(host) + "/" + strings.TrimRight(path, "/")
}

// expandVars replaces each ${NAME} in s by its value. NAME is letters,
// digits and "_" (not starting with a digit); a "$" not followed by a
// well-formed reference is kept as is. An unset variable is an error.
func expandVars(s string, getenv func(string) (string, bool)) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		end := strings.IndexByte(s[i:], '}')
		name := ""
		if end > 0 {
			name = s[i+2 : i+end]
		}
		if !validVarName(name) {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		v, ok := getenv(name)
		if !ok {
			return "", fmt.Errorf("${%s} is not set; set it in the environment, or write the URL without it", name)
		}
		b.WriteString(s[:i])
		b.WriteString(v)
		s = s[i+end+1:]
	}
}

func validVarName(s string) bool {
	if s == "" || '0' <= s[0] && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// joinErrors joins errors; one error stays itself so errors.As sees it
// directly.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}
