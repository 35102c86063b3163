package verify

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// OIDC issuers of the Trusted Publishers PyPI accepts attestations from.
const (
	issuerGitHub = "https://token.actions.githubusercontent.com"
	issuerGitLab = "https://gitlab.com"
	issuerGoogle = "https://accounts.google.com"
)

// Publisher kinds, the prefix of Identity.Publisher and Pin.Publisher.
const (
	KindGitHub = "github" // "github:owner/repo"
	KindGitLab = "gitlab" // "gitlab:group/subgroup/project"
	KindGoogle = "google" // "google:service-account@project.iam.gserviceaccount.com"
	// KindEmail is a person's e-mail identity, not a Trusted Publisher: PyPI
	// does not accept such attestations on upload, but private indexes and
	// Sigstore's own test material use them.
	KindEmail = "email" // "email:someone@example.com"
)

// An Identity is who signed an attestation, as proven by its verified
// certificate. It maps to the lock's [package.file.attestation] table.
type Identity struct {
	Publisher     string // kind:path, e.g. "github:psf/requests"; what a Pin names
	Workflow      string // ".github/workflows/publish.yml" (GitLab: ".gitlab-ci.yml"); "" for Google and e-mail
	Identity      string // the certificate's subject alternative name; embeds the ref, so it changes every release
	Issuer        string // the OIDC issuer
	LogIndex      int64  // the Rekor entry's global log index
	BundleSHA256  string // hex sha256 of the attestation object's bytes as served
	PredicateType string // PredicatePublish or PredicateSLSAProvenance
}

// Pin returns the pin that this identity satisfies: its publisher and
// workflow. The first lock of a project records it (trust on first use).
func (id Identity) Pin() Pin { return Pin{Publisher: id.Publisher, Workflow: id.Workflow} }

// A Pin is the publisher a project must be published by, from
// [policy.publishers] in safepip.toml or from the existing lock. The zero Pin
// pins nothing. Pins never name the certificate's full identity, whose ref
// changes with every release.
type Pin struct {
	Publisher string // "github:psf/requests"
	Workflow  string // ".github/workflows/publish.yml"; "" accepts any workflow of the publisher
}

// ParsePin checks a publisher ("github:owner/repo", "gitlab:group/project",
// "google:EMAIL", "email:EMAIL") and an optional workflow path, and returns
// them as a Pin.
func ParsePin(publisher, workflow string) (Pin, error) {
	kind, path, ok := strings.Cut(publisher, ":")
	if !ok {
		return Pin{}, fmt.Errorf("publisher %q: want kind:path, such as \"github:psf/requests\"", publisher)
	}
	var err error
	switch kind {
	case KindGitHub:
		err = checkRepoPath(path, 2, 2)
	case KindGitLab:
		err = checkRepoPath(path, 2, 20)
	case KindGoogle, KindEmail:
		if !looksLikeEmail(path) {
			err = fmt.Errorf("%q is not an e-mail address", path)
		}
	default:
		err = fmt.Errorf("unknown publisher kind %q (want github, gitlab, google or email)", kind)
	}
	if err != nil {
		return Pin{}, fmt.Errorf("publisher %q: %w", publisher, err)
	}
	if workflow != "" {
		if kind == KindGoogle || kind == KindEmail {
			return Pin{}, fmt.Errorf("publisher %q: a %s publisher has no workflow, got %q", publisher, kind, workflow)
		}
		if strings.HasPrefix(workflow, "/") || strings.Contains(workflow, "@") || strings.ContainsAny(workflow, " \t\n") {
			return Pin{}, fmt.Errorf("workflow %q: want a path inside the repository, such as \".github/workflows/publish.yml\"", workflow)
		}
	}
	return Pin{Publisher: publisher, Workflow: workflow}, nil
}

// IsZero reports whether p pins nothing.
func (p Pin) IsZero() bool { return p == Pin{} }

