package pubgrub

import (
	"fmt"
	"strings"
)

// NoSolutionError reports that no choice of versions meets every
// dependency. Its Error method explains why in numbered English sentences,
// one per step of the proof.
type NoSolutionError struct {
	// Derivation is the proof: an incompatibility saying the root package
	// cannot be selected, with the incompatibilities it follows from.
	Derivation *Incompatibility
	report     string
}

// Error returns the report: sentences separated by newlines, the last
// concluding that version solving failed.
func (e *NoSolutionError) Error() string { return e.report }

// Incompatibility is a fact in the proof of a NoSolutionError: its Terms
// cannot all hold at once.
type Incompatibility struct {
	Kind  Kind
	Terms []Term
	// Text is the fact in words, as the report says it.
	Text string
	// Reason is the provider's phrase for KindUnavailable.
	Reason string
	// Causes are the two facts a KindDerived one follows from. Facts may be
	// shared between branches of the proof.
	Causes []*Incompatibility
}

// Term says that Package is selected at a version in Versions or, when
// Negated, that it is not.
type Term struct {
	Package  string
	Versions string // as the version set's String method prints it
	Negated  bool
}

func (s *solver[V, S]) noSolution(ic *incompatibility[V, S]) error {
	r := &reporter[V, S]{
		root:       s.root,
		rootPhrase: s.options.rootPhrase,
		terminal:   ic,
		uses:       map[*incompatibility[V, S]]int{},
		lineOf:     map[*incompatibility[V, S]]int{},
	}
	return &NoSolutionError{
		Derivation: r.export(ic, map[*incompatibility[V, S]]*Incompatibility{}),
		report:     r.report(),
	}
}

// reporter turns a derivation into text following the error reporting
// section of the PubGrub documentation: a depth-first walk that explains
// each derived incompatibility from its causes, numbering the lines that
// are referred to again later.
type reporter[V any, S VersionSet[V, S]] struct {
	root       string
	rootPhrase string
	terminal   *incompatibility[V, S]
	// uses counts, for each incompatibility, the derived ones it causes.
	uses map[*incompatibility[V, S]]int
	// lineOf holds the number of the line concluding an incompatibility.
	lineOf   map[*incompatibility[V, S]]int
	lines    []reportLine
	numbered int
}

type reportLine struct {
	text   string // empty for a blank line
	number int    // 0 when not numbered
}

func (r *reporter[V, S]) export(ic *incompatibility[V, S], done map[*incompatibility[V, S]]*Incompatibility) *Incompatibility {
	if out, ok := done[ic]; ok {
		return out
	}
	out := &Incompatibility{Kind: ic.kind, Text: r.describe(ic), Reason: ic.reason}
	done[ic] = out
	for _, t := range ic.terms {
		out.Terms = append(out.Terms, Term{Package: t.pkg, Versions: t.set.String(), Negated: !t.positive})
	}
	if ic.kind == KindDerived {
		out.Causes = []*Incompatibility{r.export(ic.causes[0], done), r.export(ic.causes[1], done)}
	}
	return out
}

