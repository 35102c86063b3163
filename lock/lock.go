// Package lock holds safepip.lock: the model, its TOML form (read and
// written deterministically, to the byte), validation, and the differences
// between two locks.
//
// A lock is reviewed by people and diffed by CI, so its bytes depend only
// on its content: packages sorted by normalized name then version, files
// by name, dependency lists sorted, no timestamps, and never a credential.
// Nothing in it depends on the machine that wrote it.
//
// # Format version 2
//
// One lock serves every environment inside its scope (uv.lock and PEP 751
// are the references). The top level holds:
//
//	version = 2
//	created-by = "safepip 0.2.0"
//	inputs = "sha256:..."   # the normalized inputs, index configuration,
//	                        # scope and format version; --check compares it
//
//	[scope]                 # where the lock may be installed
//	requires-python = ">=3.9"
//	environments = ["sys_platform == 'linux'"]          # [resolution] environments
//	required-environments = ["sys_platform == 'linux' and platform_machine == 'x86_64'"]
//	python = "3.11"         # --python / --python-version narrowed the lock
//	implementation = "cpython"
//	platform = "manylinux_2_17_x86_64"                  # --platform narrowed it
//	tags = "sha256:..."     # --python: that interpreter's ordered tags
//	markers = "sha256:..."  # --python: its marker environment
//	forks = ["python_full_version < '3.11'", "python_full_version >= '3.11'"]
//
// Every key of [scope] is optional and narrows the scope; a universal lock
// records at least its requires-python (the project's, else safepip's
// default), and the narrowing keys only when flags asked for them. Marker
// strings are canonical (pep508's MarkerSet String form), so that equal
// scopes are equal bytes. forks lists the parts of the environment space
// the resolver resolved separately, absent when it did not fork. A
// [requested] table may follow: what the lock was asked for (-r files,
// requirements, extras, groups).
//
// Each [[package]] may carry a marker: the package is installed exactly in
// the environments where it holds (absent: everywhere in scope). A name may
// appear in several [[package]] entries, one per version, when forks chose
// different versions; their markers must be disjoint, so an environment
// selects at most one version of a name. Every file of a chosen version is
// listed; an installer picks, per environment, the best compatible wheel.
//
// # Builds and sources
//
// A package that must be built (allow-sdist with no wheel for the
// environment, pip's --no-binary, or a source) lists what its build needs
// in build-dependencies, each a pin "name==version" with an optional
// canonical marker, pointing at a [[build-package]] entry. Build packages
// are wheels only (a build never builds its tools), routed and hashed like
// any package, shared by every package whose build references them (their
// required-by), and never installed into the target environment:
//
//	[[package]]
//	name = "acme-lib"
//	version = "1.0"
//	index = "internal"
//	allow-sdist = true
//	build-dependencies = [
//	    "acme-build-plugin==1.0",
//	    "setuptools==69.0.0",
//	    "tomli==2.0.1 ; python_version < '3.11'",
//	]
//
//	[[package]]
//	name = "myproject"
//	version = "0.1.0"
//	source = {path = ".", editable = true}
//	build-dependencies = ["hatchling==1.21.0"]
//
//	[[package]]
//	name = "gitpkg"
//	version = "2.0"
//	source = {git = "https://host/repo.git", commit = "<40 hex>", subdirectory = "sub"}
//
//	[[build-package]]
//	name = "setuptools"
//	version = "69.0.0"
//	index = "public"
//	required-by = ["acme-lib"]
//	[[build-package.file]]
//	name = "setuptools-69.0.0-py3-none-any.whl"
//
// A source is where a package that is not on an index comes from: a
// directory (path, relative to the lock's directory in slash form, never
// absolute; editable for a PEP 660 editable install) or a git repository
// (its URL without credentials or revision, the full 40-hex commit, and
// an optional subdirectory). A package with a source has no index, url or
// files: a directory is the user's own code, and a commit names its
// content. These keys arrived within format version 2; a lock without
// them reads as before.
//
// # Format version 1
//
// Version 1 locks (written by safepip 0.1) were for one interpreter: a
// [target] table instead of [scope]. Parse still reads them, as a lock
// whose scope is narrowed to that target (Scope.Python, Implementation,
// Platform, Tags, Markers), with their packages' markers as recorded, so a
// version 1 lock still installs (one made with --python-version X.Y and
// --platform drops the tag and marker digests version 1 recorded for a
// made-up interpreter, so that it installs into any X.Y on that platform).
// `safepip lock` rewrites it as version 2: the inputs digest includes the
// format version, so `lock --check` calls a version 1 lock stale.
package lock

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
)

