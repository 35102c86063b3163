package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/reqfile"
)

// Policy is the [policy] table.
type Policy struct {
	// AllowSdist lists the projects that may be installed from an sdist;
	// wheels only by default.
	AllowSdist NameSet
	// ExcludeNewer ignores files uploaded after it; zero: no cut-off.
	ExcludeNewer time.Time
	// MinReleaseAge ignores files younger than it; zero: no minimum.
	MinReleaseAge time.Duration
	// Attestations is the PEP 740 verification mode (zero value: Verify).
	Attestations AttestationMode
	// RequireAttestations lists projects (normalized) whose files must carry
	// verified attestations, whatever the mode.
	RequireAttestations []string
	// TrustedRoot is the path of a Sigstore trusted root file, resolved
	// against the configuration file's directory; "": the public-good root.
	TrustedRoot string
	// Publishers pins a publisher per project (normalized name).
	Publishers map[string]Publisher
	// BuildConstraints is a constraints file (pip's -c format) that
	// constrains every resolution of build dependencies, resolved against
	// the configuration file's directory; "": none.
	BuildConstraints string
	// NoBuildIsolation lists the projects (normalized, sorted) built in the
	// target environment itself, with whatever it holds, instead of a
	// fresh environment of locked build dependencies: the unsafe escape
	// for the rare package whose build needs the target's own packages.
	NoBuildIsolation []string

	trustedRootWritten string // as written, for Canonical
	// BuildConstraintsWritten is build-constraints as written, for the
	// lock's inputs digest: the checkout's location does not count.
	BuildConstraintsWritten string
}

// BuildIsolated reports whether project is built in a fresh environment
// of its locked build dependencies (see NoBuildIsolation).
func (p Policy) BuildIsolated(project string) bool {
	return !slices.Contains(p.NoBuildIsolation, pep508.NormalizeName(project))
}

// SdistAllowed reports whether project may be installed from an sdist.
func (p Policy) SdistAllowed(project string) bool { return p.AllowSdist.Has(project) }

// AttestationRequired reports whether project's files must carry verified
// attestations.
func (p Policy) AttestationRequired(project string) bool {
	return p.Attestations == Require || slices.Contains(p.RequireAttestations, pep508.NormalizeName(project))
}

// Cutoff returns the upload-time cut-off at now: the earlier of
// ExcludeNewer and now-MinReleaseAge; false when neither is set.
func (p Policy) Cutoff(now time.Time) (time.Time, bool) {
	var t time.Time
	if p.MinReleaseAge > 0 {
		t = now.Add(-p.MinReleaseAge)
	}
	if !p.ExcludeNewer.IsZero() && (t.IsZero() || p.ExcludeNewer.Before(t)) {
		t = p.ExcludeNewer
	}
	return t, !t.IsZero()
}

// AttestationMode says which PEP 740 attestations are verified.
type AttestationMode int

const (
	// Verify verifies attestations when the index serves them (the default).
	Verify AttestationMode = iota
	// Off skips attestations, except for Policy.RequireAttestations.
	Off
	// Require fails any file without verified attestations.
	Require
)

// String returns the mode as written in safepip.toml.
func (m AttestationMode) String() string {
	switch m {
	case Off:
		return "off"
	case Require:
		return "require"
	}
	return "verify"
}

// NameSet is a set of normalized project names, or every project.
type NameSet struct {
	All   bool
	Names []string // normalized, sorted
	// Except are the projects All leaves out (normalized, sorted): pip's
	// --only-binary names under allow-sdist = true.
	Except []string
}

// Has reports whether project (any spelling) is in s.
func (s NameSet) Has(project string) bool {
	if s.All {
		_, out := slices.BinarySearch(s.Except, pep508.NormalizeName(project))
		return !out
	}
	_, ok := slices.BinarySearch(s.Names, pep508.NormalizeName(project))
	return ok
}

// without returns s less the names given (normalized, or ":all:", which
// leaves nothing).
func (s NameSet) without(names []string) NameSet {
	if len(names) == 0 {
		return s
	}
	if slices.Contains(names, ":all:") {
		return NameSet{}
	}
	if s.All {
		s.Except = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(s.Except), names...))))
		return s
	}
	s.Names = slices.DeleteFunc(slices.Clone(s.Names), func(n string) bool { return slices.Contains(names, n) })
	return s
}

// withFormat returns s as pip's format control f changes it: a project
// --only-binary names loses its sdist, one --no-binary names gains it,
// with pip's precedence (FormatControl.get_allowed_formats): a name
// before ":all:", --only-binary before --no-binary.
func (s NameSet) withFormat(f reqfile.FormatControl[PipValue]) NameSet {
	names := func(m map[string]PipValue) []string {
		var out []string
		for n := range m {
			if n != ":all:" {
				out = append(out, n)
			}
		}
		slices.Sort(out)
		return out
	}
	only, no := names(f.OnlyBinary), names(f.NoBinary)
	_, allOnly := f.OnlyBinary[":all:"]
	_, allNo := f.NoBinary[":all:"]
	switch {
	case allOnly:
		return NameSet{Names: no}
	case allNo:
		return NameSet{All: true, Except: only}
	}
	s = s.without(only)
	if s.All {
		s.Except = slices.DeleteFunc(slices.Clone(s.Except), func(n string) bool { return slices.Contains(no, n) })
		if len(s.Except) == 0 {
			s.Except = nil
		}
		return s
	}
	s.Names = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(s.Names), no...))))
	return s
}

