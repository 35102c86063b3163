package lock

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/wheel"
)

// This file turns a lock into the formats other tools read: a PEP 751
// pylock.toml and a hashed requirements.txt for plain pip. Both are pure
// functions of the lock (and, for pylock, of the ${VAR} values), so that
// exporting twice gives the same bytes.

// pylockDoc is a PEP 751 pylock.toml, as ExportPylock writes it. Fields
// are in the order the specification lists them; only what a safepip lock
// knows is present (no extras or groups).
type pylockDoc struct {
	LockVersion    string          `toml:"lock-version"`
	Environments   []string        `toml:"environments,multiline,omitempty"`
	RequiresPython string          `toml:"requires-python,omitempty"`
	CreatedBy      string          `toml:"created-by"`
	Packages       []pylockPackage `toml:"packages"`
	Tool           pylockTool      `toml:"tool"`
}

// pylockTool is the [tool] table of a pylock.toml.
type pylockTool struct {
	Safepip safepipTool `toml:"safepip"`
}

// safepipTool is [tool.safepip]: what the lock was made by and for, which
// PEP 751 has no keys for. Installers must not depend on it.
type safepipTool struct {
	CreatedBy            string   `toml:"created-by"`
	Inputs               string   `toml:"inputs"`
	Python               string   `toml:"python,omitempty"`
	Implementation       string   `toml:"implementation,omitempty"`
	Platform             string   `toml:"platform,omitempty"`
	RequiredEnvironments []string `toml:"required-environments,multiline,omitempty"`
	Forks                []string `toml:"forks,multiline,omitempty"`
	ExcludeNewer         string   `toml:"exclude-newer,omitempty"`
	// BuildPackages are the lock's [[build-package]] entries: what the
	// builds of the packages with build-dependencies need. They are not
	// PEP 751 packages (an installer must not install them into the
	// environment), so they live here rather than being dropped.
	BuildPackages []pylockBuildPackage `toml:"build-packages,omitempty"`
}

// pylockBuildPackage is one [[tool.safepip.build-packages]] entry.
type pylockBuildPackage struct {
	Name         string             `toml:"name"`
	Version      string             `toml:"version"`
	Dependencies []pylockDependency `toml:"dependencies,omitempty,inline"`
	Index        string             `toml:"index,omitempty"`
	Wheels       []pylockFile       `toml:"wheels"`
	RequiredBy   []string           `toml:"required-by"`
}

// pylockPackageTool is [packages.tool.safepip]: what PEP 751 has no key
// for in a package.
type pylockPackageTool struct {
	Safepip pylockPackageSafepip `toml:"safepip"`
}

type pylockPackageSafepip struct {
	// Version is the version locked from a source tree: PEP 751 forbids
	// packages.version there, as the tree may change.
	Version string `toml:"version,omitempty"`
	// BuildDependencies reference [[tool.safepip.build-packages]] entries
	// ("name==version ; marker"), as the lock's build-dependencies.
	BuildDependencies []string `toml:"build-dependencies,multiline,omitempty"`
}

// pylockVCS is [packages.vcs]: a commit of a repository.
type pylockVCS struct {
	Type         string `toml:"type"`
	URL          string `toml:"url"`
	CommitID     string `toml:"commit-id"`
	Subdirectory string `toml:"subdirectory,omitempty"`
}

// pylockDirectory is [packages.directory]: a local source tree, its path
// relative to the pylock.toml.
type pylockDirectory struct {
	Path     string `toml:"path"`
	Editable bool   `toml:"editable,omitempty"`
}

// pylockPackage is one [[packages]] entry of a pylock.toml.
type pylockPackage struct {
	Name                  string              `toml:"name"`
	Version               string              `toml:"version,omitempty"`
	Marker                string              `toml:"marker,omitempty"`
	RequiresPython        string              `toml:"requires-python,omitempty"`
	Dependencies          []pylockDependency  `toml:"dependencies,omitempty,inline"`
	VCS                   *pylockVCS          `toml:"vcs,omitempty"`
	Directory             *pylockDirectory    `toml:"directory,omitempty"`
	Index                 string              `toml:"index,omitempty"`
	Archive               *pylockFile         `toml:"archive,omitempty"`
	Sdist                 *pylockFile         `toml:"sdist,omitempty"`
	Wheels                []pylockFile        `toml:"wheels,omitempty"`
	AttestationIdentities []map[string]string `toml:"attestation-identities,omitempty"`
	Tool                  *pylockPackageTool  `toml:"tool,omitempty"`
}

