"""The contract every object store honours (local store directory, S3-compatible).

Subclass `ObjectStoreContract` (name starting with `Test`) and provide `objects`: a fresh,
empty store in which bucket `BUCKET` exists.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from segspec.backends.objects import ObjectStore

BUCKET = "contract-objects"


def finished_file(tmp_path: Path, name: str, body: bytes) -> Path:
    path = tmp_path / "work" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


class ObjectStoreContract:
    def test_objects_put_then_stat_size_and_checksum(
        self, objects: ObjectStore, tmp_path: Path
    ) -> None:
        body = b"clip bytes " * 100
        put = objects.put(finished_file(tmp_path, "a.mp4", body), BUCKET, "clips/a_0.mp4")
        found = objects.stat(BUCKET, "clips/a_0.mp4")
        assert found == put
        assert found is not None and found.size == len(body)
        # Each store names the content its own way: sha256 locally, the ETag in S3.
        assert found.sha256 == hashlib.sha256(body).hexdigest() or found.etag

    def test_objects_put_consumes_the_source(self, objects: ObjectStore, tmp_path: Path) -> None:
        src = finished_file(tmp_path, "b.mp4", b"x")
        objects.put(src, BUCKET, "clips/b_0.mp4")
        assert not src.exists()

    def test_objects_put_replaces_and_checksum_changes(
        self, objects: ObjectStore, tmp_path: Path
    ) -> None:
        first = objects.put(finished_file(tmp_path, "c1", b"first"), BUCKET, "k/c.mp4")
        second = objects.put(finished_file(tmp_path, "c2", b"second!"), BUCKET, "k/c.mp4")
        assert second != first and objects.stat(BUCKET, "k/c.mp4") == second

    def test_objects_missing_is_none(self, objects: ObjectStore) -> None:
        assert objects.stat(BUCKET, "clips/none.mp4") is None

    def test_objects_delete_only_that_object(self, objects: ObjectStore, tmp_path: Path) -> None:
        for name in ("d_0.mp4", "d_1.mp4"):
            objects.put(finished_file(tmp_path, name, name.encode()), BUCKET, f"clips/{name}")
        assert objects.delete(BUCKET, "clips/d_0.mp4") is True
        assert objects.stat(BUCKET, "clips/d_0.mp4") is None
        assert objects.stat(BUCKET, "clips/d_1.mp4") is not None
        assert objects.delete(BUCKET, "clips/d_0.mp4") is False

    def test_objects_describe_names_bucket_and_key(self, objects: ObjectStore) -> None:
        where = objects.describe(BUCKET, "clips/e_0.mp4")
        assert BUCKET in where and where.endswith("clips/e_0.mp4")
