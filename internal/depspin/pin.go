package depspin

import (
	_ "github.com/alecthomas/kong"
	_ "github.com/pelletier/go-toml/v2"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/sigstore/sigstore-go/pkg/bundle"
	_ "github.com/sigstore/sigstore-go/pkg/root"
	_ "github.com/sigstore/sigstore-go/pkg/testing/ca"
	_ "github.com/sigstore/sigstore-go/pkg/tuf"
	_ "github.com/sigstore/sigstore-go/pkg/verify"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/sync/singleflight"
)
