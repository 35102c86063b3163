package lock

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

// buildSample is a lock with every kind of build input: an sdist built
// with shared and marker-bound build dependencies, an editable directory,
// a git commit.
func buildSample() *File {
	wheel := func(name string, c byte) []Dist {
		return []Dist{{Name: name, URL: "https://files.example/" + name, SHA256: strings.Repeat(string(c), 64)}}
	}
	return &File{
		Version:   FormatVersion,
		CreatedBy: "safepip 0.3.0",
		Inputs:    Digest([]byte("acme-lib")),
		Scope:     Scope{RequiresPython: ">=3.9"},
		Indexes:   []Index{{Name: "public", URL: "https://pypi.org/simple"}, {Name: "internal", URL: "https://pypi.internal.example/simple"}},
		Packages: []Package{
			{Name: "myproject", Version: "0.1.0", Source: &Source{Path: ".", Editable: true},
				BuildDependencies: []string{"Hatchling == 1.21.0", "packaging==24.0"},
				Dependencies:      []string{"acme-lib", "gitpkg"}, RequiredBy: []string{RootName}},
			{Name: "gitpkg", Version: "2.0", Source: &Source{Git: "https://git.example/repo.git", Commit: commit, Subdirectory: "sub"},
				BuildDependencies: []string{"setuptools==69.0.0"}, RequiredBy: []string{"myproject"}},
			{Name: "acme-lib", Version: "1.0", Index: "internal", AllowSdist: true,
				BuildDependencies: []string{
					"tomli==2.0.1; python_full_version < '3.11'",
					"setuptools==69.0.0",
					"acme-build-plugin==1.0",
				},
				RequiredBy: []string{"myproject"}, Files: []Dist{{Name: "acme_lib-1.0.tar.gz", URL: "https://pypi.internal.example/files/acme_lib-1.0.tar.gz", SHA256: strings.Repeat("e", 64), Size: 2048, UploadTime: "2026-11-02T10:00:00Z"}}},
		},
		BuildPackages: []Package{
			{Name: "tomli", Version: "2.0.1", Index: "public", RequiredBy: []string{"acme-lib"}, Files: wheel("tomli-2.0.1-py3-none-any.whl", '1')},
			{Name: "setuptools", Version: "69.0.0", Index: "public", RequiredBy: []string{"gitpkg", "acme-lib"}, Files: wheel("setuptools-69.0.0-py3-none-any.whl", '2')},
			{Name: "packaging", Version: "24.0", Index: "public", RequiredBy: []string{"myproject"}, Files: wheel("packaging-24.0-py3-none-any.whl", '3')},
			{Name: "hatchling", Version: "1.21.0", Index: "public", Dependencies: []string{"packaging"}, RequiredBy: []string{"myproject"}, Files: wheel("hatchling-1.21.0-py3-none-any.whl", '4')},
			{Name: "acme-build-plugin", Version: "1.0", Index: "internal", RequiredBy: []string{"acme-lib"}, Files: wheel("acme_build_plugin-1.0-py3-none-any.whl", '5')},
		},
	}
}

func TestBuildGolden(t *testing.T) {
	f := checkGolden(t, buildSample(), "build.lock")
	lib := f.Package("acme-lib")
	wantRefs := []string{"acme-build-plugin==1.0", "setuptools==69.0.0", "tomli==2.0.1 ; python_version < '3.11'"}
	if !reflect.DeepEqual(lib.BuildDependencies, wantRefs) {
		t.Errorf("acme-lib build-dependencies = %q, want %q (canonical, sorted)", lib.BuildDependencies, wantRefs)
	}
	if got := f.Package("myproject").Source; got == nil || *got != (Source{Path: ".", Editable: true}) {
		t.Errorf("myproject source = %+v, want path . editable", got)
	}
	if got := f.Package("gitpkg").Source; got == nil || *got != (Source{Git: "https://git.example/repo.git", Commit: commit, Subdirectory: "sub"}) {
		t.Errorf("gitpkg source = %+v", got)
	}
	if bp := f.BuildPackage("Setuptools", "69.0.0"); bp == nil || !reflect.DeepEqual(bp.RequiredBy, []string{"acme-lib", "gitpkg"}) {
		t.Errorf("BuildPackage(setuptools 69.0.0) = %+v, want it required by acme-lib and gitpkg", bp)
	}
	if bp := f.BuildPackage("setuptools", "70.0"); bp != nil {
		t.Errorf("BuildPackage(setuptools 70.0) = %+v, want nil", bp)
	}
}