func (r *reporter[V, S]) report() string {
	r.countUses()
	if r.terminal.kind == KindDerived {
		r.visit(r.terminal, false)
	} else {
		r.write(r.terminal, "Because "+r.describe(r.terminal)+", version solving failed.", false)
	}
	width := 0
	if r.numbered > 0 {
		width = len(fmt.Sprintf("(%d) ", r.numbered))
	}
	var b strings.Builder
	lastBlank := true
	for _, l := range r.lines {
		if l.text == "" {
			if !lastBlank {
				b.WriteByte('\n')
			}
			lastBlank = true
			continue
		}
		lastBlank = false
		prefix := ""
		if l.number > 0 {
			prefix = fmt.Sprintf("(%d)", l.number)
		}
		b.WriteString(prefix + strings.Repeat(" ", width-len(prefix)) + l.text + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// countUses counts, over the whole derivation, how many derived
// incompatibilities each incompatibility is a cause of.
func (r *reporter[V, S]) countUses() {
	seen := map[*incompatibility[V, S]]bool{}
	var walk func(ic *incompatibility[V, S])
	walk = func(ic *incompatibility[V, S]) {
		if seen[ic] || ic.kind != KindDerived {
			return
		}
		seen[ic] = true
		for _, c := range ic.causes {
			r.uses[c]++
			walk(c)
		}
	}
	walk(r.terminal)
}

func (r *reporter[V, S]) write(ic *incompatibility[V, S], text string, numbered bool) {
	if !numbered {
		r.lines = append(r.lines, reportLine{text: text})
		return
	}
	r.numbered++
	r.lineOf[ic] = r.numbered
	r.lines = append(r.lines, reportLine{text: text, number: r.numbered})
}

// visit writes the lines explaining the derived incompatibility ic. A
// conclusion gets a line number, as it is referred to later.
func (r *reporter[V, S]) visit(ic *incompatibility[V, S], conclusion bool) {
	numbered := conclusion || r.uses[ic] > 1
	conjunction := "And"
	if conclusion || ic == r.terminal {
		conjunction = "So,"
	}
	text := r.describe(ic)
	c1, c2 := ic.causes[0], ic.causes[1]
	derived1, derived2 := c1.kind == KindDerived, c2.kind == KindDerived
	switch {
	case derived1 && derived2:
		line1, line2 := r.lineOf[c1], r.lineOf[c2]
		switch {
		case line1 > 0 && line2 > 0:
			r.write(ic, "Because "+r.and(c1, c2, line1, line2)+", "+text+".", numbered)
		case line1 > 0 || line2 > 0:
			with, without, line := c1, c2, line1
			if line2 > 0 {
				with, without, line = c2, c1, line2
			}
			r.visit(without, false)
			r.write(ic, conjunction+" because "+r.describe(with)+ref(line)+", "+text+".", numbered)
		case r.singleLine(c1) || r.singleLine(c2):
			// The simple cause fits in one line right before the
			// conclusion, so the complex one needs no number.
			complex, simple := c1, c2
			if !r.singleLine(c2) {
				complex, simple = c2, c1
			}
			r.visit(complex, false)
			r.visit(simple, false)
			r.write(ic, "Thus, "+text+".", numbered)
		default:
			r.visit(c1, true)
			r.lines = append(r.lines, reportLine{})
			r.visit(c2, false)
			r.write(ic, conjunction+" because "+r.describe(c1)+ref(r.lineOf[c1])+", "+text+".", numbered)
		}
	case derived1 || derived2:
		derived, external := c1, c2
		if derived2 {
			derived, external = c2, c1
		}
		switch {
		case r.lineOf[derived] > 0:
			r.write(ic, "Because "+r.and(external, derived, 0, r.lineOf[derived])+", "+text+".", numbered)
		case r.collapsible(derived):
			// Skip the line for derived: say its external cause together
			// with ours.
			inner, innerExternal := derived.causes[0], derived.causes[1]
			if innerExternal.kind == KindDerived {
				inner, innerExternal = innerExternal, inner
			}
			r.visit(inner, false)
			r.write(ic, conjunction+" because "+r.and(innerExternal, external, 0, 0)+", "+text+".", numbered)
		default:
			r.visit(derived, false)
			r.write(ic, conjunction+" because "+r.describe(external)+", "+text+".", numbered)
		}
	default:
		r.write(ic, "Because "+r.and(c1, c2, 0, 0)+", "+text+".", numbered)
	}
}

// singleLine reports whether ic is explained in one line: both its causes
// are external.
func (r *reporter[V, S]) singleLine(ic *incompatibility[V, S]) bool {
	return ic.causes[0].kind != KindDerived && ic.causes[1].kind != KindDerived
}

// collapsible reports whether the line explaining ic can be merged into the
// line of the one incompatibility it causes.
func (r *reporter[V, S]) collapsible(ic *incompatibility[V, S]) bool {
	if r.uses[ic] > 1 {
		return false
	}
	c1, c2 := ic.causes[0], ic.causes[1]
	if (c1.kind == KindDerived) == (c2.kind == KindDerived) {
		return false
	}
	inner := c1
	if c2.kind == KindDerived {
		inner = c2
	}
	return r.lineOf[inner] == 0
}

func ref(line int) string {
	if line == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d)", line)
}

// terse names a term's package and versions; the root goes by its name
// alone, and every version of a package by its name or, if every is set,
// by "every version of" its name.
func (r *reporter[V, S]) terse(t term[V, S], every bool) string {
	switch {
	case t.pkg == r.root && t.positive:
		return t.pkg
	case t.set.IsFull() && every:
		return "every version of " + t.pkg
	case t.set.IsFull():
		return t.pkg
	}
	return t.pkg + " " + t.set.String()
}

// subject starts a sentence saying that t verb something: "every version
// of foo depends on", or the root phrase for the root package.
func (r *reporter[V, S]) subject(t term[V, S], verb string) string {
	if t.pkg == r.root && t.positive && r.rootPhrase != "" {
		return r.rootPhrase
	}
	return r.terse(t, true) + " " + verb
}

func (r *reporter[V, S]) join(terms []term[V, S], sep string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = r.terse(t, false)
	}
	return strings.Join(parts, sep)
}

func withSign[V any, S VersionSet[V, S]](ic *incompatibility[V, S], positive bool) []term[V, S] {
	var out []term[V, S]
	for _, t := range ic.terms {
		if t.positive == positive {
			out = append(out, t)
		}
	}
	return out
}

func verb[V any, S VersionSet[V, S]](ic *incompatibility[V, S]) string {
	if ic.kind == KindDependency {
		return "depends on"
	}
	return "requires"
}

// describe says ic in words.
func (r *reporter[V, S]) describe(ic *incompatibility[V, S]) string {
	switch ic.kind {
	case KindDependency:
		text := r.subject(ic.depender, "depends on") + " " + r.terse(ic.dependee, false)
		if ic.dependee.set.IsEmpty() {
			text += " which doesn't match any versions"
		}
		return text
	case KindNoVersions:
		t := ic.terms[0]
		if t.set.IsFull() {
			return "there are no versions of " + t.pkg
		}
		return "no versions of " + t.pkg + " match " + t.set.String()
	case KindUnavailable:
		return r.terse(ic.terms[0], true) + " " + ic.reason
	}
	isTerminal := true
	for _, t := range ic.terms {
		isTerminal = isTerminal && t.pkg == r.root
	}
	if isTerminal {
		return "version solving failed"
	}
	if len(ic.terms) == 1 {
		t := ic.terms[0]
		if t.positive {
			return r.terse(t, false) + " is forbidden"
		}
		return r.terse(t, false) + " is required"
	}
	positive, negative := withSign(ic, true), withSign(ic, false)
	switch {
	case len(negative) == 0 && len(positive) == 2:
		return r.terse(positive[0], false) + " is incompatible with " + r.terse(positive[1], false)
	case len(positive) == 0 && len(negative) == 2:
		return "either " + r.terse(negative[0], false) + " or " + r.terse(negative[1], false)
	case len(positive) == 1:
		return r.subject(positive[0], "requires") + " " + r.join(negative, " or ")
	case len(negative) == 0:
		return "one of " + r.join(positive, " or ") + " must be false"
	case len(positive) == 0:
		return "one of " + r.join(negative, " or ") + " must be true"
	}
	return "if " + r.join(positive, " and ") + " then " + r.join(negative, " or ")
}

// and says "a and b", numbering them with their lines when not 0, in the
// shortest of the forms the PubGrub documentation suggests.
func (r *reporter[V, S]) and(a, b *incompatibility[V, S], lineA, lineB int) string {
	if s, ok := r.bothRequire(a, b, lineA, lineB); ok {
		return s
	}
	if s, ok := r.requiresThrough(a, b, lineA, lineB); ok {
		return s
	}
	if s, ok := r.requiresThrough(b, a, lineB, lineA); ok {
		return s
	}
	if s, ok := r.requiresForbidden(a, b, lineA, lineB); ok {
		return s
	}
	return r.describe(a) + ref(lineA) + " and " + r.describe(b) + ref(lineB)
}

// bothRequire says "foo depends on both bar 1 and baz 2".
func (r *reporter[V, S]) bothRequire(a, b *incompatibility[V, S], lineA, lineB int) (string, bool) {
	if len(a.terms) == 1 || len(b.terms) == 1 {
		return "", false
	}
	posA, posB := withSign(a, true), withSign(b, true)
	negA, negB := withSign(a, false), withSign(b, false)
	if len(posA) != 1 || len(posB) != 1 || len(negA) == 0 || len(negB) == 0 ||
		posA[0].pkg != posB[0].pkg || !posA[0].equal(posB[0]) {
		return "", false
	}
	v := "requires"
	if a.kind == KindDependency && b.kind == KindDependency {
		v = "depends on"
	}
	return r.subject(posA[0], v) + " both " + r.join(negA, " or ") + ref(lineA) +
		" and " + r.join(negB, " or ") + ref(lineB), true
}

// requiresThrough says "foo depends on bar 1 which depends on baz 2" when
// what prior requires is within what latter is about.
func (r *reporter[V, S]) requiresThrough(prior, latter *incompatibility[V, S], linePrior, lineLatter int) (string, bool) {
	if len(prior.terms) == 1 || len(latter.terms) == 1 {
		return "", false
	}
	priorPos, priorNeg := withSign(prior, true), withSign(prior, false)
	latterPos, latterNeg := withSign(latter, true), withSign(latter, false)
	if len(priorNeg) != 1 || len(latterPos) != 1 || len(priorPos) == 0 || len(latterNeg) == 0 {
		return "", false
	}
	middle := priorNeg[0]
	if middle.pkg != latterPos[0].pkg || !middle.negate().satisfies(latterPos[0]) {
		return "", false
	}
	return r.requiresPrefix(prior, priorPos) + r.terse(middle, false) + ref(linePrior) +
		" which " + verb(latter) + " " + r.join(latterNeg, " or ") + ref(lineLatter), true
}

// requiresForbidden says "foo depends on bar 1 which is forbidden" when one
// of a and b forbids what the other requires.
func (r *reporter[V, S]) requiresForbidden(a, b *incompatibility[V, S], lineA, lineB int) (string, bool) {
	if len(a.terms) != 1 && len(b.terms) != 1 {
		return "", false
	}
	prior, latter, linePrior, lineLatter := a, b, lineA, lineB
	if len(a.terms) == 1 {
		prior, latter, linePrior, lineLatter = b, a, lineB, lineA
	}
	priorPos, priorNeg := withSign(prior, true), withSign(prior, false)
	forbidden := latter.terms[0]
	if latter.kind == KindDependency || len(priorNeg) != 1 || len(priorPos) == 0 || !forbidden.positive ||
		priorNeg[0].pkg != forbidden.pkg || !priorNeg[0].negate().satisfies(forbidden) {
		return "", false
	}
	why := "is forbidden"
	switch latter.kind {
	case KindNoVersions:
		why = "doesn't match any versions"
	case KindUnavailable:
		why = latter.reason
	}
	return r.requiresPrefix(prior, priorPos) + r.terse(priorNeg[0], false) + ref(linePrior) +
		" which " + why + ref(lineLatter), true
}

// requiresPrefix starts a sentence saying what the positive terms of ic
// require: "foo 1 depends on ", or "if foo 1 and bar 2 then ".
func (r *reporter[V, S]) requiresPrefix(ic *incompatibility[V, S], positive []term[V, S]) string {
	if len(positive) > 1 {
		return "if " + r.join(positive, " and ") + " then "
	}
	return r.subject(positive[0], verb(ic)) + " "
}
