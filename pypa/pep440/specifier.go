package pep440

import (
	"fmt"
	"slices"
	"strings"
)

// maxSpecifierSetBytes bounds the length of a specifier set string.
const maxSpecifierSetBytes = 64 << 10

// Prereleases says how SpecifierSet.Contains and Filter treat pre-releases.
type Prereleases int

const (
	// PrereleasesDefault is packaging's prereleases=None: allowed when a
	// specifier names a pre-release, otherwise excluded (Filter on an empty
	// set keeps them when nothing else matches).
	PrereleasesDefault Prereleases = iota
	// PrereleasesAllow is packaging's prereleases=True.
	PrereleasesAllow
	// PrereleasesExclude is packaging's prereleases=False.
	PrereleasesExclude
)

// String returns the name of the constant.
func (p Prereleases) String() string {
	switch p {
	case PrereleasesDefault:
		return "PrereleasesDefault"
	case PrereleasesAllow:
		return "PrereleasesAllow"
	case PrereleasesExclude:
		return "PrereleasesExclude"
	}
	return fmt.Sprintf("Prereleases(%d)", int(p))
}

// Specifier is one clause such as ">=1.0" or "==1.2.*".
//
// Use ParseSpecifier to make one. A Specifier written as a literal, or whose
// Op or Version was changed after parsing, is parsed again by every Contains
// call and contains nothing when it is invalid.
type Specifier struct {
	Op      string // "==", "!=", "<=", ">=", "<", ">", "~=", "==="
	Version string // the text after the operator, e.g. "1.2.*"

	v    Version // the version, or the prefix of a wildcard; unset for ===
	wild bool    // Version ends in ".*"
	// Op and Version as parsed into v and wild, so that a changed or
	// literal Specifier is parsed again rather than matched with stale v
	op, text string
}

// isFresh reports whether s was parsed as it stands.
func (s *Specifier) isFresh() bool {
	return s.op == s.Op && s.text == s.Version && s.op != ""
}

// fresh returns s parsed, and false if s is not a valid specifier.
func (s Specifier) fresh() (Specifier, bool) {
	if s.isFresh() {
		return s, true
	}
	p, msg := parseSpecifier(s.Op + s.Version)
	return p, msg == ""
}

// ParseSpecifier parses one clause such as ">= 1.0" or "==1.2.*".
// Whitespace around the operator and the version is dropped.
func ParseSpecifier(s string) (Specifier, error) {
	sp, msg := parseSpecifier(s)
	if msg != "" {
		return Specifier{}, &ParseError{s, msg}
	}
	return sp, nil
}

var operators = [...]string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"}

func parseSpecifier(s string) (Specifier, string) {
	t := trimSpace(s)
	if len(t) > maxSpecifierSetBytes {
		return Specifier{}, fmt.Sprintf("longer than %d bytes", maxSpecifierSetBytes)
	}
	var sp Specifier
	for _, op := range operators {
		if strings.HasPrefix(t, op) {
			sp.Op = op
			break
		}
	}
	if sp.Op == "" {
		return sp, "no operator (want one of ==, !=, <=, >=, <, >, ~=, ===)"
	}
	sp.Version = trimSpace(t[len(sp.Op):])
	text := sp.Version
	if sp.Op == "===" {
		// arbitrary equality: any text without whitespace, even none
		if strings.ContainsFunc(text, isPySpace) {
			return sp, fmt.Sprintf("whitespace in %q after \"===\"", text)
		}
		sp.op, sp.text = sp.Op, sp.Version
		return sp, ""
	}
	if text == "" {
		return sp, fmt.Sprintf("no version after %q", sp.Op)
	}
	if len(text) > maxVersionBytes {
		return sp, fmt.Sprintf("version longer than %d bytes", maxVersionBytes)
	}
	if prefix, ok := strings.CutSuffix(text, ".*"); ok {
		if sp.Op != "==" && sp.Op != "!=" {
			return sp, fmt.Sprintf("wildcard %q only allowed with == and !=", text)
		}
		var p parts
		if msg := p.scan(prefix, true); msg != "" {
			return sp, msg
		}
		sp.v, sp.wild = p.version(), true
		sp.op, sp.text = sp.Op, sp.Version
		return sp, ""
	}
	var p parts
	if msg := p.scan(text, false); msg != "" {
		return sp, msg
	}
	if len(p.local) > 0 && sp.Op != "==" && sp.Op != "!=" {
		return sp, fmt.Sprintf("local version label in %q only allowed with ==, != and ===", text)
	}
	if sp.Op == "~=" && len(p.release) < 2 {
		return sp, fmt.Sprintf("~= needs at least two release numbers (%q has one; try \"~=%s.0\")", text, text)
	}
	sp.v, sp.op, sp.text = p.version(), sp.Op, sp.Version
	return sp, ""
}

