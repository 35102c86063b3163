package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const fullConfig = `# every key
[[index]]
name = "pypi"
url = "https://pypi.org/simple"
default = true

[[index]]
name = "internal"
url = "https://${INTERNAL_USER}:${INTERNAL_TOKEN}@pypi.internal.example/simple/"
packages = ["torchtriton", "Acme_*", "acme-*"]

[[index]]
name = "wheels"
url = "./wheels"
format = "flat"
packages = ["local-?"]

[policy]
allow-sdist = ["Legacy_Thing", "legacy.thing", "other"]
exclude-newer = "2026-11-01T00:00:00+01:00"
min-release-age = "1w2d3h"
attestations = "require"
require-attestations = ["NumPy", "torch"]
trusted-root = "keys/trusted_root.json"

[policy.publishers]
requests = "github:psf/requests"
Torch_Vision = { publisher = "github:pytorch/vision", workflow = "release.yaml" }
acme-lib = { publisher = "gitlab:acme/libs/acme-lib", workflow = "ci/release.yml" }
google-thing = "google:release@example.iam.gserviceaccount.com"
`

func TestParseFull(t *testing.T) {
	f, err := Parse("proj/safepip.toml", []byte(fullConfig))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Indexes) != 3 {
		t.Fatalf("got %d indexes, want 3", len(f.Indexes))
	}
	pypi, internal, wheels := f.Indexes[0], f.Indexes[1], f.Indexes[2]
	if pypi.Name != "pypi" || !pypi.Default || pypi.Source != "proj/safepip.toml:2" || !pypi.FromFile {
		t.Errorf("pypi = %#v, source %q", pypi, pypi.Source)
	}
	if want := []string{"torchtriton", "acme-*"}; !slices.Equal(internal.Packages, want) {
		t.Errorf("internal packages = %q, want %q (normalized, deduplicated)", internal.Packages, want)
	}
	if internal.Source != "proj/safepip.toml:7" {
		t.Errorf("internal source = %q", internal.Source)
	}
	if wheels.Kind != Flat || !slices.Equal(wheels.Packages, []string{"local-?"}) {
		t.Errorf("wheels = %v kind %v packages %q", wheels, wheels.Kind, wheels.Packages)
	}
	p := f.Policy
	if p.AllowSdist.All || !slices.Equal(p.AllowSdist.Names, []string{"legacy-thing", "other"}) {
		t.Errorf("allow-sdist = %+v", p.AllowSdist)
	}
	if !p.SdistAllowed("Legacy.Thing") || p.SdistAllowed("numpy") {
		t.Errorf("SdistAllowed wrong")
	}
	if want := time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC); !p.ExcludeNewer.Equal(want) {
		t.Errorf("exclude-newer = %v, want %v", p.ExcludeNewer, want)
	}
	if want := (9*24 + 3) * time.Hour; p.MinReleaseAge != want {
		t.Errorf("min-release-age = %v, want %v", p.MinReleaseAge, want)
	}
	if p.Attestations != Require || !p.AttestationRequired("anything") {
		t.Errorf("attestations = %v", p.Attestations)
	}
	if !slices.Equal(p.RequireAttestations, []string{"numpy", "torch"}) {
		t.Errorf("require-attestations = %q", p.RequireAttestations)
	}
	if want := filepath.Join("proj", "keys", "trusted_root.json"); p.TrustedRoot != want {
		t.Errorf("trusted-root = %q, want %q", p.TrustedRoot, want)
	}
	wantPubs := map[string]Publisher{
		"requests":     {Kind: "github", Repository: "psf/requests", Source: "proj/safepip.toml:27"},
		"torch-vision": {Kind: "github", Repository: "pytorch/vision", Workflow: ".github/workflows/release.yaml", Source: "proj/safepip.toml:28"},
		"acme-lib":     {Kind: "gitlab", Repository: "acme/libs/acme-lib", Workflow: "ci/release.yml", Source: "proj/safepip.toml:29"},
		"google-thing": {Kind: "google", Repository: "release@example.iam.gserviceaccount.com", Source: "proj/safepip.toml:30"},
	}
	if len(p.Publishers) != len(wantPubs) {
		t.Errorf("publishers = %v", p.Publishers)
	}
	for n, want := range wantPubs {
		if got := p.Publishers[n]; got != want {
			t.Errorf("publisher %s = %#v, want %#v", n, got, want)
		}
	}
}

