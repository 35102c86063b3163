package build

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadBuildSystem(t *testing.T) {
	tests := []struct {
		name, toml string
		want       BuildSystem
	}{
		{"no table", "[project]\nname = \"x\"\n", DefaultBuildSystem()},
		{"empty file", "", DefaultBuildSystem()},
		{"full", `[build-system]
requires = ["hatchling>=1.20", "hatch-vcs; python_version >= '3.8'"]
build-backend = "hatchling.build"
`, BuildSystem{Requires: []string{"hatchling>=1.20", "hatch-vcs; python_version >= '3.8'"}, Backend: "hatchling.build"}},
		{"no backend: legacy setuptools with the given requires", `[build-system]
requires = ["setuptools>=61", "wheel"]
`, BuildSystem{Requires: []string{"setuptools>=61", "wheel"}, Backend: DefaultBackend, Default: true}},
		{"empty requires", "[build-system]\nrequires = []\nbuild-backend = \"flit_core.buildapi\"\n",
			BuildSystem{Backend: "flit_core.buildapi"}},
		{"backend-path and an object", `[build-system]
requires = []
build-backend = "backend:hooks.v1"
backend-path = [".", "_build/backend"]
`, BuildSystem{Backend: "backend:hooks.v1", BackendPath: []string{".", "_build/backend"}}},
		{"other keys are left for other PEPs", "[build-system]\nrequires = []\nbuild-backend = \"b\"\nfuture-key = 1\n",
			BuildSystem{Backend: "b"}},
	}
	for _, tt := range tests {
		got, err := ReadBuildSystem("pyproject.toml", []byte(tt.toml))
		if err != nil {
			t.Errorf("%s: ReadBuildSystem: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ReadBuildSystem = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestReadBuildSystemErrors(t *testing.T) {
	tests := []struct {
		toml string
		key  string
		want string // in the message, besides the file name
	}{
		{"[build-system]\nbuild-backend = \"x\"\n", "requires", `add requires = ["setuptools>=40.8.0"]`},
		{"[build-system]\nrequires = \"setuptools\"\n", "requires", "must be an array of PEP 508 strings, not a string"},
		{"[build-system]\nrequires = [\"ok\", 3]\n", "requires[1]", "not a number"},
		{"[build-system]\nrequires = [\"ok\", \"bad>=\"]\n", "requires[1]", `"bad>="`},
		{"[build-system]\nrequires = []\nbuild-backend = 1\n", "build-backend", "must be a string"},
		{"[build-system]\nrequires = []\nbuild-backend = \"a b\"\n", "build-backend", `"a b": want a module path`},
		{"[build-system]\nrequires = []\nbuild-backend = \"a:\"\n", "build-backend", "want a module path"},
		{"[build-system]\nrequires = []\nbuild-backend = \"b\"\nbackend-path = \"x\"\n", "backend-path", "must be an array"},
		{"[build-system]\nrequires = []\nbuild-backend = \"b\"\nbackend-path = [\"/abs\"]\n", "backend-path[0]", "absolute path"},
		{"[build-system]\nrequires = []\nbuild-backend = \"b\"\nbackend-path = [\"ok\", \"a/../../up\"]\n", "backend-path[1]", "leaves the source tree"},
		{"[build-system]\nrequires = []\nbuild-backend = \"b\"\nbackend-path = [\"\"]\n", "backend-path[0]", "empty entry"},
		{"build-system = 1\n", "", "must be a table"},
		{"[build-system\n", "", "line 1"},
	}
	for _, tt := range tests {
		_, err := ReadBuildSystem("proj/pyproject.toml", []byte(tt.toml))
		var bse *BuildSystemError
		if !errors.As(err, &bse) {
			t.Errorf("ReadBuildSystem(%q) = %v, want a *BuildSystemError", tt.toml, err)
			continue
		}
		if bse.File != "proj/pyproject.toml" || bse.Key != tt.key {
			t.Errorf("ReadBuildSystem(%q): file %q key %q, want proj/pyproject.toml and %q", tt.toml, bse.File, bse.Key, tt.key)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "proj/pyproject.toml: ") || !strings.Contains(msg, tt.want) {
			t.Errorf("ReadBuildSystem(%q) error = %q, want it to start with the file and contain %q", tt.toml, msg, tt.want)
		}
	}
}

func TestReadDirBuildSystem(t *testing.T) {
	got, err := ReadDirBuildSystem(filepath.Join("testdata", "projects", "legacy"))
	if err != nil || !reflect.DeepEqual(got, DefaultBuildSystem()) {
		t.Errorf("ReadDirBuildSystem(legacy) = %+v, %v; want the PEP 518 defaults", got, err)
	}
	got, err = ReadDirBuildSystem(filepath.Join("testdata", "projects", "inpath"))
	want := BuildSystem{Requires: []string{"tinybackend"}, Backend: "inpath_backend:backend", BackendPath: []string{"_build"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadDirBuildSystem(inpath) = %+v, %v; want %+v", got, err, want)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[build-system]\nrequires = [\"x==\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadDirBuildSystem(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "pyproject.toml")+": [build-system] requires[0]") {
		t.Errorf("ReadDirBuildSystem(bad) = %v, want the path and key", err)
	}
}

func FuzzReadBuildSystem(f *testing.F) {
	f.Add([]byte("[build-system]\nrequires = [\"setuptools>=40.8.0\"]\nbuild-backend = \"setuptools.build_meta\"\nbackend-path = [\".\"]\n"))
	f.Add([]byte("[build-system]\nrequires = []\n"))
	f.Add([]byte("[project]\nname = \"x\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		bs, err := ReadBuildSystem("pyproject.toml", data)
		if err != nil {
			return
		}
		if bs.Backend == "" || !backendPattern.MatchString(bs.Backend) {
			t.Errorf("accepted backend %q", bs.Backend)
		}
		for _, p := range bs.BackendPath {
			if checkBackendPath(p) != "" {
				t.Errorf("accepted backend-path %q", p)
			}
		}
	})
}
