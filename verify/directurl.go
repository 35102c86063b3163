package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/safepip/safepip/lock"
)

// DirectURL is an installed distribution's PEP 610 direct_url.json: where
// it came from when it did not come from an index. Exactly one of DirInfo,
// VCSInfo and ArchiveInfo is set.
type DirectURL struct {
	URL          string       `json:"url"`
	Subdirectory string       `json:"subdirectory,omitempty"`
	DirInfo      *DirInfo     `json:"dir_info,omitempty"`
	VCSInfo      *VCSInfo     `json:"vcs_info,omitempty"`
	ArchiveInfo  *ArchiveInfo `json:"archive_info,omitempty"`
}

// DirInfo is a local directory; Editable for a PEP 660 editable install.
type DirInfo struct {
	Editable bool `json:"editable,omitempty"`
}

// VCSInfo is a commit of a version control repository.
type VCSInfo struct {
	VCS               string `json:"vcs"`
	CommitID          string `json:"commit_id"`
	RequestedRevision string `json:"requested_revision,omitempty"`
}

// ArchiveInfo is a file: a wheel or an sdist. pip records the sha256 of
// the file it installed.
type ArchiveInfo struct {
	Hash   string            `json:"hash,omitempty"` // "sha256=<hex>", older form
	Hashes map[string]string `json:"hashes,omitempty"`
}

// SHA256 is the file's recorded sha256 in hex, "" when none is recorded.
func (a *ArchiveInfo) SHA256() string {
	if h := a.Hashes["sha256"]; h != "" {
		return h
	}
	if h, ok := strings.CutPrefix(a.Hash, "sha256="); ok {
		return h
	}
	return ""
}

// directURLName is the dist-info file PEP 610 defines.
const directURLName = "direct_url.json"

// DirectURL reads d's direct_url.json: nil and no error when there is none
// (the distribution was installed from an index).
func (d InstalledDist) DirectURL() (*DirectURL, error) {
	path := filepath.Join(d.Dir, directURLName)
	data, err := readLimited(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var du DirectURL
	if err := json.Unmarshal(data, &du); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n := 0
	for _, set := range []bool{du.DirInfo != nil, du.VCSInfo != nil, du.ArchiveInfo != nil} {
		if set {
			n++
		}
	}
	if du.URL == "" || n != 1 {
		return nil, fmt.Errorf("%s: not a PEP 610 record (a url and exactly one of dir_info, vcs_info, archive_info)", path)
	}
	return &du, nil
}

// String describes where du says the distribution came from.
func (du *DirectURL) String() string {
	var s string
	switch {
	case du.DirInfo != nil && du.DirInfo.Editable:
		s = "the editable directory " + du.URL
	case du.DirInfo != nil:
		s = "the directory " + du.URL
	case du.VCSInfo != nil:
		s = du.VCSInfo.VCS + " " + redactUserinfo(du.URL) + "@" + du.VCSInfo.CommitID
	default:
		s = "the file " + redactUserinfo(du.URL)
		if h := du.ArchiveInfo.SHA256(); h != "" {
			s += " (sha256 " + h + ")"
		}
	}
	if du.Subdirectory != "" {
		s += " (subdirectory " + du.Subdirectory + ")"
	}
	return s
}

// redactUserinfo hides the credentials pip may have recorded in a URL.
func redactUserinfo(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User("***")
	return u.String()
}

// FileURL returns the file:// URL of an absolute local path, as pip
// writes it in direct_url.json ("file:///home/me/proj").
func FileURL(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// FilePath returns the local path of a file:// URL, or false when u is
// not a local file URL.
func FilePath(u string) (string, bool) {
	parsed, err := url.Parse(u)
	if err != nil || parsed.Scheme != "file" || (parsed.Host != "" && parsed.Host != "localhost") {
		return "", false
	}
	p := parsed.Path
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	return filepath.FromSlash(p), true
}

// WriteDirectURL records du as d's direct_url.json and updates the file's
// line in d's RECORD, so that CheckRecord still holds. An installer that
// hands pip a wheel it built from a source directory or a commit uses it:
// pip can only record the wheel file, which says nothing of the source.
// Both files are replaced atomically.
func (d InstalledDist) WriteDirectURL(du *DirectURL) error {
	data, err := json.Marshal(du)
	if err != nil {
		return err
	}
	recordPath := filepath.Join(d.Dir, "RECORD")
	record, err := readLimited(recordPath)
	if err != nil {
		return err
	}
	r := csv.NewReader(bytes.NewReader(record))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %w", recordPath, err)
	}
	sum := sha256.Sum256(data)
	entry := filepath.ToSlash(filepath.Join(filepath.Base(d.Dir), directURLName))
	line := []string{entry, "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]), strconv.Itoa(len(data))}
	found := false
	for i, row := range rows {
		if len(row) > 0 && row[0] == entry {
			rows[i], found = line, true
		}
	}
	if !found {
		rows = append(rows, line)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	if err := lock.WriteFileAtomic(filepath.Join(d.Dir, directURLName), data); err != nil {
		return err
	}
	return lock.WriteFileAtomic(recordPath, buf.Bytes())
}
