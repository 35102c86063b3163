package build

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/verify"
)

// maxPipUnpacked bounds what the bundled pip wheel unpacks to (pip
// 23.2.1's members take about 9 MB).
const maxPipUnpacked = 256 << 20

// unpackedPip returns a directory holding the bundled pip wheel unpacked
// and byte-compiled by the target interpreter, for PYTHONPATH. Python
// cannot keep compiled modules of a zip, so pip from the wheel compiles
// every module it imports on every run (2.5 s to install one wheel here);
// from the compiled directory it takes 0.4 s.
//
// The directory lives in the cache (pip/<wheel sha256>-<interpreter>), made
// once: unpacked and compiled in a temporary directory, every file's
// sha256 written to a manifest, then renamed into place. Each Sandbox
// checks it against its manifest before first use (every file, and no
// other file), as cached wheels are re-hashed: an entry that differs is
// removed and made again, so bytes written into the cache by anything else
// never decide what installs build dependencies. pip then runs with
// PYTHONDONTWRITEBYTECODE, so it adds nothing the manifest lacks. Without
// a cache the directory is made in TempDir and removed by Close.
func (s *Sandbox) unpackedPip(wheel string, interp *install.Interpreter) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pipDir != "" {
		return s.pipDir, nil
	}
	if s.CacheDir == "" {
		dir, err := os.MkdirTemp(s.TempDir, "safepip-pip-")
		if err != nil {
			return "", err
		}
		if err := makePipDir(wheel, interp.Executable, dir); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		s.pipDir, s.pipTemp = dir, true
		return dir, nil
	}
	sum, err := verify.FileSHA256(wheel)
	if err != nil {
		return "", fmt.Errorf("reading the bundled pip %s: %w", wheel, err)
	}
	tag := interp.Markers["implementation_name"] + "-" + interp.Markers["python_full_version"]
	final := filepath.Join(s.CacheDir, "pip", sum+"-"+tag)
	if _, err := os.Stat(final); err == nil {
		if checkPipDir(final) == nil {
			s.pipDir = final
			return final, nil
		}
		if err := os.RemoveAll(final); err != nil { // made again below
			return "", err
		}
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), ".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // nothing is left to remove after the rename
	if err := makePipDir(wheel, interp.Executable, tmp); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		if checkPipDir(final) != nil {
			return "", err
		}
		// another process made it first, and it checks out
	}
	s.pipDir = final
	return final, nil
}

// pipManifest is the file in a pip directory that lists the sha256 of
// every other file in it.
const pipManifest = "SAFEPIP-MANIFEST"

// makePipDir unpacks wheel into dir, compiles it with python, and writes
// the manifest.
func makePipDir(wheel, python, dir string) error {
	if err := unzipPip(wheel, dir); err != nil {
		return fmt.Errorf("unpacking the bundled pip %s: %w", wheel, err)
	}
	cmd := exec.Command(python, "-I", "-m", "compileall", "-q", "-j", "0", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("compiling the bundled pip with %s: %v\n%s", python, err, out)
	}
	sums, err := hashTree(dir)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, pipManifest), []byte(strings.Join(sums, "\n")+"\n"), 0o644)
}

// checkPipDir compares dir with its manifest: the same files, the same
// bytes.
func checkPipDir(dir string) error {
	want, err := os.ReadFile(filepath.Join(dir, pipManifest))
	if err != nil {
		return err
	}
	got, err := hashTree(dir)
	if err != nil {
		return err
	}
	if strings.Join(got, "\n")+"\n" != string(want) {
		return fmt.Errorf("%s does not match its manifest", dir)
	}
	return nil
}

// hashTree lists "sha256  path" for every regular file under dir but the
// manifest, in path order; anything else (a link, a device) is an error.
func hashTree(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == pipManifest {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", path)
		}
		sum, err := verify.FileSHA256(path)
		if err != nil {
			return err
		}
		out = append(out, sum+"  "+filepath.ToSlash(rel))
		return nil
	})
	return out, err
}

// Close removes what the Sandbox made for its builds alone (an unpacked
// pip without a cache). Built wheels and the cached pip stay.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.pipTemp {
		return nil
	}
	err := os.RemoveAll(s.pipDir)
	s.pipDir, s.pipTemp = "", false
	return err
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
