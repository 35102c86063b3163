package build

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/wheel"
	"github.com/safepip/safepip/verify"
)

// hooksPy is the PEP 517 hook driver, run by the build environment's
// interpreter once per hook.
//
//go:embed hooks.py
var hooksPy []byte

// maxOutputBytes is how much of a backend's output an error keeps (the end).
const maxOutputBytes = 256 << 10

// Sandbox builds wheels from source with nothing but the build
// dependencies it is given: each build gets a fresh venv of Python, those
// wheels installed by pip from local paths with their hashes, and the
// PEP 517 hooks called in it with no index configured anywhere. A Sandbox
// may be used by several goroutines.
type Sandbox struct {
	// Python is the target interpreter: builds run in a venv of it.
	Python string
	// CacheDir holds built wheels by their inputs (see Key); "" builds
	// every time.
	CacheDir string
	// TempDir is where build environments are made and removed; "" is
	// the system's temporary directory.
	TempDir string
	// Env is the environment of the build before safepip removes pip's
	// and uv's settings from it; nil is the process's.
	Env []string
	// Output receives pip's and the backend's output as they run; nil
	// keeps it only for errors.
	Output io.Writer

	noBundledPip bool // tests: seed venvs with ensurepip

	mu       sync.Mutex
	interp   *install.Interpreter
	pipWheel *string // bundledPip's answer
	pipDir   string  // the bundled pip unpacked and checked (unpackedPip)
	pipTemp  bool    // pipDir is this Sandbox's own (no cache): Close removes it
}

// Source is what to build: a source tree (built in place, as pip does)
// or an sdist.
type Source struct {
	Dir   string // a source tree
	Sdist string // a .tar.gz already verified against SHA256
	// SHA256 is the sdist's sha256 (hex), which keys the cache; required
	// with Sdist.
	SHA256 string
}

func (s Source) String() string {
	if s.Sdist != "" {
		return s.Sdist
	}
	return s.Dir
}

// Request is one build.
type Request struct {
	Source Source
	// Deps are every build dependency, as wheels the caller verified:
	// the [build-system] requires and what get_requires returns, with
	// their own dependencies, resolved and locked. Their hashes are
	// checked again before anything runs.
	Deps []install.LocalFile
	// Editable asks for a PEP 660 editable wheel (a source tree only).
	Editable bool
	// OutDir receives a built wheel that is not cached (a source tree's);
	// required then.
	OutDir string
	// ConfigSettings are passed to every hook as config_settings.
	ConfigSettings map[string]string
	// NoIsolation builds in Sandbox.Python's own environment, with
	// whatever it holds, instead of a fresh venv of Deps (which must be
	// empty): the unsafe escape for a backend that needs the target's own
	// packages. Nothing checks what the backend imports, and the wheel is
	// never cached (its inputs are not known): OutDir is required.
	NoIsolation bool
}

// Result is a built wheel.
type Result struct {
	Wheel    string   // its path
	SHA256   string   // its sha256 (hex)
	Requires []string // what get_requires_for_build_wheel (or _editable) returned
	Cached   bool     // served from the cache: no hook ran
}

// Build builds req's wheel, or returns the cached one. The build runs in
// a fresh environment holding only req.Deps; a dependency that does not
// match its hash, or a requirement of the backend that no dependency
// satisfies, stops it before any hook runs.
func (s *Sandbox) Build(ctx context.Context, req Request) (*Result, error) {
	interp, key, hit, err := s.lookup(ctx, req)
	if err != nil || hit != nil {
		return hit, err
	}
	env, err := s.prepare(ctx, req, interp)
	if err != nil {
		return nil, err
	}
	defer env.close()
	requires, err := env.requires(ctx, true)
	if err != nil {
		return nil, err
	}
	return env.build(ctx, key, requires)
}

// Requires runs get_requires_for_build_wheel (or _editable) and returns
// what the backend needs beyond its [build-system] requires, which
// req.Deps must satisfy. The answer is for the caller to resolve and lock.
func (s *Sandbox) Requires(ctx context.Context, req Request) ([]string, error) {
	if err := s.check(req); err != nil {
		return nil, err
	}
	interp, err := s.interpreter(ctx)
	if err != nil {
		return nil, err
	}
	env, err := s.prepare(ctx, req, interp)
	if err != nil {
		return nil, err
	}
	defer env.close()
	return env.requires(ctx, false)
}