// FormatVersion is the lock format this package writes. It also reads
// version 1 (see the package doc).
const FormatVersion = 2

// RootName names the user's requirements in RequiredBy.
const RootName = "<root>"

// File is one safepip.lock.
type File struct {
	Version   int       `toml:"version"`
	CreatedBy string    `toml:"created-by"`
	Inputs    string    `toml:"inputs"` // "sha256:<hex>" over the normalized inputs
	Scope     Scope     `toml:"scope"`
	Requested Requested `toml:"requested,omitempty"`
	Policy    Policy    `toml:"policy,omitempty"`
	Indexes   []Index   `toml:"index,omitempty"`
	Packages  []Package `toml:"package"`
	// BuildPackages are what the builds of packages need (their
	// build-dependencies point here): wheels, never installed into the
	// target environment.
	BuildPackages []Package `toml:"build-package,omitempty"`
}

// Requested records what the lock was asked for besides its requirements
// files' contents, so that a reader sees it and `safepip install NAME`
// can add to it; the inputs digest covers all of it.
type Requested struct {
	// Files are the -r files given, relative to the lock's directory, in
	// slash form.
	Files []string `toml:"files,omitempty"`
	// Requirements are the requirements given as arguments, canonical.
	Requirements []string `toml:"requirements,omitempty"`
	// Project is the pyproject.toml read, relative to the lock's
	// directory in slash form ("pyproject.toml").
	Project string `toml:"project,omitempty"`
	// Extras and Groups are the pyproject.toml extras and PEP 735
	// dependency groups locked (normalized), besides its dependencies.
	Extras []string `toml:"extras,omitempty"`
	Groups []string `toml:"groups,omitempty"`
}

// Scope is where a lock may be installed: the environments its
// resolution holds for. Empty fields do not narrow it.
type Scope struct {
	// RequiresPython is the Python versions the lock is for (a PEP 440
	// specifier set, as [resolution] requires-python).
	RequiresPython string `toml:"requires-python,omitempty"`
	// Environments narrows the lock to the environments where one of these
	// markers holds (canonical marker strings).
	Environments []string `toml:"environments,multiline,omitempty"`
	// RequiredEnvironments are environments every package has a wheel for.
	RequiredEnvironments []string `toml:"required-environments,multiline,omitempty"`

	// The narrowing of a lock made with --python, --python-version or
	// --platform (or read from a version 1 [target]).
	Python         string `toml:"python,omitempty"`         // "3.11.7" or "3.11"
	Implementation string `toml:"implementation,omitempty"` // "cpython", "pypy"
	Platform       string `toml:"platform,omitempty"`       // a platform tag: "manylinux_2_28_x86_64"
	Tags           string `toml:"tags,omitempty"`           // "sha256:<hex>" of an interpreter's ordered tags
	Markers        string `toml:"markers,omitempty"`        // "sha256:<hex>" of an interpreter's marker environment

	// Forks are the canonical markers of the parts of the environment space
	// the resolution was split into; empty when it did not fork.
	Forks []string `toml:"forks,multiline,omitempty"`
}

// Policy records the choices that change a resolution, so that a later
// --check reproduces it.
type Policy struct {
	ExcludeNewer string `toml:"exclude-newer,omitempty"` // RFC 3339 cut-off in UTC
	Attestations string `toml:"attestations,omitempty"`  // off, verify, require
}

// Index is an index some package was resolved from, without credentials.
type Index struct {
	Name string `toml:"name"`
	URL  string `toml:"url"`
}

