package lock

import (
	"cmp"
	"slices"
	"strings"
)

// Change is one package entry's difference between two locks.
type Change struct {
	Name       string `json:"name"`
	Index      string `json:"index"`
	Kind       string `json:"kind"` // "added", "removed", "upgraded", "downgraded", "changed"
	OldVersion string `json:"old_version,omitempty"`
	NewVersion string `json:"new_version,omitempty"`
	// Marker is where the entry applies ("" everywhere in scope): the new
	// entry's, or for "removed" the old one's.
	Marker string `json:"marker,omitempty"`
	// Build marks a [[build-package]] entry: a wheel that builds use,
	// never installed into the target.
	Build bool `json:"build,omitempty"`
	// Source is where a package from a source comes from, as
	// Source.String says (the new entry's, or for "removed" the old one's).
	Source string `json:"source,omitempty"`
}

// Diff lists what changed from old (nil for none) to new, by package name:
// the [[package]] entries, then the [[build-package]] entries (Build set).
// "changed" means the same version with other files, another index,
// another marker, another source or other build dependencies.
//
// A name locked at several versions (under disjoint markers) is compared
// entry by entry: entries with equal markers pair first, then entries of
// equal versions; when one entry of each side is left, it is an upgrade or
// a downgrade; any other is added or removed.
func Diff(old, new *File) []Change {
	var oldPackages, oldBuild []Package
	if old != nil {
		oldPackages, oldBuild = old.Packages, old.BuildPackages
	}
	out := diffList(oldPackages, new.Packages, false)
	return append(out, diffList(oldBuild, new.BuildPackages, true)...)
}

// diffList compares two lists of entries, name by name, sorted by name
// then version.
func diffList(old, new []Package, build bool) []Change {
	var out []Change
	oldByName := map[string][]*Package{}
	for i := range old {
		p := &old[i]
		oldByName[p.Name] = append(oldByName[p.Name], p)
	}
	newByName := map[string][]*Package{}
	var names []string
	for i := range new {
		p := &new[i]
		if newByName[p.Name] == nil {
			names = append(names, p.Name)
		}
		newByName[p.Name] = append(newByName[p.Name], p)
	}
	for name := range oldByName {
		if newByName[name] == nil {
			names = append(names, name)
		}
	}
	for _, name := range names {
		out = append(out, diffName(oldByName[name], newByName[name], build)...)
	}
	slices.SortStableFunc(out, func(a, b Change) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return compareVersions(cmp.Or(a.NewVersion, a.OldVersion), cmp.Or(b.NewVersion, b.OldVersion))
	})
	return out
}

// diffName compares the entries of one name. [[package]] entries pair by
// marker first; [[build-package]] entries, which have none, by version.
func diffName(olds, news []*Package, build bool) []Change {
	var out []Change
	pair := func(same func(o, n *Package) bool) {
		for i, n := range news {
			if n == nil {
				continue
			}
			for j, o := range olds {
				if o != nil && same(o, n) {
					out = append(out, compareEntries(o, n, build)...)
					olds[j], news[i] = nil, nil
					break
				}
			}
		}
	}
	olds, news = slices.Clone(olds), slices.Clone(news)
	if !build {
		pair(func(o, n *Package) bool { return o.Marker == n.Marker })
	}
	pair(func(o, n *Package) bool { return o.Version == n.Version })
	olds = slices.DeleteFunc(olds, func(p *Package) bool { return p == nil })
	news = slices.DeleteFunc(news, func(p *Package) bool { return p == nil })
	if len(olds) == 1 && len(news) == 1 {
		return append(out, compareEntries(olds[0], news[0], build)...)
	}
	for _, n := range news {
		out = append(out, Change{Name: n.Name, Index: n.Index, Kind: "added", NewVersion: n.Version, Marker: n.Marker, Build: build, Source: n.Source.String()})
	}
	for _, o := range olds {
		out = append(out, Change{Name: o.Name, Index: o.Index, Kind: "removed", OldVersion: o.Version, Marker: o.Marker, Build: build, Source: o.Source.String()})
	}
	return out
}

// compareEntries is the change from o to n, if any.
func compareEntries(o, n *Package, build bool) []Change {
	c := Change{Name: n.Name, Index: n.Index, OldVersion: o.Version, NewVersion: n.Version, Marker: n.Marker, Build: build, Source: n.Source.String()}
	switch {
	case o.Version != n.Version:
		c.Kind = "upgraded"
		if compareVersions(n.Version, o.Version) < 0 {
			c.Kind = "downgraded"
		}
	case o.Index != n.Index || o.Marker != n.Marker || !sameFiles(o.Files, n.Files) ||
		o.Source.String() != n.Source.String() || !slices.Equal(o.BuildDependencies, n.BuildDependencies):
		c.Kind = "changed"
	default:
		return nil
	}
	return []Change{c}
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
