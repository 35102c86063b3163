package safepip_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/safepip/safepip/"

// allowed lists, per package directory (a prefix of the directory), the
// import path prefixes its non-test code may use besides the standard
// library. Imports point down only: pure standards code at the bottom, I/O
// in the middle, the CLI on top (DESIGN.md, "Architecture").
var allowed = []struct {
	dir     string
	imports []string
}{
	{"pypa/", []string{module + "pypa/"}},
	{"resolver/pubgrub", nil},
	{"index", []string{module + "pypa/", "golang.org/x/sync/"}},
	{"config", []string{module + "pypa/", "github.com/pelletier/go-toml/v2", "golang.org/x/sync/"}},
	{"lock", []string{module + "pypa/", "github.com/pelletier/go-toml/v2"}},
	{"verify", []string{module + "pypa/", module + "lock", "github.com/sigstore/", "github.com/theupdateframework/", "github.com/secure-systems-lab/", "google.golang.org/protobuf/"}},
	{"resolver", []string{module + "pypa/", module + "resolver/pubgrub", module + "index", module + "config", "golang.org/x/sync/"}},
	{"install", []string{module + "pypa/", module + "lock", module + "verify", module + "index", "golang.org/x/sync/"}},
	{"build", []string{module + "pypa/", module + "lock", module + "install", module + "verify", "github.com/pelletier/go-toml/v2"}},
	{"audit", []string{module + "pypa/", module + "index", module + "config", "golang.org/x/sync/"}},
	{"vcs", []string{module + "pypa/"}},
	{"project", []string{module + "pypa/", module + "resolver", module + "index", module + "config", module + "lock", module + "verify", module + "install", module + "audit", module + "build", module + "vcs", "golang.org/x/sync/", "github.com/pelletier/go-toml/v2"}},
	{"sarif", []string{module + "pypa/", module + "audit", module + "project"}},
	{"cmd/safepip", []string{module + "sarif", module + "project", module + "pypa/", module + "config", module + "index", module + "lock", module + "verify", module + "install", module + "audit", module + "resolver", module + "build", module + "vcs", "github.com/alecthomas/kong"}},
	{"internal/", []string{module, "github.com/", "golang.org/x/", "google.golang.org/protobuf/"}},
	{"integration", []string{module, "github.com/", "golang.org/x/"}},
}

func rulesFor(dir string) ([]string, bool) {
	best := -1
	for i, r := range allowed {
		if (dir == r.dir || strings.HasPrefix(dir, strings.TrimSuffix(r.dir, "/")+"/")) && (best < 0 || len(r.dir) > len(allowed[best].dir)) {
			best = i
		}
	}
	if best < 0 {
		return nil, false
	}
	return allowed[best].imports, true
}

func TestImportRules(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if dir == "." {
			return nil
		}
		rules, ok := rulesFor(dir)
		if !ok {
			t.Errorf("%s: package directory %q has no import rule in deps_test.go", path, dir)
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			checked++
			first, _, _ := strings.Cut(p, "/")
			if !strings.Contains(first, ".") {
				continue // standard library
			}
			if strings.HasPrefix(p, module+"internal/") && !strings.HasPrefix(dir, "internal/") {
				t.Errorf("%s imports %s: test helpers are for tests only", path, p)
				continue
			}
			if !hasPrefix(p, rules) {
				t.Errorf("%s imports %s, which %s may not use (allowed: %v)", path, p, dir, rules)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked %d imports", checked)
}

func hasPrefix(p string, prefixes []string) bool {
	for _, pre := range prefixes {
		if strings.HasSuffix(pre, "/") && strings.HasPrefix(p, pre) || p == pre || strings.HasPrefix(p, pre+"/") {
			return true
		}
	}
	return false
}
