"""tinybackend: a small PEP 517 / PEP 660 build backend for safepip's tests,
packaged by testindex.TinyBackend (under any distribution name: the module
is that name with "-" as "_", and build-backend is "<module>.build").

Standard library only. A project describes itself in tiny.json (which
testindex writes into an sdist from its Dist unless the test gives one):

    {"name": "hello", "version": "1.0", "module": "hello",
     "dependencies": ["idna>=2"],        # Requires-Dist of the wheel
     "get_requires": ["tiny-extra>=1"],  # what get_requires_for_build_* return
     "fail": "why",                      # every build hook fails, saying why
     "run_pip": "name",                  # build_wheel runs $TINY_HOST_PYTHON -m pip download name
     "run_tool": "cmd"}                  # build_wheel runs cmd from PATH and logs its output

The wheel holds the project's <module>/ directory. With $TINYBACKEND_LOG set,
each hook appends "<hook> <name>" to that file; build_wheel also appends the
interpreter and temporary directory it runs with, the pip settings it sees
and, with run_pip, pip's exit status.
"""
import base64
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import zipfile


def _project():
    with open("tiny.json", encoding="utf-8") as f:
        return json.load(f)


def _log(line):
    path = os.environ.get("TINYBACKEND_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def _fail_if_asked(p):
    if p.get("fail"):
        print("tinybackend: cannot build %s: %s" % (p["name"], p["fail"]), file=sys.stderr)
        raise RuntimeError(p["fail"])


def _dist_info(p):
    return "%s-%s.dist-info" % (p["name"].replace("-", "_"), p["version"])


def _metadata(p):
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"]]
    lines += ["Requires-Dist: " + r for r in p.get("dependencies", [])]
    return ("\n".join(lines) + "\n").encode()


WHEEL = b"Wheel-Version: 1.0\nGenerator: tinybackend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _write_wheel(p, wheel_directory, members):
    name = "%s-%s-py3-none-any.whl" % (p["name"].replace("-", "_"), p["version"])
    info = _dist_info(p)
    members = list(members) + [(info + "/METADATA", _metadata(p)), (info + "/WHEEL", WHEEL)]
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for arc, data in members:
            z.writestr(zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0)), data)  # reproducible
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (arc, digest, len(data)))
        record.append(info + "/RECORD,,")
        z.writestr(zipfile.ZipInfo(info + "/RECORD", date_time=(2020, 1, 1, 0, 0, 0)), "\n".join(record) + "\n")
    return name


def get_requires_for_build_wheel(config_settings=None):
    p = _project()
    _log("get_requires_for_build_wheel " + p["name"])
    return list(p.get("get_requires", []))


def get_requires_for_build_editable(config_settings=None):
    p = _project()
    _log("get_requires_for_build_editable " + p["name"])
    return list(p.get("get_requires", []))


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    p = _project()
    _log("prepare_metadata_for_build_wheel " + p["name"])
    info = os.path.join(metadata_directory, _dist_info(p))
    os.makedirs(info)
    with open(os.path.join(info, "METADATA"), "wb") as f:
        f.write(_metadata(p))
    with open(os.path.join(info, "WHEEL"), "wb") as f:
        f.write(WHEEL)
    return _dist_info(p)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    p = _project()
    _log("build_wheel " + p["name"])
    _log("python %d.%d in %s" % (sys.version_info[0], sys.version_info[1], sys.prefix))
    _log("tmp " + tempfile.gettempdir())
    for k in sorted(os.environ):
        if k.startswith("PIP_"):
            _log("env %s=%s" % (k, os.environ[k]))
    _fail_if_asked(p)
    if p.get("run_tool"):
        out = subprocess.run([p["run_tool"]], stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
        _log("tool: " + out.strip())
        _log("pip importable: %s" % (importlib.util.find_spec("pip") is not None))
    if p.get("run_pip"):
        with tempfile.TemporaryDirectory() as d:
            code = subprocess.call([os.environ["TINY_HOST_PYTHON"], "-m", "pip", "download",
                                    "--no-deps", "-d", d, p["run_pip"]])
        _log("pip download exit %d" % code)
    members = []
    for root, dirs, files in os.walk(p["module"]):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for f in sorted(files):
            path = os.path.join(root, f)
            with open(path, "rb") as fh:
                members.append((path.replace(os.sep, "/"), fh.read()))
    return _write_wheel(p, wheel_directory, members)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    p = _project()
    _log("build_editable " + p["name"])
    _fail_if_asked(p)
    pth = (os.path.abspath(".") + "\n").encode()
    return _write_wheel(p, wheel_directory, [("_%s_editable.pth" % p["name"].replace("-", "_"), pth)])
