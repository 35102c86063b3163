package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/safepip/safepip/audit"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/project"
)

type placeholderCmd struct {
	Name    string `arg:"" help:"The project name to reserve on the public index."`
	Version string `help:"The placeholder's version: keep it below every real release." default:"0.0.0a0"`
	Out     string `help:"The directory to write the wheel and sdist to, created if missing (default: dist)." default:"dist" placeholder:"DIR"`
	Message string `help:"What importing the placeholder raises (default: names the owner and the fix)." placeholder:"TEXT"`
	Owner   string `help:"Who reserves the name and how to reach them, e.g. \"Acme security <security@acme.example>\"." placeholder:"TEXT"`
}

func (c *placeholderCmd) Run(g *globals, e *env) error {
	p, err := audit.BuildPlaceholder(audit.PlaceholderOptions{Name: c.Name, Version: c.Version, Owner: c.Owner, Message: c.Message})
	if err != nil {
		return &project.InputError{Err: err}
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return err
	}
	paths := []string{filepath.Join(c.Out, p.Wheel.Filename), filepath.Join(c.Out, p.Sdist.Filename)}
	for i, a := range []audit.Artifact{p.Wheel, p.Sdist} {
		if err := lock.WriteFileAtomic(paths[i], a.Data); err != nil {
			return err
		}
	}
	if c.Owner == "" {
		fmt.Fprintln(e.stderr, "safepip: hint: add --owner: PyPI's name policy (PEP 541) may treat an anonymous empty project as squatting")
	}
	upload := "twine upload " + paths[0] + " " + paths[1]
	if g.JSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Name    string   `json:"name"`
			Version string   `json:"version"`
			Module  string   `json:"module"`
			Files   []string `json:"files"`
			Upload  string   `json:"upload"`
		}{p.Name, p.Version, p.Module, paths, upload})
	}
	if g.Quiet {
		return nil
	}
	w := e.stdout
	fmt.Fprintf(w, "Wrote a placeholder for %q %s:\n  %s\n  %s\n", p.Name, p.Version, paths[0], paths[1])
	fmt.Fprintf(w, "Importing %s raises ImportError: %s\n\n", p.Module, p.Message)
	fmt.Fprintf(w, "To reserve the name on the public index, upload both files:\n  %s\n\n", upload)
	fmt.Fprintf(w, "The real protection is routing: pin %q to your private index in safepip.toml,\n", p.Name)
	fmt.Fprintf(w, "  [[index]]\n  name = \"internal\"\n  url = \"https://pypi.internal.example/simple\"\n  packages = [%q]\n", p.Name)
	fmt.Fprintln(w, "so that safepip never asks another index for it. A reserved public name is the second")
	fmt.Fprintln(w, "line of defence, for the machines where someone runs plain pip with --extra-index-url.")
	return nil
}
