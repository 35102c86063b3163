package lock

import (
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
)

// Change is one package's difference between two locks.
type Change struct {
	Name       string `json:"name"`
	Index      string `json:"index"`
	Kind       string `json:"kind"` // "added", "removed", "upgraded", "downgraded", "changed"
	OldVersion string `json:"old_version,omitempty"`
	NewVersion string `json:"new_version,omitempty"`
}

// Diff lists what changed from old (nil for none) to new, by package name.
// "changed" means the same version with other files or another index.
func Diff(old, new *File) []Change {
	var out []Change
	oldPkgs := map[string]*Package{}
	if old != nil {
		for i := range old.Packages {
			oldPkgs[old.Packages[i].Name] = &old.Packages[i]
		}
	}
	seen := map[string]bool{}
	for i := range new.Packages {
		n := &new.Packages[i]
		seen[n.Name] = true
		o := oldPkgs[n.Name]
		switch {
		case o == nil:
			out = append(out, Change{Name: n.Name, Index: n.Index, Kind: "added", NewVersion: n.Version})
		case o.Version != n.Version:
			kind := "upgraded"
			if versionLess(n.Version, o.Version) {
				kind = "downgraded"
			}
			out = append(out, Change{Name: n.Name, Index: n.Index, Kind: kind, OldVersion: o.Version, NewVersion: n.Version})
		case o.Index != n.Index || !sameFiles(o.Files, n.Files):
			out = append(out, Change{Name: n.Name, Index: n.Index, Kind: "changed", OldVersion: o.Version, NewVersion: n.Version})
		}
	}
	if old != nil {
		for _, o := range old.Packages {
			if !seen[o.Name] {
				out = append(out, Change{Name: o.Name, Index: o.Index, Kind: "removed", OldVersion: o.Version})
			}
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func versionLess(a, b string) bool {
	va, errA := pep440.Parse(a)
	vb, errB := pep440.Parse(b)
	if errA != nil || errB != nil {
		return a < b
	}
	return va.Compare(vb) < 0
}

func sameFiles(a, b []Dist) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].SHA256 != b[i].SHA256 || a[i].URL != b[i].URL {
			return false
		}
	}
	return true
}
