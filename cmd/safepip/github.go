package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/safepip/safepip/audit"
	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/project"
	"github.com/safepip/safepip/pypa/reqfile"
)

// In a GitHub Actions step (GITHUB_ACTIONS=true), an error that names a
// file is also printed as a workflow command, which GitHub shows as an
// annotation on that line of the pull request, and each command appends
// a short Markdown summary to $GITHUB_STEP_SUMMARY. Workflow commands go
// to stderr, which the runner reads as it reads stdout, so that --json
// and --format sarif keep stdout pure.

// inGitHubActions reports whether this process runs in a GitHub Actions step.
func (e *env) inGitHubActions() bool {
	v, _ := e.getenv("GITHUB_ACTIONS")
	return v == "true"
}

// errorPosition returns the file and line an error names; line is 0 when
// the error names a whole file, ok false when it names none.
func errorPosition(err error) (file string, line int, ok bool) {
	var (
		reqErr    *reqfile.Error
		configErr *config.Error
		lockErr   *lock.ParseError
		staleErr  *project.StaleError
	)
	switch {
	case errors.As(err, &reqErr) && reqErr.File != "":
		return reqErr.File, reqErr.Line, true
	case errors.As(err, &lockErr) && lockErr.File != "":
		return lockErr.File, lockErr.Line, true
	case errors.As(err, &configErr) && configErr.File != "":
		file, line = configErr.File, configErr.Line
		// File may be a source such as "requirements.txt:3".
		if i := strings.LastIndexByte(file, ':'); line == 0 && i > 0 {
			if n, err := strconv.Atoi(file[i+1:]); err == nil && n > 0 {
				file, line = file[:i], n
			}
		}
		return file, line, true
	case errors.As(err, &staleErr) && staleErr.Path != "":
		return staleErr.Path, 0, true
	}
	return "", 0, false
}

// annotate prints err as a GitHub ::error workflow command when it names
// a file.
func (e *env) annotate(err error) {
	file, line, ok := errorPosition(err)
	if !ok || !e.inGitHubActions() {
		return
	}
	props := "file=" + escapeProperty(e.workspacePath(file))
	if line > 0 {
		props += ",line=" + strconv.Itoa(line)
	}
	props += ",title=" + escapeProperty("safepip")
	fmt.Fprintf(e.stderr, "::error %s::%s\n", props, escapeData(err.Error()))
}

// workspacePath returns file relative to $GITHUB_WORKSPACE, the
// repository root annotation paths are relative to, when it is under it.
func (e *env) workspacePath(file string) string {
	ws, _ := e.getenv("GITHUB_WORKSPACE")
	if ws == "" {
		return filepath.ToSlash(file)
	}
	abs := file
	if !filepath.IsAbs(abs) {
		wd, err := os.Getwd()
		if err != nil {
			return filepath.ToSlash(file)
		}
		abs = filepath.Join(wd, file)
	}
	rel, err := filepath.Rel(ws, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(file)
	}
	return filepath.ToSlash(rel)
}

// escapeData escapes a workflow command's message as the runner expects.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// writeStepSummary appends a short Markdown summary of the command to
// $GITHUB_STEP_SUMMARY: what ran, its exit status, the error and the
// lines the command added (e.summary). A summary that cannot be written
// is reported and changes nothing else.
func (e *env) writeStepSummary(code int, err error) {
	path, _ := e.getenv("GITHUB_STEP_SUMMARY")
	if path == "" || !e.inGitHubActions() {
		return
	}
	var b strings.Builder
	status := "passed"
	if code != exitOK {
		status = fmt.Sprintf("failed (exit status %d: %s)", code, exitMeaning(code))
	}
	fmt.Fprintf(&b, "### safepip %s: %s\n\n", markdownCode(strings.Join(e.args, " ")), status)
	for _, line := range e.summary {
		b.WriteString(line + "\n")
	}
	if err != nil {
		if len(e.summary) > 0 {
			b.WriteString("\n")
		}
		b.WriteString("```\n" + strings.ReplaceAll(err.Error(), "```", "'''") + "\n```\n")
	}
	b.WriteString("\n")
	f, ferr := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if ferr == nil {
		_, ferr = f.WriteString(b.String())
		if cerr := f.Close(); ferr == nil {
			ferr = cerr
		}
	}
	if ferr != nil {
		fmt.Fprintf(e.stderr, "safepip: writing the step summary: %v\n", ferr)
	}
}

// markdownCode returns s as inline code, fenced with more backticks than
// it contains.
func markdownCode(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// exitMeaning names an exit status, as DESIGN.md's table does.
func exitMeaning(code int) string {
	switch code {
	case exitCheck:
		return "a check failed"
	case exitUsage:
		return "usage or input error"
	case exitResolution:
		return "resolution impossible or ambiguous"
	case exitNetwork:
		return "network or index failure"
	case exitPip:
		return "pip failed"
	case exitLocalIO:
		return "local I/O failure"
	}
	return "failure"
}

// maxSummaryRows bounds the findings a step summary lists; the full
// report is in the log, --json or --format sarif.
const maxSummaryRows = 50

// summarizeAudit adds the audit's counts and findings to the step summary.
func summarizeAudit(e *env, rep *audit.Report) {
	if !e.inGitHubActions() {
		return
	}
	e.summary = append(e.summary, fmt.Sprintf("%d unclaimed, %d shadowed, %d claimed, %d pinned",
		rep.Count(audit.Unclaimed), rep.Count(audit.Shadowed), rep.Count(audit.Claimed), rep.Count(audit.Pinned)))
	if len(rep.Findings) == 0 {
		return
	}
	e.summary = append(e.summary, "", "| project | class | index | remedy |", "| --- | --- | --- | --- |")
	for i, f := range rep.Findings {
		if i == maxSummaryRows {
			e.summary = append(e.summary, fmt.Sprintf("| ... | %d more | | |", len(rep.Findings)-i))
			break
		}
		e.summary = append(e.summary, fmt.Sprintf("| %s | %s | %s | %s |", markdownCell(f.Project), f.Class, markdownCell(f.Index), markdownCell(f.Remedy)))
	}
}

// summarizeVerify adds what verify checked and found to the step summary.
func summarizeVerify(e *env, res *project.VerifyResult) {
	if !e.inGitHubActions() {
		return
	}
	line := fmt.Sprintf("%d files checked (%d attested)", res.Files, res.Attested)
	if res.Installed > 0 {
		line += fmt.Sprintf(", %d installed distributions", res.Installed)
	}
	e.summary = append(e.summary, fmt.Sprintf("%s: %d findings", line, len(res.Findings)))
	if len(res.Findings) == 0 {
		return
	}
	e.summary = append(e.summary, "", "| package | version | file | problem |", "| --- | --- | --- | --- |")
	for i, f := range res.Findings {
		if i == maxSummaryRows {
			e.summary = append(e.summary, fmt.Sprintf("| ... | | | %d more |", len(res.Findings)-i))
			break
		}
		e.summary = append(e.summary, fmt.Sprintf("| %s | %s | %s | %s |", markdownCell(f.Package), markdownCell(f.Version), markdownCell(f.File), markdownCell(f.Kind)))
	}
}

// markdownCell makes s safe in a Markdown table cell.
func markdownCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}
