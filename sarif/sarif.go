// Package sarif writes the findings of `safepip audit` and `safepip verify`
// as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format),
// the format code scanning services such as GitHub's read.
//
// Each finding class is one rule (reportingDescriptor) with a fixed id, a
// description and the general remedy; each finding is one result at the
// requirements line or the lock's [[package]] line that causes it, its
// message ending with the finding's own remedy. The package is pure: the
// caller passes the function that reads the files the results point into.
package sarif

import (
	"bufio"
	"bytes"
	"path/filepath"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/reqfile"
)

// Schema is the URI of the SARIF 2.1.0 JSON schema a log names.
const Schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// Log is a SARIF log: one run per invocation of safepip.
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is one invocation of one command.
type Run struct {
	Tool        Tool         `json:"tool"`
	Invocations []Invocation `json:"invocations"`
	Results     []Result     `json:"results"`
	// OriginalURIBaseIDs says what the SRCROOT base of relative artifact
	// URIs is, when known.
	OriginalURIBaseIDs map[string]ArtifactLocation `json:"originalUriBaseIds,omitempty"`
}

// Tool is safepip, the run's driver.
type Tool struct {
	Driver Driver `json:"driver"`
}

// Driver describes safepip and its rules.
type Driver struct {
	Name           string `json:"name"`
	Version        string `json:"version,omitempty"`
	InformationURI string `json:"informationUri,omitempty"`
	Rules          []Rule `json:"rules"`
}

// Rule is one finding class (a SARIF reportingDescriptor).
type Rule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     Message        `json:"shortDescription"`
	FullDescription      Message        `json:"fullDescription"`
	Help                 Message        `json:"help"`
	DefaultConfiguration Configuration  `json:"defaultConfiguration"`
	Properties           RuleProperties `json:"properties"`
}

// newRule returns a rule; tag is its class of attack, beside "security".
func newRule(id, name, level, severity, tag, short, full, help string) Rule {
	return Rule{
		ID: id, Name: name,
		ShortDescription:     Message{short},
		FullDescription:      Message{full},
		Help:                 Message{help},
		DefaultConfiguration: Configuration{Level: level},
		Properties:           RuleProperties{Tags: []string{"security", tag}, SecuritySeverity: severity},
	}
}

// Configuration is a rule's default level.
type Configuration struct {
	Level string `json:"level"` // "error", "warning" or "note"
}

// RuleProperties are the property bag code scanning reads: tags, and a
// security-severity from 0.0 to 10.0 that it maps to critical, high,
// medium and low.
type RuleProperties struct {
	Tags             []string `json:"tags"`
	SecuritySeverity string   `json:"security-severity"`
}

// Message is a SARIF message: plain text.
type Message struct {
	Text string `json:"text"`
}

// Invocation says whether the command could do all its work.
type Invocation struct {
	ExecutionSuccessful bool           `json:"executionSuccessful"`
	Notifications       []Notification `json:"toolExecutionNotifications,omitempty"`
}

// Notification is a problem that kept the command from finishing its
// work, such as an index it could not read.
type Notification struct {
	Level   string  `json:"level"`
	Message Message `json:"message"`
}

// Result is one finding.
type Result struct {
	RuleID    string     `json:"ruleId"`
	RuleIndex int        `json:"ruleIndex"`
	Level     string     `json:"level"`
	Message   Message    `json:"message"`
	Locations []Location `json:"locations,omitempty"`
	// PartialFingerprints keep a finding's identity across runs when
	// the lines around it move.
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

// Location is where a result is.
type Location struct {
	PhysicalLocation PhysicalLocation `json:"physicalLocation"`
}

// PhysicalLocation is a file and, when known, a line of it.
type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           *Region          `json:"region,omitempty"`
}

// ArtifactLocation is a file: a URI relative to the base when UriBaseID
// is set, else an absolute file:// URI.
type ArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// Region is a 1-based line.
type Region struct {
	StartLine int `json:"startLine"`
}

// srcRoot is the uriBaseId of paths under the working directory.
const srcRoot = "SRCROOT"

// Files locates findings in the files a command read. Paths may be
// relative to Dir or absolute.
type Files struct {
	// Dir is the working directory: artifact URIs are relative to it when
	// the file is under it.
	Dir string
	// Requirements are the requirements files the command read, as named
	// on the command line.
	Requirements []string
	// Lock is the lock file; "" when there is none.
	Lock string
	// Read returns a file's content; a file it cannot read locates
	// nothing.
	Read func(path string) ([]byte, error)
}

// locator answers where a project is written.
type locator struct {
	files    Files
	reqLines map[string]fileLine // normalized name -> first requirements line naming it
	lockPkgs map[string]fileLine // "name" and "name==version" -> the [[package]] line
}

type fileLine struct {
	path string
	line int
}

