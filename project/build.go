package project

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"
	"golang.org/x/sync/errgroup"

	"github.com/safepip/safepip/build"
	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/pyproject"
	"github.com/safepip/safepip/pypa/tags"
	"github.com/safepip/safepip/pypa/wheel"
	"github.com/safepip/safepip/resolver"
)

// builds locks what building needs, at lock time: for every distribution
// that may be built (an allowed sdist, a --no-binary project, a local
// tree or a git checkout) it reads [build-system], resolves its requires
// through the lock's own router (one index per project, ambiguity exit 3,
// wheels only, over the lock's scope or its one target), runs the
// backend's get_requires hook in a sandbox holding just those wheels and
// resolves the union again; the result becomes the package's
// build-dependencies and the lock's [[build-package]] entries. It also
// builds the metadata of sdists and trees whose metadata is not static,
// in that same locked environment. The hooks run with the lock-time
// interpreter (--python, else the active virtualenv, else python3); the
// lock records nothing of it.
//
// A builds is used by one lock run; its methods may be called by several
// goroutines (the resolver asks for metadata while the lock records).
type builds struct {
	env    *Env
	cfg    *config.Config
	client *index.Client
	src    resolver.Source
	// opts are the options of every build-dependency resolution: the
	// lock's scope or target, --pre, the release cut-off, the
	// build-constraints and the old lock's build packages as preferences.
	opts    resolver.Options
	python  string // the interpreter the hooks run with
	sandbox *build.Sandbox
	tmp     string // downloads and tree outputs of this run; removed by close

	// within is the lock's scope: build-dependency markers are written
	// within it, as runtime markers are.
	within pep508.MarkerSet

	mu        sync.Mutex
	interp    *install.Interpreter // the hook interpreter, asked once
	sets      map[string]*memo[*buildSet]
	sdists    map[string]*memo[*sdistBuild]
	sdistDeps map[string]*memo[*buildDeps] // by the sdist's sha256
	trees     map[string]*memo[*buildDeps]
	pkgs      map[string]*buildPkg // "name==version": what the lock records
	sdistMD   map[string]*memo[*metadata.Metadata]
}

