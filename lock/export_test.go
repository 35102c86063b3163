package lock

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/wheel"
)

// exportEnv is the environment the export goldens are made in.
func exportEnv(name string) (string, bool) {
	if name == "EXPORT_ROOT" {
		return "/srv/example", true
	}
	return "", false
}

func readExportLock(t *testing.T) *File {
	t.Helper()
	return readTestLock(t, "export.lock")
}

func readTestLock(t *testing.T, name string) *File {
	t.Helper()
	f, err := Read(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestExportGolden(t *testing.T) {
	pylock := func(f *File) ([]byte, error) { return ExportPylock(f, exportEnv) }
	for _, tc := range []struct {
		lock, golden string
		export       func(*File) ([]byte, error)
	}{
		{"export.lock", "export.pylock.toml", pylock},
		{"export.lock", "export.requirements.txt", ExportRequirements},
		{"universal.lock", "universal.pylock.toml", pylock},
		{"universal.lock", "universal.requirements.txt", ExportRequirements},
		{"build.lock", "build.pylock.toml", pylock},
		{"build.lock", "build.requirements.txt", ExportRequirements},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			got, err := tc.export(readTestLock(t, tc.lock))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./lock -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("export differs from %s (go test ./lock -update rewrites it; review the diff):\n%s", golden, got)
			}
		})
	}
}

// TestExportDeterministic shuffles everything without a meaning in its
// order: the exports must not change.
func TestExportDeterministic(t *testing.T) {
	for _, name := range []string{"export.lock", "universal.lock", "build.lock"} {
		t.Run(name, func(t *testing.T) { testExportDeterministic(t, name) })
	}
}

func testExportDeterministic(t *testing.T, name string) {
	a := readTestLock(t, name)
	b := readTestLock(t, name)
	slices.Reverse(b.Packages)
	slices.Reverse(b.BuildPackages)
	slices.Reverse(b.Indexes)
	for _, list := range [][]Package{b.Packages, b.BuildPackages} {
		for i := range list {
			slices.Reverse(list[i].Files)
			slices.Reverse(list[i].Dependencies)
			slices.Reverse(list[i].BuildDependencies)
			slices.Reverse(list[i].RequiredBy)
		}
	}
	pa, errA := ExportPylock(a, exportEnv)
	pb, errB := ExportPylock(b, exportEnv)
	ra, errC := ExportRequirements(a)
	rb, errD := ExportRequirements(b)
	for _, err := range []error{errA, errB, errC, errD} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(pa, pb) {
		t.Errorf("pylock export depends on input order:\n%s\n---\n%s", pa, pb)
	}
	if !bytes.Equal(ra, rb) {
		t.Errorf("requirements export depends on input order:\n%s\n---\n%s", ra, rb)
	}
}

// pylockSchema mirrors the PEP 751 schema for the keys a locker may write;
// decoding with unknown fields disallowed catches a misspelled key, and
// typed fields (a time.Time upload-time, an int64 size) catch a wrong type.
type pylockSchema struct {
	LockVersion      string           `toml:"lock-version"`
	Environments     []string         `toml:"environments"`
	RequiresPython   string           `toml:"requires-python"`
	Extras           []string         `toml:"extras"`
	DependencyGroups []string         `toml:"dependency-groups"`
	DefaultGroups    []string         `toml:"default-groups"`
	CreatedBy        *string          `toml:"created-by"`
	Packages         []pylockPkgCheck `toml:"packages"`
	Tool             map[string]any   `toml:"tool"`
}

type pylockPkgCheck struct {
	Name                  string              `toml:"name"`
	Version               string              `toml:"version"`
	Marker                string              `toml:"marker"`
	RequiresPython        string              `toml:"requires-python"`
	Dependencies          []map[string]any    `toml:"dependencies"`
	VCS                   map[string]any      `toml:"vcs"`
	Directory             map[string]any      `toml:"directory"`
	Archive               *pylockFileCheck    `toml:"archive"`
	Index                 string              `toml:"index"`
	Sdist                 *pylockFileCheck    `toml:"sdist"`
	Wheels                []pylockFileCheck   `toml:"wheels"`
	AttestationIdentities []map[string]string `toml:"attestation-identities"`
	Tool                  map[string]any      `toml:"tool"`
}

type pylockFileCheck struct {
	Name         string            `toml:"name"`
	UploadTime   *time.Time        `toml:"upload-time"`
	URL          string            `toml:"url"`
	Path         string            `toml:"path"`
	Size         *int64            `toml:"size"`
	Hashes       map[string]string `toml:"hashes"`
	Subdirectory string            `toml:"subdirectory"`
}

