package config

// pip's own configuration, read as pip 23.2.1 reads it
// (pip/_internal/configuration.py and ConfigOptionParser in
// pip/_internal/cli/parser.py). Parsing is pure: the caller finds the files
// (PipConfigFiles), reads them and hands their contents and the
// environment to ReadPip.
//
// What pip does, and so what ReadPip does:
//
//   - Files load in the order GLOBAL, USER (skipped when PIP_CONFIG_FILE
//     names an existing file), SITE (sys.prefix/pip.conf of the interpreter
//     pip runs in), then PIP_CONFIG_FILE; a later file overrides an earlier
//     one key by key. Where GLOBAL and USER are depends on the operating
//     system (PipConfigFiles: XDG directories on Unix, Application Support
//     on macOS, %PROGRAMDATA% and %APPDATA% with pip.ini on Windows).
//     PIP_CONFIG_FILE set exactly to os.devnull ("/dev/null"; "nul" on
//     Windows) loads no file at all.
//   - Keys are "section.name", the name lower-cased with "_" spelled "-"
//     and a leading "--" dropped. configparser's [DEFAULT] keys join every
//     other section of the same file.
//   - PIP_<NAME> variables are one more layer, section ":env:", above all
//     files.
//   - Each option's value is taken from [global], then [COMMAND] ("install"
//     for safepip's lock, install, audit and verify: those are what pip
//     install does), then the environment, the later replacing the earlier
//     whole: PIP_EXTRA_INDEX_URL replaces a file's extra-index-url, it does
//     not add to it. An empty value is skipped.
//   - List options (extra-index-url, find-links, constraint) are split at
//     white space; boolean options take strtobool's words (yes/no, true/false,
//     on/off, y/n, t/f, 1/0, any case) and anything else is an error, as pip
//     stops with one. A "false" overrides an earlier "true".
//   - --no-binary and --only-binary accumulate across the layers, each value
//     moving names between the two sets (pip's FormatControl, the one rule
//     reqfile.FormatControl keeps for requirements files too); New goes on
//     with the command line's values, then the requirements files'.
//
// None of the variables safepip honours has the inverted meaning of
// PIP_NO_BUILD_ISOLATION or PIP_NO_CACHE_DIR: PIP_NO_INDEX=yes means
// --no-index and PIP_NO_INDEX=no means not.

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/safepip/safepip/pypa/reqfile"
)

// PipCommand is the pip command whose config section safepip reads: lock,
// install, audit and verify all stand for "pip install".
const PipCommand = "install"

// PipSetting is one key of a pip configuration file.
type PipSetting struct {
	File    string
	Line    int
	Section string // "global", "install", "DEFAULT", ...
	Key     string // normalized as pip does: lower case, "_" -> "-", no "--"
	Value   string // continuation lines joined with "\n"

	raw string // the key as configparser keeps it: lower case, "_" and "-" distinct
}

// Source returns "FILE:LINE [SECTION] KEY".
func (s PipSetting) Source() string {
	return fmt.Sprintf("%s:%d [%s] %s", s.File, s.Line, s.Section, s.Key)
}

// maxPipConfigBytes bounds a pip configuration file.
const maxPipConfigBytes = 1 << 20