// memo is one computation shared by every caller that asks for its key.
type memo[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// once runs fn once per key of m and gives every caller its result.
func once[T any](ctx context.Context, mu *sync.Mutex, m map[string]*memo[T], key string, fn func() (T, error)) (T, error) {
	mu.Lock()
	e, ok := m[key]
	if !ok {
		e = &memo[T]{done: make(chan struct{})}
		m[key] = e
		mu.Unlock()
		e.val, e.err = fn()
		close(e.done)
	} else {
		mu.Unlock()
	}
	select {
	case <-e.done:
		return e.val, e.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// buildSet is one resolution of build requirements.
type buildSet struct {
	requires []string // what was resolved, sorted
	pkgs     []*buildPkg
}

// buildPkg is one resolved build dependency: a set of wheels.
type buildPkg struct {
	res  *resolver.Package // Files: its wheels
	lock lock.Package      // as the lock records it (no marker, no required-by)
	urls map[string]string // file name -> the URL to fetch it from in this run
}

func (p *buildPkg) key() string { return p.lock.Name + "==" + p.lock.Version }

// buildDeps is what one source's build needs: the resolved set and, for
// the hook interpreter, its verified wheels.
type buildDeps struct {
	set   *buildSet
	files []install.LocalFile
	// isolated is false for a project of [policy] no-build-isolation:
	// nothing is locked, the build uses the target environment.
	isolated bool
}

// sdistBuild is a verified sdist of the run.
type sdistBuild struct {
	path     string // under its own name, linked from the download cache
	sha256   string
	who      string // "acme-lib, sdist acme_lib-1.0.tar.gz", for messages
	sys      build.BuildSystem
	isolated bool // false: [policy] no-build-isolation
}

func (sb *sdistBuild) source() build.Source { return build.Source{Sdist: sb.path, SHA256: sb.sha256} }

// newBuilds prepares the builds of one lock run. ropts are the lock's
// resolution options; old is the existing lock (its build packages are
// kept when still allowed, unless upgraded).
func newBuilds(env *Env, cfg *config.Config, client *index.Client, src resolver.Source, ropts resolver.Options, python string, old *lock.File, upgrade func(name string) bool) (*builds, error) {
	b := &builds{
		env: env, cfg: cfg, client: client, src: src, python: python,
		within: pep508.TrueMarker(),
		sets:   map[string]*memo[*buildSet]{}, sdists: map[string]*memo[*sdistBuild]{},
		trees: map[string]*memo[*buildDeps]{}, pkgs: map[string]*buildPkg{},
		sdistMD: map[string]*memo[*metadata.Metadata]{}, sdistDeps: map[string]*memo[*buildDeps]{},
	}
	// wheels only, whatever allow-sdist and --no-binary say: building a
	// build dependency would run its code outside any locked environment
	b.opts = resolver.Options{Scope: ropts.Scope, Target: ropts.Target, Pre: ropts.Pre, ExcludeNewer: ropts.ExcludeNewer, Parallel: ropts.Parallel,
		SdistRefused: func(string) string { return "build dependencies are installed from wheels only" }}
	if old != nil {
		prefs := map[string][]resolver.Preference{}
		for _, p := range old.BuildPackages {
			if !upgrade(p.Name) {
				prefs[p.Name] = append(prefs[p.Name], resolver.Preference{Version: p.Version})
			}
		}
		b.opts.Preferences = prefs
	}
	if path := cfg.Policy.BuildConstraints; path != "" {
		cs, err := readBuildConstraints(env, path)
		if err != nil {
			return nil, err
		}
		b.opts.Constraints = cs
	}
	return b, nil
}

// readBuildConstraints reads [policy] build-constraints: a constraints
// file of name-and-version lines (pip's -c format).
func readBuildConstraints(env *Env, path string) ([]pep508.Requirement, error) {
	f, err := readReqFile(env, path)
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("[policy] build-constraints: %w", err)}
	}
	var out []pep508.Requirement
	for _, r := range f.Requirements {
		if r.Req == nil || r.Req.URL != "" || r.Editable {
			return nil, &InputError{Err: fmt.Errorf("%s: %q: a build constraint is a project name with versions (and a marker), not a URL or path", r.Source, r.Text)}
		}
		out = append(out, *r.Req)
	}
	return out, nil
}

// close removes the run's temporary files.
func (b *builds) close() {
	if b.sandbox != nil {
		b.sandbox.Close()
	}
	if b.tmp != "" {
		os.RemoveAll(b.tmp)
	}
}

// tempDir returns a new directory under the run's temporary directory.
func (b *builds) tempDir(pattern string) (string, error) {
	b.mu.Lock()
	if b.tmp == "" {
		dir, err := os.MkdirTemp("", "safepip-lock-builds-")
		if err != nil {
			b.mu.Unlock()
			return "", err
		}
		b.tmp = dir
	}
	root := b.tmp
	b.mu.Unlock()
	return os.MkdirTemp(root, pattern)
}

// hookInterpreter is the interpreter the lock-time hooks run with, asked
// only when something must be built.
func (b *builds) hookInterpreter(ctx context.Context) (*install.Interpreter, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.interp != nil {
		return b.interp, nil
	}
	if b.env.CacheDir == "" {
		return nil, &InputError{Err: errors.New("building from source needs safepip's cache directory (set SAFEPIP_CACHE_DIR or HOME)")}
	}
	interp, err := install.Inspect(ctx, b.python, b.env.CacheDir)
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("the interpreter that runs build hooks while locking (--python, else the active virtualenv, else python3): %w", err)}
	}
	b.interp = interp
	b.sandbox = &build.Sandbox{Python: interp.Executable, CacheDir: b.env.CacheDir, Output: b.env.Progress}
	return interp, nil
}

// resolveSet resolves build requirements through the lock's router, wheels
// only, once per distinct set. who names the distribution whose build
// needs them, for errors.
func (b *builds) resolveSet(ctx context.Context, requires []string, who string) (*buildSet, error) {
	requires = slices.Compact(slices.Sorted(slices.Values(requires)))
	return once(ctx, &b.mu, b.sets, strings.Join(requires, "\x00"), func() (*buildSet, error) {
		set := &buildSet{requires: requires}
		if len(requires) == 0 {
			return set, nil
		}
		reqs := make([]pep508.Requirement, len(requires))
		for i, s := range requires {
			r, err := pep508.ParseRequirement(s)
			if err != nil {
				return nil, &InputError{Err: fmt.Errorf("%s: build requirement %q: %w", who, s, err)}
			}
			if r.URL != "" {
				return nil, &InputError{Err: fmt.Errorf("%s: build requirement %q is a URL; safepip locks build dependencies from indexes only", who, s)}
			}
			reqs[i] = r
		}
		sol, err := resolver.Resolve(ctx, b.src, reqs, b.opts)
		if err != nil {
			return nil, fmt.Errorf("resolving the build dependencies of %s [%s] (wheels only, each from the index routing chooses): %w", who, strings.Join(requires, ", "), err)
		}
		for _, p := range sol.Packages {
			bp, err := b.buildPackage(ctx, p)
			if err != nil {
				return nil, fmt.Errorf("locking the build dependencies of %s: %w", who, err)
			}
			set.pkgs = append(set.pkgs, bp)
		}
		return set, nil
	})
}