// Metadata is the core metadata of a distribution built from source.
type Metadata struct {
	METADATA []byte
	Requires []string // what get_requires_for_build_wheel returned
	// Built is the wheel the metadata was read from, when the backend
	// has no prepare_metadata_for_build_wheel hook (else nil).
	Built *Result
}

// Metadata returns the core metadata of req's wheel from the backend's
// prepare_metadata_for_build_wheel hook, for an sdist whose PKG-INFO is
// not PEP 643 static. A backend without the hook builds the wheel (which
// is then cached) and the metadata is read from it.
func (s *Sandbox) Metadata(ctx context.Context, req Request) (*Metadata, error) {
	if req.Editable {
		return nil, fmt.Errorf("building %s: metadata is read for a wheel, not an editable build", req.Source)
	}
	interp, key, hit, err := s.lookup(ctx, req)
	if err != nil {
		return nil, err
	}
	if hit != nil {
		return metadataOf(hit)
	}
	env, err := s.prepare(ctx, req, interp)
	if err != nil {
		return nil, err
	}
	defer env.close()
	requires, err := env.requires(ctx, true)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(env.dir, "metadata")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	var name string
	err = env.hook(ctx, "prepare_metadata_for_build_wheel", map[string]any{
		"metadata_directory": dir, "config_settings": env.req.ConfigSettings}, &name)
	if errors.Is(err, errUnsupported) {
		res, err := env.build(ctx, key, requires)
		if err != nil {
			return nil, err
		}
		return metadataOf(res)
	}
	if err != nil {
		return nil, err
	}
	if name != filepath.Base(name) || !strings.HasSuffix(name, ".dist-info") {
		return nil, &BackendError{Source: req.Source.String(), Backend: env.system.Backend, Hook: "prepare_metadata_for_build_wheel",
			Reason: fmt.Sprintf("returned %q, not the name of a .dist-info directory", name)}
	}
	data, err := readLimited(filepath.Join(dir, name, "METADATA"), maxMetadataBytes)
	if err != nil {
		return nil, &BackendError{Source: req.Source.String(), Backend: env.system.Backend, Hook: "prepare_metadata_for_build_wheel",
			Reason: fmt.Sprintf("no readable METADATA in %s: %v", name, err)}
	}
	return &Metadata{METADATA: data, Requires: requires}, nil
}

// metadataOf reads the metadata of a built wheel.
func metadataOf(res *Result) (*Metadata, error) {
	data, err := wheelMETADATA(res.Wheel)
	if err != nil {
		return nil, err
	}
	return &Metadata{METADATA: data, Requires: res.Requires, Built: res}, nil
}

// lookup checks req, asks the interpreter for its tags and returns req's
// cache key ("" for a wheel that is not cached) and its cached wheel, if any.
func (s *Sandbox) lookup(ctx context.Context, req Request) (*install.Interpreter, string, *Result, error) {
	if err := s.check(req); err != nil {
		return nil, "", nil, err
	}
	interp, err := s.interpreter(ctx)
	if err != nil {
		return nil, "", nil, err
	}
	key := s.key(req, interp)
	if key != "" {
		if res, ok := s.cached(key); ok {
			return interp, key, res, nil
		}
	}
	return interp, key, nil, nil
}

