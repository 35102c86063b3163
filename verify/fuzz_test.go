package verify

import (
	"errors"
	"testing"
)

// FuzzVerifyAttestation: no input panics, and every failure is an
// *AttestationError naming the file.
func FuzzVerifyAttestation(f *testing.F) {
	for _, name := range []string{
		sdist19 + ".publish.attestation",
		sdist19 + ".publish.attestation.with_timestamp",
		sdist19 + ".publish.attestation.with_rekor2_timestamp",
		"gitlab_oidc_project-0.0.3.tar.gz.publish.attestation",
	} {
		f.Add(readVector(f, name))
	}
	f.Add([]byte(`{"version":1,"verification_material":{"certificate":"","transparency_entries":[{}]},"envelope":{"statement":"e30=","signature":"AA=="}}`))
	pg, _ := testVerifiers(f)
	dist := fileDist(f, sdist19)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := pg.VerifyAttestation(dist, data, Pin{})
		var ae *AttestationError
		if err != nil && (!errors.As(err, &ae) || ae.Filename != dist.Filename) {
			t.Fatalf("error %T %v, want *AttestationError for %s", err, err, dist.Filename)
		}
	})
}

// FuzzVerifyProvenance: as FuzzVerifyAttestation, for provenance objects.
func FuzzVerifyProvenance(f *testing.F) {
	f.Add(readVector(f, sdist19+".provenance"))
	f.Add([]byte(`{"version":1,"attestation_bundles":[{"publisher":null,"attestations":[{}]}]}`))
	f.Add([]byte(`{"version":1,"attestation_bundles":[{"publisher":{"kind":"GitHub"},"attestations":[]}]}`))
	pg, _ := testVerifiers(f)
	dist := fileDist(f, sdist19)
	f.Fuzz(func(t *testing.T, data []byte) {
		ids, err := pg.VerifyProvenance(dist, data, Pin{})
		var ae *AttestationError
		if err != nil && (!errors.As(err, &ae) || ae.Filename != dist.Filename) {
			t.Fatalf("error %T %v, want *AttestationError for %s", err, err, dist.Filename)
		}
		if err == nil && len(ids) == 0 {
			t.Fatal("verified with no identity")
		}
	})
}

// FuzzParsePin: no input panics, and an accepted pin matches an identity
// with its own publisher and workflow.
func FuzzParsePin(f *testing.F) {
	for _, s := range [][2]string{
		{"github:psf/requests", ""},
		{"github:psf/requests", ".github/workflows/publish.yml"},
		{"gitlab:group/sub/project", ".gitlab-ci.yml"},
		{"google:sa@project.iam.gserviceaccount.com", ""},
		{"email:someone@example.com", ""},
		{"github:psf", ""},
		{"pypi:requests", ""},
		{"github:psf/re quests", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, publisher, workflow string) {
		p, err := ParsePin(publisher, workflow)
		if err != nil {
			return
		}
		if !p.Matches(Identity{Publisher: p.Publisher, Workflow: p.Workflow, PredicateType: PredicatePublish}) {
			t.Errorf("pin %+v does not match its own identity", p)
		}
	})
}

func TestParsePin(t *testing.T) {
	tests := []struct {
		publisher, workflow string
		ok                  bool
	}{
		{"github:psf/requests", "", true},
		{"github:psf/requests", ".github/workflows/publish.yml", true},
		{"github:Psf/Requests.py", "", true},
		{"gitlab:group/sub/project", ".gitlab-ci.yml", true},
		{"google:sa@project.iam.gserviceaccount.com", "", true},
		{"email:someone@example.com", "", true},
		{"github:psf", "", false},
		{"github:psf/requests/extra", "", false},
		{"github:psf/../x", "", false},
		{"github:psf/re quests", "", false},
		{"gitlab:project", "", false},
		{"google:not-an-email", "", false},
		{"google:sa@x.com", ".github/workflows/x.yml", false},
		{"pypi:requests", "", false},
		{"requests", "", false},
		{"GitHub:psf/requests", "", false},
		{"github:psf/requests", "/abs.yml", false},
		{"github:psf/requests", "x.yml@main", false},
	}
	for _, tt := range tests {
		_, err := ParsePin(tt.publisher, tt.workflow)
		if (err == nil) != tt.ok {
			t.Errorf("ParsePin(%q, %q) = %v, want ok=%v", tt.publisher, tt.workflow, err, tt.ok)
		}
	}
}
