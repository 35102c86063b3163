# safepip's PEP 517 hook driver: runs ONE hook of a build backend in the
# build environment safepip made, then exits.
#
#   python -I hooks.py REQUEST.json
#
# REQUEST.json holds {"backend", "backend_path", "hook", "kwargs", "result"}.
# The hook's return value goes to the "result" file as {"return": value};
# a hook the backend does not define gives {"unsupported": true}, and a
# backend that cannot be loaded {"unavailable": "why"}. Anything the backend
# prints goes to this process's stdout and stderr, which safepip keeps for
# the error report. An exception from the hook is raised through: exit 1
# with its traceback.
#
# Standard library only, valid from Python 3.7 on.
import importlib
import json
import os
import sys
import traceback

# Hooks a backend may leave out, and what leaving them out means.
OPTIONAL = {
    "get_requires_for_build_wheel": [],
    "get_requires_for_build_editable": [],
}


def write(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f)


def inside(path, roots):
    path = os.path.normcase(os.path.realpath(path))
    for root in roots:
        root = os.path.normcase(os.path.realpath(root))
        if path == root or path.startswith(root + os.sep):
            return True
    return False


def load(spec, backend_path):
    module, _, obj = spec.partition(":")
    roots = [os.path.abspath(p) for p in backend_path]
    # PEP 517: backend-path entries come first on sys.path, and an in-tree
    # backend must then be loaded from one of them.
    sys.path[:0] = roots
    try:
        backend = importlib.import_module(module)
    except ImportError:
        return None, "cannot import %r:\n%s" % (module, traceback.format_exc())
    if roots:
        where = getattr(backend, "__file__", None) or ""
        if not inside(where, roots):
            return None, "backend %r was loaded from %s, outside its backend-path %s" % (
                module, where, backend_path)
    for attr in obj.split(".") if obj else []:
        try:
            backend = getattr(backend, attr)
        except AttributeError:
            return None, "module %r has no object %r" % (module, obj)
    return backend, None


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        req = json.load(f)
    backend, why = load(req["backend"], req["backend_path"])
    if backend is None:
        write(req["result"], {"unavailable": why})
        return 0
    hook = getattr(backend, req["hook"], None)
    if hook is None:
        if req["hook"] in OPTIONAL:
            write(req["result"], {"return": OPTIONAL[req["hook"]]})
        else:
            write(req["result"], {"unsupported": True})
        return 0
    value = hook(**req["kwargs"])
    write(req["result"], {"return": value})
    return 0


if __name__ == "__main__":
    sys.exit(main())
