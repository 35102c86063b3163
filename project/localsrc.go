package project

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/reqfile"
	"github.com/safepip/safepip/resolver"
	"github.com/safepip/safepip/vcs"
)

// localReq is a requirement for a source tree of the user's: a local
// directory ("-e .", "./libs/a", "name @ file:///abs/dir", the project's own
// pyproject.toml) or a commit of a git repository ("name @ git+...@COMMIT").
// Its dependencies are resolved and routed like any other; the tree itself
// is the user's code, so the lock records where it is, not a hash of it.
type localReq struct {
	Where    string      // "requirements.txt:3" (or "pyproject.toml", "command line argument:1")
	Text     string      // as written
	Dir      string      // absolute source directory ("" for Git until checked out)
	Git      *vcs.GitRef // nil for a directory
	Editable bool
	Extras   []string // normalized, sorted
	Marker   *pep508.Marker
	Name     string // normalized, when the line states it (#egg=, "name @"), else ""
}

// parseLocal returns the localReq of a requirement line that names a
// source tree, or nil when the line is something else (a name, an archive
// URL or path, which add handles). wd is the working directory: pip
// resolves a relative path in a requirements file against the working
// directory, not against the file's directory (unlike -r), and so does
// safepip, so that the same line means the same tree to both.
func parseLocal(r reqfile.Requirement, where, wd string) (*localReq, error) {
	l := &localReq{Where: where, Text: redactText(r.Text), Editable: r.Editable, Name: r.Name}
	loc := r.Location
	switch {
	case r.Kind == reqfile.KindName && r.Req.URL == "":
		return nil, nil
	case r.Kind == reqfile.KindName:
		loc, l.Marker, l.Name = r.Req.URL, r.Req.Marker, pep508.NormalizeName(r.Req.Name)
		l.Extras = normalizedExtras(r.Req.Extras)
	default:
		l.Marker, l.Extras = r.Marker, normalizedExtras(r.Extras)
	}
	scheme, _, _ := strings.Cut(strings.ToLower(loc), ":")
	switch {
	case strings.HasPrefix(scheme, "git+"):
		ref, err := vcs.ParseGit(loc)
		if err != nil {
			return nil, err
		}
		l.Git = &ref
		return l, nil
	case strings.HasPrefix(scheme, "hg+") || strings.HasPrefix(scheme, "svn+") || strings.HasPrefix(scheme, "bzr+"):
		return nil, fmt.Errorf("only git repositories are supported (git+https://host/repo.git@<commit>); %s is not", scheme)
	case r.Kind == reqfile.KindPath:
		if isArchiveName(loc) {
			return nil, nil
		}
		l.Dir = loc
		if !filepath.IsAbs(loc) {
			l.Dir = filepath.Join(wd, filepath.FromSlash(loc))
		}
		if _, err := os.Stat(l.Dir); err != nil && strings.Contains(loc, " @ ") {
			hint := "write \"name @ file:///abs/dir\" for a directory"
			if strings.Contains(loc, "git+file:") {
				hint = "pip 23.2.1 refuses a git+file URL after \"name @\" (it wants a host there): write the URL alone with #egg=name, as in git+file:///abs/repo@<commit>#egg=name"
			}
			return nil, fmt.Errorf("not a valid requirement (the URL after \"name @\" needs a scheme and a host), and no directory of that name exists; %s", hint)
		}
	case scheme == "file":
		dir, err := fileURLPath(loc)
		if err != nil {
			return nil, err
		}
		if isArchiveName(dir) {
			return nil, nil
		}
		l.Dir = dir
	default:
		return nil, nil
	}
	l.Dir = filepath.Clean(l.Dir)
	return l, checkProjectDir(l.Dir)
}

// redactText is a requirement's text with the user information of each
// URL in it replaced by "***", for messages.
func redactText(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		words[i] = config.RedactURL(w)
	}
	return strings.Join(words, " ")
}

// checkProjectDir checks that dir is a directory pip could build: one
// with a pyproject.toml or a setup.py.
func checkProjectDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: no such directory", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is a file, not a project directory; a distribution file needs a name and a hash: \"name @ file:///abs/x.whl#sha256=...\"", dir)
	}
	for _, f := range []string{"pyproject.toml", "setup.py"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s has neither pyproject.toml nor setup.py, so there is no project to build there", dir)
}