func TestBuildDeterministicWhateverTheInputOrder(t *testing.T) {
	a, b := buildSample(), buildSample()
	for _, list := range [][]Package{b.Packages, b.BuildPackages} {
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	}
	deps := b.Package("acme-lib").BuildDependencies
	deps[0], deps[2] = deps[2], deps[0]
	sameBytes(t, a, b)
}

func TestParseBuildRef(t *testing.T) {
	tests := []struct {
		in   string
		want BuildRef
		str  string
	}{
		{"setuptools==69.0.0", BuildRef{"setuptools", "69.0.0", ""}, "setuptools==69.0.0"},
		{"Acme_Build.Plugin == 1.0", BuildRef{"acme-build-plugin", "1.0", ""}, "acme-build-plugin==1.0"},
		{`tomli==2.0.1; python_full_version < "3.11"`, BuildRef{"tomli", "2.0.1", "python_version < '3.11'"}, "tomli==2.0.1 ; python_version < '3.11'"},
		{`x==1 ; os_name == "nt" or os_name == "nt"`, BuildRef{"x", "1", "os_name == 'nt'"}, "x==1 ; os_name == 'nt'"},
	}
	for _, tt := range tests {
		got, err := ParseBuildRef(tt.in)
		if err != nil || got != tt.want || got.String() != tt.str {
			t.Errorf("ParseBuildRef(%q) = %+v (%q), %v; want %+v (%q)", tt.in, got, got.String(), err, tt.want, tt.str)
		}
	}
	for _, bad := range []struct{ in, want string }{
		{"setuptools", "pinned as name==version"},
		{"setuptools>=69", "pinned as name==version"},
		{"setuptools==69.*", "pinned as name==version"},
		{"setuptools==69,!=70", "pinned as name==version"},
		{"setuptools[core]==69", "names no extras"},
		{"setuptools @ https://x.example/s.whl", "not a URL"},
		{"==1", "requirement"},
	} {
		if _, err := ParseBuildRef(bad.in); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseBuildRef(%q) error = %v, want it to contain %q", bad.in, err, bad.want)
		}
	}
}

