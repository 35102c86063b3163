package project

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"runtime"
	"strings"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/pypa/reqfile"
)

// pipConf is pip's own configuration on this machine, as "pip install"
// would read it: the one reader behind lock, install, audit and verify.
type pipConf struct {
	// settings are the keys of every file pip loads, file by file in
	// pip's order (the audit lists every declaration, overridden or not).
	settings [][]config.PipSetting
	// pip is what those files and the PIP_* variables give pip install.
	pip *config.Pip
	// format are the requirements files' --no-binary/--only-binary values
	// (addFormatControl), which config.New applies after pip's and the
	// command line's, as pip does.
	format []reqfile.FormatValue
}

// readPipConf finds pip's configuration files (config.PipConfigFiles)
// for this operating system, the user's home and the site prefix: the target interpreter's
// sys.prefix when the workflow knows it (install), else $VIRTUAL_ENV (the
// sys.prefix of an activated virtual environment's python). It reads
// those that exist and computes pip's options with the PIP_* variables
// (config.ReadPip).
func readPipConf(env *Env) (*pipConf, error) {
	prefix := env.sitePrefix
	if prefix == "" {
		prefix, _ = lookupEnv(env, "VIRTUAL_ENV")
	}
	home := "" // pip's expanduser without HOME asks the password database
	if u, err := user.Current(); err == nil {
		home = u.HomeDir
	}
	pc := &pipConf{}
	files := config.PipConfigFiles(config.PipConfigEnv{
		GOOS:   runtime.GOOS,
		Home:   home,
		Prefix: prefix,
		Getenv: env.Getenv,
		Exists: func(p string) bool { _, err := os.Stat(p); return err == nil },
		IsDir:  func(p string) bool { fi, err := os.Stat(p); return err == nil && fi.IsDir() },
	})
	for _, f := range files {
		data, err := os.ReadFile(f.Path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // pip skips a missing file too
		}
		if err != nil {
			// configparser, and so pip, skips a file it cannot open.
			env.logf("pip's %s configuration %s: %v; skipped, as pip skips it", f.Variant, f.Path, err)
			continue
		}
		s, err := config.ParsePipConfig(f.Path, data)
		if err != nil {
			return nil, &InputError{Err: fmt.Errorf("pip configuration: %w", err)}
		}
		pc.settings = append(pc.settings, s)
	}
	var err error
	if pc.pip, err = config.ReadPip(config.PipCommand, pc.settings, env.Getenv); err != nil {
		return nil, &InputError{Err: err}
	}
	return pc, nil
}

// loadConfig merges safepip.toml, pip's configuration, the requirements
// files' index options and the flags: the configuration every workflow
// routes with.
func loadConfig(env *Env, pc *pipConf, reqOpts []config.IndexOption, flags config.Flags) (*config.Config, error) {
	file, err := config.Load(env.Dir)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	cfg, err := config.New(config.Options{File: file, Requirements: reqOpts, Flags: flags, Getenv: env.Getenv, Dir: env.Dir, Pip: pc.pip, Format: pc.format})
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return cfg, nil
}

// forInterpreter returns env for a workflow whose pip runs in the
// interpreter with sys.prefix prefix: pip reads prefix/pip.conf, whatever
// $VIRTUAL_ENV says.
func (e *Env) forInterpreter(prefix string) *Env {
	c := *e
	c.sitePrefix = prefix
	return &c
}

// forPython returns env for a lock aimed at the interpreter python
// (--python): pip run there reads its sys.prefix/pip.conf. "" or an
// interpreter that cannot be asked leaves env as it is; the lock's own
// target step reports such an interpreter.
func (e *Env) forPython(ctx context.Context, python string) *Env {
	if python == "" || e.sitePrefix != "" {
		return e
	}
	interp, err := install.Inspect(ctx, python, e.CacheDir)
	if err != nil {
		return e
	}
	return e.forInterpreter(interp.Prefix)
}

// lookupEnv is env.Getenv, nil meaning no variable is set.
func lookupEnv(env *Env, key string) (string, bool) {
	if env.Getenv == nil {
		return "", false
	}
	return env.Getenv(key)
}

// constraintFiles returns the constraint files of pip's configuration
// (PIP_CONSTRAINT, constraint in pip.conf), relative to the working
// directory as pip reads them, then the command line's -c files: pip's
// command line adds to the configuration's list (optparse appends to the
// default).
func (pc *pipConf) constraintFiles(flags []string) []string {
	var out []string
	for _, v := range pc.pip.Constraints {
		out = append(out, v.Value)
	}
	return append(out, flags...)
}

// addFormatControl keeps a requirements file's --no-binary and
// --only-binary values, in the file's order, for loadConfig: config.New
// applies them after pip's configuration and the command line, as pip
// applies a file's option lines to the format control its options
// filled (a file's ":none:" clears the configuration's names too).
func (pc *pipConf) addFormatControl(o reqfile.GlobalOptions) {
	pc.format = append(pc.format, o.FormatValues...)
}

// IndexSource is one index a workflow routed with and where it was
// declared, safe to print: "why is this index here" always has an answer.
type IndexSource struct {
	Name     string   `json:"name"`
	URL      string   `json:"url"`  // as written: no credentials, ${VAR} unexpanded
	Kind     string   `json:"kind"` // "simple" or "flat" (--find-links)
	Default  bool     `json:"default"`
	Packages []string `json:"packages,omitempty"`
	// Source is where the index was declared: "PIP_INDEX_URL",
	// "/etc/pip.conf:2 [global] index-url", "requirements.txt:3
	// (--extra-index-url)", "safepip.toml:7", "command line (--index-url)"
	// or "built-in default".
	Source string `json:"source"`
}

// String returns `"name" URL (from SOURCE)`, with "default" or the pins.
func (x IndexSource) String() string {
	s := fmt.Sprintf("%q %s", x.Name, x.URL)
	switch {
	case x.Default:
		s += " default"
	case len(x.Packages) > 0:
		s += " packages " + strings.Join(x.Packages, ",")
	}
	return s + " (from " + x.Source + ")"
}

// indexSources lists cfg's indexes in their order.
func indexSources(cfg *config.Config) []IndexSource {
	out := []IndexSource{}
	for _, x := range cfg.Indexes {
		out = append(out, IndexSource{Name: x.Name, URL: x.Display(), Kind: x.Kind.String(), Default: x.Default, Packages: x.Packages, Source: x.Source})
	}
	return out
}
