package sarif

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/safepip/safepip/audit"
)

// auditRules are the classes of `safepip audit`, one rule each.
var auditRules = []Rule{
	auditRule(audit.Shadowed, "ShadowedPrivateProject", "error", "9.0",
		"A private project's name is on the public index with a version plain pip prefers",
		"Plain pip, given the private index and the public one (--extra-index-url), installs the public copy of this project today: the dependency confusion attack works now.",
		"Pin the project to its private index in safepip.toml ([[index]] packages = [\"NAME\"]) and install with safepip; ask the public index's maintainers about the public project if it is not yours."),
	auditRule(audit.Unclaimed, "UnclaimedPrivateProject", "warning", "7.0",
		"A private project's name is free on the public index",
		"Anyone can register this name on the public index and publish a version that plain pip would then install instead of the private one.",
		"Pin the project to its private index in safepip.toml; reserve the public name with `safepip placeholder NAME` as a second line of defence."),
	auditRule(audit.Claimed, "ClaimedPrivateProject", "warning", "5.0",
		"A private project's name exists on the public index with lower versions only",
		"The public index has this name with versions below the private ones: plain pip takes the private copy today, until the public project publishes a higher version.",
		"Pin the project to its private index in safepip.toml so a future public release cannot be chosen."),
	auditRule(audit.Pinned, "PinnedPrivateProject", "note", "1.0",
		"A private project is pinned to one index by safepip routing",
		"safepip resolves this project only from the index its packages pin names; plain pip on this machine is as exposed as the public versions say.",
		"Nothing to do for safepip; install with safepip rather than plain pip."),
}

func auditRule(class audit.Class, name, level, severity, short, full, help string) Rule {
	return newRule("audit/"+string(class), name, level, severity, "dependency-confusion", short, full, help)
}

// Audit returns the SARIF log of an audit report. strict is the --strict
// flag: unclaimed names are errors then, as they fail the command.
// version is safepip's.
func Audit(rep *audit.Report, strict bool, version string, files Files) *Log {
	l := newLocator(files)
	log := newLog(version, auditRules, l)
	run := &log.Runs[0]
	for _, e := range rep.Errors {
		run.Invocations[0].ExecutionSuccessful = false
		run.Invocations[0].Notifications = append(run.Invocations[0].Notifications, Notification{Level: "error", Message: Message{e}})
	}
	for _, x := range rep.Indexes {
		if x.Error != "" {
			run.Invocations[0].ExecutionSuccessful = false
		}
	}
	for _, f := range rep.Findings {
		level := ""
		if strict && f.Class == audit.Unclaimed {
			level = "error"
		}
		run.add("audit/"+string(f.Class), level, auditMessage(f), f.Project+"@"+f.Index, l.auditLocations(rep, f))
	}
	return log
}

func auditMessage(f audit.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %s: private index %q serves %s; the public index ", f.Project, f.Class, f.Index, versions(f.Versions))
	if len(f.PublicVersions) == 0 {
		b.WriteString("has no such project.")
	} else {
		fmt.Fprintf(&b, "serves %s.", versions(f.PublicVersions))
	}
	if f.PinnedTo != "" {
		fmt.Fprintf(&b, " safepip routes it to %q.", f.PinnedTo)
	}
	if f.Remedy != "" {
		b.WriteString(" Remedy: " + f.Remedy)
	}
	return b.String()
}

func versions(vs []string) string {
	switch len(vs) {
	case 0:
		return "no versions"
	case 1, 2, 3:
		return strings.Join(vs, ", ")
	}
	return fmt.Sprintf("%d versions, %s to %s", len(vs), vs[0], vs[len(vs)-1])
}

// auditLocations places a finding at the requirements line naming the
// project, else its lock entry, else the line declaring its private
// index, else the first requirements file or the lock as a whole.
func (l *locator) auditLocations(rep *audit.Report, f audit.Finding) []Location {
	if at, ok := l.reqLines[f.Project]; ok {
		return []Location{l.location(at.path, at.line)}
	}
	if at, ok := l.lockPkgs[f.Project]; ok {
		return []Location{l.location(at.path, at.line)}
	}
	for _, x := range rep.Indexes {
		if x.Name != f.Index {
			continue
		}
		for _, src := range x.Sources {
			if path, line, ok := sourceLine(src); ok {
				return []Location{l.location(path, line)}
			}
		}
	}
	if len(l.files.Requirements) > 0 {
		return []Location{l.location(l.files.Requirements[0], 0)}
	}
	if l.files.Lock != "" {
		return []Location{l.location(l.files.Lock, 0)}
	}
	return nil
}

// sourceLine reads an audit source such as "requirements.txt:3
// (--extra-index-url)" or "/etc/pip.conf:4 [global] extra-index-url";
// ok is false for a source without a line ("PIP_EXTRA_INDEX_URL").
func sourceLine(src string) (path string, line int, ok bool) {
	head, _, _ := strings.Cut(src, " ")
	i := strings.LastIndexByte(head, ':')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(head[i+1:])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return head[:i], n, true
}
