package testindex

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWheelRecordMatchesMembers(t *testing.T) {
	f, err := Build(Dist{Name: "Acme.Triton", Version: "1.0", Requires: []string{"idna>=2"}, RequiresPython: ">=3.8"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Filename != "acme_triton-1.0-py3-none-any.whl" {
		t.Errorf("Filename = %q", f.Filename)
	}
	zr, err := zip.NewReader(bytes.NewReader(f.Data), int64(len(f.Data)))
	if err != nil {
		t.Fatal(err)
	}
	members := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		members[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	record := string(members["acme_triton-1.0.dist-info/RECORD"])
	lines := strings.Split(strings.TrimSpace(record), "\n")
	if len(lines) != len(members) {
		t.Fatalf("RECORD has %d lines for %d members:\n%s", len(lines), len(members), record)
	}
	for _, line := range lines {
		parts := strings.Split(line, ",")
		if strings.HasSuffix(parts[0], "RECORD") {
			continue
		}
		sum := sha256.Sum256(members[parts[0]])
		if want := "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]); parts[1] != want {
			t.Errorf("RECORD %s hash %s, want %s", parts[0], parts[1], want)
		}
	}
	if !bytes.Equal(members["acme_triton-1.0.dist-info/METADATA"], f.METADATA) {
		t.Errorf("METADATA member differs from File.METADATA")
	}
	for _, want := range []string{"Name: Acme.Triton\n", "Requires-Dist: idna>=2\n", "Requires-Python: >=3.8\n"} {
		if !strings.Contains(string(f.METADATA), want) {
			t.Errorf("METADATA lacks %q:\n%s", want, f.METADATA)
		}
	}
}

func TestSdistHasPKGInfo(t *testing.T) {
	f, err := Build(Dist{Name: "acme-triton", Version: "2.0", Sdist: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.Filename != "acme_triton-2.0.tar.gz" {
		t.Errorf("Filename = %q", f.Filename)
	}
	src := unpack(t, f.Data, t.TempDir())
	if filepath.Base(src) != "acme_triton-2.0" {
		t.Errorf("top directory = %q, want acme_triton-2.0", filepath.Base(src))
	}
	if data, err := os.ReadFile(filepath.Join(src, "PKG-INFO")); err != nil || !bytes.Equal(data, f.METADATA) {
		t.Errorf("PKG-INFO = %q (%v), want METADATA %q", data, err, f.METADATA)
	}
}

func get(t *testing.T, url, accept string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestServeNegotiatesAndLogs(t *testing.T) {
	idx := New(t)
	up := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	f := idx.Add(Dist{Name: "acme-triton", Version: "1.0", RequiresPython: ">=3.8", UploadTime: up, Yanked: "broken", Provenance: []byte(`{"x":1}`)})
	srv := idx.Serve(t)

	resp, body := get(t, srv.URL+"/Acme_Triton/", "application/vnd.pypi.simple.v1+json, text/html;q=0.1", nil)
	if ct := resp.Header.Get("Content-Type"); ct != ContentTypeJSON {
		t.Fatalf("Content-Type = %q, want JSON", ct)
	}
	var page struct {
		Name  string `json:"name"`
		Files []struct {
			Filename   string            `json:"filename"`
			URL        string            `json:"url"`
			Hashes     map[string]string `json:"hashes"`
			Yanked     any               `json:"yanked"`
			UploadTime string            `json:"upload-time"`
			Provenance string            `json:"provenance"`
			Core       map[string]string `json:"core-metadata"`
		} `json:"files"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Files) != 1 || page.Files[0].Hashes["sha256"] != f.SHA256 || page.Files[0].Yanked != "broken" ||
		page.Files[0].UploadTime != "2026-11-01T12:00:00.000000Z" || page.Files[0].Core["sha256"] != f.MetadataSHA256() ||
		page.Files[0].Provenance != srv.ProvenanceURL(f.Filename) {
		t.Errorf("JSON page wrong:\n%s", body)
	}

	resp, body = get(t, srv.URL+"/acme-triton/", "text/html", nil)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), `data-requires-python="&gt;=3.8"`) ||
		!strings.Contains(string(body), `data-yanked="broken"`) ||
		!strings.Contains(string(body), "#sha256="+f.SHA256) {
		t.Errorf("HTML page wrong (%s):\n%s", resp.Header.Get("Content-Type"), body)
	}

	// revalidation
	resp, _ = get(t, srv.URL+"/acme-triton/", "text/html", map[string]string{"If-None-Match": resp.Header.Get("ETag")})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation status = %d, want 304", resp.StatusCode)
	}

	// range read of the file and the metadata file
	resp, body = get(t, srv.FileURL(f.Filename), "", map[string]string{"Range": "bytes=0-3"})
	if resp.StatusCode != http.StatusPartialContent || string(body) != "PK\x03\x04" {
		t.Errorf("range: status %d body %q", resp.StatusCode, body)
	}
	_, body = get(t, srv.FileURL(f.Filename)+".metadata", "", nil)
	if !bytes.Equal(body, f.METADATA) {
		t.Errorf("metadata file = %q", body)
	}
	srv.SetMetadata(false)
	if resp, _ := get(t, srv.FileURL(f.Filename)+".metadata", "", nil); resp.StatusCode != 404 {
		t.Errorf("metadata off: status %d, want 404", resp.StatusCode)
	}

	if !srv.Asked("ACME.triton") || srv.Count("/simple/Acme_Triton/") != 1 {
		t.Errorf("request log: %v", srv.Paths())
	}
	reqs := srv.Requests()
	if reqs[0].Status != http.StatusMovedPermanently || reqs[1].Status != http.StatusOK {
		t.Errorf("statuses: %d %d", reqs[0].Status, reqs[1].Status)
	}
}

func TestServeFailuresAndAuth(t *testing.T) {
	idx := New(t)
	idx.Add(Dist{Name: "a", Version: "1"})
	srv := idx.Serve(t)
	srv.Fail("/simple/a/", 503, 2)
	for i, want := range []int{503, 503, 200} {
		if resp, _ := get(t, srv.URL+"/a/", "", nil); resp.StatusCode != want {
			t.Errorf("request %d: status %d, want %d", i, resp.StatusCode, want)
		}
	}
	srv.RequireAuth("u", "p")
	if resp, _ := get(t, srv.URL+"/a/", "", nil); resp.StatusCode != 401 {
		t.Errorf("without auth: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/a/", nil)
	req.SetBasicAuth("u", "p")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("with auth: %d", resp.StatusCode)
	}
	srv.Handle("/simple/a/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hostile")) })
	if _, body := get(t, srv.URL+"/a/", "", map[string]string{"Authorization": req.Header.Get("Authorization")}); string(body) != "hostile" {
		t.Errorf("override body %q", body)
	}
}

func TestWriteTree(t *testing.T) {
	idx := New(t)
	f := idx.Add(Dist{Name: "b_c", Version: "1"})
	dir := t.TempDir()
	u := idx.WriteTree(t, dir)
	if u != "file://"+filepath.ToSlash(filepath.Join(dir, "simple")) {
		t.Errorf("URL %q", u)
	}
	page, err := os.ReadFile(filepath.Join(dir, "simple", "b-c", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `href="../../files/`+f.Filename+"#sha256="+f.SHA256) {
		t.Errorf("page:\n%s", page)
	}
	data, err := os.ReadFile(filepath.Join(dir, "files", f.Filename))
	if err != nil || !bytes.Equal(data, f.Data) {
		t.Errorf("file on disk differs: %v", err)
	}
	flat := idx.WriteFlat(t, t.TempDir())
	if _, err := os.Stat(filepath.Join(flat, f.Filename)); err != nil {
		t.Error(err)
	}
}