// buildPackage turns a resolved build dependency into what the lock
// records: its wheels only.
func (b *builds) buildPackage(ctx context.Context, p *resolver.Package) (*buildPkg, error) {
	x, ok := b.cfg.Index(p.Project.Index)
	if !ok {
		return nil, fmt.Errorf("internal error: build dependency %s resolved from unknown index %q", p.Name, p.Project.Index)
	}
	res := *p
	res.Files = nil
	bp := &buildPkg{res: &res, urls: map[string]string{}, lock: lock.Package{
		Name: p.Name, Version: p.Version.String(), Index: x.Name, Dependencies: p.Dependencies,
	}}
	if len(p.Metadata.RequiresPython) > 0 {
		bp.lock.RequiresPython = p.Metadata.RequiresPython.String()
	}
	for _, f := range p.Files {
		if !strings.HasSuffix(f.Filename, ".whl") {
			continue
		}
		d, err := lockDist(ctx, b.client, x, f)
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, f)
		bp.lock.Files = append(bp.lock.Files, d)
		bp.urls[d.Name] = f.URL
	}
	if len(bp.lock.Files) == 0 {
		return nil, fmt.Errorf("build dependency %s %s has no wheel; build dependencies are installed from wheels only", p.Name, p.Version)
	}
	return bp, nil
}

// refs are the build-dependencies entries of a set, sorted.
func (b *builds) refs(set *buildSet) []string {
	out := make([]string, 0, len(set.pkgs))
	for _, p := range set.pkgs {
		out = append(out, lock.BuildRef{Name: p.lock.Name, Version: p.lock.Version, Marker: p.res.Marker.Within(b.within).String()}.String())
	}
	slices.Sort(out)
	return out
}

// fetchSet downloads and verifies the wheels of set that the hook
// interpreter needs, exactly as install selects and checks them.
func (b *builds) fetchSet(ctx context.Context, set *buildSet, who string) ([]install.LocalFile, error) {
	if len(set.pkgs) == 0 {
		return nil, nil
	}
	interp, err := b.hookInterpreter(ctx)
	if err != nil {
		return nil, err
	}
	target, err := interp.Target()
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("interpreter %s: %w", interp.Executable, err)}
	}
	lf := &lock.File{}
	urls := map[string]string{}
	for _, p := range set.pkgs {
		lf.BuildPackages = append(lf.BuildPackages, p.lock)
		for name, u := range p.urls {
			urls[name] = u
		}
	}
	// Markers are evaluated as the resolver wrote them, not within the
	// scope: the hook interpreter may lie outside the lock's scope.
	parent := &lock.Package{Name: who}
	for _, p := range set.pkgs {
		parent.BuildDependencies = append(parent.BuildDependencies,
			lock.BuildRef{Name: p.lock.Name, Version: p.lock.Version, Marker: p.res.Marker.String()}.String())
	}
	choices, err := install.SelectBuild(lf, parent, target.Tags(), interp.Markers)
	if err != nil {
		return nil, err
	}
	where := func(p *lock.Package, d lock.Dist) (index.Index, string, error) {
		x, _ := b.cfg.Index(p.Index)
		return resolver.ClientIndex(x), urls[d.Name], nil
	}
	fetched, err := install.Fetch(ctx, b.client, where, choices, interp.Markers, 8)
	if err != nil {
		return nil, err
	}
	return localFiles(fetched), nil
}

// localFiles are fetched files as pip and the sandbox take them.
func localFiles(fetched []install.Fetched) []install.LocalFile {
	out := make([]install.LocalFile, len(fetched))
	for i, f := range fetched {
		out[i] = install.LocalFile{Path: f.Path, SHA256: f.File.SHA256, Filename: f.File.Name}
	}
	return out
}

// deps resolves what building src needs: the [build-system] requires,
// then what the backend's get_requires hook adds, resolved together.
func (b *builds) deps(ctx context.Context, sys build.BuildSystem, src build.Source, editable bool, who string) (*buildDeps, error) {
	set, err := b.resolveSet(ctx, sys.Requires, who)
	if err != nil {
		return nil, err
	}
	files, err := b.fetchSet(ctx, set, who)
	if err != nil {
		return nil, err
	}
	req := build.Request{Source: src, Deps: files, Editable: editable}
	if src.Dir != "" {
		if req.OutDir, err = b.tempDir("requires-"); err != nil {
			return nil, err
		}
	}
	if _, err := b.hookInterpreter(ctx); err != nil {
		return nil, err
	}
	extra, err := b.sandbox.Requires(ctx, req)
	if err != nil {
		return nil, err
	}
	return b.union(ctx, sys.Requires, extra, &buildDeps{set: set, files: files, isolated: true}, who)
}

// union locks requires and what the get_requires hook answered (extra)
// together: deps, resolved from requires alone, when extra adds nothing.
func (b *builds) union(ctx context.Context, requires, extra []string, deps *buildDeps, who string) (*buildDeps, error) {
	if !slices.ContainsFunc(extra, func(r string) bool { return !slices.Contains(requires, r) }) {
		return deps, nil
	}
	set, err := b.resolveSet(ctx, slices.Concat(requires, extra), who)
	if err != nil {
		return nil, err
	}
	files, err := b.fetchSet(ctx, set, who)
	if err != nil {
		return nil, err
	}
	return &buildDeps{set: set, files: files, isolated: true}, nil
}

