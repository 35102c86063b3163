package install

import (
	"fmt"
	"strings"

	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
	"github.com/safepip/safepip/pypa/wheel"
)

// Choice is the file chosen to install one locked package (or one build
// dependency of it, from SelectBuild).
type Choice struct {
	Package *lock.Package
	File    lock.Dist // zero for a Source package
	Sdist   bool      // File is the locked sdist: it is built
	// Build says the package must be built before pip installs it: an
	// sdist, or a Source package (a directory or a git commit).
	Build bool
}

// NoFileError is a locked package with no file the target can install.
type NoFileError struct {
	Package  string
	Version  string
	Env      string   // the environment, as lock.DescribeEnvironment names it
	BestTags []string // the target's most preferred tags, for the message
	NumTags  int      // how many tags were searched in all
	Files    []string
	// BuildOf is "name version" of the package whose build needs this
	// one, a [[build-package]]; "" for a package installed in the target.
	BuildOf string
}

func (e *NoFileError) Error() string {
	more := ""
	if e.NumTags > len(e.BestTags) {
		more = fmt.Sprintf(" and %d more", e.NumTags-len(e.BestTags))
	}
	files := "no files"
	if len(e.Files) > 0 {
		files = strings.Join(e.Files, ", ")
	}
	if e.BuildOf != "" {
		return fmt.Sprintf("build dependency %s %s of %s has no wheel for %s: the lock has %s; the tags searched were %s%s (build dependencies are always wheels: add a wheel for this environment to the index and relock)",
			e.Package, e.Version, e.BuildOf, e.Env, files, strings.Join(e.BestTags, ", "), more)
	}
	return fmt.Sprintf("%s %s has no file for %s: the lock has %s; the tags searched were %s%s (add a wheel for this environment to the index and relock, require it with [resolution] required-environments to catch this when locking, or allow an sdist with [policy] allow-sdist)",
		e.Package, e.Version, e.Env, files, strings.Join(e.BestTags, ", "), more)
}

// noFile is the *NoFileError of p in the environment.
func noFile(p *lock.Package, supported []tags.Tag, env pep508.Environment) *NoFileError {
	e := &NoFileError{Package: p.Name, Version: p.Version, Env: lock.DescribeEnvironment(env), NumTags: len(supported)}
	for _, t := range supported[:min(5, len(supported))] {
		e.BestTags = append(e.BestTags, t.String())
	}
	for _, f := range p.Files {
		e.Files = append(e.Files, f.Name)
	}
	return e
}

// Select chooses what to install into the environment described by its
// markers (env) and supported tags (best first): every locked package
// whose marker holds there, and for each the best-ranked compatible wheel
// among its locked files; an sdist only where the lock says the policy
// allowed it. A universal lock may hold several versions of one name under
// disjoint markers: exactly one of them may hold.
//
// A chosen sdist is built (Sdist and Build set); a package from a source,
// a directory or a git commit, is built with no file to fetch (Build set,
// File zero). SelectBuild gives what each build needs.
//
// An environment outside the lock's scope is a *lock.OutsideScopeError; a
// selected package with no file for it, a *NoFileError.
func Select(lf *lock.File, supported []tags.Tag, env pep508.Environment) ([]Choice, error) {
	if err := lf.Scope.Check(env, supported); err != nil {
		return nil, err
	}
	rank := tags.NewRanking(supported)
	python, pyErr := pep440.Parse(env["python_full_version"])
	var out []Choice
	chosen := map[string]*lock.Package{}
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.Marker != "" {
			m, err := pep508.ParseMarker(p.Marker)
			if err != nil {
				return nil, fmt.Errorf("lock: package %s %s: marker %q: %w", p.Name, p.Version, p.Marker, err)
			}
			ok, err := m.Evaluate(env)
			if err != nil {
				return nil, fmt.Errorf("lock: package %s %s: marker %q: %w", p.Name, p.Version, p.Marker, err)
			}
			if !ok {
				continue
			}
		}
		if q := chosen[p.Name]; q != nil {
			return nil, fmt.Errorf("lock: package %s is locked at %s (marker %q) and %s (marker %q), and both markers hold for %s; relock with `safepip lock`",
				p.Name, q.Version, q.Marker, p.Version, p.Marker, lock.DescribeEnvironment(env))
		}
		chosen[p.Name] = p
		if p.RequiresPython != "" && pyErr == nil {
			spec, err := pep440.ParseSpecifierSet(p.RequiresPython)
			if err != nil {
				return nil, fmt.Errorf("lock: package %s %s: requires-python %q: %w", p.Name, p.Version, p.RequiresPython, err)
			}
			if !spec.Contains(python, pep440.PrereleasesAllow) {
				return nil, fmt.Errorf("lock: package %s %s requires Python %s, and %s is not (the lock's markers should have excluded it; relock with `safepip lock`)",
					p.Name, p.Version, p.RequiresPython, lock.DescribeEnvironment(env))
			}
		}
		if p.Source != nil {
			// The user's own code or a pinned commit: built, nothing to fetch.
			out = append(out, Choice{Package: p, Build: true})
			continue
		}
		c, ok := bestFile(p, rank)
		if !ok {
			return nil, noFile(p, supported, env)
		}
		out = append(out, c)
	}
	return out, nil
}

