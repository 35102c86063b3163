# Differential reference for tags: reads a JSON list of described
# interpreters on stdin and prints, for each, the tag list packaging 21.3's
# sys_tags() would yield on it, space-separated. The machine facts sys_tags
# reads from the running system are monkeypatched per case; the composition
# below is sys_tags' own.
import json
import sys
import sysconfig

from pip._vendor.packaging import _manylinux, _musllinux, tags

ALL_MANYLINUX = {"x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x"}
# armv7l and i686 are decided from sys.executable's ELF header: assume the
# described machine has the compatible ABI, as the Go side documents.
_manylinux._have_compatible_abi = lambda arch: arch in ALL_MANYLINUX

config = {}
real_get_config_var = tags._get_config_var
tags._get_config_var = lambda name, warn=False: config[name] if name in config else real_get_config_var(name, warn)


def platforms(p):
    if p["kind"] == "linux":
        sysconfig.get_platform = lambda: p["sysplat"]
        glibc = tuple(p["glibc"]) if p.get("glibc") else (-1, -1)
        _manylinux._get_glibc_version = lambda: glibc
        musl = _musllinux._MuslVersion(*p["musl"]) if p.get("musl") else None
        _musllinux._get_musl_version = lambda executable: musl
        return list(tags._linux_platforms(is_32bit=False))
    if p["kind"] == "mac":
        return list(tags.mac_platforms(tuple(p["version"]), p["arch"]))
    sysconfig.get_platform = lambda: p["sysplat"]
    return list(tags._generic_platforms())


out = []
for case in json.load(sys.stdin):
    config.clear()
    config.update(case.get("config") or {})
    plats = platforms(case["platform"])
    pv = tuple(case["python"])
    if case["impl"] == "cp":
        got = list(tags.cpython_tags(pv, case.get("abis"), plats))
        got += list(tags.compatible_tags(pv, None, plats))
    else:
        interp = case["impl"] + "".join(map(str, pv))
        got = list(tags.generic_tags(interp, case.get("abis") or [], plats))
        got += list(tags.compatible_tags(pv, "pp3" if case["impl"] == "pp" else None, plats))
    out.append(" ".join(str(t) for t in got))
json.dump(out, sys.stdout)
