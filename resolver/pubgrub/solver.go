package pubgrub

import (
	"context"
	"fmt"
	"slices"
)

type relation int

const (
	inconclusive relation = iota
	satisfied
	contradicted
	almostSatisfied // all terms of an incompatibility but one are satisfied
)

// A view is what the partial solution says about one package after some
// prefix of its assignments.
type view[V any, S VersionSet[V, S]] struct {
	decided bool
	version V
	derived bool
	term    term[V, S] // the intersection of the derivations, when derived
}

// relation tells whether t holds, cannot hold or may hold given w.
func (w view[V, S]) relation(t term[V, S]) relation {
	switch {
	case w.decided:
		if t.holdsFor(w.version) {
			return satisfied
		}
		return contradicted
	case w.derived:
		if w.term.satisfies(t) {
			return satisfied
		}
		if w.term.contradicts(t) {
			return contradicted
		}
		return inconclusive
	case t.isAlways():
		return satisfied
	case t.isNever():
		return contradicted
	}
	return inconclusive
}

// An assignment is a decision (one version of a package) or a derivation
// (a term that must hold, and the incompatibility that forced it).
type assignment[V any, S VersionSet[V, S]] struct {
	pkg      string
	level    int // decisions at or before this one, the root's not counted
	index    int // position in the partial solution
	decision bool
	version  V
	term     term[V, S]
	cause    *incompatibility[V, S]
	after    view[V, S] // the package's view including this assignment
}

// packageState is everything the solver holds about one package.
type packageState[V any, S VersionSet[V, S]] struct {
	name string
	// assignments are this package's part of the partial solution, oldest
	// first.
	assignments []*assignment[V, S]
	// incompatibilities mentioning this package, oldest first.
	incompatibilities []*incompatibility[V, S]
	// known is the union of the ranges whose dependencies were added.
	known    S
	hasKnown bool
	// conflicts counts the conflict resolution steps this package's
	// assignments took part in, for choosing the next package.
	conflicts int
}

func (p *packageState[V, S]) view() view[V, S] {
	if len(p.assignments) == 0 {
		return view[V, S]{}
	}
	return p.assignments[len(p.assignments)-1].after
}

type solver[V any, S VersionSet[V, S]] struct {
	provider    Provider[V, S]
	chooser     Chooser[S]
	prefetcher  Prefetcher[S]
	root        string
	rootVersion V
	options     options

	packages    map[string]*packageState[V, S]
	order       []*packageState[V, S] // in order of discovery, for determinism
	assignments []*assignment[V, S]   // the partial solution
	level       int                   // the current decision level

	// contradicted lists, per decision level, the incompatibilities found
	// contradicted at that level: they stay contradicted until the solver
	// backtracks below it, so propagation skips them until then.
	contradicted [][]*incompatibility[V, S]

	pendingBuf []Pending[S] // reused by pending(); see Chooser
}

func (s *solver[V, S]) solve(ctx context.Context) (map[string]V, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The root is decided first, at level 0, and never backtracked; its
	// dependencies then propagate like any other incompatibility, so a
	// root that cannot be satisfied ends in conflict resolution and a
	// report.
	root := s.state(s.root)
	root.assignments = append(root.assignments, &assignment[V, S]{
		pkg:      s.root,
		decision: true,
		version:  s.rootVersion,
		after:    view[V, S]{decided: true, version: s.rootVersion},
	})
	s.assignments = append(s.assignments, root.assignments[0])
	if _, _, err := s.addDependencies(ctx, s.root, s.rootVersion); err != nil {
		return nil, err
	}
	next := s.root
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := s.propagate(next); err != nil {
			return nil, err
		}
		pkg, done, err := s.decide(ctx)
		if err != nil {
			return nil, err
		}
		if done {
			return s.solution(), nil
		}
		next = pkg
	}
}

func (s *solver[V, S]) state(pkg string) *packageState[V, S] {
	st, ok := s.packages[pkg]
	if !ok {
		st = &packageState[V, S]{name: pkg}
		s.packages[pkg] = st
		s.order = append(s.order, st)
	}
	return st
}

