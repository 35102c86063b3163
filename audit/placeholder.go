package audit

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/wheel"
)

// DefaultPlaceholderVersion is the version a placeholder is published at:
// below any real release, so that it never wins against the private
// package in a merged view of two indexes.
const DefaultPlaceholderVersion = "0.0.0a0"

// archiveTime is the time stamp of every archive member, so that the same
// options always give the same bytes (zip cannot store earlier times).
var archiveTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// PlaceholderOptions describe a placeholder package.
type PlaceholderOptions struct {
	Name    string // the project name to reserve, in any valid spelling
	Version string // "" for DefaultPlaceholderVersion
	// Owner is who reserves the name, with a way to reach them, such as
	// "Acme Corp security team <security@acme.example>". PyPI's name policy
	// (PEP 541) may treat an anonymous empty project as squatting.
	Owner string
	// Message is what importing the module raises; "" for a message that
	// names the project, the owner and the fix.
	Message string
}

// Placeholder is a built placeholder: a wheel and an sdist, ready for
// upload.
type Placeholder struct {
	Name    string // PEP 503 normalized
	Version string // PEP 440 normalized
	Module  string // the top-level module whose import raises
	Message string // the text of the ImportError
	Wheel   Artifact
	Sdist   Artifact
}

// Artifact is one distribution file.
type Artifact struct {
	Filename string
	Data     []byte
}

// PlaceholderError is an option a placeholder cannot be built with.
type PlaceholderError struct {
	Field, Value, Reason string
}

func (e *PlaceholderError) Error() string {
	return fmt.Sprintf("placeholder %s %q: %s", e.Field, e.Value, e.Reason)
}