// TestValidateBuild breaks each rule of sources and build dependencies in
// turn and checks the message names the entry, the key and the fix.
func TestValidateBuild(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(f *File)
		want   string
	}{
		{"reference does not parse", func(f *File) { f.Package("acme-lib").BuildDependencies[0] = "acme-build-plugin>=1" },
			`package "acme-lib" 1.0: build-dependencies "acme-build-plugin>=1": "acme-build-plugin>=1": a build dependency is pinned as name==version`},
		{"reference to no build-package", func(f *File) { f.Package("acme-lib").BuildDependencies[0] = "acme-build-plugin==2.0" },
			`package "acme-lib" 1.0: build-dependencies "acme-build-plugin==2.0": the lock has no [[build-package]] acme-build-plugin 2.0; relock with ` + "`safepip lock`"},
		{"build-package referenced by nobody", func(f *File) {
			f.BuildPackages = append(f.BuildPackages, Package{Name: "flit-core", Version: "3.9.0", Index: "public", RequiredBy: []string{"acme-lib"},
				Files: []Dist{{Name: "flit_core-3.9.0-py3-none-any.whl", SHA256: strings.Repeat("6", 64)}}})
		}, `build-package "flit-core" 3.9.0: no package's build-dependencies reference it; relock`},
		{"required-by lacks a referrer", func(f *File) { f.BuildPackage("setuptools", "69.0.0").RequiredBy = []string{"acme-lib"} },
			`build-package "setuptools" 69.0.0: required-by lacks "gitpkg", whose build-dependencies reference it`},
		{"required-by lists a stranger", func(f *File) {
			f.BuildPackage("tomli", "2.0.1").RequiredBy = []string{"acme-lib", "myproject"}
		}, `build-package "tomli" 2.0.1: required-by lists "myproject", whose build-dependencies do not reference it`},
		{"build-package sdist", func(f *File) {
			f.BuildPackage("tomli", "2.0.1").Files[0].Name = "tomli-2.0.1.tar.gz"
		}, `build-package "tomli" 2.0.1: file tomli-2.0.1.tar.gz is not a wheel: build dependencies are always wheels`},
		{"build-package twice", func(f *File) { f.BuildPackages = append(f.BuildPackages, *f.BuildPackage("tomli", "2.0.1")) },
			`build-package "tomli" 2.0.1 is listed twice`},
		{"build-package with a marker", func(f *File) { f.BuildPackage("tomli", "2.0.1").Marker = "os_name == 'nt'" },
			`build-package "tomli" 2.0.1: has marker "os_name == 'nt'"; where a build dependency applies is the marker of its reference`},
		{"build-package with a source", func(f *File) {
			bp := f.BuildPackage("tomli", "2.0.1")
			bp.Index, bp.Files, bp.Source = "", nil, &Source{Path: "tomli"}
		}, `build-package "tomli" 2.0.1: has a source; build dependencies are wheels from an index`},
		{"build-package with build-dependencies", func(f *File) {
			f.BuildPackage("tomli", "2.0.1").BuildDependencies = []string{"setuptools==69.0.0"}
		}, `build-package "tomli" 2.0.1: has build-dependencies; build dependencies are wheels, never built themselves`},
		{"build-package allowing an sdist", func(f *File) { f.BuildPackage("tomli", "2.0.1").AllowSdist = true },
			`build-package "tomli" 2.0.1: has allow-sdist; build dependencies are always wheels`},
		{"build-package from no index", func(f *File) { f.BuildPackage("tomli", "2.0.1").Index = "" },
			`build-package "tomli": needs an index or a url`},
		{"build-package from an unknown index", func(f *File) { f.BuildPackage("tomli", "2.0.1").Index = "nowhere" },
			`build-package "tomli": index "nowhere" is not among the lock's [[index]] tables`},
		{"build-package bad sha", func(f *File) { f.BuildPackage("tomli", "2.0.1").Files[0].SHA256 = "abc" },
			`build-package "tomli": file tomli-2.0.1-py3-none-any.whl: sha256 "abc" is not 64 lower-case hex digits`},
		{"build-dependencies of a package never built", func(f *File) { f.Package("acme-lib").AllowSdist = false },
			`package "acme-lib" 1.0: build-dependencies, but the package is never built (it has no source and no allow-sdist)`},
		{"source with both", func(f *File) { f.Package("gitpkg").Source.Path = "libs/gitpkg" },
			`package "gitpkg" 2.0: source: path "libs/gitpkg" and git "https://git.example/repo.git": a source is one or the other`},
		{"source with neither", func(f *File) { f.Package("myproject").Source.Path = "" },
			`package "myproject" 0.1.0: source: neither path nor git`},
		{"absolute path", func(f *File) { f.Package("myproject").Source.Path = "/home/me/myproject" },
			`package "myproject" 0.1.0: source: path "/home/me/myproject" is absolute: a lock holds no machine's paths; make it relative to the lock's directory`},
		{"drive letter", func(f *File) { f.Package("myproject").Source.Path = "C:/src/myproject" },
			`source: path "C:/src/myproject" is absolute`},
		{"backslashes", func(f *File) { f.Package("myproject").Source.Path = `libs\acme` },
			`source: path "libs\\acme": write it in slash form ("libs/acme")`},
		{"unclean path", func(f *File) { f.Package("myproject").Source.Path = "./libs/acme/" },
			`source: path "./libs/acme/" is not in clean form (want "libs/acme")`},
		{"path with a commit", func(f *File) { f.Package("myproject").Source.Commit = commit },
			`source: path ".": commit and subdirectory belong to a git source`},
		{"git with credentials", func(f *File) { f.Package("gitpkg").Source.Git = "https://me:hunter2@git.example/repo.git" },
			`package "gitpkg" 2.0: source: git "https://***@git.example/repo.git": url carries credentials; a lock never holds them`},
		{"git with a token", func(f *File) { f.Package("gitpkg").Source.Git = "https://hunter2@git.example/repo.git" },
			`url carries credentials`},
		{"ssh with a password", func(f *File) { f.Package("gitpkg").Source.Git = "ssh://git:hunter2@git.example/repo.git" },
			`url carries credentials`},
		{"git with a revision", func(f *File) { f.Package("gitpkg").Source.Git = "https://git.example/repo.git@main" },
			`source: git "https://git.example/repo.git@main": the URL holds a revision, query or fragment`},
		{"git+ prefix", func(f *File) { f.Package("gitpkg").Source.Git = "git+https://git.example/repo.git" },
			`write the URL without "git+" ("https://git.example/repo.git")`},
		{"git not a URL", func(f *File) { f.Package("gitpkg").Source.Git = "git.example:repo.git" },
			`source: git "git.example:repo.git" is not a repository URL`},
		{"short commit", func(f *File) { f.Package("gitpkg").Source.Commit = "0123abc" },
			`package "gitpkg" 2.0: source: git "https://git.example/repo.git": commit "0123abc" is not a full commit of 40 lower-case hex digits`},
		{"branch for a commit", func(f *File) { f.Package("gitpkg").Source.Commit = "main" },
			"(`git rev-parse REV` prints it)"},
		{"upper-case commit", func(f *File) { f.Package("gitpkg").Source.Commit = strings.ToUpper(commit) },
			`is not a full commit of 40 lower-case hex digits`},
		{"subdirectory climbing out", func(f *File) { f.Package("gitpkg").Source.Subdirectory = "../other" },
			`source: subdirectory "../other" climbs out of the repository`},
		{"source and index", func(f *File) { f.Package("myproject").Index = "public" },
			`package "myproject" 0.1.0: has a source and index "public"; a package from a source has no index`},
		{"source and url", func(f *File) { f.Package("myproject").URL = "https://x.example/p.whl" },
			`package "myproject" 0.1.0: has a source and url "https://x.example/p.whl"; a package from a source has no url`},
		{"source and files", func(f *File) {
			f.Package("myproject").Files = []Dist{{Name: "myproject-0.1.0.tar.gz", SHA256: strings.Repeat("7", 64)}}
		}, `package "myproject" 0.1.0: has a source and [[package.file]] myproject-0.1.0.tar.gz; a package from a source has no files`},
	}
	if err := buildSample().Validate(); err != nil {
		t.Fatalf("buildSample does not validate: %v", err)
	}
	for _, tt := range tests {
		f := buildSample()
		f.Normalize()
		tt.break_(f)
		err := f.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want it to contain %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error leaks a credential: %v", tt.name, err)
		}
	}
}

