package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/safepip/safepip/index"
)

// localIOFailure is a file system that refused a write or a read: no
// space, read-only, or no permission. Nothing is wrong with the input or
// the index, and asking again will not help until someone frees space or
// fixes the permissions: exit 6.
type localIOFailure struct {
	path string // as the failed call named it
	why  string // what the file system said, for the hint
}

// localIO finds the file system's refusal in err: an *fs.PathError or
// *os.LinkError (so a path is there to name) carrying ENOSPC, EDQUOT,
// EROFS, EACCES or EPERM. Network errors carry no path: a refused
// connection is never one.
func localIO(err error) (localIOFailure, bool) {
	var f localIOFailure
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	switch {
	case errors.As(err, &pathErr):
		f.path = pathErr.Path
	case errors.As(err, &linkErr):
		f.path = linkErr.New
	default:
		return f, false
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		f.why = "full"
	case errors.Is(err, syscall.EROFS):
		f.why = "read-only"
	case errors.Is(err, fs.ErrPermission):
		f.why = "permission"
	default:
		return f, false
	}
	return f, true
}

// hint says what to do about it; nothing half-written was kept, so the
// next run after that needs no cleanup.
func (f localIOFailure) hint() string {
	dir := filepath.Dir(f.path) // the path may be a temporary file, gone now
	switch f.why {
	case "full":
		return fmt.Sprintf("the file system that holds %s is full: free space there (for the cache, or set SAFEPIP_CACHE_DIR to a directory with room), then run again; nothing half-written was kept", dir)
	case "read-only":
		return fmt.Sprintf("%s is on a read-only file system: run where it is writable (for the cache, set SAFEPIP_CACHE_DIR); nothing was changed", dir)
	}
	return fmt.Sprintf("permission denied in %s: fix its owner or mode, or run as its owner (for the cache, set SAFEPIP_CACHE_DIR); nothing was changed", dir)
}

// hint returns a line saying how to fix err, or "" when err says it all.
func hint(err error) string {
	var te *index.TimeoutError
	if f, ok := localIO(err); ok {
		return f.hint()
	}
	if errors.As(err, &te) {
		return "an index hit a time limit: if it is only slow, raise them with --timeout SECONDS (or SAFEPIP_HTTP_TIMEOUT, PIP_TIMEOUT; connect and response headers each, and the low-speed window) and SAFEPIP_HTTP_LOW_SPEED_LIMIT (bytes/s, 0 for none); nothing was written"
	}
	return ""
}
