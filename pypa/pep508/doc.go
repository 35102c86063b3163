// Package pep508 implements PEP 508 dependency specifications (names,
// extras, version specifiers, "name @ url" and environment markers) and
// marker evaluation, with PEP 503 name normalization and PEP 685 extra
// normalization. It does no I/O.
//
// The reference is packaging 21.3, the copy vendored in pip 23:
// [ParseRequirement] accepts what packaging's Requirement accepts and
// [Requirement.String] prints its str(); [ParseMarker], [Marker.String] and
// [Marker.Evaluate] do the same for Marker. That includes its whitespace
// rules (space, tab, newline and carriage return between tokens; no space
// needed around operators, nor after "and"/"or"), the URL running to the
// next space so that "name @ url;marker" keeps ";marker" in the URL, the
// deprecated variable spellings (os.name, sys.platform, platform.version,
// platform.machine, platform.python_implementation, python_implementation)
// printed as their PEP 508 names, and "name@ url" in String.
//
// Evaluation follows PEP 508 as packaging does: when the operator and the
// right-hand value form a PEP 440 specifier and the left-hand value is a
// PEP 440 version, the comparison is the specifier's (with the semantics,
// and the documented differences, of package pep440); otherwise ==, !=
// compare strings, in and not in test for a substring, and other operators
// are undefined. "===" compares text, ignoring case, as packaging does. A
// comparison is evaluated with the variable's value on its side, whichever
// side that is.
//
// Deliberate differences from packaging 21.3:
//
//   - LegacySpecifier does not exist: a version specifier that is not PEP 440
//     (">=foo", ">=1.0+local", a bare ">=") makes the requirement invalid.
//   - "extra" comparisons normalize both sides per PEP 685 (as packaging 22+
//     does): extra == "Foo_Bar" holds for the extra "foo-bar".
//   - Version comparisons accept pre-releases (packaging 22+ passes
//     prereleases=True): python_full_version "3.13.0rc1" is >= "3.8". 21.3
//     says false unless the specifier itself names a pre-release.
//   - <, <=, >, >= and ~= between values that are not both versions are
//     undefined (ErrUndefinedComparison). 21.3 returns false when the right
//     side is a version and the left is not, and otherwise compares the
//     strings by code point, where "10" < "9". For the same reason != with a
//     non-version left side and a version right side compares the strings
//     (true unless equal) where 21.3 returns false.
//   - A comparison of two variables or two strings is undefined. 21.3
//     compares a variable's value with the other variable's name, or looks
//     a string up as a variable name.
//   - An undefined comparison (or a variable the environment lacks) is an
//     error only when the result depends on it: `a and b` is false when a is
//     false, whatever b. 21.3 evaluates every comparison and raises for any
//     undefined one, wherever it is.
//   - Quoted values are kept verbatim. 21.3 (through pyparsing) expands tabs
//     to spaces at 8-column stops and turns the two characters \t, \n, \f, \r
//     into control characters. A value holding `"` is printed in single
//     quotes so that String parses back (21.3 prints it in double quotes).
//   - "not in" may be written with any run of spaces and tabs between the
//     words; 21.3 needs exactly one space (after its tab expansion).
//   - A marker such as `((a or b)) and c` prints as "(a or b) and c"; 21.3
//     drops both pairs of parentheses and changes the meaning.
//   - A requirement with a "===" clause and a marker prints " ; " before
//     the marker: 21.3's "name===x; marker" does not parse back, as "==="
//     takes everything up to whitespace.
//   - URLs with control characters (which Python's urlparse deletes) or a
//     non-ASCII host (which Python checks under NFKC) are refused.
//   - Inputs longer than 32 KiB and markers nested more than 64 parentheses
//     deep are refused.
//
// # Marker sets
//
// [MarkerSet] is the set of environments a marker describes, with And,
// Or, Not, Implies and Disjoint, for a resolver that forks a resolution
// across environments. Sets are canonical: two sets hold the same
// environments (as far as the algebra can tell, see below) exactly when
// their String() are equal, whatever way they were built. A set is a
// node of a reduced ordered decision diagram over the marker variables,
// hash-consed in one table per process, so that equal sets are one node,
// And, Or and Not are memoized and a MarkerSet is one integer. The table
// keeps every node made (about a hundred bytes each) for the life of the
// process.
//
// Exact reasoning covers what markers of real distributions use:
//
//   - python_full_version and implementation_version are taken to hold an
//     interpreter's version, X.Y.Z or X.Y.Z{a,b,rc}N (no epoch, post,
//     dev or local part, as Python reports them). On those values every
//     comparison ==, !=, <, <=, >, >=, ~=, === and ==X.* (either operand
//     order) is a union of intervals, computed with packaging's rules:
//     "python_full_version < '3.11'" leaves out 3.11.0rc1, and so does
//     ">= '3.11'", so their union is not TrueMarker.
//   - python_version is the X.Y of python_full_version: its comparisons
//     become python_full_version intervals, so "python_version >= '3.9'
//     and python_full_version < '3.9'" is FalseMarker, and
//     python_version == '3.13' holds for 3.13.0rc1.
//   - == and != of the other variables (sys_platform, platform_machine,
//     os_name, implementation_name, platform_python_implementation,
//     platform_system, platform_release, platform_version, and extra with
//     PEP 685 normalization) are sets of values, when the value is not a
//     version (a version makes packaging compare as versions).
//
// Any other comparison ("in", "not in", ordering of platform_release, a
// version compared with sys_platform, two strings...) is opaque: it
// evaluates as the marker does, and distinct opaque comparisons are
// treated as independent. So a set is FalseMarker, and two sets are
// Disjoint, only when no environment can be in them; the converse may fail
// ("'win' in sys_platform and sys_platform == 'linux'" is not reported
// empty). A forking resolver may rely on Disjoint; it never splits an
// environment in two forks that both claim it.
//
// [MarkerSet.String] prints a short disjunction of conjunctions (or, for a
// set with more than 64 paths, nested conditions) that ParseMarker and
// packaging parse: "" is TrueMarker and "python_version < '0'" is
// FalseMarker. The complement of an opaque comparison is printed as other
// comparisons that hold in the same environments (the complement of
// "platform_release >= '20'" is "platform_release <= '20' and
// platform_release != '20'"), except for a few with no PEP 508 spelling,
// printed approximately: the complement of "x > 'V'" prints as
// "x <= 'V'" (wrong for the post-releases and local versions of V), of
// "x === 'V'" as "x != 'V'", and of a reversed "'V' ~= x" or "'V' < x"
// with a pre-release V likewise. Parsing a String() and printing it again
// gives the same text.
//
// [MarkerSet.Evaluate] answers as [Marker.Evaluate] for an interpreter's
// environment; an undefined comparison or missing variable is an error
// only when the answer depends on it, which the set may know better than
// the marker ("a or not a" is true). With a python_full_version of another
// form, it answers from python_version when that decides.
// [MarkerSet.WithExtras] fixes the extra variable as pip does for a
// distribution installed with extras. [MarkerSet.Within] drops the
// conditions a scope already implies (a lock's requires-python).
// [RequiresPythonMarker] is python_full_version in a specifier set, as
// packaging evaluates it; [PipRequiresPythonMarker] is pip's own
// Requires-Python rule, which compares the release alone (3.11.0rc1
// satisfies ">=3.11" there, not in packaging).
//
// Errors: parsing returns a *SyntaxError naming the input (with the
// credentials of any URL in it masked), the byte offset and what was
// expected; evaluation returns an *EvalError wrapping
// ErrUndefinedVariable or ErrUndefinedComparison. No input makes a function
// of this package panic.
package pep508
