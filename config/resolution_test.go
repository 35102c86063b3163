package config

import (
	"strings"
	"testing"

	"github.com/safepip/safepip/pypa/pep508"
)

func TestResolution(t *testing.T) {
	const text = `[policy]
allow-sdist = false

[resolution]
requires-python = ">=3.10"
environments = ["sys_platform == 'linux'", "sys_platform == \"darwin\" and platform_machine == 'arm64'"]
required-environments = ["sys_platform == 'linux' and platform_machine == 'x86_64'"]
`
	f, err := Parse("safepip.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	r := f.Resolution
	if got := r.RequiresPython.String(); got != ">=3.10" {
		t.Errorf("requires-python = %q, want >=3.10", got)
	}
	if len(r.Environments) != 2 || len(r.RequiredEnvironments) != 1 {
		t.Fatalf("environments %v, required %v: want 2 and 1", r.Environments, r.RequiredEnvironments)
	}
	want := pep508.MustParseMarkerSet("sys_platform == 'darwin' and platform_machine == 'arm64'")
	if !r.Environments[1].Equal(want) {
		t.Errorf("environments[1] = %q, want %q", r.Environments[1], want)
	}
	if r.Source != "safepip.toml:4" {
		t.Errorf("Source = %q, want safepip.toml:4", r.Source)
	}
	// the same table spelled differently digests the same
	g, err := Parse("safepip.toml", []byte(strings.NewReplacer(`">=3.10"`, `">= 3.10"`, `"sys_platform == \"darwin\" and platform_machine == 'arm64'"`, `"platform_machine == 'arm64' and 'darwin' == sys_platform"`).Replace(text)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Canonical() != g.Resolution.Canonical() {
		t.Errorf("Canonical differs for the same table:\n%s\n%s", r.Canonical(), g.Resolution.Canonical())
	}

	py, err := ParsePyproject("pyproject.toml", []byte("[tool.safepip.resolution]\nrequires-python = \">=3.12\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := py.Resolution.RequiresPython.String(); got != ">=3.12" {
		t.Errorf("[tool.safepip.resolution] requires-python = %q, want >=3.12", got)
	}
}

func TestResolutionErrors(t *testing.T) {
	tests := []struct {
		text string
		want []string // each must appear in the error
	}{
		{"[resolution]\nrequires-python = \">=3.x\"\n", []string{`safepip.toml:2: resolution.requires-python: ">=3.x"`}},
		{"[resolution]\nrequires-python = \"\"\n", []string{"safepip.toml:2: resolution.requires-python: empty"}},
		{"[resolution]\nrequires-python = \">=3.12,<3.10\"\n", []string{`safepip.toml:2: resolution.requires-python: ">=3.12,<3.10" allows no Python version`}},
		{"[resolution]\nrequires-python = 3\n", []string{"safepip.toml:2: resolution.requires-python: is a integer; want a string"}},
		{"[resolution]\nenvironments = [\"sys_platform = 'linux'\"]\n", []string{`safepip.toml:2: resolution.environments: "sys_platform = 'linux'"`}},
		{"[resolution]\nenvironments = []\n", []string{"safepip.toml:2: resolution.environments: empty"}},
		{"[resolution]\nenvironments = \"sys_platform == 'linux'\"\n", []string{"resolution.environments: is a string; want a list of strings"}},
		{"[resolution]\nrequired-environments = [\"sys_platform == 'linux' and sys_platform == 'win32'\"]\n", []string{"safepip.toml:2: resolution.required-environments: \"sys_platform == 'linux' and sys_platform == 'win32'\" holds in no environment"}},
		{"[resolution]\nenvironments = [\"extra == 'dev'\"]\n", []string{"cannot depend on extra"}},
		{"[resolution]\nplatforms = []\n", []string{"safepip.toml:2: resolution.platforms: unknown key; allowed here: requires-python, environments, required-environments"}},
		{"resolution = 3\n", []string{"safepip.toml:1: resolution: is a integer; want a [resolution] table"}},
		// every problem at once
		{"[resolution]\nrequires-python = \"~=3\"\nenvironments = [\"os_name ==\"]\n", []string{"safepip.toml:2: resolution.requires-python", "safepip.toml:3: resolution.environments"}},
	}
	for _, tc := range tests {
		_, err := Parse("safepip.toml", []byte(tc.text))
		if err == nil {
			t.Errorf("Parse(%q) succeeded; want an error", tc.text)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Parse(%q) = %q; want it to contain %q", tc.text, err, w)
			}
		}
	}
}
