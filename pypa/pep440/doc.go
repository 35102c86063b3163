// Package pep440 implements PEP 440 version identifiers and version
// specifiers: parsing, normalization, ordering and matching, with the
// pre-release rules of the packaging library.
//
// The reference is PEP 440 as implemented by packaging 21.3 (the copy
// vendored in pip 23): [Parse] accepts exactly the spellings of packaging's
// Version, [Version.String] prints packaging's str(Version), [Version.Compare]
// orders like packaging, and [SpecifierSet] parses, prints and matches like
// packaging's SpecifierSet. Numbers may be of any size ("01" equals "1";
// a release number of a hundred digits compares exactly).
//
// Deliberate differences from packaging 21.3:
//
//   - There is no LegacyVersion or LegacySpecifier: a string that is not a
//     PEP 440 version or specifier is an error (*ParseError).
//   - Only ASCII letters are accepted. Python's case-insensitive regular
//     expressions let "ſ" (U+017F), "K" (U+212A), "İ" (U+0130) and "ı"
//     (U+0131) stand for s, k and i, so packaging accepts "1.0poſt1" and
//     "1.0+İ"; such versions are rejected here. Surrounding whitespace is
//     trimmed with Python's definition of whitespace, Unicode included.
//   - Inputs are limited in size against hostile data: a version to
//     maxVersionBytes (1024 bytes), a specifier set to maxSpecifierSetBytes
//     (64 KiB). packaging itself fails on numbers of more than 4300 digits.
//   - Prefix matching ("==1.2.*", and the prefix part of "~=1.2.3") compares
//     parsed versions the way packaging 22 and later do, not the text of the
//     specifier as 21.3 does: "==1.0.*" matches "1a1" (the release is padded
//     with zeros before it is shortened), "==V1.0.*", "==1.0C1.*" and
//     "~=1.0c1" mean what they say, and epochs are compared as numbers.
//   - When a specifier set is parsed, duplicate specifiers are dropped as
//     packaging's frozenset drops them, except that "~=" keeps trailing zeros
//     ("~=1.0" and "~=1.0.0" differ, as in packaging 22 and later) and
//     "===" compares its text exactly ("===1.0" and "===1.0.0" differ).
//   - "===" folds ASCII case only when comparing.
//
// Pre-releases follow packaging 21.3. With [PrereleasesDefault],
// [SpecifierSet.Contains] accepts a pre-release (or developmental release)
// only when one of the specifiers names one (">=1.0a1", "==2.0rc1.*"; see
// [SpecifierSet.NamesPrerelease]); an empty set names none.
// [SpecifierSet.Filter] is Contains applied to each version, except that an
// empty set with PrereleasesDefault returns the pre-releases when there is
// no final release among the versions. A set with specifiers never falls
// back to pre-releases that way (neither does 21.3).
//
// Errors are *[ParseError] values naming the input and what is wrong with
// it: "1.0.": trailing ".". No input makes a function of this package panic,
// except MustParse.
//
// Version is comparable with ==, which compares normalized strings: "1.0"
// and "1.0.0" are different values that Compare calls equal. The zero Version
// is not a valid version; Parse never returns it.
package pep440
