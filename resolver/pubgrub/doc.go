// Package pubgrub chooses one version of each package so that every
// dependency is met, using the PubGrub algorithm of Dart's pub
// (https://github.com/dart-lang/pub/blob/master/doc/solver.md), and explains
// in plain English why no such choice exists when that is the case.
//
// The package knows nothing about Python: packages are strings, versions are
// any type V, and sets of versions are any type S implementing [VersionSet].
// A [Provider] supplies the versions and dependencies. Solve never does I/O
// itself; every slow or failing step is a Provider call.
//
// # The algorithm
//
// The solver keeps a partial solution, an ordered list of assignments: a
// decision picks one version of a package; a derivation records a fact
// ("bar must be in >=1,<2", "baz must not be 3") forced by earlier
// assignments. It also keeps a growing set of incompatibilities, sets of terms
// that cannot all hold at once. "foo 1.x depends on bar 2.x" is the
// incompatibility {foo 1.x, not bar 2.x}.
//
// The main loop alternates two steps:
//
//   - Unit propagation: when all terms but one of an incompatibility hold,
//     the negation of the last term is derived. When all of them hold, the
//     partial solution is in conflict, and conflict resolution walks back
//     through the causes of the assignments involved, combining
//     incompatibilities by resolution until it finds the root cause. That
//     derived incompatibility is learned (so the same dead end is never
//     explored twice) and the solver jumps back to the last decision level
//     where it still tells something new.
//   - Decision making: pick a package that must be selected but has no
//     version yet, ask the provider for a version in the allowed set, add
//     that version's dependencies as incompatibilities and decide the version
//     unless one of them would immediately conflict.
//
// Solving succeeds when no package is left to decide. It fails when conflict
// resolution derives that the root package itself cannot be selected; the
// chain of derivations leading there is the proof returned in a
// [*NoSolutionError], whose Error method renders it as numbered sentences:
//
//	Because every version of foo depends on bar ^2.0.0 which depends on baz ^3.0.0, every version of foo requires baz ^3.0.0.
//	So, because root depends on both baz ^1.0.0 and foo ^1.0.0, version solving failed.
//
// # The provider contract
//
//   - ChooseVersion returns the version of a package to try within a set,
//     usually the newest; preferences (pins from a lock, pre-release
//     policy, yanked versions) are the provider's business. It must return a
//     member of the set, or ok == false when the set holds no usable version.
//   - Dependencies returns what a version needs. Its Deps.Range is the set of
//     versions of the package (v among them) that share exactly these facts;
//     a provider that knows no better returns the set holding only v. A wider
//     range makes the solver learn faster and the report shorter ("foo >=2
//     depends on bar" instead of one line per version). A version that cannot
//     be used at all (no compatible wheel, an unsupported Requires-Python)
//     is reported with Deps.Unavailable, a phrase that completes the sentence
//     "foo 1.0 ...", such as "requires Python >=3.12"; it shows up verbatim
//     in the failure report.
//   - The solver asks for the dependencies of a version at most once per
//     Solve call (it remembers the union of the ranges it was given), and
//     never asks for a package it does not need.
//   - Any error returned by the provider stops the solve; Solve returns it
//     wrapped with the package and version concerned, so errors.Is and
//     errors.As see through. A provider that breaks the contract (a version
//     outside the set, a range not holding v) gets an error, not a panic.
//   - Packages are decided one at a time. By default the package with the
//     most conflicts so far goes first, then the one discovered first. A
//     provider that knows better (fewest candidate versions first, pins
//     first) implements [Chooser].
//   - Fetching is the slow part of resolution. A provider may start fetching
//     ahead in two places: in Dependencies, for the packages it returns; or
//     by implementing [Prefetcher], which is told before every decision
//     which packages remain undecided and which versions each may take.
//
// Solve checks its context before every step and hands it to every
// provider call. Its result includes the root package. The [RootPhrase]
// option lets the report address the user ("you require foo >=2") instead
// of naming the root package.
package pubgrub
