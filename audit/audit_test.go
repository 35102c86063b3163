package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/pypa/pep440"
)

func TestParsePipConfig(t *testing.T) {
	tests := []struct {
		name, in string
		want     []PipSetting // File is "pip.conf"
		err      string
	}{
		{name: "empty", in: ""},
		{
			name: "global and install",
			in:   "[global]\nindex-url = https://a.example/simple\n\n[install]\nextra-index-url=https://b.example/simple\n",
			want: []PipSetting{
				{Line: 2, Section: "global", Key: "index-url", Value: "https://a.example/simple"},
				{Line: 5, Section: "install", Key: "extra-index-url", Value: "https://b.example/simple"},
			},
		},
		{
			name: "multi-line value, comments inside, colon delimiter, key spellings",
			in:   "# top\n[global]\nExtra_Index_URL:\n    https://a.example/simple\n    # not a url\n\n    https://b.example/simple\n--no-index = yes\n",
			want: []PipSetting{
				{Line: 3, Section: "global", Key: "extra-index-url", Value: "\nhttps://a.example/simple\n\nhttps://b.example/simple"},
				{Line: 8, Section: "global", Key: "no-index", Value: "yes"},
			},
		},
		{
			name: "no inline comments, CRLF, BOM",
			in:   "\ufeff[global]\r\nindex-url = https://a.example/simple # keep\r\n",
			want: []PipSetting{{Line: 2, Section: "global", Key: "index-url", Value: "https://a.example/simple # keep"}},
		},
		{
			name: "indented key ends the value of the key above only when not deeper",
			in:   "[global]\n  a = 1\n  b = 2\n    c\n",
			want: []PipSetting{
				{Line: 2, Section: "global", Key: "a", Value: "1"},
				{Line: 3, Section: "global", Key: "b", Value: "2\nc"},
			},
		},
		{
			name: "two spellings of one key are two settings, as configparser keeps them",
			in:   "[global]\nindex_url = 1\nindex-url = 2\n",
			want: []PipSetting{
				{Line: 2, Section: "global", Key: "index-url", Value: "1"},
				{Line: 3, Section: "global", Key: "index-url", Value: "2"},
			},
		},
		{name: "key before section", in: "index-url = x\n", err: `pip.conf:1: "index-url = x" comes before any [section]`},
		{name: "no delimiter", in: "[global]\nindex-url\n", err: `pip.conf:2: "index-url": want "key = value"`},
		{name: "empty key", in: "[global]\n= x\n", err: `pip.conf:2: "= x": want "key = value"`},
		{name: "repeated key", in: "[global]\nA = 1\na = 2\n", err: `pip.conf:3: "a = 2" repeats [global] a of line 2`},
		{name: "repeated section", in: "[global]\n[install]\n[global]\n", err: "pip.conf:3: section [global] appears twice"},
		{name: "bad header", in: "[global\n", err: `pip.conf:1: "[global": a section header is "[name]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePipConfig("pip.conf", []byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParsePipConfig(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePipConfig(%q): %v", tt.in, err)
			}
			for i := range tt.want {
				tt.want[i].File = "pip.conf"
			}
			if !reflect.DeepEqual(got, tt.want) && len(got)+len(tt.want) > 0 {
				t.Errorf("ParsePipConfig(%q) =\n%+v\nwant\n%+v", tt.in, got, tt.want)
			}
		})
	}
}

// TestParsePipConfigPython compares ParsePipConfig with the parser pip
// uses, Python's configparser.RawConfigParser (strict), on handwritten and
// generated files, all in one python3 run.
func TestParsePipConfigPython(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 not found")
	}
	cases := []string{
		"[global]\nindex-url = https://a/simple\n",
		"[global]\nextra-index-url =\n  https://a/simple\n  https://b/simple\n",
		"[global]\na: 1\nb = x = y\nc : d : e\n",
		"[global]\n  a = 1\n  b = 2\n    c\n  d = 3\n",
		"[install]\na = 1\n\n\n  more\n",
		"[install]\na = 1\n# c\n  more\n; c\n  again\n",
		"[global]\na = 1\n[install]\na = 2\n",
		"[DEFAULT]\nindex-url = x\n[global]\nb = 1\n",
		"[ spaced ]\na=1\n",
		"[a]b]\nk=v\n",
		"x = 1\n",
		"[global]\nk\n",
		"[global]\n= v\n",
		"[global]\nA = 1\na = 2\n",
		"[g]\n[g]\n",
		"[g\n",
		"[]\n",
		// Not "index_url = 1" and "index-url = 2" together: configparser
		// keeps both keys, ParsePipConfig too (TestParsePipConfig), but
		// they collide once normalized for this comparison.
		"[global]\n\tk = v\n\t\tw\n",
		"  [global]\nk = v\n",
		"[global]\nk = v # not a comment\n",
		"[global]\nk =   \n",
	}
	// Generated files: lines drawn from fragments that exercise sections,
	// delimiters, indentation, comments and blank lines.
	frags := []string{"[global]", "[install]", "[x]", "index-url = https://a/simple", "extra-index-url =", "  https://b/simple",
		"    c", "k: v", "K = w", "# comment", "; comment", "", "   ", "\tindented = 1", "no-index = yes", "find_links = ./wheels", "bad line", "[global"}
	r := rand.New(rand.NewPCG(7, 11))
	for range 400 {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			b.WriteString(frags[r.IntN(len(frags))])
			b.WriteByte('\n')
		}
		cases = append(cases, b.String())
	}

	script := `
import configparser, json, sys
out = []
for text in json.load(sys.stdin):
    cp = configparser.RawConfigParser()
    try:
        cp.read_string(text)
    except configparser.Error:
        out.append(None)
        continue
    secs = {s: dict(cp._sections[s]) for s in cp._sections}
    if cp._defaults:
        secs["DEFAULT"] = dict(cp._defaults)
    out.append(secs)
json.dump(out, sys.stdout)
`
	in, _ := json.Marshal(cases)
	cmd := exec.Command("python3", "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	outData, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var want []map[string]map[string]string
	if err := json.Unmarshal(outData, &want); err != nil {
		t.Fatal(err)
	}
	mismatches := 0
	for i, text := range cases {
		got, err := ParsePipConfig("pip.conf", []byte(text))
		var gotMap map[string]map[string]string
		if err == nil {
			gotMap = map[string]map[string]string{}
			for _, s := range got {
				if gotMap[s.Section] == nil {
					gotMap[s.Section] = map[string]string{}
				}
				gotMap[s.Section][s.Key] = s.Value
			}
		}
		w := want[i]
		if w != nil {
			norm := map[string]map[string]string{}
			for sec, kv := range w {
				norm[sec] = map[string]string{}
				for k, v := range kv {
					norm[sec][normalizePipKey(k)] = v
				}
			}
			w = norm
		}
		if (w == nil) != (err != nil) || !reflect.DeepEqual(emptyToNil(gotMap), emptyToNil(w)) {
			mismatches++
			t.Errorf("ParsePipConfig(%q) = %v (err %v); configparser: %v", text, gotMap, err, w)
		}
	}
	t.Logf("compared %d pip configuration files with configparser: %d mismatches", len(cases), mismatches)
	fmt.Printf("TestParsePipConfigPython: compared %d files with configparser, %d mismatches\n", len(cases), mismatches)
}

// emptyToNil drops sections without keys: configparser keeps an empty
// section, ParsePipConfig returns settings only.
func emptyToNil(m map[string]map[string]string) map[string]map[string]string {
	if m == nil {
		return nil
	}
	out := map[string]map[string]string{}
	for k, v := range m {
		if len(v) > 0 {
			out[k] = v
		}
	}
	return out
}

func TestPipIndexes(t *testing.T) {
	conf := "[global]\nindex-url = https://g.example/simple\nextra-index-url =\n  https://e1.example/simple\n  https://e2.example/simple\nfind-links = /wheels\n" +
		"[install]\npypi-url = https://i.example/simple\nno-index = false\n[download]\nextra-index-url = https://dl.example/simple\n[DEFAULT]\nfind-links = /d\n"
	settings, err := ParsePipConfig("/etc/pip.conf", []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"PIP_INDEX_URL":       "https://env.example/simple",
		"PIP_EXTRA_INDEX_URL": " https://x1.example/simple  https://x2.example/simple ",
		"PIP_FIND_LINKS":      "/f1",
		"PIP_NO_INDEX":        "on",
	}
	got, noIndex := PipIndexes(settings, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	want := []PipDeclaration{
		{"index-url", "https://g.example/simple", "/etc/pip.conf:2 [global] index-url"},
		{"extra-index-url", "https://e1.example/simple", "/etc/pip.conf:3 [global] extra-index-url"},
		{"extra-index-url", "https://e2.example/simple", "/etc/pip.conf:3 [global] extra-index-url"},
		{"find-links", "/wheels", "/etc/pip.conf:6 [global] find-links"},
		{"index-url", "https://i.example/simple", "/etc/pip.conf:8 [install] pypi-url"},
		{"find-links", "/d", "/etc/pip.conf:13 [DEFAULT] find-links"},
		{"index-url", "https://env.example/simple", "PIP_INDEX_URL"},
		{"extra-index-url", "https://x1.example/simple", "PIP_EXTRA_INDEX_URL"},
		{"extra-index-url", "https://x2.example/simple", "PIP_EXTRA_INDEX_URL"},
		{"find-links", "/f1", "PIP_FIND_LINKS"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PipIndexes =\n%v\nwant\n%v", got, want)
	}
	if noIndex != "PIP_NO_INDEX" {
		t.Errorf("noIndex = %q, want PIP_NO_INDEX", noIndex)
	}
	if _, n := PipIndexes(settings, nil); n != "" {
		t.Errorf("no-index = false in the file: noIndex = %q, want \"\"", n)
	}
}

func TestPipConfigFiles(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		exists []string
		want   []string
	}{
		{
			name: "defaults",
			want: []string{"/etc/xdg/pip/pip.conf", "/etc/pip.conf", "/home/u/.pip/pip.conf", "/home/u/.config/pip/pip.conf"},
		},
		{
			name: "XDG dirs, virtualenv",
			env:  map[string]string{"XDG_CONFIG_DIRS": "/a:/b", "XDG_CONFIG_HOME": "/cfg", "VIRTUAL_ENV": "/venv"},
			want: []string{"/a/pip/pip.conf", "/b/pip/pip.conf", "/etc/pip.conf", "/home/u/.pip/pip.conf", "/cfg/pip/pip.conf", "/venv/pip.conf"},
		},
		{
			name:   "PIP_CONFIG_FILE that exists replaces the user files and comes last",
			env:    map[string]string{"PIP_CONFIG_FILE": "/p.conf", "VIRTUAL_ENV": "/venv"},
			exists: []string{"/p.conf"},
			want:   []string{"/etc/xdg/pip/pip.conf", "/etc/pip.conf", "/venv/pip.conf", "/p.conf"},
		},
		{
			name: "PIP_CONFIG_FILE that does not exist keeps the user files",
			env:  map[string]string{"PIP_CONFIG_FILE": "/missing.conf"},
			want: []string{"/etc/xdg/pip/pip.conf", "/etc/pip.conf", "/home/u/.pip/pip.conf", "/home/u/.config/pip/pip.conf", "/missing.conf"},
		},
		{
			name: "PIP_CONFIG_FILE=/dev/null loads nothing",
			env:  map[string]string{"PIP_CONFIG_FILE": "/dev/null", "VIRTUAL_ENV": "/venv"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			exists := func(p string) bool { return slices.Contains(tt.exists, p) }
			got := PipConfigFiles("/home/u", getenv, exists)
			if !slices.Equal(got, tt.want) {
				t.Errorf("PipConfigFiles = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseRoot(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{
			name: "PEP 503 HTML",
			in:   `<!DOCTYPE html><html><body><a href="/simple/acme-b/">Acme_B</a><A HREF='acme-a/'>acme-a</A><a href="x/">not a name!</a><a href="/simple/from-href/"></a></body></html>`,
			want: []string{"acme-a", "acme-b", "from-href"},
		},
		{name: "entities", in: `<a href="/simple/a-b/">a&#45;b</a><a href="c/">c</a>`, want: []string{"a-b", "c"}},
		{name: "repeats", in: `<a href="a/">A</a><a href="a/">a</a>`, want: []string{"a"}},
		{name: "empty html", in: `<html></html>`, want: nil},
		{
			name: "PEP 691 JSON",
			in:   `{"meta": {"api-version": "1.1"}, "projects": [{"name": "Zeta"}, {"name": "alpha.beta"}, {"name": ""}]}`,
			want: []string{"alpha-beta", "zeta"},
		},
		{name: "JSON major 2", in: `{"meta": {"api-version": "2.0"}, "projects": []}`, err: `unsupported api-version "2.0"`},
		{name: "bad JSON", in: `{"projects": [`, err: "root page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRoot([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseRoot(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("ParseRoot(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseLinks(t *testing.T) {
	page := `<a href="../files/acme_a-1.0-py3-none-any.whl#sha256=00">x</a>
<a href="https://f.example/acme-b-2.0.tar.gz?x=1">acme-b</a>
<a href="notes.txt">notes</a><a href="Acme.C-1.0.zip">c</a>`
	got, err := ParseLinks([]byte(page))
	want := []string{"acme-a", "acme-b", "acme-c"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("ParseLinks = %q, %v; want %q", got, err, want)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		private, public []string
		exists          bool
		want            Class
	}{
		{[]string{"1.0"}, nil, false, Unclaimed},
		{nil, nil, false, Unclaimed},
		{[]string{"1.0"}, []string{"9.9.9"}, true, Shadowed},
		{[]string{"1.0"}, []string{"1.0"}, true, Shadowed}, // pip may take either copy
		{[]string{"2.0"}, []string{"0.1", "1.0"}, true, Claimed},
		{[]string{"1.0"}, nil, true, Claimed},                    // a public project without files
		{[]string{"1.0"}, []string{"2.0a1"}, true, Claimed},      // pip skips the pre-release
		{[]string{"1.0rc1"}, []string{"0.5"}, true, Shadowed},    // pip prefers a final release
		{[]string{"1.0rc1"}, []string{"0.5a1"}, true, Claimed},   // pre-releases only: the highest
		{[]string{"1.0rc1"}, []string{"1.0rc2"}, true, Shadowed}, // pre-releases only: the highest
		{nil, []string{"0.1"}, true, Shadowed},                   // the private files are all yanked
	}
	for _, tt := range tests {
		got := classify(parseAll(tt.private), parseAll(tt.public), tt.exists)
		if got != tt.want {
			t.Errorf("classify(%q, %q, %v) = %s, want %s", tt.private, tt.public, tt.exists, got, tt.want)
		}
	}
}

// serve returns a loopback index serving "name==version" dists.
func serve(t *testing.T, dists ...string) *testindex.Server {
	t.Helper()
	x := testindex.New(t)
	for _, d := range dists {
		name, version, _ := strings.Cut(d, "==")
		yanked := ""
		if v, ok := strings.CutSuffix(version, " yanked"); ok {
			version, yanked = v, "bad"
		}
		x.Add(testindex.Dist{Name: name, Version: version, Yanked: yanked})
	}
	return x.Serve(t)
}

func newClient(t *testing.T) *index.Client {
	t.Helper()
	c, err := index.NewClient(index.Options{Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRun(t *testing.T) {
	public := serve(t, "shadow==9.9.9", "claimed==0.1", "pinned==5.0", "public-only==1.0", "equal==1.0", "yanked-high==9.0 yanked")
	private := serve(t, "shadow==1.0", "claimed==2.0", "free==1.0", "free==1.1", "pinned==1.0", "equal==1.0", "yanked-high==1.0")
	o := Options{
		Public:  Index{Name: "public", URL: public.URL},
		Indexes: []Index{{Name: "internal", URL: private.URL, Sources: []string{"safepip.toml:1"}, Declared: true}, {Name: "pub-again", URL: public.URL + "/", Sources: []string{"PIP_INDEX_URL"}}},
		Pin: func(name string) (string, bool, error) {
			return "internal", name == "pinned", nil
		},
	}
	rep, err := Run(context.Background(), newClient(t), o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := map[string]Class{}
	for _, f := range rep.Findings {
		got[f.Project] = f.Class
		if f.Index != "internal" || f.Remedy == "" {
			t.Errorf("finding %+v: want index internal and a remedy", f)
		}
	}
	want := map[string]Class{"shadow": Shadowed, "claimed": Claimed, "free": Unclaimed, "pinned": Pinned, "equal": Shadowed, "yanked-high": Claimed}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("classes = %v, want %v", got, want)
	}
	if n := len(rep.Indexes); n != 1 || !rep.Indexes[0].Listed || rep.Indexes[0].Projects != 6 {
		t.Errorf("indexes = %+v, want one private index, listed, 6 projects", rep.Indexes)
	}
	if !slices.Equal(rep.Public.Sources, []string{"PIP_INDEX_URL"}) {
		t.Errorf("public sources = %q, want the PIP_INDEX_URL declaration merged in", rep.Public.Sources)
	}
	if public.Asked("public-only") {
		t.Error("the public index was asked for a project no private index serves")
	}
	if err := rep.Check(false); err == nil || !strings.Contains(err.Error(), "2 shadowed") {
		t.Errorf("Check(false) = %v, want 2 shadowed", err)
	}
	var pinned Finding
	for _, f := range rep.Findings {
		if f.Project == "pinned" {
			pinned = f
		}
	}
	if pinned.PinnedTo != "internal" || !slices.Equal(pinned.PublicVersions, []string{"5.0"}) {
		t.Errorf("pinned finding = %+v, want pinned_to internal and public 5.0", pinned)
	}
}

func TestRunNamedWhenNoList(t *testing.T) {
	public := serve(t, "listed-elsewhere==1.0")
	private := serve(t, "acme==1.0", "other==1.0")
	private.Fail("/simple/", 404, -1)
	tree := testindex.New(t)
	tree.Add(testindex.Dist{Name: "acme", Version: "2.0"})
	treeURL := tree.WriteTree(t, filepath.Join(t.TempDir(), "tree"))
	o := Options{
		Public:  Index{Name: "public", URL: public.URL},
		Indexes: []Index{{Name: "internal", URL: private.URL}, {Name: "tree", URL: treeURL}},
		Names:   []string{"Acme", "not-there", "not a name"},
	}
	rep, err := Run(context.Background(), newClient(t), o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(rep.Findings) != 2 || rep.Findings[0].Project != "acme" || rep.Findings[0].Index != "internal" || rep.Findings[1].Index != "tree" {
		t.Fatalf("findings = %+v, want acme on internal and on tree", rep.Findings)
	}
	for _, x := range rep.Indexes {
		if x.Listed || x.Note == "" {
			t.Errorf("index %+v: want not listed, with a note", x)
		}
	}
	if private.Asked("other") {
		t.Error("a project neither listed nor named was asked for")
	}
}

func TestRunMirrorList(t *testing.T) {
	public := serve(t, "a==1.0", "b==1.0", "c==1.0")
	mirror := serve(t, "a==1.0", "b==1.0", "c==1.0")
	o := Options{Public: Index{Name: "public", URL: public.URL}, Indexes: []Index{{Name: "mirror", URL: mirror.URL}}, Names: []string{"b"}, MaxListed: 2}
	rep, err := Run(context.Background(), newClient(t), o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Project != "b" || rep.Indexes[0].Listed || !strings.Contains(rep.Indexes[0].Note, "lists 3 projects, more than 2") {
		t.Errorf("findings = %+v, index = %+v; want only the named b, and a note on the long list", rep.Findings, rep.Indexes[0])
	}
}

func TestRunFindLinksPage(t *testing.T) {
	public := serve(t)
	links := serve(t, "flat-one==1.0", "flat-two==2.0")
	o := Options{Public: Index{Name: "public", URL: public.URL}, Indexes: []Index{{Name: "links", URL: links.FindLinksURL(), FindLinks: true}}}
	rep, err := Run(context.Background(), newClient(t), o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(rep.Findings) != 2 || rep.Count(Unclaimed) != 2 || !rep.Indexes[0].Listed {
		t.Errorf("findings = %+v, indexes = %+v; want flat-one and flat-two unclaimed from the listed page", rep.Findings, rep.Indexes)
	}
	if rep.Indexes[0].Kind != "find-links" {
		t.Errorf("kind = %q, want find-links", rep.Indexes[0].Kind)
	}
}

func TestRunUnreachable(t *testing.T) {
	public := serve(t, "a==1.0")
	private := serve(t, "a==1.0", "b==1.0")
	down := serve(t)
	down.Close()
	private.Fail("/simple/b/", 500, -1)
	o := Options{
		Public:  Index{Name: "public", URL: public.URL},
		Indexes: []Index{{Name: "internal", URL: private.URL}, {Name: "down", URL: "http://user:s3cret@" + strings.TrimPrefix(down.URL, "http://")}},
	}
	rep, err := Run(context.Background(), newClient(t), o)
	var inc *IncompleteError
	if !errors.As(err, &inc) {
		t.Fatalf("Run error = %v, want *IncompleteError", err)
	}
	var ne *index.NetworkError
	if !errors.As(err, &ne) {
		t.Errorf("Run error = %v, want a *index.NetworkError inside", err)
	}
	if rep == nil || len(rep.Findings) != 1 || rep.Findings[0].Project != "a" {
		t.Fatalf("report = %+v, want the finding of the project that answered", rep)
	}
	if len(rep.Errors) != 2 {
		t.Errorf("errors = %q, want 2 (the index down, the 500)", rep.Errors)
	}
	all, _ := json.Marshal(rep)
	if strings.Contains(string(all)+err.Error(), "s3cret") {
		t.Errorf("a credential reached the report or the error: %s %v", all, err)
	}

	// The public index down: no all-clear either.
	o = Options{Public: Index{Name: "public", URL: down.URL}, Indexes: []Index{{Name: "internal", URL: public.URL}}}
	rep, err = Run(context.Background(), newClient(t), o)
	if !errors.As(err, &inc) || rep.Public.Error == "" || len(rep.Findings) != 0 {
		t.Errorf("public down: err = %v, report = %+v; want *IncompleteError, the public error, no findings", err, rep)
	}
}

func TestSameURL(t *testing.T) {
	same := [][2]string{
		{"https://u:p@Pypi.Org/simple/", "https://pypi.org/simple"},
		{"HTTPS://a.example/simple", "https://a.example/simple/"},
	}
	for _, p := range same {
		if !SameURL(p[0], p[1]) {
			t.Errorf("SameURL(%q, %q) = false, want true", p[0], p[1])
		}
	}
	if SameURL("https://a.example/simple", "https://a.example/other") {
		t.Error("different paths compare equal")
	}
}

func TestPick(t *testing.T) {
	vs := parseAll([]string{"1.0", "2.0a1", "1.5", "0.9"})
	if v, ok := pick(vs); !ok || v.String() != "1.5" {
		t.Errorf("pick = %v, %v; want 1.5", v, ok)
	}
	if _, ok := pick(nil); ok {
		t.Error("pick(nil) found a version")
	}
	if v, _ := pick([]pep440.Version{pep440.MustParse("1.0a1"), pep440.MustParse("1.0b1")}); v.String() != "1.0b1" {
		t.Errorf("pick of pre-releases = %v, want 1.0b1", v)
	}
}

func FuzzParsePipConfig(f *testing.F) {
	for _, s := range []string{"", "[global]\nindex-url = x\n", "[global]\nk =\n  a\n  b\n", "[g]\n  [h]\n", "\ufeff[a]\r\nb:c\r", "[global]\n\u3000k = v\n\u3000\u3000w\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		settings, err := ParsePipConfig("pip.conf", data)
		if err != nil {
			return
		}
		for _, s := range settings {
			if s.Line < 1 || s.Section == "" || s.Key == "" {
				t.Fatalf("setting %+v: want a line, a section and a key", s)
			}
		}
		PipIndexes(settings, nil)
	})
}

func FuzzParseRoot(f *testing.F) {
	for _, s := range []string{`<a href="a/">a</a>`, `{"meta":{"api-version":"1.0"},"projects":[{"name":"a"}]}`, `<a`, `<a href=x>`, `<a href='`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		names, err := ParseRoot(data)
		if err != nil {
			return
		}
		if !slices.IsSorted(names) {
			t.Fatalf("names not sorted: %q", names)
		}
		ParseLinks(data)
	})
}
