// Package wheel parses distribution filenames: wheels (PEP 427 and the
// binary distribution format specification, with PEP 425 compressed tag
// sets) and source distributions (PEP 625). It does no I/O.
//
// A wheel filename is {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl
// and an sdist filename {name}-{version}.tar.gz. The reference is packaging
// 21.3 (pip 23.2): utils.parse_wheel_filename and parse_sdist_filename.
// Every filename accepted here is accepted by packaging with the same name,
// version, build tag and tag set. Deliberate differences, all stricter:
//
//   - A filename is a name, not a path: "/", "\\" and ".." are rejected, and
//     only ASCII letters, digits and "._+!-" may appear (packaging lets
//     through spaces, Unicode letters and digits). It is at most 1024 bytes.
//   - Each dash-separated part is non-empty. A wheel's name part is a valid
//     project name (letters and digits at both ends, "." and "_" between;
//     packaging also takes "_foo" and "" there) and a build tag is ASCII
//     digits followed by letters, digits or "_".
//   - Tags follow tags.ParseTag: no empty components, no characters other
//     than letters, digits and "_".
//   - Versions follow pep440.Parse, which rejects what packaging's Version
//     takes only through Unicode case folding.
//   - An sdist name is a valid project name, and a filename that splits
//     into a valid name and version at more than one dash is rejected as
//     ambiguous: "foo-1.0-2.tar.gz" is foo 1.0-2 (1.0.post2) or "foo-1.0" 2;
//     packaging picks the last dash, pip the dash after the name it wants.
//     PEP 625 names ({name} normalized with "_") are never ambiguous.
//   - As packaging and pip do, an sdist may also end in ".zip" (legacy), and
//     names are accepted in their legacy spellings ("Django", "zope.interface",
//     "python-dateutil"); versions in any PEP 440 spelling ("1.0-1" aside,
//     whose dash cannot be told from the name's).
package wheel

import (
	"fmt"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
)

// Wheel is a parsed wheel filename.
type Wheel struct {
	Name    string         // PEP 503 normalized project name
	Version pep440.Version // parsed version
	Build   string         // build tag, "" when absent
	Tags    []tags.Tag     // the compressed tag set expanded, in filename order
}

// FilenameError reports a distribution filename that does not follow its
// format; Err is the underlying version or tag error, if any.
type FilenameError struct {
	Kind     string // "wheel" or "sdist"
	Filename string
	Reason   string // the rule broken
	Err      error
}

// maxFilenameBytes bounds the filenames we parse: file systems store at most
// 255 bytes, and the sdist ambiguity check is quadratic in the length.
const maxFilenameBytes = 1024

// maxErrorFilename bounds how much of a hostile filename an error repeats.
const maxErrorFilename = 200