// sdist downloads and verifies an sdist of the run (against the index's
// sha256) and reads its [build-system], once per file.
func (b *builds) sdist(ctx context.Context, idx index.Index, project string, f index.File) (*sdistBuild, error) {
	key := f.SHA256()
	if key == "" {
		key = f.URL
	}
	return once(ctx, &b.mu, b.sdists, key, func() (*sdistBuild, error) {
		if _, err := b.hookInterpreter(ctx); err != nil { // the cache directory is needed
			return nil, err
		}
		cached, err := b.client.DownloadToCache(ctx, idx, f)
		if err != nil {
			return nil, err
		}
		sum := filepath.Base(cached) // the cache names a file by its sha256
		// under its own name: the sandbox reads the format from it, and
		// messages name the sdist rather than a cache entry
		dir, err := b.tempDir("sdist-")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, filepath.Base(f.Filename))
		if err := linkOrCopyFile(cached, path); err != nil {
			return nil, err
		}
		sb := &sdistBuild{path: path, sha256: sum, who: fmt.Sprintf("%s, sdist %s", project, f.Filename), isolated: b.cfg.Policy.BuildIsolated(project)}
		if sb.isolated {
			if sb.sys, err = build.ReadSdistBuildSystem(path); err != nil {
				return nil, fmt.Errorf("%s: %w", sb.who, err)
			}
		}
		return sb, nil
	})
}

// depsOf locks what building sb needs, once per sdist (unless its
// metadata build did already: depsWithMetadata).
func (b *builds) depsOf(ctx context.Context, sb *sdistBuild) (*buildDeps, error) {
	return once(ctx, &b.mu, b.sdistDeps, sb.sha256, func() (*buildDeps, error) {
		if !sb.isolated {
			return &buildDeps{set: &buildSet{}}, nil
		}
		return b.deps(ctx, sb.sys, sb.source(), false, sb.who)
	})
}

// depsWithMetadata locks what building src needs and builds its metadata
// on the way, in one environment when the backend's get_requires asks
// for nothing [build-system] requires did not already bring. built is nil
// when the metadata is still to be built (with the deps returned).
func (b *builds) depsWithMetadata(ctx context.Context, sys build.BuildSystem, src build.Source, who string) (deps *buildDeps, built *build.Metadata, err error) {
	set, err := b.resolveSet(ctx, sys.Requires, who)
	if err != nil {
		return nil, nil, err
	}
	files, err := b.fetchSet(ctx, set, who)
	if err != nil {
		return nil, nil, err
	}
	req := build.Request{Source: src, Deps: files}
	if src.Dir != "" {
		if req.OutDir, err = b.tempDir("metadata-"); err != nil {
			return nil, nil, err
		}
	}
	built, err = b.sandbox.Metadata(ctx, req)
	var mr *build.MissingRequirementsError
	if errors.As(err, &mr) && mr.From != "[build-system] requires" {
		// get_requires wants more: lock its whole answer; the metadata is
		// built with that
		deps, err := b.union(ctx, sys.Requires, mr.Requires, &buildDeps{set: set, files: files, isolated: true}, who)
		return deps, nil, err
	}
	if err != nil {
		return nil, nil, err
	}
	deps, err = b.union(ctx, sys.Requires, built.Requires, &buildDeps{set: set, files: files, isolated: true}, who)
	return deps, built, err
}

// fileIndex is where a file of p is downloaded from: its index, or for a
// "name @ url" requirement the URL itself.
func (b *builds) fileIndex(p *index.Project, f index.File) (index.Index, bool) {
	if p.Index == resolver.DirectIndex {
		return index.Index{Name: "direct URL", URL: f.URL}, true
	}
	x, ok := b.cfg.Index(p.Index)
	return resolver.ClientIndex(x), ok
}

// sdistMetadata is resolver.Options.SdistMetadata: the core metadata of an
// allowed sdist whose metadata is not static, from the backend's
// prepare_metadata_for_build_wheel (else a build) in an environment of its
// locked build dependencies; a --no-build-isolation project's in the
// hook interpreter's own environment.
func (b *builds) sdistMetadata(ctx context.Context, p *index.Project, f index.File) (*metadata.Metadata, error) {
	idx, ok := b.fileIndex(p, f)
	if !ok {
		return nil, fmt.Errorf("internal error: sdist %s from unknown index %q", f.Filename, p.Index)
	}
	sb, err := b.sdist(ctx, idx, p.Name, f)
	if err != nil {
		return nil, err
	}
	return once(ctx, &b.mu, b.sdistMD, sb.sha256, func() (*metadata.Metadata, error) {
		var built *build.Metadata
		deps, err := once(ctx, &b.mu, b.sdistDeps, sb.sha256, func() (d *buildDeps, err error) {
			if !sb.isolated {
				return &buildDeps{set: &buildSet{}}, nil
			}
			d, built, err = b.depsWithMetadata(ctx, sb.sys, sb.source(), sb.who)
			return d, err
		})
		if err != nil {
			return nil, err
		}
		if built == nil {
			req := build.Request{Source: sb.source(), Deps: deps.files, NoIsolation: !sb.isolated}
			if req.NoIsolation {
				if req.OutDir, err = b.tempDir("metadata-"); err != nil {
					return nil, err
				}
			}
			if built, err = b.sandbox.Metadata(ctx, req); err != nil {
				return nil, err
			}
		}
		return metadata.Parse(f.Filename+" (built metadata)", built.METADATA)
	})
}

