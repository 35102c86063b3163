package lock

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// checkSourceTree checks a [[packages]] entry from a source tree against
// the lock: [packages.directory] or [packages.vcs] as PEP 751 spells
// them, and the locked version and build dependencies in
// [packages.tool.safepip].
func checkSourceTree(t *testing.T, p pylockPkgCheck, f *File) {
	t.Helper()
	lp := f.Package(p.Name)
	if lp == nil {
		return
	}
	tool, _ := p.Tool["safepip"].(map[string]any)
	if refs := anyStrings(tool["build-dependencies"]); !slices.Equal(refs, lp.BuildDependencies) {
		t.Errorf("package %s: [packages.tool.safepip] build-dependencies = %q, want the lock's %q", p.Name, refs, lp.BuildDependencies)
	}
	s := lp.Source
	switch {
	case s == nil:
		if p.VCS != nil || p.Directory != nil {
			t.Errorf("package %s: vcs or directory for a package from an index", p.Name)
		}
		return
	case tool["version"] != lp.Version:
		t.Errorf("package %s: [packages.tool.safepip] version = %v, want %s", p.Name, tool["version"], lp.Version)
	}
	if s.Path != "" {
		if p.Directory == nil || p.Directory["path"] != s.Path || (p.Directory["editable"] == true) != s.Editable {
			t.Errorf("package %s: directory = %v, want path %q editable %v", p.Name, p.Directory, s.Path, s.Editable)
		}
		return
	}
	if p.VCS == nil || p.VCS["type"] != "git" || p.VCS["url"] != s.Git || p.VCS["commit-id"] != s.Commit || p.VCS["subdirectory"] != nilIfEmpty(s.Subdirectory) {
		t.Errorf("package %s: vcs = %v, want git %s at %s (subdirectory %q)", p.Name, p.VCS, s.Git, s.Commit, s.Subdirectory)
	}
	for k := range p.VCS {
		if !slices.Contains([]string{"type", "url", "path", "requested-revision", "commit-id", "subdirectory"}, k) {
			t.Errorf("package %s: [packages.vcs] key %q is not PEP 751's", p.Name, k)
		}
	}
	for k := range p.Directory {
		if !slices.Contains([]string{"path", "editable", "subdirectory"}, k) {
			t.Errorf("package %s: [packages.directory] key %q is not PEP 751's", p.Name, k)
		}
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// checkBuildPackages finds every [[build-package]] of the lock, with each
// wheel's hash, in [[tool.safepip.build-packages]]: not dropped, and not a
// PEP 751 package an installer would install.
func checkBuildPackages(t *testing.T, pl pylockSchema, f *File) {
	t.Helper()
	tool, _ := pl.Tool["safepip"].(map[string]any)
	list, _ := tool["build-packages"].([]any)
	if len(list) != len(f.BuildPackages) {
		t.Errorf("[tool.safepip] has %d build-packages, the lock %d", len(list), len(f.BuildPackages))
	}
	for _, x := range list {
		bp, _ := x.(map[string]any)
		name, _ := bp["name"].(string)
		version, _ := bp["version"].(string)
		lp := f.BuildPackage(name, version)
		if lp == nil {
			t.Errorf("[tool.safepip] build-package %s %s is not in the lock", name, version)
			continue
		}
		if got := anyStrings(bp["required-by"]); !slices.Equal(got, lp.RequiredBy) {
			t.Errorf("build-package %s: required-by %q, want %q", name, got, lp.RequiredBy)
		}
		wheels, _ := bp["wheels"].([]any)
		if len(wheels) != len(lp.Files) {
			t.Errorf("build-package %s: %d wheels, the lock %d", name, len(wheels), len(lp.Files))
		}
		for i, w := range wheels {
			wm, _ := w.(map[string]any)
			hashes, _ := wm["hashes"].(map[string]any)
			if wm["name"] != lp.Files[i].Name || hashes["sha256"] != lp.Files[i].SHA256 {
				t.Errorf("build-package %s: wheel %v, want %s sha256 %s", name, wm, lp.Files[i].Name, lp.Files[i].SHA256)
			}
		}
		for _, p := range pl.Packages {
			if p.Name == name && p.Version == version && f.Package(name) == nil {
				t.Errorf("build-package %s %s is also a [[packages]] entry: an installer would install it", name, version)
			}
		}
	}
}

// TestExportRequirementsSources: the hash-checked lines hold every package
// from an index; the packages from a source follow as pip commands in a
// comment (pip refuses them in hash-checking mode), and the build
// dependencies pip cannot be told to use are listed.
func TestExportRequirementsSources(t *testing.T) {
	f := readTestLock(t, "build.lock")
	f.Package("gitpkg").Marker = "sys_platform == 'linux'"
	data, err := ExportRequirements(f)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	body, comments := splitComments(text)
	for _, want := range []string{"acme-lib==1.0 \\\n    --hash=sha256:" + strings.Repeat("e", 64)} {
		if !strings.Contains(body, want) {
			t.Errorf("requirements lack %q:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"myproject", "gitpkg", "setuptools", "hatchling"} {
		if strings.Contains(body, unwanted) {
			t.Errorf("a requirement line names %s, which pip cannot install in hash-checking mode or must not install:\n%s", unwanted, body)
		}
	}
	for _, want := range []string{
		"#   pip install --no-deps -e .\n",
		"#   pip install --no-deps 'gitpkg @ git+https://git.example/repo.git@" + commit + "#subdirectory=sub'   # where sys_platform == 'linux'\n",
		"#   acme-lib 1.0: acme-build-plugin==1.0, setuptools==69.0.0, tomli==2.0.1 ; python_version < '3.11'\n",
		"#   gitpkg 2.0: setuptools==69.0.0\n",
		"#   myproject 0.1.0: hatchling==1.21.0, packaging==24.0\n",
		"pip cannot hash-check a directory or a VCS checkout",
		"cannot be told to use them",
	} {
		if !strings.Contains(comments, want) {
			t.Errorf("comments lack %q:\n%s", want, comments)
		}
	}
	if strings.Contains(body, "--only-binary :all:") || !strings.Contains(body, "--only-binary") {
		// acme-lib allows its sdist; nothing else is a line.
		t.Logf("%s", body)
	}
}

// splitComments separates a requirements file's lines from its comments.
func splitComments(text string) (body, comments string) {
	var b, c strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(line, "#") {
			c.WriteString(line)
		} else {
			b.WriteString(line)
		}
	}
	return b.String(), c.String()
}

func TestSourceCommand(t *testing.T) {
	tests := []struct {
		p    Package
		want string
	}{
		{Package{Name: "a", Source: &Source{Path: "."}}, "pip install --no-deps ."},
		{Package{Name: "a", Source: &Source{Path: "libs/a", Editable: true}}, "pip install --no-deps -e ./libs/a"},
		{Package{Name: "a", Source: &Source{Path: "../a"}}, "pip install --no-deps ../a"},
		{Package{Name: "a", Source: &Source{Path: "my libs/a"}}, "pip install --no-deps './my libs/a'"},
		{Package{Name: "g", Source: &Source{Git: "https://h/r.git", Commit: commit}}, "pip install --no-deps 'g @ git+https://h/r.git@" + commit + "'"},
		{Package{Name: "g", Source: &Source{Git: "https://h/r.git", Commit: commit, Subdirectory: "s", Editable: true}},
			"pip install --no-deps -e 'git+https://h/r.git@" + commit + "#egg=g&subdirectory=s'"},
	}
	for _, tt := range tests {
		if got := sourceCommand(tt.p); got != tt.want {
			t.Errorf("sourceCommand(%+v) = %q, want %q", *tt.p.Source, got, tt.want)
		}
	}
}

func TestRebaseSources(t *testing.T) {
	root := t.TempDir()
	tests := []struct {
		path, from, to, want string
	}{
		{".", "repo", "repo", "."},
		{".", "repo", "repo/out", ".."},
		{"libs/a", "repo", "elsewhere", "../repo/libs/a"},
		{"../sibling", "repo/sub", "repo", "sibling"},
	}
	for _, tt := range tests {
		f := buildSample()
		f.Package("myproject").Source.Path = tt.path
		shared := f.Package("myproject").Source
		if err := f.RebaseSources(filepath.Join(root, tt.from), filepath.Join(root, tt.to)); err != nil {
			t.Fatal(err)
		}
		if got := f.Package("myproject").Source.Path; got != tt.want {
			t.Errorf("RebaseSources(%q from %s to %s) = %q, want %q", tt.path, tt.from, tt.to, got, tt.want)
		}
		if shared.Path != tt.path {
			t.Errorf("RebaseSources changed a Source another lock may share: %q", shared.Path)
		}
		if got := f.Package("gitpkg").Source; got.Git == "" || got.Path != "" {
			t.Errorf("RebaseSources touched a git source: %+v", got)
		}
		if err := f.Validate(); err != nil {
			t.Errorf("the rebased lock does not validate: %v", err)
		}
	}
}

// TestExportPylockHeader: the header says where paths are relative to and
// that build dependencies are not PEP 751 packages.
func TestExportPylockHeader(t *testing.T) {
	data, err := ExportPylock(readTestLock(t, "build.lock"), exportEnv)
	if err != nil {
		t.Fatal(err)
	}
	header := regexp.MustCompile(`(?m)^#.*$`).FindAllString(string(data), -1)
	joined := strings.Join(header, "\n")
	for _, want := range []string{"[packages.directory] paths are relative to this file's directory", "Build dependencies are not PEP 751 packages", "[[tool.safepip.build-packages]]"} {
		if !strings.Contains(joined, want) {
			t.Errorf("header lacks %q:\n%s", want, joined)
		}
	}
	plain, err := ExportPylock(readTestLock(t, "universal.lock"), exportEnv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(plain), "build-packages") || strings.Contains(string(plain), "packages.directory") {
		t.Errorf("a lock without builds or sources mentions them:\n%s", plain)
	}
}
