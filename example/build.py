#!/usr/bin/env python3
"""Builds the bundled example indexes (run once; the output is committed).

Two PEP 503 trees on disk, as file:// indexes:
  private/simple  acme-triton 1.0      the company's own project
                  acme-build-backend 1.0   the company's PEP 517 build backend,
                                       which app/ (the company's own code,
                                       installed with -e .) builds with
  public/simple   acme-triton 9.9.9    an attacker's upload of the same name
                  acme-build-backend 9.9.9 the same attack on the build: it
                                       works, and leaves a marker file in the
                                       project it builds when it is imported
                  tabulate-lite 1.0, 1.1   an ordinary public dependency

Wheels are reproducible (fixed timestamps), so rebuilding gives the same bytes.
"""
import base64, hashlib, os, pathlib, shutil, zipfile

HERE = pathlib.Path(__file__).resolve().parent
STAMP = (2024, 1, 1, 0, 0, 0)


def wheel(out_dir, name, version, requires=(), body=""):
    dist = name.replace("-", "_")
    fname = f"{dist}-{version}-py3-none-any.whl"
    info = f"{dist}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: safepip example package\nRequires-Python: >=3.8\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    modules = body if isinstance(body, dict) else {"__init__.py": body}
    files = {
        **{f"{dist}/{m}": text for m, text in modules.items()},
        f"{info}/METADATA": meta,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: safepip-example\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / fname
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, text in files.items():
            zi = zipfile.ZipInfo(p, STAMP)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, text)
    (out_dir / (fname + ".metadata")).write_text(meta)
    return fname


def index(root, projects):
    simple = root / "simple"
    if root.exists():
        shutil.rmtree(root)
    links = []
    for project, dists in projects.items():
        files = root / "files"
        rows = []
        for version, requires, body in dists:
            fname = wheel(files, project, version, requires, body)
            sha = hashlib.sha256((files / fname).read_bytes()).hexdigest()
            msha = hashlib.sha256((files / (fname + ".metadata")).read_bytes()).hexdigest()
            rows.append(f'    <a href="../../files/{fname}#sha256={sha}" data-requires-python="&gt;=3.8" '
                        f'data-core-metadata="sha256={msha}">{fname}</a><br/>')
        d = simple / project
        d.mkdir(parents=True, exist_ok=True)
        (d / "index.html").write_text(
            "<!DOCTYPE html>\n<html>\n  <head><meta name=\"pypi:repository-version\" content=\"1.0\"><title>Links for "
            + project + "</title></head>\n  <body>\n" + "\n".join(rows) + "\n  </body>\n</html>\n")
        links.append(f'    <a href="{project}/">{project}</a><br/>')
    (simple / "index.html").write_text("<!DOCTYPE html>\n<html>\n  <body>\n" + "\n".join(links) + "\n  </body>\n</html>\n")


GOOD = '"""acme-triton: the company\'s own build."""\n__version__ = "1.0"\nORIGIN = "private index"\n'
EVIL = ('"""acme-triton 9.9.9: NOT the company\'s project. In a real attack this\n'
        'code would steal credentials the moment it is imported (torchtriton, 2022)."""\n'
        '__version__ = "9.9.9"\nORIGIN = "public index (dependency confusion!)"\n')
TAB = '"""tabulate-lite: a tiny public dependency."""\n__version__ = "{v}"\n'

# acme-build-backend: a small PEP 517 / PEP 660 backend (standard library
# only) that reads the subset of [project] app/pyproject.toml writes.
BACKEND = r'''"""acme-build-backend: the company's build backend (safepip example).

Builds the project in the current directory: name, version and
dependencies from [project] in pyproject.toml (double-quoted strings, no
brackets inside them), the module directory named after the project.
"""
import base64
import hashlib
import os
import re
import zipfile

WHEEL = b"Wheel-Version: 1.0\nGenerator: acme-build-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _project():
    with open("pyproject.toml", encoding="utf-8") as f:
        text = f.read()
    table = re.search(r"^\[project\][ \t]*$(.*?)(?=^\[|\Z)", text, re.M | re.S).group(1)
    name = re.search(r'^name\s*=\s*"([^"]+)"', table, re.M).group(1)
    version = re.search(r'^version\s*=\s*"([^"]+)"', table, re.M).group(1)
    deps = re.search(r"^dependencies\s*=\s*\[(.*?)\]", table, re.M | re.S)
    python = re.search(r'^requires-python\s*=\s*"([^"]+)"', table, re.M)
    return name, version, re.findall(r'"([^"]+)"', deps.group(1)) if deps else [], python.group(1) if python else ""


def _metadata(name, version, deps, python):
    # PEP 621: what [project] states statically, the wheel states too
    lines = ["Metadata-Version: 2.1", "Name: " + name, "Version: " + version]
    if python:
        lines.append("Requires-Python: " + python)
    return ("\n".join(lines + ["Requires-Dist: " + d for d in deps]) + "\n").encode()


def _wheel(directory, members):
    name, version, deps, python = _project()
    dist = re.sub(r"[-_.]+", "_", name).lower()
    info = "%s-%s.dist-info" % (dist, version)
    members = members + [(info + "/METADATA", _metadata(name, version, deps, python)), (info + "/WHEEL", WHEEL)]
    record = []
    fname = "%s-%s-py3-none-any.whl" % (dist, version)
    with zipfile.ZipFile(os.path.join(directory, fname), "w") as z:
        for arc, data in members:
            z.writestr(zipfile.ZipInfo(arc, (2024, 1, 1, 0, 0, 0)), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (arc, digest, len(data)))
        record.append(info + "/RECORD,,")
        z.writestr(zipfile.ZipInfo(info + "/RECORD", (2024, 1, 1, 0, 0, 0)), "\n".join(record) + "\n")
    return fname


def _module():
    return re.sub(r"[-_.]+", "_", _project()[0]).lower()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    name, version, deps, python = _project()
    info = "%s-%s.dist-info" % (re.sub(r"[-_.]+", "_", name).lower(), version)
    os.makedirs(os.path.join(metadata_directory, info))
    with open(os.path.join(metadata_directory, info, "METADATA"), "wb") as f:
        f.write(_metadata(name, version, deps, python))
    return info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    members = []
    for root, dirs, files in os.walk(_module()):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for f in sorted(files):
            with open(os.path.join(root, f), "rb") as fh:
                members.append((os.path.join(root, f).replace(os.sep, "/"), fh.read()))
    return _wheel(wheel_directory, members)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # PEP 660: a .pth file puts this directory on sys.path
    return _wheel(wheel_directory, [("_%s_editable.pth" % _module(), (os.path.abspath(".") + "\n").encode())])
'''
# The attacker's copy builds just as well, so nothing looks wrong; a real one
# would steal the credentials of the machine that builds (CI, a laptop).
EVIL_BACKEND = ('import os\n'
                'with open("PWNED-by-public-acme-build-backend.txt", "w") as f:\n'
                '    f.write("acme-build-backend 9.9.9 from the PUBLIC index ran in this build\\n")\n') + BACKEND

index(HERE / "private", {
    "acme-build-backend": [("1.0", [], BACKEND)],
    "acme-triton": [("1.0", ["tabulate-lite>=1.0"], GOOD)],
})
index(HERE / "public", {
    "acme-build-backend": [("9.9.9", [], EVIL_BACKEND)],
    "acme-triton": [("9.9.9", [], EVIL)],
    "tabulate-lite": [("1.0", [], TAB.format(v="1.0")), ("1.1", [], TAB.format(v="1.1"))],
})
