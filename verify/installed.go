package verify

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
)

// InstalledDist is one distribution installed in an environment, as its
// .dist-info directory describes it.
type InstalledDist struct {
	Name    string // PEP 503 normalized
	Version string
	Dir     string // the .dist-info directory
	Root    string // the site-packages directory that holds it
}

// maxMetadataBytes bounds the METADATA and RECORD files read from an
// environment.
const maxMetadataBytes = 16 << 20

// Installed lists the distributions installed in the given site-packages
// directories (missing directories are skipped). Name and version come from
// METADATA, which is what pip and importlib.metadata trust.
func Installed(sitePackages ...string) ([]InstalledDist, error) {
	var out []InstalledDist
	seen := map[string]bool{}
	for _, root := range sitePackages {
		if root == "" || seen[root] {
			continue
		}
		seen[root] = true
		entries, err := os.ReadDir(root)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() || !strings.HasSuffix(e.Name(), ".dist-info") {
				continue
			}
			dir := filepath.Join(root, e.Name())
			name, version, err := readNameVersion(filepath.Join(dir, "METADATA"))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", dir, err)
			}
			out = append(out, InstalledDist{Name: pep508.NormalizeName(name), Version: version, Dir: dir, Root: root})
		}
	}
	slices.SortFunc(out, func(a, b InstalledDist) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// readNameVersion reads only the Name and Version headers of a METADATA file.
func readNameVersion(path string) (name, version string, err error) {
	data, err := readLimited(path)
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			break // end of headers
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "name":
			name = strings.TrimSpace(v)
		case "version":
			version = strings.TrimSpace(v)
		}
	}
	if name == "" || version == "" {
		return "", "", errors.New("METADATA has no Name or Version")
	}
	return name, version, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMetadataBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxMetadataBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxMetadataBytes)
	}
	return data, nil
}

// RecordProblem is a file of an installed distribution that does not match
// its RECORD entry.
type RecordProblem struct {
	Path   string // as written in RECORD, relative to the site-packages directory
	Reason string // "missing", "modified"
	Want   string // the RECORD hash
	Got    string // the hash on disk ("" when missing)
}

// CheckRecord re-hashes every file that d's RECORD lists with a sha256
// hash and reports the ones that are missing or differ.
func (d InstalledDist) CheckRecord() ([]RecordProblem, error) {
	data, err := readLimited(filepath.Join(d.Dir, "RECORD"))
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: RECORD: %w", d.Dir, err)
	}
	var problems []RecordProblem
	for _, row := range rows {
		if len(row) < 2 || row[1] == "" {
			continue // RECORD itself, .pyc files: no hash to check
		}
		algo, want, ok := strings.Cut(row[1], "=")
		if !ok || algo != "sha256" {
			continue
		}
		path := filepath.Join(d.Root, filepath.FromSlash(row[0]))
		got, err := fileHashB64(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			problems = append(problems, RecordProblem{Path: row[0], Reason: "missing", Want: want})
		case err != nil:
			return nil, err
		case got != want:
			problems = append(problems, RecordProblem{Path: row[0], Reason: "modified", Want: want, Got: got})
		}
	}
	return problems, nil
}

// fileHashB64 is the RECORD form of a file's sha256: urlsafe base64, no padding.
func fileHashB64(path string) (string, error) {
	sum, err := fileDigest(path)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}
