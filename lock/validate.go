package lock

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/wheel"
)

var (
	hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)
	hexCommit = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// relock is the fix for a lock whose entries disagree with each other:
// only safepip writes them.
const relock = "relock with `safepip lock` rather than editing the lock"

// Validate checks what the format promises: known indexes, normalized and
// unique names, a sha256 for every file, no credentials in URLs; a source
// that is one directory (relative to the lock) or one git commit; build
// dependencies that name [[build-package]] wheels, each referenced by the
// packages its required-by lists and by no other. Each error names the
// entry and the key at fault.
func (f *File) Validate() error {
	if f.Version < 1 || f.Version > FormatVersion {
		return fmt.Errorf("unsupported lock format version %d (this safepip reads versions 1 to %d)", f.Version, FormatVersion)
	}
	if err := f.Scope.validate(); err != nil {
		return err
	}
	indexes := map[string]bool{}
	for _, ix := range f.Indexes {
		if ix.Name == "" || ix.URL == "" {
			return fmt.Errorf("[[index]] needs a name and a url")
		}
		if indexes[ix.Name] {
			return fmt.Errorf("index %q is listed twice", ix.Name)
		}
		if hasCredentials(ix.URL) {
			return fmt.Errorf("index %q: url carries credentials; a lock never holds them", ix.Name)
		}
		indexes[ix.Name] = true
	}
	seen := map[string][]Package{}
	for _, p := range f.Packages {
		if err := p.validatePackage(indexes, seen[p.Name]); err != nil {
			return &EntryError{Table: "package", Name: p.Name, Version: p.Version, Err: err}
		}
		seen[p.Name] = append(seen[p.Name], p)
	}
	return f.validateBuild(indexes)
}

// EntryError is a [[package]] or [[build-package]] entry that breaks a
// rule of the format; Parse adds the entry's line.
type EntryError struct {
	Table         string // "package", "build-package"
	Name, Version string
	Err           error // names the entry, the key and the fix
}

func (e *EntryError) Error() string { return e.Err.Error() }
func (e *EntryError) Unwrap() error { return e.Err }

// validatePackage checks one [[package]]; others are the entries of its
// name already checked, whose markers must not overlap its own.
func (p *Package) validatePackage(indexes map[string]bool, others []Package) error {
	if err := p.validateEntry("package", indexes); err != nil {
		return err
	}
	if p.Marker != "" {
		if _, err := pep508.ParseMarker(p.Marker); err != nil {
			return fmt.Errorf("package %q %s: marker %q: %w", p.Name, p.Version, p.Marker, err)
		}
	}
	for _, q := range others {
		if overlap, err := markersOverlap(q.Marker, p.Marker); err != nil {
			return fmt.Errorf("package %q: %w", p.Name, err)
		} else if overlap {
			return fmt.Errorf("package %q is locked twice for the same environments (%s under %s, %s under %s): the markers of one name's entries must be disjoint",
				p.Name, q.Version, markerOrEverywhere(q.Marker), p.Version, markerOrEverywhere(p.Marker))
		}
	}
	if p.Source != nil {
		if err := p.Source.validate(); err != nil {
			return fmt.Errorf("package %q %s: source: %w", p.Name, p.Version, err)
		}
	}
	return nil
}

