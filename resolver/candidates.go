package resolver

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
	"github.com/safepip/safepip/pypa/wheel"
)

// Target is the environment a resolution is for.
type Target struct {
	Markers map[string]string // PEP 508 marker environment
	Python  pep440.Version    // python_full_version, for Requires-Python
	Tags    []tags.Tag        // supported tags, most preferred first
}

// candidate is one version of a project with the files that may serve it.
type candidate struct {
	version pep440.Version
	files   []index.File // every file of the version, as the index lists it
	wheel   int          // index in files of the best wheel for the target; -1 when none fits
	sdist   int          // index in files of the sdist that may serve; -1 when none
	yanked  bool         // every file of the version is yanked
	local   bool         // the user's own source tree (LocalIndex): no files, built
	// noBinary names the --no-binary that left the version's wheels out,
	// for reports ("--no-binary (from PIP_NO_BINARY)"); "" when none did.
	noBinary string
	reason   string // why the version cannot be used; "" when it can
	// pythonOff is the data-requires-python of a file left out because
	// the target's Python does not satisfy it; "" when none was.
	pythonOff string

	// Universal resolutions: the project, the files that may serve
	// somewhere (indexes in files), and where they do (see coverage).
	project    string
	usable     []int
	coverOnce  sync.Once
	cover      pep508.MarkerSet
	wheelCover pep508.MarkerSet
}

// filterPolicy is what decides which files count.
type filterPolicy struct {
	scope      *Scope // universal: no target; which files serve where is decided per fork
	target     *Target
	ranks      *tags.Ranking
	allowSdist bool
	// noBinary leaves every wheel out (--no-binary): the sdist alone
	// serves; noBinaryFrom says where it was asked ("" when not known).
	noBinary     bool
	noBinaryFrom string
	// sdistOff says why an sdist may not serve, when allowSdist is false
	// for another reason than the policy: --only-binary.
	sdistOff     string
	excludeNewer time.Time // zero: no cut-off
}

// candidates groups a project page's files by version and decides, per
// version, which file serves the target. Versions that cannot serve it
// keep a reason, so a failure can say why ("no wheel for the target").
func candidates(p *index.Project, pol filterPolicy) ([]*candidate, error) {
	byVersion := map[string]*candidate{}
	var order []*candidate
	bestRank := map[*candidate]int{}
	pythonOff := map[string]string{} // data-requires-python -> its normal form when the target fails it
	for i := range p.Files {
		f := p.Files[i]
		v, w, ok := fileVersion(&p.Files[i], p.Name)
		if !ok {
			continue
		}
		isWheel := w != nil
		if !pol.excludeNewer.IsZero() {
			if f.UploadTime.IsZero() {
				return nil, &PolicyError{Project: p.Name, Msg: fmt.Sprintf("index %q gives no upload time for %s, so the exclude-newer cut-off cannot be applied; remove the cut-off or use an index that serves PEP 700 upload-time", p.Index, f.Filename)}
			}
			if f.UploadTime.After(pol.excludeNewer) {
				continue
			}
		}
		key := v.String()
		c := byVersion[key]
		if c == nil {
			c = &candidate{version: v, yanked: true, wheel: -1, sdist: -1, project: p.Name}
			byVersion[key] = c
			order = append(order, c)
		}
		if isWheel && pol.noBinary {
			continue // never recorded, downloaded or installed; the version may be left with none
		}
		c.files = append(c.files, f)
		if !f.Yanked {
			c.yanked = false
		}
		if pol.scope != nil {
			c.addUniversal(w, pol)
			continue
		}
		if f.RequiresPython != "" {
			// The files of a page mostly share a few values: parse each once.
			off, seen := pythonOff[f.RequiresPython]
			if !seen {
				if spec, err := pep440.ParseSpecifierSet(f.RequiresPython); err == nil && !spec.Contains(pol.target.Python, pep440.PrereleasesAllow) {
					off = spec.String()
				}
				pythonOff[f.RequiresPython] = off
			}
			if off != "" {
				c.pythonOff = off
				continue // still recorded (a lock keeps every file), but never chosen
			}
		}
		if isWheel {
			if r, ok := pol.ranks.Best(w.Tags); ok {
				if prev, seen := bestRank[c]; !seen || r < prev {
					bestRank[c] = r
					c.wheel = len(c.files) - 1
				}
			}
		} else if c.sdist < 0 {
			c.sdist = len(c.files) - 1
		}
	}
	noBinary := "--no-binary"
	if pol.noBinaryFrom != "" {
		noBinary += " (from " + pol.noBinaryFrom + ")"
	}
	// Each reason completes a sentence that starts with the project and
	// its versions, in the solver's report: "foo ==1.0 has no wheel ...".
	sdistOff := "the policy allows wheels only"
	sdistHint := " (allow-sdist in [policy] of safepip.toml lets it in)"
	if pol.sdistOff != "" {
		sdistOff, sdistHint = pol.sdistOff, ""
	}
	for _, c := range order {
		if pol.noBinary {
			c.noBinary = noBinary
		}
		switch {
		case c.wheel >= 0:
		case c.sdist >= 0 && pol.allowSdist:
		case c.sdist >= 0 && pol.scope != nil && len(c.usable) == 0 && c.hasWheel():
			c.reason = "has no wheel for the platforms of the lock (" + strings.Join(pol.scope.Platforms[:min(3, len(pol.scope.Platforms))], ", ") + ", ...)" + wheelTagsOf(c.files) + ", and " + sdistOff
		case c.sdist >= 0:
			c.reason = "has only an sdist, and " + sdistOff + sdistHint
		case pol.noBinary && c.pythonOff == "":
			c.reason = "has only wheels, and " + noBinary + " forbids them"
		case c.pythonOff != "":
			c.reason = fmt.Sprintf("requires Python %s (the target is %s)", c.pythonOff, pol.target.Python)
		case pol.scope != nil && c.hasWheel():
			c.reason = "has no wheel for the platforms of the lock (" + strings.Join(pol.scope.Platforms[:min(3, len(pol.scope.Platforms))], ", ") + ", ...)" + wheelTagsOf(c.files)
		default:
			c.reason = "has no wheel compatible with the target" + wheelTagsOf(c.files)
		}
	}
	slices.SortFunc(order, func(a, b *candidate) int { return a.version.Compare(b.version) })
	return order, nil
}

