package tags

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Target describes an interpreter on a machine: enough to list the wheel
// tags it supports without running it. Fill it from flags (ParsePythonVersion,
// ParsePlatform) or from what an interpreter reports about itself (Facts).
type Target struct {
	// Implementation is the short interpreter name of PEP 425: "cp"
	// (CPython), "pp" (PyPy), or another sys.implementation.name.
	Implementation string
	// Python is the language version (major, minor), e.g. {3, 11}; PyPy
	// 7.3 for Python 3.10 is {3, 10}.
	Python [2]int
	// ABIs lists the interpreter's own ABI tags, best first. When nil,
	// CPython's are derived from Python, Debug and FreeThreaded ("cp311",
	// "cp37m", "cp311d" then "cp311", "cp313t"), and other interpreters get
	// none (only "none"); PyPy needs its normalized SOABI, e.g.
	// "pypy310_pp73".
	ABIs []string
	// Debug marks a CPython debug build (Py_DEBUG).
	Debug bool
	// FreeThreaded marks a free-threaded CPython 3.13+ (Py_GIL_DISABLED).
	FreeThreaded bool
	// Platform is the machine.
	Platform Platform
}

// TargetError reports a Target that Validate rejects.
type TargetError struct {
	Target string
	Reason string
}

func (e *TargetError) Error() string {
	return fmt.Sprintf("target %s: %s", e.Target, e.Reason)
}

var pythonVersionRE = regexp.MustCompile(`^([0-9])(?:\.([0-9]{1,2})(?:\.[0-9]{1,4})?|([0-9]{1,2}))$`)

// ParsePythonVersion reads a --python-version value: "3.11", "3.11.7" (the
// micro version is ignored) or "311", as pip accepts them. A major version
// alone ("3") is rejected: tags need the minor version.
func ParsePythonVersion(s string) ([2]int, error) {
	m := pythonVersionRE.FindStringSubmatch(s)
	if m == nil {
		return [2]int{}, fmt.Errorf("python version %q: want major.minor such as 3.11", s)
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2] + m[3])
	if major != 3 {
		return [2]int{}, fmt.Errorf("python version %q: only Python 3 is supported", s)
	}
	return [2]int{major, minor}, nil
}

// Validate reports whether Tags can list tags for t.
func (t Target) Validate() error {
	fail := func(format string, args ...any) error {
		return &TargetError{t.String(), fmt.Sprintf(format, args...)}
	}
	if checkComponent(t.Implementation) != "" || strings.ContainsAny(t.Implementation, "0123456789_") {
		return fail("implementation %q: want a short name such as cp or pp", t.Implementation)
	}
	if t.Python[0] != 3 || t.Python[1] < 3 || t.Python[1] > maxPyMinor {
		return fail("python %d.%d: want 3.3 or later", t.Python[0], t.Python[1])
	}
	for _, abi := range t.ABIs {
		if checkComponent(abi) != "" {
			return fail("abi %q is not a tag component (lower-case letters, digits, _)", abi)
		}
	}
	if t.FreeThreaded && (t.Implementation != "cp" || t.Python[1] < 13) {
		return fail("free-threaded builds are CPython 3.13 and later")
	}
	if err := t.Platform.Validate(); err != nil {
		return fail("%v", err)
	}
	return nil
}

// String describes t briefly, e.g. "cp3.11 on manylinux_2_28_x86_64".
func (t Target) String() string {
	s := fmt.Sprintf("%s%d.%d", t.Implementation, t.Python[0], t.Python[1])
	if t.FreeThreaded {
		s += "t"
	}
	if t.Debug {
		s += "d"
	}
	return s + " on " + t.Platform.String()
}

func nodot(major, minor int) string { return strconv.Itoa(major) + strconv.Itoa(minor) }

