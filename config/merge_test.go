package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func mustParse(t *testing.T, doc string) *File {
	t.Helper()
	f, err := Parse(filepath.Join("proj", "safepip.toml"), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// summary lists the indexes as "name=url[default][pins]" with the real URL,
// for comparing merges.
func summary(c *Config) string {
	var parts []string
	for _, x := range c.Indexes {
		s := x.Name + "=" + x.URL
		if x.Default {
			s += "[default]"
		}
		if x.Kind == Flat {
			s += "[flat]"
		}
		if len(x.Packages) > 0 {
			s += fmt.Sprint(x.Packages)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

const tomlPyPIInternal = `[[index]]
name = "pypi"
url = "https://pypi.org/simple"
default = true

[[index]]
name = "internal"
url = "https://pypi.internal.example/simple"
packages = ["acme-*"]
`

func TestMerge(t *testing.T) {
	req := func(name, value, src string) IndexOption { return IndexOption{Name: name, Value: value, Source: src} }
	tests := []struct {
		name string
		doc  string // safepip.toml; "" for none
		reqs []IndexOption
		fl   Flags
		want string
	}{
		{"nothing: PyPI", "", nil, Flags{}, "pypi=https://pypi.org/simple[default]"},
		{"file only", tomlPyPIInternal, nil, Flags{},
			"pypi=https://pypi.org/simple[default] internal=https://pypi.internal.example/simple[acme-*]"},
		{"file without default gets PyPI", "[[index]]\nname = \"internal\"\nurl = \"https://i.example/simple\"\npackages = [\"a\"]", nil, Flags{},
			"pypi=https://pypi.org/simple[default] internal=https://i.example/simple[a]"},
		{"file names another index pypi", "[[index]]\nname = \"pypi\"\nurl = \"https://i.example/simple\"\npackages = [\"a\"]", nil, Flags{},
			"pypi.org=https://pypi.org/simple[default] pypi=https://i.example/simple[a]"},
		{"requirements --index-url replaces the file's default", tomlPyPIInternal,
			[]IndexOption{req("--index-url", "https://mirror.example/simple", "r.txt:1")}, Flags{},
			"mirror.example=https://mirror.example/simple[default] internal=https://pypi.internal.example/simple[acme-*]"},
		{"command line beats requirements", tomlPyPIInternal,
			[]IndexOption{req("-i", "https://mirror.example/simple", "r.txt:1")}, Flags{IndexURL: "https://cli.example/simple"},
			"cli.example=https://cli.example/simple[default] internal=https://pypi.internal.example/simple[acme-*]"},
		{"--index-url equal to the file's default keeps its name", tomlPyPIInternal,
			[]IndexOption{req("--index-url", "https://PyPI.org/simple/", "r.txt:1")}, Flags{},
			"pypi=https://pypi.org/simple[default] internal=https://pypi.internal.example/simple[acme-*]"},
		{"same --index-url twice", "",
			[]IndexOption{req("--index-url", "https://m.example/simple", "a.txt:1"), req("--index-url", "https://m.example/simple/", "b.txt:1")}, Flags{},
			"m.example=https://m.example/simple[default]"},
		{"extra index from requirements", "",
			[]IndexOption{req("--extra-index-url", "https://pypi.internal.example/simple", "r.txt:2")}, Flags{},
			"pypi=https://pypi.org/simple[default] pypi.internal.example=https://pypi.internal.example/simple"},
		{"extra already declared keeps the declaration", tomlPyPIInternal,
			[]IndexOption{req("--extra-index-url", "https://u:p@pypi.internal.example/simple/", "r.txt:2")}, Flags{},
			"pypi=https://pypi.org/simple[default] internal=https://u:p@pypi.internal.example/simple/[acme-*]"},
		{"extra equal to default", "", nil, Flags{ExtraIndexURLs: []string{"https://pypi.org/simple/"}},
			"pypi=https://pypi.org/simple[default]"},
		{"two extras on one host", "", nil, Flags{ExtraIndexURLs: []string{"https://h.example/a/simple", "https://h.example/b/simple"}},
			"pypi=https://pypi.org/simple[default] h.example=https://h.example/a/simple h.example-2=https://h.example/b/simple"},
		{"loopback port in name", "", nil, Flags{ExtraIndexURLs: []string{"http://127.0.0.1:8080/simple"}},
			"pypi=https://pypi.org/simple[default] 127.0.0.1-8080=http://127.0.0.1:8080/simple"},
		{"find-links path against the requirements dir", "",
			[]IndexOption{{Name: "--find-links", Value: "wheels", Source: "sub/r.txt:1", Dir: "/work/sub"}}, Flags{},
			"pypi=https://pypi.org/simple[default] wheels=file:///work/sub/wheels[flat]"},
		{"find-links path on the command line", "", nil, Flags{FindLinks: []string{"dist"}},
			"pypi=https://pypi.org/simple[default] dist=file:///cwd/dist[flat]"},
		{"--no-index keeps find-links only", tomlPyPIInternal,
			[]IndexOption{req("--no-index", "", "r.txt:1"), req("-f", "file:///srv/wheels", "r.txt:2")}, Flags{},
			"wheels=file:///srv/wheels[flat]"},
		{"--no-index on the command line", "", nil, Flags{NoIndex: true, FindLinks: []string{"/srv/w"}},
			"w=file:///srv/w[flat]"},
		{"flat index from the file, relative to it", "[[index]]\nname = \"local\"\nurl = \"wheels\"\nformat = \"flat\"\npackages = [\"acme-*\"]", nil, Flags{},
			"pypi=https://pypi.org/simple[default] local=file:///cwd/proj/wheels[flat][acme-*]"},
		{"${VAR} in the file", "[[index]]\nname = \"i\"\nurl = \"https://${USER}:${TOKEN}@${HOST}/simple\"\ndefault = true", nil, Flags{},
			"i=https://me:tok@i.example/simple[default]"},
		{"${VAR} in requirements, not on the command line", "",
			[]IndexOption{req("--extra-index-url", "https://${HOST}/simple", "r.txt:1")}, Flags{ExtraIndexURLs: []string{"https://h.example/$%7BHOST%7D"}},
			// the command line's extra URLs come first, as pip lists them
			"pypi=https://pypi.org/simple[default] h.example=https://h.example/$%7BHOST%7D i.example=https://i.example/simple"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *File
			if tt.doc != "" {
				f = mustParse(t, tt.doc)
			}
			c, err := New(Options{File: f, Requirements: tt.reqs, Flags: tt.fl, Dir: "/cwd",
				Getenv: env(map[string]string{"USER": "me", "TOKEN": "tok", "HOST": "i.example"})})
			if err != nil {
				t.Fatal(err)
			}
			got := summary(c)
			if tt.name == "flat index from the file, relative to it" {
				abs, _ := filepath.Abs("proj")
				got = strings.ReplaceAll(got, "file://"+filepath.ToSlash(abs), "file:///cwd/proj")
			}
			if got != tt.want {
				t.Errorf("indexes:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestMergeSources(t *testing.T) {
	c, err := New(Options{
		File:         mustParse(t, tomlPyPIInternal),
		Requirements: []IndexOption{{Name: "--extra-index-url", Value: "https://x.example/simple", Source: "r.txt:4"}},
		Flags:        Flags{FindLinks: []string{"https://links.example/"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"pypi":          filepath.Join("proj", "safepip.toml") + ":1",
		"internal":      filepath.Join("proj", "safepip.toml") + ":6",
		"x.example":     "r.txt:4 (--extra-index-url)",
		"links.example": "command line (--find-links)",
	}
	for name, src := range want {
		x, ok := c.Index(name)
		if !ok || x.Source != src {
			t.Errorf("index %q: source %q, want %q (found %v)", name, x.Source, src, ok)
		}
	}
	c, _ = New(Options{})
	if d, _ := c.Default(); d.Source != "built-in default" || d.Name != "pypi" {
		t.Errorf("built-in default = %v from %q", d, d.Source)
	}
}

func TestMergeErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		reqs []IndexOption
		fl   Flags
		want []string
	}{
		{"unset variable in the file", "[[index]]\nname = \"i\"\n\nurl = \"https://${NOPE}@i.example/simple\"", nil, Flags{},
			[]string{"proj/safepip.toml:1: index.url: [[index]] \"i\": ${NOPE} is not set"}},
		{"unset variable in requirements", "", []IndexOption{{Name: "--extra-index-url", Value: "https://${NOPE}/simple", Source: "r.txt:3"}}, Flags{},
			[]string{"r.txt:3: --extra-index-url: ${NOPE} is not set"}},
		{"http to a remote host", "", nil, Flags{IndexURL: "http://mirror.example/simple"},
			[]string{"command line: --index-url: http://mirror.example/simple: plain http is allowed only for loopback hosts; use https"}},
		{"bad scheme", "", []IndexOption{{Name: "-f", Value: "ftp://x.example/", Source: "r.txt:1"}}, Flags{},
			[]string{"r.txt:1: -f: ftp://x.example/: unsupported scheme \"ftp\""}},
		{"https without host", "", nil, Flags{ExtraIndexURLs: []string{"https:///simple"}},
			[]string{"command line: --extra-index-url: https:///simple has no host"}},
		{"two different --index-url in requirements", "", []IndexOption{
			{Name: "--index-url", Value: "https://a.example/simple", Source: "a.txt:1"},
			{Name: "--index-url", Value: "https://b.example/simple", Source: "b.txt:2"}}, Flags{},
			[]string{"b.txt:2: --index-url: https://b.example/simple conflicts with --index-url https://a.example/simple (a.txt:1)"}},
		{"--index-url onto a pinned index", tomlPyPIInternal, nil, Flags{IndexURL: "https://pypi.internal.example/simple"},
			[]string{"command line: --index-url: https://pypi.internal.example/simple is [[index]] \"internal\"", "cannot be the default"}},
		{"not an index option", "", []IndexOption{{Name: "--pre", Source: "r.txt:1"}}, Flags{},
			[]string{"r.txt:1: --pre: not an index option"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *File
			if tt.doc != "" {
				f = mustParse(t, tt.doc)
			}
			_, err := New(Options{File: f, Requirements: tt.reqs, Flags: tt.fl, Getenv: env(nil)})
			if err == nil {
				t.Fatalf("New succeeded, want %q", tt.want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("%T is not a *config.Error", err)
			}
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "proj/safepip.toml", filepath.Join("proj", "safepip.toml"))
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestNoIndexKeepsPins(t *testing.T) {
	c, err := New(Options{File: mustParse(t, tomlPyPIInternal), Flags: Flags{NoIndex: true, FindLinks: []string{"/srv/w"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Pin("acme-auth")
	if err == nil || !strings.Contains(err.Error(), `"acme-auth" is pinned to index "internal"`) || !strings.Contains(err.Error(), "--no-index (command line)") {
		t.Errorf("Pin after --no-index = %v, want an error naming the pin and --no-index", err)
	}
	if _, ok, err := c.Pin("requests"); ok || err != nil {
		t.Errorf("Pin(requests) = %v, %v", ok, err)
	}
}

func TestExpandVars(t *testing.T) {
	get := env(map[string]string{"A": "1", "B_2": "two", "EMPTY": ""})
	tests := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${A}", "1", ""},
		{"x${A}y${B_2}z", "x1ytwoz", ""},
		{"${EMPTY}", "", ""},
		{"$A ${ A} ${1A} ${}", "$A ${ A} ${1A} ${}", ""},
		{"${A", "${A", ""},
		{"${UNSET}", "", "${UNSET} is not set"},
		{"${A}${UNSET}", "", "${UNSET} is not set"},
	}
	for _, tt := range tests {
		got, err := expandVars(tt.in, get)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("expandVars(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("expandVars(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
