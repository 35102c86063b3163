package project

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/resolver"
)

// DefaultLockName is the lock's file name in the working directory.
const DefaultLockName = "safepip.lock"

// LockOptions are the inputs of `safepip lock`.
type LockOptions struct {
	Requirements    []string // -r files
	Constraints     []string // -c files
	LockPath        string   // "": safepip.lock in the working directory
	Check           bool     // compare only; write nothing
	DryRun          bool     // resolve and report; write nothing
	Upgrade         bool     // ignore the existing lock's versions
	UpgradePackages []string // ignore them for these projects only
	// Refresh revalidates every cached index page, even one its index's
	// Cache-Control says is fresh (--upgrade implies it).
	Refresh       bool
	Target        TargetOptions
	Index         config.Flags
	Pre           bool
	ExcludeNewer  string // RFC 3339; overrides the policy's
	MinReleaseAge string // "7d"; overrides the policy's
	CreatedBy     string // "safepip 0.1.0"
	// RequiresPython overrides the Python versions a universal lock serves
	// (--requires-python); "": [resolution], then pyproject.toml.
	RequiresPython string
	// AllowPublisherChange names the projects whose attestation publisher
	// may differ from the one the existing lock recorded.
	AllowPublisherChange []string
	// BuildPython runs the build hooks the lock needs (get_requires,
	// prepare_metadata); "": Target.Python, else the active virtualenv's,
	// else python3. The lock records nothing of it.
	BuildPython string
	Sources     // positional requirements, pyproject.toml, --require-hashes
}

// LockResult is what `safepip lock` did.
type LockResult struct {
	Path    string
	Lock    *lock.File
	Changes []lock.Change
	Written bool
	// Warnings are what pip would have ignored silently in the inputs.
	Warnings []string
	// Stale is set by --check when the lock would change (exit status 1).
	Stale bool
	// Indexes are the indexes the lock was resolved with, each with where
	// it was declared (safepip.toml, a requirements file, a flag, pip's
	// configuration).
	Indexes []IndexSource
}

// StaleError is a --check that found the lock out of date.
type StaleError struct {
	Path    string
	Reason  string
	Changes []lock.Change
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("%s is stale: %s; run `safepip lock` and commit the result", e.Path, e.Reason)
}

// Lock resolves the requirements and writes the lock (see LockOptions).
func Lock(ctx context.Context, env *Env, o LockOptions) (*LockResult, error) {
	path := env.abs(o.LockPath)
	if o.LockPath == "" {
		path = filepath.Join(env.Dir, DefaultLockName)
	}
	res := &LockResult{Path: path}
	old, oldBytes, err := readLockIfAny(path)
	if err != nil {
		return nil, err
	}
	if o.Check && old == nil {
		return nil, &StaleError{Path: path, Reason: "there is no lock"}
	}
	o.Sources.lockPath = path
	newLock, in, err := resolveLock(ctx, env, o, old)
	if err != nil {
		return nil, err
	}
	if err := in.finish(newLock, path); err != nil {
		return nil, err
	}
	res.Warnings = in.warnings
	res.Indexes = indexSources(in.cfg)
	newBytes, err := lock.Marshal(newLock)
	if err != nil {
		return nil, fmt.Errorf("internal error: the new lock is invalid: %w", err)
	}
	res.Lock = newLock
	res.Changes = lock.Diff(old, newLock)
	if o.Check {
		if !bytes.Equal(oldBytes, newBytes) {
			reason := "it would change"
			if old.Inputs != newLock.Inputs {
				reason = "the requirements or the configuration changed since it was written"
			} else if !sameNarrowing(old.Scope, newLock.Scope) {
				reason = fmt.Sprintf("it was written for %s; this check is for %s", narrowingText(old.Scope), narrowingText(newLock.Scope))
			} else if o, n := old.Scope, newLock.Scope; o.RequiresPython != n.RequiresPython || !slices.Equal(o.Environments, n.Environments) || !slices.Equal(o.RequiredEnvironments, n.RequiredEnvironments) {
				reason = fmt.Sprintf("it was written for requires-python %q and environments %q; this lock is for %q and %q", o.RequiresPython, o.Environments, n.RequiresPython, n.Environments)
			}
			return res, &StaleError{Path: path, Reason: reason, Changes: res.Changes}
		}
		return res, nil
	}
	if o.DryRun || bytes.Equal(oldBytes, newBytes) {
		return res, nil
	}
	if err := lock.WriteFileAtomic(path, newBytes); err != nil {
		return nil, err
	}
	res.Written = true
	return res, nil
}

