package verify

import (
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

func TestIdentityFromCertificate(t *testing.T) {
	gh := func(san, repo, ref, digest, config string) certificate.Summary {
		return certificate.Summary{SubjectAlternativeName: san, Extensions: certificate.Extensions{
			Issuer: issuerGitHub, SourceRepositoryURI: repo, SourceRepositoryRef: ref, SourceRepositoryDigest: digest, BuildConfigURI: config}}
	}
	const (
		repo   = "https://github.com/psf/requests"
		wf     = repo + "/.github/workflows/publish.yml"
		ref    = "refs/tags/v2.32.3"
		commit = "0e322af87745eff34caffe4df68456ebc20d9068"
	)
	tests := []struct {
		name     string
		s        certificate.Summary
		pub, wf  string
		errorHas string
	}{
		{"GitHub by ref", gh(wf+"@"+ref, repo, ref, commit, wf+"@"+ref), "github:psf/requests", ".github/workflows/publish.yml", ""},
		{"GitHub by digest", gh(wf+"@"+commit, repo, "", commit, wf+"@"+commit), "github:psf/requests", ".github/workflows/publish.yml", ""},
		{"GitHub reusable workflow: the caller is the publisher",
			gh("https://github.com/psf/shared/.github/workflows/pypi.yml@refs/heads/main", repo, ref, commit, wf+"@"+ref), "github:psf/requests", ".github/workflows/publish.yml", ""},
		{"GitHub without ref or digest", gh(wf+"@"+ref, repo, "", "", wf+"@"+ref), "", "", "neither a source repository ref nor a digest"},
		{"GitHub config at another ref", gh(wf+"@refs/heads/evil", repo, ref, commit, wf+"@refs/heads/evil"), "", "", "does not end in the certificate's ref"},
		{"GitHub config of another repository", gh(wf+"@"+ref, repo, ref, commit, "https://github.com/evil/requests/.github/workflows/publish.yml@"+ref), "", "", "is not a workflow of"},
		{"GitHub workflow outside .github/workflows", gh(wf+"@"+ref, repo, ref, commit, repo+"/ci/publish.yml@"+ref), "", "", "is not under .github/workflows/"},
		{"GitHub subject on another host", gh("https://example.com/x@"+ref, repo, ref, commit, wf+"@"+ref), "", "", "is not on https://github.com/"},
		{"GitHub repository of three segments", gh(wf+"@"+ref, repo+"/x", ref, commit, repo+"/x/.github/workflows/publish.yml@"+ref), "", "", "want owner/name"},
		{"GitLab", certificate.Summary{SubjectAlternativeName: "https://gitlab.com/g/s/p//ci/release.yml@refs/heads/main", Extensions: certificate.Extensions{
			Issuer: issuerGitLab, SourceRepositoryURI: "https://gitlab.com/g/s/p", SourceRepositoryRef: "refs/heads/main",
			BuildConfigURI: "https://gitlab.com/g/s/p//ci/release.yml@refs/heads/main"}}, "gitlab:g/s/p", "ci/release.yml", ""},
		{"GitLab without the double slash", certificate.Summary{SubjectAlternativeName: "https://gitlab.com/g/p/ci.yml@refs/heads/main", Extensions: certificate.Extensions{
			Issuer: issuerGitLab, SourceRepositoryURI: "https://gitlab.com/g/p", SourceRepositoryRef: "refs/heads/main",
			BuildConfigURI: "https://gitlab.com/g/p/ci.yml@refs/heads/main"}}, "", "", "is not a workflow of"},
		{"Google", certificate.Summary{SubjectAlternativeName: "sa@p.iam.gserviceaccount.com", Extensions: certificate.Extensions{Issuer: issuerGoogle}}, "google:sa@p.iam.gserviceaccount.com", "", ""},
		{"Google with a URI subject", certificate.Summary{SubjectAlternativeName: "https://accounts.google.com/x", Extensions: certificate.Extensions{Issuer: issuerGoogle}}, "", "", "is not an e-mail address"},
		{"e-mail identity", certificate.Summary{SubjectAlternativeName: "me@example.com", Extensions: certificate.Extensions{Issuer: "https://github.com/login/oauth"}}, "email:me@example.com", "", ""},
		{"unknown issuer with a URI subject", certificate.Summary{SubjectAlternativeName: "https://ci.example.com/job", Extensions: certificate.Extensions{Issuer: "https://ci.example.com"}}, "", "", "neither a GitHub, GitLab or Google Trusted Publisher"},
	}
	for _, tt := range tests {
		id, err := identityFromCertificate(tt.s)
		switch {
		case tt.errorHas != "":
			if err == nil || !strings.Contains(err.Error(), tt.errorHas) {
				t.Errorf("%s: identity %+v, error %v; want an error containing %q", tt.name, id, err, tt.errorHas)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case id.Publisher != tt.pub || id.Workflow != tt.wf || id.Identity != tt.s.SubjectAlternativeName || id.Issuer != tt.s.Issuer:
			t.Errorf("%s: identity %+v, want publisher %q workflow %q", tt.name, id, tt.pub, tt.wf)
		}
	}
}

func TestPinMatches(t *testing.T) {
	id := Identity{Publisher: "github:PSF/Requests", Workflow: ".github/workflows/publish.yml", PredicateType: PredicatePublish}
	tests := []struct {
		pin  Pin
		want bool
	}{
		{Pin{}, true},
		{Pin{Publisher: "github:psf/requests"}, true},
		{Pin{Publisher: "github:psf/requests", Workflow: ".github/workflows/publish.yml"}, true},
		{Pin{Publisher: "github:psf/requests", Workflow: ".github/workflows/Publish.yml"}, false},
		{Pin{Publisher: "gitlab:psf/requests"}, false},
		{Pin{Publisher: "github:psf/requests2"}, false},
	}
	for _, tt := range tests {
		if got := tt.pin.Matches(id); got != tt.want {
			t.Errorf("%+v.Matches(%+v) = %v, want %v", tt.pin, id, got, tt.want)
		}
	}
	// the Kelvin sign folds to "k" in Unicode, never in forge names
	if (Pin{Publisher: "github:psf/\u212aeras"}).Matches(Identity{Publisher: "github:psf/keras"}) {
		t.Errorf("Unicode case folding matched a different repository name")
	}
	email := Identity{Publisher: "email:Me@example.com"}
	if (Pin{Publisher: "email:me@example.com"}).Matches(email) {
		t.Errorf("e-mail identities must compare exactly")
	}
}
