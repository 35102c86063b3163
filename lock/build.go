package lock

import (
	"cmp"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
)

// BuildRef is one parsed build-dependencies entry: the [[build-package]]
// of that name and version, needed where Marker holds.
type BuildRef struct {
	Name    string // PEP 503 normalized
	Version string // exactly as the [[build-package]] records it
	Marker  string // canonical (pep508's MarkerSet String form); "" for everywhere
}

// ParseBuildRef parses a build-dependencies entry: a PEP 508 requirement
// pinned with "==" to one version, without extras or a URL, with an
// optional marker ("tomli==2.0.1 ; python_full_version < '3.11'"). The
// result's String is the canonical form the lock writes.
func ParseBuildRef(s string) (BuildRef, error) {
	r, err := pep508.ParseRequirement(s)
	if err != nil {
		return BuildRef{}, err
	}
	switch {
	case r.URL != "":
		return BuildRef{}, fmt.Errorf("%q: a build dependency is a [[build-package]] name==version, not a URL", s)
	case len(r.Extras) > 0:
		return BuildRef{}, fmt.Errorf("%q: a build dependency names no extras (the [[build-package]] entries list what the extras pulled in)", s)
	case len(r.Specifier) != 1 || r.Specifier[0].Op != "==" || strings.HasSuffix(r.Specifier[0].Version, ".*"):
		return BuildRef{}, fmt.Errorf("%q: a build dependency is pinned as name==version", s)
	}
	ref := BuildRef{Name: pep508.NormalizeName(r.Name), Version: r.Specifier[0].Version}
	if r.Marker != nil {
		ref.Marker = r.Marker.Set().String()
	}
	return ref, nil
}

// String returns "name==version", or "name==version ; marker".
func (r BuildRef) String() string {
	if r.Marker == "" {
		return r.Name + "==" + r.Version
	}
	return r.Name + "==" + r.Version + " ; " + r.Marker
}

// BuildPackage returns the [[build-package]] of name (any spelling) at
// exactly version, or nil.
func (f *File) BuildPackage(name, version string) *Package {
	n := pep508.NormalizeName(name)
	for i := range f.BuildPackages {
		if p := &f.BuildPackages[i]; p.Name == n && p.Version == version {
			return p
		}
	}
	return nil
}

// String describes s for people: "path libs/acme", "path . (editable)",
// "git https://host/repo.git@<commit>#subdirectory=sub"; "" for nil.
func (s *Source) String() string {
	if s == nil {
		return ""
	}
	var out string
	if s.Path != "" {
		out = "path " + s.Path
	} else {
		out = "git " + s.Git + "@" + s.Commit
		if s.Subdirectory != "" {
			out += "#subdirectory=" + s.Subdirectory
		}
	}
	if s.Editable {
		out += " (editable)"
	}
	return out
}

// RebaseSources rewrites the path of every directory source from relative
// to from (the lock's directory) to relative to to (the directory of an
// export written elsewhere: a pylock.toml's paths are relative to it). A
// path that cannot be made relative to to (another Windows volume) is an
// error naming it.
func (f *File) RebaseSources(from, to string) error {
	from, errFrom := filepath.Abs(from)
	to, errTo := filepath.Abs(to)
	if err := cmp.Or(errFrom, errTo); err != nil {
		return err
	}
	for i := range f.Packages {
		p := &f.Packages[i]
		if p.Source == nil || p.Source.Path == "" {
			continue
		}
		rel, err := filepath.Rel(to, filepath.Join(from, filepath.FromSlash(p.Source.Path)))
		if err != nil {
			return fmt.Errorf("package %s: source path %q cannot be written relative to %s: %w", p.Name, p.Source.Path, to, err)
		}
		s := *p.Source
		s.Path = filepath.ToSlash(rel)
		p.Source = &s
	}
	return nil
}
