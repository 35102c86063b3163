#!/usr/bin/env python3
"""Time safepip's index client against pip download on the shared corpus.

    python3 bench/index_bench.py [--corpus DIR] [--set large-platform] [--runs 5] [--json OUT]

Standard library only. It builds ../shared/bench's corpus into a temporary
directory (unless --corpus holds one), serves it with bench/testdata/serveindex
on loopback, resolves the set once with pip (untimed) to get its wheels and
hashes, and then times, on the same server in the same run:

  safepip  index.BenchmarkCorpus (index/bench_corpus_test.go): the page of
           every resolved project, then the core metadata (PEP 658) of its
           resolved wheel, with index.Client and its default parallelism;
           also "nocache", without a disk cache, to show what writing the
           cache costs
  pip      python3 -m pip download --no-deps --require-hashes --quiet
               -d WHEELS --index-url URL -r locked.txt
           (the page of every project, then its wheel; WHEELS emptied
           before each run)

cold = a new, empty cache for every run; warm = one untimed priming run,
then the timed runs share its cache. pip's requests are counted by the
server; safepip's by the client. Both do one page and one file per project,
so the request counts match; the wheels pip fetches are about 1.4 KB, the
metadata files safepip fetches about 1 KB.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import urllib.request

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
from benchlib import REPO, clean_env, header, median, parser, requirements, run, setup, timed, write_json


def server_requests(url: str) -> int:
    with urllib.request.urlopen(url.removesuffix("/simple") + "/-/requests") as r:
        return int(r.read())


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--set", default="large-platform")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    info, work, corpus, server = setup(args.corpus, "safepip-index-bench-", "go")
    test_binary = os.path.join(work, "index.test")
    run(["go", "test", "-c", "-o", test_binary, "./index"], clean_env(), cwd=REPO)
    try:
        rows = bench(args, server.url, work, test_binary)
    finally:
        server.close()
    print(header(info, f"set {args.set}, median of {args.runs}"))
    print(f"{'tool':34} {'cache':5} {'requests':>8} {'seconds':>8} {'req/s':>8}")
    for r in rows:
        print(f"{r['tool']:34} {r['cache']:5} {r['requests']:8d} {r['seconds']:8.3f} {r['req_per_s']:8.0f}")
    for cache in ("cold", "warm"):
        pip = next(r for r in rows if r["cache"] == cache and r["tool"].startswith("pip"))
        ours = next(r for r in rows if r["cache"] == cache and r["tool"].startswith("safepip"))
        print(f"{cache}: safepip is {pip['seconds'] / ours['seconds']:.1f}x faster than pip download")
    write_json(args.json, {"machine": info, "set": args.set, "runs": args.runs, "rows": rows})
    shutil.rmtree(work, ignore_errors=True)


def bench(args, url: str, work: str, test_binary: str) -> list[dict]:
    report = os.path.join(work, "report.json")
    run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--report", report,
         "--index-url", url, "-r", requirements(args.set)],
        clean_env(PIP_CACHE_DIR=os.path.join(work, "resolve-cache")))
    with open(report) as f:
        installs = json.load(f)["install"]
    locked = os.path.join(work, "locked.txt")
    files = os.path.join(work, "files.txt")
    with open(locked, "w") as lf, open(files, "w") as ff:
        for i in installs:
            info = i["download_info"]
            sha = info["archive_info"]["hashes"]["sha256"]
            lf.write(f"{i['metadata']['name']}=={i['metadata']['version']} --hash=sha256:{sha}\n")
            ff.write(info["url"].rsplit("/", 1)[1].split("#")[0] + "\n")
    print(f"{args.set}: {len(installs)} projects", flush=True)

    rows = []
    wheels = os.path.join(work, "wheels")
    pip_cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes", "--quiet", "-d", wheels,
               "--index-url", url, "-r", locked]

    def pip_run(env) -> tuple[float, int]:
        shutil.rmtree(wheels, ignore_errors=True)
        before = server_requests(url)
        t = timed(pip_cmd, env)
        return t, server_requests(url) - before

    for cache in ("cold", "warm"):
        samples = []
        env = clean_env(PIP_CACHE_DIR=tempfile.mkdtemp(dir=work))
        if cache == "warm":
            pip_run(env)
        for _ in range(args.runs):
            if cache == "cold":
                env = clean_env(PIP_CACHE_DIR=tempfile.mkdtemp(dir=work))
            samples.append(pip_run(env))
        seconds = median([s[0] for s in samples])
        requests = int(median([s[1] for s in samples]))
        rows.append({"tool": "pip download --no-deps", "cache": cache, "seconds": seconds, "requests": requests,
                     "req_per_s": requests / seconds, "samples": samples})
        print(f"pip {cache}: {seconds:.3f}s, {requests} requests", flush=True)

    # The Go benchmark: b.Loop runs exactly --runs times with -benchtime Nx.
    p = run([test_binary, "-test.run", "^$", "-test.bench", "^BenchmarkCorpus$", "-test.benchtime", f"{args.runs}x",
             "-test.count", "1", "-corpus.url", url, "-corpus.files", files], clean_env(), cwd=os.path.join(REPO, "index"))
    for line in p.stdout.splitlines():
        m = re.match(r"BenchmarkCorpus/(cold|warm|nocache)\S*\s+(\d+)\s+(.*)", line)
        if not m:
            continue
        metrics = {unit: float(value) for value, unit in re.findall(r"([\d.e+]+) (\S+)", m.group(3))}
        seconds = metrics["ns/op"] / 1e9
        rows.append({"tool": "safepip index.Client (8 parallel)", "cache": m.group(1), "seconds": seconds,
                     "requests": int(metrics["req/op"]), "req_per_s": metrics["req/s"], "go_bench": line})
        print(line, flush=True)
    if len(rows) != 5:
        sys.exit(f"BenchmarkCorpus printed no results:\n{p.stdout}\n{p.stderr}")
    return rows


if __name__ == "__main__":
    main()
