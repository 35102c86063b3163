package config

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// secret is put in URLs; no message, string form or canonical form may
// contain it.
const secret = "hunter2-s3cret"

func TestSecretsNeverPrinted(t *testing.T) {
	cred := "https://deploy:" + secret + "@pypi.internal.example/simple"
	getenv := env(map[string]string{"TOKEN": secret, "USER_TOKEN": "deploy:" + secret})
	var texts []string
	add := func(what string, err error) {
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		texts = append(texts, what+": "+err.Error())
	}

	// Parse errors around a URL with credentials.
	for _, doc := range []string{
		"[[index]]\nname = \"i\"\nurl = \"" + cred + "\"\npackages = [\"bad/\"]",
		"[[index]]\nname = \"i\"\nurl = \"" + cred,
		"[[index]]\nname = \"i\"\nurl = \"" + cred + "\"\nurl = \"" + cred + "\"",
		"[[index]]\nname = \"i\"\nurl = [\"" + cred + "\"]",
		"[[index]]\nname = \"i\"\nurl = \"" + cred + "\"\n[[index]]\nname = \"j\"\nurl = \"" + cred + "\"",
		"[[index]]\nname = \"i\"\nurl = \"" + cred + "\" x",
	} {
		_, err := Parse("safepip.toml", []byte(doc))
		add(fmt.Sprintf("Parse(%q)", strings.ReplaceAll(doc, secret, "SECRET")), err)
	}

	// Merge errors.
	merge := func(what, doc string, reqs []IndexOption, fl Flags) {
		var f *File
		if doc != "" {
			var err error
			if f, err = Parse("safepip.toml", []byte(doc)); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		_, err := New(Options{File: f, Requirements: reqs, Flags: fl, Getenv: getenv})
		add(what, err)
	}
	merge("http remote", "[[index]]\nname = \"i\"\nurl = \"http://deploy:"+secret+"@mirror.example/simple\"\ndefault = true", nil, Flags{})
	merge("expanded secret, bad scheme", "[[index]]\nname = \"i\"\nurl = \"ftp://${USER_TOKEN}@mirror.example/simple\"\ndefault = true", nil, Flags{})
	merge("expanded secret in path, no host", "[[index]]\nname = \"i\"\nurl = \"https:///${TOKEN}/simple\"\ndefault = true", nil, Flags{})
	merge("unparsable", "", nil, Flags{IndexURL: "https://deploy:" + secret + "@host:port/simple"})
	merge("unparsable requirement", "", []IndexOption{{Name: "--extra-index-url", Value: "https://deploy:" + secret + "@host:port/simple", Source: "r.txt:1"}}, Flags{})
	merge("conflicting --index-url", "", []IndexOption{
		{Name: "--index-url", Value: cred, Source: "a.txt:1"},
		{Name: "--index-url", Value: "https://x:" + secret + "@other.example/simple", Source: "b.txt:1"}}, Flags{})
	merge("--index-url onto a pin", "[[index]]\nname = \"i\"\nurl = \""+cred+"\"\npackages = [\"a\"]", nil, Flags{IndexURL: cred})

	// Routing errors, with a lookup whose own errors carry the URL.
	c, err := New(Options{
		File:         mustParse(t, "[[index]]\nname = \"internal\"\nurl = \"https://${USER_TOKEN}@pin.example/simple\"\npackages = [\"acme-*\"]"),
		Requirements: []IndexOption{{Name: "--extra-index-url", Value: cred, Source: "r.txt:1"}},
		Getenv:       getenv,
	})
	if err != nil {
		t.Fatal(err)
	}
	leaky := leakyLookup{have: map[string]map[string][]string{
		"pypi":                  {"both": {"1"}},
		"pypi.internal.example": {"both": {"2"}, "private": {"1"}},
	}, fail: map[string]bool{"internal": true}}
	r := NewRouter(c, leaky)
	for _, tc := range []struct{ project, locked string }{{"both", ""}, {"ghost", ""}, {"acme-x", ""}, {"private", "gone"}, {"both", "pypi.internal.example"}} {
		_, err := r.Route(context.Background(), tc.project, tc.locked)
		add("Route("+tc.project+")", err)
		var amb *AmbiguousError
		if errors.As(err, &amb) {
			texts = append(texts, strings.Join(amb.Fix(), "\n"))
		}
	}

	// String forms.
	texts = append(texts, fmt.Sprintf("%v %+v %#v %s", c.Indexes, c.Indexes, c.Indexes, c.Indexes), string(c.Canonical()))
	for _, x := range c.Indexes {
		texts = append(texts, x.String(), x.Display(), RedactURL(x.URL))
		if x.Name != "pypi" && !strings.Contains(x.URL, secret) {
			t.Errorf("index %s lost its credentials: they are needed for requests", x.Name)
		}
	}

	for _, s := range texts {
		if strings.Contains(s, secret) {
			t.Errorf("secret printed:\n%s", s)
		}
	}
	t.Logf("checked %d messages and string forms", len(texts))
}

// leakyLookup returns errors quoting the full URL, as a careless client
// would.
type leakyLookup struct {
	have map[string]map[string][]string
	fail map[string]bool
}

func (l leakyLookup) Versions(ctx context.Context, idx Index, project string) ([]string, error) {
	if l.fail[idx.Name] {
		return nil, fmt.Errorf("GET %s/%s/: 503", idx.URL, project)
	}
	if vs, ok := l.have[idx.Name][project]; ok {
		return vs, nil
	}
	return nil, ErrNotFound
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://pypi.org/simple", "https://pypi.org/simple"},
		{"https://user:pass@h.example/simple", "https://***@h.example/simple"},
		{"https://token@h.example/simple", "https://***@h.example/simple"},
		{"https://${U}:${P}@h.example/simple", "https://***@h.example/simple"},
		{"https://u:p@ss@h.example/a@b", "https://***@h.example/a@b"},
		{"https://h.example/path@x", "https://h.example/path@x"},
		{"https://h.example?x=a@b", "https://h.example?x=a@b"},
		{"not a url", "not a url"},
		{"./wheels", "./wheels"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonical(t *testing.T) {
	a := mustParse(t, fullConfig)
	// The same configuration written in another order, with other
	// credentials.
	b := mustParse(t, `[policy.publishers]
google-thing = "google:release@example.iam.gserviceaccount.com"
acme-lib = { workflow = "ci/release.yml", publisher = "gitlab:acme/libs/acme-lib" }
torch-vision = { publisher = "github:pytorch/vision", workflow = ".github/workflows/release.yaml" }
requests = "github:psf/requests"

[policy]
trusted-root = "keys/trusted_root.json"
require-attestations = ["torch", "numpy"]
attestations = "require"
min-release-age = "219h"
exclude-newer = "2026-10-31T23:00:00Z"
allow-sdist = ["other", "legacy-thing"]

[[index]]
name = "wheels"
url = "./wheels"
format = "flat"
packages = ["LOCAL-?"]

[[index]]
url = "https://${INTERNAL_USER}:${INTERNAL_TOKEN}@pypi.internal.example/simple/"
name = "internal"
packages = ["acme-*", "torchtriton"]

[[index]]
name = "pypi"
url = "https://pypi.org/simple"
default = true
`)
	getA := env(map[string]string{"INTERNAL_USER": "u1", "INTERNAL_TOKEN": "t1"})
	getB := env(map[string]string{"INTERNAL_USER": "u2", "INTERNAL_TOKEN": "t2"})
	ca, err := New(Options{File: a, Getenv: getA})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := New(Options{File: b, Getenv: getB, Dir: "/elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	if string(ca.Canonical()) != string(cb.Canonical()) {
		t.Errorf("canonical forms differ:\n%s\n---\n%s", ca.Canonical(), cb.Canonical())
	}
	for _, s := range []string{"t1", "u1", "/proj", "safepip.toml"} {
		if strings.Contains(string(ca.Canonical()), s) {
			t.Errorf("canonical form holds %q:\n%s", s, ca.Canonical())
		}
	}
	// A change that matters changes it.
	cc, _ := New(Options{File: b, Getenv: getB, Flags: Flags{ExtraIndexURLs: []string{"https://x.example/simple"}}})
	if string(cc.Canonical()) == string(cb.Canonical()) {
		t.Errorf("an extra index does not change the canonical form")
	}
	want := `index name="internal" url="https://pypi.internal.example/simple/" format=simple default=false packages=["acme-*","torchtriton"]
index name="pypi" url="https://pypi.org/simple" format=simple default=true packages=[]
index name="wheels" url="./wheels" format=flat default=false packages=["local-?"]
policy allow-sdist=["legacy-thing","other"]
policy exclude-newer=2026-10-31T23:00:00Z
policy min-release-age=219h0m0s
policy attestations=require
policy require-attestations=["numpy","torch"]
policy trusted-root="keys/trusted_root.json"
policy publisher "acme-lib"="gitlab:acme/libs/acme-lib" workflow="ci/release.yml"
policy publisher "google-thing"="google:release@example.iam.gserviceaccount.com" workflow=""
policy publisher "requests"="github:psf/requests" workflow=""
policy publisher "torch-vision"="github:pytorch/vision" workflow=".github/workflows/release.yaml"
`
	if got := string(ca.Canonical()); got != want {
		t.Errorf("Canonical:\n%s\nwant:\n%s", got, want)
	}
}
