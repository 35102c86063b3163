package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestNetrcPaths(t *testing.T) {
	vars := map[string]string{"HOME": "/home/me", "USERPROFILE": `C:\Users\me`}
	getenv := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	tests := []struct {
		goos string
		want []string
	}{
		{"linux", []string{"/home/me/.netrc"}},
		{"darwin", []string{"/home/me/.netrc"}},
		{"windows", []string{`C:\Users\me\.netrc`, `C:\Users\me\_netrc`}},
	}
	for _, tt := range tests {
		if got := netrcPaths(getenv, tt.goos); !slices.Equal(got, tt.want) {
			t.Errorf("netrcPaths(%s) = %q, want %q", tt.goos, got, tt.want)
		}
	}
	if got := netrcPaths(func(string) (string, bool) { return "", false }, "windows"); got != nil {
		t.Errorf("netrcPaths without a home = %q, want none", got)
	}
}

func TestNetrcPath(t *testing.T) {
	home := t.TempDir()
	vars := map[string]string{"HOME": home, "USERPROFILE": home}
	e := &env{getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
	if got, want := netrcPath(e), filepath.Join(home, ".netrc"); got != want {
		t.Errorf("netrcPath = %q, want %q", got, want)
	}
	vars["NETRC"] = "/elsewhere/netrc"
	if got := netrcPath(e); got != "/elsewhere/netrc" {
		t.Errorf("netrcPath with $NETRC = %q", got)
	}
	delete(vars, "NETRC")
	if err := os.WriteFile(filepath.Join(home, ".netrc"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, want := netrcPath(e), filepath.Join(home, ".netrc"); got != want {
		t.Errorf("netrcPath with ~/.netrc = %q, want %q", got, want)
	}
}
