#!/usr/bin/env python3
"""Time `safepip lock` against pip's resolver on the shared benchmark corpus.

    python3 bench/lock_bench.py [--corpus DIR] [--sets small-cli,...] [--runs 3]

Standard library only. It builds ../shared/bench's corpus into a local index
(unless --corpus already holds one), serves it on loopback with PEP 691
negotiation, builds safepip, and for every requirement set times, in the same
run and on the same index:

  pip      python3 -m pip install --dry-run --ignore-installed --quiet
               --report R.json --index-url URL -r SET.txt
  safepip  safepip lock -r SET.txt --index-url URL --lock OUT.lock

cold = a new, empty cache for every run (PIP_CACHE_DIR, SAFEPIP_CACHE_DIR);
warm = one untimed priming run, then the timed runs share its cache (the lock
file is deleted before every safepip run, so each run resolves again).

It then checks that safepip locked the same versions as pip's report, and that
every sha256 in the lock equals the index's (corpus.json). Ratios are pip's
median wall time over safepip's. Timings are noisy: compare ratios measured
in one run, never absolute seconds across machines.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(REPO), "shared", "bench")
SETS = ["small-cli", "medium-django", "medium-web", "medium-data", "large-platform"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and not k.startswith("SAFEPIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def timed(cmd: list[str], env: dict, cwd: str | None = None) -> float:
    start = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", help="corpus directory (built when empty)")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="safepip-bench-")
    corpus = args.corpus or os.path.join(work, "corpus")
    if not os.path.exists(os.path.join(corpus, "simple", "index.html")):
        subprocess.run([sys.executable, os.path.join(SHARED, "build_corpus.py"), corpus], check=True,
                       stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([sys.executable, os.path.join(SHARED, "serve_index.py"), corpus, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/simple"
    safepip = os.path.join(work, "safepip")
    subprocess.run(["go", "build", "-o", safepip, "./cmd/safepip"], cwd=REPO, check=True)
    with open(os.path.join(corpus, "corpus.json")) as f:
        corpus_index = json.load(f)
    hashes = {rel["file"]: rel["sha256"]
              for project in corpus_index["projects"].values() for rel in project["releases"]}
    try:
        for _ in range(50):  # wait for the server
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        rows = []
        for name in args.sets.split(","):
            req = os.path.join(SHARED, "requirements", name + ".txt")
            rows.append(bench_set(name, req, url, safepip, work, args.runs, hashes))
    finally:
        server.terminate()
        server.wait()
    print()
    print(f"{'set':16} {'pkgs':>5} {'pip cold':>9} {'safepip':>8} {'ratio':>6}   {'pip warm':>9} {'safepip':>8} {'ratio':>6}  same")
    for r in rows:
        print(f"{r['set']:16} {r['packages']:5d} {r['pip_cold']:9.2f} {r['safepip_cold']:8.3f} {r['pip_cold']/r['safepip_cold']:6.1f}x"
              f"  {r['pip_warm']:9.2f} {r['safepip_warm']:8.3f} {r['pip_warm']/r['safepip_warm']:6.1f}x  {r['same']}")
    shutil.rmtree(work, ignore_errors=True)


def bench_set(name, req, url, safepip, work, runs, hashes):
    d = os.path.join(work, name)
    os.makedirs(d)
    report = os.path.join(d, "report.json")
    pip_cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
               "--report", report, "--index-url", url, "-r", req]
    lockfile = os.path.join(d, "safepip.lock")
    sp_cmd = [safepip, "lock", "-q", "-r", req, "--index-url", url, "--lock", lockfile]

    def cold(cmd, var):
        out = []
        for i in range(runs):
            cache = tempfile.mkdtemp(dir=d)
            if os.path.exists(lockfile):
                os.remove(lockfile)
            out.append(timed(cmd, clean_env(**{var: cache}), cwd=d))
        return statistics.median(out)

    def warm(cmd, var):
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
        return statistics.median(out)

    r = {"set": name}
    r["pip_cold"] = cold(pip_cmd, "PIP_CACHE_DIR")
    r["safepip_cold"] = cold(sp_cmd, "SAFEPIP_CACHE_DIR")
    r["pip_warm"] = warm(pip_cmd, "PIP_CACHE_DIR")
    r["safepip_warm"] = warm(sp_cmd, "SAFEPIP_CACHE_DIR")
    with open(report) as f:
        pip_versions = {i["metadata"]["name"].lower().replace("_", "-").replace(".", "-"): i["metadata"]["version"]
                        for i in json.load(f)["install"]}
    with open(lockfile, "rb") as f:
        lock = tomllib.load(f)
    ours = {p["name"]: p["version"] for p in lock.get("package", [])}
    r["packages"] = len(ours)
    diffs = sorted(set(pip_versions.items()) ^ set(ours.items()))
    bad_hash = [fi["name"] for p in lock.get("package", []) for fi in p.get("file", [])
                if hashes.get(fi["name"]) != fi["sha256"]]
    r["same"] = "yes" if not diffs and not bad_hash else f"NO: versions {diffs[:6]} hashes {bad_hash[:3]}"
    print(f"{name}: pip {r['pip_cold']:.2f}s/{r['pip_warm']:.2f}s, safepip {r['safepip_cold']:.3f}s/{r['safepip_warm']:.3f}s, same as pip: {r['same']}",
          flush=True)
    return r


if __name__ == "__main__":
    main()
