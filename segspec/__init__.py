"""segspec: video segmentation jobs as code (specs → plan → apply → state)."""

from __future__ import annotations

from pathlib import Path

# The one place the version is written is segspec/VERSION (pyproject.toml reads it at build
# time, `version = {file = ...}`). Reading that file costs microseconds; asking the package
# metadata for it cost every command ~40 ms of imports and a search of sys.path.
__version__ = (Path(__file__).parent / "VERSION").read_text(encoding="ascii").strip()
