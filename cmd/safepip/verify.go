package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/safepip/safepip/project"
	"github.com/safepip/safepip/sarif"
)

type verifyCmd struct {
	Lock      string `help:"The lock file." default:"safepip.lock" placeholder:"PATH"`
	Offline   bool   `help:"Use only the cache: a missing file or provenance is a finding, not a download."`
	Installed bool   `help:"Also compare the interpreter's installed distributions and their RECORD hashes with the lock."`
	Python    string `help:"The interpreter whose files (and, with --installed, environment) to check (default: the active virtualenv's, else python3); without it and --installed, every locked file is checked." placeholder:"PATH"`
	Format    string `help:"Report format on stdout: text, json (as --json) or sarif (SARIF 2.1.0 for code scanning); the exit status is the same." enum:"text,json,sarif" default:"text"`
}

func (c *verifyCmd) Run(g *globals, e *env) error {
	res, err := project.Verify(context.Background(), e.project(g), project.VerifyOptions{
		LockPath: c.Lock, Offline: c.Offline, Installed: c.Installed, Python: c.Python,
	})
	if res != nil {
		summarizeVerify(e, res)
	}
	switch {
	case res == nil && err != nil && c.Format == "sarif":
		// stdout stays a SARIF file, which says the verification did not run.
		log := sarif.Verify(&project.VerifyResult{}, version, sarifFiles(nil, c.Lock))
		log.Fail(err.Error())
		if werr := printSARIF(e, log); werr != nil {
			return werr
		}
	case res != nil && c.Format == "sarif":
		if werr := printSARIF(e, sarif.Verify(res, version, sarifFiles(nil, res.LockPath))); werr != nil {
			return werr
		}
	case res != nil:
		printVerifyResult(g.JSON || c.Format == "json", g.Quiet, e, res)
	}
	return err
}

func printVerifyResult(asJSON, quiet bool, e *env, res *project.VerifyResult) {
	if asJSON {
		out := struct {
			*project.VerifyResult
			OK bool `json:"ok"`
		}{res, len(res.Findings) == 0}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return
	}
	for _, n := range res.Notes {
		if !quiet {
			fmt.Fprintf(e.stderr, "safepip: note: %s\n", n)
		}
	}
	if len(res.Findings) > 0 {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PACKAGE\tVERSION\tFILE\tPROBLEM")
		for _, f := range res.Findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Package, orDash(f.Version), orDash(f.File), f.Kind)
		}
		tw.Flush()
		fmt.Fprintln(e.stdout)
		for _, f := range res.Findings {
			fmt.Fprintln(e.stdout, f.String())
		}
		return
	}
	if quiet {
		return
	}
	msg := fmt.Sprintf("Verified %d files (%d attested", res.Files, res.Attested)
	if res.Root != "" {
		msg += ", trusted root " + res.Root
	}
	msg += ")"
	if res.Installed > 0 {
		msg += fmt.Sprintf(" and %d installed distributions", res.Installed)
	}
	fmt.Fprintf(e.stdout, "%s against %s: no findings\n", msg, res.LockPath)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
