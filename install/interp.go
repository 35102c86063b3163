package install

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep508"
)

// Interpreter is what safepip needs to know of a target Python: its marker
// environment, the facts its wheel tags are computed from, and where it
// installs. One call of the interpreter gathers it all; the target need
// not have packaging (or even pip) importable.
type Interpreter struct {
	Executable     string             `json:"executable"` // sys.executable
	Markers        pep508.Environment `json:"markers"`
	Implementation string             `json:"implementation"` // sys.implementation.name: "cpython", "pypy"
	Version        [3]int             `json:"version"`        // sys.version_info[:3]
	PyPyVersion    [2]int             `json:"pypy_version"`   // sys.pypy_version_info[:2] on PyPy
	SOABI          string             `json:"soabi"`          // sysconfig SOABI: "cpython-311-x86_64-linux-gnu"
	ExtSuffix      string             `json:"ext_suffix"`
	PyDebug        bool               `json:"py_debug"`
	Platform       string             `json:"platform"` // sysconfig.get_platform(): "linux-x86_64", "macosx-11.0-arm64", "win-amd64"
	Is64Bit        bool               `json:"is_64bit"`
	Glibc          string             `json:"glibc"`  // "2.36"; "" when not glibc
	Musl           string             `json:"musl"`   // "1.2"; "" when not musl
	MacOS          string             `json:"mac_os"` // platform.mac_ver()[0]
	Prefix         string             `json:"prefix"`
	Purelib        string             `json:"purelib"`
	Platlib        string             `json:"platlib"`
	Pip            string             `json:"pip"` // pip's version, "" when pip is missing
}

// inspectScript runs in the target interpreter: standard library only,
// valid from Python 3.7 on.
const inspectScript = `
import json, os, platform, sys, sysconfig
def glibc():
    try:
        v = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        return ""
    if not v or not v.startswith("glibc "):
        return ""
    return v.split(" ", 1)[1]
impl = sys.implementation
iv = impl.version
impl_version = "%d.%d.%d" % (iv.major, iv.minor, iv.micro)
if iv.releaselevel != "final":
    impl_version += iv.releaselevel[0] + str(iv.serial)
try:
    import importlib.metadata as md
    pip = md.version("pip")
except Exception:
    pip = ""
pypy = getattr(sys, "pypy_version_info", None)
cv = sysconfig.get_config_vars()
print(json.dumps({
    "executable": sys.executable,
    "markers": {
        "implementation_name": impl.name,
        "implementation_version": impl_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    },
    "implementation": impl.name,
    "version": list(sys.version_info[:3]),
    "pypy_version": list(pypy[:2]) if pypy else [0, 0],
    "soabi": cv.get("SOABI") or "",
    "ext_suffix": cv.get("EXT_SUFFIX") or "",
    "py_debug": bool(cv.get("Py_DEBUG")) or hasattr(sys, "gettotalrefcount"),
    "platform": sysconfig.get_platform(),
    "is_64bit": sys.maxsize > 2**32,
    "glibc": glibc(),
    "musl": "",
    "mac_os": platform.mac_ver()[0],
    "prefix": sys.prefix,
    "purelib": sysconfig.get_paths()["purelib"],
    "platlib": sysconfig.get_paths()["platlib"],
    "pip": pip,
}))
`

// InspectError is a target interpreter that could not be asked.
type InspectError struct {
	Python string
	Err    error
}

func (e *InspectError) Error() string {
	return fmt.Sprintf("inspecting the interpreter %s: %v", e.Python, e.Err)
}

func (e *InspectError) Unwrap() error { return e.Err }

// Inspect asks python for its Interpreter facts. With a cacheDir, answers
// are cached by the interpreter's path, size and modification time, so a
// second call costs a stat instead of starting Python.
func Inspect(ctx context.Context, python, cacheDir string) (*Interpreter, error) {
	path, err := exec.LookPath(python)
	if err != nil {
		return nil, &InspectError{Python: python, Err: err}
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	var cachePath string
	if cacheDir != "" {
		if fi, err := os.Stat(path); err == nil {
			key := fmt.Sprintf("v1\x00%s\x00%d\x00%d", path, fi.Size(), fi.ModTime().UnixNano())
			sum := sha256.Sum256([]byte(key))
			cachePath = filepath.Join(cacheDir, "interpreters", hex.EncodeToString(sum[:])+".json")
			if data, err := os.ReadFile(cachePath); err == nil {
				var in Interpreter
				if json.Unmarshal(data, &in) == nil && in.Executable != "" {
					return &in, nil
				}
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-I", "-c", inspectScript)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = msg[len(msg)-2000:]
		}
		return nil, &InspectError{Python: path, Err: fmt.Errorf("%v: %s", err, msg)}
	}
	var in Interpreter
	if err := json.Unmarshal(stdout.Bytes(), &in); err != nil {
		return nil, &InspectError{Python: path, Err: fmt.Errorf("unexpected answer: %v", err)}
	}
	if in.Glibc == "" && strings.HasPrefix(in.Platform, "linux") {
		in.Musl = muslVersion(ctx, in.Executable)
	}
	if cachePath != "" {
		if data, err := json.Marshal(&in); err == nil {
			if os.MkdirAll(filepath.Dir(cachePath), 0o755) == nil {
				_ = lock.WriteFileAtomic(cachePath, data) // a cache miss next time is harmless
			}
		}
	}
	return &in, nil
}

var muslVersionRE = regexp.MustCompile(`(?m)^Version\s+(\d+)\.(\d+)`)

// muslVersion finds the musl loader an executable names as its ELF
// interpreter and asks it for its version, as packaging does.
func muslVersion(ctx context.Context, executable string) string {
	f, err := elf.Open(executable)
	if err != nil {
		return ""
	}
	defer f.Close()
	var loader string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err == nil || errors.Is(err, os.ErrClosed) {
				loader = strings.TrimRight(string(b), "\x00")
			}
		}
	}
	if !strings.Contains(loader, "musl") {
		return ""
	}
	out, _ := exec.CommandContext(ctx, loader).CombinedOutput() // prints usage and exits non-zero
	m := muslVersionRE.FindSubmatch(out)
	if m == nil {
		return ""
	}
	return string(m[1]) + "." + string(m[2])
}
