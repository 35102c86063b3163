package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/pyproject"
	"github.com/safepip/safepip/pypa/reqfile"
)

// Sources are the inputs of a lock besides its -r and -c files.
type Sources struct {
	// Packages are requirements given as arguments, as pip takes them:
	// `safepip install "requests[socks]>=2"`.
	Packages []string
	// Project selects what of pyproject.toml to lock. The file is read
	// when no -r file is given (positional requirements join it), or
	// always when Project.Dir is set.
	Project ProjectOptions
	// RequireHashes is --require-hashes: every requirement line needs a
	// --hash, as in pip (a requirements file may also turn it on).
	RequireHashes bool

	// skipProject keeps install from reading a pyproject.toml that the
	// existing lock was not made from.
	skipProject bool
	// lockPath is the lock the inputs are for: local paths are recorded
	// relative to its directory; "": the working directory's.
	lockPath string
}

// ProjectOptions select the parts of pyproject.toml that are locked.
type ProjectOptions struct {
	Dir       string // --project: the directory of pyproject.toml; "" for the working directory
	Extras    []string
	AllExtras bool
	Groups    []string
	AllGroups bool
	// NoProject skips installing the project itself (--no-project): the
	// lock still holds it, as an editable path source, and its
	// dependencies are installed.
	NoProject bool
}

func (o ProjectOptions) selection() pyproject.Selection {
	return pyproject.Selection{Extras: o.Extras, AllExtras: o.AllExtras, Groups: o.Groups, AllGroups: o.AllGroups}
}

func (o ProjectOptions) selects() bool {
	return len(o.Extras) > 0 || o.AllExtras || len(o.Groups) > 0 || o.AllGroups
}

// NothingToLockError is a lock or install that was given no requirement
// at all (exit status 2).
type NothingToLockError struct{ Dir string }

func (e *NothingToLockError) Error() string {
	return fmt.Sprintf("nothing to lock: say what to install with requirements files (-r requirements.txt), requirements as arguments (`safepip lock \"requests>=2\"`), or a pyproject.toml with a [project] table in %s (or --project DIR)", e.Dir)
}

// ProjectInfo is what a lock read from pyproject.toml.
type ProjectInfo struct {
	Path string // the pyproject.toml read
	Name string // [project] name, normalized ("" when absent)
	// RequiresPython is [project] requires-python as written ("" when
	// absent): the default of the lock's scope.
	RequiresPython string
	Extras, Groups []string // the selection locked, normalized and sorted

	// buildable is a [build-system] table or a setup.py beside the file:
	// the project is then locked and installed itself (editable). Without
	// either there is nothing to build (uv's "virtual" project), and only
	// its dependencies are.
	buildable bool
}

// readProject reads the pyproject.toml that o names, when it should be
// read, and returns its requirements for o's selection. info is nil when
// no project was read.
func readProject(env *Env, o ProjectOptions, haveFiles bool) (reqs []reqfile.Requirement, info *ProjectInfo, err error) {
	if haveFiles && o.Dir == "" {
		if o.selects() {
			return nil, nil, &InputError{Err: errors.New("--extra, --all-extras, --group and --all-groups select from pyproject.toml, which is not read when -r is given; add --project . to read both")}
		}
		return nil, nil, nil
	}
	dir := env.Dir
	if o.Dir != "" {
		dir = env.abs(o.Dir)
	}
	path := filepath.Join(dir, "pyproject.toml")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && o.Dir == "" && !o.selects() {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, &InputError{Err: fmt.Errorf("reading the project: %w", err)}
	}
	name := relSource(env.Dir, path)
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ := de.Position()
			return nil, nil, &InputError{Err: fmt.Errorf("%s:%d: %s", name, line, de.Error())}
		}
		return nil, nil, &InputError{Err: fmt.Errorf("%s: %w", name, err)}
	}
	p, err := pyproject.Parse(name, doc)
	if err != nil {
		return nil, nil, &InputError{Err: err}
	}
	if !p.HasProject {
		// PEP 735 groups need no [project]; without one, only a selected
		// group is something to lock.
		if len(o.Extras) > 0 || o.AllExtras {
			return nil, nil, &InputError{Err: fmt.Errorf("%s has no [project] table, so no extras to select", name)}
		}
		if len(o.Groups) == 0 && !o.AllGroups {
			return nil, nil, nil
		}
	}
	info = &ProjectInfo{Path: path, Name: p.Name, RequiresPython: p.RequiresPythonText}
	if _, ok := doc["build-system"]; ok {
		info.buildable = true
	} else if _, err := os.Stat(filepath.Join(dir, "setup.py")); err == nil {
		info.buildable = true
	}
	if info.buildable && p.Name != "" && slices.Contains(p.Dynamic, "dependencies") {
		// The project is locked itself (addSources), and its backend
		// computes its dependencies when it is read (treeMetadata): only
		// the extras and groups are listed here.
		q := *p
		q.Dynamic = slices.DeleteFunc(slices.Clone(p.Dynamic), func(f string) bool { return f == "dependencies" })
		q.Dependencies = nil
		p = &q
	}
	rs, err := p.Requirements(o.selection())
	if err != nil {
		return nil, nil, &InputError{Err: err}
	}
	info.Extras, info.Groups, _ = p.Normalized(o.selection())
	for _, r := range rs {
		req := r.Req
		reqs = append(reqs, reqfile.Requirement{Text: r.Text, Kind: reqfile.KindName, Name: pep508.NormalizeName(req.Name), Req: &req,
			Source: reqfile.Source{File: name + " " + r.Key}})
	}
	return reqs, info, nil
}

