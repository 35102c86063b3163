package project

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep440"
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
	t := &target{}
	t.Markers = m
	t.Python = py
	t.Tags = tt.Tags()
	t.record = recordTarget(full, tt, m, t.Tags)
	return t, nil
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
