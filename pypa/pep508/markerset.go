package pep508

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/safepip/safepip/pypa/pep440"
)

// MarkerSet is a set of marker environments in canonical form: two
// MarkerSets hold the same environments iff their String() are equal (see
// the package documentation for what "same" means where comparisons are
// opaque). The zero MarkerSet is TrueMarker, as a nil *Marker is true.
// MarkerSets are immutable, cheap to copy (one integer) and safe for
// concurrent use.
//
// A MarkerSet is a node of a reduced ordered decision diagram shared by the
// whole process: each node tests one variable, with one edge per disjoint
// range of python_full_version (or implementation_version) points, per
// string value (with a default edge for every other value), or per truth
// value of an opaque comparison. Nodes are hash-consed, so equal sets are
// the same node, and And, Or, Not are memoized.
type MarkerSet struct {
	id uint32
}

// Terminal nodes. TRUE is 0 so that the zero MarkerSet is TrueMarker.
const (
	idTrue  uint32 = 0
	idFalse uint32 = 1
)

// TrueMarker returns the set of every environment.
func TrueMarker() MarkerSet { return MarkerSet{idTrue} }

// FalseMarker returns the empty set.
func FalseMarker() MarkerSet { return MarkerSet{idFalse} }

// The variables, in the order the diagram tests them. python_version is
// not one: it is the X.Y of python_full_version, and its comparisons are
// ranges of python_full_version.
var setVariables = [...]string{
	"python_full_version",
	"implementation_version",
	"os_name",
	"sys_platform",
	"platform_machine",
	"platform_python_implementation",
	"implementation_name",
	"platform_system",
	"platform_release",
	"platform_version",
	"extra",
}

const (
	rankPython  = 0
	rankImplVer = 1
	rankExtra   = 10
	rankNone    = 11 // comparisons of two strings or two variables
	rankLeaf    = 1 << 30
)

func variableRank(name string) int {
	if name == "python_version" {
		return rankPython
	}
	for i, v := range setVariables {
		if v == name {
			return i
		}
	}
	return rankNone
}

// node kinds
const (
	kindLeaf = iota
	kindVersion
	kindString
	kindAtom
)

// node is one decision. Its level orders nodes: an exact node of variable
// rank r has level 2r, an opaque comparison on that variable 2r+1, and
// opaque comparisons of one level are ordered by text.
type node struct {
	kind   int
	level  int
	atom   *atom
	bounds []pyver  // kindVersion: kids[i] holds on [bounds[i-1], bounds[i])
	vals   []string // kindString: kids[i] holds for vals[i], the last kid for any other value
	kids   []uint32 // kindAtom: kids[0] when false, kids[1] when true
}

// atom is an opaque comparison: one whose set MarkerSet does not compute
// (a substring test, an ordering of strings, "===", ...). Distinct atoms
// are treated as independent, which never makes a set look emptier than
// it is.
type atom struct {
	text string      // canonical text, the key
	neg  string      // text of its complement (see negationText)
	negQ textQuality // how exact neg is
	cmp  *comparison // evaluates it, errors included
	name string      // its variable, "" for two strings or two variables
}

// table is the diagram store; one exists per process.
type table struct {
	mu     sync.Mutex
	nodes  []*node
	unique map[string]uint32
	atoms  map[string]*atom
	and    map[[2]uint32]uint32
	or     map[[2]uint32]uint32
	not    map[uint32]uint32
	str    map[uint32]string
	key    []byte
	// sets caches Marker.Set by parsed marker: a resolver asks for the
	// set of one requirement's marker again and again.
	sets map[*expr]uint32
	// cmps caches the set of each comparison: markers share them.
	cmps map[comparison]uint32
	// texts caches ParseMarkerSet: a lock repeats its markers.
	texts map[string]uint32
	// extras caches WithExtras by set and normalized extras.
	extras map[extrasKey]uint32
}

type extrasKey struct {
	id     uint32
	extras string // normalized, joined by ","
}

var tab = newTable()

