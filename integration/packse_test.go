package integration

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pelletier/go-toml/v2"
	"golang.org/x/sync/errgroup"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
)

// The packse conformance suite: the dependency-resolution scenarios of
// astral-sh/packse (the ones uv's tests are generated from), built into one
// static index each by ../shared/conformance/build_index.py and resolved by
// the real binary: `safepip lock` for the scenario's one target, or, for
// the scenarios uv runs with `uv lock` (mode "lock"), one universal lock
// for every environment of the scenario's requires-python, compared with
// what uv's own lock of it holds (uvLocks).

// conformanceDir is the shared conformance kit, beside the repository.
const conformanceDir = "../../shared/conformance"

// defaultPlatform is the platform a scenario without python_platform is
// resolved for: packse scenarios give the same answer on any Linux or
// macOS host, and a described target keeps results off the host's Python.
const defaultPlatform = "manylinux_2_36_x86_64"

// packseDiffers lists the scenarios whose expectation is uv's policy and
// not a standard, where safepip deliberately answers otherwise. Each
// reason says what packse expects, what safepip does and why; want is
// safepip's answer (nil: no solution), checked so that the table cannot
// go stale. They count as skipped.
var packseDiffers = map[string]struct {
	reason string
	want   map[string]string
}{
	// a>0.1.0 with a 0.1.0 and 1.0.0a1 published.
	"package-only-prereleases-in-range": {prereleaseFallback,
		map[string]string{"package-only-prereleases-in-range-a": "1.0.0a1"}},
	// a depends on b>0.1 with b 0.1.0 and 1.0.0a1 published.
	"transitive-package-only-prereleases-in-range": {prereleaseFallback,
		map[string]string{"transitive-package-only-prereleases-in-range-a": "0.1.0", "transitive-package-only-prereleases-in-range-b": "1.0.0a1"}},
	// a 1.0.0 declares Requires-Python <=3.8; the target is 3.9.
	"python-less-than-current": {"packse expects success because uv ignores Requires-Python upper bounds; " +
		"safepip honours the whole Requires-Python, as pip does: the project says it does not work on the target, " +
		"and a lock for that target must not install it there", nil},
}

// uvDiffers lists the lock-mode scenarios where safepip's universal lock
// deliberately differs from uv's lock or from packse's expectation; want
// replaces the uvLocks entry and is checked the same way (nil: no
// solution), and the scenario counts as passed with a documented
// difference.
var uvDiffers = map[string]struct {
	reason string
	want   []string
}{
	// a==1 ; python_version < '3.13', a==2 ; python_version >= '3.14', b
	"fork-incomplete-markers": {"uv rewrites python_version >= '3.14' as python_full_version >= '3.14', which leaves out " +
		"3.14.0a1 (its python_version is 3.14); safepip keeps the marker's own meaning, as packaging evaluates it, so a 2.0.0 " +
		"is also locked for 3.14 pre-releases", []string{
		"a==1.0.0 ; python_version < '3.13'",
		"a==2.0.0 ; python_version >= '3.14'",
		"b==1.0.0",
		"c==1.0.0 ; python_version == '3.13'",
	}},
	// b-inner 2.0.x need a==1.0.0; b-inner 1.0.0 needs too-old
	"wrong-backtracking-indirect": {"packse expects b-inner 2.0.9 and a 1.0.0 (its description: decide b-inner before a rather " +
		"than backtrack to the ancient b-inner 1.0.0), which safepip's single-target resolver does too (TestResolve); uv's own " +
		"universal lock settles for b-inner 1.0.0 and too-old; safepip follows packse", []string{
		"a==1.0.0", "b==1.0.0", "b-inner==2.0.9",
	}},
	// cleaver 2 forks on unrelated-dep then is refused; cleaver 1 needs foo==1 on linux, bar==1 elsewhere; foo 1 needs bar==2
	"preferences-dependent-forking-conflicting": {"packse expects no solution, describing a second `uv lock` that starts from " +
		"the first run's preferences; uv's own fresh lock of it succeeds (\"Resolved 6 packages\"), and so does safepip's, " +
		"with the five versions the description lists for the fresh run", []string{
		"bar==1.0.0 ; sys_platform != 'linux'",
		"bar==2.0.0 ; sys_platform == 'linux'",
		"cleaver==1.0.0",
		"foo==1.0.0 ; sys_platform == 'linux'",
		"foo==2.0.0 ; sys_platform != 'linux'",
	}},
}

