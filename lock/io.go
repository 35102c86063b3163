package lock

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// maxLockBytes bounds what Read accepts; a real lock of thousands of
// packages is a few MiB.
const maxLockBytes = 64 << 20

// ErrNewerFormat is returned for a lock written by a newer safepip.
var ErrNewerFormat = errors.New("lock written by a newer safepip")

// ParseError is a malformed lock, with the position of the fault when known.
type ParseError struct {
	File      string
	Line, Col int // 0 when unknown
	Err       error
}

func (e *ParseError) Error() string {
	if e.Line > 0 && e.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse decodes and validates a lock. name is used in errors.
func Parse(name string, data []byte) (*File, error) {
	if len(data) > maxLockBytes {
		return nil, &ParseError{File: name, Err: fmt.Errorf("lock is larger than %d bytes", maxLockBytes)}
	}
	var head struct {
		Version int `toml:"version"`
	}
	if err := toml.Unmarshal(data, &head); err != nil {
		return nil, tomlError(name, err)
	}
	if head.Version > FormatVersion {
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w (format version %d; this one reads %d): upgrade safepip", ErrNewerFormat, head.Version, FormatVersion)}
	}
	var f File
	if head.Version == 1 {
		var v1 fileV1
		if err := decodeStrict(data, &v1); err != nil {
			return nil, tomlError(name, err)
		}
		f = v1.upgrade()
	} else if err := decodeStrict(data, &f); err != nil {
		return nil, tomlError(name, err)
	}
	if err := f.Validate(); err != nil {
		pe := &ParseError{File: name, Err: err}
		var ee *EntryError
		if errors.As(err, &ee) {
			pe.Line = entryLine(data, ee.Table, ee.Name, ee.Version)
		}
		return nil, pe
	}
	return &f, nil
}

// entryLine returns the line of the [[table]] header whose entry has name
// and version, 0 when none is found (a lock whose keys are spelled in a
// way this plain scan does not follow still gets its message).
func entryLine(data []byte, table, name, version string) int {
	header := "[[" + table + "]]"
	start := 0 // the current entry's header line, 0 outside one
	var gotName, gotVersion string
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			start, gotName, gotVersion = 0, "", ""
			if line == header {
				start = i + 1
			}
			continue
		}
		if start == 0 {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		value = strings.Trim(strings.TrimSpace(value), `"'`)
		switch strings.TrimSpace(key) {
		case "name":
			gotName = value
		case "version":
			gotVersion = value
		}
		if gotName == name && gotVersion == version {
			return start
		}
	}
	return 0
}

func decodeStrict(data []byte, v any) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// fileV1 is a version 1 lock: one interpreter's [target] where version 2
// has [scope].
type fileV1 struct {
	Version   int       `toml:"version"`
	CreatedBy string    `toml:"created-by"`
	Inputs    string    `toml:"inputs"`
	Target    targetV1  `toml:"target"`
	Policy    Policy    `toml:"policy,omitempty"`
	Indexes   []Index   `toml:"index,omitempty"`
	Packages  []Package `toml:"package"`
}

// targetV1 is the [target] table of a version 1 lock.
type targetV1 struct {
	Python         string `toml:"python"`
	Implementation string `toml:"implementation,omitempty"`
	Platform       string `toml:"platform"`
	Tags           string `toml:"tags"`
	Markers        string `toml:"markers,omitempty"`
}

// upgrade reads a version 1 lock as a lock narrowed to its target. The
// result keeps Version 1, so callers can tell; Marshal writes it as the
// current format.
//
// Version 1 recorded tag and marker digests for a target described with
// --python-version and --platform too, whose python is "X.Y": those are
// dropped, so that such a lock installs into any X.Y interpreter of that
// platform, as version 2's narrowing does. An interpreter's lock ("X.Y.Z")
// keeps them: it is for that interpreter.
func (v fileV1) upgrade() File {
	if strings.Count(v.Target.Python, ".") < 2 {
		v.Target.Tags, v.Target.Markers = "", ""
	}
	return File{
		Version:   v.Version,
		CreatedBy: v.CreatedBy,
		Inputs:    v.Inputs,
		Scope: Scope{
			Python:         v.Target.Python,
			Implementation: v.Target.Implementation,
			Platform:       v.Target.Platform,
			Tags:           v.Target.Tags,
			Markers:        v.Target.Markers,
		},
		Policy:   v.Policy,
		Indexes:  v.Indexes,
		Packages: v.Packages,
	}
}

func tomlError(name string, err error) error {
	var se *toml.StrictMissingError
	if errors.As(err, &se) && len(se.Errors) > 0 {
		line, col := se.Errors[0].Position()
		return &ParseError{File: name, Line: line, Col: col, Err: fmt.Errorf("unknown key %q", strings.Join(se.Errors[0].Key(), "."))}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		return &ParseError{File: name, Line: line, Col: col, Err: errors.New(de.Error())}
	}
	return &ParseError{File: name, Err: err}
}

// header opens every lock: what wrote it, and how to read it (the format
// is documented in full in the package doc).
const header = "# This file is written by safepip. Do not edit it by hand: run `safepip lock`.\n" +
	"# Format 2: the lock installs where [scope] holds; each [[package]] where its marker\n" +
	"# holds (no marker: everywhere), with the best of its files for the environment.\n"

// Marshal returns the canonical bytes of f: normalized, then encoded in
// the current format (a lock read as version 1 is written as version
// FormatVersion). Equal content always gives equal bytes.
func Marshal(f *File) ([]byte, error) {
	f.Version = FormatVersion
	f.Normalize()
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := toml.NewEncoder(&buf)
	enc.SetIndentTables(false)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Read reads and parses the lock at path.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Write writes f to path atomically: a temporary file in the same
// directory, synced, then renamed over path. A failure leaves path as it was.
func Write(path string, f *File) error {
	data, err := Marshal(f)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data)
}

// WriteFileAtomic writes data to path through a synced temporary file and
// a rename, so readers see the old content or the new, never a part. Its
// errors name path and wrap the file system's (a full disk, a read-only
// directory: the CLI's exit 6).
func WriteFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Digest returns "sha256:<hex>" over parts, each length-prefixed so that
// no two different part lists give the same digest.
func Digest(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write(p)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
