package project

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/safepip/safepip/build"
	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
	"github.com/safepip/safepip/verify"
)

// InstallOptions are the inputs of `safepip install`.
type InstallOptions struct {
	Requirements []string
	Constraints  []string
	LockPath     string
	Frozen       bool // install only from the lock; a missing or stale lock fails
	DryRun       bool
	Python       string
	Index        config.Flags
	Pre          bool
	Refresh      bool // revalidate every cached index page when locking
	Pip          install.PipOptions
	CreatedBy    string

	// PythonVersion and Platform describe the target instead of asking an
	// interpreter ("3.12", "win_amd64"): a dry run only, to show the
	// selection for an environment this machine is not.
	PythonVersion string
	Platform      string

	Sources // positional requirements, pyproject.toml, --require-hashes
	// Exact removes, after a successful install, every distribution the
	// lock does not select for the environment (pip, setuptools and wheel
	// stay unless locked); with DryRun it lists them.
	Exact bool
}

// InstallResult is what `safepip install` did.
type InstallResult struct {
	LockPath  string
	Locked    *LockResult // set when the lock was (re)written first
	NoOp      bool        // everything was already installed
	Planned   []install.Choice
	Installed []install.Fetched // empty for a no-op or a dry run
	Warnings  []string

	// Environment names the target: "CPython 3.12.1 on linux x86_64".
	Environment string
	// Removed are the distributions --exact uninstalled (with DryRun:
	// would uninstall).
	Removed []verify.InstalledDist
	// Indexes are the configured indexes (safepip.toml, requirements
	// files, flags, pip's configuration), each with where it was declared.
	Indexes []IndexSource
	// Builds are the planned packages that are built before pip runs (an
	// sdist, a local directory, a git commit), with what each build uses.
	Builds []PlannedBuild
	// Built are the wheels those builds made (or took from the cache).
	Built []BuiltWheel
}

// PlannedBuild is one package install builds.
type PlannedBuild struct {
	Choice install.Choice
	// From says what is built: "sdist acme-1.0.tar.gz", "path ." (editable
	// or not), "git https://host/repo.git@<commit>".
	From string
	// Isolated is false for a [policy] no-build-isolation project, built
	// in the target environment itself.
	Isolated bool
	// Deps are its build dependencies for the target, as the lock holds them.
	Deps []install.Choice
}

func (b PlannedBuild) String() string {
	var deps []string
	for _, d := range b.Deps {
		deps = append(deps, d.Package.Name+"=="+d.Package.Version)
	}
	with := "with " + strings.Join(deps, ", ")
	switch {
	case !b.Isolated:
		with = "in the target environment ([policy] no-build-isolation)"
	case len(deps) == 0:
		with = "with no build dependencies"
	}
	return fmt.Sprintf("%s %s from %s, %s", b.Choice.Package.Name, b.Choice.Package.Version, b.From, with)
}

// BuiltWheel is the wheel a build made, or found in the cache.
type BuiltWheel struct {
	Package *lock.Package
	Wheel   string // its path
	SHA256  string
	Cached  bool // no hook ran
}

