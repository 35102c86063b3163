package index

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const sha = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
const sha2 = "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"

func TestParseHTML(t *testing.T) {
	page := `<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.1">
<!-- <a href="commented-1.0.tar.gz">no</a> -->
<script>var s = '<a href="scripted-1.0.tar.gz">';</script>
</head><body>
<A HREF="../../files/acme_triton-1.0-py3-none-any.whl#sha256=` + strings.ToUpper(sha) + `" data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=` + sha2 + `">x</A>
<a href='https://files.example/acme-triton-1.0.tar.gz#md5=d41d8cd98f00b204e9800998ecf8427e' data-yanked data-dist-info-metadata=true>y</a>
<a href=acme_triton-0.9-py3-none-any.whl data-yanked="bad &amp; broken" data-provenance="/prov/acme_triton-0.9-py3-none-any.whl">z</a>
<a href="https://user:secret@files.example/acme_triton-0.8.tar.gz#egg=acme">w</a>
<a href="javascript:alert(1)">j</a>
<a href="../">up</a>
</body></html>`
	p, err := ParseHTML("https://idx.example/simple/acme-triton/", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{Filename: "acme_triton-1.0-py3-none-any.whl", URL: "https://idx.example/files/acme_triton-1.0-py3-none-any.whl",
			Hashes: map[string]string{"sha256": sha}, RequiresPython: ">=3.8,<4",
			CoreMetadata: true, CoreMetadataHashes: map[string]string{"sha256": sha2}},
		{Filename: "acme-triton-1.0.tar.gz", URL: "https://files.example/acme-triton-1.0.tar.gz",
			Hashes: map[string]string{"md5": "d41d8cd98f00b204e9800998ecf8427e"}, Yanked: true,
			CoreMetadata: true, CoreMetadataHashes: map[string]string{}},
		{Filename: "acme_triton-0.9-py3-none-any.whl", URL: "https://idx.example/simple/acme-triton/acme_triton-0.9-py3-none-any.whl",
			Hashes: map[string]string{}, Yanked: true, YankedReason: "bad & broken",
			Provenance: "https://idx.example/prov/acme_triton-0.9-py3-none-any.whl"},
		{Filename: "acme_triton-0.8.tar.gz", URL: "https://files.example/acme_triton-0.8.tar.gz", Hashes: map[string]string{}},
	}
	if !reflect.DeepEqual(p.Files, want) {
		t.Errorf("files:\n got %+v\nwant %+v", p.Files, want)
	}
	if p.APIVersion != "1.1" {
		t.Errorf("APIVersion = %q", p.APIVersion)
	}
	if len(p.Skipped) != 2 {
		t.Errorf("Skipped = %q, want the javascript: and ../ links", p.Skipped)
	}
}

