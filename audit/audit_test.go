package audit

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/pypa/pep440"
)

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
