package build

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits on an sdist, which is untrusted input until its build succeeds.
const (
	maxSdistMembers     = 100_000
	maxSdistBytes       = 2 << 30 // total size of the extracted members
	maxSdistMemberBytes = 1 << 30
)

// SdistError is an sdist that cannot be read or unpacked safely.
type SdistError struct {
	Sdist  string // the archive's path
	Member string // the member at fault, "" for the archive as a whole
	Reason string
}

func (e *SdistError) Error() string {
	if e.Member != "" {
		return fmt.Sprintf("%s: %s: %s", e.Sdist, e.Member, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Sdist, e.Reason)
}

// ReadDirBuildSystem reads dir/pyproject.toml; without one, the source
// tree gets the PEP 518 defaults.
func ReadDirBuildSystem(dir string) (BuildSystem, error) {
	name := filepath.Join(dir, "pyproject.toml")
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultBuildSystem(), nil
	}
	if err != nil {
		return BuildSystem{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPyprojectBytes+1))
	if err != nil {
		return BuildSystem{}, fmt.Errorf("reading %s: %w", name, err)
	}
	return ReadBuildSystem(name, data)
}

// ReadSdistBuildSystem reads the pyproject.toml at the top of the sdist
// (a .tar.gz) at path without unpacking it; without one, the sdist gets
// the PEP 518 defaults.
func ReadSdistBuildSystem(sdist string) (BuildSystem, error) {
	var data []byte
	found := false
	top, err := walkSdist(sdist, func(name string, hdr *tar.Header, r io.Reader) error {
		if found || hdr.Typeflag != tar.TypeReg || strings.Count(name, "/") != 1 || path.Base(name) != "pyproject.toml" {
			return nil
		}
		if hdr.Size > maxPyprojectBytes {
			return &SdistError{Sdist: sdist, Member: name, Reason: fmt.Sprintf("%d bytes is more than the %d a pyproject.toml may have", hdr.Size, maxPyprojectBytes)}
		}
		var err error
		data, err = io.ReadAll(r)
		found = true
		return err
	})
	if err != nil {
		return BuildSystem{}, err
	}
	if !found {
		return DefaultBuildSystem(), nil
	}
	return ReadBuildSystem(filepath.Base(sdist)+"/"+top+"/pyproject.toml", data)
}

// walkSdist calls fn for every member of the .tar.gz at sdist, each named
// by its cleaned, slash-separated path, after checking that the archive is
// one top directory of plain files, directories and links that stay
// inside it. It returns the top directory's name.
func walkSdist(sdist string, fn func(name string, hdr *tar.Header, r io.Reader) error) (string, error) {
	fail := func(member, format string, args ...any) (string, error) {
		return "", &SdistError{Sdist: sdist, Member: member, Reason: fmt.Sprintf(format, args...)}
	}
	if !strings.HasSuffix(sdist, ".tar.gz") {
		return fail("", "only .tar.gz sdists are built (PEP 625); a legacy .zip sdist must be repacked")
	}
	f, err := os.Open(sdist)
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fail("", "not a gzip file: %v", err)
	}
	tr := tar.NewReader(gz)
	top := ""
	members := 0
	var total int64
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail("", "corrupt archive: %v", err)
		}
		members++
		if members > maxSdistMembers {
			return fail("", "more than %d members", maxSdistMembers)
		}
		name, reason := memberName(hdr.Name)
		if reason != "" {
			return fail(hdr.Name, "%s", reason)
		}
		first, _, _ := strings.Cut(name, "/")
		if top == "" {
			top = first
		} else if first != top {
			return fail(hdr.Name, "outside the top directory %q; an sdist holds one directory, name-version/ (PEP 517)", top)
		}
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeDir:
		case tar.TypeSymlink, tar.TypeLink:
			if reason := checkLink(name, hdr); reason != "" {
				return fail(hdr.Name, "%s", reason)
			}
		case tar.TypeXGlobalHeader:
			continue
		default:
			return fail(hdr.Name, "a %s member; an sdist holds only files, directories and links", typeflagName(hdr.Typeflag))
		}
		if hdr.Size > maxSdistMemberBytes {
			return fail(hdr.Name, "%d bytes is more than the %d one member may have", hdr.Size, maxSdistMemberBytes)
		}
		total += hdr.Size
		if total > maxSdistBytes {
			return fail(hdr.Name, "the members add up to more than %d bytes", maxSdistBytes)
		}
		if err := fn(name, hdr, io.LimitReader(tr, hdr.Size)); err != nil {
			return "", err
		}
	}
	if top == "" {
		return fail("", "the archive is empty")
	}
	return top, nil
}