// treeDeps locks what building the source tree dir needs (editable: a
// PEP 660 build), once per tree.
func (b *builds) treeDeps(ctx context.Context, dir string, editable bool, where string) (*buildDeps, error) {
	return once(ctx, &b.mu, b.trees, treeKey(dir, editable), func() (*buildDeps, error) {
		sys, err := readTreeBuildSystem(dir, where)
		if err != nil {
			return nil, err
		}
		return b.deps(ctx, sys, build.Source{Dir: dir}, editable, where)
	})
}

func treeKey(dir string, editable bool) string { return fmt.Sprintf("%s\x00%t", dir, editable) }

func readTreeBuildSystem(dir, where string) (build.BuildSystem, error) {
	sys, err := build.ReadDirBuildSystem(dir)
	if err != nil {
		return sys, &InputError{Err: fmt.Errorf("%s: %w", where, err)}
	}
	return sys, nil
}

// treeMetadata returns the core metadata of a source tree (a local
// project or a VCS checkout): the static PEP 621 [project] table when
// name, version and dependencies are not dynamic, else
// prepare_metadata_for_build_wheel (or a build) in a sandbox holding its
// locked build dependencies. where names the requirement for errors.
func (b *builds) treeMetadata(ctx context.Context, dir, where string) (*metadata.Metadata, error) {
	md, err := staticTreeMetadata(dir, where)
	if md != nil || err != nil {
		return md, err
	}
	doc, _, _ := readTreePyproject(dir, where) // its errors were staticTreeMetadata's
	table, _ := doc["project"].(map[string]any)
	if name, _ := table["name"].(string); name != "" && !b.cfg.Policy.BuildIsolated(name) {
		// [policy] no-build-isolation: the hook interpreter's own
		// environment, as its build will be the target's
		if _, err := b.hookInterpreter(ctx); err != nil {
			return nil, err
		}
		out, err := b.tempDir("metadata-")
		if err != nil {
			return nil, err
		}
		built, err := b.sandbox.Metadata(ctx, build.Request{Source: build.Source{Dir: dir}, NoIsolation: true, OutDir: out})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		return metadata.Parse(where+" (built metadata)", built.METADATA)
	}
	var built *build.Metadata
	deps, err := once(ctx, &b.mu, b.trees, treeKey(dir, false), func() (d *buildDeps, err error) {
		sys, err := readTreeBuildSystem(dir, where)
		if err != nil {
			return nil, err
		}
		if _, err := b.hookInterpreter(ctx); err != nil {
			return nil, err
		}
		d, built, err = b.depsWithMetadata(ctx, sys, build.Source{Dir: dir}, where)
		return d, err
	})
	if err != nil {
		return nil, err
	}
	if built == nil {
		out, err := b.tempDir("metadata-")
		if err != nil {
			return nil, err
		}
		if built, err = b.sandbox.Metadata(ctx, build.Request{Source: build.Source{Dir: dir}, Deps: deps.files, OutDir: out}); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	return metadata.Parse(where+" (built metadata)", built.METADATA)
}

// readTreePyproject decodes dir/pyproject.toml; nil without one. name is
// how messages call it.
func readTreePyproject(dir, where string) (doc map[string]any, name string, err error) {
	data, err := os.ReadFile(filepath.Join(dir, "pyproject.toml"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", &InputError{Err: fmt.Errorf("%s: %w", where, err)}
	}
	name = where + ": pyproject.toml"
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, "", &InputError{Err: fmt.Errorf("%s: %w", name, err)}
	}
	return doc, name, nil
}

// staticTreeMetadata reads dir/pyproject.toml's [project] table as core
// metadata; nil without an error when the backend must compute it (no
// file, no table, or name, version, dependencies, optional-dependencies
// or requires-python dynamic).
func staticTreeMetadata(dir, where string) (*metadata.Metadata, error) {
	doc, name, err := readTreePyproject(dir, where)
	if doc == nil || err != nil {
		return nil, err
	}
	table, _ := doc["project"].(map[string]any)
	version, _ := table["version"].(string)
	if table == nil || version == "" {
		return nil, nil
	}
	p, err := pyproject.Parse(name, doc)
	if err != nil {
		if errors.Is(err, pyproject.ErrDynamic) {
			return nil, nil
		}
		return nil, &InputError{Err: err}
	}
	for _, d := range p.Dynamic {
		switch d {
		case "name", "version", "dependencies", "optional-dependencies", "requires-python":
			return nil, nil
		}
	}
	if _, err := pep440.Parse(version); err != nil {
		return nil, &InputError{Err: fmt.Errorf("%s: [project] version %q: %w", name, version, err)}
	}
	var text strings.Builder
	fmt.Fprintf(&text, "Metadata-Version: 2.2\nName: %s\nVersion: %s\n", p.Name, version)
	if p.RequiresPythonText != "" {
		fmt.Fprintf(&text, "Requires-Python: %s\n", p.RequiresPythonText)
	}
	for _, r := range p.Dependencies {
		fmt.Fprintf(&text, "Requires-Dist: %s\n", r.Req.String())
	}
	for _, extra := range p.ExtraNames() {
		fmt.Fprintf(&text, "Provides-Extra: %s\n", extra)
		for _, r := range p.Extras[extra] {
			req := r.Req
			cond := fmt.Sprintf("extra == %q", extra)
			if req.Marker != nil {
				cond = "(" + req.Marker.String() + ") and " + cond
			}
			req.Marker = nil
			fmt.Fprintf(&text, "Requires-Dist: %s ; %s\n", req.String(), cond)
		}
	}
	md, err := metadata.Parse(name, []byte(text.String()))
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return md, nil
}

// record gives lp the build dependencies deps locked, and adds them to the
// lock's build packages (shared where name and version coincide).
func (b *builds) record(lp *lock.Package, deps *buildDeps) {
	lp.BuildDependencies = b.refs(deps.set)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range deps.set.pkgs {
		have, ok := b.pkgs[p.key()]
		if !ok {
			have = &buildPkg{res: p.res, lock: p.lock, urls: p.urls}
			have.lock.RequiredBy = nil
			b.pkgs[p.key()] = have
		}
		if !slices.Contains(have.lock.RequiredBy, lp.Name) {
			have.lock.RequiredBy = append(have.lock.RequiredBy, lp.Name)
			slices.Sort(have.lock.RequiredBy)
		}
	}
}

// finish adds the recorded build packages to lf, sorted by name and
// version, with their indexes, and verifies their attestations under the
// same policy as the runtime files (attestLock).
func (b *builds) finish(ctx context.Context, lf, old *lock.File, allowChange []string) error {
	if len(b.pkgs) == 0 {
		return nil
	}
	keys := make([]string, 0, len(b.pkgs))
	for k := range b.pkgs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, c string) int {
		pa, pc := b.pkgs[a], b.pkgs[c]
		if n := strings.Compare(pa.lock.Name, pc.lock.Name); n != 0 {
			return n
		}
		return pa.res.Version.Compare(pc.res.Version)
	})
	sol := &resolver.Resolution{}
	for _, k := range keys {
		p := b.pkgs[k]
		lf.BuildPackages = append(lf.BuildPackages, p.lock)
		sol.Packages = append(sol.Packages, p.res)
		if !slices.ContainsFunc(lf.Indexes, func(x lock.Index) bool { return x.Name == p.lock.Index }) {
			x, _ := b.cfg.Index(p.lock.Index)
			lf.Indexes = append(lf.Indexes, lock.Index{Name: x.Name, URL: x.Display()})
		}
	}
	// attestLock works on a lock's packages: give it the build packages as
	// such (the slices share their files, so the attestations land in lf).
	view := &lock.File{Packages: lf.BuildPackages}
	var oldView *lock.File
	if old != nil {
		oldView = &lock.File{Packages: old.BuildPackages}
	}
	return attestLock(ctx, b.env, b.cfg, b.client, sol, view, oldView, allowChange)
}