func readLockIfAny(path string) (*lock.File, []byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	f, err := lock.Parse(path, data)
	if err != nil {
		return nil, nil, &InputError{Err: err}
	}
	return f, data, nil
}

// resolveLock reads the inputs, resolves them and builds the lock.
func resolveLock(ctx context.Context, env *Env, o LockOptions, old *lock.File) (*lock.File, *inputs, error) {
	env = env.forPython(ctx, o.Target.Python)
	in, err := readInputs(env, o.Requirements, o.Constraints, o.Sources, o.Index)
	if err != nil {
		return nil, nil, err
	}
	cutoff, err := releaseCutoff(env, in.cfg, o, old)
	if err != nil {
		return nil, nil, err
	}
	client, err := env.newClient(index.Options{Refresh: o.Refresh || o.Upgrade || len(o.UpgradePackages) > 0})
	if err != nil {
		return nil, nil, &InputError{Err: err}
	}
	defer client.Flush()
	locked := map[string]string{}
	prefs := map[string][]resolver.Preference{}
	if old != nil {
		upgrade := map[string]bool{}
		for _, n := range o.UpgradePackages {
			upgrade[pep508.NormalizeName(n)] = true
		}
		for _, p := range old.Packages {
			if p.Index != "" {
				locked[p.Name] = p.Index
			}
			if !o.Upgrade && !upgrade[p.Name] {
				prefs[p.Name] = append(prefs[p.Name], resolver.Preference{Version: p.Version, Marker: p.Marker})
			}
		}
		for _, p := range old.BuildPackages {
			if _, ok := locked[p.Name]; !ok {
				locked[p.Name] = p.Index
			}
		}
	}
	upgraded := func(name string) bool {
		return o.Upgrade || slices.ContainsFunc(o.UpgradePackages, func(n string) bool { return pep508.NormalizeName(n) == name })
	}
	src := resolver.NewRoutedSource(in.cfg, client, locked)
	for name, f := range in.direct {
		src.AddDirect(name, f)
	}
	hashed := in.hashes.source(src, in.cfg, client) // the user's --hash options
	stop := env.statusTicker(func() string { return fmt.Sprintf("resolving: %d requests", client.Requests()) })
	defer stop()
	ropts := resolver.Options{
		Pre:          o.Pre || in.pre,
		AllowSdist:   in.cfg.Policy.SdistAllowed,
		ExcludeNewer: cutoff,
		Preferences:  prefs,
		Constraints:  in.constraints,
		NoBinary:     in.cfg.NoBinary, NoBinaryFrom: in.cfg.NoBinaryFrom, OnlyBinaryFrom: in.cfg.OnlyBinaryFrom,
	}
	var record lock.Scope
	if o.Target.universal() {
		// Nothing of this machine reaches a universal lock: no interpreter
		// is asked.
		scope, rec, err := universalScope(o.Target, in.scopeInputs(o.RequiresPython))
		if err != nil {
			return nil, nil, err
		}
		ropts.Scope, record = scope, rec
		env.logf("resolving %d requirements for every environment where %s", len(in.reqs), scopeText(scope))
	} else if o.RequiresPython != "" {
		return nil, nil, &InputError{Err: fmt.Errorf("--requires-python %q bounds a universal lock; --python (or --python-version with --platform) already names one target: drop one of them", o.RequiresPython)}
	} else {
		// Asking the interpreter starts a Python process (most of a
		// second); the pages of the requirements are fetched meanwhile,
		// and what they most likely depend on (resolver.Warm; requirements
		// under a marker wait for the target). Errors are memoized and
		// reported by the resolver, which needs the target.
		warm, cancelWarm := context.WithCancel(ctx)
		defer cancelWarm()
		warmed := make(chan struct{})
		go func() {
			defer close(warmed)
			resolver.Warm(warm, hashed, in.roots(), 0)
		}()
		tgt, err := resolveTarget(ctx, env, o.Target)
		if err != nil {
			return nil, nil, err
		}
		cancelWarm() // the resolver's own prefetch takes over from here
		<-warmed     // before local projects are added to the source it reads
		ropts.Target, record = tgt.Target, tgt.record
		env.logf("resolving %d requirements for Python %s (%s)", len(in.reqs), tgt.record.Python, tgt.record.Platform)
	}
	// What may be built (allowed sdists, --no-binary projects, local
	// trees) gets its build dependencies locked through the same router;
	// the hooks run with the lock-time interpreter.
	hookPython := o.BuildPython
	if hookPython == "" {
		hookPython = o.Target.Python
	}
	b, err := newBuilds(env, in.cfg, client, src, ropts, pythonPath(env, hookPython), old, upgraded)
	if err != nil {
		return nil, nil, err
	}
	defer b.close()
	ropts.SdistMetadata = b.sdistMetadata
	if err := in.addLocals(ctx, env, b.treeMetadata, src); err != nil {
		return nil, nil, err
	}
	sol, err := resolver.Resolve(ctx, hashed, in.roots(), ropts)
	if err != nil {
		return nil, nil, unwrapHashError(err)
	}
	// Markers are written within the scope, as uv writes them: the lock
	// installs only inside it, so what the scope says is left out.
	within := pep508.TrueMarker()
	if ropts.Scope != nil {
		within = ropts.Scope.Markers
	}
	b.within = within
	sdists, err := b.prepareSdists(ctx, sol)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range sol.Forks {
		record.Forks = append(record.Forks, f.Within(within).String())
	}
	lf := &lock.File{
		Version:   lock.FormatVersion,
		CreatedBy: o.CreatedBy,
		Inputs:    in.lockDigest(o.Pre),
		Scope:     record,
	}
	if !cutoff.IsZero() {
		lf.Policy.ExcludeNewer = cutoff.UTC().Format(time.RFC3339)
	}
	used := map[string]bool{}
	for _, p := range sol.Packages {
		if p.Project.Index == resolver.LocalIndex {
			lp, err := b.localPackage(ctx, in, p, within)
			if err != nil {
				return nil, nil, err
			}
			lf.Packages = append(lf.Packages, lp)
			continue
		}
		if p.Project.Index == resolver.DirectIndex {
			lp, err := directPackage(ctx, client, p, within)
			if err != nil {
				return nil, nil, err
			}
			if deps := sdists[p]; deps != nil {
				b.record(&lp, deps)
			}
			lf.Packages = append(lf.Packages, lp)
			continue
		}
		x, ok := in.cfg.Index(p.Project.Index)
		if !ok {
			return nil, nil, fmt.Errorf("internal error: %s resolved from unknown index %q", p.Name, p.Project.Index)
		}
		if !used[x.Name] {
			used[x.Name] = true
			lf.Indexes = append(lf.Indexes, lock.Index{Name: x.Name, URL: x.Display()})
		}
		lp := lock.Package{
			Name:         p.Name,
			Version:      p.Version.String(),
			Index:        x.Name,
			AllowSdist:   p.Sdist,
			Dependencies: p.Dependencies,
			RequiredBy:   p.RequiredBy,
			Marker:       p.Marker.Within(within).String(),
		}
		if len(p.Metadata.RequiresPython) > 0 {
			lp.RequiresPython = p.Metadata.RequiresPython.String()
		}
		for _, f := range p.Files {
			d, err := lockDist(ctx, client, x, f)
			if err != nil {
				return nil, nil, err
			}
			lp.Files = append(lp.Files, d)
		}
		if deps := sdists[p]; deps != nil {
			b.record(&lp, deps)
		}
		lf.Packages = append(lf.Packages, lp)
	}
	if err := attestLock(ctx, env, in.cfg, client, sol, lf, old, o.AllowPublisherChange); err != nil {
		return nil, nil, err
	}
	if err := b.finish(ctx, lf, old, o.AllowPublisherChange); err != nil {
		return nil, nil, err
	}
	return lf, in, nil
}

