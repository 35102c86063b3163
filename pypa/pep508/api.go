// Package pep508 implements PEP 508 dependency specifications (names,
// extras, version specifiers, "name @ url" and environment markers), marker
// evaluation, PEP 503 name normalization and PEP 685 extra normalization.
//
// SKELETON: the exported API below is the contract other packages code
// against; the implementation replaces the panics.
package pep508

import "github.com/safepip/safepip/pypa/pep440"

// Requirement is one parsed PEP 508 dependency specification.
type Requirement struct {
	Name      string              // as written; NormalizeName for comparisons
	Extras    []string            // as written, in order
	Specifier pep440.SpecifierSet // empty for "any version" and for URL requirements
	URL       string              // "name @ url"; "" otherwise
	Marker    *Marker             // nil when there is no marker
}

// ParseRequirement parses one requirement such as
// `requests[socks]>=2.0; python_version >= "3.8"`.
func ParseRequirement(s string) (Requirement, error) { panic("pep508: not implemented") }

// String returns the requirement in packaging's canonical spelling.
func (r Requirement) String() string { panic("pep508: not implemented") }

// Marker is a parsed environment marker expression.
type Marker struct {
	root any // placeholder; the implementation defines the tree
}

// ParseMarker parses a marker expression such as `os_name == "nt" and extra == "x"`.
func ParseMarker(s string) (*Marker, error) { panic("pep508: not implemented") }

// String returns the marker in packaging's canonical spelling.
func (m *Marker) String() string { panic("pep508: not implemented") }

// Environment holds marker variable values by name: "python_version",
// "python_full_version", "os_name", "sys_platform", "platform_release",
// "platform_system", "platform_version", "platform_machine",
// "platform_python_implementation", "implementation_name",
// "implementation_version", and "extra".
type Environment map[string]string

// Evaluate evaluates m in env. It errors only for a variable env lacks.
func (m *Marker) Evaluate(env Environment) (bool, error) { panic("pep508: not implemented") }
