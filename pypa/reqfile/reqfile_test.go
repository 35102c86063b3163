package reqfile

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

const sha = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

// reqSummary is a requirement in a form easy to compare in a table.
func reqSummary(r Requirement) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %q", r.Source, r.Kind, r.Text)
	if r.Req != nil {
		fmt.Fprintf(&b, " req=%q", r.Req.Name)
	}
	if r.Location != "" {
		fmt.Fprintf(&b, " at=%q", r.Location)
	}
	if len(r.Extras) > 0 {
		fmt.Fprintf(&b, " extras=%v", r.Extras)
	}
	if r.Marker != nil {
		fmt.Fprintf(&b, " marker")
	}
	if r.Editable {
		b.WriteString(" editable")
	}
	if r.Constraint {
		b.WriteString(" constraint")
	}
	for _, h := range r.Hashes {
		fmt.Fprintf(&b, " %s", h.Algorithm)
	}
	if len(r.GlobalOptions) > 0 {
		fmt.Fprintf(&b, " global=%q", r.GlobalOptions)
	}
	if len(r.ConfigSettings) > 0 {
		fmt.Fprintf(&b, " config=%v", r.ConfigSettings)
	}
	return b.String()
}

func summaries(f *File) []string {
	var out []string
	for _, r := range f.Requirements {
		out = append(out, reqSummary(r))
	}
	return out
}

func TestParseRequirements(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"names", "requests>=2\nflask[async] == 3.0 ; python_version >= '3.8'\n",
			[]string{`r.txt:1 name "requests>=2" req="requests"`, `r.txt:2 name "flask[async] == 3.0 ; python_version >= '3.8'" req="flask"`}},
		{"hashes", "a==1 --hash=" + sha + " \\\n    --hash " + sha + "\n",
			[]string{`r.txt:1 name "a==1" req="a" sha256 sha256`}},
		{"per-requirement options", `a --global-option="--x y" -C k=v -C k=w --config-settings=j=1`,
			[]string{`r.txt:1 name "a" req="a" global=["--x y"] config=map[j:[1] k:[v w]]`}},
		{"name at url", "pkg @ https://x/pkg-1.0.tar.gz",
			[]string{`r.txt:1 name "pkg @ https://x/pkg-1.0.tar.gz" req="pkg"`}},
		{"name at url then marker without space", "pkg @ https://x/p.whl;python_version>'3'",
			[]string{`r.txt:1 name "pkg @ https://x/p.whl;python_version>'3'" req="pkg"`}},
		{"url", "https://x/pkg-1.0-py3-none-any.whl#sha256=ab ; python_version > '3'",
			[]string{`r.txt:1 url "https://x/pkg-1.0-py3-none-any.whl#sha256=ab ; python_version > '3'" at="https://x/pkg-1.0-py3-none-any.whl#sha256=ab" marker`}},
		{"vcs url", "git+https://g/x.git@v1#egg=x",
			[]string{`r.txt:1 url "git+https://g/x.git@v1#egg=x" at="git+https://g/x.git@v1#egg=x"`}},
		{"paths", "./pkg[test]\n../dist/x-1.0-py3-none-any.whl\nx.tar.gz\nsub/dir;sys_platform=='linux'",
			[]string{`r.txt:1 path "./pkg[test]" at="./pkg" extras=[test]`, `r.txt:2 path "../dist/x-1.0-py3-none-any.whl" at="../dist/x-1.0-py3-none-any.whl"`, `r.txt:3 path "x.tar.gz" at="x.tar.gz"`, `r.txt:4 path "sub/dir;sys_platform=='linux'" at="sub/dir" marker`}},
		{"editables", "-e .\n--editable=git+https://g/x.git#egg=x\n-e file:///src/x[a]\n-e git:git.example/x#egg=x",
			[]string{`r.txt:1 path "." at="." editable`, `r.txt:2 url "git+https://g/x.git#egg=x" at="git+https://g/x.git#egg=x" editable`, `r.txt:3 url "file:///src/x[a]" at="file:///src/x" extras=[a] editable`, `r.txt:4 url "git:git.example/x#egg=x" at="git+git:git.example/x#egg=x" editable`}},
		{"editable drops per-requirement options as pip does", "-e ./x --hash=" + sha,
			[]string{`r.txt:1 path "./x" at="./x" editable`}},
		{"requirement beats -e on one line", "a -e ./x",
			[]string{`r.txt:1 name "a" req="a"`}},
		{"env in requirement", "${NAME}==1",
			[]string{`r.txt:1 name "demo==1" req="demo"`}},
	}
	opts := Options{Getenv: func(k string) (string, bool) { return map[string]string{"NAME": "demo"}[k], k == "NAME" }}
	for _, tt := range tests {
		f, err := Parse("r.txt", []byte(tt.in), opts)
		if err != nil {
			t.Errorf("%s: Parse: %v", tt.name, err)
			continue
		}
		if got := summaries(f); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Parse(%q) =\n\t%s\nwant\n\t%s", tt.name, tt.in, strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
		}
	}
}

