package reqfile

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
)

// Limits against hostile or runaway input.
const (
	// MaxFileBytes is the largest single requirements file read, in bytes.
	MaxFileBytes = 4 << 20
	// MaxTotalBytes bounds the bytes of all files read for one Parse,
	// nested files included.
	MaxTotalBytes = 32 << 20
	// MaxDepth is the deepest chain of -r/-c includes, the top file being 1.
	MaxDepth = 32
	// MaxFiles is the most files one Parse reads, counting a file each time
	// it is included.
	MaxFiles = 1000
	// MaxVarsPerLine is the most distinct ${NAME} references on one line.
	MaxVarsPerLine = 100
)

// Options says how Parse reaches nested files and environment variables.
type Options struct {
	// Open returns the content of a file named by -r or -c. The name is
	// joined to the including file's directory or URL as pip joins it; Open
	// may refuse URLs or names outside a directory. A nil Open makes every
	// -r and -c line an error.
	Open func(name string) ([]byte, error)
	// Getenv returns an environment variable for ${NAME} expansion. A nil
	// Getenv leaves every reference as written.
	Getenv func(name string) (string, bool)
}

// Source is where an item was written.
type Source struct {
	File string
	Line int
}

// String returns "file:line".
func (s Source) String() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// Setting is one value of an option and where it was given. A URL value
// keeps its credentials (the index needs them): redact it before printing.
type Setting struct {
	Value  string
	Source Source
}

// Flag records a flag option; a nil *Flag means the flag was not given.
type Flag struct {
	Source Source // where it was first given
}

// GlobalOptions are the option lines of a file and the files it includes,
// in the effect pip gives them.
type GlobalOptions struct {
	// IndexURL is the last -i/--index-url given before any --no-index; as in
	// pip it replaces the command line's index URLs and every
	// ExtraIndexURL seen before it (those are dropped from ExtraIndexURLs).
	IndexURL *Setting
	// ExtraIndexURLs are the --extra-index-url values after the last
	// IndexURL and before any --no-index.
	ExtraIndexURLs []Setting
	// NoIndex is --no-index; pip then drops every index URL, including
	// those given later in the files.
	NoIndex *Flag
	// FindLinks are the -f/--find-links values in order, as written (pip
	// resolves a relative path against the requirements file's directory
	// when that path exists).
	FindLinks []Setting
	// Pre is --pre: pre-releases are allowed.
	Pre *Flag
	// PreferBinary is --prefer-binary.
	PreferBinary *Flag
	// RequireHashes is --require-hashes.
	RequireHashes *Flag
	// NoBinary and OnlyBinary are pip's format control sets after every
	// --no-binary and --only-binary value: PEP 503 normalized names or
	// ":all:", each with the line that added it. A name is in at most one
	// of them.
	NoBinary   []Setting
	OnlyBinary []Setting
	// FormatValues are the --no-binary and --only-binary values as
	// written, in order: NoBinary and OnlyBinary are what they give an
	// empty FormatControl.
	FormatValues []FormatValue
	// TrustedHosts are the --trusted-host values in order.
	TrustedHosts []Setting
	// Features are the --use-feature values in order.
	Features []Setting
}

// Kind says how a requirement names what to install.
type Kind int

const (
	// KindName is a PEP 508 requirement: a name with optional extras,
	// specifiers and marker, or "name @ url".
	KindName Kind = iota
	// KindURL is a bare URL: https://.../x.whl, file:..., git+https://...
	KindURL
	// KindPath is a local path: a directory or an archive such as ./pkg,
	// ../dist/x-1.0-py3-none-any.whl or x.tar.gz.
	KindPath
)

