"""Atomic, private file writes: temp file in the same directory, flush, fsync, rename.

Everything segspec writes beside the state (state, backup, journal, lock, saved plans)
is created readable by its owner only (0600): it names buckets, keys and job ids.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

PRIVATE = 0o600


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that readers see the old or the new bytes, never a mix.

    The file is created 0600. On any failure the temporary file is removed and `path` is
    untouched; the OSError propagates.
    """
    write_atomic_chunks(path, (data,))


def write_atomic_chunks(path: Path, chunks: Iterable[bytes], *, sync_dir: bool = True) -> None:
    """`write_atomic` of the concatenation of `chunks`, without holding it in memory.

    `sync_dir=False` leaves the directory's fsync to the caller (one after many files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for data in chunks:
                handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        fsync_dir(path.parent)


def copy_atomic(src: Path, dest: Path) -> None:
    """Replace `dest` with a 0600 copy of `src`, atomically; no temporary file stays behind."""
    write_atomic(dest, src.read_bytes())


def open_private(path: Path, flags: int) -> int:
    """`os.open` that creates the file 0600 (and keeps an existing file's mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, flags | os.O_CREAT, PRIVATE)


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
