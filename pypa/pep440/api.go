// Package pep440 implements PEP 440 version identifiers and version
// specifiers: parsing, normalization, ordering and matching, with the
// pre-release rules of the packaging library.
//
// SKELETON: the exported API below is the contract other packages code
// against; the implementation replaces the panics.
package pep440

// Version is a parsed, valid PEP 440 version. Values are immutable.
type Version struct {
	s string // placeholder field; the implementation defines the real ones
}

// Parse parses a PEP 440 version, accepting every spelling PEP 440 allows
// and normalizing it ("1.0RC1" -> "1.0rc1").
func Parse(s string) (Version, error) { panic("pep440: not implemented") }

// MustParse is Parse for tests and constants; it panics on error.
func MustParse(s string) Version { panic("pep440: not implemented") }

// String returns the normalized form.
func (v Version) String() string { panic("pep440: not implemented") }

// Compare returns -1, 0 or +1 as v sorts before, equal to or after o.
func (v Version) Compare(o Version) int { panic("pep440: not implemented") }

// IsPrerelease reports whether v is a pre-release or a developmental release.
func (v Version) IsPrerelease() bool { panic("pep440: not implemented") }

// Local returns the local version label ("" when there is none).
func (v Version) Local() string { panic("pep440: not implemented") }

// Public returns v without its local version label.
func (v Version) Public() Version { panic("pep440: not implemented") }

// Prereleases says how SpecifierSet.Contains and Filter treat pre-releases.
type Prereleases int

const (
	// PrereleasesDefault is packaging's prereleases=None: allowed when a
	// specifier names a pre-release, otherwise excluded (Filter keeps them
	// when nothing else matches).
	PrereleasesDefault Prereleases = iota
	PrereleasesAllow
	PrereleasesExclude
)

// Specifier is one clause such as ">=1.0" or "==1.2.*".
type Specifier struct {
	Op      string // "==", "!=", "<=", ">=", "<", ">", "~=", "==="
	Version string // the text after the operator, e.g. "1.2.*"
}

// SpecifierSet is a comma-separated list of specifiers; empty matches all.
type SpecifierSet []Specifier

// ParseSpecifierSet parses "" or ">=1.0, <2".
func ParseSpecifierSet(s string) (SpecifierSet, error) { panic("pep440: not implemented") }

// String returns the normalized form as packaging prints it.
func (s SpecifierSet) String() string { panic("pep440: not implemented") }

// Contains reports whether v satisfies every specifier of s.
func (s SpecifierSet) Contains(v Version, pre Prereleases) bool { panic("pep440: not implemented") }

// Filter returns the versions in vs that s contains, in input order.
func (s SpecifierSet) Filter(vs []Version, pre Prereleases) []Version {
	panic("pep440: not implemented")
}
