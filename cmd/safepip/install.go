package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/project"
)

type installCmd struct {
	Requirement    []string `short:"r" help:"Requirements file (repeatable); the lock is made or refreshed from them." placeholder:"FILE" type:"path"`
	Constraint     []string `short:"c" help:"Constraints file (repeatable)." placeholder:"FILE" type:"path"`
	Lock           string   `help:"The lock file." default:"safepip.lock" placeholder:"PATH"`
	Frozen         bool     `help:"Install only what the lock says; exit 1 when it is missing or stale."`
	DryRun         bool     `name:"dry-run" help:"Show what would be downloaded and installed; change nothing."`
	Pre            bool     `help:"Allow pre-releases of every project (when locking)."`
	Refresh        bool     `help:"When locking, ask the indexes again for every page, even those their Cache-Control says are fresh."`
	Python         string   `help:"The target interpreter (default: the active virtualenv's, else python3)." placeholder:"PATH"`
	PythonVersion  string   `name:"python-version" help:"With --platform and --dry-run: show the selection for this Python version instead of an interpreter's." placeholder:"X.Y"`
	Platform       string   `help:"With --python-version and --dry-run: show the selection for this platform tag (manylinux_2_17_x86_64, macosx_14_0_arm64, win_amd64)." placeholder:"TAG"`
	Target         string   `help:"pip: install into this directory." placeholder:"DIR"`
	Prefix         string   `help:"pip: install under this prefix." placeholder:"DIR"`
	Root           string   `help:"pip: install relative to this root." placeholder:"DIR"`
	User           bool     `help:"pip: install into the user site."`
	Upgrade        bool     `short:"U" help:"pip: upgrade packages already installed."`
	ForceReinstall bool     `name:"force-reinstall" help:"pip: reinstall even when up to date."`
	NoCompile      bool     `name:"no-compile" help:"pip: do not compile .py files."`
	Exact          bool     `help:"After installing, uninstall (pip uninstall -y) every distribution the lock does not select for this environment; pip, setuptools and wheel stay unless locked. With --dry-run, list them."`
	Editable       []string `short:"e" help:"pip's -e PATH is written in a requirements file here (-e ./dir, relative to the working directory), so that the lock records it relative to itself; the project in the working directory is installed editable by a plain safepip install." placeholder:"PATH"`
	NoProject      bool     `name:"no-project" help:"Do not install the project of pyproject.toml itself, only its dependencies. The lock still records it (an editable path source \".\", built from its [build-system]); a pyproject.toml without [build-system] or setup.py is never installed."`
	sourceFlags
	indexFlags
}

