package pep508

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRequirement(t *testing.T) {
	tests := []struct {
		in                      string
		name, extras, spec, url string
		marker, str             string
	}{
		{in: `requests[socks]>=2.0; python_version >= "3.8"`, name: "requests", extras: "socks", spec: ">=2.0",
			marker: `python_version >= "3.8"`, str: `requests[socks]>=2.0; python_version >= "3.8"`},
		{in: "name", name: "name", str: "name"},
		{in: " name ", name: "name", str: "name"},
		{in: "Name.Dots_und-er", name: "Name.Dots_und-er", str: "Name.Dots_und-er"},
		{in: "name-1.0", name: "name-1.0", str: "name-1.0"},
		{in: "name[]", name: "name", str: "name"},
		{in: "name [ b , a , b ]", name: "name", extras: "b,a,b", str: "name[a,b]"},
		{in: "name>=1.0,<2", name: "name", spec: "<2,>=1.0", str: "name<2,>=1.0"},
		{in: "name (>=1.0, <2)", name: "name", spec: "<2,>=1.0", str: "name<2,>=1.0"},
		{in: "name(==1.0.*)", name: "name", spec: "==1.0.*", str: "name==1.0.*"},
		{in: "name ~= 1.4.2", name: "name", spec: "~=1.4.2", str: "name~=1.4.2"},
		{in: "name===foo", name: "name", spec: "===foo", str: "name===foo"},
		{in: "name>=1,>=1.0", name: "name", spec: ">=1", str: "name>=1"},
		{in: "name @ https://example.com/x-1.0.tar.gz", name: "name", url: "https://example.com/x-1.0.tar.gz",
			str: "name@ https://example.com/x-1.0.tar.gz"},
		{in: `name[x]@https://h/p ; os_name=="nt"`, name: "name", extras: "x", url: "https://h/p",
			marker: `os_name == "nt"`, str: `name[x]@ https://h/p ; os_name == "nt"`},
		// without whitespace, ";" and what follows belong to the URL
		{in: `name @ https://h/p;os_name=="nt"`, name: "name", url: `https://h/p;os_name=="nt"`,
			str: `name@ https://h/p;os_name=="nt"`},
		{in: "name @ https://h/p\t; os_name=='nt'", name: "name", url: "https://h/p",
			marker: `os_name == "nt"`, str: `name@ https://h/p ; os_name == "nt"`},
		{in: "name @ file:///tmp/x.whl", name: "name", url: "file:///tmp/x.whl", str: "name@ file:///tmp/x.whl"},
		{in: "name @ git+https://github.com/a/b.git@v1#egg=b", name: "name", url: "git+https://github.com/a/b.git@v1#egg=b",
			str: "name@ git+https://github.com/a/b.git@v1#egg=b"},
		{in: "name @ http://[::1]:8080/x", name: "name", url: "http://[::1]:8080/x", str: "name@ http://[::1]:8080/x"},
		{in: `name;python_version<"3"`, name: "name", marker: `python_version < "3"`, str: `name; python_version < "3"`},
		{in: "name\n>=1.0\t;\tos.name == \"nt\"", name: "name", spec: ">=1.0", marker: `os_name == "nt"`,
			str: `name>=1.0; os_name == "nt"`},
		{in: `name>=1.0;os_name=="a"and extra=="b"`, name: "name", spec: ">=1.0",
			marker: `os_name == "a" and extra == "b"`, str: `name>=1.0; os_name == "a" and extra == "b"`},
		{in: `name; '3.8' <= python_version`, name: "name", marker: `"3.8" <= python_version`,
			str: `name; "3.8" <= python_version`},
		// documented difference: " ; " after "===" so that String parses back
		{in: `name===foo ; os_name == "nt"`, name: "name", spec: "===foo", marker: `os_name == "nt"`,
			str: `name===foo ; os_name == "nt"`},
	}
	for _, tt := range tests {
		r, err := ParseRequirement(tt.in)
		if err != nil {
			t.Errorf("ParseRequirement(%q): %v", tt.in, err)
			continue
		}
		if got := strings.Join(r.Extras, ","); r.Name != tt.name || got != tt.extras || r.URL != tt.url {
			t.Errorf("ParseRequirement(%q) = name %q extras %q url %q, want %q %q %q", tt.in, r.Name, got, r.URL, tt.name, tt.extras, tt.url)
		}
		if got := r.Specifier.String(); got != tt.spec {
			t.Errorf("ParseRequirement(%q).Specifier = %q, want %q", tt.in, got, tt.spec)
		}
		if got := r.Marker.String(); got != tt.marker {
			t.Errorf("ParseRequirement(%q).Marker = %q, want %q", tt.in, got, tt.marker)
		}
		if (r.Marker == nil) != (tt.marker == "") {
			t.Errorf("ParseRequirement(%q).Marker = %v, want nil exactly when there is no marker", tt.in, r.Marker)
		}
		if got := r.String(); got != tt.str {
			t.Errorf("ParseRequirement(%q).String() = %q, want %q", tt.in, got, tt.str)
		}
		roundTrip(t, "ParseRequirement", r, ParseRequirement)
	}
}

func TestParseRequirementErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{"", 0, "expected package name at the start of dependency specifier"},
		{"   ", 3, "expected package name"},
		{"-name", 0, "expected package name"},
		{"name-", 4, "expected end or semicolon (after name and no valid version specifier)"},
		{"name>=1.0 x", 10, "expected end or semicolon (after version specifier)"},
		{"name>=1.0,", 9, "expected end or semicolon (after version specifier)"},
		{"name>=", 4, "invalid version specifier"},
		{"name>=foo", 4, "invalid version specifier"},       // 21.3: LegacySpecifier
		{"name>=1.0+local", 4, "invalid version specifier"}, // 21.3: LegacySpecifier
		{"name~=1", 4, "expected end or semicolon (after name and no valid version specifier)"},
		{"name===1,2", 4, "invalid version specifier"},
		{"name()", 5, "expected version specifier"},
		{"name (>=1.0", 11, `expected ")" to close "(" at byte 5`},
		{"name[a,]", 7, "expected extra name"},
		{"name[a b]", 7, `expected "," between extra names or "]" after them`},
		{"name[a", 6, `expected "," between extra names`},
		{"name @", 6, "expected URL after @"},
		{"name @ ./local", 7, "invalid URL: it needs a scheme and a host"},
		{"name @ https://", 7, "invalid URL: it needs a scheme and a host"},
		{"name @ file:/x", 7, "invalid file URL"},
		{"name @ FILE:///x", 7, "invalid file URL"},
		{"name @ file:///x?", 7, "invalid file URL"},
		{"name @ http://[1.2.3.4]/x", 7, "an IPv4 address cannot be in brackets"},
		{"name @ http://[x/y", 7, "unbalanced brackets"},
		{"name @ http://[::1/x", 7, "unbalanced brackets"},
		{"name @ http://x\n;os_name=='a'", 7, "control character"},
		{"name @ https://h\u00e9.example/x", 7, "non-ASCII host"},
		{"name @ http://x y", 16, "expected end or semicolon (after URL and whitespace)"},
		{"name;", 5, "expected a marker variable or quoted string, found end of input"},
		{"name; os_name", 13, "expected marker operator"},
		{"name; os_name == 'a' x", 21, `expected "and", "or" or end (after marker)`},
		{"name; os_name == 'a", 17, "unterminated string"},
		{"name @ http://x ; bad", 18, "expected a marker variable"},
	}
	for _, tt := range tests {
		_, err := ParseRequirement(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseRequirement(%q) error = %v, want *SyntaxError", tt.in, err)
			continue
		}
		if se.Input != tt.in || se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) || se.Kind != "requirement" {
			t.Errorf("ParseRequirement(%q) error = %q at %d (%s), want %q at %d", tt.in, se.Msg, se.Offset, se.Kind, tt.msg, tt.offset)
		}
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := ParseRequirement("urllib3>=2,<")
	want := `invalid requirement "urllib3>=2,<": at byte 7: invalid version specifier: ">=2,<": "<": no version after "<"`
	if err == nil || err.Error() != want {
		t.Errorf("ParseRequirement error = %v, want %s", err, want)
	}
	_, err = ParseRequirement("name>=foo")
	want = `invalid requirement "name>=foo": at byte 4: invalid version specifier: `
	if err == nil || !strings.HasPrefix(err.Error(), want) || errors.Unwrap(err) == nil {
		t.Errorf("ParseRequirement error = %v, want prefix %s and a wrapped pep440 error", err, want)
	}
	long := "name" + strings.Repeat("x", 500) + " y"
	_, err = ParseRequirement(long)
	if err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "(506 bytes)") {
		t.Errorf("ParseRequirement(<506 bytes>) error = %v, want a shortened input", err)
	}
}

