// Package verify checks distribution files that were already fetched: their
// PEP 740 attestations (this file's neighbours attestation.go, publisher.go,
// root.go) and, beside them, hashes and installed environments: each
// installed distribution's RECORD, and where it came from, its PEP 610
// direct_url.json (directurl.go: read, and rewritten by an installer that
// hands pip a wheel it built from a source tree, so the record names the
// tree rather than the wheel).
//
// Attestation verification is pure over bytes and deterministic: it never
// touches the network and never reads the clock. An attestation object
// (version 1) is converted to a Sigstore bundle (media type v0.3) and checked
// by sigstore-go's verifier against a trusted root: the Fulcio certificate
// chain at the time the transparency log saw the signature, an embedded
// signed certificate timestamp, the Rekor inclusion proof and promise, and the
// DSSE signature over the in-toto statement. Then our own checks follow, which
// sigstore-go cannot know about: the statement has exactly one subject, the
// subject names the distribution (compared by parsed filename components, not
// as strings), its sha256 is the file's, and the predicate type is PyPI's
// publish/v1 or SLSA provenance v1.
//
// The publisher identity (forge, repository, workflow) is derived from the
// verified certificate's Fulcio extensions, never from the index's unsigned
// provenance "publisher" object, which serves only as a cross-check. A Pin
// compares an identity the way the forge names things: GitHub and GitLab
// repository paths ignore ASCII letter case, workflow paths do not.
//
// Trust comes from a Sigstore trusted_root.json: PublicGoodRoot is the
// public-good root compiled into the binary, LoadTrustedRoot reads another
// (staging, a private instance, a fresher snapshot) and UpdateTrustedRoot
// refreshes one through TUF, the only network access in this package.
package verify
