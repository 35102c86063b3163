package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/config"
)

// pipCase is one generated pip configuration: files written under a
// temporary HOME (and XDG, site and PIP_CONFIG_FILE paths), environment
// variables, and a requirements file with index options.
type pipCase struct {
	Dir  string            `json:"dir"`  // the working directory
	Env  map[string]string `json:"env"`  // the whole environment pip sees
	Reqs string            `json:"reqs"` // the requirements file, in Dir
	// Flags are the command line's index options, as safepip and pip
	// both take them.
	Flags       config.Flags `json:"-"`
	Constraints []string     `json:"-"` // -c on the command line
	Args        []string     `json:"args"`
	// Prefix is the sys.prefix pip runs with, where its site file lives;
	// safepip finds it as $VIRTUAL_ENV (set to the same directory).
	Prefix string `json:"prefix"`
	desc   string
}

// pipDerived is what a configuration gives: the index URLs in order, the
// find-links in order (absolute file:// URLs for paths), --no-index,
// --pre, the constraint files and --require-hashes; Err when pip (or
// safepip) refuses the configuration.
type pipDerived struct {
	Indexes       []string `json:"indexes"`
	FindLinks     []string `json:"find_links"`
	NoIndex       bool     `json:"no_index"`
	Pre           bool     `json:"pre"`
	Constraints   []string `json:"constraints"`
	RequireHashes bool     `json:"require_hashes"`
	NoBinary      []string `json:"no_binary"`   // pip's format control, sorted
	OnlyBinary    []string `json:"only_binary"` // names or ":all:"
	Err           bool     `json:"error"`
}

// pipOracle builds pip install's options the way pip does (its
// ConfigOptionParser over the files and the environment), builds its
// PackageFinder and feeds it the requirements file (pip's req_file option
// lines), then reports the finder's search scope. One process for the
// whole corpus; nothing touches the network.
const pipOracle = `
import json, os, sys
from pip._internal.commands import create_command
from pip._internal.req.req_file import parse_requirements
from pip._internal.exceptions import PipError

def absurl(v):
    if "://" in v:
        return v
    return "file://" + os.path.abspath(v)

def unique(urls):
    # pip asks a repeated URL twice; safepip keeps one index per URL
    seen, out = set(), []
    for u in urls:
        if u not in seen:
            seen.add(u)
            out.append(u)
    return out

out = []
for case in json.load(sys.stdin):
    os.environ.clear()
    os.environ.update(case["env"])
    os.chdir(case["dir"])
    sys.prefix = case["prefix"]  # the interpreter pip would run in
    cmd = create_command("install")
    try:
        with cmd.main_context():
            options, _ = cmd.parse_args(["--no-cache-dir"] + case["args"])
            session = cmd.get_default_session(options)
            finder = cmd._build_package_finder(options=options, session=session)
            for _ in parse_requirements(case["reqs"], session, finder=finder, options=options):
                pass
    except (SystemExit, PipError):  # pip stops: a usage error
        out.append({"error": True})
        continue
    out.append({
        "indexes": unique(finder.index_urls),
        "find_links": unique(absurl(v) for v in finder.find_links),
        "no_index": bool(finder.search_scope.no_index),
        "pre": bool(finder._candidate_prefs.allow_all_prereleases),
        "constraints": list(options.constraints),
        "require_hashes": bool(options.require_hashes),
        "no_binary": sorted(finder.format_control.no_binary),
        "only_binary": sorted(finder.format_control.only_binary),
        "error": False,
    })
json.dump(out, sys.stdout)
`

