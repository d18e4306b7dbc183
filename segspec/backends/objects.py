"""Where outputs live, seen as objects: stat them for drift, delete them for destroy.

Each store answers for one backend's outputs. The local store compares size and sha256;
S3-compatible stores (OSS for ICE outputs) compare size and ETag.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from segspec.backends.local.inputs import HashCache
from segspec.backends.local.store import LocalStore, sha256_file


@dataclass(frozen=True)
class ObjectStat:
    size: int
    sha256: str | None = None
    etag: str | None = None


class ObjectStore(Protocol):
    """Reads and deletes output objects; never creates them (backends do)."""

    def stat(self, bucket: str, key: str) -> ObjectStat | None:
        """The object's size and checksum, or None when it does not exist."""
        ...

    def delete(self, bucket: str, key: str) -> bool:
        """Delete the object; False when it was already gone."""
        ...

    def describe(self, bucket: str, key: str) -> str:
        """Where the object is, for messages."""
        ...


class LocalObjects:
    """Objects in the local engine's store directory."""

    def __init__(self, store: LocalStore, cache: HashCache | None = None) -> None:
        self.store = store
        self.cache = cache
        """When given, checksums of unchanged files (same size and mtime) are not reread."""

    def stat(self, bucket: str, key: str) -> ObjectStat | None:
        path = self.store.object_path(bucket, key)
        if not path.is_file():
            return None
        if self.cache is not None:
            found = self.cache.identity(path)
            return ObjectStat(size=found["size"], sha256=found["sha256"])
        return ObjectStat(size=path.stat().st_size, sha256=sha256_file(path))

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
