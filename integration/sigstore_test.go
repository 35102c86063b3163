package integration

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/internal/testsigstore"
)

// sigstores holds one test Sigstore per script, by its work directory, so
// that every signed index of a script shares one trusted root.
type sigstores struct {
	mu  sync.Mutex
	all map[string]*testsigstore.Sigstore
}

// get returns the script's Sigstore, creating it and writing its
// trusted_root.json into $WORK on first use.
func (s *sigstores) get(ts *testscript.TestScript) *testsigstore.Sigstore {
	s.mu.Lock()
	defer s.mu.Unlock()
	work := ts.Getenv("WORK")
	if sig := s.all[work]; sig != nil {
		return sig
	}
	sig, err := testsigstore.New()
	ts.Check(err)
	ts.Check(os.WriteFile(filepath.Join(work, "trusted_root.json"), sig.TrustedRootJSON(), 0o644))
	if s.all == nil {
		s.all = map[string]*testsigstore.Sigstore{}
	}
	s.all[work] = sig
	return sig
}

// signedDists reads dist lines as parseDists does, plus two fields:
// publisher=github:OWNER/REPO (or gitlab:GROUP/PROJECT) signs the file's
// provenance as that Trusted Publisher, workflow=FILE names its workflow
// (default publish.yml, GitLab .gitlab-ci.yml). A line without publisher
// is served without provenance.
func signedDists(ts *testscript.TestScript, sig *testsigstore.Sigstore, text string) []testindex.Dist {
	var plain []string
	var pubs []*testsigstore.Publisher
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var keep []string
		var pub *testsigstore.Publisher
		workflow := ""
		for i, f := range strings.Split(line, " | ") {
			k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
			switch {
			case i > 0 && k == "publisher":
				kind, repo, ok := strings.Cut(v, ":")
				switch {
				case ok && kind == "github":
					pub = &testsigstore.Publisher{Kind: "GitHub", Repository: repo, Workflow: "publish.yml"}
				case ok && kind == "gitlab":
					pub = &testsigstore.Publisher{Kind: "GitLab", Repository: repo, Workflow: ".gitlab-ci.yml"}
				default:
					ts.Fatalf("dist %q: publisher %q: want github:OWNER/REPO or gitlab:GROUP/PROJECT", line, v)
				}
			case i > 0 && k == "workflow":
				workflow = v
			default:
				keep = append(keep, f)
			}
		}
		if pub != nil && workflow != "" {
			pub.Workflow = workflow
		}
		plain = append(plain, strings.Join(keep, " | "))
		pubs = append(pubs, pub)
	}
	dists := parseDists(ts, strings.Join(plain, "\n"))
	for i, d := range dists {
		if pubs[i] == nil {
			continue
		}
		f, err := testindex.Build(d)
		ts.Check(err)
		dists[i].Provenance, err = sig.Provenance(f.Filename, f.Data, *pubs[i])
		ts.Check(err)
	}
	return dists
}
