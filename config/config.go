package config

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/reqfile"
)

// PyPI is the URL of the index used when nothing declares a default.
const PyPI = "https://pypi.org/simple"

// Config is the final, merged configuration: the indexes to use and the
// policy.
type Config struct {
	Indexes []Index
	Policy  Policy
	// Resolution is the configuration file's [resolution] table.
	Resolution Resolution

	// disabled holds the simple indexes that --no-index dropped, so that a
	// project pinned to one of them is an error instead of being routed to
	// another index.
	disabled []Index
	noIndex  string // where --no-index was given
	// format is pip's format control after every layer (see New), each
	// name with where it was last set.
	format reqfile.FormatControl[PipValue]
}

// NoBinary reports whether pip's --no-binary applies to project: it is
// built from its sdist, and its wheels are never used. pip's precedence
// holds (FormatControl.get_allowed_formats): --only-binary NAME, then
// --no-binary NAME, then --only-binary :all:, then --no-binary :all:.
// Build dependencies are not runtime packages: --no-binary never applies
// to them.
func (c *Config) NoBinary(project string) bool {
	_, no, _ := c.formatOf(project)
	return no
}

// NoBinaryFrom says where the --no-binary that applies to project was
// given ("requirements.txt:3", "PIP_NO_BINARY", "command line
// (--no-binary :all:)"); "" when none applies.
func (c *Config) NoBinaryFrom(project string) string {
	v, no, _ := c.formatOf(project)
	if !no {
		return ""
	}
	return v.Source
}

// OnlyBinaryFrom says where the --only-binary that makes project wheels
// only was given; "" when none does.
func (c *Config) OnlyBinaryFrom(project string) string {
	v, _, only := c.formatOf(project)
	if !only {
		return ""
	}
	return v.Source
}

// FormatControl returns pip's format control after every layer (see
// New): the names (or ":all:") of --no-binary and --only-binary, each
// with where it was last set.
func (c *Config) FormatControl() reqfile.FormatControl[PipValue] {
	return reqfile.FormatControl[PipValue]{NoBinary: maps.Clone(c.format.NoBinary), OnlyBinary: maps.Clone(c.format.OnlyBinary)}
}

// formatOf returns the format control value that decides project, and
// whether it is --no-binary or --only-binary (neither: no value).
func (c *Config) formatOf(project string) (v PipValue, noBinary, onlyBinary bool) {
	name := pep508.NormalizeName(project)
	for _, k := range []string{name, ":all:"} {
		if v, ok := c.format.OnlyBinary[k]; ok {
			return v, false, true
		}
		if v, ok := c.format.NoBinary[k]; ok {
			return v, true, false
		}
	}
	return PipValue{}, false, false
}

// Kind says how an index is read.
type Kind int

const (
	// Simple is a PEP 503/691 simple repository (--index-url).
	Simple Kind = iota
	// Flat is a page or directory of distribution links (--find-links).
	Flat
)

// String returns "simple" or "flat", the values of the "format" key.
func (k Kind) String() string {
	if k == Flat {
		return "flat"
	}
	return "simple"
}

// Index is one package index.
type Index struct {
	Name string
	// URL is the index URL with ${VAR} expanded and credentials kept: use it
	// for requests only, never print it (use String or Display).
	URL      string
	Default  bool
	Packages []string // normalized patterns; empty: not pinned
	Kind     Kind
	// Source says where the index was declared, for messages:
	// "safepip.toml:7", "requirements.txt:2 (--extra-index-url)",
	// "--index-url (command line)" or "built-in default".
	Source string
	// FromFile is true when the index is an [[index]] table of the
	// configuration file (false for requirements files, flags and PyPI).
	FromFile bool

	written string // the URL as written: ${VAR} unexpanded
	file    string // the configuration file, for errors found when merging
	line    int
}

// Display returns the URL as written (${VAR} references unexpanded) with
// user information removed: safe to print, stable across credentials.
func (x Index) Display() string {
	w := x.written
	if w == "" {
		w = x.URL
	}
	s, _ := StripUserinfo(w)
	return s
}

// String returns the name and the printable URL.
func (x Index) String() string { return fmt.Sprintf("%q (%s)", x.Name, x.Display()) }

// GoString keeps credentials out of %#v.
func (x Index) GoString() string { return "config.Index{" + x.String() + "}" }

// Default returns the default index, if any (none after --no-index).
func (c *Config) Default() (Index, bool) {
	for _, x := range c.Indexes {
		if x.Default {
			return x, true
		}
	}
	return Index{}, false
}