// prereleaseFallback is the pre-release rule where packse's copy and uv
// part ways (README of ../shared/conformance, "Expectations that are
// policy").
const prereleaseFallback = "packse expects no solution because a final release exists outside the range; " +
	"safepip takes a pre-release when no final release matches the requirement (packaging's SpecifierSet.filter rule), " +
	"which is also what uv's own copy of this scenario expects since uv PR #19993"

// scenario mirrors the fields of scenario.json that the test uses.
type scenario struct {
	Name               string   `json:"name"`
	Mode               string   `json:"mode"`
	RootRequiresPython string   `json:"root_requires_python"`
	SingleTarget       bool     `json:"single_target"`
	IndexURL           string   `json:"index_url"`
	Requirements       []string `json:"requirements"`
	Features           []string `json:"features"`
	Resolver           struct {
		Prereleases          bool     `json:"prereleases"`
		NoBuild              []string `json:"no_build"`
		NoBinary             []string `json:"no_binary"`
		RequiredEnvironments []string `json:"required_environments"`
	} `json:"resolver"`
	Target struct {
		PythonVersion string `json:"python_version"`
		PlatformTag   string `json:"platform_tag"`
	} `json:"target"`
	Expected struct {
		Satisfiable     bool              `json:"satisfiable"`
		Packages        map[string]string `json:"packages"`
		PackagesChecked bool              `json:"packages_checked"`
	} `json:"expected"`
	Files []scenarioFile `json:"files"`
}

type scenarioFile struct {
	Project  string `json:"project"`
	Version  string `json:"version"`
	Filename string `json:"filename"`
	SHA256   string `json:"sha256"`
}

// lockedPackage is the part of a safepip.lock [[package]] the test checks.
type lockedPackage struct {
	Name       string `toml:"name"`
	Version    string `toml:"version"`
	Marker     string `toml:"marker"`
	AllowSdist bool   `toml:"allow-sdist"`
	Files      []struct {
		Name   string `toml:"name"`
		SHA256 string `toml:"sha256"`
	} `toml:"file"`
}

// formatFlags are the options that give a scenario's resolver options
// as pip spells them: no_binary projects are built from their sdist
// (--no-binary), no_build ones come from wheels only (--only-binary).
// Every other project may be served by an sdist, as uv builds them by
// default: safepip.toml says allow-sdist = true (see runLock).
func formatFlags(sc *scenario) []string {
	var args []string
	for _, n := range sc.Resolver.NoBinary {
		args = append(args, "--no-binary", n)
	}
	for _, n := range sc.Resolver.NoBuild {
		args = append(args, "--only-binary", n)
	}
	return args
}

// packseTally collects the outcomes of the subtests.
type packseTally struct {
	passed    int
	universal int // of them, lock-mode scenarios locked universally
	differ    int // passed with safepip's documented answer
	failures  []string
}

// packseManifest is the manifest.json of build_index.py.
type packseManifest struct {
	Scenarios []struct{ Name string } `json:"scenarios"`
}

// buildPackse builds every scenario's index into a temporary directory
// with build_index.py and returns it with its manifest.
func buildPackse(t *testing.T) (string, packseManifest) {
	t.Helper()
	script := filepath.Join(conformanceDir, "build_index.py")
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("no conformance kit at %s (a checkout without ../shared): %v", conformanceDir, err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("building the scenario indexes needs python3: %v", err)
	}
	out := t.TempDir()
	build := exec.Command(python, script, "--out", out, "-q")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build_index.py: %v\n%s", err, b)
	}
	var manifest packseManifest
	readJSON(t, filepath.Join(out, "manifest.json"), &manifest)
	if len(manifest.Scenarios) == 0 {
		t.Fatal("manifest.json lists no scenarios")
	}
	return out, manifest
}