// addUniversal records the file just appended to c for a universal
// resolution: every wheel may serve somewhere (unless a --platform
// narrowing refuses its platform tags), and the sdist if the policy
// allows it. Which environments each serves is worked out per fork.
func (c *candidate) addUniversal(w *wheel.Wheel, pol filterPolicy) {
	i := len(c.files) - 1
	if w == nil {
		if c.sdist < 0 {
			c.sdist = i
		}
		if pol.allowSdist {
			c.usable = append(c.usable, i)
		}
		return
	}
	if pol.scope.Platforms != nil && !slices.ContainsFunc(w.Tags, func(t tags.Tag) bool {
		return t.Platform == "any" || slices.Contains(pol.scope.Platforms, t.Platform)
	}) {
		return
	}
	if c.wheel < 0 {
		c.wheel = i
	}
	c.usable = append(c.usable, i)
}

// hasWheel reports whether any file of c is a wheel.
func (c *candidate) hasWheel() bool {
	return slices.ContainsFunc(c.files, func(f index.File) bool { return f.IsWheel() })
}

// dataRequiresPython is the data-requires-python of the file whose
// metadata stands for c, for metadata that declares none.
func (c *candidate) dataRequiresPython() pep440.SpecifierSet {
	f := c.metadataFile()
	if f == nil || f.RequiresPython == "" {
		return nil
	}
	spec, _ := pep440.ParseSpecifierSet(f.RequiresPython)
	return spec
}

// metadataFile is the file whose metadata stands for the version: the
// best wheel, else the sdist.
func (c *candidate) metadataFile() *index.File {
	switch {
	case c.wheel >= 0:
		return &c.files[c.wheel]
	case c.sdist >= 0:
		return &c.files[c.sdist]
	}
	return nil
}

func (c *candidate) String() string {
	var names []string
	for _, f := range c.files {
		names = append(names, f.Filename)
	}
	return c.version.String() + " [" + strings.Join(names, " ") + "]"
}

// wheelTagsOf lists, for a report, the tags of the wheels in files:
// " (wheels for cp313-cp313-win_amd64, py3-none-macosx_10_0_ppc64)", or
// "" when there is no wheel. Long lists are cut.
func wheelTagsOf(files []index.File) string {
	const maxShown = 4
	var ts []string
	for _, f := range files {
		if !f.IsWheel() {
			continue
		}
		if w, err := wheel.ParseWheel(f.Filename); err == nil {
			for _, t := range w.Tags {
				if s := t.String(); !slices.Contains(ts, s) {
					ts = append(ts, s)
				}
			}
		}
	}
	switch {
	case len(ts) == 0:
		return ""
	case len(ts) > maxShown:
		return fmt.Sprintf(" (wheels for %s and %d more)", strings.Join(ts[:maxShown], ", "), len(ts)-maxShown)
	}
	return " (wheels for " + strings.Join(ts, ", ") + ")"
}

// PolicyError is a policy that cannot be applied to what an index serves,
// such as a release cut-off on an index that gives no upload times.
type PolicyError struct {
	Project string
	Msg     string
}

func (e *PolicyError) Error() string { return e.Project + ": " + e.Msg }

// fileVersion is the version a file of project serves, and the file's
// wheel name parsed (nil for an sdist); ok is false for a file whose name
// does not parse as one of project's. It uses the parse the index client
// left on the file, and parses only files made elsewhere (direct URLs).
func fileVersion(f *index.File, project string) (v pep440.Version, w *wheel.Wheel, ok bool) {
	w, sd := f.Wheel, f.Sdist
	if w == nil && sd == nil {
		if f.IsWheel() {
			if pw, err := wheel.ParseWheel(f.Filename); err == nil {
				w = &pw
			}
		} else if ps, err := wheel.ParseSdist(f.Filename); err == nil {
			sd = &ps
		}
	}
	switch {
	case w != nil && w.Name == project:
		return w.Version, w, true
	case sd != nil && sd.Name == project:
		return sd.Version, nil, true
	}
	return pep440.Version{}, nil, false
}