// safepipDerived is the same answer from safepip: pip's configuration
// through readPipConf, the requirements file's options through
// readReqFile, merged by loadConfig, as lock, install, audit and verify
// read them.
func safepipDerived(c pipCase) pipDerived {
	env := &Env{Dir: c.Dir, Getenv: func(k string) (string, bool) { v, ok := c.Env[k]; return v, ok }}
	pc, err := readPipConf(env)
	if err != nil {
		return pipDerived{Err: true}
	}
	f, err := readReqFile(env, c.Reqs)
	if err != nil {
		return pipDerived{Err: true}
	}
	pc.addFormatControl(f.Options)
	cfg, err := loadConfig(env, pc, reqIndexOptions(f, c.Dir), c.Flags)
	if err != nil {
		return pipDerived{Err: true}
	}
	d := pipDerived{Indexes: []string{}, FindLinks: []string{}, Constraints: pc.constraintFiles(c.Constraints), NoIndex: c.Flags.NoIndex}
	for _, x := range cfg.Indexes {
		if x.Kind == config.Flat {
			d.FindLinks = append(d.FindLinks, x.URL)
		} else {
			d.Indexes = append(d.Indexes, x.URL)
		}
	}
	d.NoIndex = d.NoIndex || pc.pip.NoIndex != nil || f.Options.NoIndex != nil
	d.Pre = pc.pip.Pre != nil || f.Options.Pre != nil
	d.RequireHashes = pc.pip.RequireHashes != nil || f.Options.RequireHashes != nil
	names := func(m map[string]config.PipValue) []string {
		return append([]string{}, slices.Sorted(maps.Keys(m))...)
	}
	fc := cfg.FormatControl() // the configuration's, the command line's and the file's, in pip's order
	d.NoBinary, d.OnlyBinary = names(fc.NoBinary), names(fc.OnlyBinary)
	if d.Constraints == nil {
		d.Constraints = []string{}
	}
	return d
}

// TestPipConfigDifferential generates pip configurations (files at the
// PIP_CONFIG_FILE, user, XDG, site and global paths, PIP_* variables,
// requirements-file options) and checks that safepip derives the same
// index URLs, find-links, --no-index, --pre, constraints and
// --require-hashes as pip 23.2.1 itself, in the same order.
func TestPipConfigDifferential(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 not found")
	}
	r := rand.New(rand.NewPCG(13, 17))
	const n = 120
	var cases []pipCase
	for i := range n {
		cases = append(cases, genPipCase(t, r, i))
	}
	cases = append(cases, fixedPipCases(t)...)

	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-c", pipOracle)
	cmd.Stdin = strings.NewReader(string(in))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pip oracle: %v\n%s", err, stderr.String())
	}
	var want []pipDerived
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(cases) {
		t.Fatalf("pip answered %d cases of %d", len(want), len(cases))
	}
	mismatches, errs, indexes, formats := 0, 0, 0, 0
	for i, c := range cases {
		got, w := safepipDerived(c), want[i]
		if w.Err {
			errs++
			got = pipDerived{Err: got.Err}
		}
		indexes += len(w.Indexes) + len(w.FindLinks)
		if len(w.NoBinary)+len(w.OnlyBinary) > 0 {
			formats++
		}
		if !reflect.DeepEqual(got, w) {
			mismatches++
			t.Errorf("case %d (%s):\nsafepip: %+v\npip:     %+v", i, c.desc, got, w)
		}
	}
	t.Logf("compared %d pip configurations with pip %s: %d refused by both, %d index entries, %d with --no-binary/--only-binary names, %d mismatches",
		len(cases), pipVersion(t), errs, indexes, formats, mismatches)
}

