package reqfile

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestSplitLines(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a"}},
		{"a\n\nb", []string{"a", "", "b"}},
		{"a\r\nb\rc\n", []string{"a", "b", "c"}},
		{"a\vb\fc\x1cd\x1de\x1ef", []string{"a", "b", "c", "d", "e", "f"}},
		{"a\u0085b\u2028c\u2029d", []string{"a", "b", "c", "d"}},
		{"a\r\r\nb", []string{"a", "", "b"}},
	}
	for _, tt := range tests {
		if got := splitLines(tt.in); len(got) != len(tt.want) || len(got) > 0 && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitLines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStripComment(t *testing.T) {
	tests := []struct{ in, want string }{
		{"# all", ""},
		{"foo # c", "foo"},
		{"foo\t\t# c", "foo"},
		{"foo#bar", "foo#bar"},
		{"https://x/y.whl#sha256=ab", "https://x/y.whl#sha256=ab"},
		{"https://x/y.whl#egg=a # c", "https://x/y.whl#egg=a"},
		{"a #b #c", "a"},
		{"  # indented", "  "[:0]},
		{"a\u00a0# nbsp is whitespace to Python", "a"},
	}
	for _, tt := range tests {
		if got := stripComment(tt.in); got != tt.want {
			t.Errorf("stripComment(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLogicalLines(t *testing.T) {
	env := map[string]string{"USER": "u", "TOKEN": "s3cr3t", "EMPTY": "", "LOOP": "${TOKEN}"}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name string
		in   string
		want []line
	}{
		{"plain", "a\nb\n", []line{{1, "a"}, {2, "b"}}},
		{"blank and comments dropped", "\n# c\n  \na # c\n", []line{{4, "a"}}},
		{"continuation", "a \\\n  b\nc", []line{{1, "a   b"}, {3, "c"}}},
		{"continuation keeps first number", "x\na\\\nb\\\nc\nd", []line{{1, "x"}, {2, "abc"}, {5, "d"}}},
		{"backslashes trimmed at both ends", "\\\\a\\\\\nb", []line{{1, "ab"}}},
		{"comment ends continuation", "a \\\n# c\nb", []line{{1, "a"}, {3, "b"}}},
		{"comment line ending in backslash", "# c \\\nb", []line{{2, "b"}}},
		{"last line continued", "a\\", []line{{1, "a"}}},
		{"env", "--index-url https://${USER}:${TOKEN}@x/simple", []line{{1, "--index-url https://u:s3cr3t@x/simple"}}},
		{"env unset and empty kept", "${NOPE} ${EMPTY} $TOKEN ${lower}", []line{{1, "${NOPE} ${EMPTY} $TOKEN ${lower}"}}},
		{"env value not expanded again unless listed", "${LOOP}", []line{{1, "${TOKEN}"}}},
		{"env replaced where a value put it", "${LOOP} ${TOKEN}", []line{{1, "s3cr3t s3cr3t"}}},
	}
	for _, tt := range tests {
		if got, _, err := logicalLines(tt.in, getenv); err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: logicalLines(%q) = %v, %v; want %v", tt.name, tt.in, got, err, tt.want)
		}
	}
	many := strings.Repeat("${A}", 1000)
	for i := range MaxVarsPerLine + 1 {
		many += fmt.Sprintf("${V%d}", i)
	}
	if _, num, err := logicalLines("x\n"+many, getenv); !errors.Is(err, ErrTooLarge) || num != 2 {
		t.Errorf("logicalLines with %d distinct references: line %d, error %v; want line 2, ErrTooLarge", MaxVarsPerLine+1, num, err)
	}
}

func TestShellSplit(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"-i  x\t y", []string{"-i", "x", "y"}, false},
		{`--global-option="a b"`, []string{"--global-option=a b"}, false},
		{`'a\b' "c\d\"e\\"`, []string{`a\b`, `c\d"e\`}, false},
		{`a\ b`, []string{"a b"}, false},
		{`'' x`, []string{"", "x"}, false},
		{`"unclosed`, nil, true},
		{`trailing\`, nil, true},
	}
	for _, tt := range tests {
		got, err := shellSplit(tt.in)
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("shellSplit(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestBreakArgsOptions(t *testing.T) {
	tests := []struct{ in, args, opts string }{
		{"requests", "requests", ""},
		{"requests==1 --hash=sha256:x", "requests==1", "--hash=sha256:x"},
		{"a; python_version < '3' -x", "a; python_version < '3'", "-x"},
		{"-e .", "", "-e ."},
		{"a\t--hash x", "a\t--hash x", ""}, // only spaces separate, as in pip
	}
	for _, tt := range tests {
		a, o := breakArgsOptions(tt.in)
		if a != tt.args || o != tt.opts {
			t.Errorf("breakArgsOptions(%q) = %q, %q; want %q, %q", tt.in, a, o, tt.args, tt.opts)
		}
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		in      []string
		want    []string // name=value
		wantErr string
	}{
		{[]string{"-i", "U"}, []string{"-i=U"}, ""},
		{[]string{"-iU"}, []string{"-i=U"}, ""},
		{[]string{"--index-url=U"}, []string{"--index-url=U"}, ""},
		{[]string{"--index", "U"}, []string{"--index-url=U"}, ""},
		{[]string{"--pypi-url", "U"}, []string{"--pypi-url=U"}, ""},
		{[]string{"--pre"}, []string{"--pre="}, ""},
		{[]string{"--hash", "--pre"}, []string{"--hash=--pre"}, ""},
		{[]string{"-r", "a", "stray", "--", "--bogus"}, []string{"-r=a"}, ""},
		{[]string{"--req"}, nil, "ambiguous option: --req could be --require-hashes, --requirement"},
		{[]string{"--bogus"}, nil, "no such option: --bogus"},
		{[]string{"-x"}, nil, "no such option: -x"},
		{[]string{"--pre=1"}, nil, "--pre option does not take a value"},
		{[]string{"-i"}, nil, "-i option requires 1 argument"},
		{[]string{"--index-url"}, nil, "--index-url option requires 1 argument"},
	}
	for _, tt := range tests {
		uses, err := parseOptions(tt.in)
		var got []string
		for _, u := range uses {
			got = append(got, u.name+"="+u.value)
		}
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		if errText != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseOptions(%q) = %q, %q; want %q, %q", tt.in, got, errText, tt.want, tt.wantErr)
		}
	}
}

func TestIsArchive(t *testing.T) {
	for s, want := range map[string]bool{
		"x.whl": true, "a/b-1.0.TAR.GZ": true, "x.tar.lzma": true, "x.gz": false,
		"requests": false, "foo.bar": false, ".whl": false, "a/.tar": false, "x.tgz": true,
	} {
		if got := isArchive(s); got != want {
			t.Errorf("isArchive(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestJoinName(t *testing.T) {
	tests := []struct{ base, target, want string }{
		{"requirements.txt", "base.txt", "base.txt"},
		{"req/dev.txt", "base.txt", "req/base.txt"},
		{"req/dev.txt", "../base.txt", "req/../base.txt"},
		{"req/dev.txt", "/abs/base.txt", "/abs/base.txt"},
		{"/r.txt", "b.txt", "/b.txt"},
		{"req//dev.txt", "b.txt", "req/b.txt"},
		{"req/dev.txt", "https://x/b.txt", "https://x/b.txt"},
		{"https://h/a/r.txt", "b.txt", "https://h/a/b.txt"},
		{"https://h/a/r.txt", "../b.txt", "https://h/b.txt"},
	}
	for _, tt := range tests {
		if got := joinName(tt.base, tt.target); got != tt.want {
			t.Errorf("joinName(%q, %q) = %q, want %q", tt.base, tt.target, got, tt.want)
		}
	}
}
