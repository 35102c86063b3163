"""The tinybackend without its optional hooks: no
prepare_metadata_for_build_wheel and no build_editable (no PEP 660)."""
from .build import build_wheel, get_requires_for_build_wheel  # noqa: F401
