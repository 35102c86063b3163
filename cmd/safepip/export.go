package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/project"
)

type exportCmd struct {
	Format string `required:"" enum:"pylock,requirements" placeholder:"pylock|requirements" help:"pylock: a PEP 751 pylock.toml; requirements: a hashed requirements.txt for plain pip."`
	Lock   string `help:"The lock file to export (default: safepip.lock)." default:"safepip.lock" placeholder:"PATH"`
	Output string `short:"o" help:"Write to this file (atomically) instead of stdout." placeholder:"FILE"`
}

func (c *exportCmd) Run(g *globals, e *env) error {
	f, err := lock.Read(c.Lock)
	if errors.Is(err, fs.ErrNotExist) {
		return &project.InputError{Err: fmt.Errorf("%s does not exist; run \"safepip lock\" first, or name the lock with --lock", c.Lock)}
	}
	if err != nil {
		return err
	}
	// Source paths are relative to the lock; the export's, to where it is
	// written (stdout: the working directory).
	outDir := "."
	if c.Output != "" {
		outDir = filepath.Dir(c.Output)
	}
	if err := f.RebaseSources(filepath.Dir(c.Lock), outDir); err != nil {
		return &project.InputError{Err: fmt.Errorf("%s: %w", c.Lock, err)}
	}
	var data []byte
	switch c.Format {
	case "pylock":
		data, err = lock.ExportPylock(f, e.getenv)
	default:
		data, err = lock.ExportRequirements(f)
	}
	if err != nil {
		return &project.InputError{Err: fmt.Errorf("%s: %w", c.Lock, err)}
	}
	if c.Output == "" {
		if g.JSON {
			return &project.InputError{Err: errors.New("--json reports on a written file: add -o FILE")}
		}
		_, err := e.stdout.Write(data)
		return err
	}
	if err := lock.WriteFileAtomic(c.Output, data); err != nil {
		return err
	}
	switch {
	case g.JSON:
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Format   string `json:"format"`
			Path     string `json:"path"`
			Packages int    `json:"packages"`
		}{c.Format, c.Output, len(f.Packages)})
	case !g.Quiet:
		fmt.Fprintf(e.stdout, "Exported %d packages from %s to %s (%s)\n", len(f.Packages), c.Lock, c.Output, c.Format)
	}
	return nil
}