// localPackage records a resolved local project (a directory or a git
// checkout): its source, relative to the lock's directory, and the build
// dependencies of its tree (of its editable build, for -e).
func (b *builds) localPackage(ctx context.Context, in *inputs, p *resolver.Package, within pep508.MarkerSet) (lock.Package, error) {
	l := in.localFor(p.Name)
	if l == nil {
		return lock.Package{}, fmt.Errorf("internal error: local project %s has no source among the inputs", p.Name)
	}
	lp := lock.Package{
		Name:         p.Name,
		Version:      p.Version.String(),
		Dependencies: p.Dependencies,
		RequiredBy:   p.RequiredBy,
		Marker:       p.Marker.Within(within).String(),
	}
	if len(p.Metadata.RequiresPython) > 0 {
		lp.RequiresPython = p.Metadata.RequiresPython.String()
	}
	var err error
	if lp.Source, err = l.lockSource(in.lockDir); err != nil {
		return lp, &InputError{Err: fmt.Errorf("%s: %q: %w", l.Where, l.Text, err)}
	}
	if !b.cfg.Policy.BuildIsolated(p.Name) {
		return lp, nil
	}
	deps, err := b.treeDeps(ctx, l.Dir, l.Editable, l.Where)
	if err != nil {
		return lp, err
	}
	b.record(&lp, deps)
	return lp, nil
}