func (s *solver[V, S]) viewOf(pkg string) view[V, S] {
	if st, ok := s.packages[pkg]; ok {
		return st.view()
	}
	return view[V, S]{}
}

func (s *solver[V, S]) solution() map[string]V {
	out := map[string]V{}
	for _, st := range s.order {
		if w := st.view(); w.decided {
			out[st.name] = w.version
		}
	}
	return out
}

// add records ic under each package it mentions.
func (s *solver[V, S]) add(ic *incompatibility[V, S]) {
	for _, t := range ic.terms {
		st := s.state(t.pkg)
		st.incompatibilities = append(st.incompatibilities, ic)
	}
}

func (s *solver[V, S]) remove(ic *incompatibility[V, S]) {
	for _, t := range ic.terms {
		st := s.state(t.pkg)
		for i, x := range st.incompatibilities {
			if x == ic {
				// A fresh slice: propagate may be reading the old one.
				st.incompatibilities = slices.Concat(st.incompatibilities[:i], st.incompatibilities[i+1:])
				break
			}
		}
	}
}

// addDependency records that depender depends on dependee. When another
// range of the same package already has exactly this dependency, the two
// become one incompatibility over the union of the ranges: fewer
// incompatibilities to scan, and one line of report instead of one per
// version. It returns the incompatibility now in force, or nil when the
// dependency says nothing (a package depending on itself, satisfied).
func (s *solver[V, S]) addDependency(depender, dependee term[V, S]) *incompatibility[V, S] {
	terms, ok := normalize([]term[V, S]{depender, dependee.negate()})
	if !ok {
		return nil
	}
	ic := &incompatibility[V, S]{terms: terms, kind: KindDependency, depender: depender, dependee: dependee}
	if len(terms) == 2 && terms[0].pkg != terms[1].pkg {
		for _, old := range s.state(depender.pkg).incompatibilities {
			if old.kind != KindDependency || len(old.terms) != 2 ||
				old.depender.pkg != depender.pkg || old.dependee.pkg != dependee.pkg ||
				!old.dependee.equal(dependee) {
				continue
			}
			merged := term[V, S]{depender.pkg, old.depender.set.Union(depender.set), true}
			s.remove(old)
			ic = &incompatibility[V, S]{
				terms:    []term[V, S]{merged, dependee.negate()},
				kind:     KindDependency,
				depender: merged,
				dependee: dependee,
			}
			break
		}
	}
	s.add(ic)
	return ic
}

// addDependencies asks the provider about version v of pkg, unless an
// earlier answer covered it, and records the answer. It returns the
// incompatibilities added, and whether the version is unavailable.
func (s *solver[V, S]) addDependencies(ctx context.Context, pkg string, v V) ([]*incompatibility[V, S], bool, error) {
	st := s.state(pkg)
	if st.hasKnown && st.known.Contains(v) {
		return nil, false, nil
	}
	deps, err := s.provider.Dependencies(ctx, pkg, v)
	if err != nil {
		return nil, false, fmt.Errorf("dependencies of %s %v: %w", pkg, v, err)
	}
	if !deps.Range.Contains(v) {
		return nil, false, fmt.Errorf("dependencies of %s %v: provider returned them for %s, which does not hold %v", pkg, v, deps.Range, v)
	}
	if st.hasKnown {
		st.known = st.known.Union(deps.Range)
	} else {
		st.known, st.hasKnown = deps.Range, true
	}
	depender := term[V, S]{pkg, deps.Range, true}
	if deps.Unavailable != "" {
		// One fact per reason: "foo >=2 requires Python >=3.12" rather than
		// a line for each version tried.
		for _, old := range st.incompatibilities {
			if old.kind == KindUnavailable && old.reason == deps.Unavailable {
				s.remove(old)
				depender.set = depender.set.Union(old.terms[0].set)
				break
			}
		}
		ic := &incompatibility[V, S]{terms: []term[V, S]{depender}, kind: KindUnavailable, reason: deps.Unavailable}
		s.add(ic)
		return []*incompatibility[V, S]{ic}, true, nil
	}
	var added []*incompatibility[V, S]
	for _, d := range deps.Deps {
		if ic := s.addDependency(depender, term[V, S]{d.Package, d.Set, true}); ic != nil {
			added = append(added, ic)
		}
	}
	return added, false, nil
}