// BuildPlaceholder builds, in memory, a placeholder for o.Name: a
// py3-none-any wheel (RECORD with sha256 and sizes, WHEEL, METADATA 2.1)
// and a PEP 625 sdist whose pyproject.toml builds that wheel again through
// an in-tree backend that needs only the standard library. Both contain one
// top-level module that raises ImportError with the message when imported.
// The summary and description say who reserves the name and why. The same
// options always give the same bytes.
func BuildPlaceholder(o PlaceholderOptions) (*Placeholder, error) {
	if !pep508.ValidName(o.Name) {
		return nil, &PlaceholderError{"name", o.Name, "not a valid project name (ASCII letters and digits, with \".\", \"_\" or \"-\" between them)"}
	}
	if o.Version == "" {
		o.Version = DefaultPlaceholderVersion
	}
	v, err := pep440.Parse(o.Version)
	if err != nil {
		return nil, &PlaceholderError{"version", o.Version, err.Error()}
	}
	if strings.Contains(v.String(), "+") {
		return nil, &PlaceholderError{"version", o.Version, "a local version (\"+...\") cannot be uploaded to a public index"}
	}
	if !utf8.ValidString(o.Owner) {
		return nil, &PlaceholderError{"owner", o.Owner, "not UTF-8"}
	}
	if !utf8.ValidString(o.Message) {
		return nil, &PlaceholderError{"message", o.Message, "not UTF-8"}
	}
	if i := strings.IndexFunc(o.Owner, isControl); i >= 0 {
		return nil, &PlaceholderError{"owner", o.Owner, "control characters (line breaks too) cannot go into a metadata field"}
	}
	if i := strings.IndexFunc(o.Message, func(r rune) bool { return isControl(r) && r != '\n' }); i >= 0 {
		return nil, &PlaceholderError{"message", o.Message, "control characters other than line breaks are not allowed"}
	}
	p := &Placeholder{
		Name:    pep508.NormalizeName(o.Name),
		Version: v.String(),
	}
	dist := strings.ReplaceAll(p.Name, "-", "_") // the filename form (PEP 427, 625)
	p.Module = dist
	owner := strings.TrimSpace(o.Owner)
	p.Message = o.Message
	if p.Message == "" {
		p.Message = defaultMessage(p.Name, owner)
	}

	metadata := placeholderMetadata(o.Name, p.Version, p.Module, owner, p.Message)
	initPy := `"""` + p.Name + ` is a reserved name; this placeholder contains no code."""` + "\n" +
		"raise ImportError(" + strconv.QuoteToASCII(p.Message) + ")\n"
	wheelInfo := "Wheel-Version: 1.0\nGenerator: safepip placeholder\nRoot-Is-Purelib: true\nTag: py3-none-any\n"

	// "py3-none-any" is fixed; the filename is built by hand and then
	// checked by the parser every reader uses.
	p.Wheel.Filename = dist + "-" + p.Version + "-py3-none-any.whl"
	if _, err := wheel.ParseWheel(p.Wheel.Filename); err != nil {
		return nil, fmt.Errorf("internal error: placeholder wheel name: %w", err)
	}
	info := dist + "-" + p.Version + ".dist-info"
	p.Wheel.Data, err = zipWheel([]member{
		{p.Module + "/__init__.py", []byte(initPy)},
		{info + "/METADATA", []byte(metadata)},
		{info + "/WHEEL", []byte(wheelInfo)},
	}, info+"/RECORD")
	if err != nil {
		return nil, err
	}

	p.Sdist.Filename = wheel.Sdist{Name: p.Name, Version: v}.Filename()
	root := dist + "-" + p.Version + "/"
	p.Sdist.Data, err = tarGz([]member{
		{root + "PKG-INFO", []byte(metadata)},
		{root + "pyproject.toml", []byte(placeholderPyproject(p.Name, p.Version, summary(p.Name, owner)))},
		{root + backendModule + ".py", []byte(placeholderBackend(dist, p.Version, p.Module, wheelInfo))},
		{root + p.Module + "/__init__.py", []byte(initPy)},
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0 }

func defaultMessage(name, owner string) string {
	who := "its owner"
	if owner != "" {
		who = owner
	}
	return fmt.Sprintf("%q on this index is a placeholder that reserves the name for %s; it is not the package you want. "+
		"Install %q from your organization's private index, and route it there with a packages pin in safepip.toml.",
		name, who, name)
}

func summary(name, owner string) string {
	if owner == "" {
		return fmt.Sprintf("Reserved name: a placeholder against dependency confusion for the private %s package; not usable", name)
	}
	return fmt.Sprintf("Reserved name: a placeholder held by %s against dependency confusion; not usable", owner)
}

// placeholderMetadata is the core metadata (version 2.1) of both the
// wheel and the sdist, with the description in its body.
func placeholderMetadata(name, version, module, owner, message string) string {
	var b strings.Builder
	b.WriteString("Metadata-Version: 2.1\n")
	b.WriteString("Name: " + name + "\n")
	b.WriteString("Version: " + version + "\n")
	b.WriteString("Summary: " + summary(pep508.NormalizeName(name), owner) + "\n")
	if owner != "" {
		b.WriteString("Author: " + owner + "\n")
	}
	b.WriteString("Classifier: Development Status :: 7 - Inactive\n")
	b.WriteString("Description-Content-Type: text/markdown\n\n")
	who := "the maintainers of a private package of the same name"
	if owner != "" {
		who = owner
	}
	fmt.Fprintf(&b, "# %s: a reserved name\n\n", name)
	fmt.Fprintf(&b, "This project is a placeholder. It holds the name `%s` on this index for %s, "+
		"who publish a private package of that name on their own package index.\n\n", name, who)
	b.WriteString("## Why it exists\n\n")
	b.WriteString("Given a private and a public index, pip installs whichever offers the higher version. " +
		"Anyone could publish a package under a private project's name here and have it installed in place " +
		"of the real one: this is dependency confusion. Publishing this empty release, at the low version " +
		version + ", keeps the name out of an attacker's hands.\n\n")
	b.WriteString("## What it contains\n\n")
	fmt.Fprintf(&b, "No code, only a module, `%s`, whose import raises ImportError with this message:\n\n", module)
	for _, line := range strings.Split(message, "\n") {
		b.WriteString("    " + line + "\n")
	}
	b.WriteString("\n## Contact\n\n")
	fmt.Fprintf(&b, "The name is reserved openly, to protect %s's users, not to squat on it (PEP 541). "+
		"If you have a real use for it, contact %s.\n", who, who)
	return b.String()
}

// backendModule is the in-tree build backend of the sdist.
const backendModule = "_safepip_placeholder_backend"

func placeholderPyproject(name, version, summary string) string {
	return "# A placeholder that reserves the name " + name + "; see PKG-INFO for who holds it and why.\n" +
		"# It builds with the in-tree backend below, which needs nothing but Python.\n" +
		"[build-system]\n" +
		"requires = []\n" +
		"build-backend = \"" + backendModule + "\"\n" +
		"backend-path = [\".\"]\n\n" +
		"[project]\n" +
		"name = " + tomlString(name) + "\n" +
		"version = " + tomlString(version) + "\n" +
		"description = " + tomlString(summary) + "\n"
}

// tomlString quotes s as a TOML basic string; s has no control characters.
func tomlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// placeholderBackend is a PEP 517 backend that rebuilds the placeholder
// wheel from the sdist's own files, with the standard library only, so
// that the sdist builds offline and without setuptools.
func placeholderBackend(dist, version, module, wheelInfo string) string {
	return `"""PEP 517 build backend of this placeholder: standard library only."""
import base64
import hashlib
import io
import os
import tarfile
import zipfile

DIST = ` + strconv.Quote(dist) + `
VERSION = ` + strconv.Quote(version) + `
MODULE = ` + strconv.Quote(module) + `
WHEEL = ` + strconv.Quote(wheelInfo) + `
STAMP = (1980, 1, 1, 0, 0, 0)
SDIST_FILES = ["PKG-INFO", "pyproject.toml", "` + backendModule + `.py", MODULE + "/__init__.py"]


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    info = DIST + "-" + VERSION + ".dist-info"
    members = [
        (MODULE + "/__init__.py", _read(os.path.join(MODULE, "__init__.py"))),
        (info + "/METADATA", _read("PKG-INFO")),
        (info + "/WHEEL", WHEEL.encode()),
    ]
    record = ""
    for path, data in members:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record += path + ",sha256=" + digest + "," + str(len(data)) + "\n"
    record += info + "/RECORD,,\n"
    members.append((info + "/RECORD", record.encode()))
    name = DIST + "-" + VERSION + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for path, data in members:
            zi = zipfile.ZipInfo(path, STAMP)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return name


def build_sdist(sdist_directory, config_settings=None):
    root = DIST + "-" + VERSION
    name = root + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for path in SDIST_FILES:
            data = _read(path)
            ti = tarfile.TarInfo(root + "/" + path)
            ti.size = len(data)
            ti.mode = 0o644
            ti.mtime = 315532800
            t.addfile(ti, io.BytesIO(data))
    return name
`
}

type member struct {
	name string
	data []byte
}

// zipWheel writes members and then a RECORD (named record) listing each
// with its urlsafe-base64 sha256 and size, as the wheel format requires.
func zipWheel(members []member, record string) ([]byte, error) {
	var rec strings.Builder
	for _, m := range members {
		sum := sha256.Sum256(m.data)
		fmt.Fprintf(&rec, "%s,sha256=%s,%d\n", m.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(m.data))
	}
	rec.WriteString(record + ",,\n")
	members = append(members, member{record, []byte(rec.String())})

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate, Modified: archiveTime}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(m.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// tarGz writes members as a gzipped tar with fixed owners and times.
func tarGz(members []member) ([]byte, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	for _, m := range members {
		h := &tar.Header{Typeflag: tar.TypeReg, Name: m.name, Mode: 0o644, Size: int64(len(m.data)), ModTime: archiveTime}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(m.data); err != nil {
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