// Index returns the index called name.
func (c *Config) Index(name string) (Index, bool) {
	for _, x := range c.Indexes {
		if strings.EqualFold(x.Name, name) {
			return x, true
		}
	}
	return Index{}, false
}

// Pin returns the index whose "packages" match project (any spelling), and
// whether there is one. Two matching indexes, or a pin to an index that
// --no-index dropped, are errors (*Error).
func (c *Config) Pin(project string) (Index, bool, error) {
	name := pep508.NormalizeName(project)
	var found []Index
	var pats []string
	for _, x := range c.Indexes {
		for _, p := range x.Packages {
			if matchPattern(p, name) {
				found = append(found, x)
				pats = append(pats, p)
				break
			}
		}
	}
	for _, x := range c.disabled {
		for _, p := range x.Packages {
			if matchPattern(p, name) {
				return Index{}, false, &Error{File: x.Source, Key: "packages", Msg: fmt.Sprintf(
					"%q is pinned to index %s by %q, but --no-index (%s) drops that index; remove --no-index or serve the project from a --find-links index declared with this pin",
					name, x, p, c.noIndex)}
			}
		}
	}
	switch len(found) {
	case 0:
		return Index{}, false, nil
	case 1:
		return found[0], true, nil
	}
	return Index{}, false, &Error{File: found[0].Source, Key: "packages", Msg: fmt.Sprintf(
		"%q is pinned to two indexes: %s by %q (%s) and %s by %q (%s); keep it in the packages of one",
		name, found[0], pats[0], found[0].Source, found[1], pats[1], found[1].Source)}
}

// pinPattern returns the first pattern of x matching name.
func (x Index) pinPattern(name string) string {
	for _, p := range x.Packages {
		if matchPattern(p, name) {
			return p
		}
	}
	return ""
}

// Canonical returns a stable text form of the configuration for the lock's
// inputs digest: indexes sorted by name with their printable URLs (no
// credentials, ${VAR} unexpanded), then the policy. Where things were
// declared does not count.
func (c *Config) Canonical() []byte {
	var b strings.Builder
	idx := slices.Clone(c.Indexes)
	slices.SortFunc(idx, func(a, b Index) int { return strings.Compare(a.Name, b.Name) })
	for _, x := range idx {
		pk := slices.Clone(x.Packages)
		slices.Sort(pk)
		fmt.Fprintf(&b, "index name=%s url=%s format=%s default=%t packages=%s\n",
			strconv.Quote(x.Name), strconv.Quote(x.Display()), x.Kind, x.Default, quoteList(pk))
	}
	if c.noIndex != "" {
		b.WriteString("no-index\n")
	}
	// pip's format control decides which files are locked: part of the
	// inputs (written only when set, so that locks made without it keep
	// their digest).
	for _, fc := range []struct {
		flag  string
		names map[string]PipValue
	}{{"no-binary", c.format.NoBinary}, {"only-binary", c.format.OnlyBinary}} {
		if len(fc.names) > 0 {
			fmt.Fprintf(&b, "format %s=%s\n", fc.flag, quoteList(slices.Sorted(maps.Keys(fc.names))))
		}
	}
	p := c.Policy
	fmt.Fprintf(&b, "policy allow-sdist=%s\n", p.AllowSdist.canonical())
	if !p.ExcludeNewer.IsZero() {
		fmt.Fprintf(&b, "policy exclude-newer=%s\n", p.ExcludeNewer.UTC().Format(time.RFC3339Nano))
	}
	if p.MinReleaseAge != 0 {
		fmt.Fprintf(&b, "policy min-release-age=%s\n", p.MinReleaseAge)
	}
	fmt.Fprintf(&b, "policy attestations=%s\n", p.Attestations)
	ra := slices.Clone(p.RequireAttestations)
	slices.Sort(ra)
	fmt.Fprintf(&b, "policy require-attestations=%s\n", quoteList(ra))
	if p.TrustedRoot != "" {
		root := p.trustedRootWritten // as written: the checkout's location does not count
		if root == "" {
			root = p.TrustedRoot
		}
		fmt.Fprintf(&b, "policy trusted-root=%s\n", strconv.Quote(root))
	}
	names := make([]string, 0, len(p.Publishers))
	for n := range p.Publishers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		pub := p.Publishers[n]
		fmt.Fprintf(&b, "policy publisher %s=%s workflow=%s\n", strconv.Quote(n), strconv.Quote(pub.String()), strconv.Quote(pub.Workflow))
	}
	return []byte(b.String())
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	return "[" + strings.Join(q, ",") + "]"
}
