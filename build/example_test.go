package build_test

import (
	"context"
	"fmt"

	"github.com/safepip/safepip/build"
	"github.com/safepip/safepip/install"
)

// The flow a locker and an installer follow for an sdist: read what the
// backend needs, resolve and verify it (not shown: the resolver and the
// download cache), ask the backend for more, then build with all of it.
func Example() {
	ctx := context.Background()
	sdist, sdistSHA256 := "dist/acme_auth-1.4.0.tar.gz", "<verified sha256>"
	bs, err := build.ReadSdistBuildSystem(sdist)
	if err != nil {
		fmt.Println(err) // names the file, the key and the value
		return
	}
	_ = bs.Requires // resolve these through the router, lock them, download and
	// verify their wheels:
	var deps []install.LocalFile

	s := &build.Sandbox{Python: "/usr/bin/python3", CacheDir: "/home/me/.cache/safepip"}
	req := build.Request{Source: build.Source{Sdist: sdist, SHA256: sdistSHA256}, Deps: deps}
	more, err := s.Requires(ctx, req) // get_requires_for_build_wheel
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = more // resolve and lock these too, then add their wheels to req.Deps
	res, err := s.Build(ctx, req)
	if err != nil {
		fmt.Println(err) // a *build.BackendError shows the backend's output
		return
	}
	fmt.Println(res.Wheel, res.SHA256) // hand to install.RunPip
}
