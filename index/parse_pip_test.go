package index

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"reflect"
	"testing"
	"time"

	"github.com/safepip/safepip/internal/testindex"
)

// pipLink is a link as pip's collector reports it (testdata/pip_links.py).
type pipLink struct {
	URL                string            `json:"url"`
	Filename           string            `json:"filename"`
	RequiresPython     string            `json:"requires_python"`
	Yanked             bool              `json:"yanked"`
	YankedReason       string            `json:"yanked_reason"`
	CoreMetadata       bool              `json:"core_metadata"`
	CoreMetadataHashes map[string]string `json:"core_metadata_hashes"`
	Hashes             map[string]string `json:"hashes"`
}

type pipPage struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
}

// TestParseMatchesPip parses the same pages with ParseHTML/ParseJSON and
// with pip's own collector (pip 23.2, the one installed) and compares every
// link. The pages avoid what we drop on purpose (credentials in links,
// non-file links), which pip keeps, and a bare data-yanked attribute, which
// PEP 592 says yanks the file ("may have no value") and pip 23.2 ignores.
func TestParseMatchesPip(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 not installed")
	}
	pages := []pipPage{
		{"https://idx.example/simple/a/", "text/html", `<!DOCTYPE html><html><body>
<a href="../../files/a-1.0-py3-none-any.whl#sha256=` + sha + `" data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=` + sha2 + `">a</a>
<A HREF='https://files.example/a-1.0.tar.gz#md5=d41d8cd98f00b204e9800998ecf8427e' DATA-YANKED="">b</A>
<a href=a-0.9-py3-none-any.whl data-yanked="bad &amp; broken" data-dist-info-metadata=true>c</a>
<a href="https://files.example/a-0.8.tar.gz?x=1&amp;y=2#sha256=` + sha2 + `" data-yanked="">d</a>
</body></html>`},
		{"https://idx.example/simple/b/", "text/html", `<html><head><base href="https://cdn.example/pkgs/"></head>
<a href="b-1.0.tar.gz">x</a><a href="sub/b-2.0.tar.gz" data-dist-info-metadata="sha256=` + sha + `">y</a></html>`},
		{"https://idx.example/simple/c/", "application/vnd.pypi.simple.v1+json", `{"meta": {"api-version": "1.1"}, "name": "c", "files": [
{"filename": "c-1.0-py3-none-any.whl", "url": "../../files/c-1.0-py3-none-any.whl", "hashes": {"sha256": "` + sha + `"}, "requires-python": ">=3.9", "yanked": "old", "core-metadata": {"sha256": "` + sha2 + `"}},
{"filename": "c-0.9.tar.gz", "url": "https://files.example/c-0.9.tar.gz", "hashes": {}, "yanked": true, "dist-info-metadata": true},
{"filename": "c-0.8.tar.gz", "url": "https://files.example/c-0.8.tar.gz", "hashes": {"sha256": "` + sha2 + `"}, "yanked": false}]}`},
	}
	// and the pages testindex serves, in both formats
	idx := testindex.New(t)
	idx.Add(testindex.Dist{Name: "Acme.Triton", Version: "1.0", RequiresPython: ">=3.8", UploadTime: time.Now()})
	idx.Add(testindex.Dist{Name: "acme-triton", Version: "0.9", Yanked: "broken <build>", Sdist: true})
	idx.Add(testindex.Dist{Name: "acme-triton", Version: "0.8", YankedNoReason: true})
	srv := idx.Serve(t)
	for _, accept := range []string{"text/html", ContentTypeJSON} {
		c := newClient(t, Options{})
		page, err := c.fetchPage(t.Context(), Index{Name: "t"}, srv.ProjectURL("acme-triton"), accept == ContentTypeJSON)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, pipPage{page.FinalURL, page.ContentType, string(page.Body)})
	}

	in, _ := json.Marshal(pages)
	cmd := exec.Command("python3", "testdata/pip_links.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pip_links.py: %v\n%s", err, stderr.String())
	}
	var want [][]pipLink
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	compared := 0
	for i, page := range pages {
		p, err := parsePage(page.URL, page.ContentType, []byte(page.Body))
		if err != nil {
			t.Errorf("page %d: %v", i, err)
			continue
		}
		var got []pipLink
		for _, f := range p.Files {
			got = append(got, pipLink{
				URL: f.URL, Filename: f.Filename, RequiresPython: f.RequiresPython,
				Yanked: f.Yanked, YankedReason: f.YankedReason,
				CoreMetadata: f.CoreMetadata, CoreMetadataHashes: orEmpty(f.CoreMetadataHashes), Hashes: f.Hashes,
			})
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("page %d (%s):\n ours %+v\n pip  %+v", i, page.URL, got, want[i])
		}
		compared += len(got)
	}
	t.Logf("compared %d links on %d pages with pip's collector", compared, len(pages))
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
