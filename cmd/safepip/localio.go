package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"syscall"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/install"
)

// localIOFailure is a file system that refused a write or a read: no
// space, read-only, or no permission. Nothing is wrong with the input or
// the index, and asking again will not help until someone frees space or
// fixes the permissions: exit 6.
type localIOFailure struct {
	dir    string // the directory at fault
	why    string // "full", "read-only" or "permission"
	target bool   // pip's, in the target environment
}

// localIO finds the file system's refusal in err: an *fs.PathError or
// *os.LinkError (so a path is there to name) carrying ENOSPC, EDQUOT,
// EROFS, EACCES or EPERM, or pip's report of one in the target
// environment. Network errors carry no path: a refused connection is
// never one.
func localIO(err error) (localIOFailure, bool) {
	var (
		f       localIOFailure
		path    string
		pathErr *fs.PathError
		linkErr *os.LinkError
		pipErr  *install.PipError
	)
	switch {
	case errors.As(err, &pipErr):
		return pipLocalIO(pipErr)
	case errors.As(err, &pathErr):
		path = pathErr.Path
	case errors.As(err, &linkErr):
		path = linkErr.New
	default:
		return f, false
	}
	f.dir = filepath.Dir(path) // the path may be a temporary file, gone now
	f.why = fsRefusal(err, runtime.GOOS)
	return f, f.why != ""
}

// windowsErrnos are the Windows system errors of a full or read-only file
// system (ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL, ERROR_WRITE_PROTECT);
// there syscall.ENOSPC and EROFS are values no call returns.
var windowsErrnos = map[syscall.Errno]string{112: "full", 39: "full", 19: "read-only"}

// fsRefusal returns why a file system refused err on goos: "full",
// "read-only", "permission", or "" for another failure.
func fsRefusal(err error, goos string) string {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "full"
	case errors.Is(err, syscall.EROFS):
		return "read-only"
	case errors.Is(err, fs.ErrPermission):
		return "permission"
	}
	var errno syscall.Errno
	if goos == "windows" && errors.As(err, &errno) {
		return windowsErrnos[errno] // the same numbers mean other things elsewhere
	}
	return ""
}

// pipOSError is pip's report of an OSError that stopped an install, the
// path quoted when pip knows it (pip 23):
//
//	ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device
//	ERROR: Could not install packages due to an OSError: [Errno 30] Read-only file system: '/venv/lib/python3.11/site-packages/x.py'
var pipOSError = regexp.MustCompile(`due to an OSError: \[Errno (\d+)\] [^\n]*?(?:: '([^'\n]+)')?\n`)

// pipErrnos are the errno values pip reports, the same on Linux, macOS and
// Windows (C runtime), for the failures of exit 6.
var pipErrnos = map[string]string{"28": "full", "30": "read-only", "13": "permission", "1": "permission"}

// pipLocalIO reads pip's output for a file system refusal in the target
// environment: pip's output is the only account of it there is.
func pipLocalIO(e *install.PipError) (localIOFailure, bool) {
	m := pipOSError.FindStringSubmatch(e.Output + "\n")
	if m == nil || pipErrnos[m[1]] == "" {
		return localIOFailure{}, false
	}
	f := localIOFailure{why: pipErrnos[m[1]], target: true}
	switch {
	case m[2] != "":
		f.dir = filepath.Dir(m[2])
	case len(e.Args) > 0:
		f.dir = filepath.Dir(filepath.Dir(e.Args[0])) // <env>/bin/python: the environment
	default:
		f.dir = "the target environment"
	}
	return f, true
}

// hint says what to do about it. safepip kept nothing half-written, so
// the next run after that needs no cleanup.
func (f localIOFailure) hint() string {
	cache := " (for the cache, or set SAFEPIP_CACHE_DIR to a directory with room)"
	elsewhere := " (for the cache, set SAFEPIP_CACHE_DIR)"
	if f.target {
		cache, elsewhere = "", " (or install into another environment with --python)"
	}
	switch f.why {
	case "full":
		return fmt.Sprintf("the file system that holds %s is full: free space there%s, then run again", f.dir, cache)
	case "read-only":
		return fmt.Sprintf("%s is on a read-only file system: run where it is writable%s", f.dir, elsewhere)
	}
	return fmt.Sprintf("permission denied in %s: fix its owner or mode, or run as its owner%s", f.dir, elsewhere)
}

// hint returns a line saying how to fix err, or "" when err says it all.
func hint(err error) string {
	var te *index.TimeoutError
	if f, ok := localIO(err); ok {
		return f.hint()
	}
	if errors.As(err, &te) {
		return "an index hit a time limit: if it is only slow, raise the limits with --timeout SECONDS (or SAFEPIP_HTTP_TIMEOUT, or pip's timeout; connect and response headers each, and the low-speed window) and SAFEPIP_HTTP_LOW_SPEED_LIMIT (bytes/s, 0 for none); nothing was written"
	}
	return ""
}