// String returns the publisher, followed by the workflow when there is one.
func (p Pin) String() string {
	if p.Workflow == "" {
		return p.Publisher
	}
	return p.Publisher + " (workflow " + p.Workflow + ")"
}

// Matches reports whether id satisfies p. Repository paths of GitHub and
// GitLab compare without regard to ASCII letter case, as the forges resolve
// them; e-mail identities and workflow paths compare exactly. The zero Pin
// matches every identity.
func (p Pin) Matches(id Identity) bool {
	if p.IsZero() {
		return true
	}
	if !samePublisher(p.Publisher, id.Publisher) {
		return false
	}
	// PyPI accepts SLSA provenance from any workflow of the repository.
	if p.Workflow != "" && id.PredicateType != PredicateSLSAProvenance && p.Workflow != id.Workflow {
		return false
	}
	return true
}

func samePublisher(a, b string) bool {
	ka, pa, _ := strings.Cut(a, ":")
	kb, pb, _ := strings.Cut(b, ":")
	if ka != kb {
		return false
	}
	if ka == KindGitHub || ka == KindGitLab {
		return asciiEqualFold(pa, pb)
	}
	return pa == pb
}

// asciiEqualFold is strings.EqualFold restricted to ASCII: forge names are
// ASCII, and Unicode folding (the Kelvin sign folds to "k") must not make a
// different name equal.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// checkRepoPath accepts min..max slash-separated segments of forge name
// characters.
func checkRepoPath(path string, min, max int) error {
	segs := strings.Split(path, "/")
	if len(segs) < min || len(segs) > max {
		if min == max {
			return fmt.Errorf("repository %q: want owner/name", path)
		}
		return fmt.Errorf("repository %q: want namespace/project", path)
	}
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return fmt.Errorf("repository %q: empty or dot segment", path)
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
				return fmt.Errorf("repository %q: character %q not allowed", path, c)
			}
		}
	}
	return nil
}

func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@") &&
		!strings.ContainsAny(s, " \t\n/:")
}

// identityFromCertificate derives the publisher from a certificate whose
// chain sigstore-go has verified. It is stricter than the certificate
// identity given to sigstore-go: the Build Config URI must name a workflow of
// the source repository at the certificate's own ref or commit.
func identityFromCertificate(s certificate.Summary) (Identity, error) {
	id := Identity{Identity: s.SubjectAlternativeName, Issuer: s.Issuer}
	switch s.Issuer {
	case issuerGitHub:
		repo, workflow, err := forgeWorkflow(s, "https://github.com/", "/", 2, 2)
		if err != nil {
			return Identity{}, err
		}
		if !strings.HasPrefix(workflow, ".github/workflows/") || len(workflow) == len(".github/workflows/") {
			return Identity{}, fmt.Errorf("build config URI %q: workflow %q is not under .github/workflows/", s.BuildConfigURI, workflow)
		}
		id.Publisher, id.Workflow = KindGitHub+":"+repo, workflow
	case issuerGitLab:
		repo, workflow, err := forgeWorkflow(s, "https://gitlab.com/", "//", 2, 20)
		if err != nil {
			return Identity{}, err
		}
		id.Publisher, id.Workflow = KindGitLab+":"+repo, workflow
	case issuerGoogle:
		if !looksLikeEmail(s.SubjectAlternativeName) {
			return Identity{}, fmt.Errorf("issuer %s: subject %q is not an e-mail address", s.Issuer, s.SubjectAlternativeName)
		}
		id.Publisher = KindGoogle + ":" + s.SubjectAlternativeName
	default:
		if s.Issuer == "" || !looksLikeEmail(s.SubjectAlternativeName) {
			return Identity{}, fmt.Errorf("subject %q from issuer %q is neither a GitHub, GitLab or Google Trusted Publisher nor an e-mail identity", s.SubjectAlternativeName, s.Issuer)
		}
		id.Publisher = KindEmail + ":" + s.SubjectAlternativeName
	}
	return id, nil
}

