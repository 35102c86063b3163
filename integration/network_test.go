package integration

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safepip/safepip/internal/testindex"
)

// safepipRun is one run of the real binary in dir, with the machine's
// pip and safepip settings removed and env added.
type safepipRun struct {
	code           int
	stdout, stderr string
}

func runSafepip(t *testing.T, dir string, env map[string]string, args ...string) safepipRun {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "safepip"), args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PIP_") && !strings.HasPrefix(kv, "SAFEPIP_") && !strings.HasPrefix(kv, "HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+filepath.Join(dir, "home"), "SAFEPIP_CACHE_DIR="+filepath.Join(dir, "cache"),
		"PIP_CONFIG_FILE="+os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK=1", "NO_COLOR=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := safepipRun{stdout: out.String(), stderr: errb.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running safepip %v: %v", args, err)
	}
	t.Logf("safepip %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	return r
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// frontIndex serves a test index through a server whose behaviour a test
// switches: "" passes requests on, "stall" accepts and never answers,
// "trickle" sends a page's headers at once and then a byte a second,
// "slow" sends files at 40 KiB/s and "slow-trickle" a byte a second (pages
// pass). It counts the requests that
// reached it in each mode but "".
type frontIndex struct {
	URL      string // the index URL, ".../simple"
	mode     atomic.Value
	requests atomic.Int32
}

func newFrontIndex(t *testing.T, idx *testindex.Index) *frontIndex {
	back := idx.Serve(t)
	target, err := url.Parse(back.Base)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	fi := &frontIndex{}
	fi.mode.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode := fi.mode.Load().(string)
		if mode != "" {
			fi.requests.Add(1)
		}
		switch {
		case mode == "stall":
			<-r.Context().Done()
		case mode == "trickle":
			drip(w, r, []byte(strings.Repeat(" ", 1<<20)), 1, time.Second)
		case strings.HasPrefix(mode, "slow") && strings.HasPrefix(r.URL.Path, "/files/"):
			f := idx.File(strings.TrimPrefix(r.URL.Path, "/files/"))
			if f == nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
			if mode == "slow-trickle" {
				drip(w, r, f.Data, 1, time.Second)
			} else {
				drip(w, r, f.Data, 4<<10, 100*time.Millisecond)
			}
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	fi.URL = srv.URL + "/simple"
	return fi
}

// drip sends data, chunk bytes every interval, until it is all sent or
// the client goes away.
func drip(w http.ResponseWriter, r *http.Request, data []byte, chunk int, interval time.Duration) {
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for sent := 0; sent < len(data); sent += chunk {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
		w.Write(data[sent:min(sent+chunk, len(data))])
		w.(http.Flusher).Flush()
	}
}

// lockIn locks dir's requirements.txt, written to ask fi for acme, and
// returns the lock.
func lockIn(t *testing.T, dir string, fi *frontIndex, args ...string) (lockBytes []byte) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "requirements.txt"), "--index-url "+fi.URL+"\nacme\n")
	if r := runSafepip(t, dir, nil, append([]string{"lock", "-r", "requirements.txt"}, args...)...); r.code != 0 {
		t.Fatalf("first lock: exit %d", r.code)
	}
	return readFile(t, filepath.Join(dir, "safepip.lock"))
}