// TestErrorsHideCredentials puts a secret in a URL's user information and
// looks for it in the errors.
func TestErrorsHideCredentials(t *testing.T) {
	const secret = "s3cr3t-T0ken"
	inputs := []string{
		"name @ https://user:" + secret + "@host/p x",
		"name @ https://" + secret + "@host/p ; bad",
		"name @ http://" + secret + "@[x/y",
		"name @ http://" + secret + "@hést/y",
		"name @ file://" + secret + "@host/x?",
		"name @ git+https://" + secret + "@host/p.git@v1#egg=name ;",
	}
	for _, in := range inputs {
		_, err := ParseRequirement(in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseRequirement(%q) = %v, want a *SyntaxError", in, err)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(se.Input, secret) || strings.Contains(se.Msg, secret) {
			t.Errorf("ParseRequirement(<URL with a secret>) error shows it: %v (Input %q)", err, se.Input)
		}
		if len(se.Input) != len(in) || !strings.Contains(se.Input, "@host") && !strings.Contains(in, "[x") && !strings.Contains(in, "h\u00e9") {
			t.Errorf("ParseRequirement(%q) error Input = %q, want the input with only the credentials masked", in, se.Input)
		}
	}
	if got, want := maskUserinfo("a https://u:p@h/x?y=a@b c ssh://git@h2 d://@e"), "a https://***@h/x?y=a@b c ssh://***@h2 d://@e"; got != want {
		t.Errorf("maskUserinfo = %q, want %q", got, want)
	}
}

func TestParseMarker(t *testing.T) {
	tests := []struct{ in, str string }{
		{`python_version>='3.8'`, `python_version >= "3.8"`},
		{`"3.8" <= python_version`, `"3.8" <= python_version`},
		{`os.name == "nt"`, `os_name == "nt"`},
		{`sys.platform == "linux"`, `sys_platform == "linux"`},
		{`platform.version == "x"`, `platform_version == "x"`},
		{`platform.machine == "x"`, `platform_machine == "x"`},
		{`platform.python_implementation == "x"`, `platform_python_implementation == "x"`},
		{`python_implementation == "x"`, `platform_python_implementation == "x"`},
		{`extra == 'test'`, `extra == "test"`},
		{`os_name not in 'a'`, `os_name not in "a"`},
		{"os_name not  \t in 'a'", `os_name not in "a"`}, // documented: any spaces and tabs
		{`os_namenot in "a"`, `os_name not in "a"`},
		{`"a"=="a"andos_name=="b"`, `"a" == "a" and os_name == "b"`},
		{`os_name=="x"or os_name=="b"`, `os_name == "x" or os_name == "b"`},
		{`(os_name == "a")`, `os_name == "a"`},
		{`((os_name == "a"))`, `os_name == "a"`},
		{`(os_name == "a" or os_name == "b")`, `os_name == "a" or os_name == "b"`},
		{`(os_name == "a") and os_name == "b"`, `os_name == "a" and os_name == "b"`},
		{`(os_name == "a" or os_name == "b") and os_name == "c"`, `(os_name == "a" or os_name == "b") and os_name == "c"`},
		// documented: 21.3 prints `os_name == "a" or os_name == "b" and os_name == "c"`
		{`((os_name == "a" or os_name == "b")) and os_name == "c"`, `(os_name == "a" or os_name == "b") and os_name == "c"`},
		{`os_name == 'a"b'`, `os_name == 'a"b'`}, // documented: 21.3 prints "a"b"
		{"os_name == 'a\tb\\t'", "os_name == \"a\tb\\t\""},
		{`python_version == python_full_version`, `python_version == python_full_version`},
		{`"a" == "b"`, `"a" == "b"`},
		{`implementation_version === "3.8"`, `implementation_version === "3.8"`},
		{"\n os_name\n==\n'a'\n", `os_name == "a"`},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.in)
		if err != nil {
			t.Errorf("ParseMarker(%q): %v", tt.in, err)
			continue
		}
		if got := m.String(); got != tt.str {
			t.Errorf("ParseMarker(%q).String() = %q, want %q", tt.in, got, tt.str)
		}
		roundTrip(t, "ParseMarker", m, ParseMarker)
	}
}

func TestParseMarkerErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{"", 0, "expected a marker variable or quoted string, found end of input"},
		{"os_name", 7, "expected marker operator"},
		{"extras == 'a'", 5, "expected marker operator"},
		{"os_name = 'a'", 8, "expected marker operator"},
		{"os_name ==== 'a'", 11, "expected a marker variable"},
		{"os_name == 'a", 11, "unterminated string"},
		{"os_name == 'a\nb'", 11, "unterminated string"},
		{"os_name == \"a'", 11, "unterminated string"},
		{"os_name == 'a' and", 18, "expected a marker variable or quoted string, found end of input"},
		{"os_name == 'a' or x", 18, "expected a marker variable"},
		{"os_name == 'a' xor os_name == 'b'", 15, `expected "and", "or" or end of marker`},
		{"(os_name == 'a'", 15, `expected ")" to close "(" at byte 0`},
		{"os_name == 'a')", 14, `expected "and", "or" or end of marker`},
		{"()", 1, "expected a marker variable"},
		{"os_name notin 'a'", 8, "expected marker operator"},
		{"foo == 'a'", 0, "expected a marker variable"},
		{strings.Repeat("(", 65) + "os_name=='a'" + strings.Repeat(")", 65), 64, "parentheses nested more than 64 deep"},
	}
	for _, tt := range tests {
		_, err := ParseMarker(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseMarker(%q) error = %v, want *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) || se.Kind != "marker" {
			t.Errorf("ParseMarker(%q) error = %q at %d, want %q at %d", tt.in, se.Msg, se.Offset, tt.msg, tt.offset)
		}
	}
	if _, err := ParseMarker(strings.Repeat("(", 64) + "os_name=='a'" + strings.Repeat(")", 64)); err != nil {
		t.Errorf("ParseMarker(64 parentheses deep): %v", err)
	}
}

func TestInputLimit(t *testing.T) {
	big := "os_name == '" + strings.Repeat("a", maxInputBytes) + "'"
	_, err := ParseMarker(big)
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "longer than 32 KiB") {
		t.Errorf("ParseMarker(%d bytes) error = %v, want the length limit", len(big), err)
	}
	_, err = ParseRequirement("name; " + big)
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "longer than 32 KiB") {
		t.Errorf("ParseRequirement(%d bytes) error = %v, want the length limit", len(big)+6, err)
	}
}

var linux311 = Environment{
	"implementation_name":            "cpython",
	"implementation_version":         "3.11.7",
	"os_name":                        "posix",
	"platform_machine":               "x86_64",
	"platform_release":               "5.15.0-76-generic",
	"platform_system":                "Linux",
	"platform_version":               "#1 SMP PREEMPT_DYNAMIC",
	"python_full_version":            "3.11.7",
	"platform_python_implementation": "CPython",
	"python_version":                 "3.11",
	"sys_platform":                   "linux",
	"extra":                          "",
}

