package resolver

import (
	"strconv"
	"strings"
	"sync"

	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
)

// tagEnvironments returns, as a PEP 508 marker expression, the
// environments in which an installer accepts a wheel tagged t: its
// interpreter and ABI tags bound implementation_name and
// python_full_version, its platform tag sys_platform and
// platform_machine. "" means every environment; ok is false for a tag no
// environment a marker can name accepts (py2 only, an unknown interpreter
// or platform).
//
// It follows packaging.tags: cpXY with ABI cpXY (or a variant such as
// cpXYt) or none runs on CPython X.Y only, cpXY-abi3 on CPython >= X.Y;
// pyXY (and pyX) on any interpreter of Python >= X.Y; ppXY on PyPy X.Y.
// What markers cannot say (the glibc of a manylinux tag, the macOS
// release of a macosx tag) is left out: those narrow the wheel inside an
// environment the marker names, which is what a narrowing --platform
// checks separately.
func tagEnvironments(t tags.Tag) (expr string, ok bool) {
	py, ok := interpreterEnvironments(t.Interpreter, t.ABI)
	if !ok {
		return "", false
	}
	plat, ok := platformEnvironments(t.Platform)
	if !ok {
		return "", false
	}
	switch {
	case py == "":
		return plat, true
	case plat == "":
		return py, true
	}
	return "(" + py + ") and (" + plat + ")", true
}

// interpreterEnvironments is the part of tagEnvironments that the
// interpreter and ABI tags decide.
func interpreterEnvironments(interp, abi string) (string, bool) {
	impl, digits := interp, ""
	for i := 0; i < len(interp); i++ {
		if interp[i] >= '0' && interp[i] <= '9' {
			impl, digits = interp[:i], interp[i:]
			break
		}
	}
	var major, minor int
	hasMinor := false
	switch {
	case digits == "":
		return "", false
	case len(digits) == 1:
		major, _ = strconv.Atoi(digits)
	default:
		major, _ = strconv.Atoi(digits[:1])
		minor, _ = strconv.Atoi(digits[1:])
		hasMinor = true
	}
	if major < 3 {
		return "", false // Python 2 lies below every requires-python a lock can have
	}
	version := strconv.Itoa(major)
	if hasMinor {
		version += "." + strconv.Itoa(minor)
	}
	atLeast := "python_full_version >= '" + version + "'"
	exactly := "python_version == '" + version + "'"
	if !hasMinor {
		exactly = atLeast
	}
	switch impl {
	case "py":
		return atLeast, true
	case "cp":
		if abi == "abi3" {
			return "implementation_name == 'cpython' and " + atLeast, true
		}
		return "implementation_name == 'cpython' and " + exactly, true
	case "pp":
		return "implementation_name == 'pypy' and " + exactly, true
	case "graalpy", "gp":
		return "implementation_name == 'graalpy' and " + exactly, true
	case "ip":
		return "implementation_name == 'ironpython' and " + exactly, true
	case "jy":
		return "implementation_name == 'jython' and " + exactly, true
	}
	return "", false
}

// machinesOf maps the architecture of a macOS platform tag to the
// platform_machine values of the Macs that accept it.
var machinesOf = map[string][]string{
	"arm64":      {"arm64"},
	"x86_64":     {"x86_64"},
	"universal2": {"arm64", "x86_64"},
	"intel":      {"x86_64", "i386"},
	"i386":       {"i386"},
	"fat":        {"i386", "ppc"},
	"fat3":       {"x86_64", "i386"},
	"fat32":      {"i386", "ppc"},
	"fat64":      {"x86_64", "ppc64"},
	"universal":  {"x86_64", "i386", "ppc64", "ppc"},
	"ppc":        {"ppc"},
	"ppc64":      {"ppc64"},
}

// windowsMachines maps a Windows platform tag to platform.machine() there.
var windowsMachines = map[string]string{
	"win_amd64": "AMD64",
	"win32":     "x86",
	"win_arm64": "ARM64",
	"win_ia64":  "ia64",
}

// platformEnvironments is the part of tagEnvironments that the platform
// tag decides.
func platformEnvironments(plat string) (string, bool) {
	if plat == "any" {
		return "", true
	}
	if m, ok := windowsMachines[plat]; ok {
		return "sys_platform == 'win32' and platform_machine == '" + m + "'", true
	}
	for _, prefix := range []string{"manylinux1_", "manylinux2010_", "manylinux2014_", "linux_"} {
		if arch, ok := strings.CutPrefix(plat, prefix); ok {
			return "sys_platform == 'linux' and platform_machine == '" + arch + "'", true
		}
	}
	for _, prefix := range []string{"manylinux_", "musllinux_"} {
		if rest, ok := strings.CutPrefix(plat, prefix); ok {
			// manylinux_2_17_x86_64: two version numbers, then the arch
			parts := strings.SplitN(rest, "_", 3)
			if len(parts) != 3 {
				return "", false
			}
			return "sys_platform == 'linux' and platform_machine == '" + parts[2] + "'", true
		}
	}
	if rest, ok := strings.CutPrefix(plat, "macosx_"); ok {
		parts := strings.SplitN(rest, "_", 3)
		if len(parts) != 3 {
			return "", false
		}
		machines, ok := machinesOf[parts[2]]
		if !ok {
			return "", false
		}
		var alts []string
		for _, m := range machines {
			alts = append(alts, "platform_machine == '"+m+"'")
		}
		return "sys_platform == 'darwin' and (" + strings.Join(alts, " or ") + ")", true
	}
	return "", false
}

// tagMemo memoizes the environments of each tag triple: a large index
// page repeats a few dozen tags over thousands of files.
type tagMemo struct {
	mu   sync.Mutex
	sets map[tags.Tag]pep508.MarkerSet
}

// of returns the environments that accept a wheel with tags ts.
func (m *tagMemo) of(ts []tags.Tag) pep508.MarkerSet {
	out := pep508.FalseMarker()
	for _, t := range ts {
		m.mu.Lock()
		set, ok := m.sets[t]
		m.mu.Unlock()
		if !ok {
			set = pep508.FalseMarker()
			if expr, ok := tagEnvironments(t); ok {
				if parsed, err := pep508.ParseMarkerSet(expr); err == nil {
					set = parsed
				}
			}
			m.mu.Lock()
			if m.sets == nil {
				m.sets = map[tags.Tag]pep508.MarkerSet{}
			}
			m.sets[t] = set
			m.mu.Unlock()
		}
		out = out.Or(set)
	}
	return out
}
