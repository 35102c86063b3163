package metadata

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/safepip/safepip/pypa/pep508"
)

func parseFile(t *testing.T, name string) *Metadata {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(name, data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

func reqStrings(rs []pep508.Requirement) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

func TestParseVersions(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, m *Metadata)
	}{
		{"v1_0.txt", func(t *testing.T, m *Metadata) {
			eq(t, "MetadataVersion", m.MetadataVersion, "1.0")
			eq(t, "Name", m.Name, "oldpkg")
			eq(t, "Version", m.Version.String(), "0.9")
			eq(t, "Summary", m.Summary, "A package from 2001")
			eq(t, "HomePage", m.HomePage, "http://example.com/")
			eq(t, "AuthorEmail", m.AuthorEmail, "a@example.com")
			eq(t, "License", m.License, "MIT")
			eq(t, "Description", m.Description, "First line.\nSecond line, indented by setuptools.\n\nAfter a blank line.")
			eq(t, "Platforms", m.Platforms, []string{"UNKNOWN"})
			eq(t, "Keywords", m.Keywords, []string{"alpha", "beta", "gamma"})
		}},
		{"v1_1.txt", func(t *testing.T, m *Metadata) {
			eq(t, "DownloadURL", m.DownloadURL, "https://example.com/midpkg-1.1.tar.gz")
			eq(t, "Classifiers", m.Classifiers, []string{"Programming Language :: Python", "License :: OSI Approved :: MIT License"})
			eq(t, "Get(requires)", m.Get("requires"), []string{"os.path"})
			eq(t, "Get(OBSOLETES)", m.Get("OBSOLETES"), []string{"oldpkg"})
			eq(t, "Description", m.Description, "")
		}},
		{"v1_2.txt", func(t *testing.T, m *Metadata) {
			eq(t, "Maintainer", m.Maintainer, "M. Aintainer")
			eq(t, "RequiresPython", m.RequiresPython.String(), "!=3.0.*,>=2.7")
			eq(t, "RequiresDist", reqStrings(m.RequiresDist), []string{"six>=1.0"})
			eq(t, "RequiresExternal", m.RequiresExternal, []string{"libxml2"})
			eq(t, "ProvidesDist", m.ProvidesDist, []string{"twelve"})
			eq(t, "ObsoletesDist", m.ObsoletesDist, []string{"eleven (<1.0)"})
			eq(t, "ProjectURLs", m.ProjectURLs, []ProjectURL{{"Bug Tracker", "https://example.com/bugs"}})
		}},
		{"v2_1.txt", func(t *testing.T, m *Metadata) {
			eq(t, "Name", m.Name, "Twenty_One")
			eq(t, "Version", m.Version.String(), "2.1rc1")
			eq(t, "DescriptionContentType", m.DescriptionContentType, "text/markdown")
			eq(t, "ProvidesExtra", m.ProvidesExtra, []string{"socks"})
			eq(t, "RequiresDist", reqStrings(m.RequiresDist), []string{`PySocks!=1.5.7,>=1.5.6; extra == "socks"`, "idna<4,>=2.5"})
			eq(t, "Description", m.Description, "# Twenty One\r\n\r\nThe body is the description.\r\n")
		}},
		{"v2_2.txt", func(t *testing.T, m *Metadata) {
			eq(t, "Dynamic", m.Dynamic, []string{"Requires-Dist", "Version"})
			eq(t, "SupportedPlatforms", m.SupportedPlatforms, []string{"manylinux2014_x86_64"})
			eq(t, "Keywords", m.Keywords, []string{"a", "b", "c"})
			eq(t, "Description", m.Description, "Body of 2.2.\n")
		}},
		{"v2_3.txt", func(t *testing.T, m *Metadata) {
			eq(t, "RequiresPython", m.RequiresPython.String(), ">=3.8")
			eq(t, "ProvidesExtra", m.ProvidesExtra, []string{"test"})
			eq(t, "RequiresDist", len(m.RequiresDist), 2)
		}},
		{"v2_4.txt", func(t *testing.T, m *Metadata) {
			eq(t, "LicenseExpression", m.LicenseExpression, "MIT OR Apache-2.0")
			eq(t, "LicenseFiles", m.LicenseFiles, []string{"LICENSE-MIT", "licenses/LICENSE-APACHE"})
			eq(t, "Summary", m.Summary, "Folded summary")
			eq(t, "Get(summary)", m.Get("summary"), []string{"Folded\n summary"})
			eq(t, "ProvidesExtra", m.ProvidesExtra, []string{"dev-tools"})
			eq(t, "Description", m.Description, "Body line 1\nBody line 2\n")
			eq(t, "Body", m.Body(), "Body line 1\nBody line 2\n")
			eq(t, "Headers", len(m.Headers()), 8)
			eq(t, "Headers()[7].Line", m.Headers()[7].Line, 9)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) { tt.check(t, parseFile(t, tt.file)) })
	}
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestHeaders(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Header
		body string
	}{
		{"simple", "A: 1\nB:2\n", []Header{{"A", "1", 1}, {"B", "2", 2}}, ""},
		{"value keeps trailing space, loses leading spaces and tabs", "A: \t x  \n", []Header{{"A", "x  ", 1}}, ""},
		{"folded", "A: 1\n  2\n\t3\nB: 4", []Header{{"A", "1\n  2\n\t3", 1}, {"B", "4", 4}}, ""},
		{"whitespace-only line continues", "A: 1\n   \nB: 2\n", []Header{{"A", "1\n   ", 1}, {"B", "2", 3}}, ""},
		{"body after blank line", "A: 1\n\nbody\n\nmore", []Header{{"A", "1", 1}}, "body\n\nmore"},
		{"body after a non-header line", "A: 1\nnot a header\nB: 2\n", []Header{{"A", "1", 1}}, "not a header\nB: 2\n"},
		{"space before colon ends headers", "A: 1\nB : 2\n", []Header{{"A", "1", 1}}, "B : 2\n"},
		{"continuation first is ignored", "  x\nA: 1\n", []Header{{"A", "1", 2}}, ""},
		{"empty name is ignored", ":x\n y\nA: 1\n", []Header{{"A", "1", 3}}, ""},
		{"envelope line", "From someone\nA: 1\n", []Header{{"A", "1", 2}}, ""},
		{"From as last header line goes to body", "A: 1\nFrom x\n\nbody", []Header{{"A", "1", 1}}, "From x\nbody"},
		{"CR and CRLF", "A: 1\rB: 2\r\n\r\nbody\r\n", []Header{{"A", "1", 1}, {"B", "2", 2}}, "body\r\n"},
		{"repeated and cased", "requires-dist: a\nRequires-Dist: b\n", []Header{{"requires-dist", "a", 1}, {"Requires-Dist", "b", 2}}, ""},
		{"UTF-8 value", "Author: Zoë Ünïcode\n", []Header{{"Author", "Zoë Ünïcode", 1}}, ""},
		{"empty", "", nil, ""},
	}
	for _, tt := range tests {
		h, body, err := parseHeaders("METADATA", []byte(tt.in))
		if err != nil || !reflect.DeepEqual(h, tt.want) || body != tt.body {
			t.Errorf("%s: parseHeaders(%q) = %v, %q, %v; want %v, %q", tt.name, tt.in, h, body, err, tt.want, tt.body)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const base = "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n"
	tests := []struct {
		name string
		in   string
		want string
		is   error
	}{
		{"no name", "Metadata-Version: 2.1\nVersion: 1\n", "METADATA: required field missing: Name", ErrMissingField},
		{"no version", "Metadata-Version: 2.1\nName: x\n", "METADATA: required field missing: Version", ErrMissingField},
		{"empty version", "Metadata-Version: 2.1\nName: x\nVersion:\n", "METADATA: required field missing: Version", ErrMissingField},
		{"no metadata version", "Name: x\nVersion: 1\n", "METADATA: required field missing: Metadata-Version", ErrMissingField},
		{"metadata version 3", "Metadata-Version: 3.0\nName: x\nVersion: 1\n", `METADATA:1: Metadata-Version "3.0": unsupported Metadata-Version`, nil},
		{"bad name", "Metadata-Version: 2.1\nName: -x\nVersion: 1\n", `METADATA:2: Name "-x": invalid project name`, nil},
		{"bad version", "Metadata-Version: 2.1\nName: x\nVersion: 1.0-foo-bar\n", `METADATA:3: Version "1.0-foo-bar": `, nil},
		{"bad requires-dist", base + "Requires-Dist: urllib3>=2,<\n", `METADATA:4: Requires-Dist "urllib3>=2,<": `, nil},
		{"bad requires-python", base + "Requires-Python: >=three\n", `METADATA:4: Requires-Python ">=three": `, nil},
		{"bad extra", base + "Provides-Extra: a b\n", `METADATA:4: Provides-Extra "a b": invalid extra name`, nil},
		{"not utf-8", base + "Author: \xff\n", "METADATA: not UTF-8", nil},
		{"too many headers", base + strings.Repeat("Classifier: x\n", MaxHeaders), "METADATA:10001: metadata too large: more than 10000 headers", ErrTooLarge},
		{"header too long", base + "Summary: " + strings.Repeat("x", MaxHeaderBytes) + "\n", `METADATA:4: Summary "": metadata too large`, ErrTooLarge},
		{"folded header too long", base + "Summary: x\n" + strings.Repeat(" "+strings.Repeat("x", 1000)+"\n", MaxHeaderBytes/1000), `METADATA:4: Summary "": metadata too large`, ErrTooLarge},
		{"file too large", base + strings.Repeat("x", MaxBytes), "METADATA: metadata too large", ErrTooLarge},
	}
	for _, tt := range tests {
		_, err := Parse("METADATA", []byte(tt.in))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: error %v, want an *Error", tt.name, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.want) {
			got := err.Error()
			if len(got) > 200 {
				got = got[:200] + "..."
			}
			t.Errorf("%s: error\n\t%s\nwant prefix\n\t%s", tt.name, got, tt.want)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: errors.Is(%v, %v) = false", tt.name, e.Err, tt.is)
		}
	}
}

func TestDependenciesFor(t *testing.T) {
	m, err := Parse("METADATA", []byte(`Metadata-Version: 2.1
Name: demo
Version: 1.0
Provides-Extra: socks
Provides-Extra: Dev_Tools
Requires-Dist: always
Requires-Dist: linux-only; sys_platform == "linux"
Requires-Dist: pysocks; extra == "socks"
Requires-Dist: devthing; extra == "dev-tools" and python_version >= "3.8"
Requires-Dist: oldpy; python_version < "3"
`))
	if err != nil {
		t.Fatal(err)
	}
	env := pep508.Environment{
		"python_version": "3.11", "python_full_version": "3.11.7", "os_name": "posix", "sys_platform": "linux",
		"platform_release": "", "platform_system": "Linux", "platform_version": "", "platform_machine": "x86_64",
		"platform_python_implementation": "CPython", "implementation_name": "cpython", "implementation_version": "3.11.7",
	}
	tests := []struct {
		extras []string
		want   []string
	}{
		{nil, []string{"always", "linux-only"}},
		{[]string{"socks"}, []string{"always", "linux-only", "pysocks"}},
		{[]string{"SOCKS", "dev.tools"}, []string{"always", "linux-only", "pysocks", "devthing"}},
		{[]string{"unknown"}, []string{"always", "linux-only"}},
	}
	for _, tt := range tests {
		deps, err := m.DependenciesFor(env, tt.extras)
		if err != nil {
			t.Errorf("DependenciesFor(%q): %v", tt.extras, err)
			continue
		}
		var names []string
		for _, d := range deps {
			names = append(names, d.Name)
		}
		if !reflect.DeepEqual(names, tt.want) {
			t.Errorf("DependenciesFor(%q) = %q, want %q", tt.extras, names, tt.want)
		}
	}
	if _, ok := env["extra"]; ok {
		t.Error("DependenciesFor modified env")
	}
}

func TestParseWheel(t *testing.T) {
	w, err := ParseWheel("WHEEL", []byte("Wheel-Version: 1.0\nGenerator: bdist_wheel (0.41.2)\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\nBuild: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := &WheelInfo{WheelVersion: "1.0", Generator: "bdist_wheel (0.41.2)", RootIsPurelib: true, Tags: []string{"py2-none-any", "py3-none-any"}, Build: "1"}
	if !reflect.DeepEqual(w, want) {
		t.Errorf("ParseWheel = %+v, want %+v", w, want)
	}
	for _, bad := range []struct{ in, want string }{
		{"Generator: x\n", "WHEEL: required field missing: Wheel-Version"},
		{"Wheel-Version: 2.0\n", `WHEEL:1: Wheel-Version "2.0": unsupported Wheel-Version`},
		{"Wheel-Version: 1.0\nRoot-Is-Purelib: yes\n", `WHEEL:2: Root-Is-Purelib "yes": want "true" or "false"`},
	} {
		_, err := ParseWheel("WHEEL", []byte(bad.in))
		if err == nil || !strings.HasPrefix(err.Error(), bad.want) {
			t.Errorf("ParseWheel(%q) error %v, want %s", bad.in, err, bad.want)
		}
	}
}
