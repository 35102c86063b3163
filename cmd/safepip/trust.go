package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/safepip/safepip/project"
)

type trustCmd struct {
	Update trustUpdateCmd `cmd:"" help:"Refresh the Sigstore trusted root through TUF into the cache (needs network)."`
}

type trustUpdateCmd struct {
	Repository string `help:"The TUF repository to update from (default: Sigstore's public-good one)." placeholder:"URL"`
}

func (c *trustUpdateCmd) Run(g *globals, e *env) error {
	r, err := project.TrustUpdate(context.Background(), e.project(g), project.TrustUpdateOptions{RepositoryURL: c.Repository})
	if err != nil {
		return err
	}
	switch {
	case g.JSON:
		_ = json.NewEncoder(e.stdout).Encode(struct {
			Path string `json:"path"`
		}{r.Name()})
	case !g.Quiet:
		fmt.Fprintf(e.stdout, "Saved the Sigstore trusted root to %s; lock, install and verify use it when safepip.toml sets no trusted-root\n", r.Name())
	}
	return nil
}
