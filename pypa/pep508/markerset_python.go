package pep508

import (
	"strconv"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
)

// pyver is a point of the domain MarkerSet gives the version-valued
// variables (python_full_version, implementation_version): CPython-style
// versions X.Y.Z or X.Y.Z{a,b,rc}N, with no epoch, post, dev or local part.
// Every interpreter spells its version so, and on this domain every PEP 440
// comparison is a finite union of intervals whose ends are points of the
// domain, which the general PEP 440 order (dense, with post and local
// versions that ">" treats apart) does not give.
type pyver struct {
	rel [3]int64
	pre int8  // preA, preB, preRC or preFinal
	n   int64 // the pre-release number; 0 for a final release
}

const (
	preA int8 = iota
	preB
	preRC
	preFinal
)

// maxPyComponent bounds each number of a pyver so that +1 never overflows;
// a specifier naming a larger number stays an opaque comparison.
const maxPyComponent = 1 << 40

// minPyver is the lowest point: a cut before it is no cut.
var minPyver = pyver{pre: preA}

func (a pyver) compare(b pyver) int {
	for i := range a.rel {
		if a.rel[i] != b.rel[i] {
			return cmpInt(a.rel[i], b.rel[i])
		}
	}
	if a.pre != b.pre {
		return cmpInt(int64(a.pre), int64(b.pre))
	}
	return cmpInt(a.n, b.n)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// releaseStart is the lowest point of release rel: its first alpha.
func releaseStart(rel [3]int64) pyver { return pyver{rel: rel, pre: preA} }

// minorStart is the lowest point whose python_version is x.y.
func minorStart(x, y int64) pyver { return pyver{rel: [3]int64{x, y, 0}, pre: preA} }

// isMinorStart reports whether p is the lowest point of a python_version.
func (p pyver) isMinorStart() bool { return p.rel[2] == 0 && p.pre == preA && p.n == 0 }

// text is p as a version string: "3.11.7", "3.13.0rc1".
func (p pyver) text() string {
	s := strconv.FormatInt(p.rel[0], 10) + "." + strconv.FormatInt(p.rel[1], 10) + "." + strconv.FormatInt(p.rel[2], 10)
	switch p.pre {
	case preA:
		s += "a" + strconv.FormatInt(p.n, 10)
	case preB:
		s += "b" + strconv.FormatInt(p.n, 10)
	case preRC:
		s += "rc" + strconv.FormatInt(p.n, 10)
	}
	return s
}

// minorText is "X.Y" of a point.
func (p pyver) minorText() string {
	return strconv.FormatInt(p.rel[0], 10) + "." + strconv.FormatInt(p.rel[1], 10)
}

// release3 returns v's release as three numbers when v's release has no
// nonzero number past the third (trailing zeros compare equal), and whether
// every number is small enough to work with.
func release3(v pep440.Version) (rel [3]int64, exact bool, ok bool) {
	r := v.Release()
	exact = true
	for i, x := range r {
		if x < 0 || x >= maxPyComponent {
			return rel, false, false
		}
		if i < 3 {
			rel[i] = int64(x)
		} else if x != 0 {
			exact = false
		}
	}
	return rel, exact, true
}

// nextRelease is the release after rel at its last meaningful position i.
func nextRelease(rel [3]int64, i int) [3]int64 {
	out := rel
	out[i]++
	for j := i + 1; j < 3; j++ {
		out[j] = 0
	}
	return out
}

// ceilPy returns the lowest point p with p >= v (p > v when strict) in PEP
// 440 order; ok is false when there is none (v is above every point, as
// with an epoch) or v's numbers are too large.
func ceilPy(v pep440.Version, strict bool) (p pyver, inf bool, ok bool) {
	if v.Epoch() != 0 {
		return pyver{}, true, v.Epoch() > 0
	}
	rel, exact, ok := release3(v)
	if !ok {
		return pyver{}, false, false
	}
	next := releaseStart(nextRelease(rel, 2))
	if !exact {
		return next, false, true // v lies between rel and the next release
	}
	kind, num, hasPre := v.Pre()
	_, hasPost := v.Post()
	_, hasDev := v.Dev()
	local := v.Local() != ""
	if num < 0 || num >= maxPyComponent {
		return pyver{}, false, false
	}
	if !hasPre && !hasPost && hasDev {
		return releaseStart(rel), false, true // X.Y.Z.devN sorts before every pre-release
	}
	if hasPre {
		p := pyver{rel: rel, pre: preKind(kind), n: int64(num)}
		switch {
		case hasPost:
			p.n++ // rc1.post1 lies between rc1 and rc2
		case hasDev:
			// rc1.dev0 (and its local versions) sort just below rc1
		case local || strict:
			p.n++
		}
		return p, false, true
	}
	final := pyver{rel: rel, pre: preFinal}
	if hasPost || local || strict {
		return next, false, true
	}
	return final, false, true
}

func preKind(kind string) int8 {
	switch kind {
	case "a":
		return preA
	case "b":
		return preB
	}
	return preRC
}

// vset is a set of points: the points p with an odd number of cuts <= p,
// plus all points when in is true. Cuts are strictly increasing and never
// minPyver, so each set has one representation.
type vset struct {
	in   bool
	cuts []pyver
}

func (s vset) not() vset { return vset{in: !s.in, cuts: s.cuts} }

// interval is [lo, hi); a nil bound is unbounded.
func interval(lo, hi *pyver) vset {
	var s vset
	if lo == nil || *lo == minPyver {
		s.in = true
	} else {
		s.cuts = append(s.cuts, *lo)
	}
	if hi != nil {
		if *hi == minPyver {
			return vset{}
		}
		if lo != nil && lo.compare(*hi) >= 0 {
			return vset{}
		}
		s.cuts = append(s.cuts, *hi)
	}
	return s
}

// combine merges two sets with op applied pointwise.
func combine(a, b vset, op func(x, y bool) bool) vset {
	out := vset{in: op(a.in, b.in)}
	ina, inb, cur := a.in, b.in, out.in
	i, j := 0, 0
	for i < len(a.cuts) || j < len(b.cuts) {
		var p pyver
		switch {
		case j == len(b.cuts) || i < len(a.cuts) && a.cuts[i].compare(b.cuts[j]) < 0:
			p = a.cuts[i]
			ina = !ina
			i++
		case i == len(a.cuts) || b.cuts[j].compare(a.cuts[i]) < 0:
			p = b.cuts[j]
			inb = !inb
			j++
		default:
			p = a.cuts[i]
			ina, inb = !ina, !inb
			i++
			j++
		}
		if v := op(ina, inb); v != cur {
			out.cuts = append(out.cuts, p)
			cur = v
		}
	}
	return out
}

func andOp(x, y bool) bool { return x && y }

// ptr returns a pointer to p, for interval's bounds.
func ptr(p pyver) *pyver { return &p }

// ceilBound is ceilPy as an interval bound: nil when unbounded above.
func ceilBound(v pep440.Version, strict bool) (*pyver, bool) {
	p, inf, ok := ceilPy(v, strict)
	if !ok {
		return nil, false
	}
	if inf {
		return nil, true
	}
	return &p, true
}

// atLeast is {p : p >= v}, or {p : p > v} when strict.
func atLeast(v pep440.Version, strict bool) (vset, bool) {
	lo, ok := ceilBound(v, strict)
	if lo == nil {
		return vset{}, ok
	}
	return interval(lo, nil), ok
}

// pointSet is {p : p == v}, allowing for v's trailing zeros.
func pointSet(v pep440.Version) (vset, bool) {
	lo, ok1 := ceilBound(v, false)
	hi, ok2 := ceilBound(v, true)
	if !ok1 || !ok2 {
		return vset{}, false
	}
	if lo == nil {
		return vset{}, true
	}
	return interval(lo, hi), true
}

// baseRelease returns the points sharing v's base release (all pre-releases
// and the final), as a set.
func baseSet(v pep440.Version, presOnly bool) (vset, bool) {
	if v.Epoch() != 0 {
		return vset{}, true
	}
	rel, exact, ok := release3(v)
	if !ok {
		return vset{}, false
	}
	if !exact {
		return vset{}, true
	}
	hi := releaseStart(nextRelease(rel, 2))
	if presOnly {
		hi = pyver{rel: rel, pre: preFinal}
	}
	return interval(ptr(releaseStart(rel)), &hi), true
}

// prefixSet is the set "== prefix.*" matches: the points whose release,
// padded with zeros, starts with prefix's release.
func prefixSet(prefix pep440.Version) (vset, bool) {
	if _, _, pre := prefix.Pre(); pre || prefix.IsPostrelease() || prefix.IsDevrelease() || prefix.Local() != "" {
		return vset{}, false // "==3.11rc1.*": rare; kept opaque
	}
	if prefix.Epoch() != 0 {
		return vset{}, true
	}
	r := prefix.Release()
	var rel [3]int64
	for i, x := range r {
		if x < 0 || x >= maxPyComponent {
			return vset{}, false
		}
		if i < 3 {
			rel[i] = int64(x)
		} else if x != 0 {
			return vset{}, true
		}
	}
	last := min(len(r), 3) - 1
	return interval(ptr(releaseStart(rel)), ptr(releaseStart(nextRelease(rel, last)))), true
}

// specSet returns the points x for which packaging says "x op value"
// (forward) or "value op x" (reversed, the variable on the right), where
// op and the version side form a PEP 440 specifier. ok is false when the
// comparison has no exact set here: "===", local versions, pre-release
// prefixes, huge numbers, or an undefined comparison.
func specSet(op, value string, reversed, minor bool) (vset, bool) {
	switch op {
	case "in", "not in":
		return vset{}, false
	case "===":
		return arbitrarySet(value, reversed, minor)
	case "~=":
		if reversed {
			return reversedCompatible(value, minor)
		}
	}
	s, ok := versionSet(op, value, reversed)
	if minor {
		s = minorSet(s)
	}
	return s, ok
}

// arbitrarySet is the set of "===": packaging compares the lower-cased
// text, the version side in its normal form. The environment's value is
// an interpreter's, already normal ("3.13.0rc1", "3.13").
func arbitrarySet(value string, reversed, minor bool) (vset, bool) {
	target := strings.ToLower(trimPySpace(value))
	if reversed {
		target = value
		if v, err := pep440.Parse(value); err == nil {
			target = v.String()
		}
		target = strings.ToLower(target)
	} else if containsPySpace(target) {
		return vset{}, false // undefined
	}
	if minor {
		lo, hi, ok := minorRange(target)
		if !ok || lo.minorText() != target {
			return vset{}, true
		}
		return interval(&lo, &hi), true
	}
	p, ok := parsePyver(target)
	if !ok || p.text() != target {
		return vset{}, true
	}
	return interval(&p, ptr(p.succ())), true
}

// succ is the point after p.
func (p pyver) succ() pyver {
	if p.pre == preFinal {
		return releaseStart(nextRelease(p.rel, 2))
	}
	p.n++
	return p
}

// reversedCompatible is {x : Specifier("~=" + x).Contains(l)}: l >= x and
// l starts with x's release but its last number ("3.11" for x = 3.11.7,
// "3" for a python_version x = 3.11).
func reversedCompatible(value string, minor bool) (vset, bool) {
	l, err := pep440.Parse(value)
	if err != nil {
		return vset{}, false // undefined
	}
	hi, ok := ceilBound(l.Public(), true)
	below := interval(nil, hi) // pub(l) >= x
	if l.Epoch() != 0 {
		return vset{}, ok
	}
	rel, _, ok2 := release3(l)
	if !ok || !ok2 {
		return vset{}, false
	}
	if minor {
		// x = X.Y: l's release starts with X; x <= l
		same := interval(ptr(minorStart(rel[0], 0)), ptr(minorStart(rel[0]+1, 0)))
		return minorSet(combine(below, same, andOp)), true
	}
	same := interval(ptr(minorStart(rel[0], rel[1])), ptr(minorStart(rel[0], rel[1]+1)))
	return combine(below, same, andOp), true
}

// versionSet is specSet for python_full_version and the operators whose
// meaning in PEP 440 order the domain's intervals capture.
func versionSet(op, value string, reversed bool) (vset, bool) {
	// packaging compares strings when the value is not a version (nor a
	// specifier with op): no interpreter's version string equals it.
	stringsOnly := func() (vset, bool) {
		switch op {
		case "==":
			return vset{}, true
		case "!=":
			return vset{in: true}, true
		}
		return vset{}, false // undefined
	}
	if !reversed {
		spec, isSpec := singleSpecifier(op, value)
		if !isSpec {
			return stringsOnly()
		}
		return forwardSet(spec)
	}
	v, err := pep440.Parse(value)
	if err != nil {
		return stringsOnly()
	}
	return reversedSet(op, v)
}

func forwardSet(spec pep440.Specifier) (vset, bool) {
	text := spec.Version
	wildcard := len(text) >= 2 && text[len(text)-2:] == ".*"
	if wildcard {
		text = text[:len(text)-2]
	}
	v, err := pep440.Parse(text)
	if err != nil {
		return vset{}, false
	}
	if v.Local() != "" {
		// only "==" and "!=" take a local version, and no interpreter's
		// version has a local label to match it
		return vset{in: spec.Op == "!="}, spec.Op == "==" || spec.Op == "!="
	}
	switch spec.Op {
	case "==", "!=":
		var s vset
		var ok bool
		if wildcard {
			s, ok = prefixSet(v)
		} else {
			s, ok = pointSet(v)
		}
		if spec.Op == "!=" {
			s = s.not()
		}
		return s, ok
	case ">=":
		return atLeast(v, false)
	case "<=":
		hi, ok := ceilBound(v, true)
		return interval(nil, hi), ok
	case ">":
		return atLeast(v, true)
	case "<":
		hi, ok := ceilBound(v, false)
		s := interval(nil, hi)
		if !v.IsPrerelease() {
			// "<3.11" excludes the pre-releases of 3.11 itself.
			pres, ok2 := baseSet(v, true)
			ok = ok && ok2
			s = combine(s, pres, func(x, y bool) bool { return x && !y })
		}
		return s, ok
	case "~=":
		lo, ok := ceilBound(v, false)
		r := v.Release()
		if len(r) < 2 || lo == nil {
			return vset{}, ok && len(r) >= 2
		}
		prefix, err := pep440.Parse(releaseText(v, len(r)-1))
		if err != nil {
			return vset{}, false
		}
		ps, ok2 := prefixSet(prefix)
		return combine(interval(lo, nil), ps, andOp), ok && ok2
	}
	return vset{}, false
}

// releaseText is v's epoch and first n release numbers as text.
func releaseText(v pep440.Version, n int) string {
	s := ""
	if v.Epoch() != 0 {
		s = strconv.Itoa(v.Epoch()) + "!"
	}
	for i, x := range v.Release()[:n] {
		if i > 0 {
			s += "."
		}
		s += strconv.Itoa(x)
	}
	return s
}

// reversedSet is {x : Specifier(op + x).Contains(l)}, per packaging's
// rules with the environment's version as the specifier.
func reversedSet(op string, l pep440.Version) (vset, bool) {
	pub := l.Public()
	switch op {
	case "==", "!=":
		s, ok := pointSet(pub)
		if op == "!=" {
			s = s.not()
		}
		return s, ok
	case "<=": // pub(l) <= x
		return atLeast(pub, false)
	case ">=": // pub(l) >= x
		hi, ok := ceilBound(pub, true)
		return interval(nil, hi), ok
	case "<": // l < x, and a final x excludes its own pre-releases
		lo, ok := ceilBound(l, true)
		if lo == nil {
			return vset{}, ok
		}
		s := interval(lo, nil)
		if l.IsPrerelease() {
			rel, exact, ok2 := release3(l)
			ok = ok && ok2
			if exact && l.Epoch() == 0 {
				final := pyver{rel: rel, pre: preFinal}
				s = combine(s, interval(&final, ptr(releaseStart(nextRelease(rel, 2)))), func(x, y bool) bool { return x && !y })
			}
		}
		return s, ok
	case ">": // l > x, except x's own post-releases and local versions
		hi, ok := ceilBound(l, false)
		s := interval(nil, hi)
		if l.IsPostrelease() || l.Local() != "" {
			same, ok2 := baseSet(l, false)
			ok = ok && ok2
			s = combine(s, same, func(x, y bool) bool { return x && !y })
		}
		return s, ok
	}
	return vset{}, false
}

// minorSet turns a set of python_full_version points S into the set of
// points whose python_version "X.Y" satisfies the same comparison: x is in
// it when X.Y.0 is in S. Projecting each cut to the next minor start keeps
// the intervals in order.
func minorSet(s vset) vset {
	return projectCuts(s, func(c pyver) pyver {
		if c.rel[2] != 0 {
			return minorStart(c.rel[0], c.rel[1]+1)
		}
		return minorStart(c.rel[0], c.rel[1])
	})
}

// releaseSet turns a set of points S into the set of points whose final
// release X.Y.Z is in S, as pip's Requires-Python check sees an
// interpreter: each cut moves to the start of its release.
func releaseSet(s vset) vset {
	return projectCuts(s, func(c pyver) pyver { return releaseStart(c.rel) })
}

// projectCuts maps each cut of s by a monotone f; two cuts that meet
// cancel.
func projectCuts(s vset, f func(pyver) pyver) vset {
	out := vset{in: s.in}
	for _, c := range s.cuts {
		m := f(c)
		if m == minPyver {
			out.in = !out.in
			continue
		}
		if n := len(out.cuts); n > 0 && out.cuts[n-1] == m {
			out.cuts = out.cuts[:n-1]
			continue
		}
		out.cuts = append(out.cuts, m)
	}
	return out
}

// parsePyver maps an environment's version string to a point.
func parsePyver(s string) (pyver, bool) {
	v, err := pep440.Parse(s)
	if err != nil || v.Epoch() != 0 || v.IsPostrelease() || v.IsDevrelease() || v.Local() != "" {
		return pyver{}, false
	}
	rel, _, ok := release3(v)
	if !ok || len(v.Release()) != 3 {
		return pyver{}, false // "3.11" or "3.11.7.0" is no interpreter's spelling
	}
	p := pyver{rel: rel, pre: preFinal}
	if kind, n, ok := v.Pre(); ok {
		if n < 0 || n >= maxPyComponent {
			return pyver{}, false
		}
		p.pre, p.n = preKind(kind), int64(n)
	}
	return p, true
}

// minorRange is the interval of points whose python_version is s ("3.11").
func minorRange(s string) (lo, hi pyver, ok bool) {
	v, err := pep440.Parse(s)
	if err != nil || v.Epoch() != 0 || v.IsPrerelease() || v.IsPostrelease() || v.Local() != "" {
		return lo, hi, false
	}
	r := v.Release()
	if len(r) != 2 || r[0] >= maxPyComponent || r[1] >= maxPyComponent {
		return lo, hi, false
	}
	return minorStart(int64(r[0]), int64(r[1])), minorStart(int64(r[0]), int64(r[1])+1), true
}