// sameNarrowing reports whether two scopes narrow the lock to the same
// interpreter or described target.
func sameNarrowing(a, b lock.Scope) bool {
	return a.Python == b.Python && a.Implementation == b.Implementation && a.Platform == b.Platform &&
		a.Tags == b.Tags && a.Markers == b.Markers
}

// narrowingText says which environments a lock's narrowing leaves, and
// the flags that ask for it, for a --check that finds another one.
func narrowingText(s lock.Scope) string {
	switch {
	case s.Tags != "" || s.Markers != "":
		return fmt.Sprintf("one interpreter, %s %s on %s (--python)", s.Implementation, s.Python, s.Platform)
	case s.Python != "" && s.Platform != "":
		return fmt.Sprintf("Python %s on %s (--python-version with --platform)", s.Python, s.Platform)
	case s.Python != "":
		return fmt.Sprintf("Python %s on every platform (--python-version %s)", s.Python, s.Python)
	case s.Platform != "":
		return fmt.Sprintf("platform %s and every Python (--platform %s)", s.Platform, s.Platform)
	}
	return "every platform and Python (no --python, --python-version or --platform)"
}

// lockDigest is the inputs digest a lock made now records: requirements,
// constraints, the configuration and --pre (inputs.digest), with what the
// files say of the scope ([resolution], pyproject.toml's requires-python)
// and the lock format, so that a version 1 lock is stale. Flags that
// narrow or widen the scope (--requires-python, --python-version,
// --platform, --python) are left out: the lock records them in [scope],
// `lock --check` compares bytes, and `install --frozen` checks that the
// target lies in the scope.
func (in *inputs) lockDigest(pre bool) string {
	scope := []string{fmt.Sprint("format=", lock.FormatVersion), in.cfg.Resolution.Canonical()}
	if in.project != nil {
		scope = append(scope, "project requires-python="+in.project.RequiresPython)
	}
	if p := in.cfg.Policy; p.BuildConstraints != "" || len(p.NoBuildIsolation) > 0 {
		// what the builds are resolved with: the constraints file's bytes
		// (an unreadable one fails the lock itself)
		data, _ := os.ReadFile(p.BuildConstraints)
		scope = append(scope, fmt.Sprintf("build-constraints=%q sha256=%x", p.BuildConstraintsWritten, sha256.Sum256(data)),
			fmt.Sprintf("no-build-isolation=%q", p.NoBuildIsolation))
	}
	return lock.Digest([]byte(in.digest(pre)), []byte(strings.Join(scope, "\n")))
}