// check refuses a malformed request and, before anything runs, build
// dependencies that are not wheels, and dependencies or an sdist whose
// bytes do not match their hash.
func (s *Sandbox) check(req Request) error {
	src := req.Source
	switch {
	case (src.Dir == "") == (src.Sdist == ""):
		return fmt.Errorf("build: a source is a directory or an sdist, not %s", describeSource(src))
	case src.Sdist != "" && !isHexSHA256(src.SHA256):
		return fmt.Errorf("build: sdist %s needs its sha256, got %q", src.Sdist, src.SHA256)
	case req.Editable && src.Dir == "":
		return fmt.Errorf("build: an editable build needs a source directory, not the sdist %s", src.Sdist)
	case src.Dir != "" && req.OutDir == "":
		return fmt.Errorf("build: %s: a source directory's wheel is not cached; give an output directory", src.Dir)
	case req.NoIsolation && len(req.Deps) > 0:
		return fmt.Errorf("build: %s: a build without isolation uses the target environment; it takes no build dependencies", src)
	case req.NoIsolation && req.OutDir == "":
		return fmt.Errorf("build: %s: a build without isolation is not cached; give an output directory", src)
	}
	for _, d := range req.Deps {
		name := d.Filename
		if name == "" {
			name = filepath.Base(d.Path)
		}
		if _, err := wheel.ParseWheel(name); err != nil {
			return fmt.Errorf("build dependency %s: only wheels can be build dependencies: %w", d.Path, err)
		}
		if err := checkHash("build dependency", d.Path, d.SHA256); err != nil {
			return err
		}
	}
	if src.Sdist != "" {
		// the sdist's hash keys the cache: a file swapped after it was
		// verified must not be built and cached as the verified one
		return checkHash("sdist", src.Sdist, src.SHA256)
	}
	return nil
}

func checkHash(what, path, want string) error {
	got, err := verify.FileSHA256(path)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !strings.EqualFold(got, want) {
		return &HashMismatchError{What: what, File: path, Want: want, Got: got}
	}
	return nil
}

func describeSource(s Source) string {
	if s.Dir == "" {
		return "neither"
	}
	return fmt.Sprintf("both (%s and %s)", s.Dir, s.Sdist)
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// interpreter asks Python once for its tags and marker environment.
func (s *Sandbox) interpreter(ctx context.Context) (*install.Interpreter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.interp != nil {
		return s.interp, nil
	}
	in, err := install.Inspect(ctx, s.Python, "")
	if err != nil {
		return nil, err
	}
	s.interp = in
	return in, nil
}

// environ is the build's environment: no pip or uv setting survives, pip
// is told there is no index and no configuration file, and the venv's
// scripts come first on PATH.
func (s *Sandbox) environ(venv string) []string {
	base := s.Env
	if base == nil {
		base = os.Environ()
	}
	out := make([]string, 0, len(base)+8)
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "PIP_"), strings.HasPrefix(k, "UV_"),
			k == "PYTHONPATH", k == "PYTHONHOME", k == "PYTHONUSERBASE", k == "VIRTUAL_ENV", k == "PATH":
			continue
		}
		out = append(out, kv)
	}
	path := venvBin(venv)
	for _, kv := range base {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok && v != "" {
			path += string(os.PathListSeparator) + v
		}
	}
	return append(out, "PATH="+path, "VIRTUAL_ENV="+venv,
		"PIP_NO_INDEX=1", "PIP_CONFIG_FILE="+pipDevNull(runtime.GOOS), "PIP_NO_INPUT=1",
		"PIP_DISABLE_PIP_VERSION_CHECK=1", "UV_OFFLINE=1", "PYTHONNOUSERSITE=1")
}

// pipDevNull is the PIP_CONFIG_FILE value that turns pip's configuration
// files off on goos: pip compares it with Python's os.devnull as a string,
// which is "nul" on Windows where Go's os.DevNull is "NUL". (config has the
// same rule for reading pip's configuration; build may not import config.)
func pipDevNull(goos string) string {
	if goos == "windows" {
		return "nul"
	}
	return "/dev/null"
}

func venvBin(venv string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(venv, "Scripts")
	}
	return filepath.Join(venv, "bin")
}

// environment is one build's fresh venv and source tree.
type environment struct {
	s      *Sandbox
	req    Request
	dir    string // removed by close
	python string // the venv's interpreter
	src    string // the source tree
	system BuildSystem
	tmp    string // the build's temporary directory, under dir
	interp *install.Interpreter
	env    []string
	hooks  int
}

func (e *environment) close() { os.RemoveAll(e.dir) }

// withTemp points env's temporary directory at the build's own (the last
// value of a variable wins).
func (e *environment) withTemp(env []string) []string {
	return append(env, "TMPDIR="+e.tmp, "TEMP="+e.tmp, "TMP="+e.tmp)
}

