// Package testsigstore is a Sigstore instance for tests only: a Fulcio
// certificate authority, a certificate transparency log and a Rekor log, all
// in memory, that sign PEP 740 attestations and provenance objects for given
// distribution bytes and a chosen Trusted Publisher (GitHub, GitLab, Google).
//
// Its attestations have the shape of PyPI's: a Fulcio leaf with the OIDC
// issuer, source repository, ref, digest and build config extensions and an
// embedded signed certificate timestamp, a Rekor v1 dsse entry with an
// inclusion proof and a signed entry timestamp. So verify checks them with
// exactly the options it uses for real ones; TrustedRootJSON is the matching
// trusted_root.json, to hand to the code under test.
//
// It builds on sigstore-go's pkg/testing/ca (VirtualSigstore) for Rekor, and
// signs certificates itself, because VirtualSigstore's leaves carry neither
// publisher extensions nor SCTs. Never import it outside tests.
package testsigstore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"sync/atomic"
	"time"

	ct "github.com/google/certificate-transparency-go"
	cttls "github.com/google/certificate-transparency-go/tls"
	"github.com/google/certificate-transparency-go/x509util"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/encoding/protojson"
)

// Predicate types, as in PEP 740.
const (
	PredicatePublish        = "https://docs.pypi.org/attestations/publish/v1"
	PredicateSLSAProvenance = "https://slsa.dev/provenance/v1"
)

// OIDC issuers of the publishers.
const (
	IssuerGitHub = "https://token.actions.githubusercontent.com"
	IssuerGitLab = "https://gitlab.com"
	IssuerGoogle = "https://accounts.google.com"
)

var oidSCTList = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}

// A Publisher is the Trusted Publisher whose certificate signs an
// attestation. Kind is named as PyPI names it.
type Publisher struct {
	Kind       string // "GitHub" (also when empty), "GitLab" or "Google"
	Repository string // "owner/repo"; GitLab "group/sub/project"
	Workflow   string // GitHub: file name under .github/workflows ("publish.yml"); GitLab: path (".gitlab-ci.yml")
	Email      string // Google: the service account
	Ref        string // the source ref; default "refs/tags/v1.0.0"
	// CalledWorkflow, for GitHub, makes the certificate's subject a reusable
	// workflow that the publisher's workflow calls, such as
	// "org/shared/.github/workflows/pypi.yml@refs/heads/main".
	CalledWorkflow string
}

// GitHub returns the GitHub publisher for repository "owner/repo" and a
// workflow file name such as "publish.yml".
func GitHub(repository, workflow string) Publisher {
	return Publisher{Kind: "GitHub", Repository: repository, Workflow: workflow}
}

func (p Publisher) kind() string {
	if p.Kind == "" {
		return "GitHub"
	}
	return p.Kind
}

// A Subject is one entry of an in-toto statement's subject list.
type Subject struct {
	Name   string // a distribution filename
	SHA256 string // hex
}

// SubjectOf returns the subject for a file's name and bytes.
func SubjectOf(filename string, content []byte) Subject {
	sum := sha256.Sum256(content)
	return Subject{Name: filename, SHA256: hex.EncodeToString(sum[:])}
}

// Statement returns an in-toto v1 statement with the given predicate type
// and subjects (the predicate is null, as in PyPI's publish/v1).
func Statement(predicateType string, subjects ...Subject) []byte {
	type sub struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	}
	st := struct {
		Type          string `json:"_type"`
		Subject       []sub  `json:"subject"`
		PredicateType string `json:"predicateType"`
		Predicate     any    `json:"predicate"`
	}{Type: "https://in-toto.io/Statement/v1", PredicateType: predicateType, Subject: []sub{}}
	for _, s := range subjects {
		st.Subject = append(st.Subject, sub{Name: s.Name, Digest: map[string]string{"sha256": s.SHA256}})
	}
	out, err := json.Marshal(st)
	if err != nil {
		panic(err) // strings and maps always marshal
	}
	return out
}

// A Sigstore is one test instance. Its methods are safe for concurrent use.
type Sigstore struct {
	vs        *ca.VirtualSigstore
	caRoot    *x509.Certificate
	caInter   *x509.Certificate
	interKey  *ecdsa.PrivateKey
	ctKey     *ecdsa.PrivateKey
	start     time.Time
	logIndex  atomic.Int64
	rootJSON  []byte
	serialSeq atomic.Int64
}

