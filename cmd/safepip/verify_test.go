package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/safepip/safepip/project"
	"github.com/safepip/safepip/verify"
)

func TestExitCodeAttestations(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{&verify.AttestationError{Filename: "a-1.0-py3-none-any.whl", Kind: verify.ErrAttestationInvalid}, exitCheck},
		{fmt.Errorf("acme 1.0: %w", &verify.AttestationError{Kind: verify.ErrPublisherMismatch}), exitCheck},
		{&project.PublisherChangeError{Package: "acme"}, exitCheck},
		{&project.MissingAttestationError{Package: "acme"}, exitCheck},
		{&project.VerifyFailedError{Findings: 2}, exitCheck},
		{&project.InstallVerifyError{}, exitCheck},
		{&verify.RootError{Root: "x", Kind: verify.ErrRootUpdate}, exitNetwork},
		{&verify.RootError{Root: "x", Kind: verify.ErrBadRoot}, exitUsage},
		{&verify.RootError{Root: "x", Kind: verify.ErrStaleRoot}, exitCheck},
		{&project.InputError{Err: &verify.RootError{Root: "x", Kind: verify.ErrBadRoot}}, exitUsage},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%T %v) = %d, want %d", tt.err, tt.err, got, tt.want)
		}
	}
}

func TestVerifyWithoutLock(t *testing.T) {
	code, _, errs := runArgs(t, "verify", "--offline", "--lock", t.TempDir()+"/none.lock")
	if code != exitUsage || !strings.Contains(errs, "none.lock: no such lock; run `safepip lock` first") {
		t.Errorf("safepip verify without a lock = %d, stderr %q; want %d and the hint", code, errs, exitUsage)
	}
}
