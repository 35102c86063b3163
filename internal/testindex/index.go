package testindex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"
)

// Index is a set of distribution files, grouped by normalized project name.
// It is safe for concurrent use; files added after Serve are served at once.
type Index struct {
	t        testing.TB
	mu       sync.Mutex
	files    []*File
	modified time.Time // time of the last Add, the pages' Last-Modified
}

// New returns an empty index. Errors while building files fail t.
func New(t testing.TB) *Index {
	return &Index{t: t, modified: fixedTime}
}

// Add builds d and adds it to the index, replacing a file of the same name.
// It returns the built file, whose SHA256 and Data tests can assert on.
func (x *Index) Add(d Dist) *File {
	x.t.Helper()
	f, err := Build(d)
	if err != nil {
		x.t.Fatal(err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, old := range x.files {
		if old.Filename == f.Filename {
			x.files = append(x.files[:i], x.files[i+1:]...)
			break
		}
	}
	x.files = append(x.files, f)
	now := time.Now().UTC().Truncate(time.Second)
	if !now.After(x.modified) {
		now = x.modified.Add(time.Second)
	}
	x.modified = now
	return f
}

// Files returns the files of project (any spelling), in the order added.
func (x *Index) Files(project string) []*File {
	project = normalize(project)
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []*File
	for _, f := range x.files {
		if f.Project == project {
			out = append(out, f)
		}
	}
	return out
}

// File returns the file named filename, or nil.
func (x *Index) File(filename string) *File {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, f := range x.files {
		if f.Filename == filename {
			return f
		}
	}
	return nil
}

// Projects returns the normalized names of every project, sorted.
func (x *Index) Projects() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, f := range x.files {
		if !seen[f.Project] {
			seen[f.Project] = true
			out = append(out, f.Project)
		}
	}
	sort.Strings(out)
	return out
}

func (x *Index) lastModified() time.Time {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.modified
}

// pageOptions say how pages link to files.
type pageOptions struct {
	metadata   bool                 // advertise PEP 658 metadata files
	fileURL    func(f *File) string // the href of a file, without fragment
	provenance func(f *File) string // the provenance URL, "" for none
	versions   func(fs []*File) []string
}

// projectHTML renders a PEP 503 project page.
func projectHTML(name string, files []*File, o pageOptions) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"1.1\">\n<title>Links for %s</title>\n</head>\n<body>\n<h1>Links for %s</h1>\n", html.EscapeString(name), html.EscapeString(name))
	for _, f := range files {
		fmt.Fprintf(&b, "<a href=\"%s#sha256=%s\"", html.EscapeString(o.fileURL(f)), f.SHA256)
		if f.RequiresPython != "" {
			fmt.Fprintf(&b, " data-requires-python=\"%s\"", html.EscapeString(f.RequiresPython))
		}
		if f.Yanked != "" || f.YankedNoReason {
			fmt.Fprintf(&b, " data-yanked=\"%s\"", html.EscapeString(f.Yanked))
		}
		if o.metadata {
			fmt.Fprintf(&b, " data-core-metadata=\"sha256=%s\" data-dist-info-metadata=\"sha256=%s\"", f.MetadataSHA256(), f.MetadataSHA256())
		}
		if p := o.provenance(f); p != "" {
			fmt.Fprintf(&b, " data-provenance=\"%s\"", html.EscapeString(p))
		}
		fmt.Fprintf(&b, ">%s</a><br/>\n", html.EscapeString(f.Filename))
	}
	b.WriteString("</body>\n</html>\n")
	return b.Bytes()
}

// rootHTML renders the PEP 503 root page listing every project.
func rootHTML(projects []string) []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"1.1\">\n<title>Simple index</title>\n</head>\n<body>\n")
	for _, p := range projects {
		fmt.Fprintf(&b, "<a href=\"%s/\">%s</a><br/>\n", html.EscapeString(p), html.EscapeString(p))
	}
	b.WriteString("</body>\n</html>\n")
	return b.Bytes()
}

// uploadTimeLayout is the PEP 700 upload-time format.
const uploadTimeLayout = "2006-01-02T15:04:05.000000Z"

