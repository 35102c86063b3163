// Package testindex builds real wheels and sdists in memory and serves them
// as a Python package index, for tests only.
//
// An Index holds distributions; Serve publishes them on a loopback
// httptest server speaking PEP 503 HTML and PEP 691 JSON (chosen by the
// Accept header), with PEP 658 metadata files, PEP 700 upload times,
// PEP 592 yanking and PEP 740 provenance URLs. The server records every
// request and can be told to fail, stall, demand Basic auth or serve any
// bytes at any path. WriteTree and WriteFlat put the same index on disk
// as a file:// PEP 503 tree or a --find-links directory.
//
//	idx := testindex.New(t)
//	idx.Add(testindex.Dist{Name: "acme-triton", Version: "1.0"})
//	srv := idx.Serve(t)            // srv.URL is ".../simple"
//	... use srv.URL ...
//	srv.Paths()                    // which paths were asked
package testindex

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/safepip/safepip/pypa/pep508"
)

// Dist describes one distribution file to build: a wheel, or with Sdist
// set, a source distribution.
type Dist struct {
	Name           string    // project name as published, e.g. "Acme_Triton"
	Version        string    // e.g. "1.0"
	Requires       []string  // Requires-Dist values, e.g. `idna>=2; extra == "socks"`
	Extras         []string  // Provides-Extra values
	RequiresPython string    // Requires-Python, also served as data-requires-python
	Tags           string    // wheel tag triple; "" means "py3-none-any"
	Build          string    // wheel build tag, "" for none
	Sdist          bool      // build "<name>-<version>.tar.gz" instead of a wheel
	UploadTime     time.Time // PEP 700 upload-time; zero leaves it out
	Yanked         string    // PEP 592: non-empty yanks the file with this reason
	YankedNoReason bool      // yank the file without giving a reason
	Provenance     []byte    // PEP 740 provenance served for the file; nil for none
	Metadata       []byte    // overrides the generated METADATA (hostile tests)
	Summary        string    // Summary header of the metadata
	PadBytes       int       // adds a member of this many incompressible bytes (large-wheel tests)
	// Files are extra wheel members, path -> content, written in sorted
	// order before the .dist-info directory and listed in RECORD; one
	// named <module>/__init__.py replaces the generated one.
	Files map[string]string
	// SdistFiles, with Sdist, makes a real, buildable sdist: its members,
	// path (relative to the sdist's one top directory, slash form) ->
	// content, e.g. a pyproject.toml with a [build-system] table (see
	// TinyPyproject) and the package's code. Unless given, PKG-INFO is
	// the Dist's core metadata (also File.METADATA; a given PKG-INFO
	// becomes File.METADATA), tiny.json describes the Dist to TinyBackend
	// (name, version, module, dependencies: its Requires) and
	// <module>/__init__.py sets __version__. nil: an sdist of PKG-INFO and
	// a pyproject.toml whose backend does not exist (it cannot be built).
	SdistFiles map[string]string
}

// File is a distribution file built from a Dist.
type File struct {
	Dist
	Filename string // e.g. "acme_triton-1.0-py3-none-any.whl"
	Project  string // PEP 503 normalized project name
	Data     []byte // the file's bytes
	SHA256   string // hex sha256 of Data
	METADATA []byte // the core metadata inside the file
}

// MetadataSHA256 returns the hex sha256 of the file's core metadata, the
// hash a PEP 658 metadata file is served with.
func (f *File) MetadataSHA256() string { return hexSHA256(f.METADATA) }

// fixedTime is the modification time of every archive member, so builds are
// reproducible.
var fixedTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Build builds the file a Dist describes. It returns an error only for a
// Dist without a name or version.
func Build(d Dist) (*File, error) {
	if d.Name == "" || d.Version == "" {
		return nil, fmt.Errorf("testindex: dist needs a name and a version, got %q %q", d.Name, d.Version)
	}
	f := &File{Dist: d, Project: pep508.NormalizeName(d.Name)}
	f.METADATA = d.Metadata
	if pkgInfo, ok := d.SdistFiles["PKG-INFO"]; ok && d.Sdist {
		f.METADATA = []byte(pkgInfo)
	}
	if f.METADATA == nil {
		f.METADATA = coreMetadata(d)
	}
	escaped := strings.ReplaceAll(f.Project, "-", "_")
	var err error
	if d.Sdist {
		f.Filename = escaped + "-" + d.Version + ".tar.gz"
		f.Data, err = buildSdist(escaped+"-"+d.Version, sdistMembers(d, escaped, f.METADATA))
	} else {
		tagTriple := d.Tags
		if tagTriple == "" {
			tagTriple = "py3-none-any"
		}
		build := ""
		if d.Build != "" {
			build = "-" + d.Build
		}
		f.Filename = escaped + "-" + d.Version + build + "-" + tagTriple + ".whl"
		f.Data, err = buildWheel(escaped, d.Version, tagTriple, f.METADATA, d.PadBytes, d.Files)
	}
	if err != nil {
		return nil, fmt.Errorf("testindex: building %s: %w", f.Filename, err)
	}
	f.SHA256 = hexSHA256(f.Data)
	return f, nil
}

