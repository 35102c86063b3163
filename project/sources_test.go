package project

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/reqfile"
)

func testEnv(t *testing.T, files map[string]string) *Env {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &Env{Dir: dir, Getenv: func(k string) (string, bool) {
		if k == "PIP_CONFIG_FILE" {
			return os.DevNull, true
		}
		return "", false
	}}
}

func TestHashConstraintsAllows(t *testing.T) {
	a, b, c := strings.Repeat("a", 64), strings.Repeat("b", 64), strings.Repeat("c", 64)
	line := func(req string, hashes ...reqfile.Hash) reqfile.Requirement {
		r, err := readPositional([]string{req})
		if err != nil {
			t.Fatal(err)
		}
		r[0].Hashes = hashes
		return r[0]
	}
	sha := func(algo, d string) reqfile.Hash { return reqfile.Hash{Algorithm: algo, Digest: d} }
	h := hashConstraints{}
	h.add(line("pkg", sha("sha256", a), sha("sha256", b)))
	h.add(line("pkg>=1", sha("sha256", b), sha("sha512", c)))
	h.add(line("pkg")) // a line without a hash constrains nothing
	h.add(line("old==0.9 ; python_version < '3.9'", sha("sha256", a)))
	h.add(line("old==1.0 ; python_version >= '3.9'", sha("sha256", b)))
	for _, tc := range []struct {
		name, version string
		digests       map[string]string
		want          bool
	}{
		{"pkg", "1.0", map[string]string{"sha256": a}, false}, // the second line does not allow a
		{"pkg", "1.0", map[string]string{"sha256": b}, true},  // both lines allow b
		{"pkg", "1.0", map[string]string{"sha256": a, "sha512": c}, true},
		{"pkg", "1.0", map[string]string{"sha512": c}, false},
		{"pkg", "0.5", map[string]string{"sha256": a}, true}, // only the first line wants 0.5
		{"pkg", "1.0", map[string]string{}, false},
		{"old", "0.9", map[string]string{"sha256": a}, true}, // each pin its own hash
		{"old", "1.0", map[string]string{"sha256": b}, true},
		{"old", "1.0", map[string]string{"sha256": a}, false},
		{"old", "1.1", map[string]string{"sha256": b}, false}, // no line wants 1.1
	} {
		if got := h.allows(tc.name, pep440.MustParse(tc.version), tc.digests); got != tc.want {
			t.Errorf("allows(%s %s, %v) = %v, want %v", tc.name, tc.version, tc.digests, got, tc.want)
		}
	}
	if got := h.algorithms("pkg"); !slices.Equal(got, []string{"sha256", "sha512"}) {
		t.Errorf("algorithms = %v", got)
	}
	// the digest part is a normal form: order of lines and hashes does not count
	g, k := hashConstraints{}, hashConstraints{}
	g.add(line("pkg", sha("sha512", c), sha("sha256", b)))
	g.add(line("pkg", sha("sha256", b), sha("sha256", a)))
	k.add(line("pkg", sha("sha256", a), sha("sha256", b)))
	k.add(line("pkg", sha("sha256", b), sha("sha512", c)))
	if string(g.canonical()) != string(k.canonical()) {
		t.Errorf("canonical differs:\n%s\n%s", g.canonical(), k.canonical())
	}
}

func TestCanonicalPackages(t *testing.T) {
	got := canonicalPackages([]string{"Requests[SOCKS,security] >= 2", "requests[security,socks]>=2", "Flask"})
	want := []string{"flask", "requests[security,socks]>=2"}
	if !slices.Equal(got, want) {
		t.Errorf("canonicalPackages = %q, want %q", got, want)
	}
}

