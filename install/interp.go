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
	"strconv"
	"strings"
	"time"

	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
)

// Interpreter is what safepip needs to know of a target Python: its marker
// environment, the facts its wheel tags are computed from, and where it
// installs. One call of the interpreter gathers it all; the target need
// not have packaging (or even pip) importable.
type Interpreter struct {
	Executable  string             `json:"executable"` // sys.executable
	Markers     pep508.Environment `json:"markers"`
	Facts       tags.Facts         `json:"facts"`
	FullVersion string             `json:"full_version"` // platform.python_version()
	Prefix      string             `json:"prefix"`
	Purelib     string             `json:"purelib"`
	Platlib     string             `json:"platlib"`
	Pip         string             `json:"pip"` // pip's version, "" when pip is missing
}

// Target returns the tag target the interpreter supports.
func (in *Interpreter) Target() (tags.Target, error) { return tags.TargetFromFacts(in.Facts) }

// inspectScript runs in the target interpreter: standard library only,
// valid from Python 3.7 on. It runs the tags package's facts script and
// adds the marker environment and the install paths.
var inspectScript = `
import contextlib, io, json, os, platform, sys, sysconfig
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    exec(compile(` + "`" + `FACTS` + "`" + `, "<facts>", "exec"), {"__name__": "facts"})
facts = json.loads(buf.getvalue())
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
    "facts": facts,
    "full_version": platform.python_version(),
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
	if cacheDir != "" && !isScript(path) {
		if fi, err := os.Stat(path); err == nil {
			key := fmt.Sprintf("v2\x00%s\x00%d\x00%d", path, fi.Size(), fi.ModTime().UnixNano())
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
	script := strings.Replace(inspectScript, "`FACTS`", strconv.Quote(tags.FactsScript), 1)
	cmd := exec.CommandContext(ctx, path, "-I", "-c", script)
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
	if in.Facts.System == "Linux" && in.Facts.Glibc == "" && in.Facts.Musl == "" {
		// The facts script finds musl through packaging, which the target
		// may lack; read the ELF interpreter ourselves then.
		in.Facts.Musl = muslVersion(ctx, in.Executable)
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

// isScript reports whether path is a "#!" script, such as a pyenv shim:
// which interpreter it starts can change without the file changing, so
// its answers must not be cached by its stat.
func isScript(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var head [2]byte
	n, _ := f.Read(head[:])
	return n == 2 && head == [2]byte{'#', '!'}
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
