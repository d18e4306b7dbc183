"""Where a local input path points, and whether it stays inside the project.

A spec is untrusted input (CI plans pull requests), so a path or `file://` URL that
leads outside the project directory, after `..` and symlinks are resolved, is refused at
validate unless the job opts in with `local: {allow_outside_project: true}`. The decision
looks only at names (it resolves symlinks, never opens or reads the file).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import unquote, urlparse


class Resolver:
    """`os.path.realpath` for many files in few directories: each directory is resolved
    once, then a file costs one `lstat` (to see whether it is itself a symlink).

    The directories are remembered for the life of the object: make one per command, not
    one per process (a directory may be replaced by a symlink between two commands).
    """

    def __init__(self) -> None:
        self._dirs: dict[str, str] = {}

    def realpath(self, path: str) -> str:
        head, tail = os.path.split(path)
        if tail in ("", ".", "..") or not head:
            return os.path.realpath(path)
        real_head = self._dirs.get(head)
        if real_head is None:
            real_head = self._dirs[head] = os.path.realpath(head)
        joined = os.path.join(real_head, tail)
        try:
            if not stat.S_ISLNK(os.lstat(joined).st_mode):
                return joined
        except OSError:
            return joined  # missing (or unreadable): realpath would append the name too
        return os.path.realpath(joined)


def local_path(media: str, base_dir: Path, resolver: Resolver | None = None) -> Path | None:
    """The file a path or `file://` Media names (relative paths against `base_dir`), or
    None when Media is a URL of another kind."""
    if media.startswith("file://"):
        return Path(unquote(urlparse(media).path))
    if "://" in media:
        return None
    path = Path(media).expanduser()
    if path.is_absolute():
        return path
    joined = os.path.join(os.path.abspath(base_dir), path)
    return Path((resolver or Resolver()).realpath(joined))


def outside(path: Path, root: Path, resolver: Resolver | None = None) -> Path | None:
    """`path` fully resolved when it lies outside `root`, else None."""
    resolver = resolver or Resolver()
    real = Path(resolver.realpath(str(path)))
    return None if real.is_relative_to(resolver.realpath(os.path.abspath(root))) else real


def key_problem(key: str) -> str | None:
    """Why an object key cannot be used (it would escape its bucket), or None."""
    if key.startswith("/"):
        return "starts with '/' — object keys are relative to the bucket; drop the leading '/'"
    if any(part in ("..", ".") for part in key.split("/")):
        return "contains a '.' or '..' segment — write the key without them"
    return None
