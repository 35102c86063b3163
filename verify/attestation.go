package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/safepip/safepip/pypa/wheel"
)

// Predicate types an attestation may carry.
const (
	PredicatePublish        = "https://docs.pypi.org/attestations/publish/v1"
	PredicateSLSAProvenance = "https://slsa.dev/provenance/v1"
)

const (
	bundleMediaType    = "application/vnd.dev.sigstore.bundle.v0.3+json"
	inTotoPayloadType  = "application/vnd.in-toto+json"
	inTotoStatementV1  = "https://in-toto.io/Statement/v1"
	maxProvenanceBytes = 8 << 20 // PyPI's are about 10 KiB per attestation
	maxAttestations    = 64      // per provenance object; each costs milliseconds of CPU
)

// A Distribution is the file that attestations must be about.
type Distribution struct {
	Filename string // e.g. "requests-2.32.3-py3-none-any.whl"
	SHA256   string // hex sha256 of the file's bytes
}

// A Verifier checks PEP 740 attestations against one trusted root. It is
// safe for concurrent use; build it once per run.
type Verifier struct {
	root *TrustedRoot
	sv   *sgverify.Verifier
	// kinds are the certificate identities sigstore-go accepts; the
	// publisher and pin checks after it are ours (publisher.go).
	kinds []sgverify.PolicyOption
}

// NewVerifier returns a Verifier that requires, for every attestation, a
// transparency log entry, a signed certificate timestamp and a verified
// observer time (log integration or RFC 3161 timestamp), all from r.
func NewVerifier(r *TrustedRoot) (*Verifier, error) {
	sv, err := sgverify.NewVerifier(r.material,
		sgverify.WithTransparencyLog(1),
		sgverify.WithObserverTimestamps(1),
		sgverify.WithSignedCertificateTimestamps(1),
		// we never read the predicate; without this, sigstore-go re-parses
		// the statement strictly and refuses unknown top-level fields
		sgverify.WithoutStatementPredicate())
	if err != nil {
		return nil, fmt.Errorf("sigstore verifier for trusted root %s: %w", r.name, err)
	}
	var kinds []sgverify.PolicyOption
	for _, k := range []struct{ issuer, issuerRegexp, sanRegexp string }{
		{issuerGitHub, "", `^https://github\.com/`},
		{issuerGitLab, "", `^https://gitlab\.com/`},
		{issuerGoogle, "", `^[^@\s/:]+@[^@\s/:]+$`},
		{"", `^https://`, `^[^@\s/:]+@[^@\s/:]+$`}, // e-mail identities
	} {
		id, err := sgverify.NewShortCertificateIdentity(k.issuer, k.issuerRegexp, "", k.sanRegexp)
		if err != nil {
			return nil, fmt.Errorf("certificate identity for %s: %w", k.issuer, err) // a bug in the table above
		}
		kinds = append(kinds, sgverify.WithCertificateIdentity(id))
	}
	return &Verifier{root: r, sv: sv, kinds: kinds}, nil
}

// Root returns the trusted root v verifies against.
func (v *Verifier) Root() *TrustedRoot { return v.root }

// VerifyAttestation verifies one attestation object (PEP 740, version 1)
// for dist and returns who signed it. A non-zero pin must match the signer.
// Failures are *AttestationError values.
func (v *Verifier) VerifyAttestation(dist Distribution, attestation []byte, pin Pin) (Identity, error) {
	digest, err := parseDigest(dist)
	if err != nil {
		return Identity{}, err
	}
	id, aerr := v.verifyOne(dist, digest, attestation)
	if aerr != nil {
		return Identity{}, aerr
	}
	if !pin.Matches(id) {
		return Identity{}, pinMismatch(dist, []Identity{id}, pin)
	}
	return id, nil
}

