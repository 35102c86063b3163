package resolver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
)

// memRelease is one version of a project in a memSource.
type memRelease struct {
	version  string
	requires []string
	yanked   bool
	python   string // data-requires-python
	tag      string // the wheel's tag; "" for py3-none-any
}

// memSource is a Source over projects held in memory: one py3-none-any
// wheel per release, whose metadata lists its requirements.
type memSource map[string][]memRelease

func (s memSource) Project(ctx context.Context, name string) (*index.Project, error) {
	rels, ok := s[name]
	if !ok {
		return nil, &index.NotFoundError{Index: "mem", Project: name}
	}
	p := &index.Project{Name: name, Index: "mem"}
	for _, r := range rels {
		tag := r.tag
		if tag == "" {
			tag = "py3-none-any"
		}
		fn := strings.ReplaceAll(name, "-", "_") + "-" + r.version + "-" + tag + ".whl"
		p.Files = append(p.Files, index.File{Filename: fn, URL: "mem:///" + fn, Yanked: r.yanked, RequiresPython: r.python,
			Hashes: map[string]string{"sha256": strings.Repeat("0", 64)}})
	}
	return p, nil
}

func (s memSource) Metadata(ctx context.Context, p *index.Project, f index.File) ([]byte, error) {
	for _, r := range s[p.Name] {
		if strings.HasPrefix(f.Filename, strings.ReplaceAll(p.Name, "-", "_")+"-"+r.version+"-") {
			var b strings.Builder
			fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", p.Name, r.version)
			for _, req := range r.requires {
				fmt.Fprintf(&b, "Requires-Dist: %s\n", req)
			}
			return []byte(b.String()), nil
		}
	}
	return nil, fmt.Errorf("no metadata for %s", f.Filename)
}

// Local implements Source: a memSource holds no local project.
func (s memSource) Local(string) *metadata.Metadata { return nil }

func testTarget(t *testing.T) Target {
	t.Helper()
	plat, err := tags.ParsePlatform("manylinux_2_36_x86_64")
	if err != nil {
		t.Fatal(err)
	}
	tt := tags.Target{Implementation: "cp", Python: [2]int{3, 12}, Platform: plat}
	return Target{
		Markers: map[string]string{"python_version": "3.12", "python_full_version": "3.12", "sys_platform": "linux"},
		Python:  pep440.MustParse("3.12"),
		Tags:    tt.Tags(),
	}
}

func releases(versions ...string) []memRelease {
	var out []memRelease
	for _, v := range versions {
		out = append(out, memRelease{version: v})
	}
	return out
}