func TestParseOptionsLines(t *testing.T) {
	in := strings.Join([]string{
		"--extra-index-url https://dropped/simple",                           // 1: dropped by -i below, as pip does
		"-i https://first/simple",                                            // 2
		"--index-url=https://idx/simple --extra-index-url https://x1/simple", // 3
		"--extra-index-url=https://x2/simple",                                // 4
		"-f https://links/ -f https://ignored/",                              // 5: pip uses the first -f of a line
		"--find-links=./wheels",                                              // 6
		"--pre --prefer-binary",                                              // 7
		"--require-hashes",                                                   // 8
		"--trusted-host idx --trusted-host=x1:8080",                          // 9
		"--no-binary :all: --only-binary=Foo_Bar,baz",                        // 10
		"--no-binary baz",                                                    // 11
		"--use-feature=truststore",                                           // 12
		"--pre",                                                              // 13: first source kept
	}, "\n")
	f, err := Parse("r.txt", []byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := f.Options
	src := func(n int) Source { return Source{"r.txt", n} }
	want := GlobalOptions{
		IndexURL:       &Setting{"https://idx/simple", src(3)},
		ExtraIndexURLs: []Setting{{"https://x1/simple", src(3)}, {"https://x2/simple", src(4)}},
		FindLinks:      []Setting{{"https://links/", src(5)}, {"./wheels", src(6)}},
		Pre:            &Flag{src(7)},
		PreferBinary:   &Flag{src(7)},
		RequireHashes:  &Flag{src(8)},
		TrustedHosts:   []Setting{{"idx", src(9)}, {"x1:8080", src(9)}},
		NoBinary:       []Setting{{":all:", src(10)}, {"baz", src(11)}},
		OnlyBinary:     []Setting{{"foo-bar", src(10)}},
		FormatValues: []FormatValue{{true, Setting{":all:", src(10)}}, {false, Setting{"Foo_Bar,baz", src(10)}},
			{true, Setting{"baz", src(11)}}},
		Features: []Setting{{"truststore", src(12)}},
	}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("options =\n%+v\nwant\n%+v", o, want)
	}
	if len(f.Requirements) != 0 {
		t.Errorf("requirements = %v, want none", summaries(f))
	}
}

