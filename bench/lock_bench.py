#!/usr/bin/env python3
"""Time `safepip lock` against pip's resolver on the shared benchmark corpus.

    python3 bench/lock_bench.py [--corpus DIR] [--sets small-cli,...] [--runs 5] [--no-max-age]

Standard library only. It builds ../shared/bench's corpus into a local index
(unless --corpus already holds one), serves it on loopback with PEP 691
negotiation, builds safepip, and for every requirement set times, in the same
run and on the same index:

  pip      python3 -m pip install --dry-run --ignore-installed --quiet
               --report R.json --index-url URL -r SET.txt
  safepip  safepip lock -r SET.txt --index-url URL --lock OUT.lock
               --python PYTHON (the python that runs pip)

cold = a new, empty cache for every run (PIP_CACHE_DIR, SAFEPIP_CACHE_DIR);
warm = one untimed priming run, then the timed runs share its cache (the lock
file is deleted before every safepip run, so each run resolves again).

Warm is measured twice: against the server as ../shared/bench/serve_index.py
serves (no Cache-Control, so every page is revalidated: a 304 each), and
against a second server that also sends "Cache-Control: max-age=600, public"
on pages, as PyPI does. pip revalidates every page either way; safepip
reuses pages that are fresh by max-age (up to 10 minutes; --refresh asks
anyway).

It then checks that safepip locked the same versions as pip's report, and that
every sha256 in the lock equals the index's (corpus.json) and is not a yanked
release's. Ratios are pip's median wall time over safepip's. Timings are
noisy: compare ratios measured in one run, never absolute seconds across
machines. The index is served by bench/testdata/serveindex (Go) unless
--server python; Python's http.server would be a large part of what is
timed.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import tomllib

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
from benchlib import (SETS, Server, build_safepip, clean_env, corpus_hashes, header, median, normalize, parser,
                      requirements, setup, timed, write_json)


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--server", choices=["go", "python"], default="go",
                    help="serve the index with bench/testdata/serveindex (default) or shared/bench/serve_index.py")
    ap.add_argument("--no-max-age", action="store_true",
                    help="skip the warm runs against a second server that sends PyPI's Cache-Control: max-age=600")
    args = ap.parse_args()

    info, work, corpus, server = setup(args.corpus, "safepip-bench-", args.server)
    pypi_like = None
    if args.server == "go" and not args.no_max_age:
        pypi_like = Server(corpus, work, "go", max_age=600)
    safepip = build_safepip(work)
    hashes = corpus_hashes(corpus)
    try:
        rows = []
        for name in args.sets.split(","):
            rows.append(bench_set(name, requirements(name), server.url, pypi_like and pypi_like.url, safepip, work,
                                  args.runs, hashes))
    finally:
        server.close()
        if pypi_like:
            pypi_like.close()
    print(header(info, f"{args.server} server, median of {args.runs}"))
    print("every page revalidated (the index sends no Cache-Control, as ../shared/bench/serve_index.py):")
    print(f"{'set':16} {'pkgs':>5} {'pip cold':>9} {'safepip':>8} {'ratio':>6}   {'pip warm':>9} {'safepip':>8} {'ratio':>6}  same")
    for r in rows:
        print(f"{r['set']:16} {r['packages']:5d} {r['pip_cold']:9.2f} {r['safepip_cold']:8.3f} {r['pip_cold']/r['safepip_cold']:6.1f}x"
              f"  {r['pip_warm']:9.2f} {r['safepip_warm']:8.3f} {r['pip_warm']/r['safepip_warm']:6.1f}x  {r['same']}")
    if pypi_like:
        print("\nwarm, the index sends Cache-Control: max-age=600 as PyPI does (pip revalidates anyway; safepip reuses fresh pages):")
        print(f"{'set':16} {'pip warm':>9} {'safepip':>8} {'ratio':>6}  same")
        for r in rows:
            print(f"{r['set']:16} {r['pip_warm_max_age']:9.2f} {r['safepip_warm_max_age']:8.3f}"
                  f" {r['pip_warm_max_age']/r['safepip_warm_max_age']:6.1f}x  {r['same_max_age']}")
    write_json(args.json, {"machine": info, "server": args.server, "runs": args.runs, "sets": rows})
    shutil.rmtree(work, ignore_errors=True)


def bench_set(name, req, url, max_age_url, safepip, work, runs, hashes):
    d = os.path.join(work, name)
    os.makedirs(d)
    report = os.path.join(d, "report.json")
    lockfile = os.path.join(d, "safepip.lock")

    def pip_cmd(index):
        return [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                "--report", report, "--index-url", index, "-r", req]

    def sp_cmd(index):
        # --python: the interpreter pip runs on; "python3" on PATH may be a
        # slow wrapper (a pyenv shim costs a bash start and several execs
        # per cold run)
        return [safepip, "lock", "-q", "-r", req, "--index-url", index, "--lock", lockfile, "--python", sys.executable]

    def cold(cmd, var):
        out = []
        for i in range(runs):
            cache = tempfile.mkdtemp(dir=d)
            if os.path.exists(lockfile):
                os.remove(lockfile)
            out.append(timed(cmd, clean_env(**{var: cache}), cwd=d))
        samples.setdefault("cold", {})[var] = out
        return median(out)

    def warm(cmd, var, kind="warm"):
        cache = tempfile.mkdtemp(dir=d)
        env = clean_env(**{var: cache})
        if os.path.exists(lockfile):
            os.remove(lockfile)
        timed(cmd, env, cwd=d)
        out = []
        for i in range(runs):
            if os.path.exists(lockfile):
                os.remove(lockfile)
            out.append(timed(cmd, env, cwd=d))
        samples.setdefault(kind, {})[var] = out
        return median(out)

    def same():
        """Whether the last lock has pip's versions and the corpus's hashes."""
        with open(report) as f:
            pip_versions = {normalize(i["metadata"]["name"]): i["metadata"]["version"]
                            for i in json.load(f)["install"]}
        with open(lockfile, "rb") as f:
            lock = tomllib.load(f)
        ours = {p["name"]: p["version"] for p in lock.get("package", [])}
        r["packages"] = len(ours)
        diffs = sorted(set(pip_versions.items()) ^ set(ours.items()))
        bad_hash = [fi["name"] for p in lock.get("package", []) for fi in p.get("file", [])
                    if hashes.get(fi["name"]) != fi["sha256"]]
        return "yes" if not diffs and not bad_hash else f"NO: versions {diffs[:6]} hashes {bad_hash[:3]}"

    samples = {}
    r = {"set": name, "samples": samples}
    r["pip_cold"] = cold(pip_cmd(url), "PIP_CACHE_DIR")
    r["safepip_cold"] = cold(sp_cmd(url), "SAFEPIP_CACHE_DIR")
    r["pip_warm"] = warm(pip_cmd(url), "PIP_CACHE_DIR")
    r["safepip_warm"] = warm(sp_cmd(url), "SAFEPIP_CACHE_DIR")
    r["same"] = same()
    line = (f"{name}: pip {r['pip_cold']:.2f}s/{r['pip_warm']:.2f}s, safepip {r['safepip_cold']:.3f}s/{r['safepip_warm']:.3f}s, "
            f"same as pip: {r['same']}")
    if max_age_url:
        r["pip_warm_max_age"] = warm(pip_cmd(max_age_url), "PIP_CACHE_DIR", "warm_max_age")
        r["safepip_warm_max_age"] = warm(sp_cmd(max_age_url), "SAFEPIP_CACHE_DIR", "warm_max_age")
        r["same_max_age"] = same()
        line += f"; max-age=600: pip {r['pip_warm_max_age']:.2f}s, safepip {r['safepip_warm_max_age']:.3f}s, same: {r['same_max_age']}"
    print(line, flush=True)
    return r


if __name__ == "__main__":
    main()
