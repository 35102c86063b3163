#!/usr/bin/env python3
"""Time `safepip install` against pip on the shared corpus (issue 5's figures).

    python3 bench/install_bench.py [--corpus DIR] [--set large-platform] [--runs 5] [--full-runs 3] [--json OUT]

Standard library only. It builds ../shared/bench's corpus into a temporary
directory (unless --corpus holds one), serves it with bench/testdata/serveindex
on loopback, builds safepip, and times in the same run:

(a) frozen install, warm safepip cache, each run into a fresh venv made
    before the timer (the tools take turns, and which goes first alternates):
      safepip  safepip install -r SET.txt --index-url URL --frozen
                   --lock L --python VENV/bin/python
      pip      VENV/bin/python -m pip install --no-index --no-deps
                   --require-hashes --quiet -r local.txt
    local.txt lists the same wheels as local paths with --hash=sha256:,
    as safepip hands them to pip. The cache is primed by one untimed
    install, so safepip downloads nothing; it still reads the lock, checks
    it is fresh, inspects the new interpreter, and verifies every file.
(b) no-op: the same safepip command once everything is installed
    (no pip call); the first, untimed run fills the interpreter cache.
(c) cold full install into a fresh venv, empty caches, no lock:
      safepip  safepip install -r SET.txt --index-url URL --lock NEW
                   --python VENV/bin/python
      pip      VENV/bin/python -m pip install --quiet --index-url URL -r SET.txt
    and the two venvs must hold the same distributions at the same versions.

Ratios and overheads compare medians measured in this run; absolute times
on a loaded machine are not meaningful.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import tomllib

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
from benchlib import (build_safepip, clean_env, header, median, normalize, parser, requirements, run, setup,
                      timed, write_json)


def venv(path: str) -> str:
    """Makes a fresh venv (pip 23.2.1, as python3 -m venv gives it) and
    returns its python."""
    shutil.rmtree(path, ignore_errors=True)
    run([sys.executable, "-m", "venv", path], clean_env())
    return os.path.join(path, "bin", "python")


def installed(python: str) -> dict[str, str]:
    p = run([python, "-m", "pip", "list", "--format", "json"], clean_env())
    return {normalize(d["name"]): d["version"] for d in json.loads(p.stdout)
            if normalize(d["name"]) not in ("pip", "setuptools")}


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--set", default="large-platform")
    ap.add_argument("--runs", type=int, default=5, help="runs of (a) per tool")
    ap.add_argument("--noop-runs", type=int, default=10)
    ap.add_argument("--full-runs", type=int, default=3, help="runs of (c) per tool")
    ap.add_argument("--skip", default="", help="comma-separated parts to leave out: a,b,c")
    args = ap.parse_args()

    info, work, corpus, server = setup(args.corpus, "safepip-install-bench-", "go")
    safepip = build_safepip(work)
    out = {"machine": info, "set": args.set}
    try:
        skip = set(args.skip.split(","))
        if not {"a", "b"} <= skip:
            out.update(frozen_and_noop(args, server.url, safepip, work, skip))
        if "c" not in skip:
            out["full"] = full(args, server.url, safepip, work)
    finally:
        server.close()
    print(header(info, f"set {args.set} ({out.get('packages', '?')} packages)"))
    if "frozen" in out:
        f = out["frozen"]
        print(f"(a) frozen install, warm cache, median of {args.runs}: safepip {f['safepip']:.2f}s, "
              f"pip alone {f['pip']:.2f}s, overhead {100 * (f['safepip'] / f['pip'] - 1):+.1f}% "
              f"(median of the per-run ratios: {100 * (f['paired_ratio'] - 1):+.1f}%)")
    if "noop" in out:
        n = out["noop"]
        print(f"(b) no-op install, median of {args.noop_runs}: {1000 * n['median']:.0f} ms "
              f"(min {1000 * min(n['samples']):.0f} ms)")
    if "full" in out:
        f = out["full"]
        print(f"(c) cold full install, median of {args.full_runs}: safepip {f['safepip']:.2f}s, "
              f"pip install -r {f['pip']:.2f}s, pip/safepip {f['pip'] / f['safepip']:.1f}x, same set: {f['same']}")
    write_json(args.json, out)
    shutil.rmtree(work, ignore_errors=True)


def frozen_and_noop(args, url: str, safepip: str, work: str, skip: set[str]) -> dict:
    req = requirements(args.set)
    lock = os.path.join(work, "safepip.lock")
    cache = os.path.join(work, "safepip-cache")
    env = clean_env(SAFEPIP_CACHE_DIR=cache)
    prime = os.path.join(work, "prime")
    python = venv(prime)
    run([safepip, "lock", "-q", "-r", req, "--index-url", url, "--lock", lock, "--python", python], env)
    sp_cmd = [safepip, "install", "-q", "-r", req, "--index-url", url, "--frozen", "--lock", lock]
    run(sp_cmd + ["--python", python], env)  # fills the cache: every locked file, verified

    # The same files, as local paths with their hashes, for pip alone.
    with open(lock, "rb") as f:
        packages = tomllib.load(f)["package"]
    local = os.path.join(work, "local.txt")
    with open(local, "w") as f:
        for p in packages:
            wheel = next(fi for fi in p["file"] if fi["name"].endswith(".whl"))
            path = os.path.join(cache, "files", wheel["sha256"])
            if not os.path.exists(path):
                sys.exit(f"{path}: the primed cache has no {wheel['name']}; the cache layout changed?")
            named = os.path.join(work, "wheels", wheel["name"])  # pip wants a wheel's name
            os.makedirs(os.path.dirname(named), exist_ok=True)
            shutil.copyfile(path, named)
            f.write(f"{named} --hash=sha256:{wheel['sha256']}\n")
    pip_cmd = ["-m", "pip", "install", "--no-index", "--no-deps", "--require-hashes", "--quiet", "-r", local]
    print(f"{args.set}: {len(packages)} packages locked, cache primed", flush=True)

    res = {"packages": len(packages)}
    if "a" not in skip:
        samples = {"safepip": [], "pip": []}
        for i in range(args.runs):
            # alternate which tool goes first, so that neither always
            # follows the other's disk writes
            for tool in (("safepip", "pip") if i % 2 == 0 else ("pip", "safepip")):
                python = venv(os.path.join(work, "venv-" + tool))
                cmd = sp_cmd + ["--python", python] if tool == "safepip" else [python] + pip_cmd
                samples[tool].append(timed(cmd, env if tool == "safepip" else clean_env()))
            print(f"(a) run {i + 1}: safepip {samples['safepip'][-1]:.2f}s, pip {samples['pip'][-1]:.2f}s", flush=True)
        if installed(os.path.join(work, "venv-safepip", "bin", "python")) != installed(python):
            sys.exit("(a) safepip and pip installed different sets")
        paired = [s / p for s, p in zip(samples["safepip"], samples["pip"])]
        res["frozen"] = {"safepip": median(samples["safepip"]), "pip": median(samples["pip"]),
                         "paired_ratio": median(paired), "samples": samples}
    if "b" not in skip:
        python = os.path.join(work, "venv-safepip", "bin", "python")
        if "a" in skip:
            python = venv(os.path.join(work, "venv-safepip"))
            run(sp_cmd + ["--python", python], env)
        run(sp_cmd + ["--python", python], env)  # untimed: caches the interpreter's inspection
        noop = [timed(sp_cmd + ["--python", python], env) for _ in range(args.noop_runs)]
        p = run([safepip, "install", "-r", req, "--index-url", url, "--frozen", "--lock", lock, "--python", python], env)
        if "already installed" not in p.stdout:
            sys.exit(f"(b) expected the no-op path, got:\n{p.stdout}")
        res["noop"] = {"median": median(noop), "samples": noop, "message": p.stdout.strip()}
        print(f"(b) no-op: {1000 * res['noop']['median']:.0f} ms; {p.stdout.strip()}", flush=True)
    return res


def full(args, url: str, safepip: str, work: str) -> dict:
    req = requirements(args.set)
    samples = {"safepip": [], "pip": []}
    for i in range(args.full_runs):
        for tool in (("safepip", "pip") if i % 2 == 0 else ("pip", "safepip")):
            python = venv(os.path.join(work, "full-" + tool))
            if tool == "safepip":
                cmd = [safepip, "install", "-q", "-r", req, "--index-url", url, "--lock",
                       os.path.join(work, f"full-{i}.lock"), "--python", python]
                env = clean_env(SAFEPIP_CACHE_DIR=tempfile.mkdtemp(dir=work))
            else:
                cmd = [python, "-m", "pip", "install", "--quiet", "--index-url", url, "-r", req]
                env = clean_env(PIP_CACHE_DIR=tempfile.mkdtemp(dir=work))
            samples[tool].append(timed(cmd, env))
        print(f"(c) run {i + 1}: safepip {samples['safepip'][-1]:.2f}s, pip {samples['pip'][-1]:.2f}s", flush=True)
    ours = installed(os.path.join(work, "full-safepip", "bin", "python"))
    theirs = installed(os.path.join(work, "full-pip", "bin", "python"))
    diffs = sorted(set(ours.items()) ^ set(theirs.items()))
    return {"safepip": median(samples["safepip"]), "pip": median(samples["pip"]), "samples": samples,
            "packages": len(ours), "same": "yes" if not diffs else f"NO: {diffs[:6]}"}


if __name__ == "__main__":
    main()
