"""Answers pep440's differential test with pip's vendored packaging 21.3.

Prints {"packaging": version} first (or exits 3 when there is no pip), then
reads JSON requests, one a line, and writes one JSON answer a line:
  versions: [s]          -> versions: [[ok, str(Version(s)) or error,
                                        canonicalize_version(s)]]
  pairs:    [[a, b]]     -> pairs:    [cmp(Version(a), Version(b))]
  sets:     [s]          -> sets:     [[ok, str(SpecifierSet(s)) or error,
                                        bool(SpecifierSet(s).prereleases)]]
      ok is false when any clause is not a PEP 440 Specifier (21.3 would
      make it a LegacySpecifier; those sets are not compared further)
  contains: [[set, v]]   -> contains: [[None, True, False]] results
  filters:  [[set, [v]]] -> filters:  [[None, True, False]] result lists
"""
import functools
import json
import sys
import warnings

warnings.simplefilter("ignore")

try:
    from pip._vendor.packaging import __version__ as packaging_version
    from pip._vendor.packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
    from pip._vendor.packaging.utils import canonicalize_version
    from pip._vendor.packaging.version import InvalidVersion, Version
except ImportError as e:
    print(f"no pip._vendor.packaging: {e}", file=sys.stderr)
    sys.exit(3)


def parse_version(s):
    try:
        return [True, str(Version(s)), canonicalize_version(s)]
    except InvalidVersion as e:
        return [False, str(e)]


def parse_set(s):
    for item in s.split(","):
        if item.strip():
            try:
                Specifier(item)
            except InvalidSpecifier as e:
                return [False, str(e)]
    ss = SpecifierSet(s)
    return [True, str(ss), bool(ss.prereleases)]


@functools.lru_cache(maxsize=None)
def specifier_set(s):
    return SpecifierSet(s)


@functools.lru_cache(maxsize=None)
def version(s):
    return Version(s)


def cmp(a, b):
    a, b = version(a), version(b)
    return (a > b) - (a < b)


def answer(req):
    modes = (None, True, False)
    return {
        "versions": [parse_version(s) for s in (req.get("versions") or [])],
        "pairs": [cmp(a, b) for a, b in (req.get("pairs") or [])],
        "sets": [parse_set(s) for s in (req.get("sets") or [])],
        "contains": [
            [specifier_set(s).contains(version(v), prereleases=p) for p in modes]
            for s, v in (req.get("contains") or [])
        ],
        "filters": [
            [list(specifier_set(s).filter(vs, prereleases=p)) for p in modes]
            for s, vs in (req.get("filters") or [])
        ],
    }


def main():
    print(json.dumps({"packaging": packaging_version}), flush=True)
    for line in sys.stdin:
        print(json.dumps(answer(json.loads(line))), flush=True)


main()