func TestValidateSourceAccepts(t *testing.T) {
	for _, s := range []Source{
		{Path: "."},
		{Path: "..", Editable: true},
		{Path: "../sibling/pkg"},
		{Path: "libs/acme"},
		{Git: "file:///srv/repo", Commit: commit},
		{Git: "ssh://git@git.example/org/repo.git", Commit: commit, Subdirectory: "python/pkg"},
		{Git: "https://git.example/repo.git", Commit: commit, Editable: true},
	} {
		if err := s.validate(); err != nil {
			t.Errorf("source %+v: %v", s, err)
		}
	}
}

func TestDiffBuild(t *testing.T) {
	old := buildSample()
	old.Normalize()
	new := buildSample()
	new.Normalize()
	// setuptools 69 -> 70 for gitpkg only; acme-lib keeps 69
	new.BuildPackages = append(new.BuildPackages, Package{Name: "setuptools", Version: "70.0.0", Index: "public", RequiredBy: []string{"gitpkg"},
		Files: []Dist{{Name: "setuptools-70.0.0-py3-none-any.whl", SHA256: strings.Repeat("8", 64)}}})
	new.BuildPackage("setuptools", "69.0.0").RequiredBy = []string{"acme-lib"}
	new.Package("gitpkg").BuildDependencies = []string{"setuptools==70.0.0"}
	// the git source moves to another commit; the editable is no longer editable
	new.Package("gitpkg").Source.Commit = strings.Repeat("f", 40)
	new.Package("myproject").Source.Editable = false
	// the private plugin's wheel changed
	new.BuildPackage("acme-build-plugin", "1.0").Files[0].SHA256 = strings.Repeat("9", 64)
	// packaging is no longer needed
	new.BuildPackages = slicesDelete(new.BuildPackages, "packaging")
	new.Package("myproject").BuildDependencies = []string{"hatchling==1.21.0"}
	if err := new.Validate(); err != nil {
		t.Fatal(err)
	}
	got := Diff(old, new)
	want := []Change{
		{Name: "gitpkg", Kind: "changed", OldVersion: "2.0", NewVersion: "2.0", Source: "git https://git.example/repo.git@ffffffffffffffffffffffffffffffffffffffff#subdirectory=sub"},
		{Name: "myproject", Kind: "changed", OldVersion: "0.1.0", NewVersion: "0.1.0", Source: "path ."},
		{Name: "acme-build-plugin", Index: "internal", Kind: "changed", OldVersion: "1.0", NewVersion: "1.0", Build: true},
		{Name: "packaging", Index: "public", Kind: "removed", OldVersion: "24.0", Build: true},
		{Name: "setuptools", Index: "public", Kind: "added", NewVersion: "70.0.0", Build: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Diff =\n%+v\nwant\n%+v", got, want)
	}
	if d := Diff(nil, old); len(d) != 8 || !d[len(d)-1].Build || d[0].Build {
		t.Errorf("Diff(nil, lock) = %+v, want 3 packages then 5 build packages added", d)
	}
}

func slicesDelete(ps []Package, name string) []Package {
	var out []Package
	for _, p := range ps {
		if p.Name != name {
			out = append(out, p)
		}
	}
	return out
}

// FuzzParseBuildRef: ParseBuildRef never panics, and what it accepts
// prints in a canonical form that parses back to itself.
func FuzzParseBuildRef(f *testing.F) {
	for _, s := range []string{"setuptools==69.0.0", "Acme_Build.Plugin == 1.0", `tomli==2.0.1; python_full_version < "3.11"`,
		"x==1 ; os_name == 'nt' or sys_platform == 'win32'", "x==1.0+local.7", "x===1", "x[y]==1", "x @ file:///y", "==1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseBuildRef(s)
		if err != nil {
			return
		}
		again, err := ParseBuildRef(r.String())
		if err != nil {
			t.Fatalf("ParseBuildRef(%q) = %q, which does not parse: %v", s, r.String(), err)
		}
		if again.String() != r.String() {
			t.Fatalf("ParseBuildRef(%q).String() = %q, then %q: not canonical", s, r.String(), again.String())
		}
	})
}