// bestFile is the best-ranked wheel of p, else its sdist when the lock
// allows one; false when p has neither.
func bestFile(p *lock.Package, rank *tags.Ranking) (Choice, bool) {
	if c, ok := bestWheel(p, rank); ok {
		return c, true
	}
	if !p.AllowSdist {
		return Choice{}, false
	}
	for _, f := range p.Files {
		if _, err := wheel.ParseSdist(f.Name); err == nil {
			return Choice{Package: p, File: f, Sdist: true, Build: true}, true
		}
	}
	return Choice{}, false
}

// bestWheel is the best-ranked wheel of p; false when none is compatible.
func bestWheel(p *lock.Package, rank *tags.Ranking) (Choice, bool) {
	best, bestRank := -1, 0
	for j, f := range p.Files {
		w, err := wheel.ParseWheel(f.Name)
		if err != nil {
			continue
		}
		if r, ok := rank.Best(w.Tags); ok && (best < 0 || r < bestRank) {
			best, bestRank = j, r
		}
	}
	if best < 0 {
		return Choice{}, false
	}
	return Choice{Package: p, File: p.Files[best]}, true
}

// SelectBuild returns the build dependencies of one chosen package for the
// environment described by env and supported (best first): the
// [[build-package]] entries its build-dependencies reference whose marker
// holds in env, each with its best wheel for supported. A build dependency
// without a fitting wheel is a *NoFileError naming it and p, whose build
// needs it.
func SelectBuild(lf *lock.File, p *lock.Package, supported []tags.Tag, env pep508.Environment) ([]Choice, error) {
	rank := tags.NewRanking(supported)
	var out []Choice
	for _, s := range p.BuildDependencies {
		ref, err := lock.ParseBuildRef(s)
		if err != nil {
			return nil, fmt.Errorf("lock: package %s %s: build-dependencies: %w", p.Name, p.Version, err)
		}
		if ref.Marker != "" {
			m, err := pep508.ParseMarker(ref.Marker)
			if err != nil {
				return nil, fmt.Errorf("lock: package %s %s: build-dependencies %q: %w", p.Name, p.Version, s, err)
			}
			ok, err := m.Evaluate(env)
			if err != nil {
				return nil, fmt.Errorf("lock: package %s %s: build-dependencies %q: %w", p.Name, p.Version, s, err)
			}
			if !ok {
				continue
			}
		}
		bp := lf.BuildPackage(ref.Name, ref.Version)
		if bp == nil {
			return nil, fmt.Errorf("lock: package %s %s: build dependency %s is not among the [[build-package]] entries; relock with `safepip lock`", p.Name, p.Version, ref.Name+"=="+ref.Version)
		}
		c, ok := bestWheel(bp, rank)
		if !ok {
			e := noFile(bp, supported, env)
			e.BuildOf = p.Name + " " + p.Version
			return nil, e
		}
		out = append(out, c)
	}
	return out, nil
}