func newTable() *table {
	t := &table{
		unique: map[string]uint32{},
		atoms:  map[string]*atom{},
		and:    map[[2]uint32]uint32{},
		or:     map[[2]uint32]uint32{},
		not:    map[uint32]uint32{idTrue: idFalse, idFalse: idTrue},
		str:    map[uint32]string{},
		sets:   map[*expr]uint32{},
		texts:  map[string]uint32{},
		cmps:   map[comparison]uint32{},
		extras: map[extrasKey]uint32{},
	}
	t.nodes = []*node{{kind: kindLeaf, level: rankLeaf}, {kind: kindLeaf, level: rankLeaf}}
	return t
}

// before reports whether node a is tested before node b.
func before(a, b *node) bool {
	if a.level != b.level {
		return a.level < b.level
	}
	return a.atom != nil && b.atom != nil && a.atom.text < b.atom.text
}

func sameVar(a, b *node) bool {
	return a.level == b.level && (a.atom == nil || a.atom == b.atom)
}

// make returns the id of a node, reduced and hash-consed. It may modify
// n's slices, which must be fresh.
func (t *table) make(n *node) uint32 {
	switch n.kind {
	case kindVersion:
		// merge neighbours with the same kid
		nb, nk := n.bounds[:0], n.kids[:1]
		for i := 1; i < len(n.kids); i++ {
			if n.kids[i] == nk[len(nk)-1] {
				continue
			}
			nb = append(nb, n.bounds[i-1])
			nk = append(nk, n.kids[i])
		}
		n.bounds, n.kids = nb, nk
	case kindString:
		def := n.kids[len(n.kids)-1]
		j := 0
		for i, v := range n.vals {
			if n.kids[i] == def {
				continue
			}
			n.vals[j], n.kids[j] = v, n.kids[i]
			j++
		}
		n.vals = n.vals[:j]
		n.kids[j] = def
		n.kids = n.kids[:j+1]
	}
	if len(n.kids) == 1 || n.kind == kindAtom && n.kids[0] == n.kids[1] {
		return n.kids[0]
	}
	k := t.key[:0]
	k = binary.AppendUvarint(k, uint64(n.level))
	if n.atom != nil {
		k = append(k, n.atom.text...)
		k = append(k, 0)
	}
	for _, b := range n.bounds {
		for _, r := range b.rel {
			k = binary.AppendUvarint(k, uint64(r))
		}
		k = append(k, byte(b.pre))
		k = binary.AppendUvarint(k, uint64(b.n))
	}
	for _, v := range n.vals {
		k = binary.AppendUvarint(k, uint64(len(v)))
		k = append(k, v...)
	}
	for _, c := range n.kids {
		k = binary.AppendUvarint(k, uint64(c))
	}
	t.key = k
	if id, ok := t.unique[string(k)]; ok {
		return id
	}
	id := uint32(len(t.nodes))
	t.nodes = append(t.nodes, n)
	t.unique[string(k)] = id
	return id
}

// apply combines a and b with a boolean operator: and when isAnd, else or.
func (t *table) apply(a, b uint32, isAnd bool) uint32 {
	if isAnd {
		switch {
		case a == idFalse || b == idFalse:
			return idFalse
		case a == idTrue:
			return b
		case b == idTrue || a == b:
			return a
		}
	} else {
		switch {
		case a == idTrue || b == idTrue:
			return idTrue
		case a == idFalse:
			return b
		case b == idFalse || a == b:
			return a
		}
	}
	if a > b {
		a, b = b, a
	}
	memo := t.or
	if isAnd {
		memo = t.and
	}
	if r, ok := memo[[2]uint32{a, b}]; ok {
		return r
	}
	na, nb := t.nodes[a], t.nodes[b]
	var r uint32
	switch {
	case sameVar(na, nb):
		r = t.applySame(na, nb, isAnd)
	case before(nb, na):
		r = t.applyOne(nb, a, isAnd)
	default:
		r = t.applyOne(na, b, isAnd)
	}
	memo[[2]uint32{a, b}] = r
	return r
}

// applyOne combines each kid of n (tested first) with other.
func (t *table) applyOne(n *node, other uint32, isAnd bool) uint32 {
	out := &node{kind: n.kind, level: n.level, atom: n.atom,
		bounds: slices.Clone(n.bounds), vals: slices.Clone(n.vals), kids: make([]uint32, len(n.kids))}
	for i, k := range n.kids {
		out.kids[i] = t.apply(k, other, isAnd)
	}
	return t.make(out)
}