// name is the file's name: its name key, else the URL's or path's last
// component, as the specification allows.
func (c pylockFileCheck) name() string {
	if c.Name != "" {
		return c.Name
	}
	if c.URL != "" {
		return path.Base(c.URL)
	}
	return path.Base(c.Path)
}

// TestExportPylockRoundTrip parses the export against the schema, checks
// the specification's rules, and finds every locked file, with its hash,
// size and upload time, in it.
func TestExportPylockRoundTrip(t *testing.T) {
	for _, name := range []string{"export.lock", "universal.lock", "build.lock"} {
		t.Run(name, func(t *testing.T) { testExportPylockRoundTrip(t, name) })
	}
}

func testExportPylockRoundTrip(t *testing.T, name string) {
	f := readTestLock(t, name)
	data, err := ExportPylock(f, exportEnv)
	if err != nil {
		t.Fatal(err)
	}
	var pl pylockSchema
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pl); err != nil {
		t.Fatalf("pylock.toml does not decode into the PEP 751 schema: %v\n%s", err, data)
	}
	checkUploadTimesAreDatetimes(t, data)
	if pl.LockVersion != "1.0" {
		t.Errorf("lock-version = %q, want \"1.0\"", pl.LockVersion)
	}
	if pl.CreatedBy == nil || *pl.CreatedBy != "safepip" {
		t.Errorf("created-by = %v, want the tool's normalized name \"safepip\"", pl.CreatedBy)
	}
	if _, err := pep440.ParseSpecifierSet(pl.RequiresPython); err != nil || pl.RequiresPython == "" {
		t.Errorf("requires-python %q: %v", pl.RequiresPython, err)
	}
	if !slices.Equal(pl.Environments, f.Scope.Environments) {
		t.Errorf("environments = %q, want the lock's %q", pl.Environments, f.Scope.Environments)
	}
	for _, m := range pl.Environments {
		if _, err := pep508.ParseMarker(m); err != nil {
			t.Errorf("environments: %q: %v", m, err)
		}
	}
	type fileKey struct{ pkg, name string }
	found := map[fileKey]pylockFileCheck{}
	seenPkg := map[string]bool{}
	seenVersion := map[string]bool{}
	for _, p := range pl.Packages {
		if p.Name != pep508.NormalizeName(p.Name) {
			t.Errorf("package %q: name not normalized", p.Name)
		}
		// A name appears once per locked version, each under its marker.
		written := p.Version
		if p.Version == "" && f.Package(p.Name) != nil { // a source tree: the version is in [packages.tool.safepip]
			p.Version = f.Package(p.Name).Version
		}
		if seenVersion[p.Name+" "+p.Version] {
			t.Errorf("package %s %s listed twice", p.Name, p.Version)
		}
		if seenPkg[p.Name] && p.Marker == "" {
			t.Errorf("package %s listed at several versions, %s without a marker", p.Name, p.Version)
		}
		seenPkg[p.Name] = true
		seenVersion[p.Name+" "+p.Version] = true
		if p.Marker != "" {
			if _, err := pep508.ParseMarker(p.Marker); err != nil {
				t.Errorf("package %s: marker %q: %v", p.Name, p.Marker, err)
			}
		}
		if p.RequiresPython != "" {
			if _, err := pep440.ParseSpecifierSet(p.RequiresPython); err != nil {
				t.Errorf("package %s: requires-python %q: %v", p.Name, p.RequiresPython, err)
			}
		}
		for _, d := range p.Dependencies {
			// Each dependency must name exactly one [[packages]] entry.
			n := 0
			for _, q := range pl.Packages {
				if q.Name == d["name"] && (d["version"] == nil || q.Version == d["version"]) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("package %s: dependency %v names %d [[packages]] entries, want exactly one", p.Name, d, n)
			}
		}
		// vcs, directory and archive exclude each other and sdist/wheels.
		sources := 0
		for _, set := range []bool{p.Archive != nil, p.VCS != nil, p.Directory != nil, p.Sdist != nil || len(p.Wheels) > 0} {
			if set {
				sources++
			}
		}
		if sources != 1 {
			t.Errorf("package %s: %d of archive, vcs, directory, sdist/wheels; want exactly one", p.Name, sources)
		}
		if (p.VCS != nil || p.Directory != nil) && (written != "" || p.Index != "") {
			t.Errorf("package %s: a source tree with version %q or index %q (PEP 751: no version for a source tree)", p.Name, written, p.Index)
		}
		checkSourceTree(t, p, f)
		if p.Archive == nil && p.VCS == nil && p.Directory == nil && p.Index == "" {
			t.Errorf("package %s: no index", p.Name)
		}
		for _, id := range p.AttestationIdentities {
			if id["kind"] == "" {
				t.Errorf("package %s: attestation identity %v lacks its kind", p.Name, id)
			}
		}
		check := func(kind string, c pylockFileCheck) {
			if c.URL == "" && c.Path == "" {
				t.Errorf("package %s: %s %s has neither url nor path", p.Name, kind, c.name())
			}
			if strings.Contains(c.URL, "${") {
				t.Errorf("package %s: %s url %q still holds a variable", p.Name, kind, c.URL)
			}
			if len(c.Hashes) == 0 {
				t.Errorf("package %s: %s %s has no hashes", p.Name, kind, c.name())
			}
			switch kind {
			case "wheel":
				if _, err := wheel.ParseWheel(c.name()); err != nil {
					t.Errorf("package %s: %v", p.Name, err)
				}
			case "sdist":
				if _, err := wheel.ParseSdist(c.name()); err != nil {
					t.Errorf("package %s: %v", p.Name, err)
				}
			}
			found[fileKey{p.Name + " " + p.Version, c.name()}] = c
		}
		for _, w := range p.Wheels {
			check("wheel", w)
		}
		if p.Sdist != nil {
			check("sdist", *p.Sdist)
		}
		if p.Archive != nil {
			check("archive", *p.Archive)
		}
	}
	checkBuildPackages(t, pl, f)
	n := 0
	for _, p := range f.Packages {
		if !seenPkg[p.Name] {
			t.Errorf("package %s is not in the pylock", p.Name)
		}
		for _, d := range p.Files {
			n++
			c, ok := found[fileKey{p.Name + " " + p.Version, d.Name}]
			if !ok {
				t.Errorf("%s: file %s is not in the pylock", p.Name, d.Name)
				continue
			}
			if c.Hashes["sha256"] != d.SHA256 {
				t.Errorf("%s: %s: sha256 = %q, want %q", p.Name, d.Name, c.Hashes["sha256"], d.SHA256)
			}
			if d.Size != 0 && (c.Size == nil || *c.Size != d.Size) {
				t.Errorf("%s: %s: size = %v, want %d", p.Name, d.Name, c.Size, d.Size)
			}
			if d.UploadTime != "" {
				want, _ := time.Parse(time.RFC3339Nano, d.UploadTime)
				if c.UploadTime == nil || !c.UploadTime.Equal(want) {
					t.Errorf("%s: %s: upload-time = %v, want %v", p.Name, d.Name, c.UploadTime, want)
				}
			}
		}
	}
	if n != len(found) {
		t.Errorf("the pylock has %d files, the lock %d", len(found), n)
	}
	t.Logf("round-tripped %d packages and %d files through the PEP 751 schema", len(pl.Packages), n)
}