// prepare makes the build environment: the source tree (an sdist is
// unpacked), its [build-system] checked against req.Deps, a venv of the
// target interpreter, and req.Deps installed into it by pip.
func (s *Sandbox) prepare(ctx context.Context, req Request, interp *install.Interpreter) (_ *environment, err error) {
	dir, err := os.MkdirTemp(s.TempDir, "safepip-build-")
	if err != nil {
		return nil, err
	}
	e := &environment{s: s, req: req, dir: dir, interp: interp}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	if req.Source.Sdist != "" {
		unpacked := filepath.Join(dir, "src")
		if err := os.Mkdir(unpacked, 0o700); err != nil {
			return nil, err
		}
		if e.src, err = unpackSdist(req.Source.Sdist, unpacked); err != nil {
			return nil, err
		}
	} else if e.src, err = filepath.Abs(req.Source.Dir); err != nil {
		return nil, err
	}
	if e.system, err = ReadDirBuildSystem(e.src); err != nil {
		return nil, err
	}
	// Every process of the build keeps its temporary files in the build's
	// directory, removed with it even when a process is killed (a failed
	// build beside it cancels the others).
	e.tmp = filepath.Join(dir, "tmp")
	if err := os.Mkdir(e.tmp, 0o700); err != nil {
		return nil, err
	}
	if req.NoIsolation {
		// the interpreter itself, its site-packages and all; its prefix
		// stands for the venv in the environment (PATH, VIRTUAL_ENV)
		e.python, e.env = interp.Executable, e.withTemp(s.environ(interp.Prefix))
		if err := os.WriteFile(filepath.Join(dir, "hooks.py"), hooksPy, 0o600); err != nil {
			return nil, err
		}
		return e, nil
	}
	if missing := unsatisfied(e.system.Requires, req.Deps, interp.Markers); len(missing) > 0 {
		return nil, &MissingRequirementsError{Source: req.Source.String(), From: "[build-system] requires", Missing: missing}
	}
	venv := filepath.Join(dir, "venv")
	e.env = e.withTemp(s.environ(venv))
	if err := e.makeVenv(ctx, venv); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "hooks.py"), hooksPy, 0o600); err != nil {
		return nil, err
	}
	return e, nil
}

// makeVenv makes a venv of the target interpreter and installs the build
// dependencies into it with install.RunPip: local paths, their hashes,
// --no-index --no-deps --require-hashes --isolated. pip runs with the
// venv's own interpreter, so console scripts land in the venv's bin with
// its interpreter on their first line, as a backend calling them expects.
// pip itself comes from the wheel the target's ensurepip bundles, on
// PYTHONPATH for that one process: the venv is made --without-pip, which
// is fast, and the backend later finds no pip in it. Without a bundled
// wheel the venv is seeded by ensurepip (offline) and keeps its pip.
func (e *environment) makeVenv(ctx context.Context, venv string) error {
	pipWheel, err := e.s.bundledPip(ctx, e.interp)
	if err != nil {
		return err
	}
	args := []string{"-I", "-m", "venv"}
	if pipWheel != "" {
		args = append(args, "--without-pip")
	}
	args = append(args, venv)
	var out tailBuffer
	cmd := exec.CommandContext(ctx, e.interp.Executable, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = e.env, &out, &out
	if err := cmd.Run(); err != nil {
		return &EnvironmentError{Python: e.interp.Executable, Output: out.String(), Err: err}
	}
	e.python = filepath.Join(venvBin(venv), "python")
	if runtime.GOOS == "windows" {
		e.python += ".exe"
	}
	if len(e.req.Deps) == 0 {
		return nil
	}
	opts := install.PipOptions{Quiet: 1, Env: e.env}
	if pipWheel != "" {
		dir, err := e.s.unpackedPip(pipWheel, e.interp)
		if err != nil {
			return err
		}
		opts.Env = e.pipEnv(dir)
	}
	if err := install.RunPip(ctx, e.python, e.req.Deps, opts, e.s.Output); err != nil {
		return fmt.Errorf("building %s: installing its build dependencies: %w", e.req.Source, err)
	}
	return nil
}

// pipEnv is the environment pip runs in to install the build
// dependencies: the build's own, with pip importable from pipPath (the
// bundled wheel, or unpackedPip's directory) and nothing else from the
// caller's Python settings. pip writes no compiled module (pipPath holds
// them already, checked against its manifest). Given to pip's process
// directly, not through a script: a script written and executed while
// another build forks can fail with "text file busy".
func (e *environment) pipEnv(pipPath string) []string {
	out := make([]string, 0, len(e.env)+3)
	for _, kv := range e.env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "PYTHONSTARTUP", "PYTHONDONTWRITEBYTECODE", "PYTHONNOUSERSITE":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "PYTHONPATH="+pipPath, "PYTHONNOUSERSITE=1", "PYTHONDONTWRITEBYTECODE=1")
}