func newLocator(f Files) *locator {
	l := &locator{files: f, reqLines: map[string]fileLine{}, lockPkgs: map[string]fileLine{}}
	if f.Read == nil {
		return l
	}
	for _, name := range f.Requirements {
		data, err := f.Read(l.abs(name))
		if err != nil {
			continue
		}
		parsed, err := reqfile.Parse(name, data, reqfile.Options{Open: func(n string) ([]byte, error) { return f.Read(l.abs(n)) }})
		if err != nil {
			continue // the command itself reported it; the locations are best effort
		}
		for _, r := range parsed.Requirements {
			if _, seen := l.reqLines[r.Name]; r.Name != "" && !seen {
				l.reqLines[r.Name] = fileLine{r.Source.File, r.Source.Line}
			}
		}
	}
	if f.Lock != "" {
		if data, err := f.Read(l.abs(f.Lock)); err == nil {
			for key, line := range PackageLines(data) {
				l.lockPkgs[key] = fileLine{f.Lock, line}
			}
		}
	}
	return l
}

func (l *locator) abs(p string) string {
	if filepath.IsAbs(p) || l.files.Dir == "" {
		return p
	}
	return filepath.Join(l.files.Dir, p)
}

// location returns a SARIF location for path, at line when it is > 0.
func (l *locator) location(path string, line int) Location {
	loc := Location{PhysicalLocation: PhysicalLocation{ArtifactLocation: l.artifact(path)}}
	if line > 0 {
		loc.PhysicalLocation.Region = &Region{StartLine: line}
	}
	return loc
}

func (l *locator) artifact(path string) ArtifactLocation {
	abs := l.abs(path)
	if l.files.Dir != "" {
		if rel, err := filepath.Rel(l.files.Dir, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return ArtifactLocation{URI: uriPath(filepath.ToSlash(rel)), URIBaseID: srcRoot}
		}
	}
	slash := filepath.ToSlash(abs)
	if !strings.HasPrefix(slash, "/") {
		slash = "/" + slash // a Windows drive path: file:///C:/...
	}
	return ArtifactLocation{URI: "file://" + uriPath(slash)}
}

// uriPath escapes the characters of a path that may not appear in a URI
// reference as they are.
func uriPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c > ' ' && c < 0x7f && !strings.ContainsRune(`"%<>\^`+"`{|}#?[]", rune(c)) {
			b.WriteByte(c)
			continue
		}
		const hex = "0123456789ABCDEF"
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// baseIDs describes SRCROOT for a run.
func (l *locator) baseIDs() map[string]ArtifactLocation {
	if l.files.Dir == "" || !filepath.IsAbs(l.files.Dir) {
		return nil
	}
	slash := filepath.ToSlash(l.files.Dir)
	if !strings.HasPrefix(slash, "/") {
		slash = "/" + slash
	}
	return map[string]ArtifactLocation{srcRoot: {URI: "file://" + uriPath(strings.TrimSuffix(slash, "/")) + "/"}}
}

// PackageLines returns the line of each [[package]] header of a lock,
// keyed by the package's normalized name and by "name==version". A name
// locked at several versions (forks) maps to its first entry. It reads
// the lock's text, not its model, because only the text has lines; a
// lock it cannot follow yields fewer entries, never an error.
func PackageLines(lockData []byte) map[string]int {
	out := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(lockData))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	header, name, ver := 0, "", ""
	flush := func() {
		if header > 0 && name != "" {
			n := pep508.NormalizeName(name)
			if _, ok := out[n]; !ok {
				out[n] = header
			}
			if ver != "" {
				out[n+"=="+ver] = header
			}
		}
		header, name, ver = 0, "", ""
	}
	inPackage := false // in the [[package]] table itself, not a sub-table
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "[[package]]":
			flush()
			header, inPackage = n, true
		case strings.HasPrefix(line, "["):
			inPackage = false
		case inPackage:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			switch strings.TrimSpace(key) {
			case "name":
				name = tomlString(value)
			case "version":
				ver = tomlString(value)
			}
		}
	}
	flush()
	return out
}

// tomlString returns the value of a one-line TOML basic or literal string,
// "" for anything else (a name or version has no escapes).
func tomlString(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			return v[1 : 1+end]
		}
	}
	return ""
}

// newLog returns a log of one run of safepip at version with rules.
func newLog(version string, rules []Rule, l *locator) *Log {
	return &Log{
		Schema:  Schema,
		Version: "2.1.0",
		Runs: []Run{{
			Tool: Tool{Driver: Driver{
				Name:           "safepip",
				Version:        version,
				InformationURI: "https://github.com/safepip/safepip",
				Rules:          rules,
			}},
			Invocations:        []Invocation{{ExecutionSuccessful: true}},
			Results:            []Result{},
			OriginalURIBaseIDs: l.baseIDs(),
		}},
	}
}

// Fail records that the command could not do its work, and why: the log
// of a command that stopped before it had results.
func (l *Log) Fail(message string) {
	inv := &l.Runs[0].Invocations[0]
	inv.ExecutionSuccessful = false
	inv.Notifications = append(inv.Notifications, Notification{Level: "error", Message: Message{message}})
}

// add appends a result of the rule with id, at the rule's level when
// level is "".
func (r *Run) add(id, level, text, fingerprint string, locs []Location) {
	idx := ruleOf(r, id)
	if idx < 0 {
		panic("sarif: no rule " + id) // a bug: every class has its rule
	}
	if level == "" {
		level = r.Tool.Driver.Rules[idx].DefaultConfiguration.Level
	}
	r.Results = append(r.Results, Result{
		RuleID: id, RuleIndex: idx, Level: level, Message: Message{Text: text}, Locations: locs,
		PartialFingerprints: map[string]string{"safepipFinding/v1": fingerprint},
	})
}