func TestPackse(t *testing.T) {
	t.Parallel()
	out, manifest := buildPackse(t)
	for _, name := range slices.Concat(slices.Collect(maps.Keys(packseDiffers)), slices.Collect(maps.Keys(uvDiffers)), slices.Collect(maps.Keys(uvLocks))) {
		if !slices.ContainsFunc(manifest.Scenarios, func(s struct{ Name string }) bool { return s.Name == name }) {
			t.Errorf("packseDiffers, uvDiffers or uvLocks name %q, which is not a scenario: remove it", name)
		}
	}

	// Every other scenario is read over loopback HTTP, negotiating the
	// PEP 691 JSON pages, and the rest from the file:// tree (HTML pages):
	// both ways a user names an index are exercised.
	var jsonPages atomic.Int64
	srv := httptest.NewServer(simpleServer(out, &jsonPages))
	t.Cleanup(srv.Close)

	// Locking is mostly waiting on the binary and the disk: run every
	// applicable scenario first, bounded, then judge each in a subtest.
	scenarios := make([]*scenario, len(manifest.Scenarios))
	runs := make([]*lockRun, len(manifest.Scenarios))
	var g errgroup.Group
	g.SetLimit(4 * runtime.GOMAXPROCS(0))
	for i, m := range manifest.Scenarios {
		g.Go(func() error {
			var sc scenario
			if err := readJSONFile(filepath.Join(out, m.Name, "scenario.json"), &sc); err != nil {
				return err
			}
			scenarios[i] = &sc
			indexURL := sc.IndexURL
			if i%2 == 0 {
				indexURL = srv.URL + "/" + url.PathEscape(sc.Name) + "/simple/"
			}
			var err error
			runs[i], err = runLock(t.TempDir(), &sc, indexURL)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if jsonPages.Load() == 0 {
		t.Error("no project page was read as PEP 691 JSON over HTTP: the client no longer negotiates it, or the server here is wrong")
	}

	ta := &packseTally{}
	for i, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Log(runs[i])
			// A documented difference replaces the expectation: safepip's
			// own answer must hold, and that is this scenario's check.
			ours, reason := *sc, ""
			if d, ok := uvDiffers[sc.Name]; ok {
				ours.Expected.Satisfiable, reason = d.want != nil, d.reason
			} else if d, ok := packseDiffers[sc.Name]; ok {
				ours.Expected.Satisfiable, reason = d.want != nil, d.reason
				ours.Expected.Packages, ours.Expected.PackagesChecked = d.want, d.want != nil
			}
			if err := judge(&ours, runs[i]); err != nil {
				if reason != "" {
					err = fmt.Errorf("safepip's documented difference no longer holds: %w", err)
				}
				ta.failures = append(ta.failures, sc.Name+": "+err.Error())
				t.Error(err)
				return
			}
			if reason != "" {
				t.Logf("differs on purpose: %s", reason)
				ta.differ++
			}
			if sc.Mode == "lock" {
				ta.universal++
			}
			ta.passed++
		})
	}

	var b strings.Builder
	slices.Sort(ta.failures)
	for _, f := range ta.failures {
		fmt.Fprintf(&b, "\n  FAILED %s", f)
	}
	msg := fmt.Sprintf("packse: %d passed (%d of them universal locks compared with uv's, %d with safepip's documented difference), 0 not applicable, %d failed of %d scenarios%s",
		ta.passed, ta.universal, ta.differ, len(ta.failures), len(manifest.Scenarios), b.String())
	t.Log(msg)
	if testing.Verbose() {
		fmt.Println(msg)
	}
}

// simpleServer serves the built scenarios under dir, answering a request
// for a page directory that accepts PEP 691 JSON with the index.json beside
// its index.html; jsonPages counts those answers.
func simpleServer(dir string, jsonPages *atomic.Int64) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") && strings.Contains(r.Header.Get("Accept"), pep691Type) {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path.Clean(r.URL.Path)), "index.json"))
			if err == nil {
				jsonPages.Add(1)
				w.Header().Set("Content-Type", pep691Type)
				w.Write(data)
				return
			}
		}
		files.ServeHTTP(w, r)
	})
}

const pep691Type = "application/vnd.pypi.simple.v1+json"

// lockRun is one run of `safepip lock` for a scenario.
type lockRun struct {
	args           []string
	code           int
	stdout, stderr string
	lock           []byte // nil when none was written
}