// String returns the specifier as packaging prints it: the operator and the
// version text as given, without whitespace.
func (s Specifier) String() string { return s.Op + s.Version }

// NamesPrerelease reports whether s lets pre-releases match under
// PrereleasesDefault, as packaging's Specifier.prereleases does: s is
// inclusive (==, >=, <=, ~=, ===) and its version, or the prefix before
// ".*", is a pre-release or developmental release. "<2.0rc1" and
// "!=2.0rc1" name none.
func (s Specifier) NamesPrerelease() bool {
	s, ok := s.fresh()
	return ok && s.namesPrerelease()
}

func (s Specifier) namesPrerelease() bool {
	switch s.Op {
	case "==", ">=", "<=", "~=":
		return s.v.IsPrerelease()
	case "===":
		v, err := Parse(s.Version)
		return err == nil && v.IsPrerelease()
	}
	return false
}

// Contains reports whether v satisfies s alone; with PrereleasesDefault
// pre-releases match only when s names one.
func (s Specifier) Contains(v Version, pre Prereleases) bool {
	if v.key == "" {
		return false // the zero Version is not a version
	}
	s, ok := s.fresh()
	if !ok {
		return false
	}
	if v.IsPrerelease() && !(pre == PrereleasesAllow || pre == PrereleasesDefault && s.namesPrerelease()) {
		return false
	}
	return s.match(v)
}

// match applies the operator to v, pre-release policy aside.
func (s *Specifier) match(v Version) bool {
	sv := s.v
	switch s.Op {
	case "==":
		return s.equal(v)
	case "!=":
		return !s.equal(v)
	case "<=":
		return v.comparePublic(sv) <= 0
	case ">=":
		return v.comparePublic(sv) >= 0
	case "<":
		// <3.1 excludes 3.1.dev0 unless it names a pre-release itself
		return v.Compare(sv) < 0 &&
			!(!sv.IsPrerelease() && v.IsPrerelease() && v.sameBase(sv))
	case ">":
		// >3.1 excludes 3.1.post0 and 3.1+local unless it names them
		return v.Compare(sv) > 0 &&
			!(!sv.IsPostrelease() && v.IsPostrelease() && v.sameBase(sv)) &&
			!(v.flags&hasLocal != 0 && v.sameBase(sv))
	case "~=":
		return v.comparePublic(sv) >= 0 && prefixMatch(v, sv, sv.nrel-1, false)
	case "===":
		return asciiEqualFold(v.s, s.Version)
	}
	return false
}

func (s *Specifier) equal(v Version) bool {
	if s.wild {
		return prefixMatch(v, s.v, s.v.nrel, true)
	}
	if s.v.flags&hasLocal != 0 {
		return v.Compare(s.v) == 0
	}
	return v.comparePublic(s.v) == 0
}