// projectJSON renders a PEP 691 (api-version 1.1) project page.
func projectJSON(name string, files []*File, o pageOptions) []byte {
	type jsonFile struct {
		Filename         string            `json:"filename"`
		URL              string            `json:"url"`
		Hashes           map[string]string `json:"hashes"`
		RequiresPython   *string           `json:"requires-python,omitempty"`
		Yanked           any               `json:"yanked"`
		CoreMetadata     any               `json:"core-metadata"`
		DistInfoMetadata any               `json:"dist-info-metadata"`
		Size             int               `json:"size"`
		UploadTime       *string           `json:"upload-time,omitempty"`
		Provenance       *string           `json:"provenance"`
	}
	page := struct {
		Meta     map[string]string `json:"meta"`
		Name     string            `json:"name"`
		Versions []string          `json:"versions"`
		Files    []jsonFile        `json:"files"`
	}{Meta: map[string]string{"api-version": "1.1"}, Name: name, Versions: o.versions(files), Files: []jsonFile{}}
	for _, f := range files {
		jf := jsonFile{
			Filename:         f.Filename,
			URL:              o.fileURL(f),
			Hashes:           map[string]string{"sha256": f.SHA256},
			Yanked:           false,
			CoreMetadata:     false,
			DistInfoMetadata: false,
			Size:             len(f.Data),
		}
		if f.RequiresPython != "" {
			rp := f.RequiresPython
			jf.RequiresPython = &rp
		}
		switch {
		case f.Yanked != "":
			jf.Yanked = f.Yanked
		case f.YankedNoReason:
			jf.Yanked = true
		}
		if o.metadata {
			h := map[string]string{"sha256": f.MetadataSHA256()}
			jf.CoreMetadata, jf.DistInfoMetadata = h, h
		}
		if !f.UploadTime.IsZero() {
			ut := f.UploadTime.UTC().Format(uploadTimeLayout)
			jf.UploadTime = &ut
		}
		if p := o.provenance(f); p != "" {
			jf.Provenance = &p
		}
		page.Files = append(page.Files, jf)
	}
	out, err := json.MarshalIndent(page, "", " ")
	if err != nil {
		panic(err) // only strings, maps and numbers: cannot fail
	}
	return out
}

// rootJSON renders the PEP 691 root page.
func rootJSON(projects []string) []byte {
	type project struct {
		Name string `json:"name"`
	}
	page := struct {
		Meta     map[string]string `json:"meta"`
		Projects []project         `json:"projects"`
	}{Meta: map[string]string{"api-version": "1.1"}, Projects: []project{}}
	for _, p := range projects {
		page.Projects = append(page.Projects, project{p})
	}
	out, err := json.Marshal(page)
	if err != nil {
		panic(err)
	}
	return out
}

func versionsOf(files []*File) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		if !seen[f.Version] {
			seen[f.Version] = true
			out = append(out, f.Version)
		}
	}
	return out
}

// WriteTree writes the index as a PEP 503 tree under dir:
// dir/simple/index.html, dir/simple/<project>/index.html (with PEP 658
// metadata attributes), dir/files/<filename> and dir/files/<filename>.metadata.
// It returns the file:// URL of dir/simple.
func (x *Index) WriteTree(t testing.TB, dir string) string {
	t.Helper()
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	projects := x.Projects()
	write(t, filepath.Join(dir, "simple", "index.html"), rootHTML(projects))
	o := pageOptions{
		metadata:   true,
		fileURL:    func(f *File) string { return "../../files/" + f.Filename },
		provenance: func(*File) string { return "" },
		versions:   versionsOf,
	}
	for _, p := range projects {
		files := x.Files(p)
		write(t, filepath.Join(dir, "simple", p, "index.html"), projectHTML(p, files, o))
		for _, f := range files {
			write(t, filepath.Join(dir, "files", f.Filename), f.Data)
			write(t, filepath.Join(dir, "files", f.Filename+".metadata"), f.METADATA)
		}
	}
	return "file://" + filepath.ToSlash(filepath.Join(dir, "simple"))
}

// WriteFlat writes every file of the index into dir, as a --find-links
// directory, and returns dir.
func (x *Index) WriteFlat(t testing.TB, dir string) string {
	t.Helper()
	for _, p := range x.Projects() {
		for _, f := range x.Files(p) {
			write(t, filepath.Join(dir, f.Filename), f.Data)
		}
	}
	return dir
}

func write(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