func (r *lockRun) String() string {
	return fmt.Sprintf("safepip %s\nexit %d\n%s%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// runLock locks sc's requirements with the real binary in dir, for the
// scenario's target and with uv's defaults (see formatFlags).
func runLock(dir string, sc *scenario, indexURL string) (*lockRun, error) {
	var reqs strings.Builder
	for _, r := range sc.Requirements {
		reqs.WriteString(r + "\n")
	}
	cfg := "[policy]\nallow-sdist = true\n"
	if envs := sc.Resolver.RequiredEnvironments; len(envs) > 0 {
		q := make([]string, len(envs))
		for i, e := range envs {
			q[i] = fmt.Sprintf("%q", e)
		}
		cfg += "[resolution]\nrequired-environments = [" + strings.Join(q, ", ") + "]\n"
	}
	if err := errors.Join(
		os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte(reqs.String()), 0o644),
		os.WriteFile(filepath.Join(dir, "safepip.toml"), []byte(cfg), 0o644),
	); err != nil {
		return nil, err
	}
	platform := sc.Target.PlatformTag
	if platform == "" {
		platform = defaultPlatform
	}
	r := &lockRun{args: []string{"lock", "-r", "requirements.txt", "--index-url", indexURL,
		"--python-version", sc.Target.PythonVersion, "--platform", platform}}
	if sc.Mode == "lock" {
		// uv lock: one lock for every environment of the project's
		// requires-python, no target at all
		r.args = []string{"lock", "-r", "requirements.txt", "--index-url", indexURL, "--requires-python", sc.RootRequiresPython}
	}
	if sc.Resolver.Prereleases {
		r.args = append(r.args, "--pre")
	}
	r.args = append(r.args, formatFlags(sc)...)
	cmd := exec.Command(filepath.Join(binDir, "safepip"), r.args...)
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(dir, "home"),
		"SAFEPIP_CACHE_DIR=" + filepath.Join(dir, "cache"),
		"PIP_CONFIG_FILE=" + os.DevNull,
		"NO_COLOR=1",
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil:
		return nil, fmt.Errorf("%s: running safepip: %w", sc.Name, err)
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	data, err := os.ReadFile(filepath.Join(dir, "safepip.lock"))
	switch {
	case err == nil:
		r.lock = data
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	return r, nil
}

// judge compares a run with the scenario's expectation.
func judge(sc *scenario, r *lockRun) error {
	if !sc.Expected.Satisfiable {
		if r.code != 3 {
			return fmt.Errorf("want no solution (exit 3), got exit %d: %s", r.code, brief(r.stderr))
		}
		if r.lock != nil {
			return errors.New("exit 3, but a lock was written")
		}
		return nil
	}
	if r.code != 0 {
		return fmt.Errorf("want success, got exit %d: %s", r.code, brief(r.stderr))
	}
	if r.lock == nil {
		return errors.New("exit 0 but no lock was written")
	}
	var lf struct {
		Packages []lockedPackage `toml:"package"`
	}
	if err := toml.Unmarshal(r.lock, &lf); err != nil {
		return fmt.Errorf("reading safepip.lock: %v", err)
	}
	got := map[string]string{}
	for _, p := range lf.Packages {
		got[p.Name] = normVersion(p.Version)
	}
	want := map[string]string{}
	for n, v := range sc.Expected.Packages {
		want[n] = normVersion(v)
	}
	if sc.Mode == "lock" {
		if err := judgeUniversal(sc, lf.Packages); err != nil {
			return err
		}
	} else if sc.Expected.PackagesChecked && !maps.Equal(got, want) {
		return fmt.Errorf("locked %v, want exactly %v", sortedPins(got), sortedPins(sc.Expected.Packages))
	}
	return checkFiles(sc, lf.Packages)
}

// judgeUniversal compares a universal lock with uv's lock of the same
// scenario (uvLocks): the same name==version entries, each installed in
// the same environments of the scope (compared as sets of environments,
// not as text: uv leaves out what requires-python already says).
func judgeUniversal(sc *scenario, pkgs []lockedPackage) error {
	want, ok := uvLocks[sc.Name]
	if !ok {
		return fmt.Errorf("no uv lock recorded for %s in uvLocks", sc.Name)
	}
	if d, ok := uvDiffers[sc.Name]; ok {
		want = d.want
	}
	spec, err := pep440.ParseSpecifierSet(sc.RootRequiresPython)
	if err != nil {
		return fmt.Errorf("root_requires_python %q: %v", sc.RootRequiresPython, err)
	}
	scope := pep508.RequiresPythonMarker(spec)
	wantAt := map[string]pep508.MarkerSet{}
	for _, w := range want {
		pin, marker, _ := strings.Cut(w, " ; ")
		m, err := pep508.ParseMarkerSet(marker)
		if err != nil {
			return fmt.Errorf("uvLocks %s: %q: %v", sc.Name, w, err)
		}
		name, version, _ := strings.Cut(pin, "==")
		wantAt[sc.Name+"-"+name+"=="+normVersion(version)] = m.And(scope)
	}
	var errs []error
	gotPins := map[string]bool{}
	for _, p := range pkgs {
		pin := p.Name + "==" + normVersion(p.Version)
		gotPins[pin] = true
		m, err := pep508.ParseMarkerSet(p.Marker)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: marker %q: %v", pin, p.Marker, err))
			continue
		}
		w, ok := wantAt[pin]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("locked %s ; %s, which uv does not lock", pin, p.Marker))
		case !m.And(scope).Equal(w):
			errs = append(errs, fmt.Errorf("locked %s for %q; uv installs it where %q", pin, m.And(scope).String(), w.String()))
		}
	}
	for pin := range wantAt {
		if !gotPins[pin] {
			errs = append(errs, fmt.Errorf("uv locks %s, safepip does not", pin))
		}
	}
	return errors.Join(errs...)
}