// cpythonABIs derives CPython's ABI tags as packaging's _cpython_abis does,
// with the free-threading flag of packaging 24.
func (t Target) cpythonABIs() []string {
	v := nodot(t.Python[0], t.Python[1])
	threading, debug, pymalloc := "", "", ""
	if t.FreeThreaded {
		threading = "t"
	}
	if t.Debug {
		debug = "d"
	}
	if t.Python[1] < 8 {
		// WITH_PYMALLOC is on in every build pip supports; a Target
		// built from Facts gives its ABIs explicitly.
		pymalloc = "m"
		return []string{"cp" + v + threading + debug + pymalloc}
	}
	abis := []string{"cp" + v + threading + debug}
	if t.Debug {
		// a debug build also loads release extension modules
		abis = append(abis, "cp"+v+threading)
	}
	return abis
}

// isThreadedABI reports whether abi is a free-threaded CPython ABI: a "t"
// among the flags after "cp" and the version, as packaging 24's
// _is_threaded_cpython decides.
func isThreadedABI(abi string) bool {
	rest, ok := strings.CutPrefix(abi, "cp")
	digits := strings.TrimLeft(rest, "0123456789")
	return ok && len(digits) < len(rest) && strings.Contains(digits, "t")
}

// Tags returns the tags t supports, best first: exactly the list
// packaging.tags.sys_tags() of packaging 21.3 yields on such an
// interpreter (see the package doc for the deliberate differences), or nil
// when Validate rejects t.
//
// CPython: cpXY-<abi>-<platform> for each ABI, cpXY-abi3-*, cpXY-none-*,
// then cpXW-abi3-* for each older minor down to 3.2. Other interpreters:
// <impl>XY-<abi>-* and <impl>XY-none-*. Then for all: py3Y-none-* down to
// py30, pp3-none-any on PyPy, and py3Y-none-any down to py30-none-any;
// "*" runs over Platform.Tags() in order.
func (t Target) Tags() []Tag {
	if t.Validate() != nil {
		return nil
	}
	platforms := t.Platform.Tags()
	major, minor := t.Python[0], t.Python[1]
	interp := t.Implementation + nodot(major, minor)
	var out []Tag
	each := func(interp, abi string) {
		for _, p := range platforms {
			out = append(out, Tag{interp, abi, p})
		}
	}
	if t.Implementation == "cp" {
		abis := t.ABIs
		if abis == nil {
			abis = t.cpythonABIs()
		}
		// like list.remove in packaging: abi3 and none come at their
		// usual place, whatever their position in abis
		abis = removeFirst(removeFirst(abis, "abi3"), "none")
		threaded := len(abis) > 0 && isThreadedABI(abis[0])
		for _, abi := range abis {
			each(interp, abi)
		}
		if !threaded {
			each(interp, "abi3")
		}
		each(interp, "none")
		if !threaded {
			for m := minor - 1; m > 1; m-- {
				each("cp"+nodot(major, m), "abi3")
			}
		}
	} else {
		abis := append([]string(nil), t.ABIs...)
		if !slices.Contains(abis, "none") {
			abis = append(abis, "none")
		}
		for _, abi := range abis {
			each(interp, abi)
		}
	}
	pyRange := []string{"py" + nodot(major, minor), "py" + strconv.Itoa(major)}
	for m := minor - 1; m >= 0; m-- {
		pyRange = append(pyRange, "py"+nodot(major, m))
	}
	for _, py := range pyRange {
		each(py, "none")
	}
	if t.Implementation == "pp" {
		out = append(out, Tag{"pp3", "none", "any"})
	}
	for _, py := range pyRange {
		out = append(out, Tag{py, "none", "any"})
	}
	return out
}

// Ranking returns the ranking of t's tags.
func (t Target) Ranking() *Ranking { return NewRanking(t.Tags()) }

func removeFirst(list []string, s string) []string {
	for i, x := range list {
		if x == s {
			return append(append([]string(nil), list[:i]...), list[i+1:]...)
		}
	}
	return list
}
