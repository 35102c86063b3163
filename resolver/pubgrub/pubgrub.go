package pubgrub

import (
	"context"
	"fmt"
)

// VersionSet is a set of versions of one package, V being the version type
// and S the set type itself. Every method returns a new value and leaves
// its receiver unchanged.
//
// The solver only combines sets of the same package, so a provider may keep
// sets relative to the package's list of known versions (a bitset over the
// candidates makes Complement exact and cheap), or symbolic (a union of
// intervals). Two sets are equal when each is a subset of the other; the
// solver works that out with Intersect, Complement and IsEmpty.
type VersionSet[V any, S any] interface {
	// Contains reports whether v is in the set.
	Contains(v V) bool
	// Intersect returns the versions in both sets.
	Intersect(other S) S
	// Union returns the versions in either set.
	Union(other S) S
	// Complement returns every version not in the set.
	Complement() S
	// IsEmpty reports whether the set holds no version.
	IsEmpty() bool
	// IsFull reports whether the set holds every version; reports then say
	// "every version of foo" or just "foo".
	IsFull() bool
	// String returns the set as the failure report shows it after the
	// package name, such as ">=1.0, <2.0" or "1.4.2".
	String() string
}

// Dep says that a version needs Package, at a version in Set.
type Dep[S any] struct {
	Package string
	Set     S
}

// Deps is what a Provider knows about one version of a package.
type Deps[S any] struct {
	// Range holds the versions of the package that share exactly these
	// Deps or this Unavailable reason. It must contain the version asked
	// about; the set holding just that version is always correct.
	Range S
	// Deps are the packages those versions need.
	Deps []Dep[S]
	// Unavailable, when not empty, says why the versions in Range cannot be
	// used, completing a sentence that starts with the package and range:
	// "requires Python >=3.12", "has no wheel for this platform". Deps is
	// then ignored.
	Unavailable string
}

// Provider feeds the solver with versions and dependencies. See the
// package documentation for the contract.
type Provider[V any, S VersionSet[V, S]] interface {
	// ChooseVersion returns the version of pkg to try next among set, or
	// ok == false when no usable version is in set.
	ChooseVersion(ctx context.Context, pkg string, set S) (v V, ok bool, err error)
	// Dependencies returns the dependencies of version v of pkg.
	Dependencies(ctx context.Context, pkg string, v V) (Deps[S], error)
}

// Pending is a package the solver must still choose a version for.
type Pending[S any] struct {
	Package string
	// Set holds the versions the package may still take.
	Set S
	// Conflicts counts the conflicts this package has caused so far.
	Conflicts int
}

// Chooser is implemented by a Provider that picks which package to decide
// next. ChoosePackage returns an index into pending, which is never empty
// and lists packages in the order the solver discovered them. The slice is
// the solver's, valid during the call only: copy what must outlive it.
//
// Deciding packages with fewest candidate versions first (pinned ones
// first of all) finds conflicts early; that needs the provider's knowledge
// of which versions exist.
type Chooser[S any] interface {
	ChoosePackage(ctx context.Context, pending []Pending[S]) (int, error)
}

// Prefetcher is implemented by a Provider that fetches ahead. Before every
// decision the solver passes every package still to decide with the
// versions it may take (a slice valid during the call only, as for
// Chooser). Prefetch must return quickly (start the work in
// the background, bounded and de-duplicated) and keeps its errors for the
// ChooseVersion or Dependencies call that needs the data.
type Prefetcher[S any] interface {
	Prefetch(ctx context.Context, pending []Pending[S])
}

// An Option adjusts Solve.
type Option func(*options)

type options struct {
	rootPhrase string
}

// RootPhrase makes the failure report say phrase, such as "you require",
// where it would say that the root package depends on or requires
// something: "Because you require both bar >=2 and foo 1.0, ...".
func RootPhrase(phrase string) Option {
	return func(o *options) { o.rootPhrase = phrase }
}

// Solve chooses a version for root, which is always version, and for every
// package it transitively depends on. The result maps each selected
// package, root included, to its version.
//
// When no choice satisfies every dependency, the error is a
// *NoSolutionError explaining why. Errors of the provider and of the
// context are returned wrapped.
func Solve[V any, S VersionSet[V, S]](ctx context.Context, p Provider[V, S], root string, version V, opts ...Option) (map[string]V, error) {
	s := &solver[V, S]{
		provider:    p,
		root:        root,
		rootVersion: version,
		packages:    map[string]*packageState[V, S]{},
	}
	for _, o := range opts {
		o(&s.options)
	}
	if c, ok := p.(Chooser[S]); ok {
		s.chooser = c
	}
	if f, ok := p.(Prefetcher[S]); ok {
		s.prefetcher = f
	}
	return s.solve(ctx)
}

// errInternal marks a broken invariant of the solver itself: a bug here,
// reported as an error rather than a panic because a provider's sets may
// be subtly inconsistent (an IsEmpty that disagrees with Contains).
func errInternal(format string, args ...any) error {
	return fmt.Errorf("pubgrub: internal error (or inconsistent version sets): "+format, args...)
}