// positionalSource names the requirements given as arguments in messages:
// "command line argument:2" is the second.
const positionalSource = "command line argument"

// readPositional parses requirements given as arguments: PEP 508
// requirements, "name @ url" included (a bare path or URL needs a name).
func readPositional(args []string) ([]reqfile.Requirement, error) {
	var out []reqfile.Requirement
	for i, a := range args {
		r, err := pep508.ParseRequirement(strings.TrimSpace(a))
		if err != nil {
			return nil, &InputError{Err: fmt.Errorf("%s:%d: %q: %w; give a requirement such as \"requests>=2\", or \"name @ https://...\" for a file", positionalSource, i+1, a, err)}
		}
		out = append(out, reqfile.Requirement{Text: a, Kind: reqfile.KindName, Name: pep508.NormalizeName(r.Name), Req: &r,
			Source: reqfile.Source{File: positionalSource, Line: i + 1}})
	}
	return out, nil
}

// canonicalPackages is the positional requirements in a normal form, as a
// lock records them: their canonical strings, sorted and unique.
func canonicalPackages(args []string) []string {
	var out []string
	for _, a := range args {
		if r, err := pep508.ParseRequirement(strings.TrimSpace(a)); err == nil {
			r.Name = pep508.NormalizeName(r.Name)
			for i, x := range r.Extras {
				r.Extras[i] = pep508.NormalizeExtra(x)
			}
			slices.Sort(r.Extras)
			r.Extras = slices.Compact(r.Extras)
			r.URL, _ = config.StripUserinfo(r.URL) // a git token never reaches the lock
			out = append(out, r.String())
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// uniqueFiles drops the names that refer to a file already named (other
// spellings of one path, or the same file through a link): the inputs are
// a set, and reading a file twice must not change the lock.
func uniqueFiles(env *Env, names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		key := filepath.Clean(env.abs(n))
		if real, err := filepath.EvalSymlinks(key); err == nil {
			key = real
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, n)
	}
	return out
}

// addSources adds the positional requirements and the project's to in,
// checks --require-hashes over every line, and refuses an empty input.
func (in *inputs) addSources(env *Env, src Sources, haveFiles bool, lines *[]reqfile.Requirement) error {
	pos, err := readPositional(src.Packages)
	if err != nil {
		return err
	}
	in.packages = canonicalPackages(src.Packages)
	proj, info, err := readProject(env, src.Project, haveFiles || src.skipProject)
	if err != nil {
		return err
	}
	in.project = info
	if info != nil && info.Name != "" && info.buildable {
		// the project itself, as `-e .` would install it
		in.local = append(in.local, localReq{Where: relSource(env.Dir, info.Path), Text: "the project " + info.Name,
			Dir: filepath.Dir(info.Path), Editable: true, Name: info.Name, Extras: info.Extras})
	}
	for _, r := range slices.Concat(pos, proj) {
		if err := in.add(r, false); err != nil {
			return &InputError{Err: err}
		}
		*lines = append(*lines, r)
	}
	if !haveFiles && len(pos) == 0 && info == nil {
		dir := env.Dir
		if src.Project.Dir != "" {
			dir = env.abs(src.Project.Dir)
		}
		return &InputError{Err: &NothingToLockError{Dir: dir}}
	}
	if in.requireHashes != "" {
		for _, r := range *lines {
			if err := requireHashesLine(r, in.requireHashes); err != nil {
				return err
			}
		}
	}
	return nil
}

// sourceParts are the parts of the inputs digest that only some inputs
// have; none for a lock of requirements files alone, so that such locks
// keep their digest.
func (in *inputs) sourceParts() [][]byte {
	var parts [][]byte
	if len(in.hashes) > 0 {
		parts = append(parts, append([]byte("hashes\n"), in.hashes.canonical()...))
	}
	if in.requireHashes != "" {
		parts = append(parts, []byte("require-hashes"))
	}
	if p := in.project; p != nil {
		parts = append(parts, fmt.Appendf(nil, "project %s\nrequires-python %s\nextras %s\ngroups %s",
			p.Name, p.RequiresPython, strings.Join(p.Extras, ","), strings.Join(p.Groups, ",")))
	}
	return append(parts, in.localParts()...)
}

// finish records in lf what it was asked for and, in --require-hashes
// mode, checks that the user's hashes cover every locked project.
//
// Only the -r files inside the lock's directory are recorded, by their
// path relative to it, so that the lock's bytes are the same in every
// checkout; a lock made from files elsewhere records none (and install
// then wants them named again: installInputs).
func (in *inputs) finish(lf *lock.File, lockPath string) error {
	dir := filepath.Dir(lockPath)
	r := lock.Requested{Requirements: in.packages}
	for _, f := range in.topFiles {
		rel, err := filepath.Rel(dir, f)
		if err != nil || !filepath.IsLocal(rel) {
			continue
		}
		r.Files = append(r.Files, filepath.ToSlash(rel))
	}
	if p := in.project; p != nil {
		r.Extras, r.Groups = p.Extras, p.Groups
		if rel, err := filepath.Rel(dir, p.Path); err == nil && filepath.IsLocal(rel) {
			r.Project = filepath.ToSlash(rel)
		}
	}
	lf.Requested = r
	if in.requireHashes != "" {
		return in.hashes.requireHashesLock(lf, in.requireHashes)
	}
	return nil
}

// installInputs reads the inputs of `safepip install`. Requirements given
// as arguments are added to those the existing lock was asked for (as
// `uv add` does), with its -r files when none are given; the lock's extras
// and groups stay selected unless others are. Nil inputs (and
// no error) mean the lock alone says what to install: there are no
// inputs, or there are no arguments and the lock was made from -r files
// that were not given again (a deploy image need not hold them).
func installInputs(env *Env, o *InstallOptions, lf *lock.File, lockPath string) (*inputs, error) {
	if err := checkExact(o); err != nil {
		return nil, err
	}
	given := len(o.Packages) > 0
	if o.Frozen && given {
		return nil, &InputError{Err: fmt.Errorf("--frozen installs the lock as it is, and the requirements given as arguments (%s) would change it; drop --frozen to add them to the lock", strings.Join(o.Packages, ", "))}
	}
	if lf != nil && len(o.Requirements) == 0 && len(lf.Requested.Files) > 0 {
		if len(o.Packages) == 0 && o.Project.Dir == "" && !o.Project.selects() {
			return nil, nil
		}
		for _, f := range lf.Requested.Files {
			o.Requirements = append(o.Requirements, filepath.Join(filepath.Dir(lockPath), filepath.FromSlash(f)))
		}
	}
	if lf != nil && lf.Requested.Project == "" && o.Project.Dir == "" && !o.Project.selects() {
		// a pyproject.toml beside a lock made from other inputs is not one
		// of them: reading it would relock from it and drop them
		o.skipProject = true
	}
	o.lockPath = lockPath
	if lf != nil {
		// install adds to what the lock was asked for; lock sets it
		o.Packages = slices.Concat(lf.Requested.Requirements, o.Packages)
		if !o.Project.selects() && len(o.Requirements) == 0 {
			o.Project.Extras, o.Project.Groups = lf.Requested.Extras, lf.Requested.Groups
		}
	}
	in, err := readInputs(env, o.Requirements, o.Constraints, o.Sources, o.Index)
	if err == nil && given && len(o.Requirements) == 0 && in.project == nil && lf != nil && len(lf.Packages) > 0 &&
		len(lf.Requested.Requirements) == 0 && lf.Requested.Project == "" {
		// the lock's inputs are not recorded: adding to nothing would drop them
		return nil, &InputError{Err: fmt.Errorf("%s does not record what it was locked from (requirements files outside its directory, or an older safepip); name them again with -r to add %s to them", lockPath, strings.Join(o.Packages, ", "))}
	}
	var nothing *NothingToLockError
	switch {
	case errors.As(err, &nothing) && lf != nil:
		return nil, nil
	case errors.As(err, &nothing) && o.Frozen:
		return nil, &StaleError{Path: lockPath, Reason: "there is no lock"}
	}
	return in, err
}

// projectNotes says that the project itself is not installed when there
// is nothing to build, unless --no-project asked for that.
func (in *inputs) projectNotes(o ProjectOptions) []string {
	if in.project == nil || o.NoProject || in.project.Name == "" || in.project.buildable {
		return nil
	}
	return []string{fmt.Sprintf("the project %s itself is not installed, only its dependencies: %s has no [build-system] table and there is no setup.py beside it, so there is nothing to build; add [build-system] to install it, or pass --no-project to say you do not want it", in.project.Name, relSource(in.wd, in.project.Path))}
}