// memberName returns the cleaned name of a member, or why it is refused:
// absolute paths and ".." would write outside the directory it is
// unpacked into.
func memberName(raw string) (string, string) {
	if raw == "" || strings.ContainsRune(raw, 0) || strings.Contains(raw, `\`) {
		return "", "not a portable member name"
	}
	if strings.HasPrefix(raw, "/") || (len(raw) > 1 && raw[1] == ':') {
		return "", "an absolute path"
	}
	for _, part := range strings.Split(raw, "/") {
		if part == ".." {
			return "", `a ".." component would write outside the sdist's directory`
		}
	}
	name := path.Clean(raw)
	if name == "." {
		return "", "not a portable member name"
	}
	return name, ""
}

// checkLink returns why a link member is refused, or "": a symbolic link
// must point below its own directory, a hard link name another member.
func checkLink(name string, hdr *tar.Header) string {
	target := hdr.Linkname
	if target == "" || strings.HasPrefix(target, "/") || strings.ContainsRune(target, 0) {
		return fmt.Sprintf("a link to %q, outside the sdist", target)
	}
	if hdr.Typeflag == tar.TypeSymlink {
		// Only links that point down are kept: then no chain of links can
		// climb out, which a check of each link alone cannot promise.
		for _, part := range strings.Split(target, "/") {
			if part == ".." {
				return fmt.Sprintf("a symbolic link to %q; only links that stay below their own directory are unpacked", target)
			}
		}
		target = path.Join(path.Dir(name), target)
	} else {
		target = path.Clean(target)
	}
	top, _, _ := strings.Cut(name, "/")
	if target != top && !strings.HasPrefix(target, top+"/") {
		return fmt.Sprintf("a link to %q, outside the sdist's directory %q", hdr.Linkname, top)
	}
	return ""
}

func typeflagName(f byte) string {
	switch f {
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "FIFO"
	default:
		return fmt.Sprintf("type %q", f)
	}
}

// unpackSdist unpacks the sdist into dest (which must exist and be empty)
// and returns the source tree, dest/<top>. Modes keep only the owner's
// execute bit; links were checked by walkSdist, and symlinks are created
// only after every regular file so none is written through one.
func unpackSdist(sdist, dest string) (string, error) {
	type link struct{ name, target string }
	var symlinks []link
	top, err := walkSdist(sdist, func(name string, hdr *tar.Header, r io.Reader) error {
		target := filepath.Join(dest, filepath.FromSlash(name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			return os.MkdirAll(target, 0o755)
		case tar.TypeSymlink:
			symlinks = append(symlinks, link{target, hdr.Linkname})
			return nil
		case tar.TypeLink:
			// a copy, not a link: the member it names is already unpacked
			src := filepath.Join(dest, filepath.FromSlash(path.Clean(hdr.Linkname)))
			in, err := os.Open(src)
			if err != nil {
				return &SdistError{Sdist: sdist, Member: hdr.Name, Reason: fmt.Sprintf("hard link to %q, which comes later or is not a file", hdr.Linkname)}
			}
			defer in.Close()
			r = in
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if hdr.Mode&0o100 != 0 {
			mode = 0o755
		}
		out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err != nil {
			if errors.Is(err, fs.ErrExist) {
				return &SdistError{Sdist: sdist, Member: hdr.Name, Reason: "appears twice in the archive"}
			}
			return err
		}
		if _, err := io.Copy(out, r); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		return "", err
	}
	for _, l := range symlinks {
		if err := os.MkdirAll(filepath.Dir(l.name), 0o755); err != nil {
			return "", err
		}
		if err := os.Symlink(l.target, l.name); err != nil {
			return "", err
		}
	}
	return filepath.Join(dest, top), nil
}