// scopeInputs are the sources of a universal lock's scope.
func (in *inputs) scopeInputs(flag string) scopeInputs {
	si := scopeInputs{flag: flag, resolution: in.cfg.Resolution}
	if in.project != nil && in.project.RequiresPython != "" {
		si.project, si.projectAt = in.project.RequiresPython, in.project.Path
	}
	return si
}

// scopeText is a universal scope as the log shows it.
func scopeText(sc *resolver.Scope) string {
	if sc.Markers.IsTrue() {
		return "any environment"
	}
	return sc.Markers.String()
}

// directPackage records a "name @ url" requirement: no index, its URL,
// and the one file with the sha256 the requirement gave.
func directPackage(ctx context.Context, client *index.Client, p *resolver.Package, within pep508.MarkerSet) (lock.Package, error) {
	lp := lock.Package{
		Name:         p.Name,
		Version:      p.Version.String(),
		URL:          p.Project.URL,
		AllowSdist:   p.Sdist,
		Dependencies: p.Dependencies,
		RequiredBy:   p.RequiredBy,
		Marker:       p.Marker.Within(within).String(),
	}
	if len(p.Metadata.RequiresPython) > 0 {
		lp.RequiresPython = p.Metadata.RequiresPython.String()
	}
	for _, f := range p.Files {
		// The hash came from the user, not an index: check it now, so a
		// wrong one fails the lock rather than a later install.
		if _, err := client.Download(ctx, index.Index{Name: "direct URL", URL: f.URL}, f, io.Discard); err != nil {
			return lp, err
		}
		u, _ := config.StripUserinfo(f.URL)
		lp.Files = append(lp.Files, lock.Dist{Name: f.Filename, URL: u, SHA256: f.SHA256(), Size: f.Size})
	}
	return lp, nil
}

