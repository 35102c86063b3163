package verify

import (
	"errors"
	"strings"
)

// Kinds of attestation failure. An *AttestationError matches exactly one of
// them with errors.Is; every one means "do not trust this file" (exit 1).
var (
	// ErrAttestationMalformed: the provenance or attestation object cannot be
	// read (bad JSON, version other than 1, bad base64, a transparency log
	// entry sigstore-go does not understand).
	ErrAttestationMalformed = errors.New("malformed attestation")
	// ErrAttestationInvalid: Sigstore verification failed (certificate chain,
	// signed certificate timestamp, transparency log, signature), or the
	// trusted root does not know the keys used.
	ErrAttestationInvalid = errors.New("attestation does not verify")
	// ErrDigestMismatch: the attested sha256 is not the file's.
	ErrDigestMismatch = errors.New("attested digest does not match the file")
	// ErrSubjectMismatch: the statement is about another file, or about more
	// than one.
	ErrSubjectMismatch = errors.New("attestation subject does not match the file")
	// ErrPredicateType: the statement is neither PyPI publish/v1 nor SLSA
	// provenance v1.
	ErrPredicateType = errors.New("unsupported attestation predicate type")
	// ErrUnsupportedPublisher: the certificate identity is not a GitHub,
	// GitLab or Google Trusted Publisher nor an e-mail identity, or its
	// extensions are inconsistent.
	ErrUnsupportedPublisher = errors.New("unsupported publisher identity")
	// ErrPublisherMismatch: the certificate's publisher is not the pinned
	// one, or disagrees with the publisher the index describes.
	ErrPublisherMismatch = errors.New("publisher mismatch")
)

// An AttestationError reports why the attestations of one distribution file
// were refused. Its message starts with the file name and the reason; Expected
// and Actual, when set, follow on their own lines, then the Hint.
type AttestationError struct {
	Filename    string // the distribution file, e.g. "requests-2.32.3-py3-none-any.whl"
	Attestation string // which attestation, e.g. "bundle 1, attestation 2"; "" for a lone one
	Kind        error  // one of the ErrXxx values above
	Reason      string // lower case, no final punctuation
	Expected    string // what the policy or the file wanted, "" when not applicable
	Actual      string // what the attestation has
	Hint        string // what it may mean and what to do
	Err         error  // the underlying cause (often sigstore-go's error), may be nil
}

func (e *AttestationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Filename)
	b.WriteString(": ")
	if e.Attestation != "" {
		b.WriteString(e.Attestation)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Expected != "" || e.Actual != "" {
		b.WriteString("\nexpected: ")
		b.WriteString(e.Expected)
		b.WriteString("\nactual:   ")
		b.WriteString(e.Actual)
	}
	if e.Hint != "" {
		b.WriteString("\nhint: ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap makes errors.Is match both the Kind and the underlying cause.
func (e *AttestationError) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}
