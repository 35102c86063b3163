"""An in-tree build backend: tinybackend's hooks, reached through an object."""
import types

from tinybackend import build as _tiny

backend = types.SimpleNamespace(
    get_requires_for_build_wheel=_tiny.get_requires_for_build_wheel,
    prepare_metadata_for_build_wheel=_tiny.prepare_metadata_for_build_wheel,
    build_wheel=_tiny.build_wheel,
)
