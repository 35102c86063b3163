package verify_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/safepip/safepip/verify"
)

// At lock time: verify the provenance an index served for a file against the
// pin from safepip.toml or the existing lock, and record identities[0].
func ExampleVerifier_VerifyProvenance() {
	file, _ := os.ReadFile("testdata/pep740/pypi_attestations-0.0.19.tar.gz")
	provenance, _ := os.ReadFile("testdata/pep740/pypi_attestations-0.0.19.tar.gz.provenance")
	sum := sha256.Sum256(file)
	dist := verify.Distribution{Filename: "pypi_attestations-0.0.19.tar.gz", SHA256: hex.EncodeToString(sum[:])}

	v, err := verify.NewVerifier(verify.PublicGoodRoot())
	if err != nil {
		fmt.Println(err)
		return
	}
	pin, err := verify.ParsePin("github:trailofbits/pypi-attestations", ".github/workflows/release.yml")
	if err != nil {
		fmt.Println(err)
		return
	}
	ids, err := v.VerifyProvenance(dist, provenance, pin)
	if err != nil {
		fmt.Println(err)
		return
	}
	id := ids[0]
	fmt.Println("publisher =", id.Publisher)
	fmt.Println("workflow =", id.Workflow)
	fmt.Println("identity =", id.Identity)
	fmt.Println("issuer =", id.Issuer)
	fmt.Println("log-index =", id.LogIndex)

	// A pin on another repository fails with expected and actual lines.
	_, err = v.VerifyProvenance(dist, provenance, verify.Pin{Publisher: "github:psf/requests"})
	fmt.Println(err)
	// Output:
	// publisher = github:trailofbits/pypi-attestations
	// workflow = .github/workflows/release.yml
	// identity = https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19
	// issuer = https://token.actions.githubusercontent.com
	// log-index = 153454663
	// pypi_attestations-0.0.19.tar.gz: not published by the pinned publisher
	// expected: github:psf/requests
	// actual:   github:trailofbits/pypi-attestations (workflow .github/workflows/release.yml)
	// hint: a release from another repository or workflow can mean a stolen upload token; if the project really moved, relock with --allow-publisher-change or change [policy.publishers]
}