func (c *installCmd) Run(g *globals, e *env) error {
	if len(c.Editable) > 0 {
		// An argument is recorded in the lock as written ([requested]),
		// and a path given here has no place to be relative to.
		return &project.InputError{Err: fmt.Errorf("-e %s: an editable install is a line of a requirements file here: write \"-e %s\" in requirements.txt and run `safepip install -r requirements.txt`; in the project's own directory, `safepip install` alone installs it editable (--no-project: only its dependencies)", c.Editable[0], c.Editable[0])}
	}
	pe := e.project(g)
	if g.Verbose {
		pe.Progress = e.stderr
	}
	quiet := 1 // pip's chatter is noise once safepip has verified everything
	if g.Verbose {
		quiet = 0
	}
	o := project.InstallOptions{
		Requirements:  c.Requirement,
		Constraints:   c.Constraint,
		LockPath:      c.Lock,
		Frozen:        c.Frozen,
		DryRun:        c.DryRun,
		Python:        c.Python,
		PythonVersion: c.PythonVersion,
		Platform:      c.Platform,
		Index:         c.indexFlags.config(),
		Pre:           c.Pre,
		Refresh:       c.Refresh,
		CreatedBy:     "safepip " + version,
		Sources:       c.sourceFlags.sources(),
		Exact:         c.Exact,
		Pip: install.PipOptions{Target: c.Target, Prefix: c.Prefix, Root: c.Root, User: c.User,
			Upgrade: c.Upgrade, ForceReinstall: c.ForceReinstall, NoCompile: c.NoCompile, Quiet: quiet},
	}
	o.Project.NoProject = c.NoProject
	res, err := project.Install(context.Background(), pe, o)
	if err != nil {
		return err
	}
	if res.Locked != nil && !g.JSON {
		printLockResult(g, e, res.Locked)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "safepip: warning: %s\n", w)
	}
	if g.JSON {
		type pkg struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Marker  string `json:"marker,omitempty"`
			File    string `json:"file"`
			SHA256  string `json:"sha256"`
		}
		out := struct {
			Lock        string                `json:"lock"`
			Environment string                `json:"environment"`
			Relock      bool                  `json:"relocked"`
			NoOp        bool                  `json:"no_op"`
			DryRun      bool                  `json:"dry_run"`
			Install     []pkg                 `json:"packages"`
			Removed     []pkg                 `json:"removed"` // --exact: uninstalled, or would be with --dry-run
			Builds      []buildJSON           `json:"builds"`
			Indexes     []project.IndexSource `json:"indexes"`
		}{Lock: res.LockPath, Environment: res.Environment, Relock: res.Locked != nil && res.Locked.Written, NoOp: res.NoOp, DryRun: c.DryRun, Install: []pkg{}, Removed: []pkg{}, Builds: buildsJSON(res), Indexes: res.Indexes}
		for _, d := range res.Removed {
			out.Removed = append(out.Removed, pkg{Name: d.Name, Version: d.Version})
		}
		for _, ch := range res.Planned {
			out.Install = append(out.Install, pkg{ch.Package.Name, ch.Package.Version, ch.Package.Marker, ch.File.Name, ch.File.SHA256})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if g.Quiet {
		return nil
	}
	switch {
	case res.NoOp:
		fmt.Fprintf(e.stdout, "All %d locked packages are already installed\n", len(res.Planned))
	case c.DryRun:
		fmt.Fprintf(e.stdout, "Would install %d packages into %s (verified against %s):\n", len(res.Planned), res.Environment, res.LockPath)
		for _, ch := range res.Planned {
			file := ch.File.Name
			if ch.Package.Source != nil {
				file = ch.Package.Source.String()
			}
			fmt.Fprintf(e.stdout, "  %s %s  %s\n", ch.Package.Name, ch.Package.Version, file)
		}
		if len(res.Builds) > 0 {
			fmt.Fprintf(e.stdout, "Would build %d of them first, each in a fresh environment of locked, verified wheels:\n", len(res.Builds))
			for _, b := range res.Builds {
				fmt.Fprintf(e.stdout, "  %s\n", b)
			}
		}
	default:
		fmt.Fprintf(e.stdout, "Installed %d packages, every file verified against %s:\n", len(res.Installed), res.LockPath)
		for _, f := range res.Installed {
			fmt.Fprintf(e.stdout, "  %s %s %s\n", f.Package.Name, f.Package.Version, origin(f.Package))
		}
		for _, w := range res.Built {
			how := "built " + filepath.Base(w.Wheel)
			if w.Cached {
				how = "built wheel from cache, " + filepath.Base(w.Wheel)
			}
			fmt.Fprintf(e.stdout, "  %s %s: %s\n", w.Package.Name, w.Package.Version, how)
		}
	}
	if len(res.Removed) > 0 {
		verb := "Removed"
		if c.DryRun {
			verb = "Would remove"
		}
		fmt.Fprintf(e.stdout, "%s %d distributions the lock does not hold (--exact):\n", verb, len(res.Removed))
		for _, d := range res.Removed {
			fmt.Fprintf(e.stdout, "  %s %s\n", d.Name, d.Version)
		}
	}
	return nil
}

// origin says where an installed package came from: its index, or its
// locked source (a directory or a git commit), or the sdist it was built
// from.
func origin(p *lock.Package) string {
	switch {
	case p.Source != nil:
		return "from " + p.Source.String() // "from path . (editable)"
	case p.Index == "":
		return "(" + p.URL + ")"
	}
	return "(" + p.Index + ")"
}

// buildJSON is one build of install --json: what is built, from where,
// with which locked build dependencies, and (after an install) the wheel.
type buildJSON struct {
	Name              string   `json:"name"`
	Version           string   `json:"version"`
	From              string   `json:"from"`
	Isolated          bool     `json:"isolated"`
	BuildDependencies []string `json:"build_dependencies"`
	Wheel             string   `json:"wheel,omitempty"`
	SHA256            string   `json:"sha256,omitempty"`
	Cached            bool     `json:"cached,omitempty"`
}

func buildsJSON(res *project.InstallResult) []buildJSON {
	out := []buildJSON{}
	for _, b := range res.Builds {
		j := buildJSON{Name: b.Choice.Package.Name, Version: b.Choice.Package.Version, From: b.From, Isolated: b.Isolated, BuildDependencies: []string{}}
		for _, d := range b.Deps {
			j.BuildDependencies = append(j.BuildDependencies, d.Package.Name+"=="+d.Package.Version)
		}
		for _, w := range res.Built {
			if w.Package == b.Choice.Package {
				j.Wheel, j.SHA256, j.Cached = filepath.Base(w.Wheel), w.SHA256, w.Cached
			}
		}
		out = append(out, j)
	}
	return out
}
