package config

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
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
			for i := range got {
				got[i].raw = ""
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
		PipDeclarations(PipCommand, settings, nil)
		if _, err := ReadPip(PipCommand, [][]PipSetting{settings}, nil); err != nil && !strings.Contains(err.Error(), "not a valid value") && !strings.Contains(err.Error(), "the value must be") {
			t.Fatalf("ReadPip: %v", err)
		}
	})
}

func TestReadPip(t *testing.T) {
	parse := func(name, text string) []PipSetting {
		s, err := ParsePipConfig(name, []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name  string
		files [][]PipSetting
		env   map[string]string
		want  Pip
		err   string
	}{
		{name: "nothing"},
		{
			name:  "a later file overrides an earlier one; [install] overrides [global]",
			files: [][]PipSetting{parse("/etc/pip.conf", "[global]\nindex-url = https://g/simple\nextra-index-url = https://e/simple\n"), parse("/u/pip.conf", "[install]\nindex_url = https://u/simple\n")},
			want: Pip{
				IndexURL:       &PipValue{"https://u/simple", "/u/pip.conf:2 [install] index-url"},
				ExtraIndexURLs: []PipValue{{"https://e/simple", "/etc/pip.conf:3 [global] extra-index-url"}},
			},
		},
		{
			name:  "the environment replaces a list whole; multi-line values split",
			files: [][]PipSetting{parse("c", "[global]\nextra-index-url =\n  https://a/simple\n  https://b/simple\nfind-links = /w\n")},
			env:   map[string]string{"PIP_EXTRA_INDEX_URL": " https://x/simple  https://y/simple "},
			want: Pip{
				ExtraIndexURLs: []PipValue{{"https://x/simple", "PIP_EXTRA_INDEX_URL"}, {"https://y/simple", "PIP_EXTRA_INDEX_URL"}},
				FindLinks:      []PipValue{{"/w", "c:5 [global] find-links"}},
			},
		},
		{
			name:  "empty values are skipped; [download] and [DEFAULT] without sections are not read",
			files: [][]PipSetting{parse("c", "[DEFAULT]\npre = yes\n[download]\nindex-url = https://d/simple\n[global]\nindex-url =\n")},
			env:   map[string]string{"PIP_INDEX_URL": ""},
			want:  Pip{Pre: &PipValue{"true", "c:2 [DEFAULT] pre"}},
		},
		{
			name:  "booleans: strtobool words; false overrides true; PIP_NO_INDEX is not inverted",
			files: [][]PipSetting{parse("c", "[global]\nno-index = true\npre = ON\nrequire-hashes = 1\n")},
			env:   map[string]string{"PIP_NO_INDEX": "no", "PIP_REQUIRE_HASHES": "T"},
			want:  Pip{Pre: &PipValue{"true", "c:3 [global] pre"}, RequireHashes: &PipValue{"true", "PIP_REQUIRE_HASHES"}},
		},
		{
			name: "constraints split at white space",
			env:  map[string]string{"PIP_CONSTRAINT": "a.txt  b.txt"},
			want: Pip{Constraints: []PipValue{{"a.txt", "PIP_CONSTRAINT"}, {"b.txt", "PIP_CONSTRAINT"}}},
		},
		{
			name:  "format control accumulates across layers",
			files: [][]PipSetting{parse("c", "[global]\nno-binary = Foo_Bar,baz\n")},
			env:   map[string]string{"PIP_ONLY_BINARY": "baz"},
			want:  Pip{NoBinary: []PipValue{{"foo-bar", "c:2 [global] no-binary"}}, OnlyBinary: []PipValue{{"baz", "PIP_ONLY_BINARY"}}},
		},
		{
			name: ":all: then :none: clears",
			env:  map[string]string{"PIP_NO_BINARY": ":all:,:none:,x"},
			want: Pip{NoBinary: []PipValue{{"x", "PIP_NO_BINARY"}}},
		},
		{name: "bad boolean", env: map[string]string{"PIP_PRE": "maybe"}, err: `PIP_PRE: "maybe" is not a valid value for pre`},
		{name: "bad boolean with spaces", files: [][]PipSetting{parse("c", "[global]\nno-index = yes \n")}, env: map[string]string{"PIP_NO_INDEX": " yes"}, err: `PIP_NO_INDEX: " yes" is not a valid value for no-index`},
		{name: "format value with a dash", env: map[string]string{"PIP_NO_BINARY": "-x"}, err: `PIP_NO_BINARY: --no-binary "-x"`},
		{name: "pypi-url and index-url disagree", env: map[string]string{"PIP_PYPI_URL": "https://a/simple", "PIP_INDEX_URL": "https://b/simple"}, err: "PIP_PYPI_URL: https://a/simple conflicts with PIP_INDEX_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadPip(PipCommand, tt.files, func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ReadPip error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("ReadPip =\n%+v\nwant\n%+v", *got, tt.want)
			}
		})
	}
}

