package project

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
	"github.com/safepip/safepip/resolver"
)

// TargetOptions choose the environment to resolve for: a real interpreter
// (Python, else $VIRTUAL_ENV's, else python3), or one described by
// PythonVersion and Platform.
type TargetOptions struct {
	Python        string
	PythonVersion string // "3.11"; with Platform, no interpreter is asked
	Platform      string // "manylinux_2_28_x86_64", "macosx_14_0_arm64", "win_amd64"
}

// target is a resolved TargetOptions.
type target struct {
	resolver.Target
	record lock.Scope
	interp *install.Interpreter // nil for a described target
}

// pythonPath returns the interpreter a command should use.
func pythonPath(env *Env, explicit string) string {
	if explicit != "" {
		return explicit
	}
	if v, ok := env.Getenv("VIRTUAL_ENV"); ok && v != "" {
		return venvPython(v, runtime.GOOS)
	}
	return defaultPython(runtime.GOOS)
}

// venvPython returns the interpreter of the virtual environment at dir on
// goos: Scripts\python.exe on Windows, bin/python elsewhere (the layout
// venv and virtualenv create).
func venvPython(dir, goos string) string {
	if goos == "windows" {
		return strings.TrimRight(dir, `\/`) + `\Scripts\python.exe`
	}
	return strings.TrimRight(dir, "/") + "/bin/python"
}

// defaultPython is the interpreter used without --python or a virtual
// environment: python3, which Windows installs only as python.exe.
func defaultPython(goos string) string {
	if goos == "windows" {
		return "python"
	}
	return "python3"
}

func resolveTarget(ctx context.Context, env *Env, o TargetOptions) (*target, error) {
	if o.PythonVersion != "" || o.Platform != "" {
		return describedTarget(env, o)
	}
	in, err := install.Inspect(ctx, pythonPath(env, o.Python), env.CacheDir)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	tt, err := in.Target()
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("interpreter %s: %w", in.Executable, err)}
	}
	py, err := pep440.Parse(in.FullVersion)
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("interpreter %s reports version %q: %w", in.Executable, in.FullVersion, err)}
	}
	t := &target{interp: in}
	t.Markers = in.Markers
	t.Python = py
	t.Tags = tt.Tags()
	t.record = recordTarget(in.FullVersion, tt, t.Markers, t.Tags)
	return t, nil
}

// describedTarget builds a target from --python-version and --platform,
// with the marker values such an interpreter would report.
func describedTarget(env *Env, o TargetOptions) (*target, error) {
	if o.PythonVersion == "" || o.Platform == "" {
		return nil, &InputError{Err: fmt.Errorf("--python-version and --platform go together: a target needs both (or neither, to ask an interpreter)")}
	}
	pv, err := tags.ParsePythonVersion(o.PythonVersion)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	plat, err := tags.ParsePlatform(o.Platform)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	tt := tags.Target{Implementation: "cp", Python: pv, Platform: plat}
	if err := tt.Validate(); err != nil {
		return nil, &InputError{Err: err}
	}
	// python_full_version keeps a patch level when one is given: a
	// project may need ">=3.9.4", which "3.9" alone would refuse.
	short := fmt.Sprintf("%d.%d", pv[0], pv[1])
	full := short
	if v, err := pep440.Parse(o.PythonVersion); err == nil && len(v.Release()) >= 3 {
		full = v.String()
	}
	py, err := pep440.Parse(full)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	m := map[string]string{
		"implementation_name":            "cpython",
		"implementation_version":         full,
		"platform_python_implementation": "CPython",
		"python_version":                 short,
		"python_full_version":            full,
		"platform_release":               "",
		"platform_version":               "",
	}
	maps.Copy(m, platformMarkers(plat))
	t := &target{}
	t.Markers = m
	t.Python = py
	t.Tags = tt.Tags()
	t.record = recordTarget(full, tt, m, t.Tags)
	// A described target is a Python version and a platform, not one
	// interpreter: the digests of an interpreter's exact tags and markers
	// would refuse every real interpreter of that description.
	t.record.Tags, t.record.Markers = "", ""
	return t, nil
}

// platformMarkers are the marker values of an interpreter on plat:
// os_name, sys_platform, platform_system and platform_machine.
func platformMarkers(plat tags.Platform) map[string]string {
	m := map[string]string{}
	machine := plat.Arch
	switch plat.OS {
	case tags.Windows:
		m["os_name"], m["sys_platform"], m["platform_system"] = "nt", "win32", "Windows"
		switch machine {
		case "amd64", "x86_64":
			machine = "AMD64"
		case "win32", "x86":
			machine = "x86"
		case "arm64":
			machine = "ARM64"
		}
	case tags.MacOS:
		m["os_name"], m["sys_platform"], m["platform_system"] = "posix", "darwin", "Darwin"
	default:
		m["os_name"], m["sys_platform"], m["platform_system"] = "posix", "linux", "Linux"
	}
	m["platform_machine"] = machine
	return m
}

