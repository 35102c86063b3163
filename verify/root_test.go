package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// TestEmbeddedRoots: the compiled-in root is the vector's public-good root,
// and the TUF root sigstore-go starts from is the one the vectors record.
func TestEmbeddedRoots(t *testing.T) {
	if got, want := sha256Hex(PublicGoodRoot().JSON()), "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66"; got != want {
		t.Errorf("embedded root sha256 %s, want %s", got, want)
	}
	if got, want := sha256Hex(tuf.DefaultRoot()), sha256Hex(readVector(t, "tuf-root.public-good.sigstore-go-v1.3.0.json")); got != want {
		t.Errorf("sigstore-go's TUF root sha256 %s, want the vector's %s", got, want)
	}
}

func TestLoadTrustedRootErrors(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("{"), []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`), readVector(t, "200170367.pem")} {
		_, err := LoadTrustedRoot("roots/mine.json", data)
		var re *RootError
		if !errors.As(err, &re) || !errors.Is(err, ErrBadRoot) || !strings.HasPrefix(err.Error(), "trusted root roots/mine.json: ") {
			t.Errorf("LoadTrustedRoot(%.20q) = %v, want ErrBadRoot naming roots/mine.json", data, err)
		}
	}
}

// endValidity returns root JSON whose keys of the given section ("tlogs",
// "ctlogs", "certificateAuthorities") all ended at end.
func endValidity(t *testing.T, data []byte, section string, end string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, e := range m[section].([]any) {
		e := e.(map[string]any)
		vf := e["validFor"]
		if pk, ok := e["publicKey"].(map[string]any); ok {
			vf = pk["validFor"]
		}
		vf.(map[string]any)["end"] = end
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCheckFresh(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if err := PublicGoodRoot().CheckFresh(now); err != nil {
		t.Errorf("public-good root: %v", err)
	}
	staging, err := LoadTrustedRoot("staging.json", readVector(t, "trusted_root.staging.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := staging.CheckFresh(now); err != nil {
		t.Errorf("staging root: %v", err)
	}
	pg := readVector(t, "trusted_root.public-good.json")
	tests := []struct {
		section, what string
	}{
		{"tlogs", "no Rekor transparency log key is valid on 2026-11-25 (the last one ended 2026-01-01)"},
		{"ctlogs", "no certificate transparency log key is valid on 2026-11-25 (the last one ended 2026-01-01)"},
		{"certificateAuthorities", "no Fulcio certificate authority is valid on 2026-11-25 (the last one ended 2026-01-01)"},
	}
	for _, tt := range tests {
		r, err := LoadTrustedRoot("old/trusted_root.json", endValidity(t, pg, tt.section, "2026-01-01T00:00:00Z"))
		if err != nil {
			t.Fatal(err)
		}
		err = r.CheckFresh(now)
		if !errors.Is(err, ErrStaleRoot) {
			t.Fatalf("%s ended: CheckFresh = %v, want ErrStaleRoot", tt.section, err)
		}
		lines := strings.Split(err.Error(), "\n")
		want := []string{
			"trusted root old/trusted_root.json: " + tt.what,
			`hint: refresh it with "safepip trust update" (needs network), or set [policy] trusted-root in safepip.toml to a current trusted_root.json`,
		}
		if len(lines) != len(want) || lines[0] != want[0] || lines[1] != want[1] {
			t.Errorf("%s ended: message\n%s\nwant\n%s", tt.section, err, strings.Join(want, "\n"))
		}
		// an old root still verifies what was signed while its keys were valid
		if err := r.CheckFresh(time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Errorf("%s ended, checked before the end: %v", tt.section, err)
		}
	}
}

// tufRepo is a TUF repository on loopback serving one trusted_root.json.
type tufRepo struct {
	root  []byte // 1.root.json, the client's starting point
	files map[string][]byte
}

func newTUFRepo(t *testing.T, target []byte) *tufRepo {
	t.Helper()
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signature.LoadSigner(key, crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := metadata.KeyFromPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	expires := time.Now().Add(24 * time.Hour)
	root := metadata.Root(expires)
	for _, role := range []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP} {
		if err := root.Signed.AddKey(pub, role); err != nil {
			t.Fatal(err)
		}
	}
	targets := metadata.Targets(expires)
	info, err := metadata.TargetFile().FromBytes(TrustedRootFile, target, "sha256")
	if err != nil {
		t.Fatal(err)
	}
	targets.Signed.Targets[TrustedRootFile] = info
	snapshot := metadata.Snapshot(expires)
	timestamp := metadata.Timestamp(expires)
	repo := &tufRepo{files: map[string][]byte{}}
	for name, m := range map[string]interface {
		Sign(signature.Signer) (*metadata.Signature, error)
		ToBytes(bool) ([]byte, error)
	}{"1.root.json": root, "1.targets.json": targets, "1.snapshot.json": snapshot, "timestamp.json": timestamp} {
		if _, err := m.Sign(signer); err != nil {
			t.Fatal(err)
		}
		if repo.files["/"+name], err = m.ToBytes(false); err != nil {
			t.Fatal(err)
		}
	}
	repo.root = repo.files["/1.root.json"]
	repo.files[fmt.Sprintf("/targets/%s.%s", info.Hashes["sha256"], TrustedRootFile)] = target
	return repo
}

func (r *tufRepo) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	data, ok := r.files[req.URL.Path]
	if !ok {
		http.NotFound(w, req)
		return
	}
	w.Write(data)
}

func TestUpdateTrustedRoot(t *testing.T) {
	target := PublicGoodRoot().JSON()
	repo := newTUFRepo(t, target)
	srv := httptest.NewServer(repo)
	defer srv.Close()
	dir := t.TempDir()
	r, err := UpdateTrustedRoot(context.Background(), dir, UpdateOptions{RepositoryURL: srv.URL, TUFRoot: repo.root, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatalf("UpdateTrustedRoot: %v", err)
	}
	saved, err := os.ReadFile(filepath.Join(dir, TrustedRootFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saved, target) || !bytes.Equal(r.JSON(), target) {
		t.Errorf("saved root differs from the served one")
	}
	if r.Name() != filepath.Join(dir, TrustedRootFile) {
		t.Errorf("root name %q, want the saved file", r.Name())
	}
	if _, err := NewVerifier(r); err != nil {
		t.Error(err)
	}
}

// TestUpdateTrustedRootFails: a target whose bytes differ from what the
// signed TUF metadata says, a wrong TUF root, a dead server and a cancelled
// context each fail with ErrRootUpdate and write nothing.
func TestUpdateTrustedRootFails(t *testing.T) {
	target := PublicGoodRoot().JSON()
	tampered := newTUFRepo(t, target)
	for p := range tampered.files {
		if strings.HasPrefix(p, "/targets/") {
			tampered.files[p] = append(bytes.Clone(target), ' ')
		}
	}
	good := newTUFRepo(t, target)
	other := newTUFRepo(t, target)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name    string
		ctx     context.Context
		handler http.Handler // nil: deadURL
		tufRoot []byte
		want    string
	}{
		{"target bytes differ from the signed hash", context.Background(), tampered, tampered.root, "fetching trusted_root.json"},
		{"metadata signed by other keys", context.Background(), good, other.root, "TUF metadata update"},
		{"no server", context.Background(), nil, good.root, "TUF metadata update"},
		{"cancelled", cancelled, good, good.root, "TUF metadata update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := deadURL
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				defer srv.Close()
				url = srv.URL
			}
			dir := t.TempDir()
			_, err := UpdateTrustedRoot(tt.ctx, dir, UpdateOptions{RepositoryURL: url, TUFRoot: tt.tufRoot, Network: Network{Backoff: time.Millisecond}})
			if !errors.Is(err, ErrRootUpdate) {
				t.Fatalf("UpdateTrustedRoot = %v, want ErrRootUpdate", err)
			}
			lines := strings.Split(err.Error(), "\n")
			if !strings.HasPrefix(lines[0], "trusted root from TUF repository "+url+": "+tt.want) ||
				lines[len(lines)-1] != "hint: offline, set [policy] trusted-root in safepip.toml to a trusted_root.json file; the root compiled into safepip needs no network" {
				t.Errorf("message:\n%v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, TrustedRootFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s written after a failure: %v", TrustedRootFile, err)
			}
		})
	}
}

// flakyRepo serves repo after failing its first fail requests with 503;
// stall > 0 makes every request stall instead: 1 before the response
// headers, 2 after the headers and one byte of body, until the client
// hangs up.
type flakyRepo struct {
	repo     *tufRepo
	fail     int
	stall    int
	requests atomic.Int64
}

func (f *flakyRepo) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	n := f.requests.Add(1)
	switch {
	case f.stall == 1:
		<-req.Context().Done()
	case f.stall == 2:
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("{"))
		w.(http.Flusher).Flush()
		<-req.Context().Done()
	case n <= int64(f.fail):
		http.Error(w, "busy", http.StatusServiceUnavailable)
	default:
		f.repo.ServeHTTP(w, req)
	}
}

// TestUpdateTrustedRootNetwork: the update follows the network settings
// the index client follows: retries of 503s, the response header timeout
// and the low-speed limit, each named in the error.
func TestUpdateTrustedRootNetwork(t *testing.T) {
	target := PublicGoodRoot().JSON()
	repo := newTUFRepo(t, target)
	const fast = 50 * time.Millisecond
	tests := []struct {
		name     string
		fail     int
		stall    int
		net      Network
		requests int64  // 0: not checked
		err      string // "": success
	}{
		{name: "two 503s, three retries", fail: 2, net: Network{Backoff: time.Millisecond}},
		{name: "two 503s, one retry", fail: 2, net: Network{Retries: 1, Backoff: time.Millisecond}, requests: 2, err: "503"},
		{name: "a 503, no retries", fail: 1, net: Network{Retries: -1}, requests: 1, err: "503"},
		{name: "no response headers", stall: 1, net: Network{Timeout: fast, Retries: 1, Backoff: time.Millisecond}, requests: 2, err: "timeout awaiting response headers"},
		{name: "a body below the low-speed limit", stall: 2, net: Network{Timeout: fast, Retries: -1}, requests: 1, err: "want 1024 bytes/s on average"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &flakyRepo{repo: repo, fail: tt.fail, stall: tt.stall}
			srv := httptest.NewServer(f)
			defer srv.Close()
			dir := t.TempDir()
			_, err := UpdateTrustedRoot(context.Background(), dir, UpdateOptions{RepositoryURL: srv.URL, TUFRoot: repo.root, Network: tt.net})
			if tt.err == "" {
				if err != nil {
					t.Fatalf("UpdateTrustedRoot: %v", err)
				}
				if f.requests.Load() <= int64(tt.fail) {
					t.Errorf("%d requests, want more than the %d failed ones", f.requests.Load(), tt.fail)
				}
				return
			}
			if !errors.Is(err, ErrRootUpdate) || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("UpdateTrustedRoot = %v, want ErrRootUpdate naming %q", err, tt.err)
			}
			if got := f.requests.Load(); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
			if _, err := os.Stat(filepath.Join(dir, TrustedRootFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s written after a failure: %v", TrustedRootFile, err)
			}
		})
	}
}
