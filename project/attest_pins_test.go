package project

import (
	"slices"
	"testing"

	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/verify"
)

// TestLockedPinsEveryVersion: a universal lock may hold one project at
// several versions (one per fork); the publishers recorded for any of them
// are the project's, and a file locked before keeps exactly its own.
func TestLockedPinsEveryVersion(t *testing.T) {
	att := func(pub string) *lock.Attestation {
		return &lock.Attestation{Publisher: pub, Workflow: ".github/workflows/publish.yml"}
	}
	old := &lock.File{Packages: []lock.Package{
		{Name: "pkg", Version: "1.0", Marker: "python_full_version < '3.11'", Files: []lock.Dist{
			{Name: "pkg-1.0-py3-none-any.whl", SHA256: "aa", Attestation: att("github:acme/old")},
		}},
		{Name: "pkg", Version: "2.0", Marker: "python_full_version >= '3.11'", Files: []lock.Dist{
			{Name: "pkg-2.0-py3-none-any.whl", SHA256: "bb", Attestation: att("github:acme/new")},
			{Name: "pkg-2.0.tar.gz", SHA256: "cc"},
		}},
	}}
	pin := func(pub string) verify.Pin {
		return verify.Pin{Publisher: pub, Workflow: ".github/workflows/publish.yml"}
	}
	tests := []struct {
		file lock.Dist
		want []verify.Pin
	}{
		{lock.Dist{Name: "pkg-3.0-py3-none-any.whl", SHA256: "dd"}, []verify.Pin{pin("github:acme/old"), pin("github:acme/new")}},
		{lock.Dist{Name: "pkg-2.0-py3-none-any.whl", SHA256: "bb"}, []verify.Pin{pin("github:acme/new")}},
		{lock.Dist{Name: "pkg-1.0-py3-none-any.whl", SHA256: "aa"}, []verify.Pin{pin("github:acme/old")}},
		{lock.Dist{Name: "pkg-2.0.tar.gz", SHA256: "cc"}, nil},
	}
	for _, tt := range tests {
		if got := lockedPins(old, "pkg", tt.file); !slices.Equal(got, tt.want) {
			t.Errorf("lockedPins(%s) = %v, want %v", tt.file.Name, got, tt.want)
		}
	}
	if got := lockedPins(old, "other", lock.Dist{Name: "other-1.0-py3-none-any.whl"}); got != nil {
		t.Errorf("lockedPins(other) = %v, want none", got)
	}
}