func TestExportPylockVariables(t *testing.T) {
	for _, tc := range []struct {
		name   string
		getenv func(string) (string, bool)
		want   string // in the error; "" for success
	}{
		{"unset", func(string) (string, bool) { return "", false }, "${EXPORT_ROOT} is not set"},
		{"nil getenv", nil, "${EXPORT_ROOT} is not set"},
		{"empty", func(string) (string, bool) { return "", true }, "${EXPORT_ROOT} is not set"},
		{"credentials", func(string) (string, bool) { return "user:s3cret@host/x", true }, "credentials"},
		{"set", exportEnv, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ExportPylock(readExportLock(t), tc.getenv)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("ExportPylock: %v", err)
			case tc.want == "":
				if !bytes.Contains(out, []byte("file:///srv/example/private/files/acme_triton-1.0-py3-none-any.whl")) {
					t.Errorf("the variable is not expanded:\n%s", out)
				}
			case err == nil:
				t.Fatalf("ExportPylock succeeded, want an error with %q", tc.want)
			case !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %q does not say %q", err, tc.want)
			case strings.Contains(err.Error(), "s3cret"):
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}

// TestExportRequirementsHashes reads the requirements export back: one
// pinned line per package, and every file's hash under its package.
func TestExportRequirementsHashes(t *testing.T) {
	f := readExportLock(t)
	data, err := ExportRequirements(f)
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[string][]string{} // requirement -> hashes
	var current string
	onlyBinary := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\\"))
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "--only-binary "):
			onlyBinary = strings.TrimPrefix(line, "--only-binary ")
		case strings.HasPrefix(line, "--hash=sha256:"):
			hashes[current] = append(hashes[current], strings.TrimPrefix(line, "--hash=sha256:"))
		default:
			req, err := pep508.ParseRequirement(line)
			if err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			current = req.Name
			if req.URL == "" && !strings.Contains(line, "==") {
				t.Errorf("line %q is not pinned with ==", line)
			}
		}
	}
	for _, p := range f.Packages {
		got := hashes[p.Name]
		for _, d := range p.Files {
			if !slices.Contains(got, d.SHA256) {
				t.Errorf("%s: hash of %s missing (have %v)", p.Name, d.Name, got)
			}
		}
		if wheelsOnly := slices.Contains(strings.Split(onlyBinary, ","), p.Name); wheelsOnly == p.AllowSdist {
			t.Errorf("%s: in --only-binary = %v, allow-sdist = %v", p.Name, wheelsOnly, p.AllowSdist)
		}
	}
	if len(hashes) != len(f.Packages) {
		t.Errorf("%d requirements, %d locked packages", len(hashes), len(f.Packages))
	}
}

