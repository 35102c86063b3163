package build

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/pyproject"
)

// The PEP 517/518 defaults for a source tree that does not declare its
// build: pip builds it with setuptools' legacy backend, which runs setup.py.
const (
	DefaultRequires = "setuptools>=40.8.0"
	DefaultBackend  = "setuptools.build_meta:__legacy__"
)

// maxPyprojectBytes bounds the pyproject.toml read from a source.
const maxPyprojectBytes = 1 << 20

// BuildSystem is the [build-system] table of a pyproject.toml (PEP 518,
// PEP 517), with the defaults filled in.
type BuildSystem struct {
	// Requires are the distributions the backend needs installed, as
	// written (PEP 508 strings; each one parses).
	Requires []string
	// Backend is the backend object, "module.path" or "module.path:object".
	Backend string
	// BackendPath lists the source-tree directories (relative, inside the
	// tree) put first on sys.path to load an in-tree backend.
	BackendPath []string
	// Default reports that Requires and Backend are the PEP 518 defaults
	// because the file, the table or build-backend is absent.
	Default bool
}

// backendPattern is PEP 517's build-backend: a dotted module path,
// optionally ":" and a dotted object path.
var backendPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)?$`)

// DefaultBuildSystem is the build of a source tree without pyproject.toml.
func DefaultBuildSystem() BuildSystem {
	return BuildSystem{Requires: []string{DefaultRequires}, Backend: DefaultBackend, Default: true}
}

// BuildSystemError is a [build-system] table that cannot be used: File is
// the pyproject.toml (as named by the caller), Key the offending key.
type BuildSystemError struct {
	File   string
	Key    string // e.g. "requires[2]"; "" for the file as a whole
	Value  string // the value at fault, when there is one
	Reason string // what is wrong and how to fix it
}

func (e *BuildSystemError) Error() string {
	where := e.File
	if e.Key != "" {
		where += ": [build-system] " + e.Key
	}
	if e.Value != "" {
		return fmt.Sprintf("%s: %q: %s", where, e.Value, e.Reason)
	}
	return fmt.Sprintf("%s: %s", where, e.Reason)
}

// ReadBuildSystem reads the [build-system] table of the pyproject.toml
// whose bytes are data; name is how errors name the file. Without the
// table, or without build-backend, the PEP 518 defaults apply (as pip
// does); a table without requires is an error, as PEP 518 says.
func ReadBuildSystem(name string, data []byte) (BuildSystem, error) {
	fail := func(key, value, format string, args ...any) (BuildSystem, error) {
		return BuildSystem{}, &BuildSystemError{File: name, Key: key, Value: value, Reason: fmt.Sprintf(format, args...)}
	}
	if len(data) > maxPyprojectBytes {
		return fail("", "", "%d bytes is more than the %d a pyproject.toml may have", len(data), maxPyprojectBytes)
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return fail("", "", "line %d, column %d: %v", row, col, de)
		}
		return fail("", "", "%v", err)
	}
	raw, ok := doc["build-system"]
	if !ok {
		return DefaultBuildSystem(), nil
	}
	table, ok := raw.(map[string]any)
	if !ok {
		return fail("", "", "[build-system] must be a table, not %s", pyproject.TypeName(raw))
	}
	var bs BuildSystem
	reqs, ok := table["requires"]
	if !ok {
		return fail("requires", "", `the table has no requires key (PEP 518 makes it mandatory); add requires = ["setuptools>=40.8.0"] or your backend's package`)
	}
	list, ok := reqs.([]any)
	if !ok {
		return fail("requires", "", "must be an array of PEP 508 strings, not %s", pyproject.TypeName(reqs))
	}
	for i, r := range list {
		key := fmt.Sprintf("requires[%d]", i)
		s, ok := r.(string)
		if !ok {
			return fail(key, "", "must be a PEP 508 string, not %s", pyproject.TypeName(r))
		}
		if _, err := pep508.ParseRequirement(s); err != nil {
			return fail(key, s, "%v", err)
		}
		bs.Requires = append(bs.Requires, s)
	}
	if v, ok := table["build-backend"]; ok {
		s, ok := v.(string)
		if !ok {
			return fail("build-backend", "", "must be a string such as \"setuptools.build_meta\", not %s", pyproject.TypeName(v))
		}
		if !backendPattern.MatchString(s) {
			return fail("build-backend", s, `want a module path, optionally ":object", such as "hatchling.build" or "setuptools.build_meta:__legacy__"`)
		}
		bs.Backend = s
	} else {
		bs.Backend, bs.Default = DefaultBackend, true
	}
	if v, ok := table["backend-path"]; ok {
		list, ok := v.([]any)
		if !ok {
			return fail("backend-path", "", "must be an array of relative directory names, not %s", pyproject.TypeName(v))
		}
		for i, p := range list {
			key := fmt.Sprintf("backend-path[%d]", i)
			s, ok := p.(string)
			if !ok {
				return fail(key, "", "must be a string, not %s", pyproject.TypeName(p))
			}
			if reason := checkBackendPath(s); reason != "" {
				return fail(key, s, "%s", reason)
			}
			bs.BackendPath = append(bs.BackendPath, s)
		}
	}
	return bs, nil
}

// checkBackendPath returns why p cannot be a backend-path entry, or "".
// PEP 517: entries are relative to the source tree and stay inside it.
func checkBackendPath(p string) string {
	slashed := strings.ReplaceAll(p, `\`, "/")
	switch {
	case p == "":
		return `an empty entry; use "." for the source tree itself`
	case strings.ContainsRune(p, 0):
		return "a NUL byte"
	case path.IsAbs(slashed) || (len(slashed) > 1 && slashed[1] == ':'):
		return "an absolute path; backend-path entries are relative to the source tree (PEP 517)"
	}
	if c := path.Clean(slashed); c == ".." || strings.HasPrefix(c, "../") {
		return "leaves the source tree; backend-path entries must stay inside it (PEP 517)"
	}
	return ""
}
