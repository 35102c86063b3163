package project

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/reqfile"
	"github.com/safepip/safepip/resolver"
)

// hashLine is a requirement or constraint line with --hash options: the
// project may only come from a file with one of its hashes.
type hashLine struct {
	source string // file:line
	text   string
	spec   pep440.SpecifierSet // the versions the line constrains
	hashes []reqfile.Hash
}

// hashConstraints are the hashed lines of the inputs, by normalized
// project name. A file is allowed when some hashed line of its project
// accepts its version, and it matches one hash of every line that does
// (pip intersects a requirement's and its constraints' hashes the same
// way). Lines for other versions, such as "x==1.0 ; python_version <
// '3.9'" beside "x==2.0 ; ...", leave its files alone.
type hashConstraints map[string][]hashLine

func (h hashConstraints) add(r reqfile.Requirement) {
	if len(r.Hashes) == 0 || r.Req == nil {
		return
	}
	name := pep508.NormalizeName(r.Req.Name)
	h[name] = append(h[name], hashLine{source: r.Source.String(), text: r.Text, spec: r.Req.Specifier, hashes: r.Hashes})
}

// canonical is the constraints in a normal form for the inputs digest: a
// changed hash makes the lock stale.
func (h hashConstraints) canonical() []byte {
	var lines []string
	for name, ls := range h {
		for _, l := range ls {
			hs := make([]string, len(l.hashes))
			for i, x := range l.hashes {
				hs[i] = x.String()
			}
			slices.Sort(hs)
			lines = append(lines, name+" "+strings.Join(slices.Compact(hs), ","))
		}
	}
	slices.Sort(lines)
	return []byte(strings.Join(slices.Compact(lines), "\n"))
}

// accepts reports whether some hashed line of name accepts version v:
// a version none does is no candidate, and its files are never hashed.
func (h hashConstraints) accepts(name string, v pep440.Version) bool {
	return slices.ContainsFunc(h[name], func(l hashLine) bool { return l.spec.Contains(v, pep440.PrereleasesAllow) })
}

// allows reports whether a file of version v with these digests
// (algorithm -> hex) satisfies the hashed lines of its project.
func (h hashConstraints) allows(name string, v pep440.Version, digests map[string]string) bool {
	if !h.accepts(name, v) {
		return false
	}
	for _, l := range h[name] {
		if l.spec.Contains(v, pep440.PrereleasesAllow) &&
			!slices.ContainsFunc(l.hashes, func(x reqfile.Hash) bool { return digests[x.Algorithm] == x.Digest }) {
			return false
		}
	}
	return true
}

// algorithms are the hash algorithms the lines of name use.
func (h hashConstraints) algorithms(name string) []string {
	var out []string
	for _, l := range h[name] {
		for _, x := range l.hashes {
			if !slices.Contains(out, x.Algorithm) {
				out = append(out, x.Algorithm)
			}
		}
	}
	return out
}

// HashError is a project none of whose files has a hash its requirement
// lines allow: the index serves other bytes than the user pinned
// (exit status 1, as for any hash mismatch).
type HashError struct {
	Project string
	Index   string
	Lines   []string // "file:line: text"
	Wanted  []string // "sha256:<hex>"
	Have    []string // "<file name> sha256:<hex>", of the versions the lines accept
	// InLock says the file is one the lock holds (install), not one an
	// index serves (lock).
	InLock bool
}

func (e *HashError) Error() string {
	var b strings.Builder
	if e.InLock {
		fmt.Fprintf(&b, "%s: the file the lock holds for %s has no hash this line allows; nothing was installed", strings.Join(e.Lines, "; "), e.Project)
	} else {
		fmt.Fprintf(&b, "%s: no file of %s on index %q has a hash its requirement allows; nothing was locked or installed", strings.Join(e.Lines, "; "), e.Project, e.Index)
	}
	for _, w := range e.Wanted {
		b.WriteString("\n    wanted:    " + w)
	}
	if len(e.Have) == 0 {
		b.WriteString("\n    index has: no file of a version the line accepts")
	}
	for _, x := range e.Have {
		if e.InLock {
			b.WriteString("\n    lock has:  " + x)
		} else {
			b.WriteString("\n    index has: " + x)
		}
	}
	if e.InLock {
		b.WriteString("\nhint: the lock was edited by hand or written from other requirements: review its diff, then run `safepip lock` to rewrite it from your requirements")
	} else {
		b.WriteString("\nhint: the index serves other bytes than the ones you pinned: find out why before changing the --hash; if the new file is trusted, replace the hash on that line")
	}
	return b.String()
}

// hashedSource restricts each hashed project's page to the files that
// match its lines, so the resolver never sees another file: a version with
// no such file is no candidate, and the lock records only allowed files.
type hashedSource struct {
	resolver.Source
	hashes hashConstraints
	cfg    *config.Config
	client *index.Client
}

// source wraps src; with no hashed line it returns src itself.
func (h hashConstraints) source(src resolver.Source, cfg *config.Config, client *index.Client) resolver.Source {
	if len(h) == 0 {
		return src
	}
	return &hashedSource{Source: src, hashes: h, cfg: cfg, client: client}
}