// prefixMatch reports whether v starts with the first m release numbers of
// p (v's release padded with zeros), and, when suffix is set, continues with
// p's pre- and post-release segments: "1.0a1.*" matches 1.0a1 and
// 1.0a1.post2.dev3 but not 1.0.0a1 nor 1.0a2.
func prefixMatch(v, p Version, m int, suffix bool) bool {
	if v.key[:v.epochEnd] != p.key[:p.epochEnd] {
		return false
	}
	vi, pi := v.epochEnd, p.epochEnd
	for range m {
		vd, pd := "", ""
		if v.key[vi] == keyItem {
			vd, vi = readNum(v.key, vi+1)
		}
		if p.key[pi] == keyItem {
			pd, pi = readNum(p.key, pi+1)
		}
		if vd != pd {
			return false
		}
	}
	if !suffix || p.flags&(hasPre|hasPost) == 0 {
		return true
	}
	if v.nrel > m {
		return false // a release number stands where p has its suffix
	}
	if p.flags&hasPre != 0 || v.flags&hasPre != 0 {
		if v.key[v.relEnd:v.preEnd] != p.key[p.relEnd:p.preEnd] {
			return false
		}
	}
	if p.flags&hasPost != 0 {
		return v.key[v.preEnd:v.postEnd] == p.key[p.preEnd:p.postEnd]
	}
	return true
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// SpecifierSet is a comma-separated list of specifiers; empty matches all.
type SpecifierSet []Specifier

// ParseSpecifierSet parses "" or ">=1.0, <2". Empty clauses are skipped and
// duplicates dropped, keeping the first spelling, as packaging does.
func ParseSpecifierSet(s string) (SpecifierSet, error) {
	if len(s) > maxSpecifierSetBytes {
		return nil, &ParseError{s, fmt.Sprintf("longer than %d bytes", maxSpecifierSetBytes)}
	}
	var set SpecifierSet
	seen := map[string]bool{}
	for item := range strings.SplitSeq(s, ",") {
		if trimSpace(item) == "" {
			continue
		}
		sp, msg := parseSpecifier(item)
		if msg != "" {
			if trimSpace(item) != trimSpace(s) {
				msg = fmt.Sprintf("%q: %s", trimSpace(item), msg)
			}
			return nil, &ParseError{s, msg}
		}
		if k := sp.canonical(); !seen[k] {
			seen[k] = true
			set = append(set, sp)
		}
	}
	return set, nil
}

// canonical is the identity packaging's set uses to drop duplicates:
// "==1.0" and "== 1.0.0" are one specifier.
func (s Specifier) canonical() string {
	if s.Op == "===" || s.wild {
		return s.Op + s.Version
	}
	v := s.v.Canonical()
	if s.Op == "~=" {
		v = s.v.String() // ~=1.0 and ~=1.0.0 differ
	}
	return s.Op + v
}

// String returns the normalized form as packaging prints it: the
// specifiers sorted as text and joined by ",".
func (s SpecifierSet) String() string {
	strs := make([]string, len(s))
	for i, sp := range s {
		strs[i] = sp.String()
	}
	slices.Sort(strs)
	return strings.Join(strs, ",")
}

// NamesPrerelease reports whether any specifier of s names a pre-release
// (see Specifier.NamesPrerelease), which makes PrereleasesDefault accept
// pre-releases, as packaging's SpecifierSet.prereleases does.
func (s SpecifierSet) NamesPrerelease() bool {
	for _, sp := range s {
		if sp.NamesPrerelease() {
			return true
		}
	}
	return false
}

// Contains reports whether v satisfies every specifier of s.
func (s SpecifierSet) Contains(v Version, pre Prereleases) bool {
	// only a pre-release needs the set's pre-release policy
	return s.contains(v, v.IsPrerelease() && s.allowsPrereleases(pre))
}

// allowsPrereleases resolves pre for s: PrereleasesDefault allows them
// when a specifier names one.
func (s SpecifierSet) allowsPrereleases(pre Prereleases) bool {
	return pre == PrereleasesAllow || pre == PrereleasesDefault && s.NamesPrerelease()
}

func (s SpecifierSet) contains(v Version, allowPre bool) bool {
	if v.key == "" {
		return false // the zero Version is not a version
	}
	if v.IsPrerelease() && !allowPre {
		return false
	}
	for i := range s {
		sp := &s[i]
		if !sp.isFresh() {
			p, ok := sp.fresh()
			if !ok {
				return false
			}
			sp = &p
		}
		if !sp.match(v) {
			return false
		}
	}
	return true
}

// Filter returns the versions in vs that s contains, in input order. An
// empty set with PrereleasesDefault returns the pre-releases when vs has no
// final release, as packaging does.
func (s SpecifierSet) Filter(vs []Version, pre Prereleases) []Version {
	var out []Version
	if len(s) > 0 || pre != PrereleasesDefault {
		allow := s.allowsPrereleases(pre)
		for _, v := range vs {
			if s.contains(v, allow) {
				out = append(out, v)
			}
		}
		return out
	}
	var pres []Version
	for _, v := range vs {
		if v.IsPrerelease() {
			pres = append(pres, v)
		} else {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return pres
	}
	return out
}
