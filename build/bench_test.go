package build

import (
	"context"
	"testing"

	"github.com/safepip/safepip/install"
)

// BenchmarkCacheHit measures a build whose wheel is already in the cache:
// what a second install of an sdist-based lock pays per built package (a
// hash of the cached wheel; no venv, no hook).
func BenchmarkCacheHit(b *testing.B) {
	s, log := testSandbox(b)
	deps := []install.LocalFile{backendWheel(b, b.TempDir())}
	req := Request{Source: makeSdist(b, copyProject(b, "hello"), "hello-1.0"), Deps: deps}
	ctx := context.Background()
	if _, err := s.Build(ctx, req); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := s.Build(ctx, req)
		if err != nil || !res.Cached {
			b.Fatalf("Build = %+v, %v; want a cache hit", res, err)
		}
	}
	b.StopTimer()
	if n := count(hookRuns(b, log), "build_wheel"); n != 1 {
		b.Errorf("build_wheel ran %d times, want once", n)
	}
}
