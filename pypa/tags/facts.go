package tags

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Facts is what an interpreter reports about itself, the inputs of
// packaging.tags.sys_tags. FactsScript prints them as JSON matching the
// field tags; TargetFromFacts turns them into a Target.
type Facts struct {
	Implementation    string   `json:"implementation"`     // sys.implementation.name, e.g. "cpython"
	Version           [2]int   `json:"version"`            // sys.version_info[:2]
	SOABI             string   `json:"soabi"`              // sysconfig SOABI, "" when unset
	PyDebug           *int     `json:"py_debug"`           // sysconfig Py_DEBUG, nil when unset
	HasTotalRefcount  bool     `json:"has_totalrefcount"`  // hasattr(sys, "gettotalrefcount")
	ExtensionSuffixes []string `json:"extension_suffixes"` // importlib.machinery.EXTENSION_SUFFIXES
	WithPymalloc      *int     `json:"with_pymalloc"`      // sysconfig WITH_PYMALLOC, nil when unset
	PyGILDisabled     *int     `json:"py_gil_disabled"`    // sysconfig Py_GIL_DISABLED, nil when unset
	System            string   `json:"system"`             // platform.system(): "Linux", "Darwin", "Windows"...
	SysconfigPlatform string   `json:"sysconfig_platform"` // sysconfig.get_platform(), e.g. "linux-x86_64"
	Is32Bit           bool     `json:"is_32bit"`           // sys.maxsize <= 2**32
	Glibc             string   `json:"glibc"`              // os.confstr("CS_GNU_LIBC_VERSION"), e.g. "glibc 2.36"
	Musl              string   `json:"musl"`               // musl version such as "1.2", "" when not musl
	MacVersion        string   `json:"mac_version"`        // platform.mac_ver()[0], e.g. "14.2.1"
	MacMachine        string   `json:"mac_machine"`        // platform.mac_ver()[2], e.g. "arm64"
}

// FactsScript is a Python 3 program that prints the running interpreter's
// Facts as one JSON object on stdout. It finds glibc as packaging does
// (os.confstr, else gnu_get_libc_version through ctypes), and musl through
// pip's vendored packaging (or packaging itself), reporting no musl when
// neither is importable.
// On macOS it reports platform.mac_ver() as is: an interpreter built
// against an old SDK says 10.16 on macOS 11 and later, as 21.3 then uses.
const FactsScript = `import json, os, platform, sys, sysconfig
from importlib.machinery import EXTENSION_SUFFIXES
cv = sysconfig.get_config_var
f = {
    "implementation": sys.implementation.name,
    "version": list(sys.version_info[:2]),
    "soabi": cv("SOABI") or "",
    "py_debug": cv("Py_DEBUG"),
    "has_totalrefcount": hasattr(sys, "gettotalrefcount"),
    "extension_suffixes": list(EXTENSION_SUFFIXES),
    "with_pymalloc": cv("WITH_PYMALLOC"),
    "py_gil_disabled": cv("Py_GIL_DISABLED"),
    "system": platform.system(),
    "sysconfig_platform": sysconfig.get_platform(),
    "is_32bit": sys.maxsize <= 2 ** 32,
    "glibc": "", "musl": "", "mac_version": "", "mac_machine": "",
}
for k in ("py_debug", "with_pymalloc", "py_gil_disabled"):
    if f[k] is not None:
        f[k] = int(f[k])
if f["system"] == "Linux":
    try:
        f["glibc"] = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, OSError, ValueError):
        pass
    if len(f["glibc"].split()) != 2:
        f["glibc"] = ""
        try:
            import ctypes
            get = ctypes.CDLL(None).gnu_get_libc_version
            get.restype = ctypes.c_char_p
            f["glibc"] = "glibc " + get().decode("ascii")
        except Exception:
            pass
    try:
        try:
            from pip._vendor.packaging import _musllinux
        except ImportError:
            from packaging import _musllinux
        v = _musllinux._get_musl_version(sys.executable)
        if v:
            f["musl"] = "%d.%d" % (v[0], v[1])
    except Exception:
        pass
elif f["system"] == "Darwin":
    f["mac_version"], _, f["mac_machine"] = platform.mac_ver()
print(json.dumps(f))
`

