// Package build builds wheels from source (an sdist, a project directory,
// an editable install) without reopening the door that safepip's lock
// closes: a build runs with nothing but build dependencies that were
// resolved, locked and verified like runtime ones, and never sees an index.
//
// What it reads: ReadBuildSystem reads the [build-system] table of a
// pyproject.toml (PEP 518 requires, PEP 517 build-backend and
// backend-path), with the PEP 518 defaults (setuptools>=40.8.0,
// setuptools.build_meta:__legacy__) when the file, the table or
// build-backend is absent, as pip does; a table without requires is an
// error, as PEP 518 says. ReadSdistBuildSystem and ReadDirBuildSystem read
// it from an sdist (without unpacking it) and from a source tree.
//
// What a Sandbox guarantees, for Build, Requires and Metadata:
//
//   - Only hashed files. Every build dependency is a wheel given with its
//     sha256; each is hashed again before anything runs, and a mismatch
//     (*HashMismatchError) stops the build before a venv exists, as does
//     an sdist whose bytes are not its given sha256. pip then installs
//     the dependencies with install.RunPip: local paths with --hash, under
//     --no-index --no-deps --require-hashes --isolated, so pip checks them
//     once more. A requirement of [build-system] requires or of the
//     get_requires hooks that no given wheel satisfies is a
//     *MissingRequirementsError, never a download.
//   - No index. The venv is made --without-pip, and pip runs in it from
//     the wheel the target's ensurepip bundles, unpacked and compiled once
//     into the cache and checked against its manifest before each run's
//     first use (see unpackedPip) (without one, the venv is
//     seeded by ensurepip, offline); every process of a build runs with PIP_* and UV_* removed from its
//     environment, PIP_NO_INDEX=1, PIP_CONFIG_FILE=/dev/null and
//     UV_OFFLINE=1, and pip with --isolated, so neither pip nor a backend
//     that calls pip is given an index URL from the user's environment or
//     configuration files. A test serves an index on loopback, points
//     PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS and pip.conf at
//     it, builds with a backend that runs pip itself, and counts zero
//     requests. This is not a network sandbox: a backend that opens a URL
//     of its own can still do so; what it cannot do is learn one from safepip.
//   - Isolation. Each build gets a fresh venv of the target interpreter,
//     without the interpreter's or the user's site-packages (python -I,
//     PYTHONNOUSERSITE, PYTHONPATH and PYTHONHOME removed), removed after
//     the build, with the temporary files of every process of the build
//     (TMPDIR, TEMP and TMP point into it), even one that was killed.
//     An sdist is unpacked into it safely: one top directory,
//     no absolute paths or "..", no devices, symbolic links only downward,
//     bounded member count and size (*SdistError).
//   - The PEP 517 hooks are called by a driver embedded in this package
//     (hooks.py), one process per hook, honouring backend-path (an in-tree
//     backend must load from it). A hook that fails is a *BackendError
//     holding the backend's output; the caller shows it and exits 5.
//
// Request.NoIsolation is the one way around all of this, for a package
// whose build needs the target's own packages ([policy] no-build-isolation):
// the hooks run with the target interpreter itself, no build dependency is
// given or checked, and the wheel is never cached.
//
// Built wheels of sdists go to a content-addressed cache (see Key): the
// sdist's sha256, the sorted sha256s of the build dependencies, the target's
// tags, the config settings and the driver. A hit costs one hash of the
// cached wheel, which must still match the hash recorded when it was
// stored, and runs no hook. Source trees and editable builds are never
// cached (see Key for why).
package build