// VerifyProvenance verifies a provenance object (PEP 740, version 1: the
// attestation bundles an index serves for dist) and returns the identities of
// its attestations. Every attestation must verify, and each must agree with
// the publisher the index names for its bundle. A non-zero pin must be
// matched by at least one attestation. identities[0] is the identity to
// record in the lock: the first attestation matching the pin (any, without a
// pin), preferring publish/v1 over SLSA provenance. The other attestations
// follow in provenance order; those of other publishers (PEP 740 lets third
// parties add some) are reported there, never taken in the pin's place.
func (v *Verifier) VerifyProvenance(dist Distribution, provenance []byte, pin Pin) ([]Identity, error) {
	digest, err := parseDigest(dist)
	if err != nil {
		return nil, err
	}
	malformed := func(reason string, err error) error {
		return &AttestationError{Filename: dist.Filename, Kind: ErrAttestationMalformed, Reason: "provenance: " + reason, Err: err,
			Hint: "the index served a provenance object that is not PEP 740 version 1; report it to the index"}
	}
	if len(provenance) > maxProvenanceBytes {
		return nil, malformed(fmt.Sprintf("larger than %d bytes", maxProvenanceBytes), nil)
	}
	var p struct {
		Version json.RawMessage `json:"version"`
		Bundles []struct {
			Publisher    json.RawMessage   `json:"publisher"`
			Attestations []json.RawMessage `json:"attestations"`
		} `json:"attestation_bundles"`
	}
	if err := json.Unmarshal(provenance, &p); err != nil {
		return nil, malformed("not a JSON object", err)
	}
	if string(p.Version) != "1" {
		return nil, malformed(fmt.Sprintf("version %s, want 1", orMissing(p.Version)), nil)
	}
	n := 0
	for _, b := range p.Bundles {
		n += len(b.Attestations)
	}
	if n == 0 {
		return nil, malformed("no attestations", nil)
	}
	if n > maxAttestations {
		return nil, malformed(fmt.Sprintf("%d attestations, at most %d accepted", n, maxAttestations), nil)
	}
	var ids []Identity
	for bi, b := range p.Bundles {
		var pub *indexPublisher
		if len(b.Publisher) > 0 && string(b.Publisher) != "null" {
			pub = new(indexPublisher)
			if err := json.Unmarshal(b.Publisher, pub); err != nil {
				return nil, malformed(fmt.Sprintf("bundle %d: publisher", bi+1), err)
			}
		}
		for ai, raw := range b.Attestations {
			where := fmt.Sprintf("bundle %d, attestation %d", bi+1, ai+1)
			id, aerr := v.verifyOne(dist, digest, raw)
			if aerr != nil {
				aerr.Attestation = where
				return nil, aerr
			}
			if pub != nil && !pub.agrees(id) {
				return nil, &AttestationError{Filename: dist.Filename, Attestation: where, Kind: ErrPublisherMismatch,
					Reason:   "the index's publisher for this bundle is not the one the certificate proves",
					Expected: pub.String() + " (as the index describes it, unsigned)",
					Actual:   id.Pin().String() + " (from the certificate)",
					Hint:     "the index's provenance contradicts its own attestation; do not trust this file and report it to the index"}
			}
			ids = append(ids, id)
		}
	}
	chosen := -1
	for i, id := range ids {
		if pin.Matches(id) && (chosen < 0 || id.PredicateType == PredicatePublish && ids[chosen].PredicateType != PredicatePublish) {
			chosen = i
		}
	}
	if chosen < 0 {
		return nil, pinMismatch(dist, ids, pin)
	}
	out := make([]Identity, 0, len(ids))
	out = append(out, ids[chosen])
	out = append(out, ids[:chosen]...)
	return append(out, ids[chosen+1:]...), nil
}

func orMissing(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "missing"
	}
	return string(raw)
}

func parseDigest(dist Distribution) ([]byte, error) {
	d, err := hex.DecodeString(dist.SHA256)
	if err != nil || len(d) != sha256.Size {
		return nil, fmt.Errorf("%s: sha256 %q is not 64 hex digits", dist.Filename, dist.SHA256)
	}
	return d, nil
}

func pinMismatch(dist Distribution, ids []Identity, pin Pin) *AttestationError {
	seen := map[string]bool{}
	var actual []string
	for _, id := range ids {
		s := id.Pin().String()
		if !seen[s] {
			seen[s] = true
			actual = append(actual, s)
		}
	}
	return &AttestationError{Filename: dist.Filename, Kind: ErrPublisherMismatch,
		Reason:   "not published by the pinned publisher",
		Expected: pin.String(),
		Actual:   strings.Join(actual, ", "),
		Hint:     "a release from another repository or workflow can mean a stolen upload token; if the project really moved, relock with --allow-publisher-change or change [policy.publishers]"}
}

// attestationJSON is a PEP 740 attestation object. Unknown keys are ignored,
// as the spec asks.
type attestationJSON struct {
	Version              json.RawMessage `json:"version"`
	VerificationMaterial *struct {
		Certificate         string            `json:"certificate"`
		TransparencyEntries []json.RawMessage `json:"transparency_entries"`
		Timestamps          []string          `json:"timestamps"`
	} `json:"verification_material"`
	Envelope *struct {
		Statement string `json:"statement"`
		Signature string `json:"signature"`
	} `json:"envelope"`
}