func TestNoIndex(t *testing.T) {
	f, err := Parse("r.txt", []byte("-i https://a/simple\n--no-index\n-i https://b/simple\n--extra-index-url https://c/simple\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := f.Options
	if o.NoIndex == nil || o.NoIndex.Source.Line != 2 || o.IndexURL != nil || o.ExtraIndexURLs != nil {
		t.Errorf("after --no-index: NoIndex=%v IndexURL=%v Extra=%v; want NoIndex at line 2 and no URLs", o.NoIndex, o.IndexURL, o.ExtraIndexURLs)
	}
}

func TestWarnings(t *testing.T) {
	f, err := Parse("r.txt", []byte("--hash="+sha+"\na -i https://ignored/simple\n-e ./x --hash="+sha+"\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"r.txt:1: --hash without a requirement is ignored",
		"r.txt:2: -i is ignored on a requirement line; put it on its own line",
		"r.txt:3: --hash, --global-option and --config-settings are ignored on an editable requirement",
	}
	var got []string
	for _, w := range f.Warnings {
		got = append(got, w.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings = %q, want %q", got, want)
	}
	if f.Options.IndexURL != nil {
		t.Errorf("IndexURL = %v from a requirement line; pip ignores it", f.Options.IndexURL)
	}
}

// memFS is an in-memory Open.
type memFS map[string]string

func (m memFS) open(name string) ([]byte, error) {
	s, ok := m[name]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return []byte(s), nil
}

func TestNested(t *testing.T) {
	files := memFS{
		"req/dev.txt":            "-r base.txt\n-c ../constraints.txt\npytest\n-r https://h/x/remote.txt\n",
		"req/base.txt":           "requests\n--index-url https://idx/simple\n",
		"req/../constraints.txt": "urllib3<2\n",
		"https://h/x/remote.txt": "-r ../y/other.txt\n",
		"https://h/y/other.txt":  "six\n",
	}
	f, err := Parse("req/dev.txt", []byte(files["req/dev.txt"]), Options{Open: files.open})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`req/base.txt:1 name "requests" req="requests"`,
		`req/../constraints.txt:1 name "urllib3<2" req="urllib3" constraint`,
		`req/dev.txt:3 name "pytest" req="pytest"`,
		`https://h/y/other.txt:1 name "six" req="six"`,
	}
	if got := summaries(f); !reflect.DeepEqual(got, want) {
		t.Errorf("requirements =\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if f.Options.IndexURL == nil || f.Options.IndexURL.Source != (Source{"req/base.txt", 2}) {
		t.Errorf("IndexURL = %v, want it from req/base.txt:2", f.Options.IndexURL)
	}
	wantFiles := []string{"req/dev.txt", "req/base.txt", "req/../constraints.txt", "https://h/x/remote.txt", "https://h/y/other.txt"}
	if !reflect.DeepEqual(f.Files, wantFiles) {
		t.Errorf("Files = %q, want %q", f.Files, wantFiles)
	}
}

func TestParseErrors(t *testing.T) {
	files := memFS{
		"a.txt":    "-r b.txt\n",
		"b.txt":    "x\n-r ./sub/../a.txt\n",
		"self.txt": "-r self.txt",
		"bad.txt":  "ok\n\nurllib3>=2,<\n",
	}
	tests := []struct {
		name    string
		file    string
		in      string
		want    string // the error text
		is      error
		hasHint bool
	}{
		{"unknown option", "r.txt", "a\n--frobnicate\n", `r.txt:2: "--frobnicate": unknown option: no such option: --frobnicate`, ErrUnknownOption, true},
		{"ambiguous option", "r.txt", "--re x", `r.txt:1: "--re x": unknown option: ambiguous option: --re could be --require-hashes, --requirement`, ErrUnknownOption, true},
		{"missing value", "r.txt", "-i", `r.txt:1: "-i": unknown option: -i option requires 1 argument`, ErrUnknownOption, true},
		{"bad hash algorithm", "r.txt", "a --hash=md5:abc", `r.txt:1: "md5:abc": hash algorithm "md5" is not allowed; use sha256, sha384 or sha512`, nil, true},
		{"bad hash digest", "r.txt", "a --hash=sha256:ABC", `r.txt:1: "sha256:ABC": sha256 digest must be 64 lower-case hex digits`, nil, true},
		{"hash without algorithm", "r.txt", "a --hash=abc", `r.txt:1: "abc": arguments to --hash must be a hash name followed by a value, like --hash=sha256:abcde...`, nil, true},
		{"bad feature", "r.txt", "--use-feature=2020-resolver", `r.txt:1: "--use-feature=2020-resolver": --use-feature: invalid choice "2020-resolver"`, nil, true},
		{"config without =", "r.txt", "a -C novalue", `r.txt:1: "novalue": arguments to -C must be of the form KEY=VALUE`, nil, false},
		{"unclosed quote", "r.txt", `a --global-option="x`, `r.txt:1: "--global-option=\"x": cannot split options: no closing quotation`, nil, true},
		{"include cycle", "a.txt", files["a.txt"], `b.txt:2: "-r ./sub/../a.txt": include cycle: a.txt -> b.txt -> ./sub/../a.txt`, ErrIncludeCycle, true},
		{"self include", "self.txt", files["self.txt"], `self.txt:1: "-r self.txt": include cycle: self.txt -> self.txt`, ErrIncludeCycle, true},
		{"missing include", "r.txt", "-c nope.txt", `r.txt:1: "-c nope.txt": reading nope.txt: file does not exist`, fs.ErrNotExist, false},
		{"error in nested file", "r.txt", "-r bad.txt", `bad.txt:3: "urllib3>=2,<": invalid requirement`, nil, false},
		{"not utf-8", "r.txt", "a\xff\n", `r.txt: file is not UTF-8 text; save it as UTF-8`, nil, false},
		{"single equals", "r.txt", "a=1", `r.txt:1: "a=1": invalid requirement`, nil, true},
		{"bad editable", "r.txt", "-e https://x/y.tar.gz", `r.txt:1: "https://x/y.tar.gz": not a valid editable requirement`, nil, true},
		{"bad binary value", "r.txt", "--no-binary=-x", `r.txt:1: "--no-binary=-x": --no-binary option requires 1 argument`, nil, true},
	}
	for _, tt := range tests {
		_, err := Parse(tt.file, []byte(tt.in), Options{Open: files.open})
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: Parse(%q) error = %v, want an *Error", tt.name, tt.in, err)
			continue
		}
		// a requirement error carries the parser's own detail after the prefix
		if got := err.Error(); got != tt.want && !strings.HasPrefix(got, tt.want+": ") {
			t.Errorf("%s: error =\n\t%s\nwant\n\t%s", tt.name, got, tt.want)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: errors.Is(%v, %v) = false", tt.name, err, tt.is)
		}
		if (e.Hint != "") != tt.hasHint {
			t.Errorf("%s: hint = %q, want one: %v", tt.name, e.Hint, tt.hasHint)
		}
	}
}

func TestLimits(t *testing.T) {
	big := make([]byte, MaxFileBytes+1)
	if _, err := Parse("big.txt", big, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Parse of %d bytes: error %v, want ErrTooLarge", len(big), err)
	}
	// a chain a0 -> a1 -> ... deeper than MaxDepth
	deep := memFS{}
	for i := 0; i <= MaxDepth; i++ {
		deep[fmt.Sprintf("a%d.txt", i)] = fmt.Sprintf("-r a%d.txt\n", i+1)
	}
	if _, err := Parse("a0.txt", []byte(deep["a0.txt"]), Options{Open: deep.open}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Parse of a chain of %d includes: error %v, want ErrTooLarge", MaxDepth+1, err)
	}
	// many includes of one file add up
	half := "#" + strings.Repeat("x", MaxFileBytes-1) // one long comment line
	many := memFS{"h.txt": half}
	top := strings.Repeat("-r h.txt\n", MaxTotalBytes/len(half)+2)
	if _, err := Parse("top.txt", []byte(top), Options{Open: many.open}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Parse of repeated includes: error %v, want ErrTooLarge", err)
	}
}

func TestDecode(t *testing.T) {
	utf16le := []byte{0xFF, 0xFE, 'a', 0, '\n', 0, 'b', 0}
	f, err := Parse("r.txt", utf16le, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := summaries(f); len(got) != 2 {
		t.Errorf("UTF-16 file: requirements %q, want a and b", got)
	}
	f, err = Parse("r.txt", []byte("\xEF\xBB\xBFa\n"), Options{})
	if err != nil || len(f.Requirements) != 1 || f.Requirements[0].Text != "a" {
		t.Errorf("UTF-8 BOM: %v, %v", f, err)
	}
}

func TestNoOpen(t *testing.T) {
	_, err := Parse("r.txt", []byte("-r other.txt"), Options{})
	if err == nil || !strings.Contains(err.Error(), "nested requirements files are not allowed") {
		t.Errorf("Parse without Open: error %v", err)
	}
}

func TestErrorRedactsCredentials(t *testing.T) {
	env := map[string]string{"TOKEN": "s3cr3t-token"}
	opts := Options{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	for _, in := range []string{
		"-i https://user:${TOKEN}@private.example/simple --bogus",
		"--extra-index-url=https://__token__:s3cr3t-token@x.example/simple --nope",
		"pkg @ https://u:s3cr3t-token@x.example/p.tar.gz ; bad marker ==",
		"-e git+https://s3cr3t-token@github.com/o/r.git",
	} {
		_, err := Parse("r.txt", []byte(in), opts)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", in)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("Parse(%q) error shows the secret: %v", in, err)
		}
		if !strings.Contains(err.Error(), "***@") {
			t.Errorf("Parse(%q) error %q lacks the redacted URL", in, err)
		}
	}
	for in, want := range map[string]string{
		"see https://a:b@h/x and http://h2/ and ftp://c@d": "see https://***@h/x and http://h2/ and ftp://***@d",
		`"https://a@b"`: `"https://***@b"`,
		"no url":        "no url",
	} {
		if got := redactUserinfo(in); got != want {
			t.Errorf("redactUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRequirementNames(t *testing.T) {
	tests := []struct {
		in, name string
		wantErr  string
	}{
		{"Foo_Bar>=1", "foo-bar", ""},
		{"https://x/dist/Demo_Pkg-1.0-py3-none-any.whl", "demo-pkg", ""},
		{"./dist/demo-1.0-py3-none-any.whl[x]", "demo", ""},
		{"https://x/demo-1.0.tar.gz#egg=The.Demo", "the-demo", ""},
		{"https://x/demo-1.0.tar.gz", "", ""},
		{"./project", "", ""},
		{"-e git+https://g/x.git#egg=X_Y&subdirectory=sub", "x-y", ""},
		{"https://x/not-a-wheel.whl", "", "invalid wheel file name"},
		{"https://x/y.tar.gz#egg=a b", "", `invalid #egg= name "a b"`},
		{"-e git+https://g/x.git", "", "cannot tell the project name"},
	}
	for _, tt := range tests {
		f, err := Parse("r.txt", []byte(tt.in), Options{})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := f.Requirements[0].Name; got != tt.name {
			t.Errorf("Parse(%q).Name = %q, want %q", tt.in, got, tt.name)
		}
	}
}
