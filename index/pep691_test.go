package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// pep691Pages are the page URLs the differential tests resolve against.
var pep691Pages = []string{"https://idx.example/simple/a/", "file:///srv/simple/a/", "http://127.0.0.1:8080/simple/a"}

// diffParseJSON compares ParseJSON with parseJSONReference on data: both
// fail, or both give equal projects.
func diffParseJSON(t *testing.T, data []byte) {
	t.Helper()
	for _, pageURL := range pep691Pages {
		got, err := ParseJSON(pageURL, data)
		want, werr := parseJSONReference(pageURL, data)
		if (err == nil) != (werr == nil) {
			t.Fatalf("ParseJSON(%q, %q):\n err %v\nwant %v", pageURL, data, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) && !refMayGive(pageURL, data, got) {
			t.Fatalf("ParseJSON(%q, %q):\n got %#v\nwant %#v", pageURL, data, got, want)
		}
		if err == nil {
			for _, file := range got.Files {
				if checkFilename(file.Filename) != nil || file.URL == "" || file.Size < 0 {
					t.Fatalf("unsafe file accepted: %+v", file)
				}
			}
		}
	}
}

// refMayGive reports whether parseJSONReference gives got in one of 64
// runs. Its result depends on Go's random map order when two hash keys
// differ only in case ("SHA256", "sha256"); ParseJSON takes the later one.
func refMayGive(pageURL string, data []byte, got *Project) bool {
	for range 64 {
		if want, err := parseJSONReference(pageURL, data); err == nil && reflect.DeepEqual(got, want) {
			return true
		}
	}
	return false
}

// pep691Cases are edge cases for the differential test.
var pep691Cases = []string{
	``, ` `, `null`, ` null `, `nul`, `true`, `1`, `"x"`, `[]`, `{}`, `{} x`, `{}{}`, `{,}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`,
	`{"meta":{"api-version":"1.0"},"name":"a"}`,
	`{"meta":{"api-version":"1.0"},"name":"a","files":[]}`,
	`{"meta":{"api-version":"1.0"},"name":"a","files":null,"versions":null}`,
	`{"meta":{"api-version":"1.0"},"name":"a","versions":[]}`,
	`{"meta":{"api-version":"1.0"},"name":"a","versions":["1","2"],"versions":[null]}`,
	`{"meta":{"api-version":"1.0"},"name":"a","versions":["1","2"],"versions":[],"versions":[null]}`,
	`{"meta":{"api-version":"1.0"},"name":"a","versions":["1",2]}`,
	`{"meta":{"api-version":"1.0"},"meta":{"x":1},"meta":null,"name":"a","name":null}`,
	`{"META":{"API-Version":"1.0"},"Name":"a","ſ":1,"nAme":"b"}`,
	`{"meta":{"api-version":"2.0"},"name":"a"}`,
	`{"meta":{"api-version":1},"name":"a"}`,
	`{"meta":[],"name":"a"}`,
	"\t\r\n {\n\"meta\" : { \"api-version\" :\t\"1.1\" } ,\r\"name\" :\"a\" , \"files\" : [ { \"filename\" : \"a-1.tar.gz\" , \"url\" : \"a-1.tar.gz\" } ] } \n",
	`{"meta":{"api-version":"1.0"},"name":"a\u00e9\ud83d\ude00\ud800\u0041\udc00x\ud800\ud800\/\b\f\n\r\t\"\\"}`,
	"{\"meta\":{\"api-version\":\"1.0\"},\"name\":\"a\xff\xed\xa0\x80\xc3\"}",
	"{\"meta\":{\"api-version\":\"1.0\"},\"name\":\"a\x01\"}",
	`{"meta":{"api-version":"1.0"},"name":"a\x"}`,
	`{"meta":{"api-version":"1.0"},"name":"a\u12"}`,
	`{"meta":{"api-version":"1.0"},"name":"a\u12G4"}`,
	`{"meta":{"api-version":"1.0"},"name":"a`,
	`{"meta":{"api-version":"1.0"},"name":"a","x":[1,-0,0.5,-1.5e+3,1E9,{"y":[true,false,null,{}]},[[[]]]]}`,
	`{"meta":{"api-version":"1.0"},"name":"a","x":01}`,
	`{"meta":{"api-version":"1.0"},"name":"a","x":1.}`,
	`{"meta":{"api-version":"1.0"},"name":"a","x":.1}`,
	`{"meta":{"api-version":"1.0"},"name":"a","x":1e}`,
	`{"meta":{"api-version":"1.0"},"name":"a","x":-}`,
	`{"meta":{"api-version":"1.0"},"name":"a","x":+1}`,
	`{"meta":{"api-version":"1.0"},"name":"a","x":tru}`,
	`{"meta":{"api-version":"1.0"},"name":"a","x":nulll}`,
	`{"meta":{"api-version":"1.0"},"name":"a","x":"\ud800"}`,
	`{"meta":{"api-version":"1.0"},"name":"a","files":[{"filename":"a-1.tar.gz","url":"a-1.tar.gz"},]}`,
	`{"meta":{"api-version":"1.0"},"name":"a","files":{}}`,
	`{"meta":{"api-version":"1.0"},"name":"a","files":[1]}`,
	`{"meta":{"api-version":"1.0"},"name":"a","files":[null]}`,
}

// pep691File wraps the fields of one file into a page.
func pep691File(fields ...string) string {
	var b strings.Builder
	b.WriteString(`{"meta":{"api-version":"1.1"},"name":"a","files":[`)
	for i, f := range fields {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("{" + f + "}")
	}
	b.WriteString("]}")
	return b.String()
}

// pep691FileCases are the fields of one file, each made into a page.
var pep691FileCases = []string{
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz"`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","hashes":{"sha256":"` + sha + `","SHA256":"` + sha + `"}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","hashes":{"sha256":"zz","sha256":"` + sha + `"}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","hashes":{"sha256":"` + sha + `","sha256":"zz"}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","hashes":{"sha256":null}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","hashes":{"blake3":null,"x":"AB"}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","hashes":{"sha256":1}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","hashes":[]`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","hashes":null,"hashes":{"md5":"` + sha[:32] + `"},"hashes":{"x":"ab"}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","hashes":{"md5":"` + sha[:32] + `"},"hashes":null`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","yanked":"\u0041 reason"`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","yanked":""`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","yanked":true,"yanked":null`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","yanked": false `,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","yanked":{}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","yanked":[true]`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","yanked":0`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","core-metadata":true`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","core-metadata":false,"dist-info-metadata":true`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","core-metadata":null,"dist-info-metadata":{"sha256":"` + sha2 + `"}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","dist-info-metadata":{"sha256":"` + sha2 + `"},"core-metadata":{}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","core-metadata":{"sha256":"` + sha2 + `","sha256":null}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","core-metadata":{"sha256":{"x":1}}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","core-metadata":{"SHA256":"` + strings.ToUpper(sha2) + `","blake2":"q"}`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","core-metadata":"true"`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","core-metadata":{"x":1},"core-metadata":true`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","dist-info-metadata":{"x":1},"core-metadata":true`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","size":0`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","size":-0`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","size":1.0`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","size":1e3`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","size":-5`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","size":"5"`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","size":99999999999999999999`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","size":9223372036854775807,"size":null`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","upload-time":"2026-01-01T00:00:00+02:00"`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","upload-time":"2026-01-01"`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","upload-time":null`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","requires-python":" >=3.8 ","requires-python":null`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","requires-python":3`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","provenance":"../prov/a"`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","provenance":""`,
	`"filename":"a-1.tar.gz","url":"a-1.tar.gz","provenance":"file:///x"`,
	`"Filename":"a-1.tar.gz","URL":"a-1.tar.gz","Hashes":{},"SIZE":3,"Yanked":true,"Core-Metadata":true,"Upload-Time":null`,
	`"filename":"a-1.tar.gz","filename":null,"url":"a-1.tar.gz","x":{"y":[1,{"z":null}]}`,
	`"filename":"a-1.tar.gz","url":null`,
	`"filename":null,"url":"a"`,
	`"filename":"a/../b","url":"a"`,
	`"filename":"a\u0000","url":"a"`,
	`"filename":7,"url":"a"`,
}

// pep691URLs are file URLs, each made into a page.
var pep691URLs = []string{
	"a-1.tar.gz", "./a-1.tar.gz", "../a-1.tar.gz", "../../../../../a-1.tar.gz", "../../files/a/a-1.tar.gz",
	"sub/a-1.tar.gz", "sub/./a-1.tar.gz", "sub/../a-1.tar.gz", "sub//a-1.tar.gz", "/abs/a-1.tar.gz", "//h2/a-1.tar.gz",
	"//h2", ".", "..", "sub/", "a-1.tar.gz#sha256=x", "a-1.tar.gz?x=1", "a%20b.tar.gz", "a b.tar.gz", "a:b", "a+b~c_d",
	"https://files.example/packages/ab/cd/a-1.tar.gz", "https://files.example/packages/ab/cd/a-1.tar.gz#frag",
	"https://user:pw@files.example/a-1.tar.gz", "https://FILES.example/A-1.tar.gz", "HTTPS://files.example/a",
	"https://files.example:8443/a", "https://files.example:/a", "https://files.example:x/a", "https://:80/a",
	"https:///a", "https://files.example", "https://files.example/", "https://files.example/a/../b", "https://files.example/a/./b",
	"https://files.example//a", "https://files.example/.a", "https://files.example/a.", "http://h/a", "ftp://h/a",
	"file:///etc/a", "javascript:alert(1)", "https://h/%zz", "https://h/a%2Fb", "https://[::1]/a", "https://h/a?b",
	"https://h/a b", "https://h-1.x_y/a", "https://h/a\u00e9",
}

func TestParseJSONDifferential(t *testing.T) {
	var pages []string
	pages = append(pages, pep691Cases...)
	for _, c := range pep691FileCases {
		pages = append(pages, pep691File(c), pep691File(c, c), pep691File(`"filename":"b-1.tar.gz","url":"b"`, c))
	}
	for _, u := range pep691URLs {
		q, _ := json.Marshal(u)
		pages = append(pages, pep691File(`"filename":"a-1.tar.gz","url":`+string(q)+`,"provenance":`+string(q)))
	}
	// a repeated "files" decodes into the elements of the one before
	pages = append(pages,
		`{"meta":{"api-version":"1.0"},"name":"a","files":[{"filename":"a-1.tar.gz","url":"a","hashes":{"md5":"`+sha[:32]+`"},"size":3},{"filename":"a-2.tar.gz","url":"b"}],`+
			`"files":[{"hashes":{"sha256":"`+sha+`"}},null],"files":[null],"files":[null,null]}`,
		`{"meta":{"api-version":"1.0"},"name":"a","files":[{"filename":"a-1.tar.gz","url":"a"}],"files":[],"files":[null]}`,
		`{"meta":{"api-version":"1.0"},"name":"a","files":[{"filename":"a-1.tar.gz","url":"a"}],"files":null,"files":[{"url":"b"}]}`,
		strings.Repeat("[", 64)+strings.Repeat("]", 64),
		`{"meta":{"api-version":"1.0"},"name":"a","x":`+strings.Repeat("[", 9990)+strings.Repeat("]", 9990)+`}`,
		`{"meta":{"api-version":"1.0"},"name":"a","x":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}`,
		`{"meta":{"api-version":"1.0"},"name":"a","x":`+strings.Repeat(`{"a":`, 20000)+`1`+strings.Repeat("}", 20000)+`}`,
	)
	seeds, err := filepath.Glob("testdata/fuzz/FuzzParseJSON/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range seeds {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var s string
		if _, err := fmt.Sscanf(strings.TrimPrefix(string(data), "go test fuzz v1\n"), "[]byte(%q)", &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pages = append(pages, s)
	}
	_, big := largePage(200)
	pages = append(pages, string(big), string(corpusLikePage(50)))
	accepted := 0
	for _, p := range pages {
		diffParseJSON(t, []byte(p))
		if _, err := ParseJSON(pep691Pages[0], []byte(p)); err == nil {
			accepted++
		}
	}
	t.Logf("compared %d pages (x%d page URLs) with the encoding/json reference; %d accepted", len(pages), len(pep691Pages), accepted)
}

// This file keeps the encoding/json implementation of ParseJSON that
// pep691.go replaced, as the oracle of TestParseJSONDifferential and
// FuzzParseJSON.

// refPage is the PEP 691 project page.
type refPage struct {
	Meta struct {
		APIVersion string `json:"api-version"`
	} `json:"meta"`
	Name     string    `json:"name"`
	Versions []string  `json:"versions"`
	Files    []refFile `json:"files"`
}

type refFile struct {
	Filename         string            `json:"filename"`
	URL              string            `json:"url"`
	Hashes           map[string]string `json:"hashes"`
	RequiresPython   *string           `json:"requires-python"`
	Yanked           json.RawMessage   `json:"yanked"`
	CoreMetadata     json.RawMessage   `json:"core-metadata"`
	DistInfoMetadata json.RawMessage   `json:"dist-info-metadata"`
	Size             *int64            `json:"size"`
	UploadTime       *string           `json:"upload-time"`
	Provenance       *string           `json:"provenance"`
}

// parseJSONReference parses a PEP 691 JSON project page served at pageURL. Relative
// file URLs are resolved against pageURL. The page must state a 1.x
// meta.api-version and a name; any malformed field, hash or filename is an
// error naming the file.
func parseJSONReference(pageURL string, data []byte) (*Project, error) {
	page, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("page URL %q: %w", Redact(pageURL), err)
	}
	var jp refPage
	if err := json.Unmarshal(data, &jp); err != nil {
		return nil, fmt.Errorf("malformed JSON page: %w", err)
	}
	if jp.Meta.APIVersion == "" {
		return nil, errors.New("JSON page has no meta.api-version")
	}
	if err := checkAPIVersion(jp.Meta.APIVersion); err != nil {
		return nil, err
	}
	if jp.Name == "" {
		return nil, errors.New("JSON page has no project name")
	}
	p := &Project{Name: jp.Name, URL: Redact(pageURL), APIVersion: jp.Meta.APIVersion, Versions: jp.Versions}
	for i, jf := range jp.Files {
		f, err := jsonToFileRef(page, jf)
		if err != nil {
			if jf.Filename == "" {
				return nil, fmt.Errorf("files[%d]: %w", i, err)
			}
			return nil, fmt.Errorf("file %q: %w", jf.Filename, err)
		}
		p.Files = append(p.Files, f)
	}
	return p, nil
}

func jsonToFileRef(page *url.URL, jf refFile) (File, error) {
	f := File{Filename: jf.Filename, Hashes: map[string]string{}}
	if jf.Filename == "" {
		return f, errors.New("no filename")
	}
	if err := checkFilename(jf.Filename); err != nil {
		return f, err
	}
	if jf.URL == "" {
		return f, errors.New("no url")
	}
	u, err := page.Parse(jf.URL)
	if err != nil {
		return f, fmt.Errorf("url: %w", err)
	}
	if !linkSchemeOK(page, u) {
		return f, fmt.Errorf("url %q: scheme %q not allowed on this page", Redact(u.String()), u.Scheme)
	}
	f.URL = cleanURL(u)
	for algo, value := range jf.Hashes {
		if !knownHash(algo) && !isHex(value) {
			continue // an unknown hash we cannot use anyway
		}
		algo, value, err := checkHash(algo, value)
		if err != nil {
			return f, err
		}
		f.Hashes[algo] = value
	}
	if jf.RequiresPython != nil {
		f.RequiresPython = strings.TrimSpace(*jf.RequiresPython)
	}
	if f.Yanked, f.YankedReason, err = jsonYankedRef(jf.Yanked); err != nil {
		return f, err
	}
	meta := jf.CoreMetadata
	if len(meta) == 0 || string(meta) == "null" {
		meta = jf.DistInfoMetadata
	}
	if f.CoreMetadata, f.CoreMetadataHashes, err = jsonMetadataRef(meta); err != nil {
		return f, err
	}
	if jf.Size != nil {
		if *jf.Size < 0 {
			return f, fmt.Errorf("negative size %d", *jf.Size)
		}
		f.Size = *jf.Size
	}
	if jf.UploadTime != nil {
		t, err := time.Parse(time.RFC3339Nano, *jf.UploadTime)
		if err != nil {
			return f, fmt.Errorf("upload-time %q is not an ISO 8601 time like 2006-01-02T15:04:05.000000Z", *jf.UploadTime)
		}
		f.UploadTime = t.UTC()
	}
	if jf.Provenance != nil && *jf.Provenance != "" {
		pu, err := page.Parse(*jf.Provenance)
		if err != nil || !linkSchemeOK(page, pu) {
			return f, fmt.Errorf("bad provenance URL %q", Redact(*jf.Provenance))
		}
		f.Provenance = cleanURL(pu)
	}
	return f, nil
}

// jsonYankedRef decodes PEP 691 "yanked": false, true, or a reason string.
func jsonYankedRef(raw json.RawMessage) (bool, string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return false, "", nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, "", nil
	}
	var reason string
	if err := json.Unmarshal(raw, &reason); err == nil {
		return true, reason, nil
	}
	return false, "", fmt.Errorf("yanked is %s, want a boolean or a string", truncate(string(raw)))
}

// jsonMetadataRef decodes PEP 691/714 "core-metadata": a boolean or a dict of
// hashes.
func jsonMetadataRef(raw json.RawMessage) (bool, map[string]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return false, nil, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		if b {
			return true, map[string]string{}, nil
		}
		return false, nil, nil
	}
	var hashes map[string]string
	if err := json.Unmarshal(raw, &hashes); err != nil {
		return false, nil, fmt.Errorf("core-metadata is %s, want a boolean or a dict of hashes", truncate(string(raw)))
	}
	out := map[string]string{}
	for algo, value := range hashes {
		if !knownHash(algo) && !isHex(value) {
			continue
		}
		algo, value, err := checkHash(algo, value)
		if err != nil {
			return false, nil, fmt.Errorf("core-metadata: %w", err)
		}
		out[algo] = value
	}
	return true, out, nil
}
