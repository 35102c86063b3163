package resolver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
)

func mustMarker(t *testing.T, s string) pep508.MarkerSet {
	t.Helper()
	m, err := pep508.ParseMarkerSet(s)
	if err != nil {
		t.Fatalf("ParseMarkerSet(%q): %v", s, err)
	}
	return m
}

// universalScope is requires-python >=3.9 and every platform.
func universalScope(t *testing.T) *Scope {
	return &Scope{Markers: pep508.RequiresPythonMarker(mustSpec(t, ">=3.9"))}
}

func mustSpec(t *testing.T, s string) pep440.SpecifierSet {
	t.Helper()
	spec, err := pep440.ParseSpecifierSet(s)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// locked is a universal resolution as "name==version ; marker" lines,
// the marker relative to the scope ("" where the scope holds).
func locked(res *Resolution) []string {
	var out []string
	for _, p := range res.Packages {
		line := p.Name + "==" + p.Version.String()
		if !p.Marker.IsTrue() {
			line += " ; " + p.Marker.String()
		}
		out = append(out, line)
	}
	return out
}

func TestUniversal(t *testing.T) {
	// the markers the tests expect, built the way the resolver builds them
	// a release's Requires-Python as pip checks it: 3.11.0rc1 is >=3.11
	rp := func(s string) string { return pep508.PipRequiresPythonMarker(mustSpec(t, s)).String() }
	within := func(s string) string {
		return pep508.RequiresPythonMarker(mustSpec(t, ">=3.9")).And(mustMarker(t, s)).String()
	}
	tests := []struct {
		name     string
		src      memSource
		reqs     []string
		scope    func(*Scope)
		want     []string // nil: no solution
		why      []string // with want nil: phrases the report must hold
		forks    int
		platform string // --platform narrowing
	}{
		{
			name: "a marker propagates to what the package pulls",
			src: memSource{
				"a": {{version: "1.0", requires: []string{"b"}}},
				"b": {{version: "1.0", requires: []string{"c ; python_version < '3.12'"}}},
				"c": releases("1.0"),
				"d": releases("1.0"),
			},
			reqs: []string{"a ; sys_platform == 'win32'", "d"},
			want: []string{
				"a==1.0 ; " + within("sys_platform == 'win32'"),
				"b==1.0 ; " + within("sys_platform == 'win32'"),
				"c==1.0 ; " + within("sys_platform == 'win32' and python_version < '3.12'"),
				"d==1.0",
			},
			forks: 1,
		},
		{
			name: "conflicting specifiers under different markers fork",
			src:  memSource{"a": releases("1.0", "1.5", "2.0", "2.5")},
			reqs: []string{"a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'darwin'"},
			want: []string{
				"a==1.5 ; " + within("sys_platform == 'darwin'"),
				"a==2.5 ; " + within("sys_platform == 'linux'"),
			},
			forks: 3, // linux, darwin, and the rest (which needs no a)
		},
		{
			name: "a transitive conflict forks too",
			src: memSource{
				"a": {{version: "1.0", requires: []string{"b>=2 ; os_name == 'nt'", "b<2 ; os_name != 'nt'"}}},
				"b": releases("1.0", "2.0"),
			},
			reqs: []string{"a"},
			want: []string{
				"a==1.0",
				"b==1.0 ; " + within("os_name != 'nt'"),
				"b==2.0 ; " + within("os_name == 'nt'"),
			},
			forks: 2,
		},
		{
			name: "forks that choose the same versions merge",
			src:  memSource{"a": releases("1.0", "2.0")},
			reqs: []string{"a>=1 ; sys_platform == 'linux'", "a<3 ; sys_platform == 'darwin'"},
			want: []string{"a==2.0 ; " + within("sys_platform == 'linux' or sys_platform == 'darwin'")},
			// linux and darwin chose a 2.0 and merge; the rest needs nothing
			forks: 2,
		},
		{
			name: "incompatible requirements under one marker have no solution",
			src:  memSource{"a": releases("1.0", "2.0")},
			reqs: []string{"a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'linux'"},
			why:  []string{"a"},
		},
		{
			name: "Requires-Python of the newest version forks on the Python version",
			src: memSource{
				"a": {{version: "1.0", python: ">=3.8"}, {version: "2.0", python: ">=3.11"}},
			},
			reqs: []string{"a"},
			want: []string{
				"a==1.0 ; " + within("python_version < '3.11'"),
				"a==2.0 ; " + rp(">=3.11"),
			},
			forks: 2,
		},
		{
			name: "a Requires-Python upper bound does not fork",
			src:  memSource{"a": {{version: "1.0", python: ">=3.8,<4"}}},
			reqs: []string{"a"},
			want: []string{"a==1.0"},
		},
		{
			name: "a version whose wheels serve one platform still serves the lock",
			src: memSource{
				"a": {{version: "1.0"}, {version: "2.0", tag: "cp312-cp312-win_amd64"}},
			},
			reqs:  []string{"a"},
			want:  []string{"a==2.0"},
			forks: 1,
		},
		{
			name: "a version with no file for the fork is passed over there",
			src: memSource{
				"a": {{version: "1.0"}, {version: "2.0", tag: "cp312-cp312-win_amd64"}},
				"b": {{version: "1.0", requires: []string{"a>=2 ; sys_platform == 'win32'", "a ; sys_platform == 'linux'"}}},
			},
			reqs: []string{"b"},
			want: []string{
				"a==1.0 ; " + within("sys_platform == 'linux'"),
				"a==2.0 ; " + within("sys_platform == 'win32'"),
				"b==1.0",
			},
		},
		{
			// the rule: a package with no wheel for some
			// environment is still locked; installing it there fails
			name: "a version with no file for the fork is still locked when nothing else fits",
			src: memSource{
				"w": {{version: "1.0", tag: "cp312-cp312-win_amd64"}},
				"n": {{version: "1.0", python: ">=3.8"}, {version: "2.0", python: ">=3.11"}},
			},
			reqs: []string{"w ; sys_platform == 'win32'", "n"},
			want: []string{
				"n==1.0 ; " + within("python_version < '3.11'"),
				"n==2.0 ; " + rp(">=3.11"),
				"w==1.0 ; " + within("sys_platform == 'win32'"),
			},
			forks: 2,
		},
		{
			name: "required environments pass over versions without a wheel there, and siblings follow",
			src: memSource{
				"a": {{version: "1.0"}, {version: "2.0", tag: "cp312-cp312-win_amd64"}},
			},
			reqs: []string{"a"},
			scope: func(s *Scope) {
				s.Required = []pep508.MarkerSet{mustMarker(t, "sys_platform == 'linux'")}
			},
			// the linux fork is solved first and takes a 1.0; the others
			// prefer what a sibling chose, as uv's forks do
			want:  []string{"a==1.0"},
			forks: 1,
		},
		{
			name: "a required environment no version has a wheel for fails",
			src:  memSource{"a": {{version: "2.0", tag: "cp312-cp312-win_amd64"}}},
			reqs: []string{"a"},
			scope: func(s *Scope) {
				s.Required = []pep508.MarkerSet{mustMarker(t, "sys_platform == 'darwin'")}
			},
			why: []string{"you require a which has no wheel for the required environment", "sys_platform == 'darwin'", "cp312-cp312-win_amd64"},
		},
		{
			name: "required environments leave alone packages not needed there",
			src:  memSource{"w": {{version: "1.0", tag: "py3-none-win_amd64"}}},
			reqs: []string{"w ; sys_platform == 'win32'"},
			scope: func(s *Scope) {
				s.Required = []pep508.MarkerSet{mustMarker(t, "sys_platform == 'linux'"), mustMarker(t, "sys_platform == 'win32'")}
			},
			want: []string{"w==1.0 ; " + within("sys_platform == 'win32'")},
		},
		{
			name: "--platform keeps only its wheels",
			src: memSource{
				"a": {{version: "1.0", tag: "cp312-cp312-manylinux_2_17_x86_64"}, {version: "2.0", tag: "cp312-cp312-manylinux_2_40_x86_64"}},
			},
			reqs:     []string{"a"},
			platform: "manylinux_2_28_x86_64",
			want:     []string{"a==1.0"},
		},
		{
			name: "extras apply where the extra is asked for",
			src: memSource{
				"a": {{version: "1.0", requires: []string{"b ; extra == 'x'", "c ; extra == 'x' and sys_platform == 'darwin'"}}},
				"b": releases("1.0"),
				"c": releases("1.0"),
			},
			reqs: []string{"a[x] ; sys_platform != 'win32'"},
			want: []string{
				"a==1.0 ; " + within("sys_platform != 'win32'"),
				"b==1.0 ; " + within("sys_platform != 'win32'"),
				"c==1.0 ; " + within("sys_platform == 'darwin'"),
			},
		},
		{
			name: "a dependency reached by no path is left out",
			src: memSource{
				"a": {{version: "1.0", requires: []string{"b ; sys_platform == 'linux'"}}},
				"b": releases("1.0"),
			},
			reqs: []string{"a ; sys_platform == 'win32'"},
			want: []string{"a==1.0 ; " + within("sys_platform == 'win32'")},
		},
		{
			name: "dependency cycles reach a fixpoint",
			src: memSource{
				"a": {{version: "1.0", requires: []string{"b"}}},
				"b": {{version: "1.0", requires: []string{"a ; python_version >= '3.10'", "c ; sys_platform == 'darwin'"}}},
				"c": {{version: "1.0", requires: []string{"a"}}},
			},
			reqs: []string{"a ; os_name == 'posix'", "b ; python_version >= '3.12'"},
			want: []string{
				"a==1.0 ; " + within("os_name == 'posix' or python_version >= '3.12'"),
				"b==1.0 ; " + within("os_name == 'posix' or python_version >= '3.12'"),
				"c==1.0 ; " + within("(os_name == 'posix' or python_version >= '3.12') and sys_platform == 'darwin'"),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := universalScope(t)
			if tc.scope != nil {
				tc.scope(sc)
			}
			if tc.platform != "" {
				plat, err := tags.ParsePlatform(tc.platform)
				if err != nil {
					t.Fatal(err)
				}
				sc.Platforms = plat.Tags()
			}
			var reqs []pep508.Requirement
			for _, s := range tc.reqs {
				r, err := pep508.ParseRequirement(s)
				if err != nil {
					t.Fatal(err)
				}
				reqs = append(reqs, r)
			}
			res, err := Resolve(context.Background(), tc.src, reqs, Options{Scope: sc})
			if tc.want == nil {
				var ns *NoSolutionError
				if !errors.As(err, &ns) {
					t.Fatalf("Resolve = %v, %v; want a *NoSolutionError", res, err)
				}
				for _, w := range tc.why {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("report lacks %q:\n%v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if got := locked(res); !slices.Equal(got, tc.want) {
				t.Errorf("locked\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			if n := max(1, len(res.Forks)); tc.forks != 0 && n != tc.forks {
				t.Errorf("forks = %d %v, want %d", n, res.Forks, tc.forks)
			}
		})
	}
}

// TestUniversalPreferences checks that a fork keeps the existing lock's
// version, and the other forks the version a sibling chose.
func TestUniversalPreferences(t *testing.T) {
	src := memSource{"a": releases("1.0", "2.0", "3.0")}
	var reqs []pep508.Requirement
	for _, s := range []string{"a ; sys_platform == 'linux'", "a<3 ; sys_platform == 'darwin'"} {
		r, _ := pep508.ParseRequirement(s)
		reqs = append(reqs, r)
	}
	res, err := Resolve(context.Background(), src, reqs, Options{Scope: universalScope(t), Preferences: map[string][]Preference{"a": {{Version: "1.0"}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := locked(res)
	if len(got) != 1 || !strings.HasPrefix(got[0], "a==1.0 ;") {
		t.Errorf("locked %v, want a==1.0 for linux and darwin alike", got)
	}
}

// TestUniversalDeterministic resolves the same input many times: the
// fork order, merge and markers must not depend on map order.
func TestUniversalDeterministic(t *testing.T) {
	src := memSource{
		"a": {{version: "1.0", requires: []string{"b>=2 ; sys_platform == 'linux'", "b<2 ; sys_platform == 'darwin'", "c ; python_version < '3.11'"}}},
		"b": releases("1.0", "2.0"),
		"c": {{version: "1.0", python: ">=3.8"}, {version: "2.0", python: ">=3.10"}},
	}
	r, _ := pep508.ParseRequirement("a")
	var first string
	for i := range 20 {
		res, err := Resolve(context.Background(), src, []pep508.Requirement{r}, Options{Scope: universalScope(t)})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(locked(res), res.Forks)
		if i == 0 {
			first = got
		} else if got != first {
			t.Fatalf("run %d gave\n%s\nrun 0 gave\n%s", i, got, first)
		}
	}
}

func TestTagEnvironments(t *testing.T) {
	tests := []struct {
		tag  string
		want string // "-": no environment
	}{
		{"py3-none-any", "python_full_version >= '3'"},
		{"py2-none-any", "-"},
		{"py310-none-any", "python_full_version >= '3.10'"},
		{"cp312-cp312-manylinux_2_17_x86_64", "(implementation_name == 'cpython' and python_version == '3.12') and (sys_platform == 'linux' and platform_machine == 'x86_64')"},
		{"cp39-abi3-win_amd64", "(implementation_name == 'cpython' and python_full_version >= '3.9') and (sys_platform == 'win32' and platform_machine == 'AMD64')"},
		{"cp313-cp313t-musllinux_1_2_aarch64", "(implementation_name == 'cpython' and python_version == '3.13') and (sys_platform == 'linux' and platform_machine == 'aarch64')"},
		{"pp310-pypy310_pp73-macosx_11_0_universal2", "(implementation_name == 'pypy' and python_version == '3.10') and (sys_platform == 'darwin' and (platform_machine == 'arm64' or platform_machine == 'x86_64'))"},
		{"py3-none-manylinux2014_i686", "(python_full_version >= '3') and (sys_platform == 'linux' and platform_machine == 'i686')"},
		{"py3-none-win32", "(python_full_version >= '3') and (sys_platform == 'win32' and platform_machine == 'x86')"},
		{"py3-none-freebsd_14_amd64", "-"},
		{"xx3-none-any", "-"},
	}
	for _, tc := range tests {
		ts, err := tags.ParseTag(tc.tag)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := tagEnvironments(ts[0])
		if !ok {
			got = "-"
		}
		if got != tc.want {
			t.Errorf("tagEnvironments(%s) = %q, want %q", tc.tag, got, tc.want)
		}
		if ok {
			if _, err := pep508.ParseMarker(got); err != nil {
				t.Errorf("tagEnvironments(%s) = %q, which does not parse: %v", tc.tag, got, err)
			}
		}
	}
}

// TestTagEnvironmentsEvaluate checks the derived environments against
// interpreters described as markers: where a wheel installs and where not.
func TestTagEnvironmentsEvaluate(t *testing.T) {
	linux312 := pep508.Environment{"implementation_name": "cpython", "python_version": "3.12", "python_full_version": "3.12.1",
		"sys_platform": "linux", "platform_machine": "x86_64", "os_name": "posix", "platform_system": "Linux"}
	mac311 := pep508.Environment{"implementation_name": "cpython", "python_version": "3.11", "python_full_version": "3.11.7",
		"sys_platform": "darwin", "platform_machine": "arm64", "os_name": "posix", "platform_system": "Darwin"}
	win39 := pep508.Environment{"implementation_name": "cpython", "python_version": "3.9", "python_full_version": "3.9.18",
		"sys_platform": "win32", "platform_machine": "AMD64", "os_name": "nt", "platform_system": "Windows"}
	tests := []struct {
		tag  string
		envs map[string]bool
	}{
		{"cp312-cp312-manylinux_2_17_x86_64", map[string]bool{"linux312": true, "mac311": false, "win39": false}},
		{"cp39-abi3-macosx_11_0_universal2", map[string]bool{"linux312": false, "mac311": true, "win39": false}},
		{"cp39-abi3-win_amd64", map[string]bool{"linux312": false, "mac311": false, "win39": true}},
		{"py3-none-any", map[string]bool{"linux312": true, "mac311": true, "win39": true}},
	}
	envs := map[string]pep508.Environment{"linux312": linux312, "mac311": mac311, "win39": win39}
	var memo tagMemo
	for _, tc := range tests {
		ts, _ := tags.ParseTag(tc.tag)
		set := memo.of(ts)
		for name, want := range tc.envs {
			got, err := set.Evaluate(envs[name])
			if err != nil || got != want {
				t.Errorf("%s on %s = %v, %v; want %v", tc.tag, name, got, err, want)
			}
		}
	}
}

func TestLowerBounds(t *testing.T) {
	tests := []struct{ in, want string }{
		{">=3.8,<4", ">=3.8"},
		{"~=3.10", ">=3.10"},
		{"==3.11.*", ">=3.11"},
		{">3.9,!=3.10.*", ">3.9"},
		{"<3.13", ""},
		{"", ""},
	}
	for _, tc := range tests {
		spec, err := pep440.ParseSpecifierSet(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := lowerBounds(spec).String(); got != tc.want {
			t.Errorf("lowerBounds(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// benchSource is a synthetic index of n projects, each with five
// releases depending on a few later projects, a third of them under a
// platform or Python marker: the shape of a large lock without forks.
func benchSource(n int) (memSource, []pep508.Requirement) {
	markers := []string{"", "", " ; sys_platform == 'win32'", " ; python_version < '3.11'", "", " ; platform_machine == 'x86_64'"}
	src := memSource{}
	for i := range n {
		name := fmt.Sprintf("p%03d", i)
		for v := range 5 {
			r := memRelease{version: fmt.Sprintf("1.%d", v)}
			for k := 1; k <= 3 && i+k*7 < n; k++ {
				r.requires = append(r.requires, fmt.Sprintf("p%03d>=1.%d%s", i+k*7, k%3, markers[(i+k)%len(markers)]))
			}
			src[name] = append(src[name], r)
		}
	}
	var roots []pep508.Requirement
	for i := 0; i < n; i += 7 {
		r, _ := pep508.ParseRequirement(fmt.Sprintf("p%03d", i))
		roots = append(roots, r)
	}
	return src, roots
}

func BenchmarkResolveSingle(b *testing.B) {
	src, roots := benchSource(300)
	plat, _ := tags.ParsePlatform("manylinux_2_36_x86_64")
	tt := tags.Target{Implementation: "cp", Python: [2]int{3, 12}, Platform: plat}
	target := Target{Markers: map[string]string{"python_version": "3.12", "python_full_version": "3.12.1", "sys_platform": "linux", "platform_machine": "x86_64"},
		Python: pep440.MustParse("3.12.1"), Tags: tt.Tags()}
	for b.Loop() {
		if _, err := Resolve(context.Background(), src, roots, Options{Target: target}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolveUniversal(b *testing.B) {
	src, roots := benchSource(300)
	spec, _ := pep440.ParseSpecifierSet(">=3.9")
	for b.Loop() {
		if _, err := Resolve(context.Background(), src, roots, Options{Scope: &Scope{Markers: pep508.RequiresPythonMarker(spec)}}); err != nil {
			b.Fatal(err)
		}
	}
}