// toBundle converts a PEP 740 attestation object into a Sigstore bundle
// (v0.3: a single leaf certificate, inclusion proofs required), as
// pypi-attestations does, and returns the signed statement bytes too.
func toBundle(data []byte) (*bundle.Bundle, []byte, error) {
	var a attestationJSON
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if string(a.Version) != "1" {
		return nil, nil, fmt.Errorf("version %s, want 1", orMissing(a.Version))
	}
	if a.VerificationMaterial == nil || a.Envelope == nil {
		return nil, nil, errors.New("verification_material or envelope missing")
	}
	cert, err := base64.StdEncoding.DecodeString(a.VerificationMaterial.Certificate)
	if err != nil || len(cert) == 0 {
		return nil, nil, fmt.Errorf("certificate is not base64 DER: %v", err)
	}
	stmt, err := base64.StdEncoding.DecodeString(a.Envelope.Statement)
	if err != nil || len(stmt) == 0 {
		return nil, nil, fmt.Errorf("envelope statement is not base64: %v", err)
	}
	sig, err := base64.StdEncoding.DecodeString(a.Envelope.Signature)
	if err != nil || len(sig) == 0 {
		return nil, nil, fmt.Errorf("envelope signature is not base64: %v", err)
	}
	if len(a.VerificationMaterial.TransparencyEntries) == 0 {
		return nil, nil, errors.New("no transparency log entry")
	}
	var entries []*protorekor.TransparencyLogEntry
	for i, raw := range a.VerificationMaterial.TransparencyEntries {
		e := new(protorekor.TransparencyLogEntry)
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, e); err != nil {
			return nil, nil, fmt.Errorf("transparency entry %d: %w", i+1, err)
		}
		entries = append(entries, e)
	}
	var tsv *protobundle.TimestampVerificationData
	if len(a.VerificationMaterial.Timestamps) > 0 {
		tsv = new(protobundle.TimestampVerificationData)
		for i, t := range a.VerificationMaterial.Timestamps {
			ts, err := base64.StdEncoding.DecodeString(t)
			if err != nil {
				return nil, nil, fmt.Errorf("timestamp %d is not base64: %w", i+1, err)
			}
			tsv.Rfc3161Timestamps = append(tsv.Rfc3161Timestamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: ts})
		}
	}
	pb := &protobundle.Bundle{
		MediaType: bundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_Certificate{
				Certificate: &protocommon.X509Certificate{RawBytes: cert},
			},
			TlogEntries:               entries,
			TimestampVerificationData: tsv,
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     stmt,
			PayloadType: inTotoPayloadType,
			Signatures:  []*protodsse.Signature{{Sig: sig}},
		}},
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		return nil, nil, err
	}
	return b, stmt, nil
}

// verifyOne verifies one attestation object for dist; it leaves
// AttestationError.Attestation for the caller to fill.
func (v *Verifier) verifyOne(dist Distribution, digest, data []byte) (Identity, *AttestationError) {
	fail := func(kind error, reason string, err error) *AttestationError {
		return &AttestationError{Filename: dist.Filename, Kind: kind, Reason: reason, Err: err}
	}
	b, stmt, err := toBundle(data)
	if err != nil {
		e := fail(ErrAttestationMalformed, "attestation cannot be read", err)
		e.Hint = "the attestation is not a PEP 740 attestation object this version of safepip understands; do not trust this file"
		return Identity{}, e
	}
	res, err := v.sv.Verify(b, sgverify.NewPolicy(sgverify.WithArtifactDigest("sha256", digest), v.kinds...))
	if err != nil {
		return Identity{}, v.explain(dist, stmt, err)
	}
	id, err := identityFromCertificate(*res.Signature.Certificate)
	if err != nil {
		e := fail(ErrUnsupportedPublisher, "signer is not a supported publisher", err)
		e.Hint = "safepip accepts GitHub, GitLab and Google Trusted Publishers and e-mail identities with consistent Fulcio extensions"
		return Identity{}, e
	}
	st := res.Statement
	if st.GetType() != inTotoStatementV1 {
		return Identity{}, fail(ErrPredicateType, fmt.Sprintf("statement type %q, want %q", st.GetType(), inTotoStatementV1), nil)
	}
	if n := len(st.GetSubject()); n != 1 {
		e := fail(ErrSubjectMismatch, fmt.Sprintf("statement has %d subjects, want exactly one", n), nil)
		e.Expected = dist.Filename
		var names []string
		for _, s := range st.GetSubject() {
			names = append(names, s.GetName())
		}
		e.Actual = strings.Join(names, ", ")
		e.Hint = "a PEP 740 attestation is about exactly one file; this one was not made for PyPI"
		return Identity{}, e
	}
	subject := st.GetSubject()[0]
	if err := sameDistribution(dist.Filename, subject.GetName()); err != nil {
		e := fail(ErrSubjectMismatch, "attestation is about another file", err)
		e.Expected, e.Actual = dist.Filename, subject.GetName()
		e.Hint = "the index served the attestation of another file; do not trust this file and report it to the index"
		return Identity{}, e
	}
	if got := subject.GetDigest()["sha256"]; !strings.EqualFold(got, dist.SHA256) {
		e := fail(ErrDigestMismatch, "attested sha256 is not the file's", nil)
		e.Expected, e.Actual = "sha256:"+got+" (attested)", "sha256:"+dist.SHA256+" (the file)"
		e.Hint = "the file is not the one that was signed; do not install it"
		return Identity{}, e
	}
	switch st.GetPredicateType() {
	case PredicatePublish, PredicateSLSAProvenance:
	default:
		e := fail(ErrPredicateType, "unsupported predicate type", nil)
		e.Expected = PredicatePublish + " or " + PredicateSLSAProvenance
		e.Actual = st.GetPredicateType()
		return Identity{}, e
	}
	entries, err := b.TlogEntries()
	if err != nil || len(entries) == 0 {
		return Identity{}, fail(ErrAttestationMalformed, "no transparency log entry", err) // sigstore-go verified one: a bug
	}
	id.LogIndex = entries[0].TransparencyLogEntry().GetLogIndex()
	sum := sha256.Sum256(data)
	id.BundleSHA256 = hex.EncodeToString(sum[:])
	id.PredicateType = st.GetPredicateType()
	return id, nil
}