// fileURLPath is the local path of a file: URL ("file:///abs/dir").
func fileURLPath(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Host != "" && u.Host != "localhost") || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "", fmt.Errorf("a file URL names an absolute path of this machine: write file:///abs/path (or a relative path such as ./pkg without file:)")
	}
	p := filepath.FromSlash(u.Path)
	if filepath.VolumeName(p[1:]) != "" { // file:///C:/x on Windows
		p = p[1:]
	}
	return p, nil
}

// isArchiveName reports whether a path ends as a distribution archive:
// those stay direct files (a wheel or an sdist with its hash).
func isArchiveName(s string) bool {
	s = strings.ToLower(s)
	for _, ext := range []string{".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar", ".tar.xz"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}

func normalizedExtras(extras []string) []string {
	var out []string
	for _, x := range extras {
		out = append(out, pep508.NormalizeExtra(x))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// lockSource is the lock's Source for a local requirement, Path relative
// to lockDir in slash form, a repository without credentials.
func (l localReq) lockSource(lockDir string) (*lock.Source, error) {
	if l.Git != nil {
		return &lock.Source{Git: l.Git.PublicRepo(), Commit: l.Git.Commit, Subdirectory: l.Git.Subdirectory}, nil
	}
	rel, err := relativeDir(lockDir, l.Dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %q: %w", l.Where, l.Text, err)
	}
	return &lock.Source{Path: rel, Editable: l.Editable}, nil
}

// relativeDir is dir relative to base in slash form ("." for base
// itself): a lock never records an absolute path of this machine.
func relativeDir(base, dir string) (string, error) {
	if b, err := filepath.EvalSymlinks(base); err == nil {
		base = b
	}
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	rel, err := filepath.Rel(base, dir)
	if err != nil || filepath.IsAbs(rel) {
		return "", fmt.Errorf("%s cannot be written relative to the lock's directory %s (another drive?); keep the project and the lock on one volume", dir, base)
	}
	return filepath.ToSlash(rel), nil
}

// key is the local requirement as the inputs digest takes it: where the
// tree is (relative to the lock) and how it is asked for, but not what it
// holds, which the user changes all day without relocking.
func (l localReq) key(lockDir string) string {
	marker := ""
	if l.Marker != nil {
		marker = l.Marker.String()
	}
	where := ""
	if l.Git != nil {
		where = fmt.Sprintf("git=%s commit=%s subdirectory=%s", l.Git.PublicRepo(), l.Git.Commit, l.Git.Subdirectory)
	} else if rel, err := relativeDir(lockDir, l.Dir); err == nil {
		where = "path=" + rel
	} else {
		where = "path=" + filepath.ToSlash(l.Dir)
	}
	// not l.Name: addLocals fills it in from the tree, and install
	// computes the digest without reading the trees
	return fmt.Sprintf("local %s editable=%v extras=%s marker=%s", where, l.Editable, strings.Join(l.Extras, ","), marker)
}

// localParts is the inputs digest's part for the local requirements: none
// when there are none, so that other locks keep their digest.
func (in *inputs) localParts() [][]byte {
	if len(in.local) == 0 {
		return nil
	}
	var keys []string
	for _, l := range in.local {
		keys = append(keys, l.key(in.lockDir))
	}
	slices.Sort(keys)
	return [][]byte{[]byte(strings.Join(slices.Compact(keys), "\n"))}
}

// treeMetadataFunc reads the core metadata of a source tree (HC's
// (*builds).treeMetadata).
type treeMetadataFunc func(ctx context.Context, dir, where string) (*metadata.Metadata, error)

// addLocals makes the local requirements resolvable: it checks out each
// git commit (into the cache's git/ directory), reads each tree's metadata
// through meta (HC's b.treeMetadata), checks the name a line states
// against it, adds each project to src as a local one, and sets
// in.localRoots to the requirements that ask for them. Those stay out of
// in.reqs: the inputs digest must not depend on what the trees hold, and
// install computes it without reading them; the resolution takes
// in.roots(). The same project named twice must come from one source.
func (in *inputs) addLocals(ctx context.Context, env *Env, meta treeMetadataFunc, src *resolver.RoutedSource) error {
	in.localRoots = nil
	byName := map[string]int{}
	for i := range in.local {
		l := &in.local[i]
		if l.Git != nil && l.Dir == "" {
			dir, err := vcs.Checkout(ctx, *l.Git, gitCacheDir(env))
			if err != nil {
				return fmt.Errorf("%s: %w", l.Where, err)
			}
			l.Dir = dir
		}
		md, err := meta(ctx, l.Dir, l.Where)
		if err != nil {
			return err
		}
		name := pep508.NormalizeName(md.Name)
		if l.Name != "" && l.Name != name {
			return &InputError{Err: fmt.Errorf("%s: %q names the project %s, but the source tree is the project %s; fix the name on the line", l.Where, l.Text, l.Name, md.Name)}
		}
		l.Name = name
		if j, ok := byName[name]; ok {
			other := in.local[j]
			a, _ := other.lockSource(in.lockDir)
			b, _ := l.lockSource(in.lockDir)
			if a == nil || b == nil || *a != *b {
				return &InputError{Err: fmt.Errorf("%s: %q and %s: %q both ask for the project %s from different sources; keep one", other.Where, other.Text, l.Where, l.Text, name)}
			}
		} else {
			byName[name] = i
			src.AddLocal(name, md)
		}
		in.localRoots = append(in.localRoots, pep508.Requirement{Name: name, Extras: l.Extras, Marker: l.Marker})
	}
	return nil
}

// roots are the requirements a resolution starts from: the user's and
// those of the local projects (addLocals).
func (in *inputs) roots() []pep508.Requirement {
	return slices.Concat(in.reqs, in.localRoots)
}

// localFor is the local requirement of the resolved local project name
// (normalized), its Dir the tree (checked out, for git); nil for none.
func (in *inputs) localFor(name string) *localReq {
	for i := range in.local {
		if in.local[i].Name == name {
			return &in.local[i]
		}
	}
	return nil
}

// gitCacheDir is where git checkouts are kept: safepip's cache, or the
// system's temporary directory when there is none.
func gitCacheDir(env *Env) string {
	if env.CacheDir != "" {
		return env.CacheDir
	}
	return filepath.Join(os.TempDir(), "safepip")
}

// sourceDir is the directory of a locked source tree: Path joined to the
// lock's directory, or the checkout of Git at Commit. The credentials of a
// git URL come from the requirement that gave it when it is among the
// inputs (in may be nil): the lock holds none.
func sourceDir(ctx context.Context, env *Env, in *inputs, lockPath string, s *lock.Source) (string, error) {
	if s.Git == "" {
		dir := filepath.Join(filepath.Dir(lockPath), filepath.FromSlash(s.Path))
		if err := checkProjectDir(dir); err != nil {
			return "", &InputError{Err: fmt.Errorf("%s: source path %q: %w", lockPath, s.Path, err)}
		}
		return dir, nil
	}
	return vcs.Checkout(ctx, gitRefFor(in, s), gitCacheDir(env))
}

// gitRefFor is the checkout of a locked git source, with the credentials
// of the input line that names the same repository and commit, if any.
func gitRefFor(in *inputs, s *lock.Source) vcs.GitRef {
	ref := vcs.GitRef{Repo: s.Git, Commit: s.Commit, Subdirectory: s.Subdirectory}
	if in != nil {
		for _, l := range in.local {
			if l.Git != nil && l.Git.PublicRepo() == s.Git && l.Git.Commit == s.Commit {
				ref.Repo = l.Git.Repo
			}
		}
	}
	return ref
}

// withoutProject drops the project's own editable source from choices when
// --no-project asks for that: the lock keeps it either way (a lock does
// not depend on how it is installed).
func withoutProject(lf *lock.File, choices []install.Choice, noProject bool) []install.Choice {
	if !noProject || lf.Requested.Project == "" {
		return choices
	}
	dir := filepath.ToSlash(filepath.Dir(filepath.FromSlash(lf.Requested.Project)))
	return slices.DeleteFunc(slices.Clone(choices), func(c install.Choice) bool {
		s := c.Package.Source
		return s != nil && s.Git == "" && s.Path == dir
	})
}
