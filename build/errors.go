package build

import (
	"fmt"
	"strings"
)

// BackendError is a build backend that failed: a hook raised, or the
// backend could not be loaded from the build environment. Output is what
// the backend printed (its last maxOutputBytes), for the user to read.
type BackendError struct {
	Source  string // the sdist or source directory
	Backend string // e.g. "setuptools.build_meta:__legacy__"
	Hook    string // e.g. "build_wheel"
	Reason  string // why, when it is not in Output (an unloadable backend)
	Output  string
}

func (e *BackendError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "building %s: backend %s failed in %s", e.Source, e.Backend, e.Hook)
	if e.Reason != "" {
		fmt.Fprintf(&b, ": %s", e.Reason)
	}
	if out := strings.TrimRight(e.Output, "\n"); out != "" {
		fmt.Fprintf(&b, "\nbackend output:\n%s", out)
	}
	return b.String()
}

// EnvironmentError is a build environment that could not be made: the
// interpreter's venv module failed. Output is what it printed.
type EnvironmentError struct {
	Python string
	Output string
	Err    error
}

func (e *EnvironmentError) Error() string {
	return fmt.Sprintf("making a build environment with %s: %v\n%s\nthe interpreter needs its venv module (on Debian and Ubuntu: apt install python3-venv)",
		e.Python, e.Err, strings.TrimRight(e.Output, "\n"))
}

func (e *EnvironmentError) Unwrap() error { return e.Err }

// HashMismatchError is a build dependency, or the sdist to build, whose
// bytes are not the ones the caller verified: nothing was built.
type HashMismatchError struct {
	What string // "build dependency" or "sdist"
	File string
	Want string
	Got  string
}

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("%s %s does not match its hash\n    expected sha256 %s\n    got      sha256 %s\nthe file changed after it was verified; nothing was built: do not use it, and find out what replaced it",
		e.What, e.File, e.Want, e.Got)
}

// MissingRequirementsError is a build that needs distributions the
// caller did not provide: the [build-system] requires, or what a
// get_requires hook returned. They must be resolved and locked first.
type MissingRequirementsError struct {
	Source  string
	From    string   // "[build-system] requires" or the hook's name
	Missing []string // the requirements no build dependency satisfies
	// Requires is the hook's whole answer (nil for [build-system]
	// requires): what the caller resolves and locks before building again.
	Requires []string
}

func (e *MissingRequirementsError) Error() string {
	return fmt.Sprintf("building %s: %s needs %s, which no locked build dependency provides; relock so that they are resolved and locked",
		e.Source, e.From, strings.Join(e.Missing, ", "))
}

// UnsupportedError is a backend without a hook the build needs: an
// editable build from a backend that does not implement PEP 660.
type UnsupportedError struct {
	Source  string
	Backend string
	Hook    string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("building %s: backend %s has no %s hook; it cannot build editable installs (PEP 660): install the project without -e, or upgrade its build backend",
		e.Source, e.Backend, e.Hook)
}