// Package is one locked distribution at one version.
type Package struct {
	Name           string `toml:"name"` // PEP 503 normalized
	Version        string `toml:"version"`
	Index          string `toml:"index,omitempty"` // Index.Name; "" for a direct URL
	URL            string `toml:"url,omitempty"`   // a direct "name @ url" requirement
	Marker         string `toml:"marker,omitempty"`
	RequiresPython string `toml:"requires-python,omitempty"`
	AllowSdist     bool   `toml:"allow-sdist,omitempty"` // the policy let an sdist in
	// Source is where a package that is not from an index comes from (a
	// local directory or a VCS commit); nil for an index or URL package.
	Source *Source `toml:"source,inline,omitempty"`
	// BuildDependencies are the [[build-package]] entries a build of this
	// package needs, as BuildRef strings ("name==version ; marker").
	BuildDependencies []string `toml:"build-dependencies,multiline,omitempty"`
	Dependencies      []string `toml:"dependencies,multiline"`
	RequiredBy        []string `toml:"required-by,multiline"`
	Files             []Dist   `toml:"file,omitempty"` // none for a Source package
}

// Source is where a package that is not from an index comes from: a
// directory of the user's own code (no hash: it is theirs) or a commit of a
// git repository. Exactly one of Path and Git is set.
type Source struct {
	// Path is a directory relative to the lock's directory, in slash
	// form: "." or "libs/acme"; ".." is allowed, an absolute path never.
	Path string `toml:"path,omitempty"`
	// Editable installs it with PEP 660 build_editable.
	Editable bool `toml:"editable,omitempty"`
	// Git is the repository URL as pip takes it after "git+", without
	// credentials or "@rev": "https://host/repo.git", "file:///srv/repo".
	Git string `toml:"git,omitempty"`
	// Commit is the full 40-hex commit of Git.
	Commit string `toml:"commit,omitempty"`
	// Subdirectory is the project's directory inside the repository.
	Subdirectory string `toml:"subdirectory,omitempty"`
}

// Dist is one file of a locked version: a wheel or an sdist.
type Dist struct {
	Name        string       `toml:"name"`
	URL         string       `toml:"url"`
	SHA256      string       `toml:"sha256"`
	Size        int64        `toml:"size,omitempty"`
	UploadTime  string       `toml:"upload-time,omitempty"`
	Attestation *Attestation `toml:"attestation,omitempty"`
}

// Attestation is the verified PEP 740 publisher of a file.
type Attestation struct {
	Publisher    string `toml:"publisher"` // "github:owner/repo", "gitlab:group/project", "google:email"
	Workflow     string `toml:"workflow,omitempty"`
	Identity     string `toml:"identity"`
	Issuer       string `toml:"issuer"`
	LogIndex     int64  `toml:"log-index"`
	BundleSHA256 string `toml:"bundle-sha256"`
}

// Package returns the first locked entry named name (any spelling), or
// nil. A universal lock may hold several versions of a name under disjoint
// markers: Versions lists them all.
func (f *File) Package(name string) *Package {
	n := pep508.NormalizeName(name)
	for i := range f.Packages {
		if f.Packages[i].Name == n {
			return &f.Packages[i]
		}
	}
	return nil
}

// Versions returns every locked entry named name (any spelling), in lock
// order (ascending version).
func (f *File) Versions(name string) []*Package {
	n := pep508.NormalizeName(name)
	var out []*Package
	for i := range f.Packages {
		if f.Packages[i].Name == n {
			out = append(out, &f.Packages[i])
		}
	}
	return out
}

// Normalize sorts everything that has no meaningful order, so that equal
// content gives equal bytes: in each [[package]] and [[build-package]] its
// dependencies, required-by, files and build-dependencies (canonical, by
// name then version then marker), then the entries themselves.
func (f *File) Normalize() {
	for i := range f.Packages {
		f.Packages[i].normalize()
	}
	for i := range f.BuildPackages {
		f.BuildPackages[i].normalize()
	}
	slices.Sort(f.Scope.Environments)
	f.Scope.Environments = slices.Compact(f.Scope.Environments)
	slices.Sort(f.Scope.RequiredEnvironments)
	f.Scope.RequiredEnvironments = slices.Compact(f.Scope.RequiredEnvironments)
	slices.Sort(f.Scope.Forks)
	f.Scope.Forks = slices.Compact(f.Scope.Forks)
	slices.SortFunc(f.Packages, comparePackages)
	slices.SortFunc(f.BuildPackages, comparePackages)
	slices.SortFunc(f.Indexes, func(a, b Index) int { return strings.Compare(a.Name, b.Name) })
}