func (k Kind) String() string {
	switch k {
	case KindName:
		return "name"
	case KindURL:
		return "url"
	case KindPath:
		return "path"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Hash is one --hash value.
type Hash struct {
	Algorithm string // "sha256", "sha384" or "sha512"
	Digest    string // lower-case hex
}

// String returns "algorithm:digest".
func (h Hash) String() string { return h.Algorithm + ":" + h.Digest }

// Requirement is one requirement line.
type Requirement struct {
	// Text is the requirement as pip hands it on: the words before the
	// options, or the value of -e.
	Text string
	Kind Kind
	// Name is the PEP 503 normalized project name when the line states
	// it: the PEP 508 name, a wheel file name, or an #egg= fragment; ""
	// for a directory or an sdist without #egg=.
	Name string
	// Req is the parsed requirement for KindName; nil otherwise.
	Req *pep508.Requirement
	// Location is the URL or path for KindURL and KindPath, without extras
	// and marker; "" for KindName.
	Location string
	// Extras are the extras of a KindPath requirement ("./pkg[test]"), as
	// written. For KindName they are in Req.
	Extras []string
	// Marker is the environment marker of a KindURL or KindPath
	// requirement; nil when absent. For KindName it is in Req.
	Marker *pep508.Marker
	// Editable is -e/--editable. pip ignores per-requirement options on an
	// editable line, and so do Hashes, GlobalOptions and ConfigSettings.
	Editable bool
	// Constraint is true for lines of a file included with -c.
	Constraint bool
	// Hashes are the --hash values in order.
	Hashes []Hash
	// GlobalOptions are the --global-option values in order.
	GlobalOptions []string
	// ConfigSettings are the -C/--config-settings KEY=VALUE values, each
	// key with its values in order.
	ConfigSettings map[string][]string
	Source         Source
}

// Warning is something pip accepts but ignores.
type Warning struct {
	Source  Source
	Message string
}

func (w Warning) String() string { return w.Source.String() + ": " + w.Message }

// File is a parsed requirements file with the files it includes.
type File struct {
	Requirements []Requirement
	Options      GlobalOptions
	Warnings     []Warning
	// Files are the names of every file read, the top one first, in the
	// order they were included (a file included twice appears twice).
	Files []string
}

// Error is a problem with one line of a requirements file.
type Error struct {
	File string
	Line int    // 0 when the problem is the file as a whole
	Text string // the offending text
	Err  error
	Hint string // how to fix it; "" when there is nothing useful to say
}

// Error returns "file:line: "text": problem", with the user information
// of every URL in it (an index password, a token from ${VAR}) replaced by
// "***".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Text != "" {
		fmt.Fprintf(&b, "%q: ", e.Text)
	}
	b.WriteString(e.Err.Error())
	return redactUserinfo(b.String())
}

