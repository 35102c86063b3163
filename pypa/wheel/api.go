// Package wheel parses wheel filenames (PEP 427, with build tags and
// compressed tag sets) and sdist filenames (PEP 625).
//
// SKELETON: the exported API below is the contract other packages code
// against; the implementation replaces the panics.
package wheel

import (
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/tags"
)

// Wheel is a parsed wheel filename.
type Wheel struct {
	Name    string         // PEP 503 normalized project name
	Version pep440.Version // parsed version
	Build   string         // build tag, "" when absent
	Tags    []tags.Tag     // the compressed tag set expanded, in filename order
}

// ParseWheel parses a wheel filename such as
// "foo-1.0-1-py2.py3-none-any.whl".
func ParseWheel(filename string) (Wheel, error) { panic("wheel: not implemented") }

// Sdist is a parsed source distribution filename.
type Sdist struct {
	Name    string // PEP 503 normalized project name
	Version pep440.Version
}

// ParseSdist parses an sdist filename such as "foo_bar-1.0.tar.gz".
func ParseSdist(filename string) (Sdist, error) { panic("wheel: not implemented") }
