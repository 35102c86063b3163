"""Shared parts of the bench/*.py scripts: the corpus, the server, the binary.

Standard library only. Every script builds ../shared/bench's corpus into a
temporary directory (or reuses one given with --corpus), serves it on
127.0.0.1, builds safepip, and times commands with a clean environment.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(REPO), "shared", "bench")
SETS = ["small-cli", "medium-django", "medium-web", "medium-data", "large-platform"]


def requirements(name: str) -> str:
    return os.path.join(SHARED, "requirements", name + ".txt")


def build_corpus(corpus: str) -> None:
    """Builds the corpus into corpus unless it already holds one."""
    if not os.path.exists(os.path.join(corpus, "corpus.json")):
        subprocess.run([sys.executable, os.path.join(SHARED, "build_corpus.py"), corpus], check=True,
                       stdout=subprocess.DEVNULL)


def corpus_hashes(corpus: str) -> dict[str, str]:
    """Maps every wheel's file name to its sha256, from corpus.json; a
    yanked release's sha256 gets the prefix "yanked:"."""
    with open(os.path.join(corpus, "corpus.json")) as f:
        index = json.load(f)
    return {rel["file"]: ("yanked:" if rel.get("yanked") else "") + rel["sha256"]
            for project in index["projects"].values() for rel in project["releases"]}


def build_safepip(work: str) -> str:
    out = os.path.join(work, "safepip")
    subprocess.run(["go", "build", "-o", out, "./cmd/safepip"], cwd=REPO, check=True)
    return out


class Server:
    """The corpus served on loopback; kind is "go" (bench/testdata/serveindex)
    or "python" (../shared/bench/serve_index.py)."""

    def __init__(self, corpus: str, work: str, kind: str = "go", max_age: int = 0):
        self.kind = kind
        if kind == "go":
            binary = os.path.join(work, "serveindex")
            if not os.path.exists(binary):
                subprocess.run(["go", "build", "-o", binary, "./bench/testdata/serveindex"], cwd=REPO, check=True)
            self.proc = subprocess.Popen([binary, "-dir", corpus, "-max-age", str(max_age)], stdout=subprocess.PIPE,
                                         text=True)
            self.url = self.proc.stdout.readline().strip()
            if not self.url.startswith("http://127.0.0.1:"):
                self.close()
                sys.exit(f"serveindex did not start: {self.url!r}")
            port = int(self.url.split(":")[2].split("/")[0])
        else:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            self.proc = subprocess.Popen([sys.executable, os.path.join(SHARED, "serve_index.py"), corpus,
                                          "--port", str(port)], stdout=subprocess.DEVNULL)
            self.url = f"http://127.0.0.1:{port}/simple"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.close()
        sys.exit(f"the {kind} index server did not answer on port {port}")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def parser(doc: str) -> argparse.ArgumentParser:
    """The options every script has: --corpus and --json."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", help="corpus directory (built when empty)")
    ap.add_argument("--json", help="write every sample to this file")
    return ap


def setup(corpus: str | None, prefix: str, server: str = "go") -> tuple[dict, str, str, Server]:
    """Notes the machine, makes the work directory, builds the corpus there
    (or uses corpus), and serves it. Returns (machine, work, corpus, server)."""
    info = machine()
    work = tempfile.mkdtemp(prefix=prefix)
    corpus = corpus or os.path.join(work, "corpus")
    build_corpus(corpus)
    return info, work, corpus, Server(corpus, work, server)


def clean_env(**extra: str) -> dict:
    """The environment without PIP_* and SAFEPIP_* (this machine sets
    PIP_FIND_LINKS), so every tool sees only the benchmark index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and not k.startswith("SAFEPIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def run(cmd: list[str], env: dict, cwd: str | None = None) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}")
    return p


def timed(cmd: list[str], env: dict, cwd: str | None = None) -> float:
    start = time.perf_counter()
    run(cmd, env, cwd)
    return time.perf_counter() - start


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def machine() -> dict:
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
            "loadavg_start": loadavg(), "python": sys.version.split()[0]}


def header(info: dict, what: str) -> str:
    """Notes the load average at the end in info, and returns the line that
    heads a result table: when, where, under what load."""
    info["loadavg_end"] = loadavg()
    return (f"\n{info['date']}, {info['cpus']} CPUs, load average {info['loadavg_start']} -> "
            f"{info['loadavg_end']}, {what}")


def write_json(path: str | None, data: dict) -> None:
    if path:
        with open(path, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")


def normalize(name: str) -> str:
    out = name.lower()
    for c in "_.":
        out = out.replace(c, "-")
    while "--" in out:
        out = out.replace("--", "-")
    return out
