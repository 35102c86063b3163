// Package project runs safepip's workflows (lock, install, verify), wiring
// the configuration, the index client, the resolver, the lock and the
// installer. It does no terminal output: commands get results and errors
// back, and cmd/safepip prints them.
package project

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/reqfile"
)

// Env is what a workflow may use of the process it runs in.
type Env struct {
	Dir       string                      // the working directory
	Getenv    func(string) (string, bool) // environment variables
	CacheDir  string                      // safepip's cache; "" keeps nothing
	NetrcPath string                      // "" for none
	Now       func() time.Time
	// Logf receives progress and notes, one line each; nil discards them.
	Logf func(format string, args ...any)
	// Progress receives pip's output as it runs; nil keeps it quiet.
	Progress io.Writer
	// Status shows a one-line progress report, replacing the previous
	// one ("" clears it); nil for none (no terminal, --quiet, --json).
	Status func(line string)
	// Network holds the command line's network settings (network.go).
	Network Network

	// sitePrefix is the sys.prefix of the interpreter pip would run in:
	// its pip.conf is pip's site file; "": $VIRTUAL_ENV (pipconf.go).
	sitePrefix string
}

// statusTicker shows line() every 100ms until the returned stop is called.
func (e *Env) statusTicker(line func() string) (stop func()) {
	if e.Status == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				e.Status("")
				return
			case <-t.C:
				e.Status(line())
			}
		}
	}()
	return func() { close(done); <-finished }
}

func (e *Env) logf(format string, args ...any) {
	if e.Logf != nil {
		e.Logf(format, args...)
	}
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Env) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(e.Dir, p)
}

// InputError is malformed or unsupported input: exit status 2.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// inputs are the user's requirements and the configuration they imply.
type inputs struct {
	reqs        []pep508.Requirement
	constraints []pep508.Requirement
	pre         bool
	cfg         *config.Config
	files       []string              // every requirements file read
	direct      map[string]index.File // "name @ url" requirements, by normalized name
	warnings    []string              // what pip would have ignored silently
	// hashes are the --hash options of requirement and constraint lines,
	// which restrict their projects' files (hashes.go).
	hashes        hashConstraints
	requireHashes string       // where --require-hashes was turned on; "" when off
	project       *ProjectInfo // the pyproject.toml read; nil for none
	packages      []string     // the positional requirements, canonical
	topFiles      []string     // the -r files given, absolute
	// local are the requirements for source trees: local directories,
	// editables, git commits and the project itself (localsrc.go).
	local      []localReq
	localRoots []pep508.Requirement // the requirements for them, once read (addLocals)
	// wd is the working directory, against which pip resolves the
	// relative paths of requirement lines; lockDir is the lock's
	// directory, against which the lock and the digest record them.
	wd, lockDir string
}

// readInputs reads requirement and constraint files and merges the
// configuration file, their index options and the flags.
func readInputs(env *Env, reqFiles, constraintFiles []string, src Sources, flags config.Flags) (*inputs, error) {
	in := &inputs{hashes: hashConstraints{}, wd: env.Dir, lockDir: env.Dir}
	if src.lockPath != "" {
		in.lockDir = filepath.Dir(env.abs(src.lockPath))
	}
	if src.RequireHashes {
		in.requireHashes = "the --require-hashes flag"
	}
	var idxOpts []config.IndexOption
	var lines []reqfile.Requirement // every requirement line, for --require-hashes
	pc, err := readPipConf(env)
	if err != nil {
		return nil, err
	}
	// PIP_PRE and PIP_REQUIRE_HASHES mean --pre and --require-hashes.
	in.pre = pc.pip.Pre != nil
	if in.requireHashes == "" && pc.pip.RequireHashes != nil {
		in.requireHashes = pc.pip.RequireHashes.Source
	}
	constraintFiles = pc.constraintFiles(constraintFiles)
	reqFiles, constraintFiles = uniqueFiles(env, reqFiles), uniqueFiles(env, constraintFiles)
	for _, f := range reqFiles {
		in.topFiles = append(in.topFiles, env.abs(f))
	}
	read := func(name string, constraint bool) error {
		path := env.abs(name)
		f, err := readReqFile(env, name)
		if err != nil {
			return err
		}
		in.files = append(in.files, f.Files...)
		for _, w := range f.Warnings {
			in.warnings = append(in.warnings, w.String())
		}
		for _, r := range f.Requirements {
			r.Constraint = constraint || r.Constraint
			if err := in.add(r, r.Constraint); err != nil {
				return &InputError{Err: err}
			}
			lines = append(lines, r)
		}
		idxOpts = append(idxOpts, reqIndexOptions(f, filepath.Dir(path))...)
		pc.addFormatControl(f.Options)
		if f.Options.Pre != nil {
			in.pre = true
		}
		if o := f.Options.RequireHashes; o != nil && !src.RequireHashes {
			in.requireHashes = o.Source.String() // a file's option wins over pip's configuration
		}
		return nil
	}
	for _, f := range reqFiles {
		if err := read(f, false); err != nil {
			return nil, err
		}
	}
	for _, f := range constraintFiles {
		if err := read(f, true); err != nil {
			return nil, err
		}
	}
	if err := in.addSources(env, src, len(reqFiles) > 0, &lines); err != nil {
		return nil, err
	}
	if in.cfg, err = loadConfig(env, pc, idxOpts, flags); err != nil {
		return nil, err
	}
	return in, nil
}

