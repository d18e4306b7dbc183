"""Where outputs live, seen as objects: write them, stat them for drift, delete them.

Each store answers for one place's objects: the local engine's store directory compares
size and sha256; S3-compatible stores (OSS, AWS S3, ...) compare size and ETag. One
contract suite (tests/backends/objects_contract.py) runs on every implementation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class ObjectStat:
    size: int
    sha256: str | None = None
    etag: str | None = None
    mtime_ns: int | None = None
    """A local file's mtime (local store only)."""


class ObjectStore(Protocol):
    """Objects by (bucket, key)."""

    def stat(self, bucket: str, key: str) -> ObjectStat | None:
        """The object's size and checksum, or None when it does not exist."""
        ...

    def put(self, src: Path, bucket: str, key: str) -> ObjectStat:
        """Store the finished file `src` as the object (src is consumed); readers see the
        old object or the whole new one, never part of it."""
        ...

    def delete(self, bucket: str, key: str) -> bool:
        """Delete the object; False when it was already gone."""
        ...

    def describe(self, bucket: str, key: str) -> str:
        """Where the object is, for messages."""
        ...


class RoutedObjects:
    """Objects of several stores, picked by bucket (a job's OutputConfig.Endpoint decides
    which store its bucket lives in); other buckets go to `default`."""

    def __init__(self, default: ObjectStore, by_bucket: Mapping[str, ObjectStore]) -> None:
        self.default = default
        self.by_bucket = dict(by_bucket)

    def _pick(self, bucket: str) -> ObjectStore:
        return self.by_bucket.get(bucket, self.default)

    def stat(self, bucket: str, key: str) -> ObjectStat | None:
        return self._pick(bucket).stat(bucket, key)

    def unchanged(self, bucket: str, key: str, size: int, mtime_ns: int) -> bool:
        """The picked store's quick check (a local store's), else False (check in full)."""
        quick = getattr(self._pick(bucket), "unchanged", None)
        return bool(quick(bucket, key, size, mtime_ns)) if quick is not None else False

    def put(self, src: Path, bucket: str, key: str) -> ObjectStat:
        return self._pick(bucket).put(src, bucket, key)

    def delete(self, bucket: str, key: str) -> bool:
        return self._pick(bucket).delete(bucket, key)

    def describe(self, bucket: str, key: str) -> str:
        return self._pick(bucket).describe(bucket, key)
