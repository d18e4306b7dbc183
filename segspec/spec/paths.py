"""Where a local input path points, and whether it stays inside the project.

A spec is untrusted input (CI plans pull requests), so a path or `file://` URL that
leads outside the project directory, after `..` and symlinks are resolved, is refused at
validate unless the job opts in with `local: {allow_outside_project: true}`. The decision
looks only at names (it resolves symlinks, never opens or reads the file).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse


def local_path(media: str, base_dir: Path) -> Path | None:
    """The file a path or `file://` Media names (relative paths against `base_dir`), or
    None when Media is a URL of another kind."""
    if media.startswith("file://"):
        return Path(unquote(urlparse(media).path))
    if "://" in media:
        return None
    path = Path(media).expanduser()
    return path if path.is_absolute() else (base_dir / path).resolve()


def outside(path: Path, root: Path) -> Path | None:
    """`path` fully resolved when it lies outside `root`, else None."""
    real = Path(os.path.realpath(path))
    return None if real.is_relative_to(os.path.realpath(root)) else real


def key_problem(key: str) -> str | None:
    """Why an object key cannot be used (it would escape its bucket), or None."""
    if key.startswith("/"):
        return "starts with '/' — object keys are relative to the bucket; drop the leading '/'"
    if any(part in ("..", ".") for part in key.split("/")):
        return "contains a '.' or '..' segment — write the key without them"
    return None