// ParsePipConfig parses a pip configuration file (pip.conf / pip.ini) as
// Python's configparser does for pip: "[section]" headers, "key = value" or
// "key: value", indented continuation lines, "#" and ";" comment lines, no
// inline comments. A key outside a section, a repeated section or a
// repeated key in one section is an error, as configparser's strict mode
// makes pip refuse the file too.
func ParsePipConfig(name string, data []byte) ([]PipSetting, error) {
	if len(data) > maxPipConfigBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes; is this a pip configuration file?", name, maxPipConfigBytes)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var out []PipSetting
	section := ""
	sections := map[string]bool{}
	keys := map[string]int{}
	cur, curIndent := -1, 0 // the setting continuation lines extend, and its indent
	blank := 0              // blank lines since the last line of that setting
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			blank++ // kept inside a value that continues, as configparser keeps it
			continue
		}
		if trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		// A line indented deeper than its key continues the value.
		indent := utf8.RuneCountInString(line[:len(line)-len(strings.TrimLeftFunc(line, unicode.IsSpace))])
		if cur >= 0 && indent > curIndent {
			out[cur].Value += strings.Repeat("\n", blank+1) + trimmed
			blank = 0
			continue
		}
		cur, blank = -1, 0
		if trimmed[0] == '[' {
			end := strings.LastIndexByte(trimmed, ']')
			if end < 2 {
				return nil, fmt.Errorf("%s:%d: %q: a section header is \"[name]\"", name, n, trimmed)
			}
			section = trimmed[1:end]
			if sections[section] {
				return nil, fmt.Errorf("%s:%d: section [%s] appears twice; pip refuses such a file", name, n, section)
			}
			sections[section] = true
			continue
		}
		if section == "" {
			return nil, fmt.Errorf("%s:%d: %q comes before any [section]; put it under [global]", name, n, trimmed)
		}
		k := strings.IndexAny(trimmed, "=:")
		if k < 0 || strings.TrimSpace(trimmed[:k]) == "" {
			return nil, fmt.Errorf("%s:%d: %q: want \"key = value\"", name, n, trimmed)
		}
		raw := strings.ToLower(strings.TrimSpace(trimmed[:k]))
		if prev, ok := keys[section+"\x00"+raw]; ok {
			return nil, fmt.Errorf("%s:%d: %q repeats [%s] %s of line %d; pip refuses such a file", name, n, trimmed, section, raw, prev)
		}
		keys[section+"\x00"+raw] = n
		out = append(out, PipSetting{File: name, Line: n, Section: section, Key: normalizePipKey(raw), raw: raw, Value: strings.TrimSpace(trimmed[k+1:])})
		cur, curIndent, blank = len(out)-1, indent, 0
	}
	return out, nil
}

// normalizePipKey spells a key as pip compares it.
func normalizePipKey(k string) string {
	k = strings.ToLower(strings.TrimSpace(k))
	k = strings.ReplaceAll(k, "_", "-")
	return strings.TrimPrefix(k, "--")
}

// PipConfigFile is one file pip may load.
type PipConfigFile struct {
	Path string
	// Variant is pip's name for the layer: "global", "user", "site" or
	// "env" (PIP_CONFIG_FILE).
	Variant string
}

// PipConfigEnv is what decides which configuration files pip loads on a
// machine: its operating system, the environment and the file system. It
// is a value, not the running process, so every operating system's list
// can be computed (and tested) anywhere.
type PipConfigEnv struct {
	// GOOS is the operating system pip runs on: "windows", "darwin", or
	// any other value for the Unix (XDG) layout.
	GOOS string
	// Home is the user's home directory from the password database, which
	// Python's expanduser uses on Unix and macOS when HOME is unset (on
	// Windows it reads USERPROFILE, then HOMEDRIVE+HOMEPATH, only). "" is
	// none.
	Home string
	// Prefix is sys.prefix of the interpreter pip runs in; "" is none.
	Prefix string
	// Getenv returns a variable: PIP_CONFIG_FILE, HOME, XDG_CONFIG_DIRS,
	// XDG_CONFIG_HOME (Unix); USERPROFILE, HOMEDRIVE, HOMEPATH, APPDATA,
	// PROGRAMDATA, ALLUSERSPROFILE (Windows). nil is an empty environment.
	Getenv func(string) (string, bool)
	// Exists reports whether a file or directory exists; IsDir whether a
	// directory does. nil: nothing exists.
	Exists func(string) bool
	IsDir  func(string) bool
}

// PipDevNull is os.devnull on goos, the one PIP_CONFIG_FILE value that
// makes pip load no configuration file at all (compared exactly: pip does
// not normalize it, so "NUL" or "/dev/null" on Windows is a file name).
func PipDevNull(goos string) string {
	if goos == "windows" {
		return "nul"
	}
	return "/dev/null"
}

