"""The local engine's object store, media catalog and job records, under one root.

Layout (default root `.segspec/` beside the spec directory):
  objects/<Bucket>/<ObjectKey>   outputs and oss:// inputs
  media.json                     the media catalog: MediaId -> object
  jobs/<job id>.json             one record per local job (request, progress, result)
  tmp/                           work files, on the same filesystem so renames are atomic
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from segspec.errors import MediaError
from segspec.spec.paths import Resolver, is_within
from segspec.state.atomic import write_atomic

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class LocalStore:
    """Files of the local engine. Catalog updates are serialized within a process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.jobs_dir = root / "jobs"
        self.tmp = root / "tmp"
        self.catalog_path = root / "media.json"
        self._mutex = threading.Lock()
        self._objects_abs = os.path.abspath(self.objects)
        self._resolver = Resolver()
        """Directories resolved once per store object (a store lives for one command)."""

    def object_path(self, bucket: str, key: str) -> Path:
        """Where `oss://bucket/key` lives locally; refuses keys that would escape the store."""
        return Path(self.object_file(bucket, key))

    def object_file(self, bucket: str, key: str) -> str:
        """`object_path` as a string (drift checks call it once per output)."""
        real = self._resolver.realpath(os.path.join(self._objects_abs, bucket, key), remember=False)
        if not is_within(real, self._resolver.realpath(self._objects_abs)):
            raise MediaError(f"object key {key!r} escapes the store — use a relative key")
        return real

    def put_object(self, src: Path, bucket: str, key: str) -> tuple[Path, int, str]:
        """Move a finished file into place atomically; return (path, size, sha256)."""
        dest = self.object_path(bucket, key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        size, digest = src.stat().st_size, sha256_file(src)
        with src.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(src, dest)
        return dest, size, digest

    def work_dir(self, name: str) -> Path:
        path = self.tmp / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    # --- media catalog --------------------------------------------------------------
    def catalog(self) -> dict[str, dict[str, Any]]:
        if not self.catalog_path.exists():
            return {}
        data: dict[str, dict[str, Any]] = json.loads(self.catalog_path.read_text("utf-8"))
        return data

    def register_media(self, bucket: str, key: str, size: int, sha256: str) -> str:
        """Add an object to the catalog; the MediaId is derived from its place and content."""
        media_id = hashlib.sha256(f"{bucket}/{key}\n{sha256}".encode()).hexdigest()[:32]
        with self._mutex:
            catalog = self.catalog()
            catalog[media_id] = {"bucket": bucket, "key": key, "size": size, "sha256": sha256}
            write_atomic(self.catalog_path, _json(catalog))
        return media_id

    def media_path(self, media_id: str) -> Path | None:
        entry = self.catalog().get(media_id)
        return self.object_path(entry["bucket"], entry["key"]) if entry else None

    # --- job records ------------------------------------------------------------------
    def read_job(self, job_id: str) -> dict[str, Any] | None:
        path = self.jobs_dir / f"{job_id}.json"
        if not path.exists():
            return None
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return data

    def write_job(self, job_id: str, record: dict[str, Any]) -> None:
        write_atomic(self.jobs_dir / f"{job_id}.json", _json(record))


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()
