#!/usr/bin/env python3
"""Time installs that build sdists: safepip's first and second install of one
lock, and pip building the same sdists (issue 12's figures).

    python3 bench/build_bench.py [--runs 3] [--packages 5] [--json OUT]

Standard library only. It writes a file:// PEP 503 index into a temporary
directory, for each of two sets of sdist-only packages:

  tiny        N sdists built by tinybackend (internal/testindex/tinybackend,
              packaged here as the wheel "tinybackend 1.0"), each with 20
              modules; Metadata-Version 2.2, so locking needs no hook
  setuptools  N sdists with a setup.py and no pyproject.toml (PEP 518's
              defaults), built by the setuptools wheel of the interpreter's
              ensurepip and Debian's "wheel" wheel; Metadata-Version 2.1, so
              locking runs prepare_metadata_for_build_wheel

builds safepip, locks each set once (timed once, reported), and then, per
run, into venvs made before the timer (which tool goes first alternates):

  first   safepip install --frozen, empty cache: downloads (file://),
          verifies, makes a build environment per sdist, builds, installs
  second  the same command into another fresh venv with that cache: every
          built wheel is a cache hit (for tiny, the backend's
          $TINYBACKEND_LOG must stay empty, or the script stops)
  pip first   VENV/bin/python -m pip install --no-index --find-links FILES
              NAMES with an empty PIP_CACHE_DIR: pip's isolated builds of the
              same sdists from the same files (its build dependencies
              unlocked, unhashed)
  pip second  the same into another fresh venv with that cache: pip takes
              its cached wheels and builds nothing either

and checks that all four venvs hold the same distributions. Ratios compare
medians measured in this run; absolute times on a loaded machine are not
meaningful and nothing here is asserted by a test.
"""
from __future__ import annotations

import argparse
import base64
import glob
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import zipfile

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
import install_bench  # noqa: E402
from benchlib import REPO, build_safepip, clean_env, header, machine, median, normalize, run, timed, write_json

