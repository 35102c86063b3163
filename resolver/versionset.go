package resolver

import (
	"iter"
	"math/bits"
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
)

// universe is every version of one project that the resolver may choose,
// ascending. It is fixed once the project's page has been read, which
// makes version sets finite and exact: a set is a bitset over the
// universe, and complement, union and intersection are bit operations, with
// none of the corner cases of PEP 440 ranges (local versions, wildcards,
// pre-release opt-in) leaking into the solver.
type universe struct {
	versions []pep440.Version
}

func newUniverse(vs []pep440.Version) *universe {
	vs = slices.Clone(vs)
	slices.SortFunc(vs, func(a, b pep440.Version) int { return a.Compare(b) })
	vs = slices.CompactFunc(vs, func(a, b pep440.Version) bool { return a.Compare(b) == 0 })
	return &universe{versions: vs}
}

// index returns the position of v in the universe, or -1.
func (u *universe) index(v pep440.Version) int {
	i, ok := slices.BinarySearchFunc(u.versions, v, func(a, b pep440.Version) int { return a.Compare(b) })
	if !ok {
		return -1
	}
	return i
}

// VersionSet is a set of versions of one project, over its universe.
type VersionSet struct {
	u    *universe
	bits []uint64
	// label is how a person wrote the set (a requirement's specifier),
	// shown instead of the computed ranges; operations drop it.
	label string
}

// withLabel returns s shown as label in reports.
func (s VersionSet) withLabel(label string) VersionSet {
	s.label = label
	return s
}

func (u *universe) empty() VersionSet {
	return VersionSet{u: u, bits: make([]uint64, (len(u.versions)+63)/64)}
}

func (u *universe) full() VersionSet {
	return u.empty().Complement()
}

// where returns the set of versions for which keep is true.
func (u *universe) where(keep func(pep440.Version) bool) VersionSet {
	s := u.empty()
	for i, v := range u.versions {
		if keep(v) {
			s.bits[i/64] |= 1 << (i % 64)
		}
	}
	return s
}

func (u *universe) single(v pep440.Version) VersionSet {
	s := u.empty()
	if i := u.index(v); i >= 0 {
		s.bits[i/64] |= 1 << (i % 64)
	}
	return s
}

// Contains reports whether v is in s.
func (s VersionSet) Contains(v pep440.Version) bool {
	i := s.u.index(v)
	return i >= 0 && s.has(i)
}

func (s VersionSet) has(i int) bool { return s.bits[i/64]&(1<<(i%64)) != 0 }

// Intersect returns s ∩ o.
func (s VersionSet) Intersect(o VersionSet) VersionSet {
	r := s.u.empty()
	for i := range r.bits {
		r.bits[i] = s.bits[i] & o.bits[i]
	}
	return r
}

// Union returns s ∪ o.
func (s VersionSet) Union(o VersionSet) VersionSet {
	r := s.u.empty()
	for i := range r.bits {
		r.bits[i] = s.bits[i] | o.bits[i]
	}
	return r
}

// Complement returns the versions of the universe not in s.
func (s VersionSet) Complement() VersionSet {
	r := s.u.empty()
	n := len(s.u.versions)
	for i := range r.bits {
		r.bits[i] = ^s.bits[i]
	}
	if n%64 != 0 {
		r.bits[len(r.bits)-1] &= 1<<(n%64) - 1
	}
	return r
}

// IsEmpty reports whether s has no version.
func (s VersionSet) IsEmpty() bool {
	for _, b := range s.bits {
		if b != 0 {
			return false
		}
	}
	return true
}

// IsFull reports whether s holds every version of the universe.
func (s VersionSet) IsFull() bool { return s.Len() == len(s.u.versions) }

// Len returns the number of versions in s.
func (s VersionSet) Len() int {
	n := 0
	for _, b := range s.bits {
		n += bits.OnesCount64(b)
	}
	return n
}

// Equal reports whether s and o hold the same versions.
func (s VersionSet) Equal(o VersionSet) bool { return slices.Equal(s.bits, o.bits) }

// Descending yields the members of s, newest first, without allocating:
// the solver asks for a version before every decision.
func (s VersionSet) Descending() iter.Seq[pep440.Version] {
	return func(yield func(pep440.Version) bool) {
		for w := len(s.bits) - 1; w >= 0; w-- {
			word := s.bits[w]
			for word != 0 {
				b := 63 - bits.LeadingZeros64(word)
				if !yield(s.u.versions[w*64+b]) {
					return
				}
				word &^= 1 << b
			}
		}
	}
}

// String renders s as PEP 440 ranges over the known versions, the way a
// person would write them: "*", ">=2.0", ">=1.0, <2.0", "==1.5", joined
// with " | " when there are gaps.
func (s VersionSet) String() string {
	if s.label != "" {
		return s.label
	}
	n := len(s.u.versions)
	if s.IsEmpty() {
		return "<none>"
	}
	var runs []string
	for i := 0; i < n; {
		if !s.has(i) {
			i++
			continue
		}
		j := i
		for j+1 < n && s.has(j+1) {
			j++
		}
		runs = append(runs, s.run(i, j))
		i = j + 1
	}
	return strings.Join(runs, " | ")
}

func (s VersionSet) run(i, j int) string {
	vs := s.u.versions
	n := len(vs)
	switch {
	case i == 0 && j == n-1:
		return "*"
	case i == j:
		return "==" + vs[i].String()
	case i == 0:
		return "<" + vs[j+1].String()
	case j == n-1:
		return ">=" + vs[i].String()
	}
	return ">=" + vs[i].String() + ", <" + vs[j+1].String()
}
