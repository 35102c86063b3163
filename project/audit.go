package project

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/safepip/safepip/audit"
	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/reqfile"
)

// AuditOptions are the inputs of Audit.
type AuditOptions struct {
	Requirements []string // requirements files (-r), nested -r/-c followed
	PublicIndex  string   // "": PyPI's simple API
}

// Audit collects every index a pip user on this machine would hit
// (requirements files, pip configuration files and PIP_* variables,
// safepip.toml) and checks each private index's projects against the
// public index (audit.Run). The report comes back with the error, when
// there is one, so the caller can show what was found: *audit.IncompleteError
// when an index could not be read.
func Audit(ctx context.Context, env *Env, o AuditOptions) (*audit.Report, error) {
	public := o.PublicIndex
	if public == "" {
		public = config.PyPI
	}
	if u, err := url.Parse(public); err != nil || !(u.Scheme == "https" && u.Host != "" || u.Scheme == "http" && isLoopback(u.Hostname()) || u.Scheme == "file") {
		return nil, &InputError{Err: fmt.Errorf("--public-index %s: want the https URL of a simple API, such as %s (plain http only on loopback)", index.Redact(public), config.PyPI)}
	}
	var names []string
	var idx []audit.Index
	addIndex := func(name, rawURL string, findLinks bool, source string) *audit.Index {
		source = relSource(env.Dir, source)
		for i := range idx {
			if audit.SameURL(idx[i].URL, rawURL) {
				if !slices.Contains(idx[i].Sources, source) {
					idx[i].Sources = append(idx[i].Sources, source)
				}
				return &idx[i]
			}
		}
		idx = append(idx, audit.Index{Name: name, URL: rawURL, FindLinks: findLinks, Sources: []string{source}})
		return &idx[len(idx)-1]
	}

	// safepip's own configuration, with the requirements files' index
	// options merged in the way lock and install see them.
	var reqOpts []config.IndexOption
	for _, name := range o.Requirements {
		f, err := readReqFile(env, name)
		if err != nil {
			return nil, err
		}
		for _, r := range f.Requirements {
			if r.Name != "" {
				names = append(names, r.Name)
			}
		}
		reqOpts = append(reqOpts, reqIndexOptions(f, filepath.Dir(env.abs(name)))...)
	}
	pc, err := readPipConf(env)
	if err != nil {
		return nil, err
	}
	cfg, err := loadConfig(env, pc, reqOpts, config.Flags{})
	if err != nil {
		return nil, err
	}
	for _, x := range cfg.Indexes {
		if x.Source == "built-in default" {
			continue // pip's default too: the public index itself
		}
		addIndex(x.Name, x.URL, x.Kind == config.Flat, x.Source).Declared = x.FromFile
	}
	// config keeps one declaration per URL; the audit names them all.
	for _, opt := range reqOpts {
		if opt.Name == "--no-index" {
			continue // names no index; config has dropped the default for it
		}
		u := opt.Value
		if !strings.Contains(u, "://") {
			u = (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(opt.Dir, u))}).String()
		}
		addIndex(hostName(u, idx), u, opt.Name == "--find-links", opt.Source+" ("+opt.Name+")")
	}

	// Every index pip's configuration declares, also those another file
	// or variable overrides (cfg has the ones pip uses).
	var settings []config.PipSetting
	for _, s := range pc.settings {
		settings = append(settings, s...)
	}
	for _, d := range config.PipDeclarations(config.PipCommand, settings, env.Getenv) {
		u := d.Value
		if !strings.Contains(u, "://") {
			if d.Option != "find-links" {
				return nil, &InputError{Err: fmt.Errorf("%s: %s %q is not a URL", d.Source, d.Option, index.Redact(u))}
			}
			u = (&url.URL{Scheme: "file", Path: filepath.ToSlash(env.abs(u))}).String()
		}
		addIndex(hostName(u, idx), u, d.Option == "find-links", d.Source)
	}

	// The lock's projects are named too: a private index that cannot list
	// its projects is asked for each.
	if lf, err := lock.Read(filepath.Join(env.Dir, DefaultLockName)); err == nil {
		for _, p := range lf.Packages {
			names = append(names, p.Name)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, &InputError{Err: err}
	}

	// A review asks the indexes as they are now, never a cached answer.
	client, err := env.newClient(index.Options{Refresh: true})
	if err != nil {
		return nil, &InputError{Err: err}
	}
	defer client.Flush()
	pub := audit.Index{Name: "public", URL: public, Sources: []string{"--public-index"}}
	if o.PublicIndex == "" {
		pub.Sources = []string{"built-in default"}
	}
	pin := func(name string) (string, bool, error) {
		x, ok, err := cfg.Pin(name)
		if err != nil {
			return "", false, &InputError{Err: err}
		}
		return x.Name, ok, nil
	}
	env.logf("auditing %d indexes against %s", len(idx), index.Redact(public))
	return audit.Run(ctx, client, audit.Options{Public: pub, Indexes: idx, Names: names, Pin: pin})
}

// readReqFile parses a requirements file, following -r and -c, from disk.
func readReqFile(env *Env, name string) (*reqfile.File, error) {
	data, err := os.ReadFile(env.abs(name))
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("reading requirements: %w", err)}
	}
	f, err := reqfile.Parse(name, data, reqfile.Options{
		Open: func(n string) ([]byte, error) {
			if strings.Contains(n, "://") {
				return nil, errors.New("requirements files are read from disk only; download it and name the local copy")
			}
			return os.ReadFile(env.abs(n))
		},
		Getenv: env.Getenv,
	})
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return f, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
}

// relSource shows a source under dir relative to it.
func relSource(dir, source string) string {
	if dir != "" && strings.HasPrefix(source, dir+string(filepath.Separator)) {
		return source[len(dir)+1:]
	}
	return source
}

// hostName names an index declared by pip's configuration after its host,
// unique among idx.
func hostName(rawURL string, idx []audit.Index) string {
	base := "index"
	if u, err := url.Parse(rawURL); err == nil {
		switch {
		case u.Scheme == "file":
			base = filepath.Base(filepath.FromSlash(u.Path))
		case u.Host != "":
			base = strings.ToLower(strings.ReplaceAll(u.Host, ":", "-"))
		}
	}
	name := base
	for i := 2; ; i++ {
		taken := false
		for _, x := range idx {
			taken = taken || strings.EqualFold(x.Name, name)
		}
		if !taken {
			return name
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
}