// applySame combines two nodes on one variable over the common refinement
// of their edges.
func (t *table) applySame(a, b *node, isAnd bool) uint32 {
	out := &node{kind: a.kind, level: a.level, atom: a.atom}
	switch a.kind {
	case kindAtom:
		out.kids = []uint32{t.apply(a.kids[0], b.kids[0], isAnd), t.apply(a.kids[1], b.kids[1], isAnd)}
	case kindVersion:
		i, j := 0, 0
		for {
			out.kids = append(out.kids, t.apply(a.kids[i], b.kids[j], isAnd))
			if i == len(a.bounds) && j == len(b.bounds) {
				break
			}
			switch {
			case j == len(b.bounds) || i < len(a.bounds) && a.bounds[i].compare(b.bounds[j]) < 0:
				out.bounds = append(out.bounds, a.bounds[i])
				i++
			case i == len(a.bounds) || b.bounds[j].compare(a.bounds[i]) < 0:
				out.bounds = append(out.bounds, b.bounds[j])
				j++
			default:
				out.bounds = append(out.bounds, a.bounds[i])
				i++
				j++
			}
		}
	case kindString:
		da, db := a.kids[len(a.kids)-1], b.kids[len(b.kids)-1]
		i, j := 0, 0
		for i < len(a.vals) || j < len(b.vals) {
			switch {
			case j == len(b.vals) || i < len(a.vals) && a.vals[i] < b.vals[j]:
				out.vals = append(out.vals, a.vals[i])
				out.kids = append(out.kids, t.apply(a.kids[i], db, isAnd))
				i++
			case i == len(a.vals) || b.vals[j] < a.vals[i]:
				out.vals = append(out.vals, b.vals[j])
				out.kids = append(out.kids, t.apply(da, b.kids[j], isAnd))
				j++
			default:
				out.vals = append(out.vals, a.vals[i])
				out.kids = append(out.kids, t.apply(a.kids[i], b.kids[j], isAnd))
				i++
				j++
			}
		}
		out.kids = append(out.kids, t.apply(da, db, isAnd))
	}
	return t.make(out)
}

func (t *table) negate(a uint32) uint32 {
	if r, ok := t.not[a]; ok {
		return r
	}
	n := t.nodes[a]
	out := &node{kind: n.kind, level: n.level, atom: n.atom,
		bounds: slices.Clone(n.bounds), vals: slices.Clone(n.vals), kids: make([]uint32, len(n.kids))}
	for i, k := range n.kids {
		out.kids[i] = t.negate(k)
	}
	r := t.make(out)
	t.not[a] = r
	t.not[r] = a
	return r
}

// And returns the environments in both a and b.
func (a MarkerSet) And(b MarkerSet) MarkerSet {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return MarkerSet{tab.apply(a.id, b.id, true)}
}

// Or returns the environments in a or b.
func (a MarkerSet) Or(b MarkerSet) MarkerSet {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return MarkerSet{tab.apply(a.id, b.id, false)}
}

// Not returns the environments not in a.
func (a MarkerSet) Not() MarkerSet {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return MarkerSet{tab.negate(a.id)}
}

// IsTrue reports whether a holds in every environment.
func (a MarkerSet) IsTrue() bool { return a.id == idTrue }

// IsFalse reports whether no environment satisfies a. It is never true of
// a set that some environment satisfies; it may be false of a set that only
// contradictory opaque comparisons describe ("'win' in sys_platform and
// sys_platform == 'linux'").
func (a MarkerSet) IsFalse() bool { return a.id == idFalse }

// Equal reports whether a and b hold the same environments.
func (a MarkerSet) Equal(b MarkerSet) bool { return a.id == b.id }

// Disjoint reports whether no environment is in both a and b (with the
// caution of IsFalse: it is never true of sets that share an environment).
func (a MarkerSet) Disjoint(b MarkerSet) bool { return a.And(b).IsFalse() }

