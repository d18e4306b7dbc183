"""The local engine's store directory seen as an `ObjectStore`."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from segspec.backends.local.inputs import HashCache
from segspec.backends.local.store import LocalStore, sha256_file
from segspec.backends.objects import ObjectStat
from segspec.spec.paths import is_within

NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EBADF)


class LocalObjects:
    """Objects in the local engine's store directory."""

    def __init__(self, store: LocalStore, cache: HashCache | None = None) -> None:
        self.store = store
        self.cache = cache
        """When given, checksums of unchanged files (same size and mtime) are not reread."""
        self._dirs: dict[tuple[str, str], str] = {}

    def stat(self, bucket: str, key: str) -> ObjectStat | None:
        path = self.store.object_file(bucket, key)
        try:
            info = os.stat(path)
        except OSError as exc:
            if exc.errno in NOT_THERE:
                return None  # as Path.is_file would say
            raise
        if not stat.S_ISREG(info.st_mode):
            return None
        if self.cache is not None:
            found = self.cache.identity(path, info)
            return ObjectStat(found["size"], found["sha256"], mtime_ns=info.st_mtime_ns)
        return ObjectStat(info.st_size, sha256_file(Path(path)), mtime_ns=info.st_mtime_ns)

    def unchanged(self, bucket: str, key: str, size: int, mtime_ns: int) -> bool:
        """Whether the object is a regular file (not a link) with the recorded size and
        mtime: one `lstat`, no read; a False is then checked in full with `stat`. Each
        directory is resolved once (a no-op plan asks this of every output)."""
        head, _, name = key.rpartition("/")
        where = self._dirs.get((bucket, head))
        if where is None:
            where = self._dirs[(bucket, head)] = self._directory(bucket, head)
        if not where or name in ("", ".", ".."):
            return False
        try:
            info = os.lstat(where + name)
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode) and info.st_size == size and info.st_mtime_ns == mtime_ns

    def _directory(self, bucket: str, head: str) -> str:
        """The resolved directory of keys under `bucket/head`, with a trailing separator;
        "" when it is not inside the store (then `stat` says why)."""
        root = os.path.realpath(self.store.objects)
        found = os.path.realpath(os.path.join(self.store.objects, bucket, head))
        return found + os.sep if is_within(found, root) and found != root else ""

    def put(self, src: Path, bucket: str, key: str) -> ObjectStat:
        dest, size, digest = self.store.put_object(src, bucket, key)
        return ObjectStat(size=size, sha256=digest, mtime_ns=os.stat(dest).st_mtime_ns)

    def delete(self, bucket: str, key: str) -> bool:
        path = self.store.object_path(bucket, key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _prune_empty(path.parent, self.store.objects)
        return True

    def describe(self, bucket: str, key: str) -> str:
        return str(self.store.object_path(bucket, key))


def _prune_empty(directory: Path, stop: Path) -> None:
    """Remove now-empty directories up to (not including) `stop`."""
    stop = stop.resolve()
    while directory.resolve() != stop and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