// relation tells how the partial solution relates to ic; for
// almostSatisfied it also returns the one term not yet satisfied.
func (s *solver[V, S]) relation(ic *incompatibility[V, S]) (relation, term[V, S]) {
	var unsatisfied term[V, S]
	found := false
	for _, t := range ic.terms {
		switch s.viewOf(t.pkg).relation(t) {
		case contradicted:
			return contradicted, term[V, S]{}
		case inconclusive:
			if found {
				return inconclusive, term[V, S]{}
			}
			unsatisfied, found = t, true
		}
	}
	if found {
		return almostSatisfied, unsatisfied
	}
	return satisfied, term[V, S]{}
}

// derive adds t to the partial solution, forced by cause.
func (s *solver[V, S]) derive(t term[V, S], cause *incompatibility[V, S]) {
	st := s.state(t.pkg)
	after := st.view()
	if after.derived {
		after.term = after.term.intersect(t)
	} else {
		after.term, after.derived = t, true
	}
	a := &assignment[V, S]{pkg: t.pkg, level: s.level, index: len(s.assignments), term: t, cause: cause, after: after}
	st.assignments = append(st.assignments, a)
	s.assignments = append(s.assignments, a)
}

// propagate derives every term that the incompatibilities force, starting
// from those about pkg, resolving conflicts on the way.
func (s *solver[V, S]) propagate(pkg string) error {
	queue := []string{pkg}
	queued := map[string]bool{pkg: true}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		delete(queued, pkg)
		list := s.state(pkg).incompatibilities
		// Newest first: learned incompatibilities are the most general.
	scan:
		for i := len(list) - 1; i >= 0; i-- {
			ic := list[i]
			if ic.contradicted {
				continue
			}
			rel, unsatisfied := s.relation(ic)
			switch rel {
			case contradicted:
				s.markContradicted(ic)
			case satisfied:
				learned, err := s.resolve(ic)
				if err != nil {
					return err
				}
				rel, unsatisfied = s.relation(learned)
				if rel != almostSatisfied {
					return errInternal("learned incompatibility is not almost satisfied after backtracking")
				}
				s.derive(unsatisfied.negate(), learned)
				s.markContradicted(learned)
				// The partial solution changed under our feet: start over
				// from the one package that changed.
				queue = []string{unsatisfied.pkg}
				queued = map[string]bool{unsatisfied.pkg: true}
				break scan
			case almostSatisfied:
				s.derive(unsatisfied.negate(), ic)
				s.markContradicted(ic)
				if !queued[unsatisfied.pkg] {
					queue = append(queue, unsatisfied.pkg)
					queued[unsatisfied.pkg] = true
				}
			}
		}
	}
	return nil
}