// TestDeadIndexEndsInExit4 runs lock against an index that accepts
// connections and says nothing, and one that trickles: each ends in exit
// 4 naming the URL and the limit it hit, with the lock as it was. The
// limits come from the flags and from each environment variable in turn.
func TestDeadIndexEndsInExit4(t *testing.T) {
	tests := []struct {
		name     string
		mode     string
		args     []string
		env      map[string]string
		want     []string
		requests int32 // that reached the index; 0: not counted
	}{
		{"stall, flags", "stall", []string{"--timeout", "2", "--retries", "1"}, nil,
			[]string{"no response headers within 2s", "response-header timeout", "(after 2 attempts)"}, 2},
		{"stall, flags over the environment", "stall", []string{"--timeout=1.5", "--retries=0"}, map[string]string{"SAFEPIP_HTTP_TIMEOUT": "600", "SAFEPIP_HTTP_RETRIES": "9", "PIP_TIMEOUT": "600"},
			[]string{"no response headers within 1.5s", "response-header timeout"}, 1},
		{"stall, SAFEPIP_HTTP_* over PIP_*", "stall", nil, map[string]string{"SAFEPIP_HTTP_TIMEOUT": "2", "PIP_TIMEOUT": "600", "SAFEPIP_HTTP_RETRIES": "0", "PIP_RETRIES": "9"},
			[]string{"no response headers within 2s", "response-header timeout"}, 1},
		{"stall, pip's variables", "stall", nil, map[string]string{"PIP_TIMEOUT": "1", "PIP_RETRIES": "2"},
			[]string{"no response headers within 1s", "response-header timeout", "(after 3 attempts)"}, 3},
		{"trickle", "trickle", []string{"--timeout", "2"}, nil,
			[]string{"bytes in 2s, slower than 1024 bytes/s (low-speed limit)"}, 1},
		{"trickle, the limit from the environment", "trickle", nil, map[string]string{"SAFEPIP_HTTP_TIMEOUT": "3", "SAFEPIP_HTTP_LOW_SPEED_LIMIT": "100"},
			[]string{"bytes in 3s, slower than 100 bytes/s (low-speed limit)"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx := testindex.New(t)
			idx.Add(testindex.Dist{Name: "acme", Version: "1.0"})
			fi := newFrontIndex(t, idx)
			dir := t.TempDir()
			before := lockIn(t, dir, fi)
			fi.mode.Store(tt.mode)
			// --upgrade: ask the index again, and write a lock if it answers
			r := runSafepip(t, dir, tt.env, append(tt.args, "lock", "--upgrade", "-r", "requirements.txt")...)
			if r.code != 4 {
				t.Errorf("exit %d, want 4", r.code)
			}
			for _, w := range append(tt.want, "fetching "+fi.URL+"/acme/", "hint: an index hit a time limit") {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			if n := fi.requests.Load(); tt.requests > 0 && n != tt.requests {
				t.Errorf("%d requests reached the index, want %d", n, tt.requests)
			}
			if after := readFile(t, filepath.Join(dir, "safepip.lock")); !bytes.Equal(before, after) {
				t.Errorf("the lock changed:\n%s", after)
			}
		})
	}
}

// TestSlowSteadyDownloadInstalls serves a wheel slowly but steadily above
// the low-speed limit, for longer than a page may take in all: install
// waits for it and installs it. A trickle of the same wheel ends in exit 4
// first, leaving nothing in the cache.
func TestSlowSteadyDownloadInstalls(t *testing.T) {
	idx := testindex.New(t)
	idx.Add(testindex.Dist{Name: "acme", Version: "1.0", PadBytes: 320 << 10}) // 8 s at 40 KiB/s
	fi := newFrontIndex(t, idx)
	tmpl, err := venvTemplate()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", tmpl, filepath.Join(dir, "venv")).CombinedOutput(); err != nil {
		t.Fatalf("copying the venv: %v\n%s", err, out)
	}
	lockIn(t, dir, fi, "--python", "venv/bin/python")
	env := map[string]string{"SAFEPIP_HTTP_LOW_SPEED_LIMIT": fmt.Sprint(8 << 10)}
	install := []string{"--timeout", "1", "install", "--frozen", "-r", "requirements.txt", "--python", "venv/bin/python"}

	fi.mode.Store("slow-trickle")
	r := runSafepip(t, dir, env, install...)
	if r.code != 4 || !strings.Contains(r.stderr, "slower than 8192 bytes/s (low-speed limit)") {
		t.Errorf("install from a trickle: exit %d, want 4 naming the low-speed limit", r.code)
	}
	if names := cacheFiles(t, filepath.Join(dir, "cache")); len(names) != 0 {
		t.Errorf("the cut download left %v in the cache", names)
	}

	fi.mode.Store("slow")
	// With --timeout 1 a page may take 6 s in all; this file takes longer,
	// at five times the low-speed limit.
	r = runSafepip(t, dir, env, install...)
	if r.code != 0 {
		t.Fatalf("install: exit %d", r.code)
	}
	if fi.requests.Load() == 0 {
		t.Fatal("the wheel was not downloaded from the slow server")
	}
	out, err := exec.Command(filepath.Join(dir, "venv", "bin", "python"), "-m", "pip", "show", "acme").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Version: 1.0") {
		t.Errorf("acme is not installed: %v\n%s", err, out)
	}
}

// TestTrustUpdateFollowsNetworkLimits: `safepip trust update` is held to
// the same limits as the index client: a TUF repository that accepts the
// connection and never answers ends in exit 4 within --timeout, after the
// retries --retries allows, and nothing is written to the cache.
func TestTrustUpdateFollowsNetworkLimits(t *testing.T) {
	var requests atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		select { // never answer: the client's limit must end the wait
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	dir := t.TempDir()
	r := runSafepip(t, dir, nil, "--timeout", "0.5", "--retries", "1", "trust", "update", "--repository", srv.URL)
	if r.code != 4 {
		t.Fatalf("trust update from a stalling repository: exit %d, want 4\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "timeout") {
		t.Errorf("the error does not name the time limit:\n%s", r.stderr)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("the repository was asked %d times, want 2 (one try and the one retry --retries 1 allows)", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "cache", "trusted_root.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a trusted root was written after a failed update: %v", err)
	}
}