// sameDistribution checks that an attestation's subject names the
// distribution: same project, version, build tag and wheel tag set (in any
// order), and for sdists the same archive extension.
func sameDistribution(want, got string) error {
	same, err := wheel.SameDistribution(want, got)
	if err != nil {
		return err
	}
	if !same || sdistExt(want) != sdistExt(got) {
		return fmt.Errorf("subject %q does not name distribution %q", got, want)
	}
	return nil
}

func sdistExt(filename string) string {
	for _, ext := range []string{".tar.gz", ".zip"} {
		if strings.HasSuffix(filename, ext) {
			return ext
		}
	}
	return ""
}

// explain turns a sigstore-go verification error into an AttestationError.
// sigstore-go v1.3.0 has no error types for its stages, only message
// prefixes; an unknown message still fails, with a generic reason.
func (v *Verifier) explain(dist Distribution, stmt []byte, err error) *AttestationError {
	msg := err.Error()
	e := &AttestationError{Filename: dist.Filename, Kind: ErrAttestationInvalid, Err: err}
	staleHint := fmt.Sprintf("the attestation may come from keys that trusted root %q does not know: the root may be stale or from another Sigstore instance (staging vs public-good); %s", v.root.name, refreshHint)
	tamperedHint := "the attestation was changed after it was signed and logged; do not trust this file"
	switch {
	case strings.Contains(msg, "provided artifact digest does not match any digest in statement"):
		e.Kind = ErrDigestMismatch
		e.Err = nil
		e.Reason = "attested sha256 is not the file's"
		e.Expected = "sha256:" + strings.Join(statementDigests(stmt), ", sha256:") + " (attested)"
		e.Actual = "sha256:" + dist.SHA256 + " (the file)"
		e.Hint = "the file is not the one that was signed; do not install it"
	case strings.HasPrefix(msg, "failed to verify log inclusion"):
		if strings.Contains(msg, "not enough verified log entries") {
			e.Reason = fmt.Sprintf("no transparency log entry verifies with trusted root %s", v.root.name)
			e.Hint = staleHint
		} else {
			e.Reason = "transparency log entry does not match the attestation"
			e.Hint = tamperedHint
		}
	case strings.HasPrefix(msg, "failed to verify timestamps"):
		e.Reason = fmt.Sprintf("no signing time verifies with trusted root %s", v.root.name)
		e.Hint = staleHint
	case strings.HasPrefix(msg, "failed to verify leaf certificate"):
		e.Reason = fmt.Sprintf("certificate does not chain to a Fulcio authority of trusted root %s", v.root.name)
		e.Hint = staleHint
	case strings.HasPrefix(msg, "failed to verify signed certificate timestamp"):
		e.Reason = fmt.Sprintf("certificate has no signed certificate timestamp from a log of trusted root %s", v.root.name)
		e.Hint = staleHint
	case strings.HasPrefix(msg, "failed to verify signature"):
		e.Reason = "signature does not verify"
		e.Hint = tamperedHint
	case strings.HasPrefix(msg, "failed to verify certificate identity"):
		e.Kind = ErrUnsupportedPublisher
		e.Reason = "signer is not a supported publisher"
		e.Hint = "safepip accepts GitHub, GitLab and Google Trusted Publishers and e-mail identities"
	default:
		e.Reason = "Sigstore verification failed"
	}
	return e
}

// statementDigests returns the sha256 digests of an unverified statement's
// subjects, only to show them in a message.
func statementDigests(stmt []byte) []string {
	var s struct {
		Subject []struct {
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if json.NewDecoder(bytes.NewReader(stmt)).Decode(&s) != nil {
		return []string{"?"}
	}
	var out []string
	for _, sub := range s.Subject {
		out = append(out, sub.Digest["sha256"])
	}
	return out
}