// resolve finds the root cause of conflict, an incompatibility the partial
// solution satisfies, learns it, and backtracks until the partial solution
// almost satisfies it. It fails with a *NoSolutionError when the root cause
// is about the root package alone.
func (s *solver[V, S]) resolve(conflict *incompatibility[V, S]) (*incompatibility[V, S], error) {
	ic := conflict
	for {
		if s.isTerminal(ic) {
			return nil, s.noSolution(ic)
		}
		satisfier, satisfierTerm, previousLevel, err := s.findSatisfier(ic)
		if err != nil {
			return nil, err
		}
		s.packages[satisfier.pkg].conflicts++
		if satisfier.decision || previousLevel != satisfier.level {
			if ic != conflict {
				s.add(ic)
			}
			s.backtrack(previousLevel)
			return ic, nil
		}
		// Resolution: ic is {satisfierTerm, q...}, the cause of the
		// satisfier is {causeTerm, r...}, so {q..., r..., satisfierTerm
		// or causeTerm} cannot hold either, and it no longer mentions the
		// satisfier unless only part of it was to blame.
		cause := satisfier.cause
		causeTerm, ok := cause.termFor(satisfier.pkg)
		if !ok {
			return nil, errInternal("derivation of %s not mentioned by its cause", satisfier.pkg)
		}
		var terms []term[V, S]
		for _, t := range ic.terms {
			if t.pkg != satisfier.pkg {
				terms = append(terms, t)
			}
		}
		for _, t := range cause.terms {
			if t.pkg != satisfier.pkg {
				terms = append(terms, t)
			}
		}
		terms = append(terms, satisfierTerm.union(causeTerm))
		terms, ok = normalize(terms)
		if !ok {
			return nil, errInternal("resolution produced a term that never holds")
		}
		ic = &incompatibility[V, S]{terms: s.withoutRoot(terms), kind: KindDerived, causes: [2]*incompatibility[V, S]{ic, cause}}
	}
}

// isTerminal reports whether ic, satisfied by the partial solution, is
// about the root package alone: the root can then never be selected.
func (s *solver[V, S]) isTerminal(ic *incompatibility[V, S]) bool {
	for _, t := range ic.terms {
		if t.pkg != s.root {
			return false
		}
	}
	return true
}

