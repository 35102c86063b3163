package integration

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/safepip/safepip/internal/testindex"
)

// commands returns the custom script commands. t is the test that owns the
// servers they start: they stop when it ends.
func commands(t *testing.T) map[string]func(*testscript.TestScript, bool, []string) {
	var mu sync.Mutex
	servers := map[string]*testindex.Server{} // by script work dir + name
	seen := map[string]int{}                  // requests already printed
	indexes := map[string]*testindex.Index{}  // what each server serves
	key := func(ts *testscript.TestScript, name string) string { return ts.Getenv("WORK") + "\x00" + name }
	// serve starts an index of dists on loopback as NAME; $NAME is its URL.
	serve := func(ts *testscript.TestScript, name string, dists []testindex.Dist) {
		idx := testindex.New(t)
		for _, d := range dists {
			idx.Add(d)
		}
		srv := idx.Serve(t)
		mu.Lock()
		servers[key(ts, name)] = srv
		indexes[key(ts, name)] = idx
		mu.Unlock()
		ts.Setenv(name, srv.URL)
	}
	// served returns the running index NAME; the script fails without one.
	served := func(ts *testscript.TestScript, name string) (*testindex.Server, *testindex.Index) {
		mu.Lock()
		srv, idx := servers[key(ts, name)], indexes[key(ts, name)]
		mu.Unlock()
		if srv == nil {
			ts.Fatalf("no index %s", name)
		}
		return srv, idx
	}
	var sigs sigstores
	return map[string]func(*testscript.TestScript, bool, []string){
		"exits": exits,
		// index NAME FILE: serve the distributions FILE describes on
		// loopback and set $NAME to the index URL (".../simple").
		// Each line: "name==version" then " | key=value" fields:
		// requires=REQ (repeatable), python=SPEC, tags=TRIPLE,
		// yanked=REASON, upload=RFC3339, sdist=true.
		"index": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: index NAME FILE")
			}
			serve(ts, args[0], parseDists(ts, ts.ReadFile(args[1])))
		},
		// indextree NAME DIR FILE: write the distributions FILE describes
		// as a PEP 503 tree under DIR and set $NAME to its file:// URL.
		"indextree": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 3 {
				ts.Fatalf("usage: indextree NAME DIR FILE")
			}
			idx := testindex.New(t)
			for _, d := range parseDists(ts, ts.ReadFile(args[2])) {
				idx.Add(d)
			}
			ts.Setenv(args[0], idx.WriteTree(t, ts.MkAbs(args[1])))
		},
		// requests NAME: print the requests the index NAME received since
		// the last "requests NAME" (or since it started).
		"requests": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: requests NAME")
			}
			srv, _ := served(ts, args[0])
			k := key(ts, args[0])
			mu.Lock()
			from := seen[k]
			mu.Unlock()
			reqs := srv.Requests()
			mu.Lock()
			seen[k] = len(reqs)
			mu.Unlock()
			var b strings.Builder
			for _, r := range reqs[from:] {
				b.WriteString(r.Method + " " + r.Path + "\n")
			}
			ts.Stdout().Write([]byte(b.String()))
		},
		// stall NAME FILENAME: the index NAME sends half of FILENAME, then
		// hangs until the client goes away (a download cut short);
		// "! stall NAME FILENAME" serves it normally again.
		"stall": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 2 {
				ts.Fatalf("usage: [!] stall NAME FILENAME")
			}
			srv, idx := served(ts, args[0])
			pattern := "/files/" + args[1]
			if neg {
				srv.Handle(pattern, nil)
				return
			}
			f := idx.File(args[1])
			if f == nil {
				ts.Fatalf("index %s has no file %s", args[0], args[1])
			}
			srv.Handle(pattern, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
				w.WriteHeader(http.StatusOK)
				w.Write(f.Data[:len(f.Data)/2])
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			})
		},
		// waitreq NAME TEXT: wait (at most 60 s) until the index NAME has
		// been asked for a path containing TEXT.
		"waitreq": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: waitreq NAME TEXT")
			}
			srv, _ := served(ts, args[0])
			deadline := time.Now().Add(60 * time.Second)
			for time.Now().Before(deadline) {
				for _, r := range srv.Requests() {
					if strings.Contains(r.Path, args[1]) {
						return
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
			ts.Fatalf("index %s was not asked for %s within 60s", args[0], args[1])
		},
		// sha256 FILE VAR: set $VAR to the hex sha256 of FILE.
		"sha256": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: sha256 FILE VAR")
			}
			sum := sha256.Sum256([]byte(ts.ReadFile(args[0])))
			ts.Setenv(args[1], hex.EncodeToString(sum[:]))
		},
		// venv DIR: a fresh virtual environment with pip: a copy of one
		// made once per run (python3 -m venv spends seconds in ensurepip;
		// a copy is a real, independent venv, found by its pyvenv.cfg).
		"venv": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: venv DIR")
			}
			tmpl, err := venvTemplate()
			if err != nil {
				ts.Fatalf("%v", err)
			}
			if out, err := exec.Command("cp", "-a", tmpl, ts.MkAbs(args[0])).CombinedOutput(); err != nil {
				ts.Fatalf("copying the venv: %v\n%s", err, out)
			}
		},
		// tamper FILE: flip one byte in the middle of FILE.
		"tamper": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: tamper FILE")
			}
			p := ts.MkAbs(args[0])
			data, err := os.ReadFile(p)
			ts.Check(err)
			data[len(data)/2] ^= 0xff
			ts.Check(os.WriteFile(p, data, 0o644))
		},
		// signedindex NAME FILE: as index, with PEP 740 provenance signed by
		// the script's test Sigstore for lines with publisher=github:O/R
		// (and optional workflow=FILE); the Sigstore's trusted root is
		// written to $WORK/trusted_root.json for [policy] trusted-root.
		"signedindex": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: signedindex NAME FILE")
			}
			serve(ts, args[0], signedDists(ts, sigs.get(ts), ts.ReadFile(args[1])))
		},
		// upload NAME FILE: add (or replace, by file name) the signed
		// distributions FILE describes on the running index NAME.
		"upload": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: upload NAME FILE")
			}
			_, idx := served(ts, args[0])
			for _, d := range signedDists(ts, sigs.get(ts), ts.ReadFile(args[1])) {
				idx.Add(d)
			}
		},
		// cachecontrol NAME VALUE: the index NAME sends VALUE as the
		// Cache-Control of its project pages.
		"cachecontrol": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: cachecontrol NAME VALUE")
			}
			srv, _ := served(ts, args[0])
			srv.SetCacheControl(args[1])
		},
		// samebytes A B: the two files are byte-identical ("! samebytes":
		// they differ).
		"samebytes": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 2 {
				ts.Fatalf("usage: samebytes A B")
			}
			a, errA := os.ReadFile(ts.MkAbs(args[0]))
			b, errB := os.ReadFile(ts.MkAbs(args[1]))
			ts.Check(errors.Join(errA, errB))
			if same := string(a) == string(b); same == neg {
				ts.Fatalf("%s and %s: same bytes = %v", args[0], args[1], same)
			}
		},
	}
}