func (e *FilenameError) Error() string {
	msg := fmt.Sprintf("%s filename %q: %s", e.Kind, clip(e.Filename), e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *FilenameError) Unwrap() error { return e.Err }

// checkChars returns why filename cannot be a distribution filename on any
// index, or "".
func checkChars(filename string) string {
	if filename == "" {
		return "empty"
	}
	if len(filename) > maxFilenameBytes {
		return fmt.Sprintf("longer than %d bytes", maxFilenameBytes)
	}
	if strings.ContainsAny(filename, `/\`) {
		return "a filename, not a path, is wanted"
	}
	if strings.Contains(filename, "..") {
		return `".." not allowed`
	}
	for _, r := range filename {
		if r >= 0x80 || !isAlnum(byte(r)) && !strings.ContainsRune("._+!-", r) {
			return fmt.Sprintf("character %q not allowed (want ASCII letters, digits and ._+!-)", r)
		}
	}
	return ""
}

// clip shortens a part of a hostile filename for an error message.
func clip(s string) string {
	if len(s) > maxErrorFilename {
		return s[:maxErrorFilename] + "..."
	}
	return s
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// ParseWheel parses a wheel filename such as
// "foo-1.0-1-py2.py3-none-any.whl" (PEP 427: the name with "-" escaped as
// "_", the version, an optional build tag starting with a digit, and a
// compressed tag set).
func ParseWheel(filename string) (Wheel, error) {
	fail := func(err error, format string, args ...any) (Wheel, error) {
		return Wheel{}, &FilenameError{"wheel", filename, fmt.Sprintf(format, args...), err}
	}
	if why := checkChars(filename); why != "" {
		return fail(nil, "%s", why)
	}
	stem, ok := strings.CutSuffix(filename, ".whl")
	if !ok {
		return fail(nil, `want the extension ".whl"`)
	}
	parts := strings.Split(stem, "-")
	if len(parts) != 5 && len(parts) != 6 {
		return fail(nil, "want name-version(-build)?-python-abi-platform.whl, found %d dash-separated parts", len(parts))
	}
	for i, p := range parts {
		if p == "" {
			return fail(nil, "dash-separated part %d is empty", i+1)
		}
	}
	if why := checkWheelName(parts[0]); why != "" {
		return fail(nil, "name %q: %s", clip(parts[0]), why)
	}
	v, err := pep440.Parse(parts[1])
	if err != nil {
		return fail(err, "version is not PEP 440")
	}
	w := Wheel{Name: pep508.NormalizeName(parts[0]), Version: v}
	if len(parts) == 6 {
		w.Build = parts[2]
		if why := checkBuild(w.Build); why != "" {
			return fail(nil, "build tag %q: %s", clip(w.Build), why)
		}
	}
	w.Tags, err = tags.ParseTag(strings.Join(parts[len(parts)-3:], "-"))
	if err != nil {
		return fail(err, "bad tags")
	}
	return w, nil
}

// checkWheelName checks a wheel's escaped name: a project name in which
// every "-" became "_" (PEP 427).
func checkWheelName(name string) string {
	if strings.Contains(name, "__") {
		return `"__" not allowed (a run of "-", "_" and "." is escaped as one "_")`
	}
	return checkName(name)
}

// checkName checks a project name (PEP 508): ASCII letters and digits, with
// ".", "_" and "-" only between them.
func checkName(name string) string {
	if !pep508.ValidName(name) {
		return "not a valid project name (letters and digits, with . _ - only between them)"
	}
	return ""
}

// checkBuild checks a build tag: digits, then letters, digits or "_".
func checkBuild(build string) string {
	if build[0] < '0' || build[0] > '9' {
		return "must start with a digit"
	}
	for i := 0; i < len(build); i++ {
		if !isAlnum(build[i]) && build[i] != '_' {
			return fmt.Sprintf("character %q not allowed (want letters, digits and _)", build[i])
		}
	}
	return ""
}

// splitBuild splits a build tag into its number, without leading zeros, and
// the rest, which packaging compares as the tuple (int, str).
func splitBuild(build string) (number, rest string) {
	i := 0
	for i < len(build) && '0' <= build[i] && build[i] <= '9' {
		i++
	}
	number = strings.TrimLeft(build[:i], "0")
	if number == "" && i > 0 {
		number = "0"
	}
	return number, build[i:]
}

// CompareBuild orders two build tags as PEP 427 does, by their leading
// number and then the rest as a string; "" (no build tag) sorts first. It
// returns -1, 0 or +1.
func CompareBuild(a, b string) int {
	if a == "" || b == "" {
		return strings.Compare(a, b) // "" sorts before any tag
	}
	an, ar := splitBuild(a)
	bn, br := splitBuild(b)
	if len(an) != len(bn) {
		if len(an) < len(bn) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(an, bn); c != 0 {
		return c
	}
	return strings.Compare(ar, br)
}

// Filename returns the normal form of w's filename: the name with "_" for
// "-", the normalized version, the build tag, and the tags compressed in the
// order they first appear. It fails when w.Tags is not the expansion of one
// compressed tag set, as ParseWheel always gives.
func (w Wheel) Filename() (string, error) {
	var sets [3][]string
	seen := [3]map[string]bool{{}, {}, {}}
	present := make(map[tags.Tag]bool, len(w.Tags))
	for _, t := range w.Tags {
		present[t] = true
		for i, c := range [3]string{t.Interpreter, t.ABI, t.Platform} {
			if !seen[i][c] {
				seen[i][c] = true
				sets[i] = append(sets[i], c)
			}
		}
	}
	if len(w.Tags) == 0 || len(present) != len(sets[0])*len(sets[1])*len(sets[2]) {
		return "", fmt.Errorf("wheel %s %s: its %d tags are not one compressed tag set", w.Name, w.Version, len(w.Tags))
	}
	parts := []string{strings.ReplaceAll(w.Name, "-", "_"), w.Version.String()}
	if w.Build != "" {
		parts = append(parts, w.Build)
	}
	for _, set := range sets {
		parts = append(parts, strings.Join(set, "."))
	}
	return strings.Join(parts, "-") + ".whl", nil
}

// Sdist is a parsed source distribution filename.
type Sdist struct {
	Name    string // PEP 503 normalized project name
	Version pep440.Version
}

// sdistExtensions are the extensions ParseSdist accepts: PEP 625's and the
// legacy ".zip" that packaging 21.3 also takes.
var sdistExtensions = []string{".tar.gz", ".zip"}

// ParseSdist parses an sdist filename such as "foo_bar-1.0.tar.gz" (PEP
// 625), also accepting the legacy ".zip" extension and legacy spellings of
// the name ("Foo.Bar-1.0.zip"), as long as only one dash splits the stem
// into a valid project name and a valid version.
func ParseSdist(filename string) (Sdist, error) {
	fail := func(err error, format string, args ...any) (Sdist, error) {
		return Sdist{}, &FilenameError{"sdist", filename, fmt.Sprintf(format, args...), err}
	}
	if why := checkChars(filename); why != "" {
		return fail(nil, "%s", why)
	}
	ext := sdistExtension(filename)
	stem := strings.TrimSuffix(filename, ext)
	if ext == "" || stem == "" {
		return fail(nil, `want name-version.tar.gz (or the legacy .zip)`)
	}
	dash := strings.LastIndexByte(stem, '-')
	if dash < 0 {
		return fail(nil, "want name-version.tar.gz: no dash between name and version")
	}
	name, version := stem[:dash], stem[dash+1:]
	if why := checkName(name); why != "" {
		return fail(nil, "name %q: %s", clip(name), why)
	}
	v, err := pep440.Parse(version)
	if err != nil {
		return fail(err, "version is not PEP 440")
	}
	for i := 0; i < dash; i++ {
		if stem[i] != '-' {
			continue
		}
		if checkName(stem[:i]) != "" {
			continue
		}
		if other, err := pep440.Parse(stem[i+1:]); err == nil {
			return fail(nil, "ambiguous: %s %s or %s %s; rename it %s-%s.tar.gz (PEP 625)",
				clip(name), clip(version), clip(stem[:i]), clip(stem[i+1:]),
				clip(strings.ReplaceAll(pep508.NormalizeName(stem[:i]), "-", "_")), clip(other.String()))
		}
	}
	return Sdist{Name: pep508.NormalizeName(name), Version: v}, nil
}

// Filename returns the PEP 625 filename of s: "{name}-{version}.tar.gz" with
// the name's "-" written "_" and the version normalized.
func (s Sdist) Filename() string {
	return strings.ReplaceAll(s.Name, "-", "_") + "-" + s.Version.String() + ".tar.gz"
}

// SameDistribution reports whether two filenames name the same
// distribution file once parsed: both wheels with the same project name,
// normalized version, build tag (compared as PEP 427 orders it, so "01" is
// "1") and tag set, or both sdists with the same name, normalized version
// and archive extension (".tar.gz" and ".zip" are different files). "1.0"
// and "1.0.0" differ: their normalized forms do. A filename that does not
// parse is an error.
func SameDistribution(a, b string) (bool, error) {
	wa, wb := strings.HasSuffix(a, ".whl"), strings.HasSuffix(b, ".whl")
	if wa && wb {
		x, err := ParseWheel(a)
		if err != nil {
			return false, err
		}
		y, err := ParseWheel(b)
		if err != nil {
			return false, err
		}
		return x.Name == y.Name && x.Version.String() == y.Version.String() &&
			CompareBuild(x.Build, y.Build) == 0 && sameTagSet(x.Tags, y.Tags), nil
	}
	parse := func(f string, wheel bool) (Sdist, error) {
		if wheel {
			w, err := ParseWheel(f)
			return Sdist{w.Name, w.Version}, err
		}
		return ParseSdist(f)
	}
	x, err := parse(a, wa)
	if err != nil {
		return false, err
	}
	y, err := parse(b, wb)
	if err != nil {
		return false, err
	}
	return !wa && !wb && x.Name == y.Name && x.Version.String() == y.Version.String() &&
		sdistExtension(a) == sdistExtension(b), nil
}

func sdistExtension(filename string) string {
	for _, ext := range sdistExtensions {
		if strings.HasSuffix(filename, ext) {
			return ext
		}
	}
	return ""
}

func sameTagSet(a, b []tags.Tag) bool {
	set := make(map[tags.Tag]bool, len(a))
	for _, t := range a {
		set[t] = true
	}
	other := make(map[tags.Tag]bool, len(b))
	for _, t := range b {
		if !set[t] {
			return false
		}
		other[t] = true
	}
	return len(set) == len(other)
}
