package pyproject

import (
	"errors"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

func parseTOML(t testing.TB, text string) (*Project, error) {
	t.Helper()
	var doc map[string]any
	if err := toml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("bad test TOML: %v", err)
	}
	return Parse("pyproject.toml", doc)
}

const sample = `
[project]
name = "My.App"
requires-python = ">=3.10"
dependencies = ["requests>=2", "attrs; python_version >= '3.11'"]

[project.optional-dependencies]
Socks = ["pysocks"]
test = ["pytest", "my-app[Socks]"]
all = ["my_app[test] ; sys_platform == 'linux'"]

[dependency-groups]
Lint = ["ruff"]
dev = [{include-group = "lint"}, "ipython"]
ci = [{include-group = "dev"}, {include-group = "Lint"}, "coverage"]
`

func names(rs []Requirement) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Req.String())
	}
	return strings.Join(out, " | ")
}

func TestRequirements(t *testing.T) {
	p, err := parseTOML(t, sample)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "my-app" || p.RequiresPythonText != ">=3.10" || !p.HasProject {
		t.Errorf("Parse: name %q requires-python %q has-project %v", p.Name, p.RequiresPythonText, p.HasProject)
	}
	for _, tc := range []struct {
		sel  Selection
		want string
	}{
		{Selection{}, `requests>=2 | attrs; python_version >= "3.11"`},
		{Selection{Extras: []string{"SOCKS"}}, `requests>=2 | attrs; python_version >= "3.11" | pysocks`},
		{Selection{Extras: []string{"test"}}, `requests>=2 | attrs; python_version >= "3.11" | pytest | pysocks`},
		{Selection{Extras: []string{"all"}}, `requests>=2 | attrs; python_version >= "3.11" | pytest; sys_platform == "linux" | pysocks; sys_platform == "linux"`},
		{Selection{Groups: []string{"LINT"}}, `requests>=2 | attrs; python_version >= "3.11" | ruff`},
		{Selection{Groups: []string{"ci"}}, `requests>=2 | attrs; python_version >= "3.11" | ruff | ipython | ruff | coverage`},
	} {
		got, err := p.Requirements(tc.sel)
		if err != nil {
			t.Errorf("Requirements(%+v): %v", tc.sel, err)
			continue
		}
		if names(got) != tc.want {
			t.Errorf("Requirements(%+v) =\n  %s\nwant\n  %s", tc.sel, names(got), tc.want)
		}
	}
	extras, groups, err := p.Normalized(Selection{AllExtras: true, AllGroups: true})
	if err != nil || strings.Join(extras, ",") != "all,socks,test" || strings.Join(groups, ",") != "ci,dev,lint" {
		t.Errorf("Normalized(all) = %v %v %v", extras, groups, err)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		text string
		sel  Selection
		want string // substring of the error
		is   error
	}{
		{`[project]
name = "a"
dynamic = ["dependencies"]`, Selection{}, `pyproject.toml: [project] dynamic: "dependencies": dynamic: the build backend computes the dependencies and safepip does not build the project`, ErrDynamic},
		{`[project]
name = "a"
dynamic = ["optional-dependencies"]`, Selection{Extras: []string{"x"}}, `--extra: "x": not defined`, ErrUnknownSelection},
		{`[project]
name = "a"
dynamic = ["optional-dependencies"]
[project.optional-dependencies]
x = ["b"]`, Selection{}, `[project] optional-dependencies: is given and also listed in [project] dynamic`, nil},
		{`[project]
name = "a"
dependencies = ["requests>="]`, Selection{}, `pyproject.toml: [project] dependencies[0]: "requests>=": `, nil},
		{`[project]
name = "a"
dependencies = "requests"`, Selection{}, `[project] dependencies: want an array of requirement strings, got a string`, nil},
		{`[dependency-groups]
a = [{include-group = "b"}]
b = [{include-group = "A"}]`, Selection{}, `[dependency-groups] a: include-group cycle: a -> b -> a`, ErrIncludeCycle},
		{`[dependency-groups]
a = [{include-group = "nope"}]`, Selection{}, `[dependency-groups] a[0]: "nope": include-group names no group of [dependency-groups] (a)`, nil},
		{`[dependency-groups]
a = [{include-group = "a", other = 1}]`, Selection{}, `[dependency-groups] a[0]: a table in a dependency group must be exactly {include-group = "NAME"}`, nil},
		{`[dependency-groups]
Dev = ["x"]
dev = ["y"]`, Selection{}, `has the same normalized name "dev"`, nil},
		{`[dependency-groups]
dev = ["x"]`, Selection{Groups: []string{"test"}}, `--group: "test": not defined: the project's dependency groups are dev`, ErrUnknownSelection},
		{`[project]
name = "a"
[project.optional-dependencies]
x = ["a[y]"]`, Selection{Extras: []string{"x"}}, `[project.optional-dependencies] x[0]: "a[y]": not defined: extra "y"`, ErrUnknownSelection},
		{`[project]
name = "a"
requires-python = ">=3.x"`, Selection{}, `[project] requires-python: ">=3.x"`, nil},
		{`project = 1`, Selection{}, `[project]: want a table, got a number`, nil},
	} {
		p, err := parseTOML(t, tc.text)
		if err == nil {
			_, err = p.Requirements(tc.sel)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n%+v: got error %v, want one containing %q", tc.text, tc.sel, err, tc.want)
			continue
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: error %v is not %v", tc.text, err, tc.is)
		}
	}
}

func TestSelfExtrasCycle(t *testing.T) {
	p, err := parseTOML(t, `[project]
name = "a"
[project.optional-dependencies]
x = ["a[y]", "b"]
y = ["a[x]", "c"]`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Requirements(Selection{Extras: []string{"x"}})
	if err != nil || names(got) != "c | b" {
		t.Errorf("Requirements(x) = %q, %v; want \"c | b\"", names(got), err)
	}
}

func TestNoProject(t *testing.T) {
	p, err := parseTOML(t, "[tool.safepip]\n")
	if err != nil || p.HasProject {
		t.Fatalf("Parse(tool only) = %+v, %v", p, err)
	}
	if rs, err := p.Requirements(Selection{}); err != nil || len(rs) != 0 {
		t.Errorf("Requirements = %v, %v", rs, err)
	}
}

// FuzzParse: no input panics, and every requirement the selection of all
// extras and groups returns re-parses from its own string form.
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("[dependency-groups]\na = [{include-group = \"a\"}]\n")
	f.Fuzz(func(t *testing.T, text string) {
		var doc map[string]any
		if toml.Unmarshal([]byte(text), &doc) != nil {
			return
		}
		p, err := Parse("pyproject.toml", doc)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		rs, err := p.Requirements(Selection{AllExtras: true, AllGroups: true})
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.Key == "" {
				t.Errorf("requirement %q has no key", r.Text)
			}
		}
	})
}
