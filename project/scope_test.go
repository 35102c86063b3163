package project

import (
	"errors"
	"strings"
	"testing"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
)

func TestUniversalScope(t *testing.T) {
	res := config.Resolution{
		RequiresPython: pep440.SpecifierSet{{Op: ">=", Version: "3.10"}},
		Environments:   []pep508.MarkerSet{pep508.MustParseMarkerSet("sys_platform == 'linux'"), pep508.MustParseMarkerSet("sys_platform == 'darwin'")},
	}
	linux312 := pep508.Environment{"python_full_version": "3.12.1", "python_version": "3.12", "sys_platform": "linux", "platform_machine": "x86_64", "implementation_name": "cpython"}
	win39 := pep508.Environment{"python_full_version": "3.9.18", "python_version": "3.9", "sys_platform": "win32", "platform_machine": "AMD64", "implementation_name": "cpython"}
	mac311 := pep508.Environment{"python_full_version": "3.11.7", "python_version": "3.11", "sys_platform": "darwin", "platform_machine": "arm64", "implementation_name": "cpython"}
	tests := []struct {
		name   string
		o      TargetOptions
		in     scopeInputs
		rp     string          // the recorded requires-python
		holds  map[string]bool // environment -> in scope
		narrow string          // recorded Python or Platform
	}{
		{name: "default", rp: DefaultRequiresPython, holds: map[string]bool{"linux312": true, "win39": true, "mac311": true}},
		{name: "pyproject", in: scopeInputs{project: ">=3.11", projectAt: "pyproject.toml"}, rp: ">=3.11",
			holds: map[string]bool{"linux312": true, "win39": false, "mac311": true}},
		{name: "[resolution] over pyproject", in: scopeInputs{resolution: res, project: ">=3.11"}, rp: ">=3.10",
			holds: map[string]bool{"linux312": true, "win39": false, "mac311": true}},
		{name: "flag over all", in: scopeInputs{flag: ">=3.12", resolution: res, project: ">=3.11"}, rp: ">=3.12",
			holds: map[string]bool{"linux312": true, "win39": false, "mac311": false}},
		{name: "--python-version alone", o: TargetOptions{PythonVersion: "3.9"}, rp: DefaultRequiresPython, narrow: "3.9",
			holds: map[string]bool{"linux312": false, "win39": true, "mac311": false}},
		{name: "--platform alone", o: TargetOptions{Platform: "macosx_14_0_arm64"}, rp: DefaultRequiresPython, narrow: "macosx_14_0_arm64",
			holds: map[string]bool{"linux312": false, "win39": false, "mac311": true}},
	}
	envs := map[string]pep508.Environment{"linux312": linux312, "win39": win39, "mac311": mac311}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, rec, err := universalScope(tc.o, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if rec.RequiresPython != tc.rp {
				t.Errorf("requires-python = %q, want %q", rec.RequiresPython, tc.rp)
			}
			if got := rec.Python + rec.Platform; got != tc.narrow {
				t.Errorf("narrowing recorded %q, want %q", got, tc.narrow)
			}
			for name, want := range tc.holds {
				if got, err := sc.Markers.Evaluate(envs[name]); err != nil || got != want {
					t.Errorf("%s in scope %q = %v, %v; want %v", name, sc.Markers, got, err, want)
				}
			}
		})
	}
}

func TestUniversalScopeErrors(t *testing.T) {
	tests := []struct {
		o    TargetOptions
		in   scopeInputs
		want string
	}{
		{in: scopeInputs{flag: ">=3.x"}, want: `--requires-python ">=3.x"`},
		{in: scopeInputs{project: "3.11", projectAt: "pyproject.toml"}, want: `pyproject.toml: requires-python "3.11"`},
		{in: scopeInputs{flag: ">=3.12,<3.11"}, want: "allows no Python version"},
		{o: TargetOptions{PythonVersion: "3.8"}, in: scopeInputs{flag: ">=3.9"}, want: "the lock's scope holds no environment"},
		{o: TargetOptions{Platform: "nonsense_tag"}, want: "nonsense_tag"},
	}
	for _, tc := range tests {
		_, _, err := universalScope(tc.o, tc.in)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("universalScope(%+v, %+v) = %v; want an input error containing %q", tc.o, tc.in, err, tc.want)
		}
	}
}