// bundledPip returns the pip wheel of the target's ensurepip, or "" when
// there is none.
func (s *Sandbox) bundledPip(ctx context.Context, interp *install.Interpreter) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pipWheel != nil {
		return *s.pipWheel, nil
	}
	wheel := ""
	if !s.noBundledPip {
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, interp.Executable, "-I", "-c",
			"import glob, os\ntry:\n    import ensurepip\nexcept ImportError:\n    pass\nelse:\n    print('\\n'.join(sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl')))))\n")
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			return "", &install.InspectError{Python: interp.Executable, Err: err}
		}
		if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); lines[0] != "" {
			wheel = lines[len(lines)-1] // the newest, if several
		}
	}
	s.pipWheel = &wheel
	return wheel, nil
}

// errUnsupported is a hook the backend does not define.
var errUnsupported = errors.New("hook not defined by the backend")

// hook runs one PEP 517 hook in the environment and decodes its return
// value into result.
func (e *environment) hook(ctx context.Context, name string, kwargs map[string]any, result any) error {
	e.hooks++
	reqPath := filepath.Join(e.dir, fmt.Sprintf("hook-%d.json", e.hooks))
	resPath := filepath.Join(e.dir, fmt.Sprintf("hook-%d-result.json", e.hooks))
	backendPath := make([]string, len(e.system.BackendPath))
	for i, p := range e.system.BackendPath {
		backendPath[i] = filepath.Join(e.src, filepath.FromSlash(p))
	}
	data, err := json.Marshal(map[string]any{
		"backend": e.system.Backend, "backend_path": backendPath,
		"hook": name, "kwargs": kwargs, "result": resPath,
	})
	if err != nil {
		return err
	}
	if err := os.WriteFile(reqPath, data, 0o600); err != nil {
		return err
	}
	var out tailBuffer
	w := io.Writer(&out)
	if e.s.Output != nil {
		w = io.MultiWriter(&out, e.s.Output)
	}
	cmd := exec.CommandContext(ctx, e.python, "-I", filepath.Join(e.dir, "hooks.py"), reqPath)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = e.src, e.env, w, w
	fail := func(reason string) error {
		return &BackendError{Source: e.req.Source.String(), Backend: e.system.Backend, Hook: name, Reason: reason, Output: out.String()}
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fail(err.Error())
	}
	var answer struct {
		Return      json.RawMessage `json:"return"`
		Unsupported bool            `json:"unsupported"`
		Unavailable string          `json:"unavailable"`
	}
	raw, err := readLimited(resPath, maxOutputBytes)
	if err != nil {
		return fail(fmt.Sprintf("the hook driver left no answer: %v", err))
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return fail(fmt.Sprintf("the hook driver's answer is not JSON: %v", err))
	}
	switch {
	case answer.Unavailable != "":
		return fail("the backend cannot be loaded from the build dependencies: " + answer.Unavailable)
	case answer.Unsupported:
		return errUnsupported
	}
	if err := json.Unmarshal(answer.Return, result); err != nil {
		return fail(fmt.Sprintf("the hook returned %s: %v", clip(string(answer.Return)), err))
	}
	return nil
}