// manyB is b 1.0.0 needing too-old, then ten releases 2.0.x needing a==1.0.0.
func manyB() []memRelease {
	out := []memRelease{{version: "1.0.0", requires: []string{"too-old"}}}
	for i := range 10 {
		out = append(out, memRelease{version: fmt.Sprintf("2.0.%d", i), requires: []string{"a==1.0.0"}})
	}
	return out
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name string
		src  memSource
		reqs []string
		pre  bool
		want map[string]string // nil: no solution
		why  string            // with want nil: a phrase the report must hold
	}{
		{
			// packse wrong-backtracking-basic: a 2.0.0 is decided first and
			// refuses every b 2.0.x; the resolver must not settle for the
			// ancient b 1.0.0 but decide b first on a second solve.
			name: "refused project decided first",
			src:  memSource{"a": releases("1.0.0", "2.0.0"), "b": manyB(), "too-old": releases("1.0.0")},
			reqs: []string{"a", "b"},
			want: map[string]string{"a": "1.0.0", "b": "2.0.9"},
		},
		{
			// packse wrong-backtracking-indirect: the refused project is a
			// dependency of a dependency; the refusing one goes last.
			name: "refusing project decided last",
			src: memSource{"a": releases("1.0.0", "2.0.0"), "too-old": releases("1.0.0"),
				"b": {{version: "1.0.0", requires: []string{"b-inner"}}}, "b-inner": manyB()},
			reqs: []string{"a", "b"},
			want: map[string]string{"a": "1.0.0", "b": "1.0.0", "b-inner": "2.0.9"},
		},
		{
			name: "few refusals keep the first answer",
			src: memSource{"a": releases("1.0.0", "2.0.0"), "b": {
				{version: "1.0.0"},
				{version: "2.0.0", requires: []string{"a==1.0.0"}},
			}},
			reqs: []string{"a", "b"},
			want: map[string]string{"a": "2.0.0", "b": "1.0.0"},
		},
		{
			name: "pre-release when no final release matches",
			src:  memSource{"a": releases("0.1.0", "1.0.0a1")},
			reqs: []string{"a>0.1.0"},
			want: map[string]string{"a": "1.0.0a1"},
		},
		{
			name: "final release preferred over a newer pre-release",
			src:  memSource{"a": releases("0.1.0", "1.0.0a1")},
			reqs: []string{"a"},
			want: map[string]string{"a": "0.1.0"},
		},
		{
			name: "--pre takes the newest pre-release",
			src:  memSource{"a": releases("0.1.0", "1.0.0a1")},
			reqs: []string{"a"},
			pre:  true,
			want: map[string]string{"a": "1.0.0a1"},
		},
		{
			// packse transitive-prerelease-and-stable-dependency: only the
			// user's requirements opt in to pre-releases.
			name: "a dependency pinning a pre-release does not opt in",
			src: memSource{
				"a": {{version: "1.0.0", requires: []string{"c==2.0.0b1"}}},
				"b": {{version: "1.0.0", requires: []string{"c>=1.0.0,<=3.0.0"}}},
				"c": releases("1.0.0", "2.0.0b1"),
			},
			reqs: []string{"a", "b"},
			why:  "a is incompatible with b",
		},
		{
			name: "the user naming a pre-release opts in",
			src: memSource{
				"a": {{version: "1.0.0", requires: []string{"c==2.0.0b1"}}},
				"b": {{version: "1.0.0", requires: []string{"c>=1.0.0,<=3.0.0"}}},
				"c": releases("1.0.0", "2.0.0b1"),
			},
			reqs: []string{"a", "b", "c>=2.0.0b1"},
			want: map[string]string{"a": "1.0.0", "b": "1.0.0", "c": "2.0.0b1"},
		},
		{
			name: "yanked only for the user's exact pin",
			src:  memSource{"a": {{version: "1.0.0"}, {version: "2.0.0", yanked: true}}},
			reqs: []string{"a==2.0.0"},
			want: map[string]string{"a": "2.0.0"},
		},
		{
			name: "yanked pin compares as PEP 440 versions",
			src:  memSource{"a": {{version: "1.0.0"}, {version: "2.0.0", yanked: true}}},
			reqs: []string{"a==2.0"},
			want: map[string]string{"a": "2.0.0"},
		},
		{
			name: "yanked skipped otherwise",
			src:  memSource{"a": {{version: "1.0.0"}, {version: "2.0.0", yanked: true}}},
			reqs: []string{"a>=1"},
			want: map[string]string{"a": "1.0.0"},
		},
		{
			name: "a transitive exact pin does not unyank",
			src: memSource{
				"a": {{version: "1.0.0", requires: []string{"c==2.0.0"}}},
				"c": {{version: "1.0.0"}, {version: "2.0.0", yanked: true}},
			},
			reqs: []string{"a"},
			why:  "depends on c ==2.0.0 which is yanked (only an exact == pin in your requirements selects a yanked release)",
		},
		{
			name: "only yanked releases",
			src:  memSource{"a": {{version: "1.0.0", yanked: true}, {version: "2.0.0", yanked: true}}},
			reqs: []string{"a"},
			why:  "you require a which is yanked",
		},
		{
			name: "Requires-Python of the target",
			src:  memSource{"a": {{version: "1.0.0", python: ">=3.13"}}},
			reqs: []string{"a"},
			why:  "requires Python >=3.13 (the target is 3.12)",
		},
		{
			name: "Requires-Python allows an older release",
			src:  memSource{"a": {{version: "1.0.0", python: ">=3.8"}, {version: "2.0.0", python: ">=3.13"}}},
			reqs: []string{"a"},
			want: map[string]string{"a": "1.0.0"},
		},
		{
			name: "Requires-Python upper bound honoured",
			src:  memSource{"a": {{version: "1.0.0", python: "<=3.11"}}},
			reqs: []string{"a"},
			why:  "requires Python <=3.11 (the target is 3.12)",
		},
		{
			name: "no wheel for the target",
			src:  memSource{"a": {{version: "1.0.0", tag: "cp312-cp312-win_amd64"}}},
			reqs: []string{"a"},
			why:  "has no wheel compatible with the target (wheels for cp312-cp312-win_amd64)",
		},
		{
			name: "extra names normalized",
			src: memSource{
				"a": {{version: "1.0.0", requires: []string{`b; extra == "extra-b"`}}},
				"b": releases("1.0.0"),
			},
			reqs: []string{"a[Extra_B]"},
			want: map[string]string{"a": "1.0.0", "b": "1.0.0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reqs []pep508.Requirement
			for _, s := range tt.reqs {
				r, err := pep508.ParseRequirement(s)
				if err != nil {
					t.Fatal(err)
				}
				reqs = append(reqs, r)
			}
			res, err := Resolve(context.Background(), tt.src, reqs, Options{Target: testTarget(t), Pre: tt.pre})
			if tt.want == nil {
				var ns *NoSolutionError
				if !errors.As(err, &ns) {
					t.Fatalf("Resolve(%q) = %v, %v; want a *NoSolutionError", tt.reqs, res, err)
				}
				if !strings.Contains(ns.Error(), tt.why) {
					t.Errorf("Resolve(%q) report:\n%s\nwant it to hold %q", tt.reqs, ns.Error(), tt.why)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.reqs, err)
			}
			got := map[string]string{}
			for _, p := range res.Packages {
				got[p.Name] = p.Version.String()
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("Resolve(%q) = %v, want %v", tt.reqs, pins(got), pins(tt.want))
			}
		})
	}
}

func pins(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"=="+v)
	}
	slices.Sort(out)
	return out
}

func TestDynamicSdist(t *testing.T) {
	tests := []struct {
		meta string
		want string // substring of the reason; "" for static
	}{
		{"Metadata-Version: 2.2\nName: a\nVersion: 1.0\n", ""},
		{"Metadata-Version: 2.4\nName: a\nVersion: 1.0\nDynamic: Description\n", ""},
		{"Metadata-Version: 2.1\nName: a\nVersion: 1.0\n", "older than PEP 643"},
		{"Metadata-Version: 1.2\nName: a\nVersion: 1.0\n", "older than PEP 643"},
		{"Metadata-Version: 2.3\nName: a\nVersion: 1.0\nDynamic: Requires-Dist\n", "Requires-Dist is dynamic"},
		{"Metadata-Version: 2.3\nName: a\nVersion: 1.0\nDynamic: requires-python\n", "requires-python is dynamic"},
	}
	for _, tt := range tests {
		md, err := metadata.Parse("PKG-INFO", []byte(tt.meta))
		if err != nil {
			t.Fatal(err)
		}
		got := dynamicSdist(md)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("dynamicSdist(%q) = %q, want %q", tt.meta, got, tt.want)
		}
	}
}
