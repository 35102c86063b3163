package project

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
	"github.com/safepip/safepip/verify"
)

const lockedCommit = "0123456789abcdef0123456789abcdef01234567"

// originCase is one installed distribution: where pip recorded it came
// from (nil: an index) and where the lock has it.
type originCase struct {
	name   string
	choice install.Choice
	record *verify.DirectURL
	want   string // "" for no finding, else a part of its Detail
}

func TestCheckOrigins(t *testing.T) {
	lockDir := t.TempDir()
	proj := filepath.Join(lockDir, "libs", "proj")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	pathSource := func(editable bool) *lock.Package {
		return &lock.Package{Version: "1.0", Source: &lock.Source{Path: "libs/proj", Editable: editable}}
	}
	gitSource := &lock.Package{Version: "1.0", Source: &lock.Source{Git: "https://git.example/repo.git", Commit: lockedCommit, Subdirectory: "sub"}}
	sum := strings.Repeat("a", 64)
	wheel := &lock.Package{Version: "1.0", Index: "internal", Files: []lock.Dist{{Name: "w-1.0-py3-none-any.whl", SHA256: sum}}}
	sdist := &lock.Package{Version: "1.0", Index: "internal", AllowSdist: true, Files: []lock.Dist{{Name: "s-1.0.tar.gz", SHA256: sum}}}
	dir := func(p string, editable bool) *verify.DirectURL {
		return &verify.DirectURL{URL: verify.FileURL(p), DirInfo: &verify.DirInfo{Editable: editable}}
	}
	git := func(url, commit, sub string) *verify.DirectURL {
		return &verify.DirectURL{URL: url, Subdirectory: sub, VCSInfo: &verify.VCSInfo{VCS: "git", CommitID: commit}}
	}
	archive := func(sha string) *verify.DirectURL {
		return &verify.DirectURL{URL: "file:///tmp/x/w-1.0-py3-none-any.whl", ArchiveInfo: &verify.ArchiveInfo{Hashes: map[string]string{"sha256": sha}}}
	}
	other := t.TempDir()
	cases := []originCase{
		{"editable-ok", install.Choice{Package: pathSource(true), Build: true}, dir(proj, true), ""},
		{"editable-via-dotdot", install.Choice{Package: pathSource(true), Build: true}, dir(filepath.Join(proj, "..", "proj"), true), ""},
		{"copy-ok", install.Choice{Package: pathSource(false), Build: true}, dir(proj, false), ""},
		{"editable-elsewhere", install.Choice{Package: pathSource(true), Build: true}, dir(other, true), `installed from another directory than the locked source path "libs/proj"`},
		{"editable-as-copy", install.Choice{Package: pathSource(true), Build: true}, dir(proj, false), "locked as an editable install, installed as a copy"},
		{"copy-as-editable", install.Choice{Package: pathSource(false), Build: true}, dir(proj, true), "locked as a copy of the directory, installed editable"},
		{"path-from-index", install.Choice{Package: pathSource(true), Build: true}, nil, `locked from a directory (source path "libs/proj"), installed from elsewhere`},
		{"path-from-a-wheel", install.Choice{Package: pathSource(false), Build: true}, archive(sum), "installed from elsewhere"},
		{"git-ok", install.Choice{Package: gitSource, Build: true}, git("https://git.example/repo.git", lockedCommit, "sub"), ""},
		{"git-other-commit", install.Choice{Package: gitSource, Build: true}, git("https://git.example/repo.git", strings.Repeat("f", 40), "sub"), "installed from another commit than locked"},
		{"git-other-repo", install.Choice{Package: gitSource, Build: true}, git("https://evil.example/repo.git", lockedCommit, "sub"), "another repository or subdirectory"},
		{"git-other-subdirectory", install.Choice{Package: gitSource, Build: true}, git("https://git.example/repo.git", lockedCommit, ""), "another repository or subdirectory"},
		{"git-from-a-directory", install.Choice{Package: gitSource, Build: true}, dir(proj, true), "locked from a git commit, installed from elsewhere"},
		{"wheel-from-index", install.Choice{Package: wheel, File: wheel.Files[0]}, nil, ""},
		{"wheel-locked-file", install.Choice{Package: wheel, File: wheel.Files[0]}, archive(sum), ""},
		{"wheel-other-file", install.Choice{Package: wheel, File: wheel.Files[0]}, archive(strings.Repeat("b", 64)), "installed from a file whose sha256 is none of the locked files'"},
		{"wheel-from-a-checkout", install.Choice{Package: wheel, File: wheel.Files[0]}, dir(proj, true), `locked from index "internal", installed from a source tree`},
		{"sdist-built", install.Choice{Package: sdist, File: sdist.Files[0], Sdist: true, Build: true}, archive(strings.Repeat("c", 64)), ""},
		{"sdist-from-a-checkout", install.Choice{Package: sdist, File: sdist.Files[0], Sdist: true, Build: true}, dir(proj, false), "installed from a source tree"},
	}
	files := map[string]map[string]string{}
	versions := map[string]string{}
	var choices []install.Choice
	for _, c := range cases {
		files[c.name] = map[string]string{c.name + ".py": ""}
		versions[c.name] = "1.0"
		p := *c.choice.Package
		p.Name = c.name
		c.choice.Package = &p
		choices = append(choices, c.choice)
	}
	root := sitePackages(t, files, versions)
	dists, err := verify.Installed(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.record != nil {
			if err := dists[slices.IndexFunc(dists, func(d verify.InstalledDist) bool { return d.Name == c.name })].WriteDirectURL(c.record); err != nil {
				t.Fatal(err)
			}
		}
	}
	interp := &install.Interpreter{Purelib: root, Platlib: root}
	found, notes, err := checkOrigins(interp, choices, lockDir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Finding{}
	for _, f := range found {
		if f.Kind != FindingSourceMismatch {
			t.Errorf("finding of kind %s, want %s", f.Kind, FindingSourceMismatch)
		}
		got[f.Package] = f
	}
	for _, c := range cases {
		f, ok := got[c.name]
		switch {
		case c.want == "" && ok:
			t.Errorf("%s: unexpected finding %s", c.name, f)
		case c.want != "" && !ok:
			t.Errorf("%s: no finding, want one saying %q", c.name, c.want)
		case c.want != "" && !strings.Contains(f.Detail, c.want):
			t.Errorf("%s: finding %s, want it to say %q", c.name, f, c.want)
		}
	}
	if f := got["editable-elsewhere"]; f.Expected != "the editable directory "+verify.FileURL(proj) || f.Actual != "the editable directory "+verify.FileURL(other) {
		t.Errorf("editable-elsewhere: expected %q, actual %q; want the locked and the installed directories", f.Expected, f.Actual)
	}
	if f := got["path-from-index"]; f.Actual != "an index (no direct_url.json)" {
		t.Errorf("path-from-index: actual %q", f.Actual)
	}
	wantNote := "sdist-built 1.0 was built from its locked sdist s-1.0.tar.gz: its installed files are checked against their RECORD, but a wheel built here has no locked hash to match"
	if !slices.Equal(notes, []string{wantNote}) {
		t.Errorf("notes = %q, want [%q]", notes, wantNote)
	}
}

// TestRecordSourceInstalls: what install records after pip installed the
// wheels built from sources is what verify expects, and RECORD holds.
func TestRecordSourceInstalls(t *testing.T) {
	lockDir := t.TempDir()
	lf := &lock.File{Packages: []lock.Package{
		{Name: "proj", Version: "1.0", Source: &lock.Source{Path: ".", Editable: true}},
		{Name: "gitpkg", Version: "2.0", Source: &lock.Source{Git: "https://git.example/repo.git", Commit: lockedCommit}},
		{Name: "plain", Version: "3.0", Index: "internal", Files: []lock.Dist{{Name: "plain-3.0-py3-none-any.whl", SHA256: strings.Repeat("a", 64)}}},
	}}
	var choices []install.Choice
	for i := range lf.Packages {
		choices = append(choices, install.Choice{Package: &lf.Packages[i], Build: lf.Packages[i].Source != nil})
	}
	root := sitePackages(t, map[string]map[string]string{"proj": {"proj.pth": lockDir}, "gitpkg": {"gitpkg/__init__.py": ""}, "plain": {"plain.py": ""}},
		map[string]string{"proj": "1.0", "gitpkg": "2.0", "plain": "3.0"})
	interp := &install.Interpreter{Purelib: root, Platlib: root}
	// pip recorded the built wheels
	dists, err := verify.Installed(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dists {
		if err := d.WriteDirectURL(&verify.DirectURL{URL: "file:///tmp/built/" + d.Name + ".whl", ArchiveInfo: &verify.ArchiveInfo{}}); err != nil {
			t.Fatal(err)
		}
	}
	if found, _, err := checkOrigins(interp, choices, lockDir); err != nil || len(found) != 2 {
		t.Fatalf("before recording: findings %v, %v; want the two sources", found, err)
	}
	if err := recordSourceInstalls(interp, choices, lockDir); err != nil {
		t.Fatal(err)
	}
	if found, _, err := checkOrigins(interp, choices, lockDir); err != nil || len(found) != 0 {
		t.Errorf("after recording: findings %v, %v; want none", found, err)
	}
	if found, _, err := checkInstalled(interp, choices); err != nil || len(found) != 0 {
		t.Errorf("after recording: checkInstalled found %v, %v; want RECORD consistent", found, err)
	}
	missing := append(choices, install.Choice{Package: &lock.Package{Name: "absent", Version: "1.0", Source: &lock.Source{Path: "x"}}})
	if err := recordSourceInstalls(interp, missing, lockDir); err == nil || !strings.Contains(err.Error(), "absent 1.0 was built and handed to pip, and is not installed") {
		t.Errorf("recordSourceInstalls of a missing install = %v", err)
	}
}

// TestChosenFiles: verify checks the chosen files and the build
// dependencies' wheels, each once, and nothing for a source.
func TestChosenFiles(t *testing.T) {
	whl := func(name string, c string) []lock.Dist {
		return []lock.Dist{{Name: name, SHA256: strings.Repeat(c, 64)}}
	}
	lf := &lock.File{
		Version: lock.FormatVersion, Indexes: []lock.Index{{Name: "pypi", URL: "https://pypi.org/simple"}},
		Packages: []lock.Package{
			{Name: "lib", Version: "1.0", Index: "pypi", AllowSdist: true, BuildDependencies: []string{"setuptools==69.0", "tomli==2.0 ; python_version < '3.11'"}, Files: whl("lib-1.0.tar.gz", "1")},
			{Name: "proj", Version: "0.1", Source: &lock.Source{Path: "."}, BuildDependencies: []string{"setuptools==69.0"}},
			{Name: "six", Version: "1.16.0", Index: "pypi", Files: whl("six-1.16.0-py3-none-any.whl", "2")},
		},
		BuildPackages: []lock.Package{
			{Name: "setuptools", Version: "69.0", Index: "pypi", RequiredBy: []string{"lib", "proj"}, Files: whl("setuptools-69.0-py3-none-any.whl", "3")},
			{Name: "tomli", Version: "2.0", Index: "pypi", RequiredBy: []string{"lib"}, Files: whl("tomli-2.0-py3-none-any.whl", "4")},
		},
	}
	if err := lf.Validate(); err != nil {
		t.Fatal(err)
	}
	env := pep508.Environment{"python_full_version": "3.11.7", "python_version": "3.11", "sys_platform": "linux", "platform_machine": "x86_64", "implementation_name": "cpython"}
	plat, err := tags.ParsePlatform("manylinux_2_35_x86_64")
	if err != nil {
		t.Fatal(err)
	}
	supported := tags.Target{Implementation: "cp", Python: [2]int{3, 11}, Platform: plat}.Tags()
	choices, err := install.Select(lf, supported, env)
	if err != nil {
		t.Fatal(err)
	}
	files, err := chosenFiles(lf, choices, supported, env)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.File.Name)
	}
	want := []string{"lib-1.0.tar.gz", "setuptools-69.0-py3-none-any.whl", "six-1.16.0-py3-none-any.whl"}
	if !slices.Equal(got, want) {
		t.Errorf("chosenFiles on Python 3.11 = %q, want %q", got, want)
	}
}