// requires runs get_requires_for_build_wheel (or _editable) and, when
// strict, checks that the build dependencies satisfy its answer.
func (e *environment) requires(ctx context.Context, strict bool) ([]string, error) {
	name := "get_requires_for_build_wheel"
	if e.req.Editable {
		name = "get_requires_for_build_editable"
	}
	var reqs []string
	if err := e.hook(ctx, name, map[string]any{"config_settings": e.req.ConfigSettings}, &reqs); err != nil {
		return nil, err
	}
	for _, r := range reqs {
		if _, err := pep508.ParseRequirement(r); err != nil {
			return nil, &BackendError{Source: e.req.Source.String(), Backend: e.system.Backend, Hook: name,
				Reason: fmt.Sprintf("returned %q, which is not a PEP 508 requirement: %v", r, err)}
		}
	}
	if strict && !e.req.NoIsolation {
		if missing := unsatisfied(reqs, e.req.Deps, e.interp.Markers); len(missing) > 0 {
			return nil, &MissingRequirementsError{Source: e.req.Source.String(), From: name, Missing: missing, Requires: reqs}
		}
	}
	return reqs, nil
}

// build runs build_wheel (or build_editable) and puts the wheel in the
// cache under key, or in req.OutDir when key is "". requires is what
// get_requires returned, which the cache entry records.
func (e *environment) build(ctx context.Context, key string, requires []string) (*Result, error) {
	hookName := "build_wheel"
	if e.req.Editable {
		hookName = "build_editable"
	}
	out := filepath.Join(e.dir, "wheel")
	if err := os.Mkdir(out, 0o700); err != nil {
		return nil, err
	}
	var name string
	err := e.hook(ctx, hookName, map[string]any{
		"wheel_directory": out, "config_settings": e.req.ConfigSettings, "metadata_directory": nil}, &name)
	if errors.Is(err, errUnsupported) {
		return nil, &UnsupportedError{Source: e.req.Source.String(), Backend: e.system.Backend, Hook: hookName}
	}
	if err != nil {
		return nil, err
	}
	if name != filepath.Base(name) {
		return nil, &BackendError{Source: e.req.Source.String(), Backend: e.system.Backend, Hook: hookName,
			Reason: fmt.Sprintf("returned %q, not a file name in the wheel directory", name)}
	}
	if _, err := wheel.ParseWheel(name); err != nil {
		return nil, &BackendError{Source: e.req.Source.String(), Backend: e.system.Backend, Hook: hookName,
			Reason: fmt.Sprintf("returned %q, not a wheel file name: %v", name, err)}
	}
	built := filepath.Join(out, name)
	if key != "" {
		return e.s.store(key, built, requires)
	}
	dst := filepath.Join(e.req.OutDir, name)
	sum, err := copyAtomic(built, dst)
	if err != nil {
		return nil, err
	}
	return &Result{Wheel: dst, SHA256: sum, Requires: requires}, nil
}

// unsatisfied returns the requirements of reqs, for env, that no wheel in
// deps satisfies by name and version. Extras are not followed: their
// dependencies are among deps when the lock resolved them.
func unsatisfied(reqs []string, deps []install.LocalFile, env pep508.Environment) []string {
	have := map[string][]pep440.Version{}
	for _, d := range deps {
		name := d.Filename
		if name == "" {
			name = filepath.Base(d.Path)
		}
		if w, err := wheel.ParseWheel(name); err == nil {
			have[w.Name] = append(have[w.Name], w.Version)
		}
	}
	var missing []string
	for _, text := range reqs {
		r, err := pep508.ParseRequirement(text)
		if err != nil {
			missing = append(missing, text)
			continue
		}
		if ok, err := r.Marker.EvaluateExtras(env, nil); err == nil && !ok {
			continue
		}
		found := false
		for _, v := range have[pep508.NormalizeName(r.Name)] {
			if r.URL == "" && r.Specifier.Contains(v, pep440.PrereleasesAllow) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, text)
		}
	}
	return missing
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// tailBuffer keeps the last maxOutputBytes written to it (trimming only
// when twice that has piled up, so a chatty backend costs linear time).
type tailBuffer struct {
	buf       []byte
	truncated bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*maxOutputBytes {
		t.buf = append(t.buf[:0:0], t.buf[len(t.buf)-maxOutputBytes:]...)
		t.truncated = true
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	b := t.buf
	if len(b) > maxOutputBytes {
		b, t.truncated = b[len(b)-maxOutputBytes:], true
	}
	if t.truncated {
		return "[... earlier output cut ...]\n" + string(b)
	}
	return string(b)
}