// releaseCutoff is the upload-time cut-off: the flag, else the policy; a
// --check reuses the one the lock recorded, so that min-release-age does
// not make every check stale as time passes.
func releaseCutoff(env *Env, cfg *config.Config, o LockOptions, old *lock.File) (time.Time, error) {
	p := cfg.Policy
	if o.ExcludeNewer != "" || o.MinReleaseAge != "" {
		p = config.Policy{} // the flags replace the policy's cut-off
		if o.ExcludeNewer != "" {
			t, err := time.Parse(time.RFC3339, o.ExcludeNewer)
			if err != nil {
				return time.Time{}, &InputError{Err: fmt.Errorf("--exclude-newer %q: want an RFC 3339 time such as 2026-11-01T00:00:00Z", o.ExcludeNewer)}
			}
			p.ExcludeNewer = t
		}
		if o.MinReleaseAge != "" {
			d, err := config.ParseAge(o.MinReleaseAge)
			if err != nil {
				return time.Time{}, &InputError{Err: fmt.Errorf("--min-release-age: %w", err)}
			}
			p.MinReleaseAge = d
		}
	}
	if o.Check && old != nil && old.Policy.ExcludeNewer != "" && p.MinReleaseAge > 0 {
		if t, err := time.Parse(time.RFC3339, old.Policy.ExcludeNewer); err == nil {
			return t, nil
		}
	}
	t, _ := p.Cutoff(env.now()) // zero: no cut-off
	return t, nil
}

// lockDist records one file; a file the index gives no sha256 for is
// downloaded and hashed.
func lockDist(ctx context.Context, client *index.Client, x config.Index, f index.File) (lock.Dist, error) {
	d := lock.Dist{Name: f.Filename, URL: portableURL(f.URL, x), SHA256: f.SHA256(), Size: f.Size}
	if !f.UploadTime.IsZero() {
		d.UploadTime = f.UploadTime.UTC().Format(time.RFC3339)
	}
	if d.SHA256 == "" {
		sum, err := client.Download(ctx, resolver.ClientIndex(x), f, io.Discard)
		if err != nil {
			return d, err
		}
		d.SHA256 = sum
	}
	return d, nil
}

// portableURL returns a file URL as the lock records it: without
// credentials, and with the index's ${VAR} references put back where the
// file lives under the index's own location, so that a lock of a
// file://${REPO}/index works from any checkout.
func portableURL(fileURL string, x config.Index) string {
	fileURL, _ = config.StripUserinfo(fileURL)
	written := x.Display()
	if !strings.Contains(written, "${") {
		return fileURL
	}
	expanded, _ := config.StripUserinfo(x.URL)
	// The longest common prefix ending in "/" of the file and the index.
	n := 0
	for i := 0; i < len(fileURL) && i < len(expanded) && fileURL[i] == expanded[i]; i++ {
		if fileURL[i] == '/' {
			n = i + 1
		}
	}
	suffix := expanded[n:]
	if n == 0 || !strings.HasSuffix(written, suffix) {
		return fileURL
	}
	return written[:len(written)-len(suffix)] + fileURL[n:]
}
