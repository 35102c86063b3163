package build

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/wheel"
	"github.com/safepip/safepip/verify"
)

// maxMetadataBytes bounds a METADATA file read from a build.
const maxMetadataBytes = 16 << 20

// entryFile is the record of a cache entry, written after its wheel.
const entryFile = "entry.json"

// cacheEntry is what entryFile holds.
type cacheEntry struct {
	Wheel    string   `json:"wheel"`  // the wheel's file name, beside entryFile
	SHA256   string   `json:"sha256"` // its sha256 when it was stored
	Requires []string `json:"requires"`
}

// Key returns the cache key of a wheel built from an sdist: the sha256 of
// the sdist's sha256, the build environment's digest (the sorted sha256s
// of the build dependencies), the target interpreter's tags in priority
// order, the config settings and the hook driver. Anything else that
// could change the wheel is inside one of those.
//
// Source trees are never cached: a tree is the user's own code, changing
// as they work, and which of its files make the wheel is the backend's
// business (MANIFEST.in, .gitignore, include rules): a tree hash would
// either rebuild on any noise (build/, .git, a venv inside the project) or,
// leaving files out, serve a stale wheel. pip does not cache them either.
func Key(sdistSHA256 string, deps []install.LocalFile, targetTags []string, config map[string]string) string {
	h := sha256.New()
	driver := sha256.Sum256(hooksPy)
	fmt.Fprintf(h, "safepip built wheel v1\ndriver %x\nsource %s\n", driver, strings.ToLower(sdistSHA256))
	sums := make([]string, len(deps))
	for i, d := range deps {
		sums[i] = strings.ToLower(d.SHA256)
	}
	sort.Strings(sums)
	fmt.Fprintf(h, "deps %s\ntags %s\n", strings.Join(sums, ","), strings.Join(targetTags, ","))
	keys := make([]string, 0, len(config))
	for k := range config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "config %q=%q\n", k, config[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// key is req's cache key, or "" when its wheel is not cached.
func (s *Sandbox) key(req Request, interp *install.Interpreter) string {
	if s.CacheDir == "" || req.Source.Sdist == "" || req.Editable || req.NoIsolation {
		return ""
	}
	target, err := interp.Target()
	if err != nil {
		return "" // no tags to key by: build, do not cache
	}
	tags := target.Tags()
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.String()
	}
	return Key(req.Source.SHA256, req.Deps, names, req.ConfigSettings)
}

func (s *Sandbox) entryDir(key string) string {
	return filepath.Join(s.CacheDir, "built", key[:2], key)
}

// cached returns the wheel stored under key. An entry whose wheel no
// longer has the hash it was stored with is removed, and built again.
func (s *Sandbox) cached(key string) (*Result, bool) {
	dir := s.entryDir(key)
	data, err := readLimited(filepath.Join(dir, entryFile), 1<<20)
	if err != nil {
		return nil, false
	}
	var e cacheEntry
	if json.Unmarshal(data, &e) != nil || e.Wheel != filepath.Base(e.Wheel) || !strings.HasSuffix(e.Wheel, ".whl") {
		os.RemoveAll(dir)
		return nil, false
	}
	path := filepath.Join(dir, e.Wheel)
	if got, err := verify.FileSHA256(path); err != nil || got != e.SHA256 {
		os.RemoveAll(dir)
		return nil, false
	}
	return &Result{Wheel: path, SHA256: e.SHA256, Requires: e.Requires, Cached: true}, true
}

// store copies the built wheel into the cache under key: the wheel first,
// then its record, each written to a temporary name and renamed, so a
// reader sees a whole entry or none.
func (s *Sandbox) store(key, built string, requires []string) (*Result, error) {
	dir := s.entryDir(key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	name := filepath.Base(built)
	dst := filepath.Join(dir, name)
	sum, err := copyAtomic(built, dst)
	if err != nil {
		return nil, err
	}
	if requires == nil {
		requires = []string{}
	}
	data, err := json.Marshal(cacheEntry{Wheel: name, SHA256: sum, Requires: requires})
	if err != nil {
		return nil, err
	}
	if err := lock.WriteFileAtomic(filepath.Join(dir, entryFile), data); err != nil {
		return nil, err
	}
	return &Result{Wheel: dst, SHA256: sum, Requires: requires}, nil
}

// copyAtomic copies src to dst through a temporary file in dst's
// directory (CreateTemp, Sync, Close, Rename; removed on any error) and
// returns the sha256 of what it wrote. Unlike lock.WriteFileAtomic it
// streams: a built wheel can be hundreds of megabytes.
func copyAtomic(src, dst string) (sum string, err error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	f, err := os.CreateTemp(filepath.Dir(dst), ".tmp-"+filepath.Base(dst)+"-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("writing %s: %w", dst, err)
		}
	}()
	h := sha256.New()
	if _, err = io.Copy(io.MultiWriter(f, h), in); err != nil {
		return "", err
	}
	if err = f.Sync(); err != nil {
		return "", err
	}
	if err = f.Close(); err != nil {
		return "", err
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return "", err
	}
	if err = os.Rename(f.Name(), dst); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than %d bytes", path, limit)
	}
	return data, nil
}

// wheelMETADATA returns the METADATA of the wheel at path: the member
// <name>-<version>.dist-info/METADATA, which must be unique.
func wheelMETADATA(path string) ([]byte, error) {
	w, err := wheel.ParseWheel(filepath.Base(path))
	if err != nil {
		return nil, err
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer zr.Close()
	var found *zip.File
	for _, f := range zr.File {
		dir, rest, ok := strings.Cut(f.Name, "/")
		if !ok || rest != "METADATA" || !strings.HasSuffix(dir, ".dist-info") {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%s: two METADATA files, %s and %s", path, found.Name, f.Name)
		}
		found = f
	}
	if found == nil {
		return nil, fmt.Errorf("%s: no .dist-info/METADATA for %s", path, w.Name)
	}
	if found.UncompressedSize64 > maxMetadataBytes {
		return nil, fmt.Errorf("%s: %s is more than %d bytes", path, found.Name, maxMetadataBytes)
	}
	rc, err := found.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, found.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxMetadataBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, found.Name, err)
	}
	if len(data) > maxMetadataBytes {
		return nil, fmt.Errorf("%s: %s is more than %d bytes", path, found.Name, maxMetadataBytes)
	}
	return data, nil
}
