package testsigstore_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/google/certificate-transparency-go/x509util"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/safepip/safepip/internal/testsigstore"
	"github.com/safepip/safepip/verify"
)

// TestShape checks that an attestation has PyPI's shape: the certificate
// carries the publisher extensions and one embedded SCT, the log entry its
// kind, version and signed entry timestamp, and the root parses.
func TestShape(t *testing.T) {
	s, err := testsigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.NewTrustedRootFromJSON(s.TrustedRootJSON()); err != nil {
		t.Fatalf("trusted root: %v", err)
	}
	data, err := s.Attest("demo-1.0-py3-none-any.whl", []byte("wheel"), testsigstore.GitHub("o/r", "release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var att struct {
		Version              int `json:"version"`
		VerificationMaterial struct {
			Certificate         string `json:"certificate"`
			TransparencyEntries []struct {
				LogIndex         string `json:"logIndex"`
				KindVersion      struct{ Kind, Version string }
				InclusionPromise struct {
					SignedEntryTimestamp string `json:"signedEntryTimestamp"`
				} `json:"inclusionPromise"`
				InclusionProof *json.RawMessage `json:"inclusionProof"`
			} `json:"transparency_entries"`
		} `json:"verification_material"`
	}
	if err := json.Unmarshal(data, &att); err != nil {
		t.Fatal(err)
	}
	if att.Version != 1 || len(att.VerificationMaterial.TransparencyEntries) != 1 {
		t.Fatalf("attestation %s", data)
	}
	e := att.VerificationMaterial.TransparencyEntries[0]
	if e.KindVersion.Kind != "dsse" || e.KindVersion.Version != "0.0.1" || e.InclusionPromise.SignedEntryTimestamp == "" || e.InclusionProof == nil {
		t.Errorf("log entry %+v", e)
	}
	der, err := base64.StdEncoding.DecodeString(att.VerificationMaterial.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := certificate.SummarizeCertificate(cert)
	if err != nil {
		t.Fatal(err)
	}
	want := certificate.Extensions{
		Issuer:              testsigstore.IssuerGitHub,
		BuildSignerURI:      "https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.0.0",
		SourceRepositoryURI: "https://github.com/o/r",
		SourceRepositoryRef: "refs/tags/v1.0.0",
		BuildConfigURI:      "https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.0.0",
	}
	got := sum.Extensions
	if len(got.SourceRepositoryDigest) != 40 {
		t.Errorf("source repository digest %q", got.SourceRepositoryDigest)
	}
	got.SourceRepositoryDigest = ""
	if got != want {
		t.Errorf("extensions\n got %+v\nwant %+v", got, want)
	}
	scts, err := x509util.ParseSCTsFromCertificate(der)
	if err != nil || len(scts) != 1 {
		t.Errorf("SCTs %d, %v", len(scts), err)
	}
}

// TestVerifies: the attestations and provenance pass the production
// verifier with the instance's root.
func TestVerifies(t *testing.T) {
	s, err := testsigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	r, err := verify.LoadTrustedRoot("test root", s.TrustedRootJSON())
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.NewVerifier(r)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("sdist bytes")
	sub := testsigstore.SubjectOf("demo-2.0.tar.gz", content)
	dist := verify.Distribution{Filename: sub.Name, SHA256: sub.SHA256}
	pub := testsigstore.GitHub("Demo/Demo", "release.yml")
	prov, err := s.Provenance(dist.Filename, content, pub)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := v.VerifyProvenance(dist, prov, verify.Pin{Publisher: "github:demo/demo", Workflow: ".github/workflows/release.yml"})
	if err != nil {
		t.Fatal(err)
	}
	if ids[0].Publisher != "github:Demo/Demo" {
		t.Errorf("publisher %q, want the certificate's spelling github:Demo/Demo", ids[0].Publisher)
	}
}