// forgeWorkflow checks a GitHub or GitLab certificate and returns the
// repository path and the top-level workflow file. The Build Config URI is
// REPO_URI + sep + WORKFLOW + "@" + (ref or commit) of the certificate.
func forgeWorkflow(s certificate.Summary, host, sep string, minSegs, maxSegs int) (repo, workflow string, err error) {
	if !strings.HasPrefix(s.SubjectAlternativeName, host) {
		return "", "", fmt.Errorf("subject %q is not on %s", s.SubjectAlternativeName, host)
	}
	repoURI := s.SourceRepositoryURI
	repo, ok := strings.CutPrefix(repoURI, host)
	if !ok {
		return "", "", fmt.Errorf("source repository URI %q is not on %s", repoURI, host)
	}
	if err := checkRepoPath(repo, minSegs, maxSegs); err != nil {
		return "", "", fmt.Errorf("source repository URI %q: %w", repoURI, err)
	}
	bc := s.BuildConfigURI
	if len(bc) < len(repoURI)+len(sep) || !asciiEqualFold(bc[:len(repoURI)], repoURI) || bc[len(repoURI):len(repoURI)+len(sep)] != sep {
		return "", "", fmt.Errorf("build config URI %q is not a workflow of %q", bc, repoURI)
	}
	rest := bc[len(repoURI)+len(sep):]
	if s.SourceRepositoryRef == "" && s.SourceRepositoryDigest == "" {
		return "", "", fmt.Errorf("certificate has neither a source repository ref nor a digest to check build config URI %q against", bc)
	}
	for _, suffix := range []string{s.SourceRepositoryRef, s.SourceRepositoryDigest} {
		if suffix == "" {
			continue
		}
		if w, ok := strings.CutSuffix(rest, "@"+suffix); ok && w != "" {
			return repo, w, nil
		}
	}
	return "", "", fmt.Errorf("build config URI %q does not end in the certificate's ref %q or digest %q", bc, s.SourceRepositoryRef, s.SourceRepositoryDigest)
}

// indexPublisher is the provenance object's unsigned description of the
// Trusted Publisher, as PyPI serves it. Unknown keys (environment, claims)
// are ignored: they are not in the certificate.
type indexPublisher struct {
	Kind             string `json:"kind"`
	Repository       string `json:"repository"`
	Workflow         string `json:"workflow"`          // GitHub: file name only
	WorkflowFilepath string `json:"workflow_filepath"` // GitLab: path
	Email            string `json:"email"`             // Google
}

// String describes the index's publisher in the form of Pin.String.
func (p indexPublisher) String() string {
	switch p.Kind {
	case "GitHub":
		return Pin{Publisher: KindGitHub + ":" + p.Repository, Workflow: ".github/workflows/" + p.Workflow}.String()
	case "GitLab":
		return Pin{Publisher: KindGitLab + ":" + p.Repository, Workflow: p.WorkflowFilepath}.String()
	case "Google":
		return KindGoogle + ":" + p.Email
	}
	b, _ := json.Marshal(p)
	return "publisher " + string(b)
}

// agrees reports whether the index's publisher describes id. For SLSA
// provenance only the repository counts, as on PyPI.
func (p indexPublisher) agrees(id Identity) bool {
	var want Pin
	switch p.Kind {
	case "GitHub":
		want = Pin{Publisher: KindGitHub + ":" + p.Repository, Workflow: ".github/workflows/" + p.Workflow}
		if p.Workflow == "" || strings.Contains(p.Workflow, "/") {
			return false
		}
	case "GitLab":
		want = Pin{Publisher: KindGitLab + ":" + p.Repository, Workflow: p.WorkflowFilepath}
		if p.WorkflowFilepath == "" {
			return false
		}
	case "Google":
		want = Pin{Publisher: KindGoogle + ":" + p.Email}
	default:
		return false
	}
	if p.Repository == "" && p.Kind != "Google" || p.Kind == "Google" && p.Email == "" {
		return false
	}
	return want.Matches(id)
}