// PipConfigFiles returns the configuration files pip 23.2.1 loads (pip's
// get_configuration_files and Configuration.iter_config_files, with
// pip/_internal/utils/appdirs.py over platformdirs), lowest precedence
// first:
//
//   - global: Unix $XDG_CONFIG_DIRS/pip/pip.conf for each directory
//     (default /etc/xdg), then /etc/pip.conf; macOS /Library/Application
//     Support/pip/pip.conf; Windows %PROGRAMDATA%\pip\pip.ini;
//   - user, skipped when PIP_CONFIG_FILE names a file that exists: the
//     legacy ~/.pip/pip.conf (Windows %USERPROFILE%\pip\pip.ini), then Unix
//     $XDG_CONFIG_HOME/pip/pip.conf (default ~/.config); macOS
//     ~/Library/Application Support/pip/pip.conf when that directory
//     exists, else ~/.config/pip/pip.conf (XDG_CONFIG_HOME is not read
//     there); Windows %APPDATA%\pip\pip.ini;
//   - site: Prefix/pip.conf (Windows Prefix\pip.ini);
//   - PIP_CONFIG_FILE.
//
// PIP_CONFIG_FILE equal to PipDevNull(GOOS) returns none: pip then loads
// no file. Files that do not exist are the caller's to skip, as pip skips
// them.
func PipConfigFiles(e PipConfigEnv) []PipConfigFile {
	get := func(k string) string {
		if e.Getenv == nil {
			return ""
		}
		v, _ := e.Getenv(k)
		return v
	}
	exists := func(p string) bool { return e.Exists != nil && e.Exists(p) }
	envFile, envSet := "", false
	if e.Getenv != nil {
		envFile, envSet = e.Getenv("PIP_CONFIG_FILE")
	}
	if envSet && envFile == PipDevNull(e.GOOS) {
		return nil
	}
	var global, user []string
	site := ""
	switch e.GOOS {
	case "windows":
		home := winHome(get)
		programData := firstNonEmpty(get("PROGRAMDATA"), get("ALLUSERSPROFILE"), `C:\ProgramData`)
		global = []string{winJoin(programData, `pip\pip.ini`)}
		// expanduser leaves "~" as it is when it finds no home.
		user = append(user, winJoin(firstNonEmpty(home, "~"), `pip\pip.ini`))
		appData := get("APPDATA")
		if appData == "" && home != "" {
			appData = winJoin(home, `AppData\Roaming`) // SHGetFolderPathW's default
		}
		if appData != "" {
			user = append(user, winJoin(appData, `pip\pip.ini`))
		}
		if e.Prefix != "" {
			site = winJoin(e.Prefix, "pip.ini")
		}
	case "darwin":
		home := firstNonEmpty(get("HOME"), e.Home)
		global = []string{"/Library/Application Support/pip/pip.conf"}
		if home != "" {
			user = append(user, path.Join(home, ".pip", "pip.conf"))
			dir := path.Join(home, "Library", "Application Support", "pip")
			if e.IsDir == nil || !e.IsDir(dir) {
				dir = path.Join(home, ".config", "pip")
			}
			user = append(user, path.Join(dir, "pip.conf"))
		}
		if e.Prefix != "" {
			site = path.Join(e.Prefix, "pip.conf")
		}
	default:
		home := firstNonEmpty(get("HOME"), e.Home)
		dirs := get("XDG_CONFIG_DIRS")
		if strings.TrimSpace(dirs) == "" {
			dirs = "/etc/xdg"
		}
		for _, d := range strings.Split(dirs, ":") {
			global = append(global, path.Join(expandUser(d, home), "pip", "pip.conf"))
		}
		global = append(global, "/etc/pip.conf")
		if home != "" {
			user = append(user, path.Join(home, ".pip", "pip.conf"))
		}
		if cfg := get("XDG_CONFIG_HOME"); strings.TrimSpace(cfg) != "" {
			user = append(user, path.Join(cfg, "pip", "pip.conf"))
		} else if home != "" {
			user = append(user, path.Join(home, ".config", "pip", "pip.conf"))
		}
		if e.Prefix != "" {
			site = path.Join(e.Prefix, "pip.conf")
		}
	}
	var files []PipConfigFile
	for _, p := range global {
		files = append(files, PipConfigFile{p, "global"})
	}
	// pip skips the user files when PIP_CONFIG_FILE is non-empty and exists.
	if envFile == "" || !exists(envFile) {
		for _, p := range user {
			files = append(files, PipConfigFile{p, "user"})
		}
	}
	if site != "" {
		files = append(files, PipConfigFile{site, "site"})
	}
	if envSet && envFile != "" {
		files = append(files, PipConfigFile{envFile, "env"})
	}
	return files
}

// expandUser is posixpath.expanduser for "~" and "~/...".
func expandUser(p, home string) string {
	if home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return strings.TrimSuffix(home, "/") + p[1:]
	}
	return p
}