func with(env Environment, kv ...string) Environment {
	out := Environment{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		marker string
		env    Environment
		want   bool
		err    error
	}{
		{`python_version >= "3.8"`, linux311, true, nil},
		{`python_version < "3.8"`, linux311, false, nil},
		{`"3.8" <= python_version`, linux311, true, nil},
		{`python_version > "3.9"`, linux311, true, nil}, // 3.11 > 3.9 as versions, not as strings
		{`python_version == "3.11.*"`, linux311, true, nil},
		{`python_version ~= "3.8"`, linux311, true, nil},
		{`python_full_version == "3.11.7"`, linux311, true, nil},
		{`python_version == "3.11.0"`, linux311, true, nil}, // PEP 440 zero padding
		{`python_version == " 3.11 "`, linux311, true, nil},
		{`python_version === "3.11"`, linux311, true, nil},
		{`python_version === "3.11.0"`, linux311, false, nil},
		{`sys_platform == "linux" and os_name == "posix"`, linux311, true, nil},
		{`sys_platform == "win32" or os_name == "posix"`, linux311, true, nil},
		{`sys_platform == "win32" or os_name == "nt" and python_version >= "3"`, linux311, false, nil},
		{`(sys_platform == "win32" or os_name == "posix") and python_version < "3"`, linux311, false, nil},
		{`sys_platform == "linux" and os_name == "nt" or python_version >= "3"`, linux311, true, nil},
		{`"linux" in sys_platform`, linux311, true, nil},
		{`"lin" in sys_platform`, linux311, true, nil},
		{`"win" not in sys_platform`, linux311, true, nil},
		{`sys_platform in "linux2 linux"`, linux311, true, nil},
		{`os.name == "posix"`, linux311, true, nil},
		{`python_implementation == "CPython"`, linux311, true, nil},
		{`platform_machine != "AMD64"`, linux311, true, nil},
		{`platform_release == "5.15.0-76-generic"`, linux311, true, nil},
		{`platform_release != "5.15"`, linux311, true, nil},                                             // documented: 21.3 says false
		{`python_full_version >= "3.8"`, with(linux311, "python_full_version", "3.13.0rc1"), true, nil}, // documented: 21.3 says false
		// PEP 440: "<3.13" excludes the pre-releases of 3.13
		{`python_full_version < "3.13"`, with(linux311, "python_full_version", "3.13.0rc1"), false, nil},
		{`python_full_version > "3.12"`, with(linux311, "python_full_version", "3.13.0rc1"), true, nil},
		{`extra == "test"`, with(linux311, "extra", "test"), true, nil},
		{`extra == "Dev_Tools"`, with(linux311, "extra", "dev-tools"), true, nil}, // PEP 685
		{`extra == "dev.tools"`, with(linux311, "extra", "DEV__TOOLS"), true, nil},
		{`extra == "test"`, linux311, false, nil},
		{`platform_release >= "5.0"`, linux311, false, ErrUndefinedComparison},
		{`os_name < "z"`, linux311, false, ErrUndefinedComparison},
		{`python_version < "3.8,<4"`, linux311, false, ErrUndefinedComparison},
		{`os_name ~= "posix"`, linux311, false, ErrUndefinedComparison},
		{`os_name === "a b"`, linux311, false, ErrUndefinedComparison},
		{`python_version == python_full_version`, linux311, false, ErrUndefinedComparison},
		{`"a" == "a"`, linux311, false, ErrUndefinedComparison},
		// an undefined comparison is an error only when the result depends on it
		{`os_name == "posix" or platform_release >= "5.0"`, linux311, true, nil},
		{`platform_release >= "5.0" or os_name == "posix"`, linux311, true, nil},
		{`sys_platform == "darwin" and platform_release >= "20.0"`, linux311, false, nil},
		{`platform_release >= "20.0" and sys_platform == "darwin"`, linux311, false, nil},
		{`(platform_release >= "20.0" or os_name < "a") and python_version < "3"`, linux311, false, nil},
		{`sys_platform == "linux" and platform_release >= "20.0"`, linux311, false, ErrUndefinedComparison},
		{`os_name == "nt" or platform_release >= "5.0"`, linux311, false, ErrUndefinedComparison},
		{`platform_release >= "20.0" or os_name < "a"`, linux311, false, ErrUndefinedComparison},
		{`python_version < "3" and extra == "x"`, Environment{"python_version": "3.11"}, false, nil},
		{`(python_version >= "3" or extra == "x") and os_name == "a"`, Environment{"python_version": "3.11"}, false, ErrUndefinedVariable},
		{`python_version >= "3"`, Environment{}, false, ErrUndefinedVariable},
		{`extra == "x"`, Environment{"python_version": "3.11"}, false, ErrUndefinedVariable},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.marker)
		if err != nil {
			t.Errorf("ParseMarker(%q): %v", tt.marker, err)
			continue
		}
		got, err := m.Evaluate(tt.env)
		if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("Marker(%q).Evaluate() error = %v, want %v", tt.marker, err, tt.err)
			continue
		}
		if err != nil {
			var ee *EvalError
			if !errors.As(err, &ee) || ee.Expr == "" || ee.Detail == "" {
				t.Errorf("Marker(%q).Evaluate() error = %#v, want an *EvalError naming the comparison", tt.marker, err)
			}
		}
		if got != tt.want {
			t.Errorf("Marker(%q).Evaluate() = %v, want %v", tt.marker, got, tt.want)
		}
	}
}

