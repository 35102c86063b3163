// Package index is a client for Python package indexes: the simple
// repository API as PEP 503 HTML and PEP 691 JSON pages (content
// negotiation), PEP 592 yanking, PEP 658/714 metadata files, PEP 700
// upload times, PEP 740 provenance URLs, file:// PEP 503 trees on disk and
// pip's --find-links locations (a flat directory or an HTML page of links).
//
// Pages are parsed by pure functions, ParseHTML and ParseJSON, into one
// model, Project. A Client fetches pages, metadata, files and provenance
// over one shared HTTP transport that retries 429, 5xx and time-outs with
// back-off, limits response sizes, refuses plain http except on loopback,
// attaches credentials (URL userinfo, netrc) only to the host they were
// given for, and keeps an on-disk cache (pages revalidated with ETag and
// Last-Modified, metadata and files keyed by sha256, writes atomic).
//
// The client never falls back from one index to another: routing lives in
// the caller, and every failure names the index and the URL with its
// credentials removed (Redact).
//
// Deliberate choices:
//   - A page entry whose filename holds "/", "\" or "..", or a control
//     character, makes the whole page an error (*PageError): such a page is
//     hostile or broken, and a broken routed index is fatal.
//   - Entries whose filename does not parse (pypa/wheel) as a wheel or sdist
//     of the requested project (another project's file, an .exe, an .egg,
//     an invalid version) are skipped and named in Project.Skipped, as pip
//     ignores them.
//   - Wheel metadata read by HTTP range requests cannot be checked against
//     the file's hash; it feeds resolution only, and every file is
//     hash-checked when downloaded.
package index

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/safepip/safepip/pypa/wheel"
)

// Index is one package index as the caller configured it.
type Index struct {
	// Name names the index in messages, e.g. "pypi" or "internal".
	Name string
	// URL is the simple API root ("https://pypi.org/simple"), a file://
	// PEP 503 tree, or with FindLinks a --find-links location (a local
	// directory, a file:// URL, or an http(s) page of links). It may carry
	// credentials as userinfo; they are sent only to this URL's host.
	URL string
	// FindLinks marks URL as a --find-links location instead of a simple
	// API root.
	FindLinks bool
}

// Project is the list of files an index offers for one project.
type Project struct {
	Name       string   // PEP 503 normalized name
	Index      string   // Index.Name of the index that served it
	URL        string   // the page URL, credentials removed
	APIVersion string   // the page's repository version ("1.0", "1.1"), "" when not given
	Versions   []string // PEP 700 "versions" of a JSON page, as served
	Files      []File
	Skipped    []string // entries left out, each with the reason
}

// File is one distribution file listed on a project page.
type File struct {
	Filename string
	// URL is absolute, without fragment and without credentials.
	URL string
	// Hashes maps lower-case hash names ("sha256") to lower-case hex digests.
	Hashes map[string]string
	// RequiresPython is the data-requires-python / requires-python value,
	// HTML entities decoded; "" when absent.
	RequiresPython string
	Yanked         bool   // PEP 592
	YankedReason   string // "" when yanked without a reason
	// CoreMetadata reports that a PEP 658 metadata file is served at
	// URL + ".metadata"; CoreMetadataHashes are its hashes (may be empty
	// when the index said only "true").
	CoreMetadata       bool
	CoreMetadataHashes map[string]string
	Size               int64     // bytes; 0 when the index did not say
	UploadTime         time.Time // PEP 700; zero when the index did not say
	Provenance         string    // PEP 740 provenance URL; "" when none
	// Wheel or Sdist is the file name parsed, set on every file of a page
	// that Project returns (a file whose name does not parse as one of the
	// project's is left out), so that callers need not parse it again;
	// nil on files made otherwise. Shared by copies: never modify them.
	Wheel *wheel.Wheel
	Sdist *wheel.Sdist
}

// SHA256 returns the file's sha256 hex digest, or "" when the index gave none.
func (f File) SHA256() string { return f.Hashes["sha256"] }

// IsWheel reports whether the file is a wheel.
func (f File) IsWheel() bool { return strings.HasSuffix(strings.ToLower(f.Filename), ".whl") }

// clone returns a deep copy of p, which the caller may modify.
func (p *Project) clone() *Project {
	q := *p
	q.Files = make([]File, len(p.Files))
	for i, f := range p.Files {
		f.Hashes = maps.Clone(f.Hashes)
		f.CoreMetadataHashes = maps.Clone(f.CoreMetadataHashes)
		q.Files[i] = f
	}
	q.Versions = slices.Clone(p.Versions)
	q.Skipped = slices.Clone(p.Skipped)
	return &q
}