TINYBACKEND = os.path.join(REPO, "internal", "testindex", "tinybackend")
FIXED = (2020, 1, 1, 0, 0, 0)
WHEEL_META = b"Wheel-Version: 1.0\nGenerator: build_bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_wheel(files_dir: str, name: str, version: str, members: dict[str, bytes]) -> str:
    """Writes a py3-none-any wheel of members with a RECORD; returns its name."""
    escaped = normalize(name).replace("-", "_")
    info = f"{escaped}-{version}.dist-info"
    items = sorted(members.items()) + [
        (info + "/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()),
        (info + "/WHEEL", WHEEL_META)]
    filename = f"{escaped}-{version}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(files_dir, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in items:
            z.writestr(zipfile.ZipInfo(arc, date_time=FIXED), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{arc},sha256={digest},{len(data)}")
        record.append(info + "/RECORD,,")
        z.writestr(zipfile.ZipInfo(info + "/RECORD", date_time=FIXED), "\n".join(record) + "\n")
    return filename


def write_sdist(files_dir: str, name: str, version: str, members: dict[str, str]) -> str:
    """Writes NAME-VERSION.tar.gz of members under one top directory."""
    top = f"{normalize(name).replace('-', '_')}-{version}"
    filename = top + ".tar.gz"
    with tarfile.open(os.path.join(files_dir, filename), "w:gz") as tar:
        for arc, text in sorted(members.items()):
            data = text.encode()
            ti = tarfile.TarInfo(f"{top}/{arc}")
            ti.size, ti.mtime, ti.mode = len(data), 1577836800, 0o644
            tar.addfile(ti, io.BytesIO(data))
    return filename


def modules(module: str, count: int) -> dict[str, str]:
    out = {f"{module}/__init__.py": "ANSWER = 42\n"}
    for i in range(count):
        out[f"{module}/mod{i:02d}.py"] = "".join(f"def f{j}(x):\n    return x + {j}\n\n" for j in range(50))
    return out


def bundled_setuptools() -> tuple[str, str]:
    import ensurepip
    import sysconfig
    bundled = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
    st = glob.glob(os.path.join(bundled, "setuptools-*.whl"))
    wh = glob.glob("/usr/share/python-wheels/wheel-*.whl") + glob.glob(
        os.path.join(sysconfig.get_paths()["stdlib"], "test", "wheeldata", "wheel-*.whl"))
    if not st or not wh:
        sys.exit(f"no setuptools wheel in {bundled} or no wheel-*.whl (Debian's python3-wheel-whl)")
    return st[0], wh[0]


def make_index(root: str, kind: str, count: int) -> tuple[str, str, list[str]]:
    """Writes the index of one set; returns (index URL, files dir, names)."""
    files = os.path.join(root, "files")
    os.makedirs(files)
    names = [f"bench-{kind}-{i}" for i in range(count)]
    if kind == "tiny":
        members = {}
        for f in ("build.py", "noprep.py"):
            with open(os.path.join(TINYBACKEND, f), "rb") as fh:
                members["tinybackend/" + f] = fh.read()
        members["tinybackend/__init__.py"] = b""
        write_wheel(files, "tinybackend", "1.0", members)
        for name in names:
            module = name.replace("-", "_")
            write_sdist(files, name, "1.0", {
                "PKG-INFO": f"Metadata-Version: 2.2\nName: {name}\nVersion: 1.0\n",
                "pyproject.toml": '[build-system]\nrequires = ["tinybackend"]\nbuild-backend = "tinybackend.build"\n',
                "tiny.json": json.dumps({"name": name, "version": "1.0", "module": module}),
                **modules(module, 20)})
    else:
        for w in bundled_setuptools():
            shutil.copy(w, files)
        for name in names:
            module = name.replace("-", "_")
            write_sdist(files, name, "1.0", {
                "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
                "setup.py": f"from setuptools import setup\nsetup(name={name!r}, version='1.0', packages=[{module!r}])\n",
                **modules(module, 20)})
    by_project: dict[str, list[str]] = {}
    for f in sorted(os.listdir(files)):
        project = normalize(f.split("-")[0] if f.endswith(".whl") else f[:-len("-1.0.tar.gz")])
        by_project.setdefault(project, []).append(f)
    simple = os.path.join(root, "simple")
    for project, fs in by_project.items():
        os.makedirs(os.path.join(simple, project))
        links = []
        for f in fs:
            with open(os.path.join(files, f), "rb") as fh:
                links.append(f'<a href="../../files/{f}#sha256={sha256(fh.read())}">{f}</a><br/>')
        with open(os.path.join(simple, project, "index.html"), "w") as fh:
            fh.write("<!DOCTYPE html>\n<html><body>\n" + "\n".join(links) + "\n</body></html>\n")
    with open(os.path.join(simple, "index.html"), "w") as fh:
        fh.write("<!DOCTYPE html>\n<html><body>\n" + "".join(f'<a href="{p}/">{p}</a><br/>\n' for p in by_project)
                 + "</body></html>\n")
    return "file://" + simple, files, names


def installed(python: str) -> dict[str, str]:
    """install_bench's, without "wheel" (a build dependency, never the target's)."""
    out = install_bench.installed(python)
    out.pop("wheel", None)
    return out


def bench_set(kind: str, args, safepip: str, work: str) -> dict:
    root = os.path.join(work, kind)
    url, files, names = make_index(os.path.join(root, "index"), kind, args.packages)
    with open(os.path.join(root, "requirements.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    with open(os.path.join(root, "safepip.toml"), "w") as f:
        f.write(f'[[index]]\nname = "bench"\nurl = "{url}"\ndefault = true\n\n'
                '[resolution]\nrequires-python = ">=3.9"\n\n[policy]\nallow-sdist = true\n')
    lock_s = timed([safepip, "lock", "-q", "-r", "requirements.txt"],
                   clean_env(SAFEPIP_CACHE_DIR=os.path.join(root, "lock-cache")), cwd=root)
    samples = {"first": [], "second": [], "pip": [], "pip_second": []}
    log = os.path.join(root, "hooks.log")
    for i in range(args.runs):
        cache = os.path.join(root, f"cache-{i}")
        order = ("safepip", "pip") if i % 2 == 0 else ("pip", "safepip")
        for tool in order:
            if tool == "pip":
                env = clean_env(PIP_CACHE_DIR=os.path.join(root, f"pip-cache-{i}"))
                for step in ("pip", "pip_second"):
                    py = install_bench.venv(os.path.join(root, "venv-" + step))
                    samples[step].append(timed([py, "-m", "pip", "install", "-q", "--no-index", "--find-links", files]
                                               + names, env))
                continue
            for step in ("first", "second"):
                py = install_bench.venv(os.path.join(root, "venv-" + step))
                if os.path.exists(log):
                    os.remove(log)
                env = clean_env(SAFEPIP_CACHE_DIR=cache, TINYBACKEND_LOG=log)
                samples[step].append(timed([safepip, "install", "-q", "--frozen", "-r", "requirements.txt",
                                            "--python", py], env, cwd=root))
                if kind == "tiny":
                    hooks = open(log).read().split("\n") if os.path.exists(log) else []
                    built = sum(1 for h in hooks if h.startswith("build_wheel "))
                    if step == "first" and built != len(names):
                        sys.exit(f"{kind} run {i + 1}: the first install built {built} of {len(names)} sdists")
                    if step == "second" and any(hooks):
                        sys.exit(f"{kind} run {i + 1}: the second install ran hooks: {hooks}")
        print(f"{kind} run {i + 1}: safepip first {samples['first'][-1]:.2f}s, second {samples['second'][-1]:.2f}s; "
              f"pip first {samples['pip'][-1]:.2f}s, second {samples['pip_second'][-1]:.2f}s", flush=True)
    want = {normalize(n): "1.0" for n in names}
    for v in ("venv-first", "venv-second", "venv-pip", "venv-pip_second"):
        got = installed(os.path.join(root, v, "bin", "python"))
        if got != want:
            sys.exit(f"{kind}: {v} holds {got}, want {want}")
    m = {k: median(v) for k, v in samples.items()}
    return {"packages": len(names), "lock": lock_s, "samples": samples, **m,
            "pip_over_first": m["pip"] / m["first"], "pip_over_second": m["pip_second"] / m["second"],
            "first_over_second": m["first"] / m["second"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", help="write every sample to this file")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--packages", type=int, default=5, help="sdists per set")
    ap.add_argument("--sets", default="tiny,setuptools")
    args = ap.parse_args()
    info = machine()
    work = tempfile.mkdtemp(prefix="safepip-build-bench-")
    try:
        safepip = build_safepip(work)
        out = {"machine": info}
        for kind in args.sets.split(","):
            out[kind] = bench_set(kind, args, safepip, work)
        print(header(info, f"{args.packages} sdists per set, median of {args.runs}"))
        print("| set | sdists | safepip lock | safepip first | pip first | pip / safepip | safepip second | "
              "pip second | pip / safepip | safepip first / second |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for kind in args.sets.split(","):
            r = out[kind]
            print(f"| {kind} | {r['packages']} | {r['lock']:.2f} | {r['first']:.2f} | {r['pip']:.2f} | "
                  f"{r['pip_over_first']:.1f}x | {r['second']:.2f} | {r['pip_second']:.2f} | "
                  f"{r['pip_over_second']:.1f}x | {r['first_over_second']:.1f}x |")
        write_json(args.json, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
