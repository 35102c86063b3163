package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/safepip/safepip/audit"
	"github.com/safepip/safepip/project"
	"github.com/safepip/safepip/sarif"
)

type auditCmd struct {
	Requirement []string `short:"r" help:"Requirements file whose index options and names to audit (repeatable)." placeholder:"FILE"`
	PublicIndex string   `name:"public-index" help:"The public index anyone can publish to (default: PyPI's simple API)." placeholder:"URL"`
	Strict      bool     `help:"Exit 1 on unclaimed names too, not only on shadowed ones."`
	Format      string   `help:"Report format on stdout: text, json (as --json) or sarif (SARIF 2.1.0 for code scanning); the exit status is the same." enum:"text,json,sarif" default:"text"`
}

// auditJSON is the --json document; Help documents its schema and
// integration/testdata/audit_json.txtar pins it.
type auditJSON struct {
	SchemaVersion int `json:"schema_version"`
	*audit.Report
	Summary map[audit.Class]int `json:"summary"`
	Exposed bool                `json:"exposed"`
}

// Help documents the --json schema.
func (auditCmd) Help() string {
	return `Lists every index a pip user here would hit (requirements files, pip.conf
files, PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, safepip.toml),
then asks the public index for every project the private ones serve.

Classes: unclaimed (the public name is free), shadowed (plain pip picks the
public copy today), claimed (public has lower versions only), pinned
(safepip routing sends it to one index).

Exit status: 1 when a project is shadowed (or unclaimed with --strict),
4 when an index could not be read, 0 otherwise.

--json prints one object: schema_version (1); public_index and indexes
(name, url without credentials, kind "simple"|"find-links", public,
sources, listed, projects, note, error); findings (project, class, index,
pinned_to, versions, public_versions, remedy); errors; summary (count per
class); exposed (true when the exit status is 1).`
}

func (c *auditCmd) Run(g *globals, e *env) error {
	rep, err := project.Audit(context.Background(), e.project(g), project.AuditOptions{
		Requirements: c.Requirement,
		PublicIndex:  c.PublicIndex,
	})
	if rep == nil {
		if c.Format == "sarif" && err != nil {
			// stdout stays a SARIF file, which says the audit did not run.
			log := sarif.Audit(&audit.Report{}, c.Strict, version, sarifFiles(c.Requirement, ""))
			log.Fail(err.Error())
			if werr := printSARIF(e, log); werr != nil {
				return werr
			}
		}
		return err
	}
	check := rep.Check(c.Strict)
	summarizeAudit(e, rep)
	if c.Format == "sarif" {
		if werr := printSARIF(e, sarif.Audit(rep, c.Strict, version, sarifFiles(c.Requirement, project.DefaultLockName))); werr != nil {
			return werr
		}
	} else if g.JSON || c.Format == "json" {
		doc := auditJSON{SchemaVersion: 1, Report: rep, Summary: map[audit.Class]int{}, Exposed: check != nil}
		for _, cl := range []audit.Class{audit.Unclaimed, audit.Shadowed, audit.Claimed, audit.Pinned} {
			doc.Summary[cl] = rep.Count(cl)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if werr := enc.Encode(doc); werr != nil {
			return werr
		}
	} else if !g.Quiet {
		printAudit(e, rep)
	}
	if err != nil {
		return err // an incomplete audit is never an all-clear
	}
	return check
}

func printAudit(e *env, rep *audit.Report) {
	w := e.stdout
	fmt.Fprintf(w, "Public index: %s\n", rep.Public.URL)
	for _, src := range rep.Public.Sources {
		fmt.Fprintf(w, "      from %s\n", src)
	}
	if len(rep.Indexes) == 0 {
		fmt.Fprintln(w, "No private index is configured: nothing to audit.")
		return
	}
	fmt.Fprintln(w, "Private indexes:")
	for _, x := range rep.Indexes {
		fmt.Fprintf(w, "  %s  %s (%s)\n", x.Name, x.URL, x.Kind)
		for _, s := range x.Sources {
			fmt.Fprintf(w, "      from %s\n", s)
		}
		if x.Note != "" {
			fmt.Fprintf(w, "      note: %s\n", x.Note)
		}
		if x.Error != "" {
			fmt.Fprintf(w, "      ERROR: %s\n", x.Error)
		}
	}
	fmt.Fprintln(w)
	if len(rep.Findings) == 0 {
		fmt.Fprintln(w, "No private project found to check.")
		return
	}
	// The rows are aligned alone, then each is followed by its remedy.
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tCLASS\tINDEX\tPRIVATE\tPUBLIC")
	for _, f := range rep.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Project, f.Class, f.Index, versionRange(f.Versions), versionRange(f.PublicVersions))
	}
	tw.Flush()
	rows := strings.Split(strings.TrimSuffix(table.String(), "\n"), "\n")
	fmt.Fprintln(w, rows[0])
	for i, f := range rep.Findings {
		fmt.Fprintln(w, strings.TrimRight(rows[i+1], " "))
		fmt.Fprintf(w, "  -> %s\n", f.Remedy)
	}
	fmt.Fprintf(w, "\n%d unclaimed, %d shadowed, %d claimed, %d pinned\n",
		rep.Count(audit.Unclaimed), rep.Count(audit.Shadowed), rep.Count(audit.Claimed), rep.Count(audit.Pinned))
	if rep.Count(audit.Unclaimed)+rep.Count(audit.Shadowed)+rep.Count(audit.Claimed) > 0 {
		fmt.Fprintln(w, "Routing (packages pins in safepip.toml) is the real protection; a reserved public name is the second line.")
	}
}

// versionRange shows versions compactly: "-" for none, else the lowest and
// highest.
func versionRange(vs []string) string {
	switch len(vs) {
	case 0:
		return "-"
	case 1:
		return vs[0]
	case 2:
		return vs[0] + ", " + vs[1]
	}
	return strings.Join([]string{vs[0], "..", vs[len(vs)-1]}, " ")
}
