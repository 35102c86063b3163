package build

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/safepip/safepip/verify"
)

// maxPipUnpacked bounds what the bundled pip wheel unpacks to (pip
// 23.2.1's members take about 9 MB).
const maxPipUnpacked = 256 << 20

// pipDir returns a directory holding the bundled pip wheel unpacked, for
// PYTHONPATH: Python cannot keep compiled modules of a zip, so pip from
// the wheel compiles every module it imports on every run (2.5 s to
// install one wheel here); from the directory, the first run writes the
// compiled modules it imports (about 1 s) and later runs load them (0.4
// s). The directory lives in the cache under the wheel's sha256, is made
// once (unpacked in a temporary directory, then renamed into place, so
// that a reader never sees half of it) and reused by every later build.
// Without a cache the wheel itself is used.
func pipDir(cacheDir, wheel string) (string, error) {
	if cacheDir == "" {
		return wheel, nil
	}
	sum, err := verify.FileSHA256(wheel)
	if err != nil {
		return "", fmt.Errorf("reading the bundled pip %s: %w", wheel, err)
	}
	final := filepath.Join(cacheDir, "pip", sum)
	if fi, err := os.Stat(final); err == nil && fi.IsDir() {
		return final, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), ".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // after a successful rename, nothing is left to remove
	if err := unzipPip(wheel, tmp); err != nil {
		return "", fmt.Errorf("unpacking the bundled pip %s: %w", wheel, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		if fi, statErr := os.Stat(final); statErr == nil && fi.IsDir() {
			return final, nil // another build made it first
		}
		return "", err
	}
	return final, nil
}

// unzipPip unpacks a wheel's members under dir, refusing names that would
// leave it and bounding the total size.
func unzipPip(wheel, dir string) error {
	zr, err := zip.OpenReader(wheel)
	if err != nil {
		return err
	}
	defer zr.Close()
	var total int64
	for _, f := range zr.File {
		name := filepath.FromSlash(f.Name)
		if f.FileInfo().IsDir() {
			continue
		}
		if !filepath.IsLocal(name) {
			return fmt.Errorf("member %q leaves the directory", f.Name)
		}
		total += int64(f.UncompressedSize64)
		if total > maxPipUnpacked {
			return errors.New("larger than a pip wheel can be")
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := copyMember(f, dst); err != nil {
			return err
		}
	}
	return nil
}

func copyMember(f *zip.File, dst string) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, io.LimitReader(r, maxPipUnpacked)); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
