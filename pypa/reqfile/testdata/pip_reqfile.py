"""Parse requirements files with pip's own parser, for reqfile's differential test.

Reads a JSON list of cases from stdin: {"files": {name: text}, "top": name,
"env": {name: value}}. Writes a JSON list of results: the requirements pip
yields, and the finder, session and option state the files leave behind.
"""
import json
import os
import sys
import tempfile

# no pip configuration of this machine may leak into the results
for _k in [k for k in os.environ if k.startswith("PIP_")]:
    del os.environ[_k]
os.environ["PIP_CONFIG_FILE"] = os.devnull

from pip._internal.cli import cmdoptions
from pip._internal.commands.install import InstallCommand
from pip._vendor.packaging.specifiers import Specifier
from pip._internal.req.constructors import install_req_from_parsed_requirement
from pip._internal.req.req_file import parse_requirements


def run(case, root, session, trusted):
    for name, text in case["files"].items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    for k, v in case["env"].items():
        os.environ[k] = v
    cmd = InstallCommand("install", "install")
    # optparse shares the list default of --use-feature between parses, and
    # pip's line parser appends to it: give this case a clean one
    cmdoptions.use_new_feature.keywords["default"].clear()
    options, _ = cmd.parse_args([])
    trusted.clear()
    finder = cmd._build_package_finder(options=options, session=session)
    reqs = []
    try:
        for pr in parse_requirements(case["top"], session, finder=finder, options=options):
            ireq = install_req_from_parsed_requirement(pr)  # raises on an invalid requirement
            # packaging 21.3 falls back to LegacySpecifier ("<" with no
            # version); PEP 440 and reqfile reject those
            if ireq.req is not None and not all(isinstance(s, Specifier) for s in ireq.req.specifier):
                raise ValueError("legacy specifier in %r" % str(ireq.req))
            opts = pr.options or {}
            # comes_from is "-r FILE (line N)"
            src = pr.comes_from[3:]
            file, _, line = src.rpartition(" (line ")
            reqs.append({
                "text": pr.requirement,
                "editable": pr.is_editable,
                "constraint": pr.constraint,
                "hashes": opts.get("hashes", {}),
                "global": opts.get("global_options", []),
                "config": {k: v if isinstance(v, list) else [v] for k, v in (opts.get("config_settings") or {}).items()},
                "file": file,
                "line": int(line[:-1]),
            })
    except BaseException as e:  # pip raises several kinds; RecursionError too
        return {"error": "%s: %s" % (type(e).__name__, e)}
    finally:
        for k in case["env"]:
            del os.environ[k]
    fc = finder.format_control
    scope = finder.search_scope
    return {
        "reqs": reqs,
        "index_urls": [] if scope.no_index else scope.index_urls,
        "no_index": scope.no_index,
        "find_links": scope.find_links,
        "pre": finder._candidate_prefs.allow_all_prereleases,
        "prefer_binary": finder._candidate_prefs.prefer_binary,
        "require_hashes": options.require_hashes,
        "no_binary": sorted(fc.no_binary),
        "only_binary": sorted(fc.only_binary),
        "trusted": list(trusted),
        "features": list(options.features_enabled),
    }


def main():
    import logging
    logging.disable(logging.CRITICAL)
    cases = json.load(sys.stdin)
    out = []
    cwd = os.getcwd()
    cmd = InstallCommand("install", "install")
    session = cmd._build_session(cmd.parse_args([])[0])
    trusted = []
    orig = session.add_trusted_host

    def add_trusted_host(host, source=None, suppress_logging=False):
        trusted.append(host)
        return orig(host, source=source, suppress_logging=suppress_logging)

    session.add_trusted_host = add_trusted_host
    for case in cases:
        with tempfile.TemporaryDirectory() as root:
            os.chdir(root)
            # a local project for "./pkg" and "-e ./pkg"
            os.makedirs("pkg")
            with open("pkg/pyproject.toml", "w") as f:
                f.write("[project]\nname = 'pkg'\nversion = '1'\n")
            try:
                out.append(run(case, root, session, trusted))
            finally:
                os.chdir(cwd)
    json.dump(out, sys.stdout)


main()
