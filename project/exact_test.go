package project

import (
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/verify"
)

func TestCheckExact(t *testing.T) {
	for _, tc := range []struct {
		o    InstallOptions
		want string // "" for accepted
	}{
		{InstallOptions{}, ""},
		{InstallOptions{Exact: true}, ""},
		{InstallOptions{Exact: true, Frozen: true, DryRun: true}, ""},
		{InstallOptions{Exact: true, Pip: install.PipOptions{Target: "t"}}, "--target, --prefix, --root and --user install elsewhere"},
		{InstallOptions{Exact: true, Pip: install.PipOptions{User: true}}, "--target, --prefix, --root and --user install elsewhere"},
		{InstallOptions{Exact: true, PythonVersion: "3.12", Platform: "win_amd64", DryRun: true}, "not --python-version and --platform"},
		{InstallOptions{Pip: install.PipOptions{Prefix: "p"}}, ""},
	} {
		err := checkExact(&tc.o)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("checkExact(%+v) = %v, want %q", tc.o, err, tc.want)
		}
	}
}

// extraDists is the one decision behind verify --installed's "extra" and
// install --exact: what the selection does not hold, pip's tools kept
// unless the lock holds them.
func TestExtraDists(t *testing.T) {
	dists := []verify.InstalledDist{{Name: "pip"}, {Name: "setuptools"}, {Name: "wheel"}, {Name: "app"}, {Name: "stray"}, {Name: "old"}}
	choices := []install.Choice{{Package: &lock.Package{Name: "app"}}, {Package: &lock.Package{Name: "setuptools"}}}
	var got []string
	for _, d := range extraDists(dists, choices) {
		got = append(got, d.Name)
	}
	if want := []string{"stray", "old"}; !slices.Equal(got, want) {
		t.Errorf("extraDists = %v, want %v", got, want)
	}
}