func (s NameSet) canonical() string {
	if s.All {
		if len(s.Except) > 0 {
			return "true except " + quoteList(s.Except)
		}
		return "true"
	}
	return quoteList(s.Names)
}

// Publisher is a trusted publisher identity: a forge and a repository (or
// an e-mail for Google), optionally one workflow file.
type Publisher struct {
	Kind       string // "github", "gitlab" or "google"
	Repository string // "owner/repo", "group/sub/project" or an e-mail
	Workflow   string // ".github/workflows/publish.yml", ".gitlab-ci.yml"; "": any
	Source     string // "safepip.toml:12", for messages
}

// String returns "kind:repository", the form written in safepip.toml and
// recorded in the lock.
func (p Publisher) String() string { return p.Kind + ":" + p.Repository }

const publisherForms = `"github:OWNER/REPO", "gitlab:GROUP/PROJECT" or "google:EMAIL", or an inline table { publisher = "github:OWNER/REPO", workflow = "publish.yml" }`

// parsePublisher parses "kind:repository" and an optional workflow.
func parsePublisher(s, workflow string) (Publisher, error) {
	kind, repo, ok := strings.Cut(s, ":")
	if !ok {
		return Publisher{}, fmt.Errorf("%q: want %s", s, publisherForms)
	}
	p := Publisher{Kind: kind, Repository: repo}
	segment := func(x string) bool {
		if x == "" || x == "." || x == ".." {
			return false
		}
		for i := 0; i < len(x); i++ {
			c := x[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
				return false
			}
		}
		return true
	}
	switch kind {
	case "github":
		parts := strings.Split(repo, "/")
		if len(parts) != 2 || !segment(parts[0]) || !segment(parts[1]) {
			return Publisher{}, fmt.Errorf("%q: a GitHub publisher is \"github:OWNER/REPO\"; pin a workflow with { publisher = %q, workflow = \"publish.yml\" }", s, s)
		}
		if workflow != "" {
			if !strings.Contains(workflow, "/") {
				workflow = ".github/workflows/" + workflow
			}
			file, ok := strings.CutPrefix(workflow, ".github/workflows/")
			if !ok || !segment(file) || !(strings.HasSuffix(file, ".yml") || strings.HasSuffix(file, ".yaml")) {
				return Publisher{}, fmt.Errorf("workflow %q: want a file name such as \"publish.yml\" (in .github/workflows/)", workflow)
			}
		}
	case "gitlab":
		parts := strings.Split(repo, "/")
		if len(parts) < 2 || !allOf(parts, segment) {
			return Publisher{}, fmt.Errorf("%q: a GitLab publisher is \"gitlab:GROUP/[SUBGROUP/...]PROJECT\"", s)
		}
		if workflow != "" && !allOf(strings.Split(workflow, "/"), segment) {
			return Publisher{}, fmt.Errorf("workflow %q: want the path of the CI file in the repository, such as \".gitlab-ci.yml\"", workflow)
		}
	case "google":
		user, domain, ok := strings.Cut(repo, "@")
		if !ok || user == "" || !strings.Contains(domain, ".") || strings.ContainsAny(repo, " /:") || strings.Count(repo, "@") != 1 {
			return Publisher{}, fmt.Errorf("%q: a Google publisher is \"google:EMAIL\" (a service account e-mail)", s)
		}
		if workflow != "" {
			return Publisher{}, fmt.Errorf("a Google publisher has no workflow")
		}
	default:
		return Publisher{}, fmt.Errorf("%q: unknown forge %q; want %s", s, kind, publisherForms)
	}
	p.Workflow = workflow
	return p, nil
}

func allOf(xs []string, f func(string) bool) bool {
	for _, x := range xs {
		if !f(x) {
			return false
		}
	}
	return true
}

// maxReleaseAge bounds min-release-age so the arithmetic cannot overflow.
const maxReleaseAge = 100 * 365 * 24 * time.Hour

// ParseAge parses a min-release-age duration such as "7d", "12h", "1w" or
// "1d12h". Units: w (weeks), d (days), h, m, s.
func ParseAge(s string) (time.Duration, error) {
	const want = `want a number and a unit (w, d, h, m, s), such as "7d", "12h" or "1d12h"`
	if s == "" {
		return 0, fmt.Errorf("empty duration: %s", want)
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && '0' <= rest[i] && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("%q: %s", s, want)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || n > int64(maxReleaseAge/time.Second) {
			return 0, fmt.Errorf("%q: too long (at most 100 years)", s)
		}
		var unit time.Duration
		switch rest[i] {
		case 'w':
			unit = 7 * 24 * time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		case 's':
			unit = time.Second
		default:
			return 0, fmt.Errorf("%q: unknown unit %q; %s", s, rest[i:i+1], want)
		}
		if time.Duration(n) > (maxReleaseAge-total)/unit {
			return 0, fmt.Errorf("%q: too long (at most 100 years)", s)
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	if total == 0 {
		return 0, fmt.Errorf("%q: must be more than zero; remove the key for no minimum", s)
	}
	return total, nil
}
