// Package lock holds safepip.lock: the model, its TOML form (read and
// written deterministically, to the byte), validation, and the differences
// between two locks.
//
// A lock is reviewed by people and diffed by CI, so its bytes depend only
// on its content: packages sorted by normalized name, files by name,
// dependency lists sorted, no timestamps, and never a credential.
package lock

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
)

// FormatVersion is the lock format this package reads and writes.
const FormatVersion = 1

// RootName names the user's requirements in RequiredBy.
const RootName = "<root>"

// File is one safepip.lock.
type File struct {
	Version   int       `toml:"version"`
	CreatedBy string    `toml:"created-by"`
	Inputs    string    `toml:"inputs"` // "sha256:<hex>" over the normalized inputs
	Target    Target    `toml:"target"`
	Policy    Policy    `toml:"policy,omitempty"`
	Indexes   []Index   `toml:"index,omitempty"`
	Packages  []Package `toml:"package"`
}

// Target is the environment the resolution is for.
type Target struct {
	Python         string `toml:"python"`                   // "3.11.7" or "3.11"
	Implementation string `toml:"implementation,omitempty"` // "cpython", "pypy"
	Platform       string `toml:"platform"`                 // "linux_x86_64", "manylinux_2_28_x86_64", ...
	Tags           string `toml:"tags"`                     // "sha256:<hex>" of the ordered tag list
	Markers        string `toml:"markers,omitempty"`        // "sha256:<hex>" of the marker environment
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
	Name           string   `toml:"name"` // PEP 503 normalized
	Version        string   `toml:"version"`
	Index          string   `toml:"index,omitempty"` // Index.Name; "" for a direct URL
	URL            string   `toml:"url,omitempty"`   // a direct "name @ url" requirement
	Marker         string   `toml:"marker,omitempty"`
	RequiresPython string   `toml:"requires-python,omitempty"`
	AllowSdist     bool     `toml:"allow-sdist,omitempty"` // the policy let an sdist in
	Dependencies   []string `toml:"dependencies,multiline"`
	RequiredBy     []string `toml:"required-by,multiline"`
	Files          []Dist   `toml:"file"`
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

// Package returns the locked package named name (any spelling), or nil.
func (f *File) Package(name string) *Package {
	n := pep508.NormalizeName(name)
	for i := range f.Packages {
		if f.Packages[i].Name == n {
			return &f.Packages[i]
		}
	}
	return nil
}

// Normalize sorts everything that has no meaningful order, so that equal
// content gives equal bytes.
func (f *File) Normalize() {
	for i := range f.Packages {
		p := &f.Packages[i]
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
	}
	slices.SortFunc(f.Packages, func(a, b Package) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(f.Indexes, func(a, b Index) int { return strings.Compare(a.Name, b.Name) })
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Validate checks what the format promises: known indexes, normalized and
// unique names, a sha256 for every file, no credentials in URLs.
func (f *File) Validate() error {
	if f.Version != FormatVersion {
		return fmt.Errorf("unsupported lock format version %d (this safepip reads version %d)", f.Version, FormatVersion)
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
	seen := map[string]bool{}
	for _, p := range f.Packages {
		if p.Name == "" || p.Version == "" {
			return fmt.Errorf("a [[package]] lacks its name or version")
		}
		if p.Name != pep508.NormalizeName(p.Name) {
			return fmt.Errorf("package %q: name is not normalized (want %q)", p.Name, pep508.NormalizeName(p.Name))
		}
		if seen[p.Name] {
			return fmt.Errorf("package %q is locked twice", p.Name)
		}
		seen[p.Name] = true
		if p.Index != "" && !indexes[p.Index] {
			return fmt.Errorf("package %q: index %q is not among the lock's [[index]] tables", p.Name, p.Index)
		}
		if p.Index == "" && p.URL == "" {
			return fmt.Errorf("package %q: needs an index or a url", p.Name)
		}
		if hasCredentials(p.URL) {
			return fmt.Errorf("package %q: url carries credentials; a lock never holds them", p.Name)
		}
		if len(p.Files) == 0 {
			return fmt.Errorf("package %q %s: no files", p.Name, p.Version)
		}
		for _, d := range p.Files {
			if d.Name == "" || strings.ContainsAny(d.Name, `/\`) || d.Name == "." || d.Name == ".." {
				return fmt.Errorf("package %q: bad file name %q", p.Name, d.Name)
			}
			if !hexSHA256.MatchString(d.SHA256) {
				return fmt.Errorf("package %q: file %s: sha256 %q is not 64 lower-case hex digits", p.Name, d.Name, d.SHA256)
			}
			if hasCredentials(d.URL) {
				return fmt.Errorf("package %q: file %s: url carries credentials; a lock never holds them", p.Name, d.Name)
			}
		}
	}
	return nil
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
