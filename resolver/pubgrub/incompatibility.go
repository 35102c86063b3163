package pubgrub

// Kind says where an incompatibility comes from.
type Kind int

const (
	// KindDependency: a range of versions of one package depends on
	// another package.
	KindDependency Kind = iota
	// KindNoVersions: the provider has no version in a set.
	KindNoVersions
	// KindUnavailable: the provider said a range of versions cannot be
	// used, and why.
	KindUnavailable
	// KindDerived: learned by conflict resolution from two other
	// incompatibilities.
	KindDerived
)

// String names the kind in lower case, as in "no versions".
func (k Kind) String() string {
	switch k {
	case KindDependency:
		return "dependency"
	case KindNoVersions:
		return "no versions"
	case KindUnavailable:
		return "unavailable"
	case KindDerived:
		return "derived"
	}
	return "unknown"
}

// An incompatibility is a set of terms, at most one per package, that must
// not all hold at once. External ones come from the provider; derived ones
// from two causes by resolution.
type incompatibility[V any, S VersionSet[V, S]] struct {
	terms []term[V, S]
	kind  Kind
	// reason is the provider's phrase for KindUnavailable.
	reason string
	// depender and dependee are the two sides of KindDependency as the
	// provider gave them, kept for the report: terms may differ when a
	// package depends on itself.
	depender, dependee term[V, S]
	// causes are the two incompatibilities a KindDerived one was resolved
	// from: the conflicting one first, then the satisfier's cause.
	causes [2]*incompatibility[V, S]
	// contradicted is set while the partial solution contradicts the
	// incompatibility (see solver.contradicted).
	contradicted bool
}

// termFor returns the term of ic about pkg.
func (ic *incompatibility[V, S]) termFor(pkg string) (term[V, S], bool) {
	for _, t := range ic.terms {
		if t.pkg == pkg {
			return t, true
		}
	}
	return term[V, S]{}, false
}

// normalize merges terms about the same package by intersection, keeping
// the order in which packages first appear, and drops terms that always
// hold. ok is false when a term can never hold: such an incompatibility is
// never satisfied and carries no information.
func normalize[V any, S VersionSet[V, S]](terms []term[V, S]) (out []term[V, S], ok bool) {
	for _, t := range terms {
		merged := false
		for i := range out {
			if out[i].pkg == t.pkg {
				out[i] = out[i].intersect(t)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, t)
		}
	}
	kept := out[:0]
	for _, t := range out {
		if t.isNever() {
			return nil, false
		}
		if !t.isAlways() {
			kept = append(kept, t)
		}
	}
	return kept, true
}
