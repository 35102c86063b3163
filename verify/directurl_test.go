package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pip 23.2.1's records for `pip install -e DIR`, `pip install DIR`,
// `pip install ./x.whl --hash=...` and `pip install git+URL@COMMIT`.
var pipDirectURLs = map[string]string{
	"editable": `{"dir_info": {"editable": true}, "url": "file:///tmp/hax/proj"}`,
	"dir":      `{"dir_info": {}, "url": "file:///tmp/hax/proj"}`,
	"archive":  `{"archive_info": {"hash": "sha256=e974adae7557ca948f4f46b5f8f24b00071cb74e84a86a8c0413c20495f82aec", "hashes": {"sha256": "e974adae7557ca948f4f46b5f8f24b00071cb74e84a86a8c0413c20495f82aec"}}, "url": "file:///tmp/hax/whl/tiny-0.1.0-py3-none-any.whl"}`,
	"vcs":      `{"url": "https://git.example/repo.git", "vcs_info": {"commit_id": "0123456789abcdef0123456789abcdef01234567", "requested_revision": "0123456789abcdef0123456789abcdef01234567", "vcs": "git"}, "subdirectory": "sub"}`,
}

func distWithDirectURL(t *testing.T, content string) InstalledDist {
	t.Helper()
	root := t.TempDir()
	writeDist(t, root, "tiny", "0.1.0", map[string]string{"tiny/__init__.py": "X = 1\n"})
	dists, err := Installed(root)
	if err != nil || len(dists) != 1 {
		t.Fatalf("Installed = %v, %v", dists, err)
	}
	if content != "" {
		if err := os.WriteFile(filepath.Join(dists[0].Dir, "direct_url.json"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dists[0]
}

func TestDirectURL(t *testing.T) {
	tests := []struct {
		kind, want string
	}{
		{"editable", "the editable directory file:///tmp/hax/proj"},
		{"dir", "the directory file:///tmp/hax/proj"},
		{"archive", "the file file:///tmp/hax/whl/tiny-0.1.0-py3-none-any.whl (sha256 e974adae7557ca948f4f46b5f8f24b00071cb74e84a86a8c0413c20495f82aec)"},
		{"vcs", "git https://git.example/repo.git@0123456789abcdef0123456789abcdef01234567 (subdirectory sub)"},
	}
	for _, tt := range tests {
		du, err := distWithDirectURL(t, pipDirectURLs[tt.kind]).DirectURL()
		if err != nil || du == nil || du.String() != tt.want {
			t.Errorf("%s: DirectURL() = %v, %v; want %q", tt.kind, du, err, tt.want)
		}
	}
	if du, err := distWithDirectURL(t, "").DirectURL(); du != nil || err != nil {
		t.Errorf("DirectURL() without direct_url.json = %v, %v; want nil, nil (an index install)", du, err)
	}
	for _, bad := range []string{`{`, `{"url": "file:///x"}`, `{"url": "file:///x", "dir_info": {}, "archive_info": {}}`, `{"dir_info": {}}`} {
		if _, err := distWithDirectURL(t, bad).DirectURL(); err == nil || !strings.Contains(err.Error(), "direct_url.json") {
			t.Errorf("DirectURL() of %s = %v, want an error naming direct_url.json", bad, err)
		}
	}
	du := &DirectURL{URL: "https://me:hunter2@git.example/repo.git", VCSInfo: &VCSInfo{VCS: "git", CommitID: "abc"}}
	if s := du.String(); strings.Contains(s, "hunter2") || !strings.Contains(s, "git.example/repo.git@abc") {
		t.Errorf("String() = %q: want the URL without its credentials", s)
	}
}

func TestFileURL(t *testing.T) {
	for _, p := range []string{"/tmp/hax/proj", "/home/me/my project", "/srv/ünï"} {
		u := FileURL(p)
		if !strings.HasPrefix(u, "file:///") {
			t.Errorf("FileURL(%q) = %q, want file:///...", p, u)
		}
		if back, ok := FilePath(u); !ok || back != filepath.FromSlash(p) {
			t.Errorf("FilePath(FileURL(%q)) = %q, %v", p, back, ok)
		}
	}
	if got := FileURL("/home/me/my project"); got != "file:///home/me/my%20project" {
		t.Errorf("FileURL with a space = %q, want it escaped as pip does", got)
	}
	for _, u := range []string{"https://x.example/p", "file://otherhost/p", "not a url\x7f"} {
		if p, ok := FilePath(u); ok {
			t.Errorf("FilePath(%q) = %q, true; want false", u, p)
		}
	}
}

// TestWriteDirectURL: an installer that rewrites the record keeps RECORD
// consistent, so CheckRecord finds nothing.
func TestWriteDirectURL(t *testing.T) {
	d := distWithDirectURL(t, "")
	for _, du := range []*DirectURL{
		{URL: "file:///tmp/a/whl/tiny-0.1.0-py3-none-any.whl", ArchiveInfo: &ArchiveInfo{Hashes: map[string]string{"sha256": strings.Repeat("a", 64)}}},
		{URL: "file:///home/me/proj", DirInfo: &DirInfo{Editable: true}},
	} {
		if err := d.WriteDirectURL(du); err != nil {
			t.Fatal(err)
		}
		got, err := d.DirectURL()
		if err != nil || got.String() != du.String() {
			t.Errorf("after WriteDirectURL(%s): DirectURL() = %v, %v", du, got, err)
		}
		if p, err := d.CheckRecord(); err != nil || len(p) != 0 {
			t.Errorf("after WriteDirectURL(%s): CheckRecord = %+v, %v; want RECORD updated", du, p, err)
		}
	}
	record, err := os.ReadFile(filepath.Join(d.Dir, "RECORD"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(record), "direct_url.json"); n != 1 {
		t.Errorf("RECORD lists direct_url.json %d times, want once:\n%s", n, record)
	}
}
