// Package tags implements wheel compatibility tags: parsing them (PEP 425,
// with compressed tag sets), and generating, in priority order, the tags an
// interpreter supports (PEP 425; PEP 513, 571, 599 and 600 manylinux; PEP 656
// musllinux; macOS and Windows), as packaging.tags.sys_tags does.
//
// The reference is packaging 21.3, the version vendored by pip 23.2, because
// pip refuses to install a wheel whose tags its own packaging does not list.
// Target.Tags reproduces sys_tags of 21.3 tag for tag, in order, with these
// deliberate differences:
//
//   - A free-threaded CPython (3.13t, Py_GIL_DISABLED) gets the "cp313t" ABI
//     and no abi3 tags, as in packaging 24 and later; 21.3 predates such
//     builds and would wrongly offer cp313-cp313 wheels.
//   - Targets are described, not detected: armv7l and i686 Linux targets are
//     assumed to have the hard-float/i386 ELF ABI that manylinux requires, and
//     the optional _manylinux module override of a distribution is ignored.
//
// Where modern packaging (26.x) differs from 21.3 we follow 21.3, the
// behaviour of the pip we drive: linux_<arch> comes after the manylinux and
// musllinux tags, CPython gets no "cp3X-none-any" tag, there is no abi3t,
// armv8l or riscv64 manylinux, and macOS keeps the "fat32" binary format
// (modern: "fat3").
//
// Quirks of 21.3 that Tags keeps, since pip 23.2 decides with them: from
// macOS 11 on only X_0 versions are listed (macosx_12_0, never macosx_12_3,
// so a wheel tagged for 12.3 is not installable), followed by 10.16 down to
// 10.4 (universal2 only on arm64); an interpreter built with an old SDK
// reports macOS 11+ as 10.16 and gets the 10.x list; a glibc of major 3
// would be followed by 2.50 down to 2.5, 50 being packaging's guess of the
// last 2.x; the legacy aliases manylinux1, manylinux2010 and manylinux2014
// come right after manylinux_2_5, _2_12 and _2_17.
//
// ParseTag is stricter than packaging's parse_tag: it rejects empty
// components ("py3..py2-none-any") and characters other than ASCII letters,
// digits and "_"; tools write "_" for any other character of a platform
// name (PEP 425), so real wheels do not carry them.
package tags

import (
	"fmt"
	"strings"
)

// Tag is one interpreter-abi-platform triple such as cp311-cp311-manylinux_2_17_x86_64.
// Its fields are lower case when it comes from ParseTag or Target.Tags.
type Tag struct {
	Interpreter, ABI, Platform string
}

// String returns "interpreter-abi-platform".
func (t Tag) String() string { return t.Interpreter + "-" + t.ABI + "-" + t.Platform }

// maxExpandedTags bounds the tags one compressed tag set may expand to; real
// wheels carry at most a few dozen.
const maxExpandedTags = 4096

// TagError reports a tag that ParseTag rejects.
type TagError struct {
	Tag    string // the tag as given
	Reason string // the rule broken
}

func (e *TagError) Error() string {
	return fmt.Sprintf("invalid tag %q: %s", e.Tag, e.Reason)
}

// ParseTag parses a tag such as "py2.py3-none-any" and expands its compressed
// tag set (PEP 425): every combination of the "."-separated interpreters,
// ABIs and platforms, interpreter outermost, in the order written, without
// duplicates. Letters are lower-cased, as packaging does.
func ParseTag(s string) ([]Tag, error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return nil, &TagError{s, fmt.Sprintf("want interpreter-abi-platform, found %d dash-separated parts", len(parts))}
	}
	var sets [3][]string
	for i, part := range parts {
		comps := strings.Split(strings.ToLower(part), ".")
		for _, c := range comps {
			if err := checkComponent(c); err != "" {
				return nil, &TagError{s, fmt.Sprintf("%s %q: %s", [3]string{"interpreter", "abi", "platform"}[i], part, err)}
			}
		}
		sets[i] = comps
	}
	n := len(sets[0]) * len(sets[1]) * len(sets[2])
	if n > maxExpandedTags {
		return nil, &TagError{s, fmt.Sprintf("expands to %d tags, more than %d", n, maxExpandedTags)}
	}
	out := make([]Tag, 0, n)
	seen := make(map[Tag]bool, n)
	for _, in := range sets[0] {
		for _, abi := range sets[1] {
			for _, p := range sets[2] {
				t := Tag{in, abi, p}
				if !seen[t] {
					seen[t] = true
					out = append(out, t)
				}
			}
		}
	}
	return out, nil
}

// checkComponent returns why c is not a valid lower-case tag component, or "".
func checkComponent(c string) string {
	if c == "" {
		return "empty component"
	}
	for i := 0; i < len(c); i++ {
		if !isTagByte(c[i]) {
			return fmt.Sprintf("character %q not allowed (use ASCII letters, digits and _)", c[i])
		}
	}
	return ""
}

func isTagByte(b byte) bool {
	return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '_'
}

// Ranking gives each supported tag its priority: its index in the list
// Target.Tags returns, 0 being the best.
type Ranking struct {
	rank map[Tag]int
}

// NewRanking ranks tags by their position in supported, most preferred
// first; a tag listed twice keeps its first position.
func NewRanking(supported []Tag) *Ranking {
	r := &Ranking{rank: make(map[Tag]int, len(supported))}
	for i, t := range supported {
		if _, ok := r.rank[t]; !ok {
			r.rank[t] = i
		}
	}
	return r
}

// Priority returns the rank of t (lower is better) and whether t is supported.
func (r *Ranking) Priority(t Tag) (int, bool) {
	p, ok := r.rank[t]
	return p, ok
}

// Best returns the best rank among ts, the tags of one wheel, and whether any
// of them is supported: a wheel is installable when one of its tags is.
func (r *Ranking) Best(ts []Tag) (int, bool) {
	best, found := 0, false
	for _, t := range ts {
		if p, ok := r.rank[t]; ok && (!found || p < best) {
			best, found = p, true
		}
	}
	return best, found
}

// Len returns the number of distinct supported tags.
func (r *Ranking) Len() int { return len(r.rank) }