// validateEntry checks what a [[package]] and a [[build-package]] share:
// name, version, where it comes from, and its files.
func (p *Package) validateEntry(table string, indexes map[string]bool) error {
	if p.Name == "" || p.Version == "" {
		return fmt.Errorf("a [[%s]] lacks its name or version", table)
	}
	if p.Name != pep508.NormalizeName(p.Name) {
		return fmt.Errorf("%s %q: name is not normalized (want %q)", table, p.Name, pep508.NormalizeName(p.Name))
	}
	if p.Index != "" && !indexes[p.Index] {
		return fmt.Errorf("%s %q: index %q is not among the lock's [[index]] tables", table, p.Name, p.Index)
	}
	if hasCredentials(p.URL) {
		return fmt.Errorf("%s %q: url carries credentials; a lock never holds them", table, p.Name)
	}
	if p.Source != nil {
		// The user's own directory or a commit: nothing from an index, no
		// file to hash.
		switch {
		case p.Index != "":
			return fmt.Errorf("%s %q %s: has a source and index %q; a package from a source has no index (%s)", table, p.Name, p.Version, p.Index, relock)
		case p.URL != "":
			return fmt.Errorf("%s %q %s: has a source and url %q; a package from a source has no url (%s)", table, p.Name, p.Version, p.URL, relock)
		case len(p.Files) > 0:
			return fmt.Errorf("%s %q %s: has a source and [[%s.file]] %s; a package from a source has no files (%s)", table, p.Name, p.Version, table, p.Files[0].Name, relock)
		}
		return nil
	}
	if p.Index == "" && p.URL == "" {
		return fmt.Errorf("%s %q: needs an index or a url", table, p.Name)
	}
	if len(p.Files) == 0 {
		return fmt.Errorf("%s %q %s: no files", table, p.Name, p.Version)
	}
	for _, d := range p.Files {
		if d.Name == "" || strings.ContainsAny(d.Name, `/\`) || d.Name == "." || d.Name == ".." {
			return fmt.Errorf("%s %q: bad file name %q", table, p.Name, d.Name)
		}
		if !hexSHA256.MatchString(d.SHA256) {
			return fmt.Errorf("%s %q: file %s: sha256 %q is not 64 lower-case hex digits", table, p.Name, d.Name, d.SHA256)
		}
		if hasCredentials(d.URL) {
			return fmt.Errorf("%s %q: file %s: url carries credentials; a lock never holds them", table, p.Name, d.Name)
		}
	}
	return nil
}

// validate checks that s is exactly one directory or one git commit.
func (s *Source) validate() error {
	switch {
	case s.Path != "" && s.Git != "":
		return fmt.Errorf("path %q and git %q: a source is one or the other (%s)", s.Path, s.Git, relock)
	case s.Path == "" && s.Git == "":
		return fmt.Errorf("neither path nor git: a source is a directory (path = \"libs/acme\") or a git commit (git = URL, commit = 40 hex)")
	case s.Path != "":
		if s.Commit != "" || s.Subdirectory != "" {
			return fmt.Errorf("path %q: commit and subdirectory belong to a git source; a directory source is its path alone; %s", s.Path, relock)
		}
		return checkRelative("path", s.Path, true)
	}
	if err := checkGitURL(s.Git); err != nil {
		return err
	}
	if !hexCommit.MatchString(s.Commit) {
		return fmt.Errorf("git %q: commit %q is not a full commit of 40 lower-case hex digits; a branch, tag or short hash can move, so a lock pins the commit (`git rev-parse REV` prints it)", s.Git, s.Commit)
	}
	if s.Subdirectory != "" {
		return checkRelative("subdirectory", s.Subdirectory, false)
	}
	return nil
}

// checkRelative checks a slash-form relative path in its clean form;
// parent says whether it may climb out with "..".
func checkRelative(key, p string, parent bool) error {
	switch {
	case strings.Contains(p, `\`):
		return fmt.Errorf("%s %q: write it in slash form (%q)", key, p, strings.ReplaceAll(p, `\`, "/"))
	case strings.HasPrefix(p, "/") || hasDriveLetter(p):
		return fmt.Errorf("%s %q is absolute: a lock holds no machine's paths; make it relative to the lock's directory", key, p)
	case path.Clean(p) != p:
		return fmt.Errorf("%s %q is not in clean form (want %q)", key, p, path.Clean(p))
	case !parent && (p == ".." || strings.HasPrefix(p, "../")):
		return fmt.Errorf("%s %q climbs out of the repository with \"..\"; %s", key, p, relock)
	}
	return nil
}

// hasDriveLetter reports a Windows drive ("C:", "c:/x").
func hasDriveLetter(p string) bool {
	return len(p) >= 2 && p[1] == ':' && ('a' <= p[0]|0x20 && p[0]|0x20 <= 'z')
}

// checkGitURL checks a source's repository URL: absolute, no revision or
// fragment (the commit says which), and no credentials. An ssh URL may name
// its user ("ssh://git@host/repo.git"): the key is the credential, not the
// name.
func checkGitURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return fmt.Errorf("git %q is not a repository URL (https://host/repo.git, ssh://git@host/repo.git, file:///srv/repo)", redactURL(s))
	}
	if strings.HasPrefix(u.Scheme, "git+") {
		return fmt.Errorf("git %q: write the URL without \"git+\" (%q)", redactURL(s), redactURL(strings.TrimPrefix(s, "git+")))
	}
	if u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword || u.Scheme != "ssh" {
			return fmt.Errorf("git %q: url carries credentials; a lock never holds them (give them to git through a credential helper or ~/.netrc)", redactURL(s))
		}
	}
	if u.Fragment != "" || u.RawQuery != "" || strings.Contains(u.Path, "@") {
		return fmt.Errorf("git %q: the URL holds a revision, query or fragment; the source's commit and subdirectory keys say those", redactURL(s))
	}
	return nil
}

// redactURL returns s with any user-info replaced, for messages.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	host, tail, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = "***@" + host[i+1:]
	}
	if tail != "" || strings.Contains(rest, "/") {
		return scheme + "://" + host + "/" + tail
	}
	return scheme + "://" + host
}

// validateBuild checks the packages' build-dependencies against the
// [[build-package]] entries.
func (f *File) validateBuild(indexes map[string]bool) error {
	referencedBy := map[buildKey][]string{} // build package -> names of packages that reference it
	for _, p := range f.Packages {
		if err := f.validateRefs(p, referencedBy); err != nil {
			return &EntryError{Table: "package", Name: p.Name, Version: p.Version, Err: err}
		}
	}
	seen := map[buildKey]bool{}
	for _, b := range f.BuildPackages {
		k := buildKey{b.Name, b.Version}
		if err := b.validateBuildPackage(indexes, seen[k], referencedBy[k]); err != nil {
			return &EntryError{Table: "build-package", Name: b.Name, Version: b.Version, Err: err}
		}
		seen[k] = true
	}
	return nil
}

type buildKey struct{ name, version string }

// validateRefs checks p's build-dependencies and records which build
// packages p references.
func (f *File) validateRefs(p Package, referencedBy map[buildKey][]string) error {
	if len(p.BuildDependencies) > 0 && p.Source == nil && !p.AllowSdist {
		return fmt.Errorf("package %q %s: build-dependencies, but the package is never built (it has no source and no allow-sdist); %s", p.Name, p.Version, relock)
	}
	for _, s := range p.BuildDependencies {
		ref, err := ParseBuildRef(s)
		if err != nil {
			return fmt.Errorf("package %q %s: build-dependencies %q: %w", p.Name, p.Version, s, err)
		}
		if f.BuildPackage(ref.Name, ref.Version) == nil {
			return fmt.Errorf("package %q %s: build-dependencies %q: the lock has no [[build-package]] %s %s; %s", p.Name, p.Version, s, ref.Name, ref.Version, relock)
		}
		k := buildKey{ref.Name, ref.Version}
		if !slices.Contains(referencedBy[k], p.Name) {
			referencedBy[k] = append(referencedBy[k], p.Name)
		}
	}
	return nil
}

// validateBuildPackage checks one [[build-package]]: seen when an entry of
// its name and version came before, refs the packages whose
// build-dependencies reference it.
func (b *Package) validateBuildPackage(indexes map[string]bool, seen bool, refs []string) error {
	if err := b.validateEntry("build-package", indexes); err != nil {
		return err
	}
	switch {
	case seen:
		return fmt.Errorf("build-package %q %s is listed twice; %s", b.Name, b.Version, relock)
	case b.Source != nil:
		return fmt.Errorf("build-package %q %s: has a source; build dependencies are wheels from an index, never built themselves; %s", b.Name, b.Version, relock)
	case len(b.BuildDependencies) > 0:
		return fmt.Errorf("build-package %q %s: has build-dependencies; build dependencies are wheels, never built themselves; %s", b.Name, b.Version, relock)
	case b.AllowSdist:
		return fmt.Errorf("build-package %q %s: has allow-sdist; build dependencies are always wheels; %s", b.Name, b.Version, relock)
	case b.Marker != "":
		return fmt.Errorf("build-package %q %s: has marker %q; where a build dependency applies is the marker of its reference in build-dependencies; %s", b.Name, b.Version, b.Marker, relock)
	}
	for _, d := range b.Files {
		if _, err := wheel.ParseWheel(d.Name); err != nil {
			return fmt.Errorf("build-package %q %s: file %s is not a wheel: build dependencies are always wheels (a build never builds its own tools); %s", b.Name, b.Version, d.Name, relock)
		}
	}
	if len(refs) == 0 {
		return fmt.Errorf("build-package %q %s: no package's build-dependencies reference it; %s", b.Name, b.Version, relock)
	}
	for _, r := range refs {
		if !slices.Contains(b.RequiredBy, r) {
			return fmt.Errorf("build-package %q %s: required-by lacks %q, whose build-dependencies reference it; %s", b.Name, b.Version, r, relock)
		}
	}
	for _, r := range b.RequiredBy {
		if !slices.Contains(refs, r) {
			return fmt.Errorf("build-package %q %s: required-by lists %q, whose build-dependencies do not reference it; %s", b.Name, b.Version, r, relock)
		}
	}
	return nil
}