// Implies reports whether every environment of a is in b.
func (a MarkerSet) Implies(b MarkerSet) bool {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return tab.apply(a.id, tab.negate(b.id), true) == idFalse
}

// Set returns the environments where m holds; a nil m is TrueMarker.
func (m *Marker) Set() MarkerSet {
	if m == nil || m.root == nil {
		return TrueMarker()
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if id, ok := tab.sets[m.root]; ok {
		return MarkerSet{id}
	}
	id := tab.exprSet(m.root)
	tab.sets[m.root] = id
	return MarkerSet{id}
}

// ParseMarkerSet parses a marker into its set; "" is TrueMarker.
func ParseMarkerSet(s string) (MarkerSet, error) {
	if strings.TrimFunc(s, isPySpace) == "" {
		return TrueMarker(), nil
	}
	tab.mu.Lock()
	id, ok := tab.texts[s]
	tab.mu.Unlock()
	if ok {
		return MarkerSet{id}, nil
	}
	m, err := ParseMarker(s)
	if err != nil {
		return MarkerSet{}, err
	}
	set := m.Set()
	tab.mu.Lock()
	tab.texts[s] = set.id
	tab.mu.Unlock()
	return set, nil
}

// MustParseMarkerSet is ParseMarkerSet for tests and constants; it panics on error.
func MustParseMarkerSet(s string) MarkerSet {
	m, err := ParseMarkerSet(s)
	if err != nil {
		panic(err)
	}
	return m
}

func (t *table) exprSet(e *expr) uint32 {
	result := idFalse
	for start := 0; start < len(e.terms); {
		run := idTrue
		end := start
		for {
			var s uint32
			if tm := e.terms[end]; tm.cmp != nil {
				s = t.comparisonSet(tm.cmp)
			} else {
				s = t.exprSet(tm.group)
			}
			run = t.apply(run, s, true)
			end++
			if end == len(e.terms) || e.ops[end-1] != "and" {
				break
			}
		}
		result = t.apply(result, run, false)
		start = end
	}
	return result
}

// comparisonSet returns the set of one comparison: exact for version
// variables and for == and != of string variables, opaque otherwise.
func (t *table) comparisonSet(c *comparison) uint32 {
	if id, ok := t.cmps[*c]; ok {
		return id
	}
	id := t.comparisonSet1(c)
	t.cmps[*c] = id
	return id
}

func (t *table) comparisonSet1(c *comparison) uint32 {
	if c.lhs.isVar == c.rhs.isVar {
		return t.atomSet(c, "")
	}
	name, value, reversed := c.lhs.text, c.rhs.text, false
	if !c.lhs.isVar {
		name, value, reversed = c.rhs.text, c.lhs.text, true
	}
	switch name {
	case "python_full_version", "implementation_version", "python_version":
		s, ok := specSet(c.op, value, reversed, name == "python_version")
		if !ok {
			return t.atomSet(c, name)
		}
		return t.versionNode(variableRank(name), s)
	}
	if name == "extra" {
		value = NormalizeExtra(value)
	}
	if c.op == "==" || c.op == "!=" {
		exact := false
		if reversed {
			_, err := pep440.Parse(value)
			exact = err != nil
		} else {
			_, isSpec := singleSpecifier(c.op, value)
			exact = !isSpec
		}
		if exact {
			in, out := idTrue, idFalse
			if c.op == "!=" {
				in, out = out, in
			}
			return t.make(&node{kind: kindString, level: 2 * variableRank(name), vals: []string{value}, kids: []uint32{in, out}})
		}
	}
	return t.atomSet(c, name)
}

// versionNode builds the node of a set of points of variable rank r.
func (t *table) versionNode(r int, s vset) uint32 {
	n := &node{kind: kindVersion, level: 2 * r, bounds: slices.Clone(s.cuts)}
	in := s.in
	for i := 0; i <= len(s.cuts); i++ {
		if in {
			n.kids = append(n.kids, idTrue)
		} else {
			n.kids = append(n.kids, idFalse)
		}
		in = !in
	}
	return t.make(n)
}

// atomSet returns the set of an opaque comparison. "not in" is the
// complement of "in", and "!=" of "==", so each pair is one atom.
func (t *table) atomSet(c *comparison, name string) uint32 {
	pos := *c
	negated := false
	switch c.op {
	case "not in":
		pos.op, negated = "in", true
	case "!=":
		pos.op, negated = "==", true
	}
	text := formatComparison(&pos)
	a, ok := t.atoms[text]
	if !ok {
		a = &atom{text: text, cmp: &pos, name: name}
		a.neg, a.negQ = negationText(&pos)
		t.atoms[text] = a
	}
	level := 2*variableRank(name) + 1
	if name == "" {
		level = 2*rankNone + 1
	}
	kids := []uint32{idFalse, idTrue}
	if negated {
		kids[0], kids[1] = idTrue, idFalse
	}
	return t.make(&node{kind: kindAtom, level: level, atom: a, kids: kids})
}

// Evaluate reports whether env is in a. It answers as the Marker a was
// parsed from does when env is a real interpreter's: python_full_version
// and implementation_version of the form X.Y.Z[{a,b,rc}N], python_version
// the X.Y of python_full_version. An opaque comparison that is undefined
// in env, or a variable env lacks, is an *EvalError when the answer depends
// on it. With a python_full_version of another form, the answer comes from
// python_version alone, or is an error if it depends on more.
func (a MarkerSet) Evaluate(env Environment) (bool, error) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if ok, known := tab.evalKnown(a.id, env); known {
		return ok, nil
	}
	return tab.eval(a.id, env, map[uint32]evalMemo{})
}

