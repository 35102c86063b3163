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

// Choice is the file chosen to install one locked package.
type Choice struct {
	Package *lock.Package
	File    lock.Dist
	Sdist   bool // an sdist: its build dependencies are not hash-locked
}

// NoFileError is a locked package with no file the target can install.
type NoFileError struct {
	Package  string
	Version  string
	Env      string   // the environment, as lock.DescribeEnvironment names it
	BestTags []string // the target's most preferred tags, for the message
	NumTags  int      // how many tags were searched in all
	Files    []string
}

func (e *NoFileError) Error() string {
	more := ""
	if e.NumTags > len(e.BestTags) {
		more = fmt.Sprintf(" and %d more", e.NumTags-len(e.BestTags))
	}
	return fmt.Sprintf("%s %s has no file for %s: the lock has %s; the tags searched were %s%s (add a wheel for this environment to the index and relock, require it with [resolution] required-environments to catch this when locking, or allow an sdist with [policy] allow-sdist)",
		e.Package, e.Version, e.Env, strings.Join(e.Files, ", "), strings.Join(e.BestTags, ", "), more)
}

// Select chooses what to install into the environment described by its
// markers (env) and supported tags (best first): every locked package
// whose marker holds there, and for each the best-ranked compatible wheel
// among its locked files; an sdist only where the lock says the policy
// allowed it. A universal lock may hold several versions of one name under
// disjoint markers: exactly one of them may hold.
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
		c, ok := bestFile(p, rank)
		if !ok {
			e := &NoFileError{Package: p.Name, Version: p.Version, Env: lock.DescribeEnvironment(env), NumTags: len(supported)}
			for _, t := range supported[:min(5, len(supported))] {
				e.BestTags = append(e.BestTags, t.String())
			}
			for _, f := range p.Files {
				e.Files = append(e.Files, f.Name)
			}
			return nil, e
		}
		out = append(out, c)
	}
	return out, nil
}

// bestFile is the best-ranked wheel of p, else its sdist when the lock
// allows one; false when p has neither.
func bestFile(p *lock.Package, rank *tags.Ranking) (Choice, bool) {
	best, bestRank := -1, 0
	sdist := -1
	for j, f := range p.Files {
		w, err := wheel.ParseWheel(f.Name)
		if err != nil {
			if _, err := wheel.ParseSdist(f.Name); err == nil {
				sdist = j
			}
			continue
		}
		if r, ok := rank.Best(w.Tags); ok && (best < 0 || r < bestRank) {
			best, bestRank = j, r
		}
	}
	switch {
	case best >= 0:
		return Choice{Package: p, File: p.Files[best]}, true
	case sdist >= 0 && p.AllowSdist:
		return Choice{Package: p, File: p.Files[sdist], Sdist: true}, true
	}
	return Choice{}, false
}