// redactUserinfo replaces the user information of each URL in s
// ("https://user:secret@host/") with "***".
func redactUserinfo(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		start := i + 3
		end := start + strings.IndexFunc(s[start:], func(r rune) bool {
			return strings.ContainsRune("/?#\"' \t", r)
		})
		if end < start {
			end = len(s)
		}
		b.WriteString(s[:start])
		if at := strings.LastIndex(s[start:end], "@"); at >= 0 {
			b.WriteString("***")
			start += at
		}
		b.WriteString(s[start:end])
		s = s[end:]
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Errors callers can test for with errors.Is.
var (
	// ErrIncludeCycle is a -r/-c chain that includes a file it is already
	// reading.
	ErrIncludeCycle = errors.New("include cycle")
	// ErrTooLarge is a file or set of files over the size or depth limits.
	ErrTooLarge = errors.New("requirements too large")
	// ErrUnknownOption is an option pip does not accept in a file.
	ErrUnknownOption = errors.New("unknown option")
)

// Parse parses the requirements file data, named name, and every file it
// includes with -r or -c. Names of nested files are joined to name's
// directory, so name should be the path or URL pip would be given.
func Parse(name string, data []byte, opts Options) (*File, error) {
	p := &parser{opts: opts, file: &File{}}
	if err := p.parse(name, data, false, nil); err != nil {
		return nil, err
	}
	p.file.Options.NoBinary = sortedSettings(p.format.NoBinary)
	p.file.Options.OnlyBinary = sortedSettings(p.format.OnlyBinary)
	return p.file, nil
}

type parser struct {
	opts  Options
	file  *File
	total int
	// format is pip's format control; seq orders its names by the value
	// that added each.
	format FormatControl[binarySetting]
	seq    int
}

type binarySetting struct {
	Setting
	seq int
}

func (p *parser) parse(name string, data []byte, constraint bool, chain []string) error {
	chain = append(chain, name)
	p.file.Files = append(p.file.Files, name)
	if len(data) > MaxFileBytes {
		return &Error{File: name, Err: fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(data), MaxFileBytes)}
	}
	p.total += len(data)
	if p.total > MaxTotalBytes {
		return &Error{File: name, Err: fmt.Errorf("%w: the files read add up to more than %d bytes", ErrTooLarge, MaxTotalBytes)}
	}
	text, err := decode(data)
	if err != nil {
		return &Error{File: name, Err: err}
	}
	lines, num, err := logicalLines(text, p.opts.Getenv)
	if err != nil {
		return &Error{File: name, Line: num, Err: err, Hint: "set fewer variables on one line"}
	}
	for _, l := range lines {
		if err := p.line(name, l, constraint, chain); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) line(name string, l line, constraint bool, chain []string) error {
	src := Source{name, l.num}
	lineErr := func(text string, err error, hint string) error {
		return &Error{File: name, Line: l.num, Text: text, Err: err, Hint: hint}
	}
	args, optText := breakArgsOptions(l.text)
	words, err := shellSplit(optText)
	if err != nil {
		return lineErr(optText, fmt.Errorf("cannot split options: %w", err), "close the quote or escape the character")
	}
	uses, err := parseOptions(words)
	if err != nil {
		return lineErr(l.text, fmt.Errorf("%w: %v", ErrUnknownOption, err), "see `pip install --help`; a requirements file accepts -r, -c, -e, -i, --extra-index-url, --no-index, -f, --pre, --no-binary, --only-binary, --prefer-binary, --require-hashes, --trusted-host, --use-feature, and --hash, --global-option, --config-settings after a requirement")
	}

	var req Requirement
	var editables, includes, constraints []string
	for _, u := range uses {
		switch u.spec.kind {
		case optFeature:
			if !contains(featureChoices, u.value) {
				return lineErr(l.text, fmt.Errorf("%s: invalid choice %q", u.name, u.value), "choose from "+strings.Join(featureChoices, ", "))
			}
		case optNoBinary, optOnlyBinary:
			// pip applies these to its finder even on a requirement line.
			if err := p.formatControl(u, src); err != nil {
				return lineErr(l.text, err, `give ":all:", ":none:" or project names separated by commas`)
			}
			continue
		}
		switch u.spec.dest {
		case "editables":
			editables = append(editables, u.value)
		case "requirements":
			includes = append(includes, u.value)
		case "constraints":
			constraints = append(constraints, u.value)
		case "hashes":
			h, err := parseHash(u.name, u.value)
			if err != nil {
				return lineErr(u.value, err, "write --hash=sha256:<64 lower-case hex digits>")
			}
			req.Hashes = append(req.Hashes, h)
		case "global_options":
			req.GlobalOptions = append(req.GlobalOptions, u.value)
		case "config_settings":
			key, value, ok := strings.Cut(u.value, "=")
			if !ok {
				return lineErr(u.value, fmt.Errorf("arguments to %s must be of the form KEY=VALUE", u.name), "")
			}
			if req.ConfigSettings == nil {
				req.ConfigSettings = map[string][]string{}
			}
			req.ConfigSettings[key] = append(req.ConfigSettings[key], value)
		}
	}

	if args != "" || len(editables) > 0 {
		req.Source = src
		req.Constraint = constraint
		if args != "" {
			req.Text = args
			if err := classify(&req, args); err != nil {
				return lineErr(args, err.err, err.hint)
			}
		} else {
			req.Text = editables[0]
			req.Editable = true
			if len(req.Hashes) > 0 || len(req.GlobalOptions) > 0 || len(req.ConfigSettings) > 0 {
				p.warn(src, "--hash, --global-option and --config-settings are ignored on an editable requirement")
			}
			req.Hashes, req.GlobalOptions, req.ConfigSettings = nil, nil, nil
			if err := classifyEditable(&req, editables[0]); err != nil {
				return lineErr(editables[0], err.err, err.hint)
			}
		}
		for _, u := range uses {
			switch u.spec.dest {
			case "hashes", "global_options", "config_settings", "no_binary", "only_binary":
			case "editables":
				if args != "" {
					p.warn(src, u.name+" is ignored on a line that already has a requirement")
				}
			default:
				p.warn(src, u.name+" is ignored on a requirement line; put it on its own line")
			}
		}
		p.file.Requirements = append(p.file.Requirements, req)
		return nil
	}

	if len(includes) > 0 || len(constraints) > 0 {
		// Like pip, a line with -r or -c only includes a file: its first
		// -r, else its first -c; other options on the line do nothing.
		target, nested := "", false
		if len(includes) > 0 {
			target = includes[0]
		} else {
			target, nested = constraints[0], true
		}
		return p.include(name, l, target, nested, chain)
	}

	if len(req.Hashes) > 0 {
		p.warn(src, "--hash without a requirement is ignored")
	}
	// Apply the line as pip's handle_option_line does: --no-index first,
	// then the line's last -i, then its --extra-index-url values, then its
	// first -f, whatever their order on the line.
	o := &p.file.Options
	var indexURL *Setting
	var extras []Setting
	findLinks := false
	for _, u := range uses {
		switch u.spec.dest {
		case "index_url":
			indexURL = &Setting{u.value, src}
		case "extra_index_urls":
			extras = append(extras, Setting{u.value, src})
		case "no_index":
			setFlag(&o.NoIndex, src)
			o.IndexURL, o.ExtraIndexURLs = nil, nil
		case "find_links":
			if !findLinks {
				o.FindLinks = append(o.FindLinks, Setting{u.value, src})
				findLinks = true
			}
		case "pre":
			setFlag(&o.Pre, src)
		case "prefer_binary":
			setFlag(&o.PreferBinary, src)
		case "require_hashes":
			setFlag(&o.RequireHashes, src)
		case "trusted_hosts":
			o.TrustedHosts = append(o.TrustedHosts, Setting{u.value, src})
		case "features_enabled":
			o.Features = append(o.Features, Setting{u.value, src})
		}
	}
	if o.NoIndex == nil {
		if indexURL != nil && indexURL.Value != "" {
			o.IndexURL = indexURL
			o.ExtraIndexURLs = nil
		}
		o.ExtraIndexURLs = append(o.ExtraIndexURLs, extras...)
	}
	return nil
}

func (p *parser) warn(src Source, msg string) {
	p.file.Warnings = append(p.file.Warnings, Warning{src, msg})
}

// include reads and parses the file target names, relative to the
// including file name.
func (p *parser) include(name string, l line, target string, constraint bool, chain []string) error {
	opt := "-r"
	if constraint {
		opt = "-c"
	}
	lineErr := func(err error, hint string) error {
		return &Error{File: name, Line: l.num, Text: opt + " " + target, Err: err, Hint: hint}
	}
	nested := joinName(name, target)
	for _, c := range chain {
		if sameFile(c, nested) {
			return lineErr(fmt.Errorf("%w: %s -> %s", ErrIncludeCycle, strings.Join(chain, " -> "), nested), "remove one of the includes")
		}
	}
	if len(p.file.Files) >= MaxFiles {
		return lineErr(fmt.Errorf("%w: more than %d files included", ErrTooLarge, MaxFiles), "")
	}
	if len(chain) >= MaxDepth {
		return lineErr(fmt.Errorf("%w: includes nested more than %d deep", ErrTooLarge, MaxDepth), "")
	}
	if p.opts.Open == nil {
		return lineErr(errors.New("nested requirements files are not allowed here"), "")
	}
	data, err := p.opts.Open(nested)
	if err != nil {
		return lineErr(fmt.Errorf("reading %s: %w", nested, err), "")
	}
	return p.parse(nested, data, constraint, chain)
}

// schemeRE is pip's SCHEME_RE: a name that starts with http:, https: or
// file:, in any case.
func hasFetchScheme(s string) bool {
	scheme, _, ok := strings.Cut(s, ":")
	if !ok {
		return false
	}
	scheme = strings.ToLower(scheme)
	return scheme == "http" || scheme == "https" || scheme == "file"
}

// joinName returns the name of a file included from the file base, as pip
// forms it: a URL join when base is a URL, a path join when neither is one,
// target itself when only target is a URL.
func joinName(base, target string) string {
	if hasFetchScheme(base) {
		b, err1 := url.Parse(base)
		t, err2 := url.Parse(target)
		if err1 != nil || err2 != nil {
			return target
		}
		return b.ResolveReference(t).String()
	}
	if hasFetchScheme(target) {
		return target
	}
	// os.path.join(os.path.dirname(base), target), without cleaning
	if strings.HasPrefix(target, "/") {
		return target
	}
	dir := ""
	if i := strings.LastIndex(base, "/"); i >= 0 {
		dir = base[:i+1]
		if strings.Trim(dir, "/") != "" {
			dir = strings.TrimRight(dir, "/") + "/"
		}
	}
	return dir + target
}

// sameFile reports whether two names pip formed name the same file.
func sameFile(a, b string) bool {
	if hasFetchScheme(a) || hasFetchScheme(b) {
		return a == b
	}
	return path.Clean(a) == path.Clean(b)
}

func setFlag(f **Flag, src Source) {
	if *f == nil {
		*f = &Flag{src}
	}
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// hashLengths are the hex digest lengths of pip's STRONG_HASHES.
var hashLengths = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}

func parseHash(opt, value string) (Hash, error) {
	algo, digest, ok := strings.Cut(value, ":")
	if !ok {
		return Hash{}, fmt.Errorf("arguments to %s must be a hash name followed by a value, like --hash=sha256:abcde...", opt)
	}
	n, ok := hashLengths[algo]
	if !ok {
		return Hash{}, fmt.Errorf("hash algorithm %q is not allowed; use sha256, sha384 or sha512", algo)
	}
	if len(digest) != n || strings.Trim(digest, "0123456789abcdef") != "" {
		return Hash{}, fmt.Errorf("%s digest must be %d lower-case hex digits", algo, n)
	}
	return Hash{algo, digest}, nil
}

// formatControl applies one --no-binary or --only-binary value to the
// file's FormatControl; a name keeps the line that first set it.
func (p *parser) formatControl(u optValueUse, src Source) error {
	err := p.format.Handle(u.spec.kind == optNoBinary, u.value, func(name string, old binarySetting, had bool) binarySetting {
		if had {
			return old
		}
		p.seq++
		return binarySetting{Setting{name, src}, p.seq}
	})
	if err != nil {
		return fmt.Errorf("%s option requires 1 argument", u.name)
	}
	p.file.Options.FormatValues = append(p.file.Options.FormatValues, FormatValue{u.spec.kind == optNoBinary, Setting{u.value, src}})
	return nil
}

func sortedSettings(m map[string]binarySetting) []Setting {
	list := slices.SortedFunc(maps.Values(m), func(a, b binarySetting) int { return a.seq - b.seq })
	var out []Setting
	for _, s := range list {
		out = append(out, s.Setting)
	}
	return out
}