// evalKnown follows the one path env takes through id; known is false
// when a test on the way is unknown (then eval weighs every way).
func (t *table) evalKnown(id uint32, env Environment) (ok, known bool) {
	for id > idFalse {
		n := t.nodes[id]
		i := -1
		switch n.kind {
		case kindAtom:
			v, err := n.atom.cmp.eval(evaluator{env: env})
			if err != nil {
				return false, false
			}
			i = boolIndex(v)
		case kindVersion:
			p, ok := parsePyver(env[setVariables[n.level/2]])
			if !ok {
				return false, false
			}
			i = sort.Search(len(n.bounds), func(i int) bool { return n.bounds[i].compare(p) > 0 })
		default:
			name := setVariables[n.level/2]
			v, ok := env[name]
			if !ok {
				return false, false
			}
			if name == "extra" {
				v = NormalizeExtra(v)
			}
			var found bool
			if i, found = slices.BinarySearch(n.vals, v); !found {
				i = len(n.vals)
			}
		}
		id = n.kids[i]
	}
	return id == idTrue, true
}

// eval evaluates id in env, three-valued: an unknown test is an error
// unless every way it could go gives the same answer.
func (t *table) eval(id uint32, env Environment, memo map[uint32]evalMemo) (bool, error) {
	if r, ok := memo[id]; ok {
		return r.ok, r.err
	}
	ok, err := t.eval1(id, env, memo)
	memo[id] = evalMemo{ok, err}
	return ok, err
}

// evalMemo is a memoized answer of eval: a node shared by many paths
// is evaluated once.
type evalMemo struct {
	ok  bool
	err error
}

func (t *table) eval1(id uint32, env Environment, memo map[uint32]evalMemo) (bool, error) {
	switch id {
	case idTrue:
		return true, nil
	case idFalse:
		return false, nil
	}
	n := t.nodes[id]
	switch n.kind {
	case kindAtom:
		ok, err := n.atom.cmp.eval(evaluator{env: env})
		if err == nil {
			return t.eval(n.kids[boolIndex(ok)], env, memo)
		}
		return t.evalAll(n, []uint32{n.kids[0], n.kids[1]}, env, memo, err)
	case kindVersion:
		name := setVariables[n.level/2]
		if p, ok := parsePyver(env[name]); ok {
			i := sort.Search(len(n.bounds), func(i int) bool { return n.bounds[i].compare(p) > 0 })
			return t.eval(n.kids[i], env, memo)
		}
		var kids []uint32
		if name == "python_full_version" {
			if l, h, ok := minorRange(env["python_version"]); ok {
				// only the pieces that meet [l, h)
				for i, k := range n.kids {
					if i > 0 && n.bounds[i-1].compare(h) >= 0 {
						break
					}
					if i < len(n.bounds) && n.bounds[i].compare(l) <= 0 {
						continue
					}
					kids = append(kids, k)
				}
				return t.evalAll(n, kids, env, memo, nil)
			}
		}
		return t.evalAll(n, n.kids, env, memo, nil)
	default: // kindString
		name := setVariables[n.level/2]
		v, ok := env[name]
		if !ok {
			return t.evalAll(n, n.kids, env, memo, nil)
		}
		if name == "extra" {
			v = NormalizeExtra(v)
		}
		i, found := slices.BinarySearch(n.vals, v)
		if !found {
			i = len(n.vals)
		}
		return t.eval(n.kids[i], env, memo)
	}
}

