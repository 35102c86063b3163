package main

import (
	"os"
	"runtime"
	"strings"
)

// netrcPath is $NETRC, else the .netrc of the home directory, as pip
// (through requests) finds it: on Windows the home is %USERPROFILE% and
// _netrc is looked for too.
func netrcPath(e *env) string {
	if p, ok := e.getenv("NETRC"); ok && p != "" {
		return p
	}
	paths := netrcPaths(e.getenv, runtime.GOOS)
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if len(paths) > 0 {
		return paths[0]
	}
	return ""
}

// netrcPaths are the netrc files of the home directory on goos, in the
// order requests tries them.
func netrcPaths(getenv func(string) (string, bool), goos string) []string {
	homeVar, sep, names := "HOME", "/", []string{".netrc"}
	if goos == "windows" {
		// Python's expanduser reads USERPROFILE, not HOME, on Windows.
		homeVar, sep, names = "USERPROFILE", `\`, []string{".netrc", "_netrc"}
	}
	home, ok := getenv(homeVar)
	if !ok || home == "" {
		return nil
	}
	home = strings.TrimRight(home, `/\`)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = home + sep + n
	}
	return out
}