// winHome is ntpath.expanduser("~"): USERPROFILE, else HOMEDRIVE+HOMEPATH.
func winHome(get func(string) string) string {
	if h := get("USERPROFILE"); h != "" {
		return h
	}
	if p := get("HOMEPATH"); p != "" {
		return get("HOMEDRIVE") + p
	}
	return ""
}

// winJoin joins Windows path elements with "\" and cleans the result as
// ntpath.normpath does for the directories pip reads: "/" becomes "\",
// repeated separators collapse (a leading "\\" of a UNC path stays), and
// "." elements and a trailing separator go.
func winJoin(elem ...string) string {
	s := strings.ReplaceAll(strings.Join(elem, `\`), "/", `\`)
	unc := strings.HasPrefix(s, `\\`)
	var parts []string
	for i, p := range strings.Split(s, `\`) {
		if (p == "" || p == ".") && i > 0 {
			continue
		}
		parts = append(parts, p)
	}
	out := strings.Join(parts, `\`)
	if unc {
		out = `\` + out
	}
	if len(out) == 2 && out[1] == ':' { // "C:" alone is relative; "C:\" is the root
		out += `\`
	}
	return out
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// PipValue is one value of pip's configuration and where it was set:
// "PIP_INDEX_URL" or "/etc/pip.conf:2 [global] index-url".
type PipValue struct {
	Value  string
	Source string
}

// Pip is what pip's configuration (files and PIP_* variables) gives the
// options of "pip install" that decide where packages come from and which
// of them are acceptable. A nil pointer or an empty list is an option the
// configuration does not set.
type Pip struct {
	IndexURL       *PipValue
	ExtraIndexURLs []PipValue
	FindLinks      []PipValue
	NoIndex        *PipValue // set and true
	Pre            *PipValue // set and true
	Constraints    []PipValue
	RequireHashes  *PipValue // set and true
	// NoBinary and OnlyBinary are pip's format control after every layer:
	// normalized names or ":all:", each with the setting that put it there.
	NoBinary   []PipValue
	OnlyBinary []PipValue
	// Timeout (seconds) and Retries are pip's network settings, as written.
	Timeout *PipValue
	Retries *PipValue
}

// pipOption is one option of "pip install" that safepip reads from pip's
// configuration, with every long name pip accepts for it.
type pipOption struct {
	dest  string
	names []string
	kind  int
}

const (
	pipString = iota
	pipList
	pipBool
	pipFormat
)

var pipOptions = []pipOption{
	{"index_url", []string{"index-url", "pypi-url"}, pipString},
	{"extra_index_urls", []string{"extra-index-url"}, pipList},
	{"find_links", []string{"find-links"}, pipList},
	{"no_index", []string{"no-index"}, pipBool},
	{"pre", []string{"pre"}, pipBool},
	{"constraints", []string{"constraint"}, pipList},
	{"require_hashes", []string{"require-hashes"}, pipBool},
	{"no_binary", []string{"no-binary"}, pipFormat},
	{"only_binary", []string{"only-binary"}, pipFormat},
	{"timeout", []string{"timeout", "default-timeout"}, pipString},
	{"retries", []string{"retries"}, pipString},
}

// pipVars are the variables ReadPip reads, in the order it applies them
// when two of them set one option. pip applies them in the order of its
// process environment, which a program cannot know, so this matters only
// for PIP_PYPI_URL and PIP_INDEX_URL (refused when they disagree),
// PIP_DEFAULT_TIMEOUT and PIP_TIMEOUT (the latter wins here) and
// PIP_NO_BINARY with PIP_ONLY_BINARY (applied in that order).
var pipVars = []string{
	"PIP_PYPI_URL", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX",
	"PIP_PRE", "PIP_CONSTRAINT", "PIP_REQUIRE_HASHES", "PIP_NO_BINARY", "PIP_ONLY_BINARY",
	"PIP_DEFAULT_TIMEOUT", "PIP_TIMEOUT", "PIP_RETRIES",
}

// pipItem is one "section.key" of pip's merged configuration.
type pipItem struct {
	section, key string
	val          PipValue
}

// ReadPip computes what pip's configuration gives command's options from
// the settings of the files (in PipConfigFiles order, each file parsed by
// ParsePipConfig) and the PIP_* variables getenv returns. Errors are
// *Error values naming the setting, as pip refuses them too: a boolean
// that is not one of strtobool's words, a --no-binary/--only-binary value
// starting with "-".
func ReadPip(command string, files [][]PipSetting, getenv func(string) (string, bool)) (*Pip, error) {
	// The merged dictionary of pip's Configuration: each key keeps the
	// place where it first appeared and the value of its last setting.
	var items []pipItem
	set := func(section, key string, v PipValue) {
		for i := range items {
			if items[i].section == section && items[i].key == key {
				items[i].val = v
				return
			}
		}
		items = append(items, pipItem{section, key, v})
	}
	for _, settings := range files {
		for _, it := range fileItems(settings) {
			set(it.section, it.key, it.val)
		}
	}
	if getenv != nil {
		pypi, _ := getenv("PIP_PYPI_URL")
		idx, _ := getenv("PIP_INDEX_URL")
		if pypi != "" && idx != "" && pypi != idx {
			return nil, errorf("PIP_PYPI_URL", 0, "", "%s conflicts with PIP_INDEX_URL %s: both set --index-url and pip takes whichever comes later in its environment; unset one",
				RedactURL(pypi), RedactURL(idx))
		}
		for _, name := range pipVars {
			if v, ok := getenv(name); ok {
				set(":env:", normalizePipKey(strings.ToLower(name[len("PIP_"):])), PipValue{v, name})
			}
		}
	}

	p := &Pip{}
	values := map[string]**PipValue{"index_url": &p.IndexURL, "no_index": &p.NoIndex, "pre": &p.Pre,
		"require_hashes": &p.RequireHashes, "timeout": &p.Timeout, "retries": &p.Retries}
	lists := map[string]*[]PipValue{"extra_index_urls": &p.ExtraIndexURLs, "find_links": &p.FindLinks, "constraints": &p.Constraints}
	var errs []error
	var format reqfile.FormatControl[PipValue]
	for _, section := range []string{"global", command, ":env:"} {
		for _, it := range items {
			if it.section != section || it.val.Value == "" {
				continue // pip ignores an empty value
			}
			opt, ok := lookupPipOption(it.key)
			if !ok {
				continue // not an option safepip reads; pip's own business
			}
			v := it.val
			switch opt.kind {
			case pipBool:
				b, err := strtobool(v.Value)
				if err != nil {
					errs = append(errs, errorf(v.Source, 0, "", "%q is not a valid value for %s; pip wants yes/no, true/false, on/off or 1/0", v.Value, it.key))
					continue
				}
				var val *PipValue
				if b {
					val = &PipValue{"true", v.Source}
				}
				*values[opt.dest] = val
			case pipString:
				*values[opt.dest] = &PipValue{strings.TrimSpace(v.Value), v.Source}
			case pipList:
				var list []PipValue
				for _, f := range strings.Fields(v.Value) {
					list = append(list, PipValue{f, v.Source})
				}
				*lists[opt.dest] = list
			case pipFormat:
				flag := "--" + strings.ReplaceAll(opt.dest, "_", "-")
				if err := format.Handle(flag == "--no-binary", v.Value, func(name string, _ PipValue, _ bool) PipValue { return PipValue{name, v.Source} }); err != nil {
					errs = append(errs, errorf(v.Source, 0, "", "%s %q: %v", flag, v.Value, err))
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	p.SetFormatControl(format)
	return p, nil
}

// fileItems returns one file's keys as pip's Configuration takes them:
// for each section in order, configparser's items(section), which puts the
// [DEFAULT] keys first (a key the section sets too keeps the default's
// place with the section's value); "_" and "-" spellings of one key
// collapse into one, the later winning.
func fileItems(settings []PipSetting) []pipItem {
	var defaults []PipSetting
	var sections []string
	for _, s := range settings {
		if s.Section == "DEFAULT" {
			defaults = append(defaults, s)
		} else if !slices.Contains(sections, s.Section) {
			sections = append(sections, s.Section)
		}
	}
	var out []pipItem
	for _, sec := range sections {
		// items() is an ordered dict over the raw (lower-cased) key.
		type raw struct {
			key string
			s   PipSetting
		}
		var kv []raw
		put := func(s PipSetting) {
			for i := range kv {
				if kv[i].key == s.rawKey() {
					kv[i].s = s
					return
				}
			}
			kv = append(kv, raw{s.rawKey(), s})
		}
		for _, d := range defaults {
			put(d)
		}
		for _, s := range settings {
			if s.Section == sec {
				put(s)
			}
		}
		for _, r := range kv {
			it := pipItem{sec, r.s.Key, PipValue{r.s.Value, r.s.Source()}}
			if i := slices.IndexFunc(out, func(o pipItem) bool { return o.section == sec && o.key == it.key }); i >= 0 {
				out[i].val = it.val
			} else {
				out = append(out, it)
			}
		}
	}
	return out
}

// rawKey is the key as configparser stores it (lower case, "_" and "-"
// distinct). Key collapses them; configparser keeps both, and pip then
// takes the later.
func (s PipSetting) rawKey() string { return s.raw }

func lookupPipOption(key string) (pipOption, bool) {
	for _, o := range pipOptions {
		if slices.Contains(o.names, key) {
			return o, true
		}
	}
	return pipOption{}, false
}

// strtobool is pip's: no trimming, any case.
func strtobool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "y", "yes", "t", "true", "on", "1":
		return true, nil
	case "n", "no", "f", "false", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("invalid truth value %q", s)
}

// FormatControl returns NoBinary and OnlyBinary as a FormatControl, to
// apply more values to (a requirements file's), as pip applies a file's
// option lines after its configuration.
func (p *Pip) FormatControl() reqfile.FormatControl[PipValue] {
	f := reqfile.FormatControl[PipValue]{NoBinary: map[string]PipValue{}, OnlyBinary: map[string]PipValue{}}
	for _, v := range p.NoBinary {
		f.NoBinary[v.Value] = v
	}
	for _, v := range p.OnlyBinary {
		f.OnlyBinary[v.Value] = v
	}
	return f
}

// SetFormatControl sets NoBinary and OnlyBinary from f, sorted by name.
func (p *Pip) SetFormatControl(f reqfile.FormatControl[PipValue]) {
	sorted := func(m map[string]PipValue) []PipValue {
		out := slices.Collect(maps.Values(m))
		slices.SortFunc(out, func(a, b PipValue) int { return strings.Compare(a.Value, b.Value) })
		return out
	}
	p.NoBinary, p.OnlyBinary = sorted(f.NoBinary), sorted(f.OnlyBinary)
}

// PipDeclaration is one index pip's configuration declares.
type PipDeclaration struct {
	// Option is "index-url", "extra-index-url" or "find-links".
	Option string
	Value  string
	Source string // "FILE:LINE [SECTION] KEY" or the variable's name
}

// PipDeclarations returns every index that pip's configuration files
// (settings, in PipConfigFiles order) and PIP_* variables (getenv) declare
// for command, also those that another file or variable overrides: a
// machine where a variable is unset, or where someone runs "pip download",
// hits them. The audit lists them all; ReadPip says which one pip uses.
func PipDeclarations(command string, settings []PipSetting, getenv func(string) (string, bool)) []PipDeclaration {
	var decls []PipDeclaration
	for _, s := range settings {
		// configparser hands [DEFAULT] keys to every section.
		if s.Section != "global" && s.Section != command && s.Section != "DEFAULT" {
			continue
		}
		opt, ok := lookupPipOption(s.Key)
		if !ok {
			continue
		}
		switch opt.dest {
		case "index_url":
			if v := strings.TrimSpace(s.Value); v != "" {
				decls = append(decls, PipDeclaration{Option: "index-url", Value: v, Source: s.Source()})
			}
		case "extra_index_urls", "find_links":
			for _, v := range strings.Fields(s.Value) {
				decls = append(decls, PipDeclaration{Option: s.Key, Value: v, Source: s.Source()})
			}
		}
	}
	if getenv == nil {
		return decls
	}
	for _, name := range []string{"PIP_PYPI_URL", "PIP_INDEX_URL"} {
		if v, ok := getenv(name); ok && strings.TrimSpace(v) != "" {
			decls = append(decls, PipDeclaration{Option: "index-url", Value: strings.TrimSpace(v), Source: name})
		}
	}
	for _, env := range []struct{ name, opt string }{{"PIP_EXTRA_INDEX_URL", "extra-index-url"}, {"PIP_FIND_LINKS", "find-links"}} {
		if v, ok := getenv(env.name); ok {
			for _, u := range strings.Fields(v) {
				decls = append(decls, PipDeclaration{Option: env.opt, Value: u, Source: env.name})
			}
		}
	}
	return decls
}
