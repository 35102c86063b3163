package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/alecthomas/kong"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/project"
)

// indexFlags are pip's index and format options, for safepip's routing
// and locking (never for pip).
type indexFlags struct {
	IndexURL      string       `name:"index-url" short:"i" help:"The default index (as pip's --index-url)." placeholder:"URL"`
	ExtraIndexURL []string     `name:"extra-index-url" help:"Another index; a project found on two indexes is refused until safepip.toml pins it." placeholder:"URL"`
	FindLinks     []string     `name:"find-links" short:"f" help:"A directory or page of distribution links." placeholder:"URL|DIR"`
	NoIndex       bool         `name:"no-index" help:"Use no simple index, only --find-links."`
	NoBinary      formatValues `name:"no-binary" help:"As pip: build these projects from their sdist, never using their wheels (comma-separated names, :all: or :none:; repeatable, the last value naming a project wins). Naming a project allows its sdist. Build dependencies are always wheels: --no-binary :all: builds every runtime package, never setuptools and the like." placeholder:"NAMES"`
	OnlyBinary    formatValues `name:"only-binary" help:"As pip: use only wheels of these projects, even where [policy] allow-sdist allows their sdist (comma-separated names, :all: or :none:; repeatable)." placeholder:"NAMES"`
}

func (f indexFlags) config() config.Flags {
	return config.Flags{IndexURL: f.IndexURL, ExtraIndexURLs: f.ExtraIndexURL, FindLinks: f.FindLinks, NoIndex: f.NoIndex,
		Format: interleave(f.NoBinary, f.OnlyBinary)}
}

// formatValues are the values of --no-binary or --only-binary, each with
// the number of command-line tokens left after it: pip applies the two
// flags in the order given (the last one naming a project wins), and
// that count restores the order across the two lists.
type formatValues []formatValue

type formatValue struct {
	value string
	left  int
}

// Decode implements kong.MapperValue: one value, not split at commas
// (pip splits it, and ":all:,foo" is not ":all:" then "foo").
func (f *formatValues) Decode(ctx *kong.DecodeContext) error {
	var v string
	if err := ctx.Scan.PopValueInto("value", &v); err != nil {
		return err
	}
	*f = append(*f, formatValue{v, ctx.Scan.Len()})
	return nil
}

// interleave returns the values of both flags in command-line order.
func interleave(noBinary, onlyBinary formatValues) []config.FormatFlag {
	type item struct {
		formatValue
		no bool
	}
	var all []item
	for _, v := range noBinary {
		all = append(all, item{v, true})
	}
	for _, v := range onlyBinary {
		all = append(all, item{v, false})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].left > all[j].left })
	out := make([]config.FormatFlag, len(all))
	for i, it := range all {
		out[i] = config.FormatFlag{NoBinary: it.no, Value: it.value}
	}
	return out
}

// targetFlags choose the environment to resolve for.
type targetFlags struct {
	Python        string `help:"The target interpreter (default: the active virtualenv's, else python3)." placeholder:"PATH"`
	PythonVersion string `name:"python-version" help:"Narrow to this Python version (lock: alone, every platform stays; with --platform, one described target)." placeholder:"X.Y"`
	Platform      string `help:"Narrow to this platform, e.g. manylinux_2_28_x86_64, macosx_14_0_arm64, win_amd64 (lock: alone, every Python version stays)." placeholder:"TAG"`
}

func (f targetFlags) options() project.TargetOptions {
	return project.TargetOptions{Python: f.Python, PythonVersion: f.PythonVersion, Platform: f.Platform}
}

// sourceFlags say what to lock besides -r and -c files.
type sourceFlags struct {
	Packages      []string `arg:"" optional:"" name:"requirement" help:"Requirements to lock, as pip takes them: NAME[EXTRAS]SPEC or \"NAME @ URL\" (quote them for the shell); they join the -r files as inputs of the lock."`
	Project       string   `name:"project" help:"Read DIR/pyproject.toml (default: ./pyproject.toml when no -r is given): [project] dependencies, the selected extras and dependency groups, requires-python. safepip.toml and the lock stay those of the working directory (see --lock)." placeholder:"DIR" type:"path"`
	Extra         []string `name:"extra" help:"Lock this [project.optional-dependencies] extra too (repeatable)." placeholder:"NAME"`
	AllExtras     bool     `name:"all-extras" help:"Lock every extra of the project."`
	Group         []string `name:"group" help:"Lock this PEP 735 [dependency-groups] group too, its include-group entries expanded (repeatable)." placeholder:"NAME"`
	AllGroups     bool     `name:"all-groups" help:"Lock every dependency group of the project."`
	RequireHashes bool     `name:"require-hashes" help:"As pip: every requirement line needs a --hash, and every locked project a hashed line (a requirements file may also say --require-hashes)."`
}

func (f sourceFlags) sources() project.Sources {
	return project.Sources{Packages: f.Packages, RequireHashes: f.RequireHashes, Project: project.ProjectOptions{
		Dir: f.Project, Extras: f.Extra, AllExtras: f.AllExtras, Groups: f.Group, AllGroups: f.AllGroups}}
}

