package install

import (
	"fmt"
	"strings"

	"github.com/safepip/safepip/lock"
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
	BestTags []string // the target's most preferred tags, for the message
	Files    []string
}

func (e *NoFileError) Error() string {
	return fmt.Sprintf("%s %s has no file for this interpreter: the lock has %s; the interpreter's best tags are %s (relock for this environment with `safepip lock --python ...`, or allow an sdist with [policy] allow-sdist)",
		e.Package, e.Version, strings.Join(e.Files, ", "), strings.Join(e.BestTags, ", "))
}

// Select chooses, for every locked package whose marker holds in env, the
// best-ranked compatible wheel among its locked files; an sdist only where
// the lock says the policy allowed it.
func Select(lf *lock.File, supported []tags.Tag, env pep508.Environment) ([]Choice, error) {
	rank := tags.NewRanking(supported)
	var out []Choice
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.Marker != "" {
			m, err := pep508.ParseMarker(p.Marker)
			if err != nil {
				return nil, fmt.Errorf("lock: package %s: marker %q: %w", p.Name, p.Marker, err)
			}
			ok, err := m.Evaluate(env)
			if err != nil {
				return nil, fmt.Errorf("lock: package %s: marker %q: %w", p.Name, p.Marker, err)
			}
			if !ok {
				continue
			}
		}
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
			out = append(out, Choice{Package: p, File: p.Files[best]})
		case sdist >= 0 && p.AllowSdist:
			out = append(out, Choice{Package: p, File: p.Files[sdist], Sdist: true})
		default:
			e := &NoFileError{Package: p.Name, Version: p.Version}
			for _, t := range supported[:min(3, len(supported))] {
				e.BestTags = append(e.BestTags, t.String())
			}
			for _, f := range p.Files {
				e.Files = append(e.Files, f.Name)
			}
			return nil, e
		}
	}
	return out, nil
}