// prepareSdists locks the builds of every resolved package an sdist may
// serve, a few at a time (each runs a backend hook in a fresh venv).
func (b *builds) prepareSdists(ctx context.Context, sol *resolver.Resolution) (map[*resolver.Package]*buildDeps, error) {
	out := make([]*buildDeps, len(sol.Packages))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(buildParallel)
	for i, p := range sol.Packages {
		if !p.Sdist || p.Project.Index == resolver.LocalIndex {
			continue
		}
		f, ok := sdistFile(p.Files)
		if !ok {
			continue
		}
		idx, ok := b.fileIndex(p.Project, f)
		if !ok {
			return nil, fmt.Errorf("internal error: %s resolved from unknown index %q", p.Name, p.Project.Index)
		}
		g.Go(func() error {
			sb, err := b.sdist(gctx, idx, p.Name, f)
			if err != nil {
				return err
			}
			out[i], err = b.depsOf(gctx, sb)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	m := map[*resolver.Package]*buildDeps{}
	for i, d := range out {
		if d != nil {
			m[sol.Packages[i]] = d
		}
	}
	return m, nil
}

// sdistFile is the sdist among a version's files: the .tar.gz (PEP 625),
// else another non-wheel file.
func sdistFile(files []index.File) (index.File, bool) {
	var other *index.File
	for i, f := range files {
		switch {
		case strings.HasSuffix(f.Filename, ".tar.gz"):
			return f, true
		case !strings.HasSuffix(f.Filename, ".whl") && other == nil:
			other = &files[i]
		}
	}
	if other != nil {
		return *other, true
	}
	return index.File{}, false
}

// planBuilds returns the chosen packages that must be built, each with
// its build dependencies for the target (install.SelectBuild).
func planBuilds(cfg *config.Config, lf *lock.File, choices []install.Choice, supported []tags.Tag, env pep508.Environment) ([]PlannedBuild, error) {
	var out []PlannedBuild
	for _, c := range choices {
		if !c.Build {
			continue
		}
		pb := PlannedBuild{Choice: c, Isolated: cfg.Policy.BuildIsolated(c.Package.Name)}
		switch s := c.Package.Source; {
		case s == nil:
			pb.From = "sdist " + c.File.Name
		case s.Git != "":
			pb.From = "git " + s.Git + "@" + s.Commit
			if s.Subdirectory != "" {
				pb.From += "#subdirectory=" + s.Subdirectory
			}
		case s.Editable:
			pb.From = "path " + s.Path + " (editable)"
		default:
			pb.From = "path " + s.Path
		}
		if pb.Isolated {
			deps, err := install.SelectBuild(lf, c.Package, supported, env)
			if err != nil {
				return nil, err
			}
			pb.Deps = deps
		}
		out = append(out, pb)
	}
	return out, nil
}

// buildDepChoices are the build dependencies of every planned build,
// each file once.
func buildDepChoices(builds []PlannedBuild) []install.Choice {
	var out []install.Choice
	seen := map[string]bool{}
	for _, b := range builds {
		for _, d := range b.Deps {
			if !seen[d.File.SHA256] {
				seen[d.File.SHA256] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// buildDepError names the builds that need the build dependency a fetch
// error is about (a file that does not match the lock), which the error
// itself names only as a package.
func buildDepError(err error, runtime []install.Choice, plan []PlannedBuild) error {
	var hm *install.HashMismatchError
	var mm *install.MetadataMismatchError
	name := ""
	switch {
	case errors.As(err, &hm):
		name = hm.Package
	case errors.As(err, &mm):
		name = mm.Package
	default:
		return err
	}
	if slices.ContainsFunc(runtime, func(c install.Choice) bool { return c.Package.Name == name }) {
		return err
	}
	var needs []string
	for _, b := range plan {
		if slices.ContainsFunc(b.Deps, func(c install.Choice) bool { return c.Package.Name == name }) {
			needs = append(needs, b.Choice.Package.Name+" "+b.Choice.Package.Version)
		}
	}
	if len(needs) == 0 {
		return err
	}
	return fmt.Errorf("build dependency of %s: %w", strings.Join(needs, ", "), err)
}

// buildParallel bounds the builds that run at once: each is a Python
// process (a venv, pip, the backend) that keeps a core busy.
const buildParallel = 2

// installBuilds builds the planned packages of one install, in the target
// interpreter's sandbox, from files already fetched and verified.
type installBuilds struct {
	env      *Env
	markers  pep508.Environment // the target's: built wheels' METADATA is checked for it
	in       *inputs            // nil: the lock alone (git credentials come from it when given)
	lockPath string
	outDir   string // wheels that are not cached, and sdists under their own names
	sandbox  *build.Sandbox
}

// buildAll builds every planned package; fetched holds every verified
// file of the install (the sdists and the build dependencies among them).
// The first failure stops it: pip has not run, the target is untouched.
func (bi *installBuilds) buildAll(ctx context.Context, plan []PlannedBuild, fetched []install.Fetched) ([]BuiltWheel, error) {
	paths := map[string]string{} // sha256 -> verified file
	for _, f := range fetched {
		if f.Path != "" {
			paths[f.File.SHA256] = f.Path
		}
	}
	out := make([]BuiltWheel, len(plan))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(buildParallel)
	for i, pb := range plan {
		g.Go(func() (err error) {
			if out[i], err = bi.build(gctx, pb, paths); err != nil {
				return fmt.Errorf("%s %s was not built, and nothing was installed: %w", pb.Choice.Package.Name, pb.Choice.Package.Version, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func (bi *installBuilds) build(ctx context.Context, pb PlannedBuild, paths map[string]string) (BuiltWheel, error) {
	c := pb.Choice
	p := c.Package
	req := build.Request{NoIsolation: !pb.Isolated}
	for _, d := range pb.Deps {
		req.Deps = append(req.Deps, install.LocalFile{Path: paths[d.File.SHA256], SHA256: d.File.SHA256, Filename: d.File.Name})
	}
	dir, err := os.MkdirTemp(bi.outDir, p.Name+"-")
	if err != nil {
		return BuiltWheel{}, err
	}
	if req.NoIsolation || p.Source != nil {
		req.OutDir = dir
	}
	switch {
	case p.Source != nil:
		src, err := sourceDir(ctx, bi.env, bi.in, bi.lockPath, p.Source)
		if err != nil {
			return BuiltWheel{}, err
		}
		req.Source, req.Editable = build.Source{Dir: src}, p.Source.Editable
	case c.Sdist:
		// under its own name, so that messages name the sdist, not a
		// cache entry; the sandbox hashes it again
		named := filepath.Join(dir, filepath.Base(c.File.Name))
		if err := linkOrCopyFile(paths[c.File.SHA256], named); err != nil {
			return BuiltWheel{}, err
		}
		req.Source = build.Source{Sdist: named, SHA256: c.File.SHA256}
	default:
		return BuiltWheel{}, fmt.Errorf("internal error: %s %s is to be built but has neither an sdist nor a source", p.Name, p.Version)
	}
	bi.env.logf("building %s", pb)
	res, err := bi.sandbox.Build(ctx, req)
	if err != nil {
		return BuiltWheel{}, err
	}
	if err := checkBuiltWheel(res.Wheel, p); err != nil {
		return BuiltWheel{}, err
	}
	if err := checkBuiltMetadata(ctx, res, p, bi.markers); err != nil {
		return BuiltWheel{}, fmt.Errorf("the wheel built from %s: %w", pb.From, err)
	}
	if res.Cached {
		bi.env.logf("%s %s: built wheel from cache (%s)", p.Name, p.Version, filepath.Base(res.Wheel))
	} else {
		bi.env.logf("%s %s: built %s", p.Name, p.Version, filepath.Base(res.Wheel))
	}
	return BuiltWheel{Package: p, Wheel: res.Wheel, SHA256: res.SHA256, Cached: res.Cached}, nil
}

// checkBuiltWheel refuses a wheel that is not of the locked package: a
// backend that builds another project (or version) than the lock holds.
func checkBuiltWheel(path string, p *lock.Package) error {
	w, err := wheel.ParseWheel(filepath.Base(path))
	if err != nil {
		return err
	}
	v, err := pep440.Parse(p.Version)
	if err != nil {
		return err
	}
	if pep508.NormalizeName(w.Name) != p.Name || w.Version.Compare(v) != 0 {
		return fmt.Errorf("the build made %s, which is not %s %s as locked; relock with `safepip lock` if the source changed its name or version", filepath.Base(path), p.Name, p.Version)
	}
	return nil
}

// checkBuiltMetadata checks a built wheel's METADATA against the lock as
// install checks a downloaded wheel's (name, version, Requires-Python,
// and no Requires-Dist the lock did not resolve, for env): a build that
// makes what the locked metadata did not say is a *install.MetadataMismatchError,
// before pip runs. install.Fetch does the checking, given the wheel as
// the locked file that a fetcher already holds.
func checkBuiltMetadata(ctx context.Context, res *build.Result, p *lock.Package, env pep508.Environment) error {
	locked := *p
	locked.Source = nil // Fetch has nothing to check for a source; the wheel is a file
	c := install.Choice{Package: &locked, File: lock.Dist{Name: filepath.Base(res.Wheel), SHA256: res.SHA256}}
	where := func(*lock.Package, lock.Dist) (index.Index, string, error) {
		return index.Index{Name: "build"}, res.Wheel, nil
	}
	_, err := install.Fetch(ctx, builtFetcher(res.Wheel), where, []install.Choice{c}, env, 1)
	return err
}

// builtFetcher is an install.Fetcher of one built wheel, already on disk.
type builtFetcher string

func (f builtFetcher) DownloadToCache(context.Context, index.Index, index.File) (string, error) {
	return string(f), nil
}

// linkOrCopyFile makes dst hold src's bytes: a hard link, else a copy.
func linkOrCopyFile(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