// New creates a Sigstore instance with fresh keys.
func New() (*Sigstore, error) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		return nil, err
	}
	caRoot, rootKey, err := ca.GenerateRootCa()
	if err != nil {
		return nil, err
	}
	inter, interKey, err := ca.GenerateFulcioIntermediate(caRoot, rootKey)
	if err != nil {
		return nil, err
	}
	ctKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	s := &Sigstore{vs: vs, caRoot: caRoot, caInter: inter, interKey: interKey, ctKey: ctKey, start: time.Now().Add(-time.Hour)}
	s.logIndex.Store(1000)
	if s.rootJSON, err = s.trustedRoot(); err != nil {
		return nil, err
	}
	return s, nil
}

// TrustedRootJSON returns the instance's trusted_root.json: its Fulcio
// chain, CT log key and Rekor key, valid from an hour before New without end.
func (s *Sigstore) TrustedRootJSON() []byte { return s.rootJSON }

func (s *Sigstore) trustedRoot() ([]byte, error) {
	// VirtualSigstore keys its logs by hex log id and stores the hex text as
	// the ID; a trusted root needs the raw bytes, and no end of validity.
	fix := func(logs map[string]*root.TransparencyLog) (map[string]*root.TransparencyLog, error) {
		out := map[string]*root.TransparencyLog{}
		for id, l := range logs {
			raw, err := hex.DecodeString(id)
			if err != nil {
				return nil, err
			}
			c := *l
			c.ID = raw
			c.ValidityPeriodStart = s.start
			c.ValidityPeriodEnd = time.Time{}
			out[id] = &c
		}
		return out, nil
	}
	rekor, err := fix(s.vs.RekorLogs())
	if err != nil {
		return nil, err
	}
	ctDER, err := x509.MarshalPKIXPublicKey(s.ctKey.Public())
	if err != nil {
		return nil, err
	}
	ctID := sha256.Sum256(ctDER)
	ctLogs := map[string]*root.TransparencyLog{hex.EncodeToString(ctID[:]): {
		BaseURL:             "https://ctfe.test",
		ID:                  ctID[:],
		ValidityPeriodStart: s.start,
		HashFunc:            crypto.SHA256,
		PublicKey:           s.ctKey.Public(),
		SignatureHashFunc:   crypto.SHA256,
	}}
	fulcio := &root.FulcioCertificateAuthority{
		Root:                s.caRoot,
		Intermediates:       []*x509.Certificate{s.caInter},
		ValidityPeriodStart: s.start,
		URI:                 "https://fulcio.test",
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, []root.CertificateAuthority{fulcio}, ctLogs, nil, rekor)
	if err != nil {
		return nil, err
	}
	return tr.MarshalJSON()
}

// Attest signs the standard publish/v1 statement for a distribution file
// and returns the PEP 740 attestation object.
func (s *Sigstore) Attest(filename string, content []byte, pub Publisher) ([]byte, error) {
	return s.AttestStatement(Statement(PredicatePublish, SubjectOf(filename, content)), pub)
}

// AttestStatement signs any statement bytes as pub and returns the PEP 740
// attestation object: the way to make attestations with two subjects,
// another name or digest, or another predicate type.
func (s *Sigstore) AttestStatement(statement []byte, pub Publisher) ([]byte, error) {
	now := time.Now()
	leaf, key, err := s.leaf(pub, now.Add(-time.Minute))
	if err != nil {
		return nil, err
	}
	pae := dsse.PAE("application/vnd.in-toto+json", statement)
	digest := sha256.Sum256(pae)
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return nil, err
	}
	env := &dsse.Envelope{
		PayloadType: "application/vnd.in-toto+json",
		Payload:     base64.StdEncoding.EncodeToString(statement),
		Signatures:  []dsse.Signature{{Sig: base64.StdEncoding.EncodeToString(sig)}},
	}
	entry, err := s.vs.GenerateTlogEntry(leaf, env, sig, now.Unix(), true)
	if err != nil {
		return nil, err
	}
	tle, err := s.logEntry(entry, now.Unix())
	if err != nil {
		return nil, err
	}
	tleJSON, err := protojson.Marshal(tle)
	if err != nil {
		return nil, err
	}
	att := map[string]any{
		"version": 1,
		"verification_material": map[string]any{
			"certificate":          base64.StdEncoding.EncodeToString(leaf.Raw),
			"transparency_entries": []json.RawMessage{tleJSON},
		},
		"envelope": map[string]any{
			"statement": base64.StdEncoding.EncodeToString(statement),
			"signature": base64.StdEncoding.EncodeToString(sig),
		},
	}
	return json.Marshal(att)
}