func (p *Package) normalize() {
	p.Name = pep508.NormalizeName(p.Name)
	for j, d := range p.Dependencies {
		p.Dependencies[j] = pep508.NormalizeName(d)
	}
	slices.Sort(p.Dependencies)
	p.Dependencies = slices.Compact(p.Dependencies)
	slices.Sort(p.RequiredBy)
	p.RequiredBy = slices.Compact(p.RequiredBy)
	slices.SortFunc(p.Files, func(a, b Dist) int { return strings.Compare(a.Name, b.Name) })
	if p.Dependencies == nil {
		p.Dependencies = []string{}
	}
	if p.RequiredBy == nil {
		p.RequiredBy = []string{}
	}
	p.BuildDependencies = normalizeBuildRefs(p.BuildDependencies)
	if len(p.BuildDependencies) == 0 {
		p.BuildDependencies = nil
	}
}

// normalizeBuildRefs writes each reference in canonical form and sorts
// them by name, version (PEP 440 order), then marker. An entry that does
// not parse is kept as written, after the others, for Validate to report.
func normalizeBuildRefs(refs []string) []string {
	type entry struct {
		ref  BuildRef
		text string
		ok   bool
	}
	es := make([]entry, len(refs))
	for i, s := range refs {
		r, err := ParseBuildRef(s)
		es[i] = entry{r, s, err == nil}
		if err == nil {
			es[i].text = r.String()
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		switch {
		case a.ok != b.ok: // the ones that parse first
			if a.ok {
				return -1
			}
			return 1
		case !a.ok:
			return strings.Compare(a.text, b.text)
		}
		if c := strings.Compare(a.ref.Name, b.ref.Name); c != 0 {
			return c
		}
		if c := compareVersions(a.ref.Version, b.ref.Version); c != 0 {
			return c
		}
		return strings.Compare(a.ref.Marker, b.ref.Marker)
	})
	out := refs[:0]
	for _, e := range es {
		if len(out) == 0 || out[len(out)-1] != e.text {
			out = append(out, e.text)
		}
	}
	return out
}

// comparePackages orders [[package]] entries: by name, then version
// (PEP 440 order), then marker.
func comparePackages(a, b Package) int {
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	if c := compareVersions(a.Version, b.Version); c != 0 {
		return c
	}
	return strings.Compare(a.Marker, b.Marker)
}

// compareVersions compares two versions in PEP 440 order, falling back to
// the text for one that does not parse (Validate reports it), so that the
// order is total and the bytes deterministic.
func compareVersions(a, b string) int {
	va, errA := pep440.Parse(a)
	vb, errB := pep440.Parse(b)
	if errA != nil || errB != nil {
		return strings.Compare(a, b)
	}
	if c := va.Compare(vb); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// hasCredentials reports whether u has a user-info part ("user:pass@").
func hasCredentials(u string) bool {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return false
	}
	host, _, _ := strings.Cut(rest, "/")
	return strings.Contains(host, "@")
}

// validate checks that the scope's specifier and markers parse.
func (s *Scope) validate() error {
	if s.RequiresPython != "" {
		if _, err := pep440.ParseSpecifierSet(s.RequiresPython); err != nil {
			return fmt.Errorf("[scope] requires-python %q: %w", s.RequiresPython, err)
		}
	}
	for _, list := range []struct {
		key     string
		markers []string
	}{{"environments", s.Environments}, {"required-environments", s.RequiredEnvironments}, {"forks", s.Forks}} {
		for _, m := range list.markers {
			if _, err := pep508.ParseMarker(m); err != nil {
				return fmt.Errorf("[scope] %s: marker %q: %w", list.key, m, err)
			}
		}
	}
	return nil
}

// markersOverlap reports whether some environment satisfies both package
// markers ("" holds everywhere), by the marker algebra of pep508.
func markersOverlap(a, b string) (bool, error) {
	ma, err := pep508.ParseMarkerSet(a)
	if err != nil {
		return false, fmt.Errorf("marker %q: %w", a, err)
	}
	mb, err := pep508.ParseMarkerSet(b)
	if err != nil {
		return false, fmt.Errorf("marker %q: %w", b, err)
	}
	return !ma.Disjoint(mb), nil
}

func markerOrEverywhere(m string) string {
	if m == "" {
		return "no marker (everywhere)"
	}
	return strconv.Quote(m)
}