func TestUniqueFiles(t *testing.T) {
	env := testEnv(t, map[string]string{"a.txt": "x\n", "sub/b.txt": "y\n"})
	if err := os.Symlink(filepath.Join(env.Dir, "a.txt"), filepath.Join(env.Dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	got := uniqueFiles(env, []string{"a.txt", "./a.txt", filepath.Join(env.Dir, "a.txt"), "sub/../a.txt", "link.txt", "sub/b.txt"})
	if want := []string{"a.txt", "sub/b.txt"}; !slices.Equal(got, want) {
		t.Errorf("uniqueFiles = %q, want %q", got, want)
	}
}

func TestReadInputsSources(t *testing.T) {
	project := "[project]\nname = \"demo\"\nrequires-python = \">=3.9\"\ndependencies = [\"a\"]\n" +
		"[project.optional-dependencies]\nx = [\"b\"]\n[dependency-groups]\ndev = [\"c\"]\n"
	for _, tc := range []struct {
		name    string
		files   map[string]string
		reqs    []string
		src     Sources
		want    string // the requirements read, or the error
		nothing bool
	}{
		{name: "empty", nothing: true},
		{name: "tool only", files: map[string]string{"pyproject.toml": "[tool.other]\n"}, nothing: true},
		{name: "project", files: map[string]string{"pyproject.toml": project}, want: "a"},
		{name: "extra and group", files: map[string]string{"pyproject.toml": project},
			src: Sources{Project: ProjectOptions{Extras: []string{"X"}, AllGroups: true}}, want: "a b c"},
		{name: "positional joins the project", files: map[string]string{"pyproject.toml": project},
			src: Sources{Packages: []string{"z>=1"}}, want: "z>=1 a"},
		{name: "-r replaces the project", files: map[string]string{"pyproject.toml": project, "r.txt": "r\n"},
			reqs: []string{"r.txt"}, want: "r"},
		{name: "--project reads it with -r", files: map[string]string{"p/pyproject.toml": project, "r.txt": "r\n"},
			reqs: []string{"r.txt"}, src: Sources{Project: ProjectOptions{Dir: "p"}}, want: "r a"},
		{name: "groups without [project]", files: map[string]string{"pyproject.toml": "[dependency-groups]\ndev = [\"c\"]\n"},
			src: Sources{Project: ProjectOptions{Groups: []string{"dev"}}}, want: "c"},
		{name: "extra without [project]", files: map[string]string{"pyproject.toml": "[dependency-groups]\ndev = [\"c\"]\n"},
			src: Sources{Project: ProjectOptions{Extras: []string{"x"}}}, want: "pyproject.toml has no [project] table, so no extras to select"},
		{name: "selection with -r", files: map[string]string{"r.txt": "r\n"}, reqs: []string{"r.txt"},
			src: Sources{Project: ProjectOptions{AllExtras: true}}, want: "which is not read when -r is given"},
		{name: "bad TOML", files: map[string]string{"pyproject.toml": "[project\n"}, want: "pyproject.toml:1: "},
		{name: "require-hashes", files: map[string]string{"r.txt": "r\n"}, reqs: []string{"r.txt"},
			src: Sources{RequireHashes: true}, want: `r.txt:1: "r": --require-hashes is on (the --require-hashes flag) and this line has no --hash`},
		{name: "require-hashes and an argument", src: Sources{Packages: []string{"q", "x>=1"}, RequireHashes: true},
			files: map[string]string{"safepip.toml": ""}, want: `command line argument:1: "q": --require-hashes is on`},
		{name: "bad argument", src: Sources{Packages: []string{"ok", "x>="}}, want: `command line argument:2: "x>=": `},
		{name: "require-hashes from the file", files: map[string]string{"r.txt": "--require-hashes\nr --hash=sha256:" + strings.Repeat("a", 64) + "\ns\n"},
			reqs: []string{"r.txt"}, want: `r.txt:3: "s": --require-hashes is on (r.txt:1) and`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(t, tc.files)
			in, err := readInputs(env, tc.reqs, nil, tc.src, config.Flags{})
			var nothing *NothingToLockError
			var inputErr *InputError
			switch {
			case tc.nothing:
				if !errors.As(err, &nothing) || !errors.As(err, &inputErr) {
					t.Fatalf("readInputs: %v, want a NothingToLockError inside an InputError", err)
				}
				return
			case err != nil:
				if tc.want == "" || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &inputErr) {
					t.Fatalf("readInputs: %v, want an input error containing %q", err, tc.want)
				}
				return
			}
			var got []string
			for _, r := range in.reqs {
				got = append(got, r.String())
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("requirements = %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}

// The inputs digest is the same for the same set of inputs, and a lock of
// -r files alone keeps the digest it had before the new sources existed.
func TestDigestSet(t *testing.T) {
	env := testEnv(t, map[string]string{"a.txt": "x\ny\n", "b.txt": "y\nx\nx\n"})
	digest := func(files ...string) string {
		in, err := readInputs(env, files, nil, Sources{}, config.Flags{})
		if err != nil {
			t.Fatal(err)
		}
		if len(in.sourceParts()) != 0 {
			t.Errorf("-r files alone add digest parts: %q", in.sourceParts())
		}
		return in.digest(false)
	}
	if a, aa, b := digest("a.txt"), digest("a.txt", "./a.txt"), digest("b.txt"); a != aa || a != b {
		t.Errorf("digests differ for the same set: %s %s %s", a, aa, b)
	}
}
