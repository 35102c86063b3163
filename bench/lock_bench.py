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
               --python PYTHON (the python that runs pip): a single-target lock
  universal  the same without --python, with --requires-python >=3.11: one
               lock for every platform and Python from 3.11 on, no interpreter
               asked (the large set's ansible-core 2.19 needs Python >=3.11, so
               the default >=3.9 has no solution, as in uv)

cold = a new, empty cache for every run (PIP_CACHE_DIR, SAFEPIP_CACHE_DIR);
warm = one untimed priming run, then the timed runs share its cache (the lock
file is deleted before every safepip run, so each run resolves again).

Warm is measured twice: against the server as ../shared/bench/serve_index.py
serves (no Cache-Control, so every page is revalidated: a 304 each), and
against a second server that also sends "Cache-Control: max-age=600, public"
on pages, as PyPI does. pip revalidates every page either way; safepip
reuses pages that are fresh by max-age (up to 10 minutes; --refresh asks
anyway).

It then checks that safepip locked the same versions as pip's report (for a
universal lock: the versions whose markers hold for the python that runs
pip), and that every sha256 in the lock equals the index's (corpus.json) and
is not a yanked release's. Ratios are pip's median wall time over safepip's. Timings are
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
    ap.add_argument("--modes", default="single,universal",
                    help="which safepip locks to time: single (--python), universal (no target), or both")
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
                                  args.runs, hashes, args.modes.split(",")))
    finally:
        server.close()
        if pypi_like:
            pypi_like.close()
    print(header(info, f"{args.server} server, median of {args.runs}"))
    for mode in args.modes.split(","):
        sfx = SUFFIX[mode]
        print(f"\n{mode} lock; every page revalidated (the index sends no Cache-Control, as ../shared/bench/serve_index.py):")
        print(f"{'set':16} {'pkgs':>5} {'pip cold':>9} {'safepip':>8} {'ratio':>6}   {'pip warm':>9} {'safepip':>8} {'ratio':>6}  same")
        for r in rows:
            print(f"{r['set']:16} {r['packages' + sfx]:5d} {r['pip_cold']:9.2f} {r['safepip_cold' + sfx]:8.3f} {r['pip_cold']/r['safepip_cold' + sfx]:6.1f}x"
                  f"  {r['pip_warm']:9.2f} {r['safepip_warm' + sfx]:8.3f} {r['pip_warm']/r['safepip_warm' + sfx]:6.1f}x  {r['same' + sfx]}")
        if pypi_like:
            print(f"\n{mode} lock, warm; the index sends Cache-Control: max-age=600 as PyPI does (pip revalidates anyway; safepip reuses fresh pages):")
            print(f"{'set':16} {'pip warm':>9} {'safepip':>8} {'ratio':>6}  same")
            for r in rows:
                print(f"{r['set']:16} {r['pip_warm_max_age']:9.2f} {r['safepip_warm_max_age' + sfx]:8.3f}"
                      f" {r['pip_warm_max_age']/r['safepip_warm_max_age' + sfx]:6.1f}x  {r['same_max_age' + sfx]}")
    write_json(args.json, {"machine": info, "server": args.server, "runs": args.runs, "sets": rows})
    shutil.rmtree(work, ignore_errors=True)


# SUFFIX names each mode's keys in a row: "safepip_cold", "safepip_cold_universal", ...
SUFFIX = {"single": "", "universal": "_universal"}


def bench_set(name, req, url, max_age_url, safepip, work, runs, hashes, modes):
    d = os.path.join(work, name)
    os.makedirs(d)
    report = os.path.join(d, "report.json")
    lockfile = os.path.join(d, "safepip.lock")

    def pip_cmd(index):
        return [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                "--report", report, "--index-url", index, "-r", req]

    def sp_cmd(index, mode):
        cmd = [safepip, "lock", "-q", "-r", req, "--index-url", index, "--lock", lockfile]
        if mode == "single":
            # --python: the interpreter pip runs on; "python3" on PATH may be
            # a slow wrapper (a pyenv shim costs a bash start and several
            # execs per cold run)
            cmd += ["--python", sys.executable]
        else:
            cmd += ["--requires-python", ">=3.11"]
        return cmd

    def cold(cmd, var, kind="cold"):
        out = []
        for i in range(runs):
            cache = tempfile.mkdtemp(dir=d)
            if os.path.exists(lockfile):
                os.remove(lockfile)
            out.append(timed(cmd, clean_env(**{var: cache}), cwd=d))
        samples.setdefault(kind, {})[var] = out
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

    def same(sfx):
        """Whether the last lock has pip's versions (for this python) and
        the corpus's hashes."""
        from pip._vendor.packaging.markers import Marker
        with open(report) as f:
            pip_versions = {normalize(i["metadata"]["name"]): i["metadata"]["version"]
                            for i in json.load(f)["install"]}
        with open(lockfile, "rb") as f:
            lock = tomllib.load(f)
        ours = {p["name"]: p["version"] for p in lock.get("package", [])
                if not p.get("marker") or Marker(p["marker"]).evaluate()}
        r["packages" + sfx] = len(lock.get("package", []))
        r["forks" + sfx] = max(1, len(lock.get("scope", {}).get("forks", [])))
        diffs = sorted(set(pip_versions.items()) ^ set(ours.items()))
        bad_hash = [fi["name"] for p in lock.get("package", []) for fi in p.get("file", [])
                    if hashes.get(fi["name"]) != fi["sha256"]]
        return "yes" if not diffs and not bad_hash else f"NO: versions {diffs[:6]} hashes {bad_hash[:3]}"

    samples = {}
    r = {"set": name, "samples": samples}
    r["pip_cold"] = cold(pip_cmd(url), "PIP_CACHE_DIR")
    r["pip_warm"] = warm(pip_cmd(url), "PIP_CACHE_DIR")
    line = f"{name}: pip {r['pip_cold']:.2f}s/{r['pip_warm']:.2f}s"
    for mode in modes:
        sfx = SUFFIX[mode]
        r["safepip_cold" + sfx] = cold(sp_cmd(url, mode), "SAFEPIP_CACHE_DIR", "cold" + sfx)
        r["safepip_warm" + sfx] = warm(sp_cmd(url, mode), "SAFEPIP_CACHE_DIR", "warm" + sfx)
        r["same" + sfx] = same(sfx)
        line += (f"; {mode}: safepip {r['safepip_cold' + sfx]:.3f}s/{r['safepip_warm' + sfx]:.3f}s, "
                 f"{r['packages' + sfx]} packages, {r['forks' + sfx]} forks, same as pip: {r['same' + sfx]}")
    if max_age_url:
        r["pip_warm_max_age"] = warm(pip_cmd(max_age_url), "PIP_CACHE_DIR", "warm_max_age")
        line += f"; max-age=600: pip {r['pip_warm_max_age']:.2f}s"
        for mode in modes:
            sfx = SUFFIX[mode]
            r["safepip_warm_max_age" + sfx] = warm(sp_cmd(max_age_url, mode), "SAFEPIP_CACHE_DIR", "warm_max_age" + sfx)
            r["same_max_age" + sfx] = same(sfx)
            line += f", {mode} safepip {r['safepip_warm_max_age' + sfx]:.3f}s, same: {r['same_max_age' + sfx]}"
    print(line, flush=True)
    return r


if __name__ == "__main__":
    main()