// BenchmarkParseBuildLock parses a lock of 300 sdists, each with ten build
// dependencies (three under a marker) shared through 20 build packages:
// Validate resolves every reference and canonicalizes every marker. The
// same lock without build dependencies is the baseline.
func BenchmarkParseBuildLock(b *testing.B) {
	for _, withBuild := range []bool{true, false} {
		b.Run(fmt.Sprintf("build=%v", withBuild), func(b *testing.B) {
			data, err := Marshal(benchBuildLock(withBuild))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for range b.N {
				if _, err := Parse("bench.lock", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchBuildLock(withBuild bool) *File {
	f := &File{Version: FormatVersion, CreatedBy: "bench", Inputs: Digest(nil), Indexes: []Index{{Name: "pypi", URL: "https://pypi.org/simple"}}}
	for j := range 20 {
		f.BuildPackages = append(f.BuildPackages, Package{Name: fmt.Sprintf("tool%d", j), Version: "1.0", Index: "pypi",
			Files: []Dist{{Name: fmt.Sprintf("tool%d-1.0-py3-none-any.whl", j), SHA256: strings.Repeat("a", 64)}}})
	}
	for i := range 300 {
		p := Package{Name: fmt.Sprintf("pkg%d", i), Version: "1.0", Index: "pypi", AllowSdist: true,
			Files: []Dist{{Name: fmt.Sprintf("pkg%d-1.0.tar.gz", i), SHA256: strings.Repeat("b", 64)}}}
		for k := range 10 {
			j := (i + k) % 20
			ref := fmt.Sprintf("tool%d==1.0", j)
			if k < 3 {
				ref += fmt.Sprintf(" ; python_full_version < '3.%d' and sys_platform != 'win32'", 9+k)
			}
			p.BuildDependencies = append(p.BuildDependencies, ref)
			f.BuildPackages[j].RequiredBy = append(f.BuildPackages[j].RequiredBy, p.Name)
		}
		f.Packages = append(f.Packages, p)
	}
	if !withBuild {
		f.BuildPackages = nil
		for i := range f.Packages {
			f.Packages[i].BuildDependencies = nil
		}
	}
	return f
}

// TestParseNamesTheEntryLine: a rule broken in a lock file is reported at
// the line of the entry that breaks it.
func TestParseNamesTheEntryLine(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "build.lock"))
	if err != nil {
		t.Fatal(err)
	}
	lineOf := func(text, s string) int {
		i := strings.Index(text, s)
		if i < 0 {
			t.Fatalf("%q is not in build.lock", s)
		}
		return strings.Count(text[:i], "\n") + 1
	}
	tests := []struct {
		name, old, new, entry, want string
	}{
		{"required-by", "required-by = [\n  'acme-lib',\n  'gitpkg'\n]", "required-by = [\n  'acme-lib'\n]",
			"[[build-package]]\nname = 'setuptools'", `build-package "setuptools" 69.0.0: required-by lacks "gitpkg"`},
		{"source path", "path = '.'", "path = '/home/me/proj'",
			"[[package]]\nname = 'myproject'", `package "myproject" 0.1.0: source: path "/home/me/proj" is absolute`},
		{"reference", "'packaging==24.0'", "'packaging==25.0'",
			"[[package]]\nname = 'myproject'", `package "myproject" 0.1.0: build-dependencies "packaging==25.0": the lock has no [[build-package]] packaging 25.0`},
	}
	for _, tt := range tests {
		text := strings.Replace(string(data), tt.old, tt.new, 1)
		_, err := Parse("build.lock", []byte(text))
		want := fmt.Sprintf("build.lock:%d: %s", lineOf(text, tt.entry), tt.want)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: Parse error = %v, want it to start with %q", tt.name, err, want)
		}
	}
}