// logEntry completes VirtualSigstore's entry the way Rekor serves it: the
// kind and version, a global log index of its own, and a signed entry
// timestamp over them.
func (s *Sigstore) logEntry(entry *tlog.Entry, integrated int64) (*protorekor.TransparencyLogEntry, error) {
	tle := entry.TransparencyLogEntry()
	var body struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(tle.GetCanonicalizedBody(), &body); err != nil {
		return nil, err
	}
	tle.KindVersion = &protorekor.KindVersion{Kind: body.Kind, Version: body.APIVersion}
	tle.LogIndex = s.logIndex.Add(1)
	logID, err := s.vs.RekorLogID()
	if err != nil {
		return nil, err
	}
	set, err := s.vs.RekorSignPayload(tlog.RekorPayload{
		Body:           base64.StdEncoding.EncodeToString(tle.GetCanonicalizedBody()),
		IntegratedTime: integrated,
		LogIndex:       tle.LogIndex,
		LogID:          logID,
	})
	if err != nil {
		return nil, err
	}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	if tle.LogId == nil {
		return nil, errors.New("testsigstore: log entry without log id")
	}
	return tle, nil
}

// leaf issues a Fulcio-style certificate for pub, valid for ten minutes from
// notBefore, with an embedded SCT from the instance's CT log.
func (s *Sigstore) leaf(pub Publisher, notBefore time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(s.serialSeq.Add(1)),
		NotBefore:    notBefore,
		NotAfter:     notBefore.Add(10 * time.Minute),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	exts, err := s.identity(pub, tmpl)
	if err != nil {
		return nil, nil, err
	}
	tmpl.ExtraExtensions = exts
	pre, err := x509.CreateCertificate(rand.Reader, tmpl, s.caInter, key.Public(), s.interKey)
	if err != nil {
		return nil, nil, err
	}
	preCert, err := x509.ParseCertificate(pre)
	if err != nil {
		return nil, nil, err
	}
	sctExt, err := s.sct(preCert, notBefore)
	if err != nil {
		return nil, nil, err
	}
	tmpl.ExtraExtensions = append(exts, sctExt)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.caInter, key.Public(), s.interKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

// identity fills the SAN and returns the Fulcio extensions for pub.
func (s *Sigstore) identity(pub Publisher, tmpl *x509.Certificate) ([]pkix.Extension, error) {
	ref := pub.Ref
	if ref == "" {
		ref = "refs/tags/v1.0.0"
	}
	var issuer, repoURI, config string
	switch pub.kind() {
	case "GitHub":
		if pub.Repository == "" || pub.Workflow == "" {
			return nil, errors.New("testsigstore: a GitHub publisher needs Repository and Workflow")
		}
		issuer = IssuerGitHub
		repoURI = "https://github.com/" + pub.Repository
		config = repoURI + "/.github/workflows/" + pub.Workflow + "@" + ref
	case "GitLab":
		if pub.Repository == "" || pub.Workflow == "" {
			return nil, errors.New("testsigstore: a GitLab publisher needs Repository and Workflow")
		}
		issuer = IssuerGitLab
		repoURI = "https://gitlab.com/" + pub.Repository
		config = repoURI + "//" + pub.Workflow + "@" + ref
	case "Google":
		if pub.Email == "" {
			return nil, errors.New("testsigstore: a Google publisher needs Email")
		}
		tmpl.EmailAddresses = []string{pub.Email}
		return issuerExtensions(IssuerGoogle)
	default:
		return nil, fmt.Errorf("testsigstore: unknown publisher kind %q", pub.Kind)
	}
	signer := config
	if pub.CalledWorkflow != "" && pub.kind() == "GitHub" {
		signer = "https://github.com/" + pub.CalledWorkflow
	}
	san, err := url.Parse(signer)
	if err != nil {
		return nil, err
	}
	tmpl.URIs = []*url.URL{san}
	exts, err := issuerExtensions(issuer)
	if err != nil {
		return nil, err
	}
	commit := sha1.Sum([]byte(repoURI + "@" + ref))
	for _, e := range []struct {
		oid   asn1.ObjectIdentifier
		value string
	}{
		{certificate.OIDBuildSignerURI, signer},
		{certificate.OIDSourceRepositoryURI, repoURI},
		{certificate.OIDSourceRepositoryDigest, hex.EncodeToString(commit[:])},
		{certificate.OIDSourceRepositoryRef, ref},
		{certificate.OIDBuildConfigURI, config},
	} {
		v, err := asn1.MarshalWithParams(e.value, "utf8")
		if err != nil {
			return nil, err
		}
		exts = append(exts, pkix.Extension{Id: e.oid, Value: v})
	}
	return exts, nil
}

func issuerExtensions(issuer string) ([]pkix.Extension, error) {
	v2, err := asn1.MarshalWithParams(issuer, "utf8")
	if err != nil {
		return nil, err
	}
	return []pkix.Extension{
		{Id: certificate.OIDIssuer, Value: []byte(issuer)}, // the legacy extension is raw bytes
		{Id: certificate.OIDIssuerV2, Value: v2},
	}, nil
}

// sct returns the embedded-SCT extension for a certificate issued from the
// same template: the CT log signs the precertificate entry, whose TBS is the
// certificate's without the SCT list.
func (s *Sigstore) sct(pre *x509.Certificate, at time.Time) (pkix.Extension, error) {
	ctDER, err := x509.MarshalPKIXPublicKey(s.ctKey.Public())
	if err != nil {
		return pkix.Extension{}, err
	}
	sct := ct.SignedCertificateTimestamp{
		SCTVersion: ct.V1,
		LogID:      ct.LogID{KeyID: sha256.Sum256(ctDER)},
		Timestamp:  uint64(at.UnixMilli()),
	}
	leaf := ct.MerkleTreeLeaf{
		Version:  ct.V1,
		LeafType: ct.TimestampedEntryLeafType,
		TimestampedEntry: &ct.TimestampedEntry{
			EntryType: ct.PrecertLogEntryType,
			Timestamp: sct.Timestamp,
			PrecertEntry: &ct.PreCert{
				IssuerKeyHash:  sha256.Sum256(s.caInter.RawSubjectPublicKeyInfo),
				TBSCertificate: pre.RawTBSCertificate,
			},
		},
	}
	input, err := ct.SerializeSCTSignatureInput(sct, ct.LogEntry{Leaf: leaf})
	if err != nil {
		return pkix.Extension{}, err
	}
	digest := sha256.Sum256(input)
	sig, err := ecdsa.SignASN1(rand.Reader, s.ctKey, digest[:])
	if err != nil {
		return pkix.Extension{}, err
	}
	sct.Signature = ct.DigitallySigned{
		Algorithm: cttls.SignatureAndHashAlgorithm{Hash: cttls.SHA256, Signature: cttls.ECDSA},
		Signature: sig,
	}
	list, err := x509util.MarshalSCTsIntoSCTList([]*ct.SignedCertificateTimestamp{&sct})
	if err != nil {
		return pkix.Extension{}, err
	}
	listBytes, err := cttls.Marshal(*list)
	if err != nil {
		return pkix.Extension{}, err
	}
	value, err := asn1.Marshal(listBytes)
	if err != nil {
		return pkix.Extension{}, err
	}
	return pkix.Extension{Id: oidSCTList, Value: value}, nil
}

// A Bundle is one entry of a provenance object's attestation_bundles: the
// index's description of a publisher and the attestations it signed.
type Bundle struct {
	Publisher    Publisher
	Attestations [][]byte
}

// Provenance signs the publish/v1 statement for a file as pub and returns
// the provenance object an index serves for it: one bundle, one attestation.
func (s *Sigstore) Provenance(filename string, content []byte, pub Publisher) ([]byte, error) {
	att, err := s.Attest(filename, content, pub)
	if err != nil {
		return nil, err
	}
	return NewProvenance(Bundle{Publisher: pub, Attestations: [][]byte{att}})
}

// NewProvenance returns a provenance object (version 1) of the bundles, with
// each publisher described as PyPI describes it.
func NewProvenance(bundles ...Bundle) ([]byte, error) {
	type bundleJSON struct {
		Publisher    map[string]any    `json:"publisher"`
		Attestations []json.RawMessage `json:"attestations"`
	}
	out := struct {
		Version int          `json:"version"`
		Bundles []bundleJSON `json:"attestation_bundles"`
	}{Version: 1, Bundles: []bundleJSON{}}
	for _, b := range bundles {
		var pub map[string]any
		switch b.Publisher.kind() {
		case "GitHub":
			pub = map[string]any{"kind": "GitHub", "repository": b.Publisher.Repository, "workflow": b.Publisher.Workflow, "environment": nil}
		case "GitLab":
			pub = map[string]any{"kind": "GitLab", "repository": b.Publisher.Repository, "workflow_filepath": b.Publisher.Workflow, "environment": nil}
		case "Google":
			pub = map[string]any{"kind": "Google", "email": b.Publisher.Email}
		default:
			return nil, fmt.Errorf("testsigstore: unknown publisher kind %q", b.Publisher.Kind)
		}
		bj := bundleJSON{Publisher: pub}
		for _, a := range b.Attestations {
			bj.Attestations = append(bj.Attestations, json.RawMessage(a))
		}
		out.Bundles = append(out.Bundles, bj)
	}
	return json.Marshal(out)
}