func TestParseHTMLBase(t *testing.T) {
	page := `<html><head><base href="https://cdn.example/pkgs/"></head>
<a href="a-1.0.tar.gz">a</a><base href="https://ignored.example/"><a href="sub/a-2.0.tar.gz">b</a>`
	p, err := ParseHTML("https://idx.example/simple/a/", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{p.Files[0].URL, p.Files[1].URL}
	want := []string{"https://cdn.example/pkgs/a-1.0.tar.gz", "https://cdn.example/pkgs/sub/a-2.0.tar.gz"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("URLs = %q, want %q", got, want)
	}
}

func TestParseHTMLErrors(t *testing.T) {
	tests := []struct{ name, page, want string }{
		{"encoded slash", `<a href="x%2F..%2Fevil-1.0.tar.gz">`, "path separator"},
		{"dot dot", `<a href="evil..-1.0.tar.gz">`, `".."`},
		{"backslash", `<a href="a%5Cb-1.0.tar.gz">`, "path separator"},
		{"control", `<a href="a%0A-1.0.tar.gz">`, "control character"},
		{"bad hash", `<a href="a-1.0.tar.gz#sha256=zz">`, "not hex"},
		{"short hash", `<a href="a-1.0.tar.gz#sha256=abcd">`, "has 4 hex digits, want 64"},
		{"bad metadata attr", `<a href="a-1.0.tar.gz" data-core-metadata="yes">`, "neither"},
		{"api version 2", `<meta name="pypi:repository-version" content="2.0">`, "unsupported repository API version"},
	}
	for _, tt := range tests {
		_, err := ParseHTML("https://idx.example/simple/a/", []byte(tt.page))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseHTML error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestParseHTMLFileLinksOnlyOnFilePages(t *testing.T) {
	page := []byte(`<a href="file:///etc/passwd-1.0.tar.gz">x</a>`)
	p, err := ParseHTML("https://idx.example/simple/passwd/", page)
	if err != nil || len(p.Files) != 0 {
		t.Errorf("remote page: files %v, err %v; want the file: link skipped", p.Files, err)
	}
	p, err = ParseHTML("file:///srv/simple/passwd/", page)
	if err != nil || len(p.Files) != 1 {
		t.Errorf("local page: files %v, err %v; want the file: link kept", p.Files, err)
	}
}

func TestParseJSON(t *testing.T) {
	page := `{"meta": {"api-version": "1.1"}, "name": "Acme.Triton", "versions": ["0.9", "1.0"],
"files": [
 {"filename": "acme_triton-1.0-py3-none-any.whl", "url": "../../files/acme_triton-1.0-py3-none-any.whl",
  "hashes": {"sha256": "` + sha + `", "blake3": "notours"}, "requires-python": ">=3.8", "yanked": false,
  "core-metadata": {"sha256": "` + sha2 + `"}, "size": 1234, "upload-time": "2026-11-01T12:00:00.123456Z",
  "provenance": "https://idx.example/prov/1"},
 {"filename": "acme_triton-0.9.tar.gz", "url": "https://files.example/acme_triton-0.9.tar.gz#sha256=ignored",
  "hashes": {}, "requires-python": null, "yanked": "security hole", "dist-info-metadata": true},
 {"filename": "acme_triton-0.8.tar.gz", "url": "https://files.example/acme_triton-0.8.tar.gz",
  "hashes": {}, "yanked": true, "core-metadata": false, "dist-info-metadata": {"sha256": "` + sha2 + `"}}
]}`
	p, err := ParseJSON("https://idx.example/simple/acme-triton/", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{Filename: "acme_triton-1.0-py3-none-any.whl", URL: "https://idx.example/files/acme_triton-1.0-py3-none-any.whl",
			Hashes: map[string]string{"sha256": sha}, RequiresPython: ">=3.8",
			CoreMetadata: true, CoreMetadataHashes: map[string]string{"sha256": sha2}, Size: 1234,
			UploadTime: time.Date(2026, 11, 1, 12, 0, 0, 123456000, time.UTC), Provenance: "https://idx.example/prov/1"},
		{Filename: "acme_triton-0.9.tar.gz", URL: "https://files.example/acme_triton-0.9.tar.gz", Hashes: map[string]string{},
			Yanked: true, YankedReason: "security hole", CoreMetadata: true, CoreMetadataHashes: map[string]string{}},
		{Filename: "acme_triton-0.8.tar.gz", URL: "https://files.example/acme_triton-0.8.tar.gz", Hashes: map[string]string{},
			Yanked: true},
	}
	if !reflect.DeepEqual(p.Files, want) {
		t.Errorf("files:\n got %+v\nwant %+v", p.Files, want)
	}
	if p.Name != "Acme.Triton" || p.APIVersion != "1.1" || !reflect.DeepEqual(p.Versions, []string{"0.9", "1.0"}) {
		t.Errorf("page fields: %q %q %q", p.Name, p.APIVersion, p.Versions)
	}
}

func TestParseJSONErrors(t *testing.T) {
	file := func(fields string) string {
		return `{"meta": {"api-version": "1.0"}, "name": "a", "files": [{` + fields + `}]}`
	}
	base := `"filename": "a-1.0.tar.gz", "url": "a-1.0.tar.gz", "hashes": {}`
	tests := []struct{ name, page, want string }{
		{"not json", `<html>`, "malformed JSON page"},
		{"no meta", `{"name": "a", "files": []}`, "no meta.api-version"},
		{"api 2", `{"meta": {"api-version": "2.0"}, "name": "a", "files": []}`, "unsupported repository API version"},
		{"no name", `{"meta": {"api-version": "1.0"}, "files": []}`, "no project name"},
		{"slash", file(`"filename": "../a-1.0.tar.gz", "url": "x", "hashes": {}`), "path separator"},
		{"no url", file(`"filename": "a-1.0.tar.gz", "hashes": {}`), "no url"},
		{"no filename", file(`"url": "a", "hashes": {}`), "files[0]: no filename"},
		{"bad hash", file(`"filename": "a-1.0.tar.gz", "url": "a", "hashes": {"sha256": "xyz"}`), "not hex"},
		{"bad yanked", file(base + `, "yanked": 3`), "yanked is 3"},
		{"bad core", file(base + `, "core-metadata": "yes"`), "core-metadata is"},
		{"bad core hash", file(base + `, "core-metadata": {"sha256": "12"}`), "has 2 hex digits"},
		{"negative size", file(base + `, "size": -1`), "negative size"},
		{"bad time", file(base + `, "upload-time": "yesterday"`), "upload-time"},
		{"bad scheme", file(`"filename": "a-1.0.tar.gz", "url": "file:///etc/a-1.0.tar.gz", "hashes": {}`), "not allowed"},
		{"bad provenance", file(base + `, "provenance": "ftp://x/y"`), "bad provenance"},
	}
	for _, tt := range tests {
		_, err := ParseJSON("https://idx.example/simple/a/", []byte(tt.page))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseJSON error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestSelectProject(t *testing.T) {
	p := &Project{Name: "Acme_Triton", Files: []File{
		{Filename: "acme_triton-1.0-py3-none-any.whl"},
		{Filename: "other-1.0-py3-none-any.whl"},
		{Filename: "acme-triton-setup.exe"},
	}}
	if err := selectProject(p, "acme-triton", false); err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || len(p.Skipped) != 2 || p.Name != "acme-triton" {
		t.Errorf("files %v skipped %q name %q", p.Files, p.Skipped, p.Name)
	}
	err := selectProject(&Project{Name: "torch"}, "acme-triton", false)
	if err == nil || !strings.Contains(err.Error(), `page is for project "torch", not "acme-triton"`) {
		t.Errorf("wrong project: err = %v", err)
	}
}

func TestParseNameBelongs(t *testing.T) {
	tests := []struct {
		filename, project string
		want              bool
	}{
		{"acme_triton-1.0-py3-none-any.whl", "acme-triton", true},
		{"Acme.Triton-1.0-1-cp311-cp311-linux_x86_64.whl", "acme-triton", true},
		{"acme_triton-1.0-py3-none.whl", "acme-triton", false},
		{"acme_triton-1.0-py3-none-any.whl", "acme", false},
		{"acme-triton-1.0.tar.gz", "acme-triton", true},
		{"acme-triton-1.0.tar.gz", "acme", false},
		{"acme-triton-v2.zip", "acme-triton", true},
		{"acme-triton-.tar.gz", "acme-triton", false},
		{"acme-triton-1.0.tar.xz", "acme-triton", false}, // PEP 625: .tar.gz, or the legacy .zip
		{"acme_triton-notaversion-py3-none-any.whl", "acme-triton", false},
		{"acme_triton-1.0.egg", "acme-triton", false},
		{"acme-triton-1.0.exe", "acme-triton", false},
		{"acme-tritonic-1.0.tar.gz", "acme-triton", false},
	}
	for _, tt := range tests {
		if _, _, got, _ := parseName(tt.filename, tt.project); got != tt.want {
			t.Errorf("parseName(%q, %q) ok = %v, want %v", tt.filename, tt.project, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://user:hunter2@idx.example/simple", "https://***@idx.example/simple"},
		{"https://tok3n@idx.example/simple/", "https://***@idx.example/simple/"},
		{"https://files.example/a.whl?X-Amz-Signature=abc&x=1", "https://files.example/a.whl?X-Amz-Signature=***&x=***"},
		{"https://idx.example/simple", "https://idx.example/simple"},
		{"https://user:hunter2@idx.example:bad port/x", "https://***@idx.example:bad port/x"},
		{"file:///srv/simple", "file:///srv/simple"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNetrc(t *testing.T) {
	data := `# comment
machine idx.example login alice password s3cret
macdef init
cd /pub
ls

machine Other.example
  login bob
  password pw
default login anon password anon`
	entries, err := parseNetrc(".netrc", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ host, login, pass string }{
		{"idx.example", "alice", "s3cret"},
		{"other.example", "bob", "pw"},
		{"unknown.example", "anon", "anon"},
	}
	for _, tt := range tests {
		login, pass, ok := lookupNetrc(entries, tt.host)
		if !ok || login != tt.login || pass != tt.pass {
			t.Errorf("lookupNetrc(%q) = %q %q %v, want %q %q", tt.host, login, pass, ok, tt.login, tt.pass)
		}
	}
	for _, bad := range []string{"machine", "login x", "machine a login", "machine a passwd hunter2"} {
		_, err := parseNetrc(".netrc", []byte(bad))
		if err == nil {
			t.Errorf("parseNetrc(%q): no error", bad)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("parseNetrc(%q): error %q shows the secret", bad, err)
		}
	}
}

func FuzzParseHTML(f *testing.F) {
	f.Add([]byte(`<a href="a-1.0.tar.gz#sha256=` + sha + `" data-yanked="x" data-requires-python="&gt;=3">a</a>`))
	f.Add([]byte(`<base href="https://x/"><a href='b-1-py3-none-any.whl' data-core-metadata=true>`))
	f.Add([]byte(`<!-- <a href="x"> --><script><a href="y"></script><a href=z`))
	f.Add([]byte(`<a href="%zz"><a href="a%2F..-1.0.tar.gz"><a data-dist-info-metadata="sha256=00">`))
	f.Add([]byte(`<meta name="pypi:repository-version" content="1.0"><a href="`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseHTML("https://idx.example/simple/a/", data)
		if err != nil {
			return
		}
		for _, file := range p.Files {
			if checkFilename(file.Filename) != nil || file.URL == "" {
				t.Fatalf("unsafe file accepted: %+v", file)
			}
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"meta":{"api-version":"1.1"},"name":"a","files":[{"filename":"a-1.0.tar.gz","url":"a-1.0.tar.gz","hashes":{"sha256":"` + sha + `"},"yanked":"r","core-metadata":{"sha256":"` + sha2 + `"},"size":3,"upload-time":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"meta":{"api-version":"1.0"},"name":"a","files":[{"filename":"../x","url":"x","hashes":{}}]}`))
	f.Add([]byte(`{"meta":{"api-version":"1.0"},"name":"a","files":[{"filename":"a","url":"%zz","hashes":{},"yanked":true,"dist-info-metadata":true}]}`))
	f.Add([]byte(`{"meta":{},"files":null}`))
	f.Add([]byte(`[]`))
	for _, c := range pep691Cases {
		f.Add([]byte(c))
	}
	for _, c := range pep691FileCases {
		f.Add([]byte(pep691File(c)))
	}
	// FuzzParseJSON is differential: ParseJSON and the encoding/json
	// reference (pep691_test.go) both fail or agree.
	f.Fuzz(func(t *testing.T, data []byte) {
		diffParseJSON(t, data)
	})
}