// Project returns name's page with only the files its hashed lines allow.
// The page below is memoized, and nearly every index gives each file's
// sha256, so filtering again is cheap; only a file without the digest a
// line uses (a --find-links directory, a sha512-only line) is downloaded
// to hash it.
func (s *hashedSource) Project(ctx context.Context, name string) (*index.Project, error) {
	p, err := s.Source.Project(ctx, name)
	if err != nil || len(s.hashes[p.Name]) == 0 || p.Index == resolver.DirectIndex {
		// a direct URL's file was already checked against its own hash
		return p, err
	}
	algos := s.hashes.algorithms(p.Name)
	q := *p
	q.Files = nil
	var have []string
	for _, f := range p.Files {
		v, ok := fileVersion(f)
		if !ok || !s.hashes.accepts(p.Name, v) {
			continue // no line wants this version: not a candidate, not hashed
		}
		digests, err := s.digests(ctx, p, f, algos)
		if err != nil {
			return nil, err
		}
		if s.hashes.allows(p.Name, v, digests) {
			q.Files = append(q.Files, f)
		} else {
			have = append(have, f.Filename+" sha256:"+digests["sha256"])
		}
	}
	if len(q.Files) == 0 {
		e := &HashError{Project: p.Name, Index: p.Index, Have: have}
		for _, l := range s.hashes[p.Name] {
			e.Lines = append(e.Lines, fmt.Sprintf("%s: %q", l.source, l.text))
			for _, x := range l.hashes {
				e.Wanted = append(e.Wanted, x.String())
			}
		}
		return nil, e
	}
	return &q, nil
}

// fileVersion is the version in f's name, which the index parsed.
func fileVersion(f index.File) (pep440.Version, bool) {
	switch {
	case f.Wheel != nil:
		return f.Wheel.Version, true
	case f.Sdist != nil:
		return f.Sdist.Version, true
	}
	return pep440.Version{}, false
}

// digests returns f's digests for algos: from the page when it has them,
// else by downloading the file and hashing it, as pip would.
func (s *hashedSource) digests(ctx context.Context, p *index.Project, f index.File, algos []string) (map[string]string, error) {
	out := map[string]string{}
	missing := false
	for _, a := range append(algos, "sha256") {
		if d, ok := f.Hashes[a]; ok {
			out[a] = d
		} else {
			missing = true
		}
	}
	if !missing {
		return out, nil
	}
	x, ok := s.cfg.Index(p.Index)
	if !ok {
		return nil, fmt.Errorf("internal error: %s comes from unknown index %q", p.Name, p.Index)
	}
	hs := map[string]hash.Hash{"sha256": sha256.New(), "sha384": sha512.New384(), "sha512": sha512.New()}
	ws := make([]io.Writer, 0, len(hs))
	for _, h := range hs {
		ws = append(ws, h)
	}
	if _, err := s.client.Download(ctx, resolver.ClientIndex(x), f, io.MultiWriter(ws...)); err != nil {
		return nil, err
	}
	for a, h := range hs {
		out[a] = hex.EncodeToString(h.Sum(nil))
	}
	return out, nil
}

// requireHashesLine is pip's --require-hashes for one line: a requirement
// without a hash is an input error naming it and where the mode was
// turned on (why).
func requireHashesLine(r reqfile.Requirement, why string) error {
	if len(r.Hashes) > 0 || r.Constraint || r.Req != nil && r.Req.URL != "" {
		return nil
	}
	return &InputError{Err: fmt.Errorf("%s: %q: --require-hashes is on (%s) and this line has no --hash; add --hash=sha256:<hex> of the file you trust (pip-compile --generate-hashes writes them)", r.Source, r.Text, why)}
}

// requireHashesLock checks, in --require-hashes mode, that every locked
// project has a hashed line, as pip requires of every distribution it
// installs in that mode.
func (h hashConstraints) requireHashesLock(lf *lock.File, why string) error {
	for _, p := range lf.Packages {
		if p.URL != "" || len(h[p.Name]) > 0 {
			continue
		}
		return &InputError{Err: fmt.Errorf("--require-hashes is on (%s) and %s %s (required by %s) has no hashed line; add \"%s==%s --hash=sha256:<hex>\" to your requirements, as pip requires in that mode",
			why, p.Name, p.Version, strings.Join(p.RequiredBy, ", "), p.Name, p.Version)}
	}
	return nil
}

// unwrapHashError returns the *HashError inside a resolver error, which
// names its lines itself, or err.
func unwrapHashError(err error) error {
	var he *HashError
	if errors.As(err, &he) {
		return he
	}
	return err
}

// checkChosen checks the files install chose from the lock against the
// user's sha256 --hash options: a lock edited by hand, or written from
// other inputs, cannot slip another file past them. A nil in (the lock
// alone) checks nothing.
func (in *inputs) checkChosen(choices []install.Choice) error {
	if in == nil {
		return nil
	}
	for _, c := range choices {
		name := c.Package.Name
		v, err := pep440.Parse(c.Package.Version)
		if err != nil || len(in.hashes[name]) == 0 {
			continue
		}
		for _, l := range in.hashes[name] {
			if !l.spec.Contains(v, pep440.PrereleasesAllow) {
				continue
			}
			var wanted []string
			for _, x := range l.hashes {
				if x.Algorithm == "sha256" {
					wanted = append(wanted, x.String())
				}
			}
			if len(wanted) == 0 || slices.Contains(wanted, "sha256:"+c.File.SHA256) {
				continue
			}
			return &HashError{Project: name, Index: c.Package.Index, Lines: []string{fmt.Sprintf("%s: %q", l.source, l.text)}, Wanted: wanted,
				Have: []string{c.File.Name + " sha256:" + c.File.SHA256}, InLock: true}
		}
	}
	return nil
}