func TestParseDefaults(t *testing.T) {
	f, err := Parse("safepip.toml", []byte("[policy]\nexclude-newer = 2026-01-02T03:04:05Z\nallow-sdist = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := f.Policy
	if p.Attestations != Verify || p.AttestationRequired("x") {
		t.Errorf("default attestations = %v, want verify", p.Attestations)
	}
	if !p.AllowSdist.All || !p.SdistAllowed("anything") {
		t.Errorf("allow-sdist = true not read: %+v", p.AllowSdist)
	}
	if want := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC); !p.ExcludeNewer.Equal(want) {
		t.Errorf("TOML date-time exclude-newer = %v", p.ExcludeNewer)
	}
	var empty *File
	if empty, err = Parse("safepip.toml", nil); err != nil || len(empty.Indexes) != 0 {
		t.Errorf("empty file: %v, %v", empty, err)
	}
}

// TestParseErrors checks that every malformed key is reported with the
// file, the line and the key, and says what is allowed.
func TestParseErrors(t *testing.T) {
	idx := "[[index]]\nname = \"pypi\"\nurl = \"https://pypi.org/simple\"\n" // lines 1-3
	tests := []struct {
		name, doc string
		want      []string // substrings of the error, the first is "file:line: key"
	}{
		{"syntax", "[[index]\nname = 1", []string{"safepip.toml:1: "}},
		{"duplicate key", "[policy]\nattestations = \"off\"\nattestations = \"off\"", []string{"safepip.toml:3: "}},
		{"CRLF lines", "[policy]\r\n\r\nattestations = \"x\"\r\n", []string{"safepip.toml:3: policy.attestations: \"x\""}},
		{"dotted key", "policy.attestations = \"x\"", []string{"safepip.toml:1: policy.attestations: \"x\""}},
		{"inline index", "index = [\n  { name = \"a\", url = \"https://a.example/simple\" },\n  { name = \"b\", url = \"https://b.example/simple\", extra = 1 },\n]", []string{"safepip.toml:3: index.extra: unknown key"}},
		{"sub-table of an index", idx + "[index.options]\nx = 1", []string{"safepip.toml:4: index.options: unknown key"}},
		{"unknown top", "\n\nindexes = []", []string{"safepip.toml:3: indexes: unknown key", "[[index]], [policy]"}},
		{"index not tables", "index = 3", []string{"safepip.toml:1: index: is a integer; want [[index]] tables"}},
		{"unknown index key", idx + "pakages = [\"x\"]", []string{"safepip.toml:4: index.pakages: unknown key", indexKeys}},
		{"name type", "[[index]]\nname = 1\nurl = \"https://a.example/simple\"", []string{"safepip.toml:2: index.name: is a integer; want a string"}},
		{"name invalid", "[[index]]\nname = \"my index\"\nurl = \"https://a.example/simple\"", []string{"safepip.toml:2: index.name: \"my index\"", "letters, digits"}},
		{"no name", "[[index]]\nurl = \"https://a.example/simple\"", []string{"safepip.toml:1: index: [[index]] has no name"}},
		{"no url", "[[index]]\nname = \"a\"", []string{"safepip.toml:1: index: [[index]] \"a\" has no url"}},
		{"empty url", "[[index]]\nname = \"a\"\nurl = \" \"", []string{"safepip.toml:3: index.url: empty"}},
		{"default type", idx + "default = \"yes\"", []string{"safepip.toml:4: index.default: is a string; want true or false"}},
		{"format", idx + "format = \"html\"", []string{"safepip.toml:4: index.format: \"html\"", "\"simple\"", "\"flat\""}},
		{"packages type", idx + "packages = \"acme\"", []string{"safepip.toml:4: index.packages: is a string; want a list of strings"}},
		{"packages member type", idx + "packages = [\n\"a\",\n2]", []string{"safepip.toml:6: index.packages: is a integer; want a string"}},
		{"packages empty", idx + "packages = []", []string{"safepip.toml:4: index.packages: empty"}},
		{"packages glob chars", idx + "packages = [\"acme/[ab]\"]", []string{"safepip.toml:4: index.packages: \"acme/[ab]\"", "wildcards"}},
		{"packages everything", idx + "packages = [\"*\"]", []string{"safepip.toml:4: index.packages: \"*\" matches every project", "default"}},
		{"packages empty string", idx + "packages = [\"\"]", []string{"safepip.toml:4: index.packages: empty pattern"}},
		{"two defaults", idx + "default = true\n[[index]]\nname = \"b\"\nurl = \"https://b.example/simple\"\ndefault = true",
			[]string{"safepip.toml:5: index: [[index]] \"b\" is a second default", "\"pypi\" at safepip.toml:1"}},
		{"packages on default", idx + "default = true\npackages = [\"x\"]", []string{"safepip.toml:5: index.packages: [[index]] \"pypi\" is the default"}},
		{"duplicate name", idx + "[[index]]\nname = \"PyPI\"\nurl = \"https://b.example/simple\"", []string{"safepip.toml:5: index.name: [[index]] \"PyPI\" is declared twice (first at safepip.toml:1)"}},
		{"duplicate url", idx + "[[index]]\nname = \"b\"\nurl = \"https://PYPI.org/simple/\"", []string{"safepip.toml:6: index.url: [[index]] \"b\" has the same url as \"pypi\""}},
		{"overlapping pins", "[[index]]\nname = \"a\"\nurl = \"https://a.example/simple\"\npackages = [\"acme-*\"]\n[[index]]\nname = \"b\"\nurl = \"https://b.example/simple\"\npackages = [\"*-triton\"]",
			[]string{"safepip.toml:8: index.packages: \"*-triton\" of [[index]] \"b\" and \"acme-*\" of [[index]] \"a\" (safepip.toml:1) both match projects such as \"acme-triton\""}},
		{"same pin twice", "[[index]]\nname = \"a\"\nurl = \"https://a.example/simple\"\npackages = [\"x\"]\n[[index]]\nname = \"b\"\nurl = \"https://b.example/simple\"\npackages = [\"X\"]",
			[]string{"safepip.toml:8: index.packages: \"x\" of [[index]] \"b\" and \"x\" of [[index]] \"a\""}},
		{"policy not table", "policy = 1", []string{"safepip.toml:1: policy: is a integer; want a [policy] table"}},
		{"unknown policy key", "[policy]\n\nallow-sdists = true", []string{"safepip.toml:3: policy.allow-sdists: unknown key", "allow-sdist, exclude-newer"}},
		{"allow-sdist type", "[policy]\nallow-sdist = \"yes\"", []string{"safepip.toml:2: policy.allow-sdist: is a string; want true, false or a list of project names"}},
		{"allow-sdist name", "[policy]\nallow-sdist = [\"ok\", \"-bad\"]", []string{"safepip.toml:2: policy.allow-sdist: \"-bad\" is not a project name"}},
		{"exclude-newer format", "[policy]\nexclude-newer = \"yesterday\"", []string{"safepip.toml:2: policy.exclude-newer: \"yesterday\": want an RFC 3339 time with a zone"}},
		{"exclude-newer no zone", "[policy]\nexclude-newer = 2026-11-01T00:00:00", []string{"safepip.toml:2: policy.exclude-newer: is a date-time; want an RFC 3339 time with a zone"}},
		{"exclude-newer int", "[policy]\nexclude-newer = 7", []string{"safepip.toml:2: policy.exclude-newer: is a integer"}},
		{"min-release-age unit", "[policy]\nmin-release-age = \"7x\"", []string{"safepip.toml:2: policy.min-release-age: \"7x\": unknown unit \"x\""}},
		{"min-release-age number", "[policy]\nmin-release-age = 7", []string{"safepip.toml:2: policy.min-release-age: is a integer; want a string"}},
		{"min-release-age zero", "[policy]\nmin-release-age = \"0d\"", []string{"safepip.toml:2: policy.min-release-age: \"0d\": must be more than zero"}},
		{"min-release-age huge", "[policy]\nmin-release-age = \"99999999999999999999d\"", []string{"safepip.toml:2: policy.min-release-age: ", "too long"}},
		{"attestations", "[policy]\nattestations = \"strict\"", []string{"safepip.toml:2: policy.attestations: \"strict\": want \"off\", \"verify\"", "\"require\""}},
		{"require-attestations", "[policy]\nrequire-attestations = \"torch\"", []string{"safepip.toml:2: policy.require-attestations: is a string; want a list of strings"}},
		{"trusted-root", "[policy]\ntrusted-root = \"\"", []string{"safepip.toml:2: policy.trusted-root: empty"}},
		{"publishers type", "[policy]\npublishers = [\"a\"]", []string{"safepip.toml:2: policy.publishers: is a list"}},
		{"publisher form", "[policy.publishers]\nrequests = \"psf/requests\"", []string{"safepip.toml:2: policy.publishers.requests: \"psf/requests\": want \"github:OWNER/REPO\""}},
		{"publisher forge", "[policy.publishers]\nrequests = \"bitbucket:psf/requests\"", []string{"safepip.toml:2: policy.publishers.requests: ", "unknown forge \"bitbucket\""}},
		{"publisher github path", "[policy.publishers]\nrequests = \"github:psf/requests/.github/workflows/x.yml\"", []string{"safepip.toml:2: policy.publishers.requests: ", "workflow = \"publish.yml\""}},
		{"publisher workflow", "[policy.publishers]\nrequests = { publisher = \"github:psf/requests\", workflow = \"../x.yml\" }", []string{"safepip.toml:2: policy.publishers.requests: workflow \"../x.yml\""}},
		{"publisher google workflow", "[policy.publishers]\nx = { publisher = \"google:a@b.example\", workflow = \"w.yml\" }", []string{"safepip.toml:2: policy.publishers.x: a Google publisher has no workflow"}},
		{"publisher google email", "[policy.publishers]\nx = \"google:nobody\"", []string{"safepip.toml:2: policy.publishers.x: \"google:nobody\""}},
		{"publisher gitlab", "[policy.publishers]\nx = \"gitlab:solo\"", []string{"safepip.toml:2: policy.publishers.x: \"gitlab:solo\""}},
		{"publisher inline unknown", "[policy.publishers]\nx = { publisher = \"github:a/b\", ref = \"main\" }", []string{"safepip.toml:2: policy.publishers.x.ref: unknown key; allowed here: publisher, workflow"}},
		{"publisher inline missing", "[policy.publishers]\nx = { workflow = \"a.yml\" }", []string{"safepip.toml:2: policy.publishers.x: no publisher"}},
		{"publisher type", "[policy.publishers]\nx = true", []string{"safepip.toml:2: policy.publishers.x: is a boolean"}},
		{"publisher name", "[policy.publishers]\n\"no good\" = \"github:a/b\"", []string{"safepip.toml:2: policy.publishers.no good: \"no good\" is not a project name"}},
		{"publisher twice", "[policy.publishers]\nFoo_Bar = \"github:a/b\"\nfoo-bar = \"github:a/c\"", []string{"is pinned twice (also at safepip.toml:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("safepip.toml", []byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse succeeded, want error %q", tt.want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *config.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestParseReportsAllErrors(t *testing.T) {
	_, err := Parse("safepip.toml", []byte("[policy]\nattestations = \"x\"\nmin-release-age = \"y\"\n"))
	if err == nil || !strings.Contains(err.Error(), "safepip.toml:2: policy.attestations") || !strings.Contains(err.Error(), "safepip.toml:3: policy.min-release-age") {
		t.Errorf("want both errors, got %v", err)
	}
}

func TestParsePyproject(t *testing.T) {
	doc := `[project]
name = "demo"
unrelated = { anything = 1 }

[tool.black]
line-length = 100

[[tool.safepip.index]]
name = "internal"
url = "https://pypi.internal.example/simple"
packages = ["acme-*"]

[tool.safepip.policy]
attestations = "off"
`
	f, err := ParsePyproject("pyproject.toml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Indexes) != 1 || f.Indexes[0].Source != "pyproject.toml:8" || f.Policy.Attestations != Off {
		t.Errorf("got %v, source %q, policy %+v", f.Indexes, f.Indexes[0].Source, f.Policy)
	}
	_, err = ParsePyproject("pyproject.toml", []byte(doc+"unknown = 1\n"))
	if err == nil || !strings.Contains(err.Error(), "pyproject.toml:15: tool.safepip.policy.unknown: unknown key") {
		t.Errorf("error = %v, want the full key", err)
	}
	f, err = ParsePyproject("pyproject.toml", []byte("[project]\nname = \"x\"\n[tool.black]\n"))
	if f != nil || err != nil {
		t.Errorf("no [tool.safepip]: %v, %v; want nil, nil", f, err)
	}
	_, err = ParsePyproject("pyproject.toml", []byte("[tool]\nsafepip = 1\n"))
	if err == nil || !strings.Contains(err.Error(), "pyproject.toml:2: tool.safepip: is a integer") {
		t.Errorf("error = %v", err)
	}
}

func TestLoad(t *testing.T) {
	const st = "[[index]]\nname = \"a\"\nurl = \"https://a.example/simple\"\ndefault = true\n"
	const py = "[tool.safepip.policy]\nattestations = \"off\"\n"
	write := func(t *testing.T, files map[string]string) string {
		dir := t.TempDir()
		for n, s := range files {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o666); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	t.Run("safepip.toml", func(t *testing.T) {
		dir := write(t, map[string]string{"safepip.toml": st, "pyproject.toml": "[project]\nname = \"x\"\n"})
		f, err := Load(dir)
		if err != nil || f == nil || f.Path != filepath.Join(dir, "safepip.toml") || len(f.Indexes) != 1 {
			t.Errorf("Load = %+v, %v", f, err)
		}
	})
	t.Run("pyproject", func(t *testing.T) {
		dir := write(t, map[string]string{"pyproject.toml": py})
		f, err := Load(dir)
		if err != nil || f == nil || f.Policy.Attestations != Off {
			t.Errorf("Load = %+v, %v", f, err)
		}
	})
	t.Run("both", func(t *testing.T) {
		dir := write(t, map[string]string{"safepip.toml": st, "pyproject.toml": py})
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), "safepip.toml: ") || !strings.Contains(err.Error(), "pyproject.toml also has a [tool.safepip] table") {
			t.Errorf("Load = %v, want both files named", err)
		}
	})
	t.Run("neither", func(t *testing.T) {
		f, err := Load(t.TempDir())
		if f != nil || err != nil {
			t.Errorf("Load = %v, %v; want nil, nil", f, err)
		}
	})
	t.Run("LoadFile", func(t *testing.T) {
		dir := write(t, map[string]string{"custom.toml": st, "pyproject.toml": "[project]\n"})
		if f, err := LoadFile(filepath.Join(dir, "custom.toml")); err != nil || len(f.Indexes) != 1 {
			t.Errorf("LoadFile(custom.toml) = %v, %v", f, err)
		}
		if _, err := LoadFile(filepath.Join(dir, "pyproject.toml")); err == nil || !strings.Contains(err.Error(), "tool.safepip: missing") {
			t.Errorf("LoadFile(pyproject without table) = %v", err)
		}
		if _, err := LoadFile(filepath.Join(dir, "nope.toml")); err == nil || !strings.Contains(err.Error(), "nope.toml: no such file") {
			t.Errorf("LoadFile(missing) = %v", err)
		}
	})
}