func pipVersion(t *testing.T) string {
	out, err := exec.Command("python3", "-c", "import pip; print(pip.__version__)").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// genPipCase writes one random configuration under a fresh directory.
func genPipCase(t *testing.T, r *rand.Rand, i int) pipCase {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	work := filepath.Join(root, "work")
	for _, d := range []string{home, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	urlPool := func() string { return fmt.Sprintf("https://i%d.example/simple", r.IntN(6)) }
	linkPool := func() string {
		return []string{"wheels", "./more", "/opt/flat", "https://links.example/page/", filepath.Join(root, "abs")}[r.IntN(5)]
	}
	boolWord := func() string {
		return []string{"yes", "no", "true", "false", "1", "0", "On", "off", "maybe"}[r.IntN(9)]
	}
	pick := func(p float64) bool { return r.Float64() < p }
	formatValue := func() string {
		return []string{":all:", ":none:", "foo", "Foo_Bar,baz", ":all:,:none:,foo", "baz,:none:", "-x"}[r.IntN(7)]
	}
	var desc []string

	// A pip.conf: sections and keys drawn at random, in pip's spellings.
	conf := func() string {
		var b strings.Builder
		sections := []string{"global", "install", "download", "DEFAULT"}
		r.Shuffle(len(sections), func(i, j int) { sections[i], sections[j] = sections[j], sections[i] })
		for _, sec := range sections[:1+r.IntN(3)] {
			fmt.Fprintf(&b, "[%s]\n", sec)
			used := map[string]bool{}
			for range 1 + r.IntN(4) {
				keys := []string{"index-url", "index_url", "pypi-url", "extra-index-url", "extra_index_url", "find-links", "no-index", "pre", "require-hashes", "constraint", "no-binary", "only_binary"}
				k := keys[r.IntN(len(keys))]
				if used[k] {
					continue
				}
				used[k] = true
				switch {
				case strings.Contains(k, "extra"):
					if pick(0.5) {
						fmt.Fprintf(&b, "%s =\n    %s\n    %s\n", k, urlPool(), urlPool())
					} else {
						fmt.Fprintf(&b, "%s = %s\n", k, urlPool())
					}
				case strings.Contains(k, "url"):
					if pick(0.1) {
						fmt.Fprintf(&b, "%s =\n", k) // empty: pip skips it
					} else {
						fmt.Fprintf(&b, "%s = %s\n", k, urlPool())
					}
				case k == "find-links":
					fmt.Fprintf(&b, "%s = %s %s\n", k, linkPool(), linkPool())
				case strings.Contains(k, "binary"):
					fmt.Fprintf(&b, "%s = %s\n", k, formatValue())
				case k == "constraint":
					fmt.Fprintf(&b, "%s = c%d.txt\n", k, r.IntN(3))
				default:
					w := boolWord()
					if w == "maybe" && pick(0.7) {
						w = "no"
					}
					fmt.Fprintf(&b, "%s = %s\n", k, w)
				}
			}
		}
		return b.String()
	}
	write := func(p, text string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	env := map[string]string{"HOME": home, "PATH": os.Getenv("PATH"), "XDG_CONFIG_DIRS": filepath.Join(root, "etcxdg")}
	if pick(0.3) {
		write(filepath.Join(root, "etcxdg", "pip", "pip.conf"), conf())
		desc = append(desc, "global")
	}
	if pick(0.4) {
		write(filepath.Join(home, ".pip", "pip.conf"), conf())
		desc = append(desc, "legacy user")
	}
	if pick(0.3) {
		env["XDG_CONFIG_HOME"] = filepath.Join(root, "xdg")
		if pick(0.7) {
			write(filepath.Join(root, "xdg", "pip", "pip.conf"), conf())
			desc = append(desc, "XDG user")
		}
	} else if pick(0.5) {
		write(filepath.Join(home, ".config", "pip", "pip.conf"), conf())
		desc = append(desc, "user")
	}
	env["VIRTUAL_ENV"] = filepath.Join(root, "venv")
	if pick(0.4) {
		write(filepath.Join(root, "venv", "pip.conf"), conf())
		desc = append(desc, "site")
	}
	switch {
	case pick(0.1):
		env["PIP_CONFIG_FILE"] = "/dev/null"
		desc = append(desc, "PIP_CONFIG_FILE=/dev/null")
	case pick(0.4):
		p := filepath.Join(root, "env.conf")
		if pick(0.85) {
			write(p, conf())
			desc = append(desc, "PIP_CONFIG_FILE")
		} else {
			desc = append(desc, "PIP_CONFIG_FILE missing")
		}
		env["PIP_CONFIG_FILE"] = p
	}
	if pick(0.4) {
		env["PIP_INDEX_URL"] = urlPool()
	}
	if pick(0.3) {
		env["PIP_EXTRA_INDEX_URL"] = urlPool() + "  " + urlPool()
	}
	if pick(0.2) {
		env["PIP_FIND_LINKS"] = linkPool()
	}
	for _, v := range []string{"PIP_NO_INDEX", "PIP_PRE", "PIP_REQUIRE_HASHES"} {
		if pick(0.12) {
			env[v] = boolWord()
		}
	}
	if pick(0.15) {
		env["PIP_CONSTRAINT"] = "c1.txt c2.txt"
	}
	// One of the two at most: with both, pip's answer depends on the order
	// of its process environment, which a program cannot know.
	switch {
	case pick(0.1):
		env["PIP_NO_BINARY"] = formatValue()
	case pick(0.1):
		env["PIP_ONLY_BINARY"] = formatValue()
	}
	for k := range env {
		if strings.HasPrefix(k, "PIP_") && k != "PIP_CONFIG_FILE" {
			desc = append(desc, k)
		}
	}
	slices.Sort(desc)

	// The requirements file: index options in a random order (at most one
	// --index-url: two different ones are refused by safepip on purpose).
	var lines []string
	reqIndexURL := pick(0.4)
	if reqIndexURL {
		lines = append(lines, "--index-url "+urlPool())
	}
	for range r.IntN(3) {
		lines = append(lines, "--extra-index-url "+urlPool())
	}
	if pick(0.3) {
		lines = append(lines, "-f "+linkPool())
	}
	if pick(0.1) {
		lines = append(lines, "--no-index")
	}
	if pick(0.15) {
		lines = append(lines, "--pre")
	}
	// Not ":none:" in the file: safepip's file-level ":none:" clears only
	// the file's names (see addFormatControl).
	if pick(0.15) {
		lines = append(lines, "--no-binary "+[]string{":all:", "foo", "baz,qux"}[r.IntN(3)])
	}
	if pick(0.15) {
		lines = append(lines, "--only-binary "+[]string{":all:", "foo", "Foo_Bar"}[r.IntN(3)])
	}
	r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	if len(lines) > 0 {
		desc = append(desc, "requirements: "+strings.Join(lines, "; "))
	}
	lines = append(lines, "pick")
	write(filepath.Join(work, "requirements.txt"), strings.Join(lines, "\n")+"\n")

	// Command-line index options, where safepip and pip agree: not with a
	// requirements file's --index-url, which pip lets replace the command
	// line's index URLs and safepip does not (its command line wins).
	var flags config.Flags
	args := []string{}
	if !reqIndexURL {
		if pick(0.25) {
			flags.IndexURL = urlPool()
			args = append(args, "--index-url", flags.IndexURL)
		}
		if pick(0.25) {
			u := urlPool()
			flags.ExtraIndexURLs = append(flags.ExtraIndexURLs, u)
			args = append(args, "--extra-index-url", u)
		}
		if pick(0.2) {
			l := linkPool()
			flags.FindLinks = append(flags.FindLinks, l)
			args = append(args, "--find-links", l)
		}
		if pick(0.05) {
			flags.NoIndex = true
			args = append(args, "--no-index")
		}
	}
	// Command-line format control, applied by pip after its configuration
	// and before the requirements file's lines.
	for range r.IntN(3) {
		if pick(0.4) {
			f := config.FormatFlag{NoBinary: pick(0.5), Value: formatValue()}
			flags.Format = append(flags.Format, f)
			args = append(args, strings.Fields(f.String())...)
		}
	}
	var constraints []string
	if pick(0.15) {
		constraints = []string{"cli.txt"}
		args = append(args, "-c", "cli.txt")
	}
	if len(args) > 0 {
		desc = append(desc, "command line: "+strings.Join(args, " "))
	}
	return pipCase{Dir: work, Env: env, Reqs: "requirements.txt", Flags: flags, Constraints: constraints, Args: args, Prefix: env["VIRTUAL_ENV"], desc: fmt.Sprintf("#%d %s", i, strings.Join(desc, ", "))}
}

// fixedPipCases are handwritten cases for the rules the generator may
// miss: [DEFAULT] reaching into [global], the two spellings of one key,
// pypi-url as index-url, a missing PIP_CONFIG_FILE keeping the user files.
func fixedPipCases(t *testing.T) []pipCase {
	var out []pipCase
	add := func(desc string, files map[string]string, env map[string]string, reqs string) {
		root := t.TempDir()
		home := filepath.Join(root, "home")
		work := filepath.Join(root, "work")
		e := map[string]string{"HOME": home, "PATH": os.Getenv("PATH"), "XDG_CONFIG_DIRS": filepath.Join(root, "etcxdg"), "VIRTUAL_ENV": filepath.Join(root, "venv")}
		for k, v := range env {
			e[k] = strings.ReplaceAll(v, "$ROOT", root)
		}
		for p, text := range files {
			full := filepath.Join(root, p)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(work, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, "requirements.txt"), []byte(reqs+"pick\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, pipCase{Dir: work, Env: e, Reqs: "requirements.txt", Args: []string{}, Prefix: e["VIRTUAL_ENV"], desc: desc})
	}
	add("[DEFAULT] joins [global] only when the file has a [global]",
		map[string]string{"home/.config/pip/pip.conf": "[DEFAULT]\nindex-url = https://d.example/simple\n[global]\nextra-index-url = https://g.example/simple\n"}, nil, "")
	add("[DEFAULT] alone does nothing",
		map[string]string{"home/.config/pip/pip.conf": "[DEFAULT]\nindex-url = https://d.example/simple\n"}, nil, "")
	add("index_url then index-url: the later wins",
		map[string]string{"home/.config/pip/pip.conf": "[global]\nindex_url = https://a.example/simple\nindex-url = https://b.example/simple\n"}, nil, "")
	add("pypi-url is index-url",
		map[string]string{"home/.pip/pip.conf": "[install]\npypi-url = https://p.example/simple\n"}, nil, "")
	add("a missing PIP_CONFIG_FILE keeps the user files",
		map[string]string{"home/.config/pip/pip.conf": "[global]\nindex-url = https://u.example/simple\n"}, map[string]string{"PIP_CONFIG_FILE": "$ROOT/missing.conf"}, "")
	add("an existing PIP_CONFIG_FILE drops the user files and wins over the site",
		map[string]string{"home/.config/pip/pip.conf": "[global]\nextra-index-url = https://u.example/simple\n", "env.conf": "[global]\nindex-url = https://e.example/simple\n", "venv/pip.conf": "[global]\nindex-url = https://site.example/simple\nfind-links = /site\n"},
		map[string]string{"PIP_CONFIG_FILE": "$ROOT/env.conf"}, "")
	add("the new user file overrides the legacy one",
		map[string]string{"home/.pip/pip.conf": "[global]\nindex-url = https://legacy.example/simple\nextra-index-url = https://x.example/simple\n", "home/.config/pip/pip.conf": "[global]\nindex-url = https://new.example/simple\n"}, nil, "")
	add("requirements --extra-index-url before --index-url is dropped",
		nil, map[string]string{"PIP_EXTRA_INDEX_URL": "https://env.example/simple"}, "--extra-index-url https://early.example/simple\n-i https://req.example/simple\n--extra-index-url https://late.example/simple\n")
	add("PIP_NO_INDEX=0 keeps the indexes",
		map[string]string{"home/.config/pip/pip.conf": "[global]\nno-index = yes\n"}, map[string]string{"PIP_NO_INDEX": "0"}, "")
	add("an empty variable is skipped",
		map[string]string{"home/.config/pip/pip.conf": "[global]\nindex-url = https://f.example/simple\n"}, map[string]string{"PIP_INDEX_URL": ""}, "")
	return out
}

// TestReadPipConfErrors: a pip.conf pip would refuse is exit 2 naming the
// file and line; one that cannot be opened is skipped, as configparser
// skips it; PIP_NO_BINARY is honoured, naming the variable.
func TestReadPipConfErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.conf")
	if err := os.WriteFile(bad, []byte("[global]\nindex-url = https://a.example/simple\n[global]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(vars map[string]string) *Env {
		vars["HOME"] = filepath.Join(dir, "home")
		vars["XDG_CONFIG_DIRS"] = filepath.Join(dir, "xdg")
		return &Env{Dir: dir, Getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
	}
	_, err := readPipConf(env(map[string]string{"PIP_CONFIG_FILE": bad}))
	var inErr *InputError
	if !errors.As(err, &inErr) || !strings.Contains(err.Error(), bad+":3: section [global] appears twice") {
		t.Errorf("malformed pip.conf: err = %v, want an InputError naming %s:3", err, bad)
	}

	// a directory where a file is expected cannot be read: skipped
	pc, err := readPipConf(env(map[string]string{"PIP_CONFIG_FILE": dir}))
	if err != nil || pc.pip.IndexURL != nil {
		t.Errorf("unreadable pip.conf: %+v, %v; want it skipped", pc, err)
	}

	pc, err = readPipConf(env(map[string]string{"PIP_CONFIG_FILE": "/dev/null", "PIP_NO_BINARY": ":all:"}))
	if err != nil {
		t.Fatal(err)
	}
	// honoured, no longer refused: it reaches the configuration, with its source
	cfg, err := loadConfig(env(map[string]string{}), pc, nil, config.Flags{})
	if err != nil || !cfg.NoBinary("any-project") || cfg.NoBinaryFrom("any-project") != "PIP_NO_BINARY" {
		t.Errorf("PIP_NO_BINARY=:all:: %v; want every project --no-binary, from PIP_NO_BINARY", err)
	}
}
