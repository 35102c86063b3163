package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/install"
)

func TestLocalIOExitCode(t *testing.T) {
	full := &fs.PathError{Op: "write", Path: "/cache/files/.tmp-download-1", Err: syscall.ENOSPC}
	tests := []struct {
		name string
		err  error
		want int
		hint string
	}{
		{"cache full", fmt.Errorf("caching a.whl in /cache/files: %w", full), exitLocalIO, "the file system that holds /cache/files is full"},
		{"quota", &fs.PathError{Op: "write", Path: "/home/u/.cache/x", Err: syscall.EDQUOT}, exitLocalIO, "is full"},
		{"read-only lock directory", fmt.Errorf("writing /p/safepip.lock: %w", &fs.PathError{Op: "open", Path: "/p/.safepip.lock.tmp-*", Err: syscall.EROFS}), exitLocalIO, "/p is on a read-only file system"},
		{"permission", &fs.PathError{Op: "mkdir", Path: "/cache/files", Err: syscall.EACCES}, exitLocalIO, "permission denied in /cache"},
		{"not permitted", &fs.PathError{Op: "chmod", Path: "/p/x", Err: syscall.EPERM}, exitLocalIO, "permission denied in /p"},
		{"rename", &os.LinkError{Op: "rename", Old: "/p/.tmp", New: "/p/safepip.lock", Err: syscall.ENOSPC}, exitLocalIO, "holds /p is full"},
		{"other file error", &fs.PathError{Op: "open", Path: "/p/x", Err: syscall.ENOENT}, exitCheck, ""},
		{"a connection refused for permission is the network's", &index.NetworkError{Index: "pypi", URL: "https://x/simple/a/",
			Err: &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EACCES)}}, exitNetwork, ""},
		{"an unreadable file:// index is the index's", &index.PageError{Index: "local", URL: "file:///srv/simple/a/", Err: &fs.PathError{Op: "open", Path: "/srv/simple/a/index.html", Err: syscall.EACCES}}, exitNetwork, "permission denied in /srv/simple/a"},
		{"no path, no exit 6", os.NewSyscallError("write", syscall.ENOSPC), exitCheck, ""},
		{"time limit", &index.NetworkError{Index: "pypi", URL: "https://x/simple/a/", Err: &index.TimeoutError{Limit: index.LimitLowSpeed}}, exitNetwork, "--timeout SECONDS"},
		{"plain", errors.New("x"), exitCheck, ""},
		{"pip: target full", &install.PipError{Args: []string{"/w/venv/bin/python", "-m", "pip"}, Code: 1,
			Output: "Installing collected packages: big\nERROR: Could not install packages due to an OSError: [Errno 28] No space left on device\n\n"}, exitLocalIO, "the file system that holds /w/venv is full"},
		{"pip: target read-only", &install.PipError{Args: []string{"/w/venv/bin/python"}, Code: 1,
			Output: "ERROR: Could not install packages due to an OSError: [Errno 30] Read-only file system: '/w/venv/lib/python3.11/site-packages/big/__init__.py'"},
			exitLocalIO, "/w/venv/lib/python3.11/site-packages/big is on a read-only file system"},
		{"pip: target permission", fmt.Errorf("installing: %w", &install.PipError{Args: []string{"/usr/bin/python3"}, Code: 1,
			Output: "ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: '/usr/lib/python3/dist-packages/big'\nConsider using the `--user` option or check the permissions.\n"}),
			exitLocalIO, "permission denied in /usr/lib/python3/dist-packages"},
		{"pip: another OSError", &install.PipError{Args: []string{"/w/venv/bin/python"}, Code: 1,
			Output: "ERROR: Could not install packages due to an OSError: [Errno 2] No such file or directory: '/x'\n"}, exitPip, ""},
		{"pip: a build failed", &install.PipError{Args: []string{"/w/venv/bin/python"}, Code: 1, Output: "error: subprocess-exited-with-error\n"}, exitPip, ""},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", tt.name, tt.err, got, tt.want)
		}
		if got := hint(tt.err); tt.hint == "" && got != "" || !strings.Contains(got, tt.hint) {
			t.Errorf("%s: hint(%v) = %q, want it to contain %q", tt.name, tt.err, got, tt.hint)
		}
	}
}

func TestNetworkFlags(t *testing.T) {
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--timeout", "0", "version"}, exitUsage, "--timeout: want a number of seconds greater than 0"},
		{[]string{"--timeout=-3", "version"}, exitUsage, "--timeout: want"},
		{[]string{"--timeout", "NaN", "version"}, exitUsage, "--timeout"},
		{[]string{"--retries=-1", "version"}, exitUsage, "--retries: want a count"},
		{[]string{"--timeout", "2.5", "--retries", "0", "version"}, exitOK, ""},
		{[]string{"version", "--timeout", "2"}, exitOK, ""},
	}
	for _, tt := range tests {
		code, _, errs := runArgs(t, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.err) {
			t.Errorf("safepip %v = %d, stderr %q; want %d with %q", tt.args, code, errs, tt.code, tt.err)
		}
	}
	var n network
	two, three := 2.5, 3
	n.Timeout, n.Retries = &two, &three
	if s := n.settings(); s.Timeout.Seconds() != 2.5 || *s.Retries != 3 {
		t.Errorf("settings() = %+v", s)
	}
}

// TestFSRefusalWindows pins the Windows system errors of a full or
// read-only disk, which mean other things on Linux, whatever the OS the
// test runs on.
func TestFSRefusalWindows(t *testing.T) {
	tests := []struct {
		errno      syscall.Errno
		windows    string
		notWindows string
	}{
		{112, "full", ""},     // ERROR_DISK_FULL; EHOSTDOWN on Linux
		{39, "full", ""},      // ERROR_HANDLE_DISK_FULL; ENOTEMPTY on Linux
		{19, "read-only", ""}, // ERROR_WRITE_PROTECT; ENODEV on Linux
		{2, "", ""},           // ERROR_FILE_NOT_FOUND
	}
	for _, tt := range tests {
		err := &fs.PathError{Op: "write", Path: `C:\cache\x`, Err: tt.errno}
		if got := fsRefusal(err, "windows"); got != tt.windows {
			t.Errorf("fsRefusal(errno %d, windows) = %q, want %q", tt.errno, got, tt.windows)
		}
		if got := fsRefusal(err, "linux"); got != tt.notWindows && runtime.GOOS != "windows" {
			t.Errorf("fsRefusal(errno %d, linux) = %q, want %q", tt.errno, got, tt.notWindows)
		}
	}
	if got := fsRefusal(&fs.PathError{Op: "write", Path: "/c/x", Err: syscall.ENOSPC}, "linux"); got != "full" {
		t.Errorf("fsRefusal(ENOSPC, linux) = %q, want full", got)
	}
}