func TestEvalErrorMessage(t *testing.T) {
	m, err := ParseMarker(`platform_release >= '5.0'`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Evaluate(linux311)
	want := `evaluating marker "platform_release >= \"5.0\"": undefined comparison: "5.15.0-76-generic" is not a PEP 440 version; only ==, !=, in and not in compare strings that are not versions`
	if err == nil || err.Error() != want {
		t.Errorf("Evaluate error = %v\nwant %s", err, want)
	}
	m, err = ParseMarker(`python_version ~= "3"`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Evaluate(linux311)
	want = `evaluating marker "python_version ~= \"3\"": undefined comparison: "~=3" is not a PEP 440 specifier; only ==, !=, in and not in compare strings that are not versions`
	if err == nil || err.Error() != want {
		t.Errorf("Evaluate error = %v\nwant %s", err, want)
	}
}

func TestEvaluateExtras(t *testing.T) {
	env := with(linux311)
	delete(env, "extra")
	tests := []struct {
		marker string
		extras []string
		want   bool
	}{
		{`extra == "socks"`, nil, false},
		{`extra == "socks"`, []string{"socks"}, true},
		{`extra == "socks"`, []string{"test", "Socks"}, true},
		{`extra == "socks"`, []string{"test"}, false},
		{`python_version >= "3" and extra == "test"`, []string{"test"}, true},
		{`python_version < "3" and extra == "test"`, []string{"test"}, false},
		{`python_version >= "3"`, nil, true},
		{`python_version >= "3"`, []string{"x"}, true},
		{`extra != "x"`, nil, true},
		{`extra == ""`, nil, true},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.marker)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.EvaluateExtras(env, tt.extras)
		if err != nil || got != tt.want {
			t.Errorf("Marker(%q).EvaluateExtras(%q) = %v, %v, want %v", tt.marker, tt.extras, got, err, tt.want)
		}
	}
	if _, ok := env["extra"]; ok {
		t.Errorf("EvaluateExtras changed the environment")
	}
	m, err := ParseMarker(`extra == "a" or extra == "b" and platform_release >= "5"`)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := m.EvaluateExtras(env, []string{"b", "a"}); !ok || err != nil {
		t.Errorf("EvaluateExtras([b a]) = %v, %v, want true: extra a decides", ok, err)
	}
	if ok, err := m.EvaluateExtras(env, []string{"c", "b"}); ok || !errors.Is(err, ErrUndefinedComparison) {
		t.Errorf("EvaluateExtras([c b]) = %v, %v, want ErrUndefinedComparison: extra b needs platform_release", ok, err)
	}
}

func TestNilMarker(t *testing.T) {
	var m *Marker
	if ok, err := m.Evaluate(nil); !ok || err != nil {
		t.Errorf("nil Marker.Evaluate() = %v, %v, want true", ok, err)
	}
	if ok, err := m.EvaluateExtras(nil, []string{"x"}); !ok || err != nil {
		t.Errorf("nil Marker.EvaluateExtras() = %v, %v, want true", ok, err)
	}
	if s := m.String(); s != "" {
		t.Errorf("nil Marker.String() = %q, want \"\"", s)
	}
	if s := (Requirement{Name: "x", Marker: &Marker{}}).String(); s != "x" {
		t.Errorf("Requirement with an empty Marker prints %q, want \"x\"", s)
	}
}

func TestNames(t *testing.T) {
	normal := []struct{ in, want string }{
		{"Django", "django"},
		{"zope.interface", "zope-interface"},
		{"A__b-.-C", "a-b-c"},
		{"friendly-bard", "friendly-bard"},
		{"FRIENDLY_BARD", "friendly-bard"},
		{"Friendly.-_Bard", "friendly-bard"},
		{"", ""},
	}
	for _, tt := range normal {
		if got := NormalizeName(tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := NormalizeExtra(tt.in); got != tt.want {
			t.Errorf("NormalizeExtra(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	valid := []struct {
		in   string
		want bool
	}{
		{"a", true}, {"A1", true}, {"a.b", true}, {"a..b", true}, {"a-_.b", true}, {"1", true},
		{"", false}, {"-a", false}, {"a-", false}, {".a", false}, {"a b", false}, {"caf\u00e9", false}, {"a/b", false},
	}
	for _, tt := range valid {
		if got := ValidName(tt.in); got != tt.want {
			t.Errorf("ValidName(%q) = %v, want %v", tt.in, got, tt.want)
		}
		// a valid name is exactly what ParseRequirement takes as a name
		r, err := ParseRequirement(tt.in)
		if parsed := err == nil && r.Name == tt.in; parsed != tt.want {
			t.Errorf("ParseRequirement(%q) = %q, %v; want a name exactly when ValidName", tt.in, r.Name, err)
		}
	}
}