// checkFiles checks that the lock records every file of each chosen
// version, with the sha256 the scenario published, and nothing else; for
// a --no-binary project, its sdist alone, which serves (allow-sdist); a
// --only-binary project's sdist never serves.
func checkFiles(sc *scenario, pkgs []lockedPackage) error {
	var errs []error
	for _, p := range pkgs {
		noBinary := slices.Contains(sc.Resolver.NoBinary, p.Name)
		switch {
		case noBinary && !p.AllowSdist:
			errs = append(errs, fmt.Errorf("%s %s is --no-binary, but the lock does not let its sdist serve (allow-sdist)", p.Name, p.Version))
		case slices.Contains(sc.Resolver.NoBuild, p.Name) && p.AllowSdist:
			errs = append(errs, fmt.Errorf("%s %s is --only-binary, but the lock lets its sdist serve (allow-sdist)", p.Name, p.Version))
		}
		want := map[string]string{}
		for _, f := range sc.Files {
			if f.Project == p.Name && sameVersion(f.Version, p.Version) && !(noBinary && strings.HasSuffix(f.Filename, ".whl")) {
				want[f.Filename] = f.SHA256
			}
		}
		got := map[string]string{}
		for _, f := range p.Files {
			got[f.Name] = f.SHA256
		}
		for name, sum := range got {
			switch w, ok := want[name]; {
			case !ok:
				errs = append(errs, fmt.Errorf("%s %s: the lock has file %s, which the scenario does not publish for it", p.Name, p.Version, name))
			case w != sum:
				errs = append(errs, fmt.Errorf("%s: sha256 %s in the lock, %s published", name, sum, w))
			}
		}
		for name := range want {
			if _, ok := got[name]; !ok {
				errs = append(errs, fmt.Errorf("%s %s: the lock misses file %s", p.Name, p.Version, name))
			}
		}
	}
	return errors.Join(errs...)
}

// sameVersion compares versions as PEP 440 does: scenario.json keeps
// packse's spelling, the lock the normal form.
func sameVersion(a, b string) bool { return normVersion(a) == normVersion(b) }

// normVersion returns the PEP 440 normal form of v, or v when it is not a
// valid version (then only the same spelling matches it).
func normVersion(v string) string {
	if pv, err := pep440.Parse(v); err == nil {
		return pv.String()
	}
	return v
}

func sortedPins(m map[string]string) string {
	var s []string
	for k, v := range m {
		s = append(s, k+"=="+v)
	}
	slices.Sort(s)
	return "[" + strings.Join(s, " ") + "]"
}

// brief returns stderr on one line, cut to a length a summary can hold.
func brief(s string) string {
	const maxBytes = 300
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxBytes {
		return s[:maxBytes] + " ..."
	}
	return s
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := readJSONFile(path, v); err != nil {
		t.Fatal(err)
	}
}

func readJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// TestPackseInstall installs, with the real binary, real builds and pip,
// the install-mode scenarios whose answer is about sdists and wheels
// (no-binary, no-build, sdist-only) and that packse expects to succeed:
// a version served by its sdist (--no-binary, or no wheel at all) is
// installed from a wheel built from that sdist by its in-tree backend
// (WHEEL says "Generator: safepip-conformance-sdist"), and every other
// from the published wheel.
func TestPackseInstall(t *testing.T) {
	t.Parallel()
	out, manifest := buildPackse(t)
	pyenvRoot, err := exec.Command("pyenv", "root").Output()
	if err != nil {
		t.Fatalf("pyenv is not installed (%v): the scenarios need their own Python", err)
	}
	ran := 0
	for _, m := range manifest.Scenarios {
		var sc scenario
		readJSON(t, filepath.Join(out, m.Name, "scenario.json"), &sc)
		if sc.Mode != "install" || !sc.Expected.Satisfiable || sc.Target.PlatformTag != "" ||
			!slices.ContainsFunc(sc.Features, func(f string) bool { return f == "no-binary" || f == "no-build" || f == "sdist-only" }) {
			continue
		}
		ran++
		t.Run(sc.Name, func(t *testing.T) {
			python := pyenvPython(t, strings.TrimSpace(string(pyenvRoot)), sc.Target.PythonVersion)
			dir := t.TempDir()
			venv := filepath.Join(dir, "venv")
			if b, err := exec.Command(python, "-m", "venv", venv).CombinedOutput(); err != nil {
				t.Fatalf("%s -m venv: %v\n%s", python, err, b)
			}
			writeFile(t, filepath.Join(dir, "requirements.txt"), strings.Join(sc.Requirements, "\n")+"\n")
			// install locks universally: for the Pythons the scenario's project supports
			writeFile(t, filepath.Join(dir, "safepip.toml"), fmt.Sprintf("[policy]\nallow-sdist = true\n[resolution]\nrequires-python = %q\n", sc.RootRequiresPython))
			args := append([]string{"install", "-r", "requirements.txt", "--index-url", sc.IndexURL, "--python", filepath.Join(venv, "bin", "python")}, formatFlags(&sc)...)
			r := runSafepip(t, dir, nil, args...)
			if r.code != 0 {
				t.Fatalf("safepip %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
			}
			installed := installedSet(t, venv)
			if sc.Expected.PackagesChecked {
				want := sortedPins(sc.Expected.Packages)
				if got := "[" + strings.Join(installed, " ") + "]"; got != want {
					t.Errorf("installed %s, want exactly %s", got, want)
				}
			}
			for _, pin := range installed {
				name, version, _ := strings.Cut(pin, "==")
				built := slices.Contains(sc.Resolver.NoBinary, name) || !slices.ContainsFunc(sc.Files, func(f scenarioFile) bool {
					return f.Project == name && sameVersion(f.Version, version) && strings.HasSuffix(f.Filename, ".whl")
				})
				wheel := pythonSays(t, filepath.Join(venv, "bin", "python"), "import importlib.metadata as m; print(m.distribution("+strconv.Quote(name)+").read_text('WHEEL'))")
				if got := strings.Contains(wheel, "Generator: safepip-conformance-sdist"); got != built {
					t.Errorf("%s: built from its sdist = %t, want %t; WHEEL:\n%s", pin, got, built, wheel)
				}
			}
			if len(installed) == 0 {
				t.Errorf("nothing was installed for %v", sc.Requirements)
			}
		})
	}
	if ran == 0 {
		t.Fatal("no scenario is about sdists and wheels: the selection above no longer matches scenario.json")
	}
}

// pyenvPython returns the pyenv interpreter of version ("3.12": the
// newest 3.12.x installed), failing the test when there is none.
func pyenvPython(t *testing.T, root, version string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(root, "versions", version+".*", "bin", "python3"))
	if len(matches) == 0 {
		t.Fatalf("no Python %s under %s/versions: pyenv install it", version, root)
	}
	slices.SortFunc(matches, func(a, b string) int {
		return pep440.MustParse(filepath.Base(filepath.Dir(filepath.Dir(a)))).Compare(pep440.MustParse(filepath.Base(filepath.Dir(filepath.Dir(b)))))
	})
	return matches[len(matches)-1]
}
