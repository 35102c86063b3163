package sarif

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/safepip/safepip/audit"
	"github.com/safepip/safepip/project"
)

// schema compiles the official SARIF 2.1.0 schema in testdata (see
// testdata/README.md for where it comes from).
func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // "uri" and friends are checked, not only annotated
	if err := c.AddResource(Schema, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(Schema)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validate checks log against the schema, through its JSON encoding.
func validate(t *testing.T, s *jsonschema.Schema, log *Log) map[string]any {
	t.Helper()
	data, err := json.Marshal(log)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(doc); err != nil {
		t.Fatalf("log does not validate against the SARIF 2.1.0 schema: %v\n%s", err, data)
	}
	return doc.(map[string]any)
}

// TestSchemaRejectsInvalid proves the validation has teeth: a log
// without its version, or with a level SARIF does not define, fails.
func TestSchemaRejectsInvalid(t *testing.T) {
	s := schema(t)
	for _, bad := range []string{
		`{"runs": []}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {"region": {"startLine": 0}}}]}]}]}`,
	} {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if s.Validate(doc) == nil {
			t.Errorf("schema accepted %s", bad)
		}
	}
}

const lockText = `version = 2
created-by = "safepip 0.1.0"

[[index]]
name = "internal"
url = "https://pypi.internal.example/simple"

[[package]]
name = "Acme_Claimed"
version = "2.0"
index = "internal"

[[package.file]]
name = "acme_claimed-2.0-py3-none-any.whl"
sha256 = "aa"

[package.file.attestation]
publisher = "github:acme/claimed"
name = "not-a-package-name"

[[package]]
name = "requests"
version = "2.32.3"
index = "pypi"

[[package]]
name = 'requests'
version = '1.0'
`

func writeFiles(t *testing.T) Files {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"requirements.txt":       "--extra-index-url https://pypi.internal.example/simple\n-r more/requirements.txt\nacme-shadow>=1\n",
		"more/requirements.txt":  "\n# the second file\nAcme.Unclaimed==1.1\n",
		"safepip.lock":           lockText,
		"has space/requirements": "",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Files{Dir: dir, Requirements: []string{"requirements.txt"}, Lock: "safepip.lock", Read: os.ReadFile}
}

func TestPackageLines(t *testing.T) {
	got := PackageLines([]byte(lockText))
	want := map[string]int{"acme-claimed": 8, "acme-claimed==2.0": 8, "requests": 21, "requests==2.32.3": 21, "requests==1.0": 26}
	if len(got) != len(want) {
		t.Errorf("PackageLines = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("PackageLines[%q] = %d, want %d", k, got[k], v)
		}
	}
}

// TestAudit builds the log of a report with every class, an index error,
// and findings located by each rule of auditLocations, and validates it.
func TestAudit(t *testing.T) {
	files := writeFiles(t)
	rep := &audit.Report{
		Public: audit.IndexReport{Name: "pypi", URL: "https://pypi.org/simple", Public: true},
		Indexes: []audit.IndexReport{
			{Name: "internal", URL: "https://pypi.internal.example/simple", Sources: []string{"requirements.txt:1 (--extra-index-url)"}},
			{Name: "env", URL: "https://env.example/simple", Sources: []string{"PIP_EXTRA_INDEX_URL"}, Error: "GET https://env.example/simple/: 503"},
		},
		Findings: []audit.Finding{
			{Project: "acme-shadow", Class: audit.Shadowed, Index: "internal", Versions: []string{"1.0"}, PublicVersions: []string{"9.9.9"}, Remedy: `pin it now: add "acme-shadow" to packages`},
			{Project: "acme-unclaimed", Class: audit.Unclaimed, Index: "internal", Versions: []string{"1.0", "1.1"}, Remedy: "reserve the name: safepip placeholder acme-unclaimed"},
			{Project: "acme-claimed", Class: audit.Claimed, Index: "internal", Versions: []string{"2.0"}, PublicVersions: []string{"0.1"}},
			{Project: "acme-other", Class: audit.Pinned, Index: "internal", PinnedTo: "internal", Versions: []string{"1", "2", "3", "4"}},
			{Project: "env-only", Class: audit.Unclaimed, Index: "env"},
		},
		Errors: []string{"env: GET https://env.example/simple/: 503"},
	}
	log := Audit(rep, true, "0.1.0", files)
	doc := validate(t, schema(t), log)
	if doc["version"] != "2.1.0" {
		t.Errorf("version = %v", doc["version"])
	}
	run := log.Runs[0]
	if run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].Notifications) != 1 {
		t.Errorf("invocation = %+v, want unsuccessful with the index error", run.Invocations[0])
	}
	if got := run.OriginalURIBaseIDs[srcRoot].URI; got != "file://"+filepath.ToSlash(files.Dir)+"/" {
		t.Errorf("SRCROOT = %q", got)
	}
	want := []struct {
		rule, level, uri string
		line             int
		text             string
	}{
		{"audit/shadowed", "error", "requirements.txt", 3, `acme-shadow is shadowed: private index "internal" serves 1.0; the public index serves 9.9.9. Remedy: pin it now`},
		{"audit/unclaimed", "error", "more/requirements.txt", 3, "public index has no such project. Remedy: reserve the name"},
		{"audit/claimed", "warning", "safepip.lock", 8, "acme-claimed is claimed"},
		{"audit/pinned", "note", "requirements.txt", 1, `4 versions, 1 to 4; the public index has no such project. safepip routes it to "internal".`},
		{"audit/unclaimed", "error", "requirements.txt", 0, "env-only is unclaimed"},
	}
	if len(run.Results) != len(want) {
		t.Fatalf("%d results, want %d", len(run.Results), len(want))
	}
	for i, w := range want {
		r := run.Results[i]
		if r.RuleID != w.rule || r.Level != w.level || run.Tool.Driver.Rules[r.RuleIndex].ID != w.rule {
			t.Errorf("result %d: rule %s (index %d) level %s, want %s %s", i, r.RuleID, r.RuleIndex, r.Level, w.rule, w.level)
		}
		if !strings.Contains(r.Message.Text, w.text) {
			t.Errorf("result %d: message %q lacks %q", i, r.Message.Text, w.text)
		}
		if len(r.Locations) != 1 {
			t.Fatalf("result %d: %d locations", i, len(r.Locations))
		}
		pl := r.Locations[0].PhysicalLocation
		line := 0
		if pl.Region != nil {
			line = pl.Region.StartLine
		}
		if pl.ArtifactLocation.URI != w.uri || pl.ArtifactLocation.URIBaseID != srcRoot || line != w.line {
			t.Errorf("result %d: at %s (%s) line %d, want %s line %d", i, pl.ArtifactLocation.URI, pl.ArtifactLocation.URIBaseID, line, w.uri, w.line)
		}
	}
	// Without --strict an unclaimed name is a warning, as it does not fail
	// the command.
	if lvl := Audit(rep, false, "0.1.0", files).Runs[0].Results[1].Level; lvl != "warning" {
		t.Errorf("unclaimed without strict: level %s, want warning", lvl)
	}
}

