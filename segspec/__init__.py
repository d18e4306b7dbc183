"""segspec: video segmentation jobs as code (specs → plan → apply → state)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    # The one place the version is written is pyproject.toml; this reads it back.
    __version__ = version("segspec")
except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
    __version__ = "0+unknown"