// shortNames are packaging's INTERPRETER_SHORT_NAMES.
var shortNames = map[string]string{"python": "py", "cpython": "cp", "pypy": "pp", "ironpython": "ip", "jython": "jy"}

var (
	libcVersionRE = regexp.MustCompile(`^([0-9]{1,3})\.([0-9]{1,3})`)
	macVersionRE  = regexp.MustCompile(`^([0-9]{1,3})\.([0-9]{1,3})`)
)

// TargetFromFacts describes the interpreter that reported f, deciding as
// packaging 21.3's sys_tags does on that interpreter.
func TargetFromFacts(f Facts) (Target, error) {
	impl := strings.ToLower(f.Implementation)
	if short, ok := shortNames[impl]; ok {
		impl = short
	}
	t := Target{Implementation: impl, Python: f.Version}
	if impl == "cp" {
		set := func(v *int) bool { return v != nil && *v != 0 }
		t.Debug = set(f.PyDebug) || f.PyDebug == nil && (f.HasTotalRefcount || slices.Contains(f.ExtensionSuffixes, "_d.pyd"))
		t.FreeThreaded = f.Version[0] == 3 && f.Version[1] >= 13 && set(f.PyGILDisabled)
		if f.Version[1] < 8 && f.WithPymalloc != nil && *f.WithPymalloc == 0 {
			abi := "cp" + nodot(f.Version[0], f.Version[1])
			if t.Debug {
				abi += "d"
			}
			t.ABIs = []string{abi}
		}
	} else if f.SOABI != "" {
		t.ABIs = []string{normalizePlatform(f.SOABI)}
	}
	p, err := platformFromFacts(f)
	if err != nil {
		return Target{}, err
	}
	t.Platform = p
	if err := t.Validate(); err != nil {
		return Target{}, err
	}
	return t, nil
}

// normalizePlatform is packaging's _normalize_string, lower-cased as Tag does.
func normalizePlatform(s string) string {
	return strings.ToLower(strings.NewReplacer(".", "_", "-", "_").Replace(s))
}

func platformFromFacts(f Facts) (Platform, error) {
	switch f.System {
	case "Darwin":
		m := macVersionRE.FindStringSubmatch(f.MacVersion)
		if m == nil {
			return Platform{}, fmt.Errorf("macOS version %q: want major.minor", f.MacVersion)
		}
		arch := f.MacMachine
		if f.Is32Bit {
			arch = "i386"
			if strings.HasPrefix(f.MacMachine, "ppc") {
				arch = "ppc"
			}
		}
		return Platform{OS: MacOS, Arch: arch, MacVersion: [2]int{atoi(m[1]), atoi(m[2])}}, nil
	case "Linux":
		linux := normalizePlatform(f.SysconfigPlatform)
		arch, ok := strings.CutPrefix(linux, "linux_")
		if !ok {
			return Platform{OS: Other, Tag: linux}, nil
		}
		if f.Is32Bit {
			switch arch {
			case "x86_64":
				arch = "i686"
			case "aarch64":
				arch = "armv7l"
			}
		}
		p := Platform{OS: Linux, Arch: arch}
		if _, ver, ok := strings.Cut(f.Glibc, " "); ok {
			if m := libcVersionRE.FindStringSubmatch(ver); m != nil {
				p.Glibc = [2]int{atoi(m[1]), atoi(m[2])}
				// 21.3 lists no manylinux tag where none applies
				if (Platform{OS: Linux, Arch: arch, Glibc: p.Glibc}).Validate() != nil {
					p.Glibc = [2]int{}
				}
			}
		}
		if m := libcVersionRE.FindStringSubmatch(f.Musl); m != nil {
			p.Musl = [2]int{atoi(m[1]), atoi(m[2])}
		}
		return p, nil
	}
	tag := normalizePlatform(f.SysconfigPlatform)
	if p, reason := parsePlatform(tag); reason == "" && p.OS == Windows {
		return p, nil
	}
	return Platform{OS: Other, Tag: tag}, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
