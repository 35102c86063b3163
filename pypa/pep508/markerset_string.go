package pep508

import (
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
)

// falseText is how FalseMarker prints: python_version is never below 0.
const falseText = "python_version < '0'"

// maxMinimizeTerms bounds the terms String simplifies; a larger set prints
// as its plain disjunction of paths, still exact.
const maxMinimizeTerms = 64

// String returns a in canonical, simplified PEP 508 form that ParseMarker
// and packaging accept: "" for TrueMarker, "python_version < '0'" for
// FalseMarker. Equal sets print the same bytes, however they were built.
//
// The text is a disjunction of conjunctions, each kept only as long as
// needed: `python_full_version >= '3.9' and python_full_version < '3.11'`
// prints as "python_version >= '3.9' and python_version < '3.11'". Values
// are in single quotes (double when they hold one).
func (a MarkerSet) String() string {
	s, _ := a.str()
	return s
}

// textQuality says how a String parses back.
type textQuality byte

const (
	// sameSet: ParseMarkerSet(String()) is the set itself.
	sameSet textQuality = '0'
	// sameValues: the text holds in the same environments, but it spells
	// the complement of an opaque comparison with other opaque
	// comparisons, which the algebra treats as independent: it parses to
	// another set (that prints the same text).
	sameValues textQuality = '1'
	// approximate: the complement of an opaque ">" comparison, a reversed
	// "<" with a pre-release, a reversed "~=" or "===" has no PEP 508
	// spelling and prints as the nearest one (see the package doc).
	approximate textQuality = '2'
)

// str returns String and how exactly it describes the set.
func (a MarkerSet) str() (string, textQuality) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return tab.toString(a.id)
}

// lit is one condition of a path: a set of values of one variable.
type lit struct {
	n     *node  // the node it tests (its variable)
	set   uint32 // the condition as a set
	vs    vset   // kindVersion
	vals  []string
	neg   bool // kindString: var not in vals; kindAtom: the atom is false
	lower bool // kindVersion: a lower bound only (when split)
	upper bool // kindVersion: an upper bound only
}

func (t *table) toString(id uint32) (string, textQuality) { return t.toStringDepth(id, 0) }

// maxReprint bounds the rounds of toStringDepth's fixed point.
const maxReprint = 3

// toStringDepth prints id. When the text spells an opaque comparison's
// complement with other comparisons, it parses to another set: the text
// of that set (which evaluates the same) is printed instead, so that
// String of the parsed String is the same text.
func (t *table) toStringDepth(id uint32, depth int) (string, textQuality) {
	switch id {
	case idTrue:
		return "", sameSet
	case idFalse:
		return falseText, sameSet
	}
	if s, ok := t.str[id]; ok && depth == 0 {
		return s[1:], textQuality(s[0])
	}
	var s string
	var q textQuality
	if t.countPaths(id, map[uint32]int{}) <= maxMinimizeTerms {
		var terms [][]lit
		t.paths(id, nil, &terms)
		terms = t.minimize(id, id, terms)
		var b strings.Builder
		for i, term := range terms {
			if i > 0 {
				b.WriteString(" or ")
			}
			q = max(q, t.writeTerm(&b, term, false))
		}
		s = b.String()
	} else {
		// too many paths to list: print the diagram as nested conditions
		s, q, _ = t.factored(id, map[uint32]factoredText{})
	}
	if q != sameSet && depth < maxReprint {
		if m, err := ParseMarker(s); err == nil {
			if again := t.exprSet(m.root); again != id {
				s2, q2 := t.toStringDepth(again, depth+1)
				s, q = s2, max(q, q2)
			}
		}
	}
	if depth == 0 {
		// a text made at another depth may have stopped reprinting
		// sooner: only depth 0 is the set's own String
		t.str[id] = string(q) + s
	}
	return s, q
}

// countPaths counts the paths from id to TRUE, up to maxMinimizeTerms+1.
func (t *table) countPaths(id uint32, memo map[uint32]int) int {
	switch id {
	case idTrue:
		return 1
	case idFalse:
		return 0
	}
	if c, ok := memo[id]; ok {
		return c
	}
	n := t.nodes[id]
	c := 0
	var seen []uint32
	for _, k := range n.kids {
		if !slices.Contains(seen, k) {
			seen = append(seen, k)
			c = min(c+t.countPaths(k, memo), maxMinimizeTerms+1)
		}
	}
	memo[id] = c
	return c
}

