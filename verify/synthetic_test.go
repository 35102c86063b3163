package verify_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/safepip/safepip/internal/testsigstore"
	"github.com/safepip/safepip/verify"
)

const wheelName = "acme_auth-1.4.0-py3-none-any.whl"

var wheelBytes = []byte("PK\x03\x04 not really a zip, but bytes to sign")

func wheelDist() verify.Distribution {
	sum := sha256.Sum256(wheelBytes)
	return verify.Distribution{Filename: wheelName, SHA256: hex.EncodeToString(sum[:])}
}

var (
	fakeOnce sync.Once
	fake     *testsigstore.Sigstore
	fakeV    *verify.Verifier
)

// fakeSigstore returns one test Sigstore and a Verifier of its root for the
// whole test binary.
func fakeSigstore(t testing.TB) (*testsigstore.Sigstore, *verify.Verifier) {
	t.Helper()
	fakeOnce.Do(func() {
		var err error
		if fake, err = testsigstore.New(); err != nil {
			panic(err)
		}
		r, err := verify.LoadTrustedRoot("test trusted_root.json", fake.TrustedRootJSON())
		if err != nil {
			panic(err)
		}
		if fakeV, err = verify.NewVerifier(r); err != nil {
			panic(err)
		}
	})
	return fake, fakeV
}

var acme = testsigstore.GitHub("acme/auth", "publish.yml")

func TestSyntheticPass(t *testing.T) {
	s, v := fakeSigstore(t)
	tests := []struct {
		pub  testsigstore.Publisher
		pin  verify.Pin
		want verify.Identity
	}{
		{pub: acme, pin: verify.Pin{Publisher: "github:acme/auth", Workflow: ".github/workflows/publish.yml"},
			want: verify.Identity{Publisher: "github:acme/auth", Workflow: ".github/workflows/publish.yml",
				Identity: "https://github.com/acme/auth/.github/workflows/publish.yml@refs/tags/v1.0.0", Issuer: testsigstore.IssuerGitHub}},
		{pub: testsigstore.Publisher{Repository: "acme/auth", Workflow: "release.yml", CalledWorkflow: "acme/shared/.github/workflows/pypi.yml@refs/heads/main"},
			pin: verify.Pin{Publisher: "github:acme/auth", Workflow: ".github/workflows/release.yml"},
			want: verify.Identity{Publisher: "github:acme/auth", Workflow: ".github/workflows/release.yml",
				Identity: "https://github.com/acme/shared/.github/workflows/pypi.yml@refs/heads/main", Issuer: testsigstore.IssuerGitHub}},
		{pub: testsigstore.Publisher{Kind: "GitLab", Repository: "acme/tools/auth", Workflow: "ci/release.yml", Ref: "refs/heads/main"},
			pin: verify.Pin{Publisher: "gitlab:ACME/tools/auth", Workflow: "ci/release.yml"},
			want: verify.Identity{Publisher: "gitlab:acme/tools/auth", Workflow: "ci/release.yml",
				Identity: "https://gitlab.com/acme/tools/auth//ci/release.yml@refs/heads/main", Issuer: testsigstore.IssuerGitLab}},
		{pub: testsigstore.Publisher{Kind: "Google", Email: "release@acme.iam.gserviceaccount.com"},
			pin: verify.Pin{Publisher: "google:release@acme.iam.gserviceaccount.com"},
			want: verify.Identity{Publisher: "google:release@acme.iam.gserviceaccount.com",
				Identity: "release@acme.iam.gserviceaccount.com", Issuer: testsigstore.IssuerGoogle}},
	}
	for _, tt := range tests {
		t.Run(tt.want.Identity, func(t *testing.T) {
			prov, err := s.Provenance(wheelName, wheelBytes, tt.pub)
			if err != nil {
				t.Fatal(err)
			}
			for _, pin := range []verify.Pin{{}, tt.pin} {
				ids, err := v.VerifyProvenance(wheelDist(), prov, pin)
				if err != nil {
					t.Fatalf("VerifyProvenance(pin %v): %v", pin, err)
				}
				got := ids[0]
				if got.LogIndex <= 1000 || len(got.BundleSHA256) != 64 || got.PredicateType != verify.PredicatePublish {
					t.Errorf("log index %d, bundle sha256 %q, predicate %q", got.LogIndex, got.BundleSHA256, got.PredicateType)
				}
				got.LogIndex, got.BundleSHA256, got.PredicateType = 0, "", ""
				if got != tt.want {
					t.Errorf("identity\n got %+v\nwant %+v", got, tt.want)
				}
			}
		})
	}
}