// checkUploadTimesAreDatetimes decodes data without a schema: every
// upload-time must be a TOML offset datetime in UTC, never a string, which
// a typed decode would accept through time.Time's text unmarshalling.
func checkUploadTimesAreDatetimes(t *testing.T, data []byte) {
	t.Helper()
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	pkgs, _ := doc["packages"].([]any)
	n := 0
	for _, p := range pkgs {
		pkg, _ := p.(map[string]any)
		var files []any
		if ws, ok := pkg["wheels"].([]any); ok {
			files = append(files, ws...)
		}
		for _, k := range []string{"sdist", "archive"} {
			if x, ok := pkg[k]; ok {
				files = append(files, x)
			}
		}
		for _, x := range files {
			file, _ := x.(map[string]any)
			v, ok := file["upload-time"]
			if !ok {
				continue
			}
			n++
			tm, ok := v.(time.Time)
			if !ok {
				t.Errorf("%v: upload-time %v is a %T, want a TOML datetime", file["name"], v, v)
			} else if _, off := tm.Zone(); off != 0 {
				t.Errorf("%v: upload-time %v is not in UTC", file["name"], tm)
			}
		}
	}
	if n == 0 {
		t.Errorf("no upload-time in the export; the test input should have some")
	}
}

// FuzzExport feeds any lock that parses to both exports: they never panic,
// and a pylock that is written decodes as TOML.
func FuzzExport(f *testing.F) {
	for _, name := range []string{"export.lock", "sample.lock", "universal.lock", "v1.lock", "build.lock"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := Parse("fuzz.lock", data)
		if err != nil {
			return
		}
		out, err := ExportPylock(lf, func(name string) (string, bool) { return "/v/" + name, true })
		if err == nil {
			var doc map[string]any
			if err := toml.Unmarshal(out, &doc); err != nil {
				t.Errorf("pylock export is not TOML: %v\n%s", err, out)
			}
		}
		_, _ = ExportRequirements(lf)
	})
}

// TestExpandVars: the one expander of a lock's ${VAR} references, for
// install, verify and export alike.
func TestExpandVars(t *testing.T) {
	env := map[string]string{"ROOT": "/srv", "repo_root": "/home/ci/repo", "EMPTY": ""}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct{ in, want, err string }{
		{"file://${ROOT}/simple", "file:///srv/simple", ""},
		{"file://${repo_root}/index", "file:///home/ci/repo/index", ""}, // safepip.toml allows lower case
		{"file://${EMPTY}/x", "file:///x", ""},                          // set, if empty (export refuses it)
		{"https://h/${1X}/${ok", "https://h/${1X}/${ok", ""},            // not references: kept
		{"${A}/${ROOT}/${B}", "", "${A}, ${B} is not set"},
	} {
		got, err := ExpandVars(tc.in, getenv)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ExpandVars(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ExpandVars(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := ExpandVars("${ROOT}", nil); err == nil {
		t.Error("a nil getenv expanded a reference")
	}
	if _, err := expandURL("file://${repo_root}/index", getenv); err != nil {
		t.Errorf("export refuses a lower-case name the lock may hold: %v", err)
	}
}
