#!/usr/bin/env python3
"""Builds the bundled example indexes (run once; the output is committed).

Two PEP 503 trees on disk, as file:// indexes:
  private/simple  acme-triton 1.0      the company's own project
  public/simple   acme-triton 9.9.9    an attacker's upload of the same name
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
    files = {
        f"{dist}/__init__.py": body,
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

index(HERE / "private", {"acme-triton": [("1.0", ["tabulate-lite>=1.0"], GOOD)]})
index(HERE / "public", {
    "acme-triton": [("9.9.9", [], EVIL)],
    "tabulate-lite": [("1.0", [], TAB.format(v="1.0")), ("1.1", [], TAB.format(v="1.1"))],
})