func TestPipDeclarations(t *testing.T) {
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
	}
	got := PipDeclarations(PipCommand, settings, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
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
		t.Errorf("PipDeclarations =\n%v\nwant\n%v", got, want)
	}
}

// TestNewPip pins how pip's configuration meets the requirements files,
// the flags and safepip.toml in New.
func TestNewPip(t *testing.T) {
	env := func(k string) (string, bool) { return "", false }
	pipIdx := &Pip{
		IndexURL:       &PipValue{"https://mirror.example/simple", "PIP_INDEX_URL"},
		ExtraIndexURLs: []PipValue{{"https://extra.example/simple", "/etc/pip.conf:3 [global] extra-index-url"}},
		FindLinks:      []PipValue{{"/wheels", "PIP_FIND_LINKS"}},
	}
	file, err := Parse("safepip.toml", []byte("[[index]]\nname = \"pypi\"\nurl = \"https://pypi.org/simple\"\ndefault = true\n\n[[index]]\nname = \"internal\"\nurl = \"https://extra.example/simple\"\npackages = [\"acme-*\"]\n\n[policy]\nallow-sdist = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	list := func(c *Config) []string {
		var out []string
		for _, x := range c.Indexes {
			out = append(out, fmt.Sprintf("%s %s default=%t [%s]", x.Name, x.Display(), x.Default, x.Source))
		}
		return out
	}
	tests := []struct {
		name string
		o    Options
		want []string
	}{
		{
			name: "pip alone: PIP_INDEX_URL is the default, extras and find-links follow",
			o:    Options{Pip: pipIdx, Getenv: env},
			want: []string{
				"mirror.example https://mirror.example/simple default=true [PIP_INDEX_URL]",
				"extra.example https://extra.example/simple default=false [/etc/pip.conf:3 [global] extra-index-url]",
				"wheels /wheels default=false [PIP_FIND_LINKS]",
			},
		},
		{
			name: "a requirements file's --index-url replaces pip's index URLs, extra ones too, as in pip",
			o: Options{Pip: pipIdx, Getenv: env, Requirements: []IndexOption{
				{Name: "--index-url", Value: "https://req.example/simple", Source: "requirements.txt:1"},
				{Name: "--extra-index-url", Value: "https://reqx.example/simple", Source: "requirements.txt:2"},
			}},
			want: []string{
				"req.example https://req.example/simple default=true [requirements.txt:1 (--index-url)]",
				"wheels /wheels default=false [PIP_FIND_LINKS]",
				"reqx.example https://reqx.example/simple default=false [requirements.txt:2 (--extra-index-url)]",
			},
		},
		{
			name: "a requirements file's --extra-index-url adds to pip's",
			o: Options{Pip: pipIdx, Getenv: env, Requirements: []IndexOption{
				{Name: "--extra-index-url", Value: "https://reqx.example/simple", Source: "requirements.txt:2"},
			}},
			want: []string{
				"mirror.example https://mirror.example/simple default=true [PIP_INDEX_URL]",
				"extra.example https://extra.example/simple default=false [/etc/pip.conf:3 [global] extra-index-url]",
				"wheels /wheels default=false [PIP_FIND_LINKS]",
				"reqx.example https://reqx.example/simple default=false [requirements.txt:2 (--extra-index-url)]",
			},
		},
		{
			name: "--index-url on the command line replaces pip's; --find-links adds to pip's list, after it, as optparse appends",
			o:    Options{Pip: pipIdx, Getenv: env, Flags: Flags{IndexURL: "https://cli.example/simple", FindLinks: []string{"/cli"}}},
			want: []string{
				"cli.example https://cli.example/simple default=true [command line (--index-url)]",
				"extra.example https://extra.example/simple default=false [/etc/pip.conf:3 [global] extra-index-url]",
				"wheels /wheels default=false [PIP_FIND_LINKS]",
				"cli /cli default=false [command line (--find-links)]",
			},
		},
		{
			name: "PIP_INDEX_URL replaces safepip.toml's default; an extra URL of a pinned index stays pinned",
			o:    Options{Pip: pipIdx, Getenv: env, File: file},
			want: []string{
				"mirror.example https://mirror.example/simple default=true [PIP_INDEX_URL]",
				"internal https://extra.example/simple default=false [safepip.toml:6]",
				"wheels /wheels default=false [PIP_FIND_LINKS]",
			},
		},
		{
			name: "PIP_NO_INDEX keeps the find-links only",
			o:    Options{Pip: &Pip{ExtraIndexURLs: pipIdx.ExtraIndexURLs, FindLinks: pipIdx.FindLinks, NoIndex: &PipValue{"true", "PIP_NO_INDEX"}}, Getenv: env},
			want: []string{"wheels /wheels default=false [PIP_FIND_LINKS]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := list(c); !slices.Equal(got, tt.want) {
				t.Errorf("indexes =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}

	// pip's --only-binary narrows allow-sdist, and the digest sees it.
	c, err := New(Options{File: file, Pip: &Pip{OnlyBinary: []PipValue{{"acme-lib", "PIP_ONLY_BINARY"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Policy.SdistAllowed("acme-lib") || !c.Policy.SdistAllowed("other") {
		t.Errorf("only-binary acme-lib: SdistAllowed(acme-lib) = %t, (other) = %t; want false, true", c.Policy.SdistAllowed("acme-lib"), c.Policy.SdistAllowed("other"))
	}
	if !strings.Contains(string(c.Canonical()), `allow-sdist=true except ["acme-lib"]`) {
		t.Errorf("Canonical does not record the only-binary exception:\n%s", c.Canonical())
	}
	c, _ = New(Options{File: file, Pip: &Pip{OnlyBinary: []PipValue{{":all:", "PIP_ONLY_BINARY"}}}})
	if c.Policy.SdistAllowed("other") {
		t.Error("only-binary :all: still allows sdists")
	}
}

// TestNewPipSecret: credentials in a pip URL are used for requests and
// never shown.
func TestNewPipSecret(t *testing.T) {
	const secret = "s3cr3t-token"
	_, err := New(Options{Pip: &Pip{
		IndexURL:       &PipValue{"https://user:" + secret + "@mirror.example/simple", "PIP_INDEX_URL"},
		ExtraIndexURLs: []PipValue{{"http://user:" + secret + "@pypi.internal.example/simple", "/etc/pip.conf:2 [global] extra-index-url"}},
	}})
	if err == nil {
		t.Fatal("plain http to a non-loopback host was accepted")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error shows the secret: %v", err)
	}
	c, err := New(Options{Pip: &Pip{IndexURL: &PipValue{"https://user:" + secret + "@mirror.example/simple", "PIP_INDEX_URL"}}})
	if err != nil {
		t.Fatal(err)
	}
	x, _ := c.Default()
	if !strings.Contains(x.URL, secret) {
		t.Errorf("the request URL lost its credentials: %s", x.Display())
	}
	for _, shown := range []string{x.Display(), x.String(), string(c.Canonical()), fmt.Sprintf("%#v", x)} {
		if strings.Contains(shown, secret) {
			t.Errorf("%q shows the secret", shown)
		}
	}
}