func parseDists(ts *testscript.TestScript, text string) []testindex.Dist {
	var out []testindex.Dist
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, " | ")
		name, version, ok := strings.Cut(strings.TrimSpace(fields[0]), "==")
		if !ok {
			ts.Fatalf("dist %q: want name==version first", line)
		}
		d := testindex.Dist{Name: name, Version: version}
		for _, f := range fields[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
			switch k {
			case "requires":
				d.Requires = append(d.Requires, v)
			case "extra":
				d.Extras = append(d.Extras, v)
			case "python":
				d.RequiresPython = v
			case "tags":
				d.Tags = v
			case "yanked":
				d.Yanked = v
			case "upload":
				tm, err := time.Parse(time.RFC3339, v)
				ts.Check(err)
				d.UploadTime = tm
			case "sdist":
				d.Sdist, _ = strconv.ParseBool(v)
			default:
				ts.Fatalf("dist %q: unknown field %q", line, k)
			}
		}
		out = append(out, d)
	}
	return out
}

var (
	venvOnce sync.Once
	venvDir  string
	venvErr  error
)

// venvTemplate makes, once per test binary, the venv that "venv" copies.
func venvTemplate() (string, error) {
	venvOnce.Do(func() {
		dir, err := os.MkdirTemp("", "safepip-venv-")
		if err != nil {
			venvErr = err
			return
		}
		venvDir = filepath.Join(dir, "venv")
		if out, err := exec.Command("python3", "-m", "venv", venvDir).CombinedOutput(); err != nil {
			venvErr = fmt.Errorf("python3 -m venv: %v\n%s", err, out)
		}
	})
	return venvDir, venvErr
}