// Install makes sure the lock is fresh (or refuses, with Frozen), then
// downloads and verifies exactly the locked files and hands pip nothing
// but those local files.
func Install(ctx context.Context, env *Env, o InstallOptions) (*InstallResult, error) {
	interp, markers, supported, err := installTarget(ctx, env, o)
	if err != nil {
		return nil, err
	}
	if interp != nil {
		env = env.forInterpreter(interp.Prefix)
	}
	path := env.abs(o.LockPath)
	if o.LockPath == "" {
		path = filepath.Join(env.Dir, DefaultLockName)
	}
	res := &InstallResult{LockPath: path, Environment: lock.DescribeEnvironment(markers)}
	lf, _, err := readLockIfAny(path)
	if err != nil {
		return nil, err
	}
	var cfg *config.Config
	in, err := installInputs(env, &o, lf, path) // nil: the lock alone
	if err != nil {
		return nil, err
	}
	if in != nil {
		res.Warnings = append(res.Warnings, in.projectNotes(o.Project)...)
		cfg = in.cfg
		stale := ""
		switch {
		case lf == nil:
			stale = "there is no lock"
		case lf.Inputs != in.lockDigest(o.Pre):
			// Only the inputs make a lock stale, never the machine: a
			// target outside the lock's scope is Select's error.
			stale = "the requirements or the configuration changed since it was written"
		}
		if stale != "" {
			if o.Frozen {
				return nil, &StaleError{Path: path, Reason: stale}
			}
			// The lock install writes is the universal one `safepip lock`
			// writes: the same bytes whatever the target, so `lock --check`
			// agrees with it on every machine.
			lr, err := Lock(ctx, env, LockOptions{
				Requirements: o.Requirements, Constraints: o.Constraints, LockPath: path,
				Index: o.Index, Pre: o.Pre, BuildPython: o.Python,
				CreatedBy: o.CreatedBy, DryRun: o.DryRun, Refresh: o.Refresh, Sources: o.Sources,
			})
			if err != nil {
				return nil, err
			}
			res.Locked = lr
			lf = lr.Lock
		}
	} else {
		if lf == nil {
			if o.Frozen {
				return nil, &StaleError{Path: path, Reason: "there is no lock"}
			}
			return nil, &InputError{Err: fmt.Errorf("nothing to install: give requirements with -r FILE, or write %s with `safepip lock` first", path)}
		}
		pc, err := readPipConf(env)
		if err != nil {
			return nil, err
		}
		cfg, err = loadConfig(env, pc, nil, config.Flags{})
		if err != nil {
			return nil, err
		}
	}
	res.Indexes = indexSources(cfg)
	choices, err := install.Select(lf, supported, markers)
	if err != nil {
		return nil, err
	}
	if err := in.checkChosen(choices); err != nil { // the user's --hash options, once more
		return nil, err
	}
	choices = withoutProject(lf, choices, o.Project.NoProject)
	res.Planned = choices
	for _, c := range choices {
		if c.Sdist && !cfg.Policy.SdistAllowed(c.Package.Name) && !cfg.NoBinary(c.Package.Name) {
			// pip's --only-binary (PIP_ONLY_BINARY, pip.conf, a requirements
			// file) or the policy now forbids what the lock chose.
			return nil, &InputError{Err: fmt.Errorf("%s %s is locked as an sdist, but --only-binary or [policy] allow-sdist now allows only wheels for it; relock with `safepip lock`, or allow the sdist", c.Package.Name, c.Package.Version)}
		}
	}
	if res.Builds, err = planBuilds(cfg, lf, choices, supported, markers); err != nil {
		return nil, err
	}
	if interp != nil && !o.Pip.ForceReinstall && o.Pip.Target == "" && o.Pip.Prefix == "" && o.Pip.Root == "" && !o.Pip.User {
		done, err := alreadyInstalled(interp, choices)
		if err != nil {
			return nil, err
		}
		if done {
			res.NoOp = true
			return res, exactEnv(ctx, env, o, interp, choices, res)
		}
	}
	if o.DryRun || interp == nil {
		for _, b := range res.Builds {
			env.logf("would build %s", b)
		}
		return res, exactEnv(ctx, env, o, interp, choices, res)
	}
	client, err := env.newClient(index.Options{})
	if err != nil {
		return nil, &InputError{Err: err}
	}
	defer client.Flush()
	where := lockedFileIndex(env, cfg, lf, path)
	// Every runtime file and every build dependency is fetched and
	// verified before anything is built: a changed file stops the install
	// with nothing built and nothing installed.
	all := slices.Concat(choices, buildDepChoices(res.Builds))
	env.logf("downloading and verifying %d files", len(all))
	counter := &countingFetcher{client: client}
	stop := env.statusTicker(func() string {
		return fmt.Sprintf("downloading: %d/%d files, %.1f MB", counter.files.Load(), len(all), float64(counter.bytes.Load())/1e6)
	})
	fetchedAll, err := install.Fetch(ctx, counter, where, all, interp.Markers, 8)
	stop()
	if err != nil {
		return nil, buildDepError(err, choices, res.Builds)
	}
	if err := verifyFetched(ctx, env, cfg, client, where, fetchedAll); err != nil {
		return nil, err
	}
	fetched := fetchedAll[:len(choices)]
	var files []install.LocalFile
	for _, f := range fetched {
		if !f.Build {
			files = append(files, install.LocalFile{Path: f.Path, SHA256: f.File.SHA256, Filename: f.File.Name})
		}
	}
	if len(res.Builds) > 0 {
		out, err := os.MkdirTemp("", "safepip-built-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(out)
		sandbox := &build.Sandbox{Python: interp.Executable, CacheDir: env.CacheDir, Output: env.Progress}
		defer sandbox.Close()
		bi := &installBuilds{env: env, markers: interp.Markers, in: in, lockPath: path, outDir: out, sandbox: sandbox}
		if res.Built, err = bi.buildAll(ctx, res.Builds, fetchedAll); err != nil {
			return nil, err
		}
		for _, w := range res.Built {
			files = append(files, install.LocalFile{Path: w.Wheel, SHA256: w.SHA256, Filename: filepath.Base(w.Wheel)})
		}
	}
	if err := install.RunPip(ctx, interp.Executable, files, o.Pip, env.Progress); err != nil {
		return nil, err
	}
	if len(res.Builds) > 0 && o.Pip.Target == "" && o.Pip.Prefix == "" && o.Pip.Root == "" && !o.Pip.User {
		// pip recorded the built wheels' paths as their origin; a source
		// package is recorded as its locked directory or commit instead,
		// which verify --installed checks
		if err := recordSourceInstalls(interp, choices, filepath.Dir(path)); err != nil {
			return nil, err
		}
	}
	res.Installed = fetched
	return res, exactEnv(ctx, env, o, interp, choices, res)
}

// installTarget is the environment to install into: the interpreter's
// (nil for a described one), its marker environment and its supported
// tags, best first.
func installTarget(ctx context.Context, env *Env, o InstallOptions) (*install.Interpreter, pep508.Environment, []tags.Tag, error) {
	if o.PythonVersion != "" || o.Platform != "" {
		if o.PythonVersion == "" || o.Platform == "" || !o.DryRun || o.Python != "" {
			return nil, nil, nil, &InputError{Err: fmt.Errorf("install --python-version and --platform describe an environment to show the selection for: give both, with --dry-run, and without --python")}
		}
		t, err := describedTarget(env, TargetOptions{PythonVersion: o.PythonVersion, Platform: o.Platform})
		if err != nil {
			return nil, nil, nil, err
		}
		return nil, t.Markers, t.Tags, nil
	}
	interp, err := install.Inspect(ctx, pythonPath(env, o.Python), env.CacheDir)
	if err != nil {
		return nil, nil, nil, &InputError{Err: err}
	}
	tt, err := interp.Target()
	if err != nil {
		return nil, nil, nil, &InputError{Err: fmt.Errorf("interpreter %s: %w", interp.Executable, err)}
	}
	return interp, interp.Markers, tt.Tags(), nil
}

// alreadyInstalled reports whether every chosen package is installed at
// its locked version, reading dist-info directories only (no pip).
func alreadyInstalled(interp *install.Interpreter, choices []install.Choice) (bool, error) {
	dists, err := verify.Installed(interp.Purelib, interp.Platlib)
	if err != nil {
		return false, err
	}
	have := make(map[string]string, len(dists))
	for _, d := range dists {
		have[d.Name] = d.Version
	}
	for _, c := range choices {
		v, ok := have[c.Package.Name]
		if !ok {
			return false, nil
		}
		a, errA := pep440.Parse(v)
		b, errB := pep440.Parse(c.Package.Version)
		if errA != nil || errB != nil || a.Compare(b) != 0 {
			return false, nil
		}
	}
	return true, nil
}

// expandVars expands the ${VAR} references a lock's URLs keep
// (lock.ExpandVars), naming every one that is not set.
func expandVars(s string, getenv func(string) (string, bool)) (string, error) {
	out, err := lock.ExpandVars(s, getenv)
	if err != nil {
		return "", fmt.Errorf("%w; set it to what it was when the lock was written", err)
	}
	return out, nil
}

// countingFetcher counts the files and bytes fetched, for the progress line.
type countingFetcher struct {
	client       *index.Client
	files, bytes atomic.Int64
}

func (c *countingFetcher) DownloadToCache(ctx context.Context, idx index.Index, f index.File) (string, error) {
	path, err := c.client.DownloadToCache(ctx, idx, f)
	if err == nil {
		if fi, statErr := os.Stat(path); statErr == nil {
			c.bytes.Add(fi.Size())
		}
		c.files.Add(1)
	}
	return path, err
}