type factoredText struct {
	s  string
	q  textQuality
	or bool
}

// factored prints id as "cond and (rest) or cond and (rest)", one
// alternative per kid of each node; or reports a disjunction at the top.
func (t *table) factored(id uint32, memo map[uint32]factoredText) (string, textQuality, bool) {
	if f, ok := memo[id]; ok {
		return f.s, f.q, f.or
	}
	n := t.nodes[id]
	var order []uint32
	for _, k := range n.kids {
		if k != idFalse && !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	var alts []string
	q := sameSet
	for _, k := range order {
		var b strings.Builder
		q = max(q, t.writeTerm(&b, t.edgeLits(n, k), k != idTrue))
		if k != idTrue {
			sub, sq, or := t.factored(k, memo)
			q = max(q, sq)
			b.WriteString(" and ")
			if or {
				sub = "(" + sub + ")"
			}
			b.WriteString(sub)
		}
		alts = append(alts, b.String())
	}
	f := factoredText{s: strings.Join(alts, " or "), q: q, or: len(alts) > 1}
	memo[id] = f
	return f.s, f.q, f.or
}

// paths appends to terms each path from id to TRUE, as conditions.
func (t *table) paths(id uint32, prefix []lit, terms *[][]lit) {
	if id == idTrue {
		*terms = append(*terms, slices.Clone(prefix))
		return
	}
	if id == idFalse {
		return
	}
	n := t.nodes[id]
	// group the edges by kid, in order of first appearance
	var order []uint32
	for _, k := range n.kids {
		if k != idFalse && !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	for _, k := range order {
		t.paths(k, append(prefix, t.edgeLits(n, k)...), terms)
	}
}

// edgeLits returns the conditions under which n leads to kid k.
func (t *table) edgeLits(n *node, k uint32) []lit {
	var ls []lit
	switch n.kind {
	case kindAtom:
		ls = []lit{{n: n, neg: n.kids[0] == k}}
	case kindString:
		def := n.kids[len(n.kids)-1]
		if k == def {
			for _, v := range n.vals {
				ls = append(ls, lit{n: n, vals: []string{v}, neg: true})
			}
		} else {
			var vals []string
			for i, v := range n.vals {
				if n.kids[i] == k {
					vals = append(vals, v)
				}
			}
			ls = []lit{{n: n, vals: vals}}
		}
	case kindVersion:
		s := vset{in: n.kids[0] == k}
		in := s.in
		for i, b := range n.bounds {
			if (n.kids[i+1] == k) != in {
				s.cuts = append(s.cuts, b)
				in = !in
			}
		}
		ls = splitBounds(n, s)
	}
	for i := range ls {
		ls[i].set = t.litSet(ls[i])
	}
	return ls
}

// splitBounds returns an interval as its lower and upper bound, which
// minimize may drop one at a time; other sets stay whole.
func splitBounds(n *node, s vset) []lit {
	switch {
	case s.in && len(s.cuts) == 1:
		return []lit{{n: n, vs: s, upper: true}}
	case !s.in && len(s.cuts) == 1:
		return []lit{{n: n, vs: s, lower: true}}
	case !s.in && len(s.cuts) == 2 && equalityText(n, s.cuts[0], s.cuts[1]) == "":
		return []lit{
			{n: n, vs: vset{cuts: s.cuts[:1]}, lower: true},
			{n: n, vs: vset{in: true, cuts: s.cuts[1:]}, upper: true},
		}
	}
	return []lit{{n: n, vs: s}}
}

// litSet is the set of one condition.
func (t *table) litSet(l lit) uint32 {
	switch l.n.kind {
	case kindAtom:
		kids := []uint32{idFalse, idTrue}
		if l.neg {
			kids = []uint32{idTrue, idFalse}
		}
		return t.make(&node{kind: kindAtom, level: l.n.level, atom: l.n.atom, kids: kids})
	case kindString:
		in, out := idTrue, idFalse
		if l.neg {
			in, out = out, in
		}
		kids := make([]uint32, len(l.vals)+1)
		for i := range l.vals {
			kids[i] = in
		}
		kids[len(l.vals)] = out
		return t.make(&node{kind: kindString, level: l.n.level, vals: slices.Clone(l.vals), kids: kids})
	}
	return t.versionNode(l.n.level/2, l.vs)
}

// minimize drops each condition whose removal keeps a term inside the set,
// then each term the others cover, then the values of a condition that
// the other terms cover.
//
// Each term stays inside upper, and together they cover lower: String
// passes the set as both; Within passes the set inside a scope and the
// set with everything outside the scope.
func (t *table) minimize(lower, upper uint32, terms [][]lit) [][]lit {
	notF := t.negate(upper)
	for ti, term := range terms {
		for i := 0; i < len(term); {
			rest := idTrue
			for j, l := range term {
				if j != i {
					rest = t.apply(rest, l.set, true)
				}
			}
			if t.apply(rest, notF, true) == idFalse {
				term = slices.Delete(term, i, i+1)
				continue
			}
			i++
		}
		terms[ti] = term
	}
	sets := make([]uint32, len(terms))
	for i, term := range terms {
		sets[i] = idTrue
		for _, l := range term {
			sets[i] = t.apply(sets[i], l.set, true)
		}
	}
	for i := len(terms) - 1; i >= 0; i-- {
		others := idFalse
		for j := range terms {
			if j != i {
				others = t.apply(others, sets[j], false)
			}
		}
		if t.apply(lower, t.negate(others), true) == idFalse {
			terms = slices.Delete(terms, i, i+1)
			sets = slices.Delete(sets, i, i+1)
		}
	}
	// drop the values of "(x == 'a' or x == 'b')" that other terms cover
	for i, term := range terms {
		for li, l := range term {
			if l.n.kind != kindString || l.neg || len(l.vals) < 2 {
				continue
			}
			others := idFalse
			for j := range terms {
				if j != i {
					others = t.apply(others, sets[j], false)
				}
			}
			for vi := 0; vi < len(l.vals) && len(l.vals) > 1; {
				try := l
				try.vals = slices.Delete(slices.Clone(l.vals), vi, vi+1)
				try.set = t.litSet(try)
				set := idTrue
				for lj, m := range term {
					if lj == li {
						m = try
					}
					set = t.apply(set, m.set, true)
				}
				if t.apply(lower, t.negate(t.apply(others, set, false)), true) == idFalse {
					l, sets[i] = try, set
					continue
				}
				vi++
			}
			term[li] = l
		}
	}
	return terms
}

// writeTerm writes the conditions of one term joined by "and"; it reports
// how exact the text is.
func (t *table) writeTerm(b *strings.Builder, term []lit, inAnd bool) textQuality {
	q := sameSet
	var parts []string
	for i := 0; i < len(term); i++ {
		l := term[i]
		var text string
		var or bool
		switch l.n.kind {
		case kindAtom:
			text = l.n.atom.text
			if l.neg {
				text = l.n.atom.neg
				q = max(q, l.n.atom.negQ)
			}
			or = strings.Contains(text, " or ")
		case kindString:
			name := setVariables[l.n.level/2]
			if l.neg {
				text = name + " != " + quoteValue(l.vals[0])
				break
			}
			var alts []string
			for _, v := range l.vals {
				alts = append(alts, name+" == "+quoteValue(v))
			}
			text, or = strings.Join(alts, " or "), len(alts) > 1
		case kindVersion:
			s := l.vs
			if l.lower && i+1 < len(term) && term[i+1].upper && sameVar(term[i+1].n, l.n) {
				// a lower bound followed by its upper: one interval
				s = vset{cuts: []pyver{l.vs.cuts[0], term[i+1].vs.cuts[0]}}
				i++
			}
			text, or = versionText(l.n, s)
		}
		if or && (len(term) > 1 || inAnd) {
			text = "(" + text + ")"
		}
		parts = append(parts, text)
	}
	b.WriteString(strings.Join(parts, " and "))
	return q
}

// versionText prints a set of points of n's variable; or reports a
// disjunction at the top.
func versionText(n *node, s vset) (text string, or bool) {
	name := setVariables[n.level/2]
	switch {
	case s.in && len(s.cuts) == 1:
		return upperText(name, s.cuts[0], nil), false
	case !s.in && len(s.cuts) == 1:
		return lowerText(name, s.cuts[0]), false
	case !s.in && len(s.cuts) == 2:
		if eq := equalityText(n, s.cuts[0], s.cuts[1]); eq != "" {
			return eq, false
		}
		return lowerText(name, s.cuts[0]) + " and " + upperText(name, s.cuts[1], &s.cuts[0]), false
	case s.in && len(s.cuts) == 2:
		if eq := equalityText(n, s.cuts[0], s.cuts[1]); eq != "" {
			return strings.Replace(eq, " == ", " != ", 1), false
		}
	}
	if text, ok := holesText(n, s); ok {
		return text, false
	}
	var alts []string
	in, lo := s.in, (*pyver)(nil)
	for i := 0; i <= len(s.cuts); i++ {
		var hi *pyver
		if i < len(s.cuts) {
			hi = &s.cuts[i]
		}
		if in {
			switch {
			case lo == nil:
				alts = append(alts, upperText(name, *hi, nil))
			case hi == nil:
				alts = append(alts, lowerText(name, *lo))
			default:
				text, _ := versionText(n, vset{cuts: []pyver{*lo, *hi}})
				alts = append(alts, text)
			}
		}
		lo, in = hi, !in
	}
	return strings.Join(alts, " or "), true
}

// holesText prints a set as its hull with "!=" for each gap, when every
// gap has an "==" spelling: "python_version >= '3.8' and python_version != '3.10'".
func holesText(n *node, s vset) (string, bool) {
	name := setVariables[n.level/2]
	var parts []string
	var lower *pyver
	cuts := s.cuts
	if !s.in {
		lower = &cuts[0]
		parts = append(parts, lowerText(name, cuts[0]))
		cuts = cuts[1:]
	}
	for len(cuts) >= 2 {
		eq := equalityText(n, cuts[0], cuts[1])
		if eq == "" {
			return "", false
		}
		parts = append(parts, strings.Replace(eq, " == ", " != ", 1))
		cuts = cuts[2:]
	}
	if len(cuts) == 1 {
		parts = append(parts, upperText(name, cuts[0], lower))
	}
	return strings.Join(parts, " and "), true
}

// equalityText is [lo, hi) as one "==" comparison, or "".
func equalityText(n *node, lo, hi pyver) string {
	name := setVariables[n.level/2]
	python := n.level == 2*rankPython
	switch {
	case python && lo.isMinorStart() && hi == minorStart(lo.rel[0], lo.rel[1]+1):
		return "python_version == '" + lo.minorText() + "'"
	case python && lo.isMinorStart() && lo.rel[1] == 0 && hi == minorStart(lo.rel[0]+1, 0):
		return "python_version == '" + lo.minorText()[:len(lo.minorText())-2] + ".*'"
	case lo.pre == preFinal && hi == releaseStart(nextRelease(lo.rel, 2)):
		return name + " == " + quoteValue(finalText(lo))
	case lo.pre != preFinal && hi.rel == lo.rel && hi.pre == lo.pre && hi.n == lo.n+1:
		return name + " == " + quoteValue(lo.text())
	case lo.pre == preA && lo.n == 0 && hi == releaseStart(nextRelease(lo.rel, 2)):
		return name + " == " + quoteValue(pyver{rel: lo.rel, pre: preFinal}.text()+".*")
	}
	return ""
}

// lowerText prints "var >= p".
func lowerText(name string, p pyver) string {
	switch {
	case name == "python_full_version" && p.isMinorStart():
		return "python_version >= '" + p.minorText() + "'"
	case p.pre == preA && p.n == 0 && p.rel[2] > 0:
		// ">" of a final release starts at the next release's first alpha
		prev := pyver{rel: p.rel, pre: preFinal}
		prev.rel[2]--
		return name + " > " + quoteValue(prev.text())
	}
	return name + " >= " + quoteValue(finalText(p))
}

// upperText prints "var < p", which packaging reads as below p's own
// pre-releases when p is a final release. A bound at the start of X.Y
// reads "python_version < 'X.Y'", unless the lower bound lo of the same
// interval is spelled with python_full_version: then the interval keeps
// one variable, "python_full_version >= '3.9.1' and python_full_version <
// '3.11'" (the same set).
func upperText(name string, p pyver, lo *pyver) string {
	switch {
	case name == "python_full_version" && p.isMinorStart() && (lo == nil || lo.isMinorStart()):
		return "python_version < '" + p.minorText() + "'"
	case p.pre == preA && p.n == 0:
		return name + " < " + quoteValue(finalText(pyver{rel: p.rel, pre: preFinal}))
	case p.pre != preFinal:
		return name + " < " + quoteValue(p.text())
	}
	// "< 3.11.0" would exclude 3.11.0rc1: say "at most, and not, 3.11.0"
	v := quoteValue(finalText(p))
	return name + " <= " + v + " and " + name + " != " + v
}

// finalText is a final release's text, "3.11" for 3.11.0.
func finalText(p pyver) string {
	if p.pre == preFinal && p.rel[2] == 0 {
		return p.minorText()
	}
	return p.text()
}

// quoteValue quotes a marker value in single quotes, or double quotes
// when it holds a single one (a value never holds both).
func quoteValue(v string) string {
	if strings.IndexByte(v, '\'') >= 0 {
		return `"` + v + `"`
	}
	return "'" + v + "'"
}

// formatComparison prints a comparison in the style of String.
func formatComparison(c *comparison) string {
	return formatOperand(c.lhs) + " " + c.op + " " + formatOperand(c.rhs)
}

func formatOperand(o operand) string {
	if o.isVar {
		return o.text
	}
	return quoteValue(o.text)
}

// negationText prints the complement of an opaque comparison c (whose op
// is never "not in" or "!=", folded into "in" and "=="), and says how
// exact the text is. PEP 508 has no "not": "in" and "==" have their
// opposite operator; ">=", "<=", "<" and "~=" have complements built of
// other comparisons, exact per packaging's specifier rules (sameValues);
// a comparison undefined for every value is its own complement, as
// undefined (sameValues). The others are approximate: the complement of
// "x > '2'" holds for 2.post1 and 2+local, which "x <= '2'" does not, and
// "===" compares text, which no other operator does.
func negationText(c *comparison) (string, textQuality) {
	with := func(op string) string {
		d := *c
		d.op = op
		return formatComparison(&d)
	}
	switch c.op {
	case "in":
		return with("not in"), sameSet
	case "==":
		return with("!="), sameSet
	}
	if c.lhs.isVar == c.rhs.isVar {
		return formatComparison(c), sameValues // undefined whatever the values
	}
	reversed := !c.lhs.isVar
	value := c.rhs.text
	if reversed {
		value = c.lhs.text
	}
	v, err := pep440.Parse(trimPySpace(value))
	if c.op != "===" {
		undefined := err != nil
		if !reversed {
			_, isSpec := singleSpecifier(c.op, value)
			undefined = !isSpec
		}
		if undefined {
			return formatComparison(c), sameValues
		}
	}
	switch c.op {
	case ">=":
		return with("<=") + " and " + with("!="), sameValues
	case "<=":
		return with(">=") + " and " + with("!="), sameValues
	case "<":
		switch {
		case v.IsPrerelease() && reversed:
			return with(">="), approximate
		case v.IsPrerelease() || reversed:
			return with(">="), sameValues
		}
		// "< 3.11" leaves out 3.11rc1, which its complement holds
		base := releaseText(v, len(v.Release()))
		dev, b := *c, *c
		dev.rhs.text, b.rhs.text = base+".dev0", base
		return with(">=") + " or " + withOp(dev, ">=") + " and " + withOp(b, "<=") + " and " + withOp(b, "!="), sameValues
	case ">":
		if reversed && !v.IsPostrelease() && v.Local() == "" {
			return with("<="), sameValues
		}
		return with("<="), approximate
	case "~=":
		if reversed || len(v.Release()) < 2 {
			return with("!="), approximate
		}
		p := *c
		p.rhs.text = releaseText(v, len(v.Release())-1) + ".*"
		return with("<=") + " and " + with("!=") + " or " + withOp(p, "!="), sameValues
	}
	return with("!="), approximate // "===": text equality has no complement
}

func withOp(c comparison, op string) string {
	c.op = op
	return formatComparison(&c)
}

// Within returns the set with the fewest conditions that holds where a
// holds inside scope, and anywhere outside it: a lock whose scope is
// python_full_version >= '3.9' writes "python_version < '3.11'" for a
// fork that is "python_full_version >= '3.9' and python_version < '3.11'".
// a.Within(scope).And(scope) equals a.And(scope).
func (a MarkerSet) Within(scope MarkerSet) MarkerSet {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	t := tab
	lower := t.apply(a.id, scope.id, true)
	upper := t.apply(lower, t.negate(scope.id), false)
	switch {
	case lower == idFalse:
		return FalseMarker()
	case upper == idTrue:
		return TrueMarker()
	case t.countPaths(lower, map[uint32]int{}) > maxMinimizeTerms:
		return MarkerSet{lower}
	}
	var terms [][]lit
	t.paths(lower, nil, &terms)
	r := idFalse
	for _, term := range t.minimize(lower, upper, terms) {
		set := idTrue
		for _, l := range term {
			set = t.apply(set, l.set, true)
		}
		r = t.apply(r, set, false)
	}
	return MarkerSet{r}
}