// pylockDependency names another [[packages]] entry; with its version
// when the lock holds that name at several versions.
type pylockDependency struct {
	Name    string `toml:"name"`
	Version string `toml:"version,omitempty"`
}

// pylockFile is a [packages.sdist], [[packages.wheels]] or
// [packages.archive] table.
type pylockFile struct {
	Name       string            `toml:"name,omitempty"`
	UploadTime time.Time         `toml:"upload-time,omitempty"`
	URL        string            `toml:"url,omitempty"`
	Size       int64             `toml:"size,omitempty"`
	Hashes     map[string]string `toml:"hashes,inline"`
}

// ExportPylock returns f as a PEP 751 pylock.toml. URLs in the lock may
// hold ${VAR} references (a bundled example's file:// paths, a private
// host); a pylock.toml is read by tools that do not expand them, so getenv
// supplies their values here, and an unset variable is an error naming it.
// A value that puts credentials into a URL is refused: no lock holds them.
//
// The lock's scope becomes the top-level environments and requires-python
// (a lock narrowed to one Python version pins it, "==3.11.*"), and each
// package keeps its marker, so that a PEP 751 installer selects what
// `safepip install` selects: the packages whose markers hold, one version
// of each name. The narrowing to a platform or an interpreter build has no
// PEP 751 key and is recorded in [tool.safepip]. Every file of every
// package is listed with its sha256, size and upload time when the lock
// knows them; packages from a direct URL become [packages.archive]. f is
// normalized first (sorted), so equal locks give equal bytes.
//
// A package from a source becomes [packages.directory] (its path relative
// to the lock's directory: write the pylock.toml beside the lock, or
// RebaseSources first) or [packages.vcs], without packages.version (PEP
// 751 forbids it for a source tree; [packages.tool.safepip] keeps it).
// Build dependencies are not PEP 751 packages: an installer would install
// them into the environment. They are written as
// [[tool.safepip.build-packages]], with their wheels and hashes, each
// built package's references in [packages.tool.safepip], and the header
// says that a PEP 751 installer does not use them.
func ExportPylock(f *File, getenv func(string) (string, bool)) ([]byte, error) {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return nil, err
	}
	indexURL := map[string]string{}
	for _, ix := range f.Indexes {
		u, err := expandURL(ix.URL, getenv)
		if err != nil {
			return nil, fmt.Errorf("index %q: %w", ix.Name, err)
		}
		indexURL[ix.Name] = u
	}
	out := pylockDoc{
		LockVersion:    "1.0",
		Environments:   f.Scope.Environments,
		RequiresPython: f.Scope.RequiresPython,
		CreatedBy:      createdByTool(f.CreatedBy),
		Packages:       []pylockPackage{},
	}
	if f.Scope.Python != "" {
		out.RequiresPython = pythonPin(f.Scope.Python)
	}
	versions := map[string][]string{}
	for _, p := range f.Packages {
		versions[p.Name] = append(versions[p.Name], p.Version)
	}
	buildVersions := map[string][]string{}
	for _, p := range f.BuildPackages {
		buildVersions[p.Name] = append(buildVersions[p.Name], p.Version)
	}
	for _, p := range f.Packages {
		pp, err := exportPackage(p, indexURL[p.Index], versions, getenv)
		if err != nil {
			return nil, fmt.Errorf("package %s %s: %w", p.Name, p.Version, err)
		}
		out.Packages = append(out.Packages, pp)
	}
	out.Tool.Safepip = safepipTool{
		CreatedBy:            f.CreatedBy,
		Inputs:               f.Inputs,
		Python:               f.Scope.Python,
		Implementation:       f.Scope.Implementation,
		Platform:             f.Scope.Platform,
		RequiredEnvironments: f.Scope.RequiredEnvironments,
		Forks:                f.Scope.Forks,
		ExcludeNewer:         f.Policy.ExcludeNewer,
	}
	for _, p := range f.BuildPackages {
		bp := pylockBuildPackage{Name: p.Name, Version: p.Version, Index: indexURL[p.Index], RequiredBy: p.RequiredBy, Dependencies: dependencyRefs(p.Dependencies, buildVersions)}
		for _, d := range p.Files {
			pf, err := exportFile(d, getenv)
			if err != nil {
				return nil, fmt.Errorf("build-package %s %s: %w", p.Name, p.Version, err)
			}
			bp.Wheels = append(bp.Wheels, pf)
		}
		out.Tool.Safepip.BuildPackages = append(out.Tool.Safepip.BuildPackages, bp)
	}
	var buf bytes.Buffer
	buf.WriteString("# Exported from safepip.lock by `safepip export --format pylock`; regenerate it, do not edit it.\n")
	if slices.ContainsFunc(f.Packages, func(p Package) bool { return p.Source != nil }) {
		buf.WriteString("# [packages.directory] paths are relative to this file's directory.\n")
	}
	if len(f.BuildPackages) > 0 {
		buf.WriteString("# Build dependencies are not PEP 751 packages: they are [[tool.safepip.build-packages]],\n" +
			"# which a PEP 751 installer does not use; `safepip install` builds with exactly them.\n")
	}
	enc := toml.NewEncoder(&buf)
	enc.SetIndentTables(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// exportPackage writes one [[packages]] entry. versions lists the locked
// versions of every name, so that a dependency on a name locked at several
// versions (under disjoint markers) names each of them.
func exportPackage(p Package, index string, versions map[string][]string, getenv func(string) (string, bool)) (pylockPackage, error) {
	pp := pylockPackage{
		Name:           p.Name,
		Version:        p.Version,
		Marker:         p.Marker,
		RequiresPython: p.RequiresPython,
		Index:          index,
		Dependencies:   dependencyRefs(p.Dependencies, versions),
	}
	var tool pylockPackageSafepip
	switch s := p.Source; {
	case s == nil:
	case s.Path != "":
		pp.Directory = &pylockDirectory{Path: s.Path, Editable: s.Editable}
	default:
		u, err := expandURL(s.Git, getenv)
		if err != nil {
			return pp, fmt.Errorf("source git: %w", err)
		}
		pp.VCS = &pylockVCS{Type: "git", URL: u, CommitID: s.Commit, Subdirectory: s.Subdirectory}
	}
	if p.Source != nil {
		pp.Version, tool.Version = "", p.Version
	}
	tool.BuildDependencies = p.BuildDependencies
	if tool.Version != "" || len(tool.BuildDependencies) > 0 {
		pp.Tool = &pylockPackageTool{Safepip: tool}
	}
	ids := map[string]bool{}
	for _, d := range p.Files {
		pf, err := exportFile(d, getenv)
		if err != nil {
			return pp, err
		}
		switch {
		case p.URL != "":
			if pp.Archive != nil {
				return pp, fmt.Errorf("a direct URL package has more than one file (%s, %s)", pp.Archive.Name, d.Name)
			}
			pp.Archive = &pf
		case strings.HasSuffix(d.Name, ".whl"):
			pp.Wheels = append(pp.Wheels, pf)
		default:
			if _, err := wheel.ParseSdist(d.Name); err != nil {
				return pp, fmt.Errorf("file %s is neither a wheel nor an sdist", d.Name)
			}
			if pp.Sdist != nil {
				return pp, fmt.Errorf("two sdists, %s and %s; PEP 751 records one", pp.Sdist.Name, d.Name)
			}
			pp.Sdist = &pf
		}
		if d.Attestation != nil {
			id := attestationIdentity(*d.Attestation)
			if key := fmt.Sprint(id); !ids[key] {
				ids[key] = true
				pp.AttestationIdentities = append(pp.AttestationIdentities, id)
			}
		}
	}
	return pp, nil
}

// dependencyRefs names the [[packages]] entries of deps; with each
// version when the lock holds that name at several versions.
func dependencyRefs(deps []string, versions map[string][]string) []pylockDependency {
	var out []pylockDependency
	for _, d := range deps {
		if vs := versions[d]; len(vs) > 1 {
			for _, v := range vs {
				out = append(out, pylockDependency{Name: d, Version: v})
			}
			continue
		}
		out = append(out, pylockDependency{Name: d})
	}
	return out
}

func exportFile(d Dist, getenv func(string) (string, bool)) (pylockFile, error) {
	u, err := expandURL(d.URL, getenv)
	if err != nil {
		return pylockFile{}, fmt.Errorf("file %s: %w", d.Name, err)
	}
	pf := pylockFile{Name: d.Name, URL: u, Size: d.Size, Hashes: map[string]string{"sha256": d.SHA256}}
	if d.UploadTime != "" {
		t, err := time.Parse(time.RFC3339Nano, d.UploadTime)
		if err != nil {
			return pylockFile{}, fmt.Errorf("file %s: upload-time %q is not an RFC 3339 time", d.Name, d.UploadTime)
		}
		t = t.UTC()
		pf.UploadTime = t
	}
	return pf, nil
}

// attestationIdentity writes a lock attestation as PEP 751 asks: the PEP
// 740 publisher's keys as the index serves them ("GitHub" with repository
// and workflow file name, "GitLab" with workflow_filepath, "Google" with
// email).
func attestationIdentity(a Attestation) map[string]string {
	kind, subject, _ := strings.Cut(a.Publisher, ":")
	switch kind {
	case "github":
		id := map[string]string{"kind": "GitHub", "repository": subject}
		if a.Workflow != "" {
			id["workflow"] = path.Base(a.Workflow)
		}
		return id
	case "gitlab":
		id := map[string]string{"kind": "GitLab", "repository": subject}
		if a.Workflow != "" {
			id["workflow_filepath"] = a.Workflow
		}
		return id
	case "google":
		return map[string]string{"kind": "Google", "email": subject}
	}
	return map[string]string{"kind": a.Publisher, "identity": a.Identity}
}

// pythonPin is the requires-python of a lock resolved for python, such as
// "==3.11.*" for "3.11" or "3.11.7": markers were evaluated for that minor
// version, so another one may need another resolution.
func pythonPin(python string) string {
	parts := strings.Split(python, ".")
	if len(parts) < 2 {
		return ""
	}
	return "==" + parts[0] + "." + parts[1] + ".*"
}

// createdByTool is the tool's name, as PEP 751 asks ("safepip"), from the
// lock's "safepip 0.1.0"; the version goes to [tool.safepip].
func createdByTool(createdBy string) string {
	name, _, _ := strings.Cut(createdBy, " ")
	if name == "" {
		return "safepip"
	}
	return name
}

// ExportRequirements returns f as a hashed requirements file for plain pip:
// "name==version ; marker" (or "name @ url ; marker") with a --hash for
// every file, so that `pip install --no-deps --require-hashes -r FILE`
// installs exactly the lock's selection for the environment pip runs in
// (pip skips the lines whose marker does not hold, so of a name locked at
// several versions one line applies). The header names the lock's scope,
// which pip cannot check. ${VAR} references in direct URLs are left as
// written: pip expands them in requirements files itself.
//
// pip does not hash-check an sdist's build dependencies, so the file also
// says --only-binary for every package the lock serves from a wheel; a
// package whose lock entry allows an sdist may still build from one.
//
// pip refuses a directory or a VCS requirement in hash-checking mode
// (there is no one file to hash), so the packages from a source cannot be
// lines of this file: a closing comment gives the pip commands that
// install them after it ("-e ./path", "./path", "name @
// git+URL@COMMIT#subdirectory=..."; paths relative to the lock's
// directory, or as RebaseSources made them). A last comment lists the
// build dependencies the lock pins for every package pip would build,
// which pip, building in isolation from its indexes, cannot be told to
// use.
func ExportRequirements(f *File) ([]byte, error) {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("# Exported from safepip.lock by `safepip export --format requirements`; regenerate it, do not edit it.\n")
	fmt.Fprintf(&b, "# For %s. Install with:\n", f.Scope.Describe())
	b.WriteString("#   pip install --no-deps --require-hashes -r THIS_FILE\n")
	var binary, names []string
	for _, p := range f.Packages {
		if p.Source != nil {
			continue
		}
		names = append(names, p.Name)
		if !p.AllowSdist {
			binary = append(binary, p.Name)
		}
	}
	// A name locked at several versions may allow an sdist for one only:
	// --only-binary applies to a name, so it names those wheels-only in all.
	names = slices.Compact(names)
	binary = slices.DeleteFunc(slices.Compact(binary), func(n string) bool {
		return slices.ContainsFunc(f.Versions(n), func(p *Package) bool { return p.AllowSdist })
	})
	switch {
	case len(binary) == len(names) && len(binary) > 0:
		b.WriteString("--only-binary :all:\n")
	case len(binary) > 0:
		b.WriteString("--only-binary " + strings.Join(binary, ",") + "\n")
	}
	var sources, builds []string
	for _, p := range f.Packages {
		if p.Marker != "" {
			if _, err := pep508.ParseMarker(p.Marker); err != nil {
				return nil, fmt.Errorf("package %s %s: marker %q: %w", p.Name, p.Version, p.Marker, err)
			}
		}
		if len(p.BuildDependencies) > 0 {
			builds = append(builds, p.Name+" "+p.Version+": "+strings.Join(p.BuildDependencies, ", "))
		}
		if p.Source != nil {
			sources = append(sources, sourceCommand(p))
			continue
		}
		req := p.Name + "==" + p.Version
		if p.URL != "" {
			req = p.Name + " @ " + p.URL
		}
		if p.Marker != "" {
			req += " ; " + p.Marker
		}
		b.WriteString(req)
		seen := map[string]bool{}
		for _, d := range p.Files {
			if seen[d.SHA256] {
				continue
			}
			seen[d.SHA256] = true
			b.WriteString(" \\\n    --hash=sha256:" + d.SHA256)
		}
		b.WriteString("\n")
	}
	if len(sources) > 0 {
		b.WriteString("\n# Locked from a source tree: pip cannot hash-check a directory or a VCS checkout,\n" +
			"# so these cannot be lines of this file. Install them after it, from this file's directory:\n")
		for _, s := range sources {
			b.WriteString("#   " + s + "\n")
		}
	}
	if len(builds) > 0 {
		b.WriteString("\n# Build dependencies safepip locks (by hash, in [[build-package]]) for what is built;\n" +
			"# pip builds in isolation from its indexes and cannot be told to use them\n" +
			"# (`safepip install` builds with exactly these):\n")
		for _, s := range builds {
			b.WriteString("#   " + s + "\n")
		}
	}
	return []byte(b.String()), nil
}

// sourceCommand is the pip command that installs p from its source:
// "-e ./path" or "./path"; "name @ git+URL@COMMIT#subdirectory=sub", or
// for an editable checkout pip's "-e git+URL@COMMIT#egg=name&subdirectory=sub".
func sourceCommand(p Package) string {
	s := p.Source
	var req string
	switch {
	case s.Path != "":
		req = s.Path
		if req != "." && req != ".." && !strings.HasPrefix(req, "../") {
			req = "./" + req
		}
	case s.Editable:
		req = "git+" + s.Git + "@" + s.Commit + "#egg=" + p.Name
		if s.Subdirectory != "" {
			req += "&subdirectory=" + s.Subdirectory
		}
	default:
		req = p.Name + " @ git+" + s.Git + "@" + s.Commit
		if s.Subdirectory != "" {
			req += "#subdirectory=" + s.Subdirectory
		}
	}
	if strings.ContainsAny(req, " ;#&") {
		req = "'" + req + "'"
	}
	if s.Editable {
		req = "-e " + req
	}
	cmd := "pip install --no-deps " + req
	if p.Marker != "" {
		cmd += "   # where " + p.Marker
	}
	return cmd
}

// expandURL replaces the ${NAME} references of u with their values
// (ExpandVars), and refuses a result that carries credentials. An empty
// value counts as unset: it would turn a path into another, valid-looking
// one.
func expandURL(u string, getenv func(string) (string, bool)) (string, error) {
	out, err := ExpandVars(u, func(name string) (string, bool) {
		if getenv == nil {
			return "", false
		}
		v, ok := getenv(name)
		return v, ok && v != ""
	})
	if err != nil {
		return "", fmt.Errorf("url %s: %w; set it to the value it had when locking (pylock.toml holds expanded URLs)", u, err)
	}
	if hasCredentials(out) {
		return "", fmt.Errorf("url %s: expanding it gives a URL with credentials; pylock.toml never holds them, so use ~/.netrc or a keyring for the host", u)
	}
	return out, nil
}

// ExpandVars replaces each ${NAME} reference in s, as a lock records the
// ${VAR}s of its indexes' URLs (NAME: letters, digits and "_", not
// starting with a digit, as safepip.toml allows), with getenv(NAME).
// Text that is not such a reference stays as it is. Every name getenv
// does not know is reported, in one error; a nil getenv knows none.
func ExpandVars(s string, getenv func(string) (string, bool)) (string, error) {
	if getenv == nil {
		getenv = func(string) (string, bool) { return "", false }
	}
	var b strings.Builder
	var missing []string
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 || !isVarName(rest[i+2:i+end]) {
			b.WriteString(rest[:i+2])
			rest = rest[i+2:]
			continue
		}
		name := rest[i+2 : i+end]
		if v, ok := getenv(name); ok {
			b.WriteString(rest[:i])
			b.WriteString(v)
		} else {
			b.WriteString(rest[:i])
			missing = append(missing, name)
		}
		rest = rest[i+end+1:]
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("${%s} is not set", strings.Join(missing, "}, ${"))
	}
	return b.String(), nil
}

func isVarName(s string) bool {
	if s == "" || '0' <= s[0] && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
