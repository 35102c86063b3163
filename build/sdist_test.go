package build

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// member is one tar member of a test sdist.
type member struct {
	name, body, link string
	flag             byte // tar.TypeReg when 0
}

// writeTarGz writes members as dir/name and returns its path.
func writeTarGz(t testing.TB, dir, name string, members []member) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, m := range members {
		flag := m.flag
		if flag == 0 {
			flag = tar.TypeReg
		}
		hdr := &tar.Header{Name: m.name, Typeflag: flag, Linkname: m.link, Mode: 0o644}
		if flag == tar.TypeReg {
			hdr.Size = int64(len(m.body))
		}
		if flag == tar.TypeDir {
			hdr.Mode = 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if flag == tar.TypeReg {
			if _, err := tw.Write([]byte(m.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadSdistBuildSystem(t *testing.T) {
	dir := t.TempDir()
	with := writeTarGz(t, dir, "pkg-1.0.tar.gz", []member{
		{name: "pkg-1.0/", flag: tar.TypeDir},
		{name: "pkg-1.0/PKG-INFO", body: "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n"},
		{name: "pkg-1.0/sub/pyproject.toml", body: "[build-system]\nrequires = [\"wrong\"]\n"},
		{name: "pkg-1.0/pyproject.toml", body: "[build-system]\nrequires = [\"flit_core>=3.2,<4\"]\nbuild-backend = \"flit_core.buildapi\"\n"},
	})
	got, err := ReadSdistBuildSystem(with)
	want := BuildSystem{Requires: []string{"flit_core>=3.2,<4"}, Backend: "flit_core.buildapi"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadSdistBuildSystem = %+v, %v; want %+v", got, err, want)
	}
	without := writeTarGz(t, dir, "old-0.1.tar.gz", []member{{name: "old-0.1/setup.py", body: "from setuptools import setup\nsetup()\n"}})
	got, err = ReadSdistBuildSystem(without)
	if err != nil || !reflect.DeepEqual(got, DefaultBuildSystem()) {
		t.Errorf("ReadSdistBuildSystem(no pyproject) = %+v, %v; want the defaults", got, err)
	}
	bad := writeTarGz(t, dir, "bad-1.0.tar.gz", []member{{name: "bad-1.0/pyproject.toml", body: "[build-system]\nrequires = [1]\n"}})
	_, err = ReadSdistBuildSystem(bad)
	if err == nil || !strings.Contains(err.Error(), "bad-1.0.tar.gz/bad-1.0/pyproject.toml: [build-system] requires[0]") {
		t.Errorf("ReadSdistBuildSystem(bad) = %v, want the member and key named", err)
	}
}

func TestUnpackSdistRefuses(t *testing.T) {
	tests := []struct {
		name    string
		members []member
		member  string // the member the error names
		want    string
	}{
		{"dotdot", []member{{name: "p-1/ok"}, {name: "p-1/../../etc/passwd", body: "x"}}, "p-1/../../etc/passwd", `".." component`},
		{"absolute", []member{{name: "/etc/passwd", body: "x"}}, "/etc/passwd", "absolute path"},
		{"two tops", []member{{name: "p-1/a"}, {name: "q-1/b"}}, "q-1/b", `outside the top directory "p-1"`},
		{"symlink out", []member{{name: "p-1/l", flag: tar.TypeSymlink, link: "/etc"}}, "p-1/l", "outside the sdist"},
		{"symlink up", []member{{name: "p-1/d/l", flag: tar.TypeSymlink, link: "../x"}}, "p-1/d/l", "only links that stay below"},
		{"hardlink out", []member{{name: "p-1/h", flag: tar.TypeLink, link: "q-1/x"}}, "p-1/h", "outside the sdist's directory"},
		{"device", []member{{name: "p-1/dev", flag: tar.TypeChar}}, "p-1/dev", "character device"},
		{"fifo", []member{{name: "p-1/fifo", flag: tar.TypeFifo}}, "p-1/fifo", "FIFO"},
		{"twice", []member{{name: "p-1/a", body: "1"}, {name: "p-1/a", body: "2"}}, "p-1/a", "appears twice"},
		{"backslash", []member{{name: `p-1\..\x`, body: "1"}}, `p-1\..\x`, "not a portable member name"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		sdist := writeTarGz(t, dir, "p-1.tar.gz", tt.members)
		dest := filepath.Join(dir, "out")
		if err := os.Mkdir(dest, 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := unpackSdist(sdist, dest)
		var se *SdistError
		if !errors.As(err, &se) || se.Member != tt.member || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: unpackSdist = %v, want an *SdistError on %q saying %q", tt.name, err, tt.member, tt.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "etc")); err == nil {
			t.Errorf("%s: a file was written outside the destination", tt.name)
		}
	}
	if _, err := unpackSdist(filepath.Join("testdata", "x.zip"), t.TempDir()); err == nil || !strings.Contains(err.Error(), "only .tar.gz sdists") {
		t.Errorf("unpackSdist(.zip) = %v, want the PEP 625 refusal", err)
	}
}

func TestUnpackSdist(t *testing.T) {
	dir := t.TempDir()
	sdist := writeTarGz(t, dir, "p-1.tar.gz", []member{
		{name: "p-1/", flag: tar.TypeDir},
		{name: "p-1/pkg/__init__.py", body: "X = 1\n"},
		{name: "p-1/README", body: "read me\n"},
		{name: "p-1/docs/readme", flag: tar.TypeSymlink, link: "sub/README"},
		{name: "p-1/docs/sub/README", body: "docs\n"},
		{name: "p-1/copy", flag: tar.TypeLink, link: "p-1/README"},
	})
	dest := filepath.Join(dir, "out")
	if err := os.Mkdir(dest, 0o700); err != nil {
		t.Fatal(err)
	}
	src, err := unpackSdist(sdist, dest)
	if err != nil {
		t.Fatal(err)
	}
	if src != filepath.Join(dest, "p-1") {
		t.Errorf("source tree = %s, want %s", src, filepath.Join(dest, "p-1"))
	}
	for name, want := range map[string]string{"pkg/__init__.py": "X = 1\n", "docs/readme": "docs\n", "copy": "read me\n"} {
		got, err := os.ReadFile(filepath.Join(src, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
}

// FuzzReadSdistBuildSystem feeds arbitrary bytes as an sdist: reading and
// unpacking never panic, and nothing lands outside the destination.
func FuzzReadSdistBuildSystem(f *testing.F) {
	dir := f.TempDir()
	for _, ms := range [][]member{
		{{name: "p-1/pyproject.toml", body: "[build-system]\nrequires = []\nbuild-backend = \"b\"\n"}},
		{{name: "p-1/l", flag: tar.TypeSymlink, link: "a/b"}, {name: "p-1/a/b", body: "x"}},
		{{name: "p-1/../x", body: "x"}},
	} {
		data, err := os.ReadFile(writeTarGz(f, dir, "seed.tar.gz", ms))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		sdist := filepath.Join(root, "p-1.tar.gz")
		if err := os.WriteFile(sdist, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ReadSdistBuildSystem(sdist)
		dest := filepath.Join(root, "out")
		if err := os.Mkdir(dest, 0o700); err != nil {
			t.Fatal(err)
		}
		unpackSdist(sdist, dest)
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 {
			t.Errorf("unpacking wrote outside its destination: %v", entries)
		}
	})
}