// TestVerify builds the log of a failing verify: every finding kind,
// plus one this package has no rule for, and validates it.
func TestVerify(t *testing.T) {
	files := writeFiles(t)
	files.Lock = ""
	res := &project.VerifyResult{LockPath: filepath.Join(files.Dir, "safepip.lock"), Findings: []project.Finding{
		{Kind: project.FindingHashMismatch, Package: "requests", Version: "1.0", File: "requests-1.0.tar.gz", Expected: "sha256:aa", Actual: "sha256:bb", Detail: "the cached bytes differ"},
		{Kind: project.FindingAttestationInvalid, Package: "acme-claimed", Version: "2.0", File: "acme_claimed-2.0-py3-none-any.whl", Detail: "signed by github:evil/claimed"},
		{Kind: project.FindingPublisherPin, Package: "requests", Version: "2.32.3", Detail: "pinned to github:psf/requests"},
		{Kind: project.FindingExtra, Package: "left-over", Version: "0.1", Detail: "installed and not in the lock"},
		{Kind: project.FindingVersionChanged, Package: "Requests", Version: "9.9", Detail: "installed at another version"},
		{Kind: project.FindingSourceMismatch, Package: "requests", Version: "2.32.3", Detail: "installed from file:///elsewhere"},
		{Kind: "brand-new-kind", Package: "requests", Version: "2.32.3", Detail: "something new"},
	}}
	log := Verify(res, "0.1.0", files)
	validate(t, schema(t), log)
	run := log.Runs[0]
	if !run.Invocations[0].ExecutionSuccessful {
		t.Error("a verify with findings still ran to the end: executionSuccessful should be true")
	}
	want := []struct {
		rule string
		line int
		text string
	}{
		{"verify/hash-mismatch", 26, "requests 1.0: requests-1.0.tar.gz: hash-mismatch: the cached bytes differ\n    expected: sha256:aa\n    actual:   sha256:bb\nRemedy: Do not deploy."},
		{"verify/attestation-invalid", 8, "Remedy: Do not deploy. Check the trusted root"},
		{"verify/publisher-pin", 21, "allow-publisher-change"},
		{"verify/extra", 0, "left-over 0.1: extra"},
		{"verify/version-changed", 21, "Remedy: Run `safepip install --frozen`"},
		{"verify/source-mismatch", 21, "Remedy: Run `safepip install --frozen --force-reinstall`"},
		{"verify/other", 21, "brand-new-kind: something new"},
	}
	for i, w := range want {
		r := run.Results[i]
		if r.RuleID != w.rule || r.Level != "error" {
			t.Errorf("result %d: %s %s, want %s error", i, r.RuleID, r.Level, w.rule)
		}
		if !strings.Contains(r.Message.Text, w.text) {
			t.Errorf("result %d: message %q lacks %q", i, r.Message.Text, w.text)
		}
		pl := r.Locations[0].PhysicalLocation
		line := 0
		if pl.Region != nil {
			line = pl.Region.StartLine
		}
		if pl.ArtifactLocation.URI != "safepip.lock" || line != w.line {
			t.Errorf("result %d: at %s:%d, want safepip.lock:%d", i, pl.ArtifactLocation.URI, line, w.line)
		}
	}
	seen := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		if seen[r.ID] || seen[r.Name] {
			t.Errorf("rule %s %s twice", r.ID, r.Name)
		}
		seen[r.ID], seen[r.Name] = true, true
	}
}

func TestArtifactOutsideDir(t *testing.T) {
	l := newLocator(Files{Dir: "/work/p"})
	for in, want := range map[string]ArtifactLocation{
		"requirements.txt":      {URI: "requirements.txt", URIBaseID: srcRoot},
		"/work/p/a b/req#1.txt": {URI: "a%20b/req%231.txt", URIBaseID: srcRoot},
		"/etc/pip.conf":         {URI: "file:///etc/pip.conf"},
		"../other/r.txt":        {URI: "file:///work/other/r.txt"},
	} {
		if got := l.artifact(in); got != want {
			t.Errorf("artifact(%q) = %+v, want %+v", in, got, want)
		}
	}
}