// TestSyntheticFail: each way an attestation can be wrong for the file or
// the pin fails with its kind and the lines a user sees.
func TestSyntheticFail(t *testing.T) {
	s, v := fakeSigstore(t)
	d := wheelDist()
	attest := func(stmt []byte, pub testsigstore.Publisher) []byte {
		t.Helper()
		a, err := s.AttestStatement(stmt, pub)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	provenance := func(bundles ...testsigstore.Bundle) []byte {
		t.Helper()
		p, err := testsigstore.NewProvenance(bundles...)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := testsigstore.SubjectOf(wheelName, wheelBytes)
	goodAtt := attest(testsigstore.Statement(testsigstore.PredicatePublish, good), acme)
	evil := testsigstore.GitHub("evil/auth", "publish.yml")
	evilAtt := attest(testsigstore.Statement(testsigstore.PredicatePublish, good), evil)
	other := good
	other.SHA256 = strings.Repeat("ab", 32)

	tests := []struct {
		name       string
		data       []byte
		provenance bool
		pin        verify.Pin
		kind       error
		lines      []string
	}{
		{name: "wrong publisher", data: provenance(testsigstore.Bundle{Publisher: evil, Attestations: [][]byte{evilAtt}}), provenance: true,
			pin: verify.Pin{Publisher: "github:acme/auth"}, kind: verify.ErrPublisherMismatch, lines: []string{
				wheelName + ": not published by the pinned publisher",
				"expected: github:acme/auth",
				"actual:   github:evil/auth (workflow .github/workflows/publish.yml)",
				"hint: a release from another repository or workflow can mean a stolen upload token"}},
		{name: "wrong workflow", data: goodAtt, pin: verify.Pin{Publisher: "github:acme/auth", Workflow: ".github/workflows/release.yml"}, kind: verify.ErrPublisherMismatch, lines: []string{
			wheelName + ": not published by the pinned publisher",
			"expected: github:acme/auth (workflow .github/workflows/release.yml)",
			"actual:   github:acme/auth (workflow .github/workflows/publish.yml)"}},
		{name: "other publisher's bundle besides the pinned one is no substitute", data: provenance(testsigstore.Bundle{Publisher: evil, Attestations: [][]byte{evilAtt}}), provenance: true,
			pin: verify.Pin{Publisher: "github:acme/auth", Workflow: ".github/workflows/publish.yml"}, kind: verify.ErrPublisherMismatch},
		{name: "index publisher disagrees with the certificate", data: provenance(testsigstore.Bundle{Publisher: acme, Attestations: [][]byte{evilAtt}}), provenance: true,
			kind: verify.ErrPublisherMismatch, lines: []string{
				wheelName + ": bundle 1, attestation 1: the index's publisher for this bundle is not the one the certificate proves",
				"expected: github:acme/auth (workflow .github/workflows/publish.yml) (as the index describes it, unsigned)",
				"actual:   github:evil/auth (workflow .github/workflows/publish.yml) (from the certificate)"}},
		{name: "wrong subject name", data: attest(testsigstore.Statement(testsigstore.PredicatePublish, testsigstore.Subject{Name: "acme_auth-1.4.1-py3-none-any.whl", SHA256: good.SHA256}), acme),
			kind: verify.ErrSubjectMismatch, lines: []string{
				wheelName + `: attestation is about another file: subject "acme_auth-1.4.1-py3-none-any.whl" does not name distribution "` + wheelName + `"`,
				"expected: " + wheelName,
				"actual:   acme_auth-1.4.1-py3-none-any.whl",
				"hint: the index served the attestation of another file"}},
		{name: "subject is not a distribution filename", data: attest(testsigstore.Statement(testsigstore.PredicatePublish, testsigstore.Subject{Name: "acme_auth.exe", SHA256: good.SHA256}), acme),
			kind: verify.ErrSubjectMismatch, lines: []string{
				wheelName + `: attestation is about another file: sdist filename "acme_auth.exe": want name-version.tar.gz`}},
		{name: "wrong digest", data: attest(testsigstore.Statement(testsigstore.PredicatePublish, other), acme),
			kind: verify.ErrDigestMismatch, lines: []string{
				wheelName + ": attested sha256 is not the file's",
				"expected: sha256:" + other.SHA256 + " (attested)",
				"actual:   sha256:" + d.SHA256 + " (the file)",
				"hint: the file is not the one that was signed; do not install it"}},
		{name: "two subjects", data: attest(testsigstore.Statement(testsigstore.PredicatePublish, good, testsigstore.Subject{Name: "acme_auth-1.4.0.tar.gz", SHA256: other.SHA256}), acme),
			kind: verify.ErrSubjectMismatch, lines: []string{
				wheelName + ": statement has 2 subjects, want exactly one",
				"expected: " + wheelName,
				"actual:   " + wheelName + ", acme_auth-1.4.0.tar.gz"}},
		{name: "bad predicate type", data: attest(testsigstore.Statement("https://example.com/predicate/v1", good), acme),
			kind: verify.ErrPredicateType, lines: []string{
				wheelName + ": unsupported predicate type",
				"expected: " + verify.PredicatePublish + " or " + verify.PredicateSLSAProvenance,
				"actual:   https://example.com/predicate/v1"}},
		{name: "one bad attestation spoils the provenance", data: provenance(testsigstore.Bundle{Publisher: acme, Attestations: [][]byte{
			goodAtt, attest(testsigstore.Statement(testsigstore.PredicatePublish, other), acme)}}), provenance: true,
			kind: verify.ErrDigestMismatch, lines: []string{wheelName + ": bundle 1, attestation 2: attested sha256 is not the file's"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.provenance {
				_, err = v.VerifyProvenance(d, tt.data, tt.pin)
			} else {
				_, err = v.VerifyAttestation(d, tt.data, tt.pin)
			}
			if err == nil {
				t.Fatalf("verified, want %v", tt.kind)
			}
			var ae *verify.AttestationError
			if !errors.As(err, &ae) || !errors.Is(err, tt.kind) || ae.Filename != wheelName {
				t.Fatalf("error %T (kind %v, file %q), want *AttestationError of kind %v for %s:\n%v", err, kindOf(ae), fileOf(ae), tt.kind, wheelName, err)
			}
			lines := strings.Split(err.Error(), "\n")
			for _, want := range tt.lines {
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(l, want)
				}
				if !found {
					t.Errorf("no line starts with\n%s\nin\n%v", want, err)
				}
			}
		})
	}
}

func kindOf(e *verify.AttestationError) error {
	if e == nil {
		return nil
	}
	return e.Kind
}

func fileOf(e *verify.AttestationError) string {
	if e == nil {
		return ""
	}
	return e.Filename
}

// TestSyntheticProvenanceOrder: with a pin, the pinned publisher's
// attestation comes first even when another publisher's bundle precedes it;
// without a pin, the first publish/v1 attestation does.
func TestSyntheticProvenanceOrder(t *testing.T) {
	s, v := fakeSigstore(t)
	good := testsigstore.SubjectOf(wheelName, wheelBytes)
	third := testsigstore.GitHub("auditor/audits", "attest.yml")
	a1, err := s.AttestStatement(testsigstore.Statement(testsigstore.PredicateSLSAProvenance, good), third)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := s.Attest(wheelName, wheelBytes, acme)
	if err != nil {
		t.Fatal(err)
	}
	prov, err := testsigstore.NewProvenance(
		testsigstore.Bundle{Publisher: third, Attestations: [][]byte{a1}},
		testsigstore.Bundle{Publisher: acme, Attestations: [][]byte{a2}})
	if err != nil {
		t.Fatal(err)
	}
	for _, pin := range []verify.Pin{{}, {Publisher: "github:acme/auth"}} {
		ids, err := v.VerifyProvenance(wheelDist(), prov, pin)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 2 || ids[0].Publisher != "github:acme/auth" || ids[1].Publisher != "github:auditor/audits" {
			t.Errorf("pin %v: identities %+v, want acme/auth then auditor/audits", pin, ids)
		}
	}
	ids, err := v.VerifyProvenance(wheelDist(), prov, verify.Pin{Publisher: "github:auditor/audits"})
	if err != nil || ids[0].Publisher != "github:auditor/audits" {
		t.Errorf("pin auditor/audits: %+v, %v", ids, err)
	}
}

// TestSyntheticOtherRoot: an attestation of one test instance does not
// verify with another instance's root, nor with the public-good root.
func TestSyntheticOtherRoot(t *testing.T) {
	s, _ := fakeSigstore(t)
	att, err := s.Attest(wheelName, wheelBytes, acme)
	if err != nil {
		t.Fatal(err)
	}
	other, err := testsigstore.New()
	if err != nil {
		t.Fatal(err)
	}
	r, err := verify.LoadTrustedRoot("other.json", other.TrustedRootJSON())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*verify.TrustedRoot{r, verify.PublicGoodRoot()} {
		v, err := verify.NewVerifier(r)
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.VerifyAttestation(wheelDist(), att, verify.Pin{})
		if !errors.Is(err, verify.ErrAttestationInvalid) || !strings.Contains(err.Error(), r.Name()) {
			t.Errorf("root %s: %v, want ErrAttestationInvalid naming the root", r.Name(), err)
		}
	}
}

// TestConcurrentVerify: one Verifier serves many goroutines (run with -race).
func TestConcurrentVerify(t *testing.T) {
	s, v := fakeSigstore(t)
	att, err := s.Attest(wheelName, wheelBytes, acme)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() { _, errs[i] = v.VerifyAttestation(wheelDist(), att, acmePin) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", i, err)
		}
	}
}

var acmePin = verify.Pin{Publisher: "github:acme/auth", Workflow: ".github/workflows/publish.yml"}

// BenchmarkVerifyAttestation measures parse, conversion and full
// verification of one attestation (the notes measured 3 to 6 ms for real
// ones on 2 cores).
func BenchmarkVerifyAttestation(b *testing.B) {
	s, v := fakeSigstore(b)
	att, err := s.Attest(wheelName, wheelBytes, acme)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := v.VerifyAttestation(wheelDist(), att, acmePin); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAttest(b *testing.B) {
	s, _ := fakeSigstore(b)
	for b.Loop() {
		if _, err := s.Attest(wheelName, wheelBytes, acme); err != nil {
			b.Fatal(err)
		}
	}
}