// withoutRoot drops a term saying the root is selected from an
// incompatibility with other terms: it always holds, and reports read
// better without it.
func (s *solver[V, S]) withoutRoot(terms []term[V, S]) []term[V, S] {
	if len(terms) < 2 {
		return terms
	}
	out := terms[:0:0]
	for _, t := range terms {
		if t.pkg == s.root && t.positive && t.holdsFor(s.rootVersion) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// findSatisfier returns the earliest assignment after which the partial
// solution satisfies ic, the term of ic about its package, and the
// decision level of the previous satisfier: the earliest assignment that,
// together with the satisfier, satisfies ic.
func (s *solver[V, S]) findSatisfier(ic *incompatibility[V, S]) (*assignment[V, S], term[V, S], int, error) {
	firsts := make([]*assignment[V, S], len(ic.terms))
	var satisfier *assignment[V, S]
	var satisfierTerm term[V, S]
	for i, t := range ic.terms {
		a := s.firstSatisfier(t)
		if a == nil {
			return nil, term[V, S]{}, 0, errInternal("conflict on %s is not satisfied", t.pkg)
		}
		firsts[i] = a
		if satisfier == nil || a.index > satisfier.index {
			satisfier, satisfierTerm = a, t
		}
	}
	previousLevel := 0
	for i, t := range ic.terms {
		if t.pkg != satisfier.pkg {
			previousLevel = max(previousLevel, firsts[i].level)
		}
	}
	// A derivation may satisfy its term only together with earlier
	// derivations about the same package.
	if !satisfier.decision && !satisfier.term.satisfies(satisfierTerm) {
		for _, a := range s.packages[satisfier.pkg].assignments {
			if a == satisfier {
				break
			}
			if a.after.derived && a.after.term.intersect(satisfier.term).satisfies(satisfierTerm) {
				previousLevel = max(previousLevel, a.level)
				break
			}
		}
	}
	return satisfier, satisfierTerm, previousLevel, nil
}

func (s *solver[V, S]) firstSatisfier(t term[V, S]) *assignment[V, S] {
	for _, a := range s.state(t.pkg).assignments {
		if a.after.relation(t) == satisfied {
			return a
		}
	}
	return nil
}

// backtrack removes every assignment above level.
func (s *solver[V, S]) backtrack(level int) {
	for len(s.assignments) > 0 {
		a := s.assignments[len(s.assignments)-1]
		if a.level <= level {
			break
		}
		s.assignments = s.assignments[:len(s.assignments)-1]
		st := s.packages[a.pkg]
		st.assignments = st.assignments[:len(st.assignments)-1]
	}
	s.level = level
	for len(s.contradicted) > level+1 {
		for _, ic := range s.contradicted[len(s.contradicted)-1] {
			ic.contradicted = false
		}
		s.contradicted = s.contradicted[:len(s.contradicted)-1]
	}
}

func (s *solver[V, S]) markContradicted(ic *incompatibility[V, S]) {
	for len(s.contradicted) <= s.level {
		s.contradicted = append(s.contradicted, nil)
	}
	ic.contradicted = true
	s.contradicted[s.level] = append(s.contradicted[s.level], ic)
}

// pending lists the packages that must be selected and have no version yet.
func (s *solver[V, S]) pending() []Pending[S] {
	// One buffer for every decision: a large solve decides hundreds of
	// packages with hundreds pending, and a new slice each time was most
	// of the solver's allocation.
	out := s.pendingBuf[:0]
	for _, st := range s.order {
		w := st.view()
		if !w.decided && w.derived && w.term.positive {
			out = append(out, Pending[S]{Package: st.name, Set: w.term.set, Conflicts: st.conflicts})
		}
	}
	s.pendingBuf = out
	return out
}

// decide picks a package and a version for it. It returns the package
// whose assignments changed, or done when every package is decided.
func (s *solver[V, S]) decide(ctx context.Context) (pkg string, done bool, err error) {
	pending := s.pending()
	if len(pending) == 0 {
		return "", true, nil
	}
	if s.prefetcher != nil {
		s.prefetcher.Prefetch(ctx, pending)
	}
	i := 0
	if s.chooser != nil {
		i, err = s.chooser.ChoosePackage(ctx, pending)
		if err != nil {
			return "", false, fmt.Errorf("choosing the next package: %w", err)
		}
		if i < 0 || i >= len(pending) {
			return "", false, fmt.Errorf("choosing the next package: provider chose %d of %d packages", i, len(pending))
		}
	} else {
		// Packages that keep causing conflicts go first: deciding them
		// early avoids flipping back and forth between their dependents.
		for j, p := range pending {
			if p.Conflicts > pending[i].Conflicts {
				i = j
			}
		}
	}
	pkg, set := pending[i].Package, pending[i].Set
	v, ok, err := s.provider.ChooseVersion(ctx, pkg, set)
	if err != nil {
		return "", false, fmt.Errorf("choosing a version of %s %s: %w", pkg, set, err)
	}
	if !ok {
		s.add(&incompatibility[V, S]{terms: []term[V, S]{{pkg, set, true}}, kind: KindNoVersions})
		return pkg, false, nil
	}
	if !set.Contains(v) {
		return "", false, fmt.Errorf("choosing a version of %s %s: provider chose %v, which is not in the set", pkg, set, v)
	}
	added, unavailable, err := s.addDependencies(ctx, pkg, v)
	if err != nil {
		return "", false, err
	}
	if unavailable {
		return pkg, false, nil
	}
	// Deciding v would satisfy one of its own dependencies'
	// incompatibilities: let propagation rule out v (and its range) instead.
	for _, ic := range added {
		if s.wouldConflict(ic, pkg, v) {
			return pkg, false, nil
		}
	}
	s.level++
	st := s.state(pkg)
	after := st.view()
	after.decided, after.version = true, v
	a := &assignment[V, S]{pkg: pkg, level: s.level, index: len(s.assignments), decision: true, version: v, after: after}
	st.assignments = append(st.assignments, a)
	s.assignments = append(s.assignments, a)
	return pkg, false, nil
}

// wouldConflict reports whether deciding version v of pkg would make the
// partial solution satisfy ic.
func (s *solver[V, S]) wouldConflict(ic *incompatibility[V, S], pkg string, v V) bool {
	for _, t := range ic.terms {
		if t.pkg == pkg {
			if !t.holdsFor(v) {
				return false
			}
		} else if s.viewOf(t.pkg).relation(t) != satisfied {
			return false
		}
	}
	return true
}