func coreMetadata(d Dist) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", d.Name, d.Version)
	if d.Summary != "" {
		fmt.Fprintf(&b, "Summary: %s\n", d.Summary)
	}
	if d.RequiresPython != "" {
		fmt.Fprintf(&b, "Requires-Python: %s\n", d.RequiresPython)
	}
	for _, e := range d.Extras {
		fmt.Fprintf(&b, "Provides-Extra: %s\n", e)
	}
	for _, r := range d.Requires {
		fmt.Fprintf(&b, "Requires-Dist: %s\n", r)
	}
	return b.Bytes()
}

// buildWheel writes a wheel holding one module, <escaped>/__init__.py, and a
// dist-info directory whose RECORD lists every member with its hash and size.
func buildWheel(escaped, version, tagTriple string, metadata []byte, padBytes int, extra map[string]string) ([]byte, error) {
	distInfo := escaped + "-" + version + ".dist-info/"
	var wheelMeta bytes.Buffer
	fmt.Fprintf(&wheelMeta, "Wheel-Version: 1.0\nGenerator: safepip-testindex\nRoot-Is-Purelib: true\n")
	for _, t := range expandTags(tagTriple) {
		fmt.Fprintf(&wheelMeta, "Tag: %s\n", t)
	}
	type member struct {
		name string
		data []byte
	}
	var members []member
	if _, ok := extra[escaped+"/__init__.py"]; !ok {
		members = append(members, member{escaped + "/__init__.py", []byte(fmt.Sprintf("__version__ = %q\n", version))})
	}
	members = append(members, member{escaped + "/padding.bin", padding(padBytes)})
	names := make([]string, 0, len(extra))
	for name := range extra {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		members = append(members, member{name, []byte(extra[name])})
	}
	members = append(members,
		member{distInfo + "METADATA", metadata},
		member{distInfo + "WHEEL", wheelMeta.Bytes()},
	)
	var record bytes.Buffer
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		if m.data == nil {
			continue
		}
		if err := addZip(zw, m.name, m.data); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(m.data)
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", m.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(m.data))
	}
	fmt.Fprintf(&record, "%sRECORD,,\n", distInfo)
	if err := addZip(zw, distInfo+"RECORD", record.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// padding returns n deterministic, incompressible bytes; nil for n <= 0.
func padding(n int) []byte {
	if n <= 0 {
		return nil
	}
	out := make([]byte, 0, n+sha256.Size)
	sum := sha256.Sum256([]byte("padding"))
	for len(out) < n {
		out = append(out, sum[:]...)
		sum = sha256.Sum256(sum[:])
	}
	return out[:n]
}

func addZip(zw *zip.Writer, name string, data []byte) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: fixedTime})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// expandTags expands a compressed tag triple such as "py2.py3-none-any".
func expandTags(triple string) []string {
	parts := strings.SplitN(triple, "-", 3)
	if len(parts) != 3 {
		return []string{triple}
	}
	var out []string
	for _, py := range strings.Split(parts[0], ".") {
		for _, abi := range strings.Split(parts[1], ".") {
			for _, plat := range strings.Split(parts[2], ".") {
				out = append(out, py+"-"+abi+"-"+plat)
			}
		}
	}
	return out
}

// sdistMembers returns the members of d's sdist, path -> content, relative
// to its top directory: d.SdistFiles and what they lack (see Dist).
func sdistMembers(d Dist, module string, metadata []byte) map[string]string {
	if d.SdistFiles == nil {
		return map[string]string{
			"PKG-INFO":       string(metadata),
			"pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = \"none\"\n",
		}
	}
	out := map[string]string{}
	for name, data := range d.SdistFiles {
		out[name] = data
	}
	if _, ok := out["PKG-INFO"]; !ok {
		out["PKG-INFO"] = string(metadata)
	}
	if _, ok := out["tiny.json"]; !ok {
		deps := d.Requires
		if deps == nil {
			deps = []string{}
		}
		data, _ := json.Marshal(map[string]any{"name": d.Name, "version": d.Version, "module": module, "dependencies": deps})
		out["tiny.json"] = string(data)
	}
	if _, ok := out[module+"/__init__.py"]; !ok {
		out[module+"/__init__.py"] = fmt.Sprintf("__version__ = %q\n", d.Version)
	}
	return out
}

// buildSdist writes a .tar.gz of members (path -> content) under the one
// top directory top, as PEP 625 sdists have, in sorted order.
func buildSdist(top string, members map[string]string) ([]byte, error) {
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range names {
		data := members[name]
		hdr := &tar.Header{Name: top + "/" + name, Mode: 0o644, Size: int64(len(data)), ModTime: fixedTime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