type lockCmd struct {
	Requirement          []string `short:"r" help:"Requirements file (repeatable)." placeholder:"FILE" type:"path"`
	Constraint           []string `short:"c" help:"Constraints file (repeatable)." placeholder:"FILE" type:"path"`
	Lock                 string   `help:"The lock file." default:"safepip.lock" placeholder:"PATH"`
	Check                bool     `help:"Exit 1 when the lock is missing, stale or would change; write nothing."`
	DryRun               bool     `name:"dry-run" help:"Resolve and show the changes; write nothing."`
	Upgrade              bool     `short:"U" help:"Ignore the versions in the existing lock."`
	UpgradePackage       []string `name:"upgrade-package" short:"P" help:"Ignore the locked version of this project (repeatable)." placeholder:"NAME"`
	Refresh              bool     `help:"Ask the indexes again for every page, even those their Cache-Control says are fresh (--upgrade implies it)."`
	Pre                  bool     `help:"Allow pre-releases of every project."`
	ExcludeNewer         string   `name:"exclude-newer" help:"Ignore files uploaded after this time (RFC 3339)." placeholder:"TIME"`
	MinReleaseAge        string   `name:"min-release-age" help:"Ignore files younger than this, e.g. 7d, 12h, 1w." placeholder:"AGE"`
	AllowPublisherChange []string `name:"allow-publisher-change" help:"Accept a project whose attestation publisher differs from the locked one (repeatable)." placeholder:"NAME"`
	RequiresPython       string   `name:"requires-python" help:"The Python versions the lock serves (default: [resolution] requires-python, else pyproject.toml's, else >=3.9)." placeholder:"SPEC"`
	indexFlags
	targetFlags
	sourceFlags
}

func (c *lockCmd) Run(g *globals, e *env) error {
	o := project.LockOptions{
		Requirements:         c.Requirement,
		Constraints:          c.Constraint,
		LockPath:             c.Lock,
		Check:                c.Check,
		DryRun:               c.DryRun,
		Upgrade:              c.Upgrade,
		UpgradePackages:      c.UpgradePackage,
		Refresh:              c.Refresh,
		Pre:                  c.Pre,
		ExcludeNewer:         c.ExcludeNewer,
		MinReleaseAge:        c.MinReleaseAge,
		AllowPublisherChange: c.AllowPublisherChange,
		RequiresPython:       c.RequiresPython,
		Target:               c.targetFlags.options(),
		Index:                c.indexFlags.config(),
		CreatedBy:            "safepip " + version,
		Sources:              c.sourceFlags.sources(),
	}
	res, err := project.Lock(context.Background(), e.project(g), o)
	if res != nil {
		var stale *project.StaleError
		res.Stale = errors.As(err, &stale)
		printLockResult(g, e, res)
	}
	return err
}

func printLockResult(g *globals, e *env, res *project.LockResult) {
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "safepip: warning: %s\n", w)
	}
	if g.JSON {
		out := struct {
			Path     string                `json:"path"`
			Written  bool                  `json:"written"`
			Stale    bool                  `json:"stale"` // --check found the lock out of date
			Packages int                   `json:"packages"`
			Forks    int                   `json:"forks"`
			Changes  []lock.Change         `json:"changes"`
			Indexes  []project.IndexSource `json:"indexes"`
		}{res.Path, res.Written, res.Stale, len(res.Lock.Packages), forks(res.Lock), res.Changes, res.Indexes}
		if out.Changes == nil {
			out.Changes = []lock.Change{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return
	}
	if g.Quiet {
		return
	}
	for _, x := range res.Indexes {
		fmt.Fprintf(e.stdout, "index %s\n", x)
	}
	byIndex := map[string][]lock.Change{}
	for _, c := range res.Changes {
		group := c.Index
		if c.Source != "" {
			group = "sources" // local directories and VCS commits: no index
		}
		byIndex[group] = append(byIndex[group], c)
	}
	names := make([]string, 0, len(byIndex))
	for n := range byIndex {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(e.stdout, "%s:\n", n)
		for _, c := range byIndex[n] {
			where := "" // a universal lock's entry for some environments only
			if c.Marker != "" {
				where = " ; " + c.Marker
			}
			if c.Source != "" {
				where += " from " + c.Source
			}
			if c.Build {
				where += " (build dependency)" // used by builds, never installed
			}
			switch c.Kind {
			case "added":
				fmt.Fprintf(e.stdout, "  + %s %s%s\n", c.Name, c.NewVersion, where)
			case "removed":
				fmt.Fprintf(e.stdout, "  - %s %s%s\n", c.Name, c.OldVersion, where)
			case "changed":
				fmt.Fprintf(e.stdout, "  ~ %s %s%s (files or index changed)\n", c.Name, c.NewVersion, where)
			default:
				fmt.Fprintf(e.stdout, "  ~ %s %s -> %s%s\n", c.Name, c.OldVersion, c.NewVersion, where)
			}
		}
	}
	envs := ""
	if n := forks(res.Lock); n > 1 {
		envs = fmt.Sprintf(" for %d environments (forks)", n)
	}
	switch {
	case res.Written:
		fmt.Fprintf(e.stdout, "Locked %d packages%s into %s\n", len(res.Lock.Packages), envs, res.Path)
	case res.Stale:
		// the error that follows says why; "up to date" would contradict it
	case len(res.Changes) == 0:
		fmt.Fprintf(e.stdout, "%s is up to date (%d packages%s)\n", res.Path, len(res.Lock.Packages), envs)
	default:
		fmt.Fprintf(e.stdout, "Would lock %d packages%s (nothing written)\n", len(res.Lock.Packages), envs)
	}
}

// forks is how many environments chose their own versions: 1 when one
// resolution serves the whole scope.
func forks(f *lock.File) int {
	return max(1, len(f.Scope.Forks))
}