func (in *inputs) add(r reqfile.Requirement, constraint bool) error {
	where := r.Source.String()
	if r.Source.Line == 0 { // pyproject.toml: the file and key
		where = r.Source.File
	}
	in.hashes.add(r)
	l, err := parseLocal(r, where, in.wd)
	if err != nil {
		return fmt.Errorf("%s: %q: %w", where, redactText(r.Text), err)
	}
	if l != nil {
		if constraint {
			return fmt.Errorf("%s: %q: a constraint cannot be a local directory or a git URL; write the requirement in a requirements file (-r)", where, l.Text)
		}
		if l.Git == nil && r.Source.File == positionalSource {
			// the lock records its arguments as written ([requested]),
			// and a file URL is an absolute path of this machine
			return fmt.Errorf("%s: %q: a directory given as an argument would be recorded in the lock by its absolute path; name it in a requirements file instead (-r), as ./dir or -e ./dir relative to the working directory", where, l.Text)
		}
		if l.Git != nil && l.Editable {
			// pip's editable clone lives in ./src for the user to edit;
			// safepip's checkout is a cache entry keyed by its commit
			l.Editable = false
			in.warnings = append(in.warnings, fmt.Sprintf("%s: %q: a git commit is installed as a regular (not editable) wheel; to edit the project, clone it and write -e ./path", where, l.Text))
		}
		in.local = append(in.local, *l)
		return nil
	}
	switch {
	case r.Editable:
		return fmt.Errorf("%s: %q: an editable requirement is a local project directory or a git URL pinned to a commit", where, redactText(r.Text))
	case r.Req == nil:
		return fmt.Errorf("%s: %q: a distribution file needs a name and its hash: write \"name @ file:///abs/path/to/file#sha256=<hex>\", or publish it to an index declared in safepip.toml", where, redactText(r.Text))
	case r.Req.URL != "":
		if constraint {
			return fmt.Errorf("%s: %q: a constraint cannot be a URL", where, redactText(r.Text))
		}
		f, err := directFile(r)
		if err != nil {
			return fmt.Errorf("%s: %q: %w", where, redactText(r.Text), err)
		}
		if in.direct == nil {
			in.direct = map[string]index.File{}
		}
		in.direct[pep508.NormalizeName(r.Req.Name)] = f
	}
	if constraint {
		in.constraints = append(in.constraints, *r.Req)
	} else {
		in.reqs = append(in.reqs, *r.Req)
	}
	return nil
}

// directFile is the file a "name @ url" requirement names, with the
// sha256 that must come with it (a #sha256= fragment or --hash): a URL
// without a hash could serve anything, and the lock would record it.
func directFile(r reqfile.Requirement) (index.File, error) {
	u, err := url.Parse(r.Req.URL)
	if err != nil {
		return index.File{}, err
	}
	sum := ""
	if algo, digest, ok := strings.Cut(u.Fragment, "="); ok && algo == "sha256" {
		sum = strings.ToLower(digest)
	}
	for _, h := range r.Hashes {
		if h.Algorithm == "sha256" {
			if sum != "" && sum != h.Digest {
				return index.File{}, fmt.Errorf("the #sha256= fragment and --hash disagree")
			}
			sum = h.Digest
		}
	}
	if len(sum) != 64 {
		return index.File{}, fmt.Errorf("a direct URL requirement needs its sha256: add #sha256=<hex> to the URL or --hash=sha256:<hex> to the line")
	}
	u.Fragment = ""
	name := path.Base(u.Path)
	if name == "" || name == "/" || name == "." {
		return index.File{}, fmt.Errorf("the URL does not end in a file name")
	}
	return index.File{Filename: name, URL: u.String(), Hashes: map[string]string{"sha256": sum}}, nil
}

// digest is the lock's inputs digest: requirements, constraints, the
// configuration and --pre, each in a normal form.
func (in *inputs) digest(pre bool) string {
	parts := [][]byte{canonicalReqs(in.reqs), canonicalReqs(in.constraints), in.cfg.Canonical(), []byte(fmt.Sprint(pre || in.pre))}
	return lock.Digest(append(parts, in.sourceParts()...)...)
}

// canonicalReqs returns the requirements in a stable normal form for the
// lock's inputs digest: order and spelling do not count.
func canonicalReqs(reqs []pep508.Requirement) []byte {
	lines := make([]string, len(reqs))
	for i, r := range reqs {
		extras := make([]string, len(r.Extras))
		for j, x := range r.Extras {
			extras[j] = pep508.NormalizeExtra(x)
		}
		slices.Sort(extras)
		marker := ""
		if r.Marker != nil {
			marker = r.Marker.String()
		}
		lines[i] = fmt.Sprintf("%s[%s]%s@%s;%s", pep508.NormalizeName(r.Name), strings.Join(extras, ","), r.Specifier, r.URL, marker)
	}
	slices.Sort(lines)
	return []byte(strings.Join(slices.Compact(lines), "\n")) // a set: a line twice counts once
}

// reqIndexOptions are the index options of a requirements file in dir, as
// config takes them, each with its file and line: what lock, install and
// audit all see.
func reqIndexOptions(f *reqfile.File, dir string) []config.IndexOption {
	o := f.Options
	var out []config.IndexOption
	if o.IndexURL != nil {
		out = append(out, config.IndexOption{Name: "--index-url", Value: o.IndexURL.Value, Source: o.IndexURL.Source.String(), Dir: dir})
	}
	for _, s := range o.ExtraIndexURLs {
		out = append(out, config.IndexOption{Name: "--extra-index-url", Value: s.Value, Source: s.Source.String(), Dir: dir})
	}
	for _, s := range o.FindLinks {
		out = append(out, config.IndexOption{Name: "--find-links", Value: s.Value, Source: s.Source.String(), Dir: dir})
	}
	if o.NoIndex != nil {
		out = append(out, config.IndexOption{Name: "--no-index", Source: o.NoIndex.Source.String(), Dir: dir})
	}
	return out
}
