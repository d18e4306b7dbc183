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

import msgspec


class FileStat(msgspec.Struct, frozen=True, gc=False):
    """What planning reads of a file's `stat`: kept for 100,000 inputs between the spec
    load that makes it and the identity that uses it, a full `os.stat_result` (about
    650 bytes) would cost ~65 MB. A msgspec struct (48 bytes, untracked by the cycle
    collector: a named tuple is 72), its mode one int per distinct mode (see `Resolver`)."""

    st_mode: int
    st_size: int
    st_mtime_ns: int


class Resolver:
    """`os.path.realpath` for many files in few directories: each directory is resolved
    once, then a file costs one `lstat` (to see whether it is itself a symlink).

    Directories and files are remembered for the life of the object: make one per command, not
    one per process (a directory may be replaced by a symlink between two commands).
    The `lstat` of a file that is not a symlink is its `stat` too: it is kept until
    `take_stat` hands it to the one caller that then needs the file's size and mtime
    (planning stats each input and output once, not twice).
    """

    def __init__(self) -> None:
        self._dirs: dict[str, str] = {}
        self._files: dict[str, str] = {}
        self._abs: dict[str, str] = {}
        self._stats: dict[str, FileStat] = {}
        self._local: dict[str, dict[str, str | None]] = {}
        self._modes: dict[int, int] = {}
        """One int object per distinct st_mode (100,000 files share a few)."""

    def realpath(self, path: str, remember: bool = True) -> str:
        """The resolved path; `remember=False` for a file resolved once (100,000 inputs
        and outputs are not worth keeping: their directories are)."""
        found = self._files.get(path)
        if found is None:
            found = self._realpath(path)
            if remember:
                self._files[path] = found
                self._files.setdefault(found, found)  # a resolved path resolves to itself
        return found

    def absolute(self, directory: str) -> str:
        """`os.path.abspath` of a directory, once per directory."""
        found = self._abs.get(directory)
        if found is None:
            found = self._abs[directory] = os.path.abspath(directory)
        return found

    def take_stat(self, path: str) -> FileStat | None:
        """The `lstat` made while resolving `path` (a regular, non-link name), once."""
        return self._stats.pop(path, None)

    def _realpath(self, path: str) -> str:
        head, _, tail = path.rpartition(os.sep)
        if tail in ("", ".", "..") or not head:
            return os.path.realpath(path)
        real_head = self._dirs.get(head)
        if real_head is None:
            real_head = self._dirs[head] = os.path.realpath(head)
        joined = real_head + tail if real_head.endswith(os.sep) else real_head + os.sep + tail
        try:
            info = os.lstat(joined)
        except OSError:
            return joined  # missing (or unreadable): realpath would append the name too
        if not stat.S_ISLNK(info.st_mode):
            mode = self._modes.setdefault(info.st_mode, info.st_mode)
            self._stats[joined] = FileStat(mode, info.st_size, info.st_mtime_ns)
            return joined
        return os.path.realpath(joined)

    def local(self, media: str, base_dir: str) -> str | None:
        """`local_file(media, base_dir)`, once per (media, directory) for this command."""
        # by directory, then by the spec's own Media string: no key made per job
        known = self._local.get(base_dir)
        if known is None:
            known = self._local[base_dir] = {}
        if media in known:
            return known[media]
        found = known[media] = local_file(media, base_dir, self)
        return found


def local_path(media: str, base_dir: Path, resolver: Resolver | None = None) -> Path | None:
    """The file a path or `file://` Media names (relative paths against `base_dir`), or
    None when Media is a URL of another kind."""
    if media.startswith("file://"):
        return Path(unquote(urlparse(media).path))
    if "://" in media:
        return None
    found = local_file(media, os.fspath(base_dir), resolver)
    return Path(found) if found is not None else None


def local_file(media: str, base_dir: str, resolver: Resolver | None = None) -> str | None:
    """`local_path` as a string, without building Path objects (planning calls it once or
    twice per job); `file://` URLs and absolute paths are returned as named."""
    if media.startswith("file://"):
        return os.fspath(Path(unquote(urlparse(media).path)))
    if "://" in media:
        return None
    path = os.path.expanduser(media) if media.startswith("~") else media
    if path.startswith(os.sep):
        return os.fspath(Path(path))  # as named (normalized the way Path does it)
    resolver = resolver or Resolver()
    base = resolver.absolute(base_dir)
    joined = base + path if base.endswith(os.sep) else base + os.sep + path
    return resolver.realpath(joined, remember=False)  # `Resolver.local` remembers it


def is_within(path: str, root: str) -> bool:
    """Whether the absolute, resolved `path` is `root` or below it (as names, like
    `Path.is_relative_to`, without building Path objects)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def key_problem(key: str) -> str | None:
    """Why an object key cannot be used (it would escape its bucket), or None."""
    if key.startswith("/"):
        return "starts with '/' — object keys are relative to the bucket; drop the leading '/'"
    if any(part in ("..", ".") for part in key.split("/")):
        return "contains a '.' or '..' segment — write the key without them"
    return None