// evalAll is the answer when the value tested by n is unknown: the kids'
// common answer, or an error when they differ.
func (t *table) evalAll(n *node, kids []uint32, env Environment, memo map[uint32]evalMemo, why error) (bool, error) {
	var first bool
	for i, k := range kids {
		ok, err := t.eval(k, env, memo)
		if err != nil {
			return false, err
		}
		if i == 0 {
			first = ok
		} else if ok != first {
			if why != nil {
				return false, why
			}
			name := setVariables[n.level/2]
			return false, &EvalError{Expr: name, Err: undefinedKind(env, name),
				Detail: fmt.Sprintf("the marker depends on %s, and the environment gives %s", name, describeValue(env, name))}
		}
	}
	return first, nil
}

func undefinedKind(env Environment, name string) error {
	if _, ok := env[name]; !ok {
		return ErrUndefinedVariable
	}
	return ErrUndefinedComparison
}

func describeValue(env Environment, name string) string {
	v, ok := env[name]
	if !ok {
		return "no value"
	}
	return fmt.Sprintf("%q, which is not a version of the form X.Y.Z or X.Y.Z{a,b,rc}N", v)
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// WithExtras returns a with the extra variable fixed as pip does for a
// distribution installed with these extras: an environment is in the
// result when a holds for it with extra set to one of extras (PEP 685
// normalized), or to "" when extras is empty. So `extra == 'x'` holds iff
// x is among extras, and the result mentions no extra. An opaque
// comparison of extra that is undefined for a value counts as false.
func (a MarkerSet) WithExtras(extras []string) MarkerSet {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if tab.nodes[a.id].level > 2*rankExtra+1 {
		return a // no extra in a
	}
	norm := make([]string, len(extras))
	for i, x := range extras {
		norm[i] = NormalizeExtra(x)
	}
	if len(norm) == 0 {
		norm = []string{""}
	}
	key := extrasKey{a.id, strings.Join(norm, ",")}
	if r, ok := tab.extras[key]; ok {
		return MarkerSet{r}
	}
	result := idFalse
	for _, x := range norm {
		memo := map[uint32]uint32{}
		result = tab.apply(result, tab.restrictExtra(a.id, x, memo), false)
	}
	tab.extras[key] = result
	return MarkerSet{result}
}

// WithoutExtras is WithExtras(nil): the environments of a for the
// distribution installed without extras.
func (a MarkerSet) WithoutExtras() MarkerSet { return a.WithExtras(nil) }

func (t *table) restrictExtra(id uint32, extra string, memo map[uint32]uint32) uint32 {
	n := t.nodes[id]
	if n.level > 2*rankExtra+1 {
		return id // leaves and comparisons of two strings: no extra below
	}
	if r, ok := memo[id]; ok {
		return r
	}
	var r uint32
	switch {
	case n.level == 2*rankExtra:
		i, found := slices.BinarySearch(n.vals, extra)
		if !found {
			i = len(n.vals)
		}
		r = t.restrictExtra(n.kids[i], extra, memo)
	case n.level == 2*rankExtra+1:
		ok, err := n.atom.cmp.eval(evaluator{extra: extra, setExtra: true})
		r = t.restrictExtra(n.kids[boolIndex(ok && err == nil)], extra, memo)
	default:
		out := &node{kind: n.kind, level: n.level, atom: n.atom,
			bounds: slices.Clone(n.bounds), vals: slices.Clone(n.vals), kids: make([]uint32, len(n.kids))}
		for i, k := range n.kids {
			out.kids[i] = t.restrictExtra(k, extra, memo)
		}
		r = t.make(out)
	}
	memo[id] = r
	return r
}

// RequiresPythonMarker returns the environments whose python_full_version
// satisfies spec, as packaging's SpecifierSet.contains(python_full_version,
// prereleases=True) does.
func RequiresPythonMarker(spec pep440.SpecifierSet) MarkerSet {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	r := idTrue
	for _, s := range spec {
		c := &comparison{lhs: operand{text: "python_full_version", isVar: true}, op: s.Op, rhs: operand{text: s.Version}}
		r = tab.apply(r, tab.comparisonSet(c), true)
	}
	return MarkerSet{r}
}

// PipRequiresPythonMarker returns the environments whose interpreter pip
// lets install a distribution with Requires-Python spec. pip checks the
// release only (sys.version_info[:3]), so 3.11.0rc1 satisfies ">=3.11"
// here, where RequiresPythonMarker says it does not.
func PipRequiresPythonMarker(spec pep440.SpecifierSet) MarkerSet {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	r := idTrue
	for _, s := range spec {
		set, ok := specSet(s.Op, s.Version, false, false)
		if !ok {
			c := &comparison{lhs: operand{text: "python_full_version", isVar: true}, op: s.Op, rhs: operand{text: s.Version}}
			r = tab.apply(r, tab.comparisonSet(c), true)
			continue
		}
		r = tab.apply(r, tab.versionNode(rankPython, releaseSet(set)), true)
	}
	return MarkerSet{r}
}

// PythonRange bounds the python_full_version values of a set: every
// environment of the set has Lower <= python_full_version < Upper in PEP 440
// order (where 3.13.0rc1 < 3.13.0). A zero Version is no bound. Bounds are
// X.Y.Z or X.Y.Z{a,b,rc}N versions.
type PythonRange struct {
	Lower pep440.Version // inclusive; the zero Version when unbounded below
	Upper pep440.Version // exclusive; the zero Version when unbounded above
	Empty bool           // the set is FalseMarker: no version at all
}

// Contains reports whether v lies in r.
func (r PythonRange) Contains(v pep440.Version) bool {
	if r.Empty {
		return false
	}
	if r.Lower != (pep440.Version{}) && v.Compare(r.Lower) < 0 {
		return false
	}
	return r.Upper == (pep440.Version{}) || v.Compare(r.Upper) < 0
}

// String returns r as ">=3.9.0, <3.13.0" (PEP 440 order, not specifier
// semantics: "<" here admits pre-releases of the upper bound), "*" when
// unbounded and "empty" for an empty range.
func (r PythonRange) String() string {
	if r.Empty {
		return "empty"
	}
	var parts []string
	if r.Lower != (pep440.Version{}) {
		parts = append(parts, ">="+r.Lower.String())
	}
	if r.Upper != (pep440.Version{}) {
		parts = append(parts, "<"+r.Upper.String())
	}
	if parts == nil {
		return "*"
	}
	return strings.Join(parts, ", ")
}

// PythonRange returns the lowest and highest python_full_version a allows.
// Within them some versions may be excluded (a set of python_version !=
// '3.10' has a hole); each bound is reached or approached by some
// environment of a. It tells the resolver which Requires-Python values a
// fork must satisfy.
func (a MarkerSet) PythonRange() PythonRange {
	if a.IsFalse() {
		return PythonRange{Empty: true}
	}
	tab.mu.Lock()
	n := tab.nodes[a.id]
	var bounds []pyver
	var kids []uint32
	if n.kind == kindVersion && n.level == 2*rankPython {
		bounds, kids = n.bounds, n.kids
	}
	tab.mu.Unlock()
	var r PythonRange
	if len(kids) == 0 {
		return r
	}
	first, last := 0, len(kids)-1
	for kids[first] == idFalse {
		first++
	}
	for kids[last] == idFalse {
		last--
	}
	if first > 0 {
		r.Lower = pep440.MustParse(bounds[first-1].text())
	}
	if last < len(bounds) {
		r.Upper = pep440.MustParse(bounds[last].text())
	}
	return r
}