// DefaultRequiresPython is the Python versions a universal lock serves
// when neither --requires-python, [resolution] requires-python nor
// pyproject.toml's [project] requires-python says: 3.9, the oldest
// CPython the interpreters safepip is tested with cover and that pip
// 23.2.1 supports, with no upper bound, as uv reads a project without one.
// A project that needs less declares it and the lock narrows.
const DefaultRequiresPython = ">=3.9"

// universal reports whether o asks for a universal lock: neither an
// interpreter (--python) nor a fully described one (--python-version
// with --platform) narrows it to one environment.
func (o TargetOptions) universal() bool {
	return o.Python == "" && (o.PythonVersion == "" || o.Platform == "")
}

// scopeInputs are where a universal lock's scope comes from.
type scopeInputs struct {
	flag       string            // --requires-python
	resolution config.Resolution // [resolution]
	project    string            // pyproject.toml's [project] requires-python
	projectAt  string            // where that was written
}

// universalScope builds the scope of a universal lock and the lock's
// record of it.
func universalScope(o TargetOptions, in scopeInputs) (*resolver.Scope, lock.Scope, error) {
	var rp pep440.SpecifierSet
	var err error
	switch {
	case in.flag != "":
		if rp, err = pep440.ParseSpecifierSet(in.flag); err != nil {
			return nil, lock.Scope{}, &InputError{Err: fmt.Errorf("--requires-python %q: %w; want a PEP 440 specifier such as \">=3.10\"", in.flag, err)}
		}
	case in.resolution.RequiresPython != nil:
		rp = in.resolution.RequiresPython
	case in.project != "":
		if rp, err = pep440.ParseSpecifierSet(in.project); err != nil {
			return nil, lock.Scope{}, &InputError{Err: fmt.Errorf("%s: requires-python %q: %w", in.projectAt, in.project, err)}
		}
	default:
		rp, _ = pep440.ParseSpecifierSet(DefaultRequiresPython)
	}
	sc := &resolver.Scope{Markers: pep508.RequiresPythonMarker(rp)}
	if sc.Markers.IsFalse() {
		return nil, lock.Scope{}, &InputError{Err: fmt.Errorf("requires-python %q allows no Python version", rp)}
	}
	rec := lock.Scope{RequiresPython: rp.String()}
	if envs := in.resolution.Environments; len(envs) > 0 {
		anyEnv := pep508.FalseMarker()
		for _, m := range envs {
			anyEnv = anyEnv.Or(m)
			rec.Environments = append(rec.Environments, m.String())
		}
		sc.Markers = sc.Markers.And(anyEnv)
	}
	for _, m := range in.resolution.RequiredEnvironments {
		sc.Required = append(sc.Required, m)
		rec.RequiredEnvironments = append(rec.RequiredEnvironments, m.String())
	}
	if o.PythonVersion != "" {
		pv, err := tags.ParsePythonVersion(o.PythonVersion)
		if err != nil {
			return nil, lock.Scope{}, &InputError{Err: err}
		}
		expr := fmt.Sprintf("python_version == '%d.%d'", pv[0], pv[1])
		rec.Python = fmt.Sprintf("%d.%d", pv[0], pv[1])
		if v, err := pep440.Parse(o.PythonVersion); err == nil && len(v.Release()) >= 3 {
			expr = fmt.Sprintf("python_full_version == '%s'", v)
			rec.Python = v.String()
		}
		m, err := pep508.ParseMarkerSet(expr)
		if err != nil {
			return nil, lock.Scope{}, fmt.Errorf("internal error: %s: %w", expr, err)
		}
		sc.Markers = sc.Markers.And(m)
	}
	if o.Platform != "" {
		plat, err := tags.ParsePlatform(o.Platform)
		if err != nil {
			return nil, lock.Scope{}, &InputError{Err: err}
		}
		if err := plat.Validate(); err != nil {
			return nil, lock.Scope{}, &InputError{Err: err}
		}
		pm := platformMarkers(plat)
		expr := fmt.Sprintf("sys_platform == '%s' and platform_machine == '%s'", pm["sys_platform"], pm["platform_machine"])
		m, err := pep508.ParseMarkerSet(expr)
		if err != nil {
			return nil, lock.Scope{}, fmt.Errorf("internal error: %s: %w", expr, err)
		}
		sc.Markers = sc.Markers.And(m)
		sc.Platforms = plat.Tags()
		rec.Platform = plat.String()
	}
	if sc.Markers.IsFalse() {
		return nil, lock.Scope{}, &InputError{Err: fmt.Errorf("the lock's scope holds no environment: requires-python %s, the environments of [resolution] and --python-version/--platform exclude each other", rp)}
	}
	return sc, rec, nil
}

func recordTarget(python string, tt tags.Target, markers map[string]string, ts []tags.Tag) lock.Scope {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.String()
	}
	var kv []string
	for k, v := range markers {
		kv = append(kv, k+"="+v)
	}
	slices.Sort(kv)
	impl := "cpython"
	if tt.Implementation == "pp" {
		impl = "pypy"
	}
	return lock.Scope{
		Python:         python,
		Implementation: impl,
		Platform:       tt.Platform.String(),
		Tags:           lock.Digest([]byte(strings.Join(names, " "))),
		Markers:        lock.Digest([]byte(strings.Join(kv, "\n"))),
	}
}
