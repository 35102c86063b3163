package pubgrub

// A term is a statement about one package that a selection of versions
// makes true or false. The positive term "foo in S" holds when foo is
// selected at a version in S; the negative term "not foo in S" holds when
// foo is not selected at all or at a version outside S.
//
// Seen as sets over "absent or some version", a positive term never holds
// absence and a negative term always does. That decides every operation
// below.
type term[V any, S VersionSet[V, S]] struct {
	pkg      string
	set      S
	positive bool
}

func (t term[V, S]) negate() term[V, S] {
	t.positive = !t.positive
	return t
}

// intersect returns the term that holds when both t and u hold; both must
// be about the same package.
func (t term[V, S]) intersect(u term[V, S]) term[V, S] {
	switch {
	case t.positive && u.positive:
		return term[V, S]{t.pkg, t.set.Intersect(u.set), true}
	case t.positive:
		return term[V, S]{t.pkg, t.set.Intersect(u.set.Complement()), true}
	case u.positive:
		return term[V, S]{t.pkg, u.set.Intersect(t.set.Complement()), true}
	default:
		return term[V, S]{t.pkg, t.set.Union(u.set), false}
	}
}

// union returns the term that holds when t or u holds.
func (t term[V, S]) union(u term[V, S]) term[V, S] {
	return t.negate().intersect(u.negate()).negate()
}

// isNever reports whether no selection makes t true.
func (t term[V, S]) isNever() bool { return t.positive && t.set.IsEmpty() }

// isAlways reports whether every selection makes t true.
func (t term[V, S]) isAlways() bool { return !t.positive && t.set.IsEmpty() }

// satisfies reports whether u holds whenever t holds.
func (t term[V, S]) satisfies(u term[V, S]) bool { return t.intersect(u.negate()).isNever() }

// contradicts reports whether u is false whenever t holds.
func (t term[V, S]) contradicts(u term[V, S]) bool { return t.intersect(u).isNever() }

// holdsFor reports whether t holds when its package is selected at v.
func (t term[V, S]) holdsFor(v V) bool { return t.set.Contains(v) == t.positive }

// equal reports whether t and u hold for exactly the same selections.
func (t term[V, S]) equal(u term[V, S]) bool { return t.satisfies(u) && u.satisfies(t) }
