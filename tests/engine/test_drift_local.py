"""Drift of outputs in the local engine's store: the quick check (one `lstat`, each
directory resolved once) and what falls back to the full comparison."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from segspec.backends.local.inputs import HashCache
from segspec.backends.local.objects import LocalObjects
from segspec.backends.local.store import LocalStore
from segspec.engine.drift import gather_drift
from segspec.errors import MediaError
from segspec.state.summary import OutputSummary, RecordSummary

BUCKET = "clips"


@pytest.fixture
def objects(tmp_path: Path) -> LocalObjects:
    store = LocalStore(tmp_path / "store")
    return LocalObjects(store, HashCache(tmp_path / "store" / "cache" / "sha256.json"))


def write(objects: LocalObjects, key: str, data: bytes) -> OutputSummary:
    """Put `data` at `key` and return its output as recorded."""
    path = objects.store.objects / BUCKET / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    info = path.stat()
    digest = hashlib.sha256(data).hexdigest()
    return OutputSummary.of(BUCKET, key, info.st_size, digest, None, info.st_mtime_ns)


def job(*outputs: OutputSummary) -> dict[str, RecordSummary]:
    summary = RecordSummary("a", "local", "f", "Finished", 1, False, None, outputs, None)
    return {"a": summary}


def test_unchanged_file_is_quick_and_not_hashed(objects: LocalObjects) -> None:
    out = write(objects, "ep/one.mp4", b"clip")
    assert objects.unchanged(BUCKET, out.object_key, out.size or 0, out.mtime_ns or 0)
    assert gather_drift(job(out), ["a"], objects) == {}
    assert objects.cache is not None and objects.cache.hashed == 0


def test_changed_size_missing_and_rewritten_files_drift(objects: LocalObjects) -> None:
    grown, gone, rewritten = (write(objects, f"{n}.mp4", b"1234") for n in ("g", "m", "r"))
    (objects.store.objects / BUCKET / "g.mp4").write_bytes(b"12345")
    (objects.store.objects / BUCKET / "m.mp4").unlink()
    path = objects.store.objects / BUCKET / "r.mp4"
    path.write_bytes(b"abcd")  # same size, new content and mtime
    os.utime(path, ns=(0, (rewritten.mtime_ns or 0) + 10**9))
    reasons = gather_drift(job(grown, gone, rewritten), ["a"], objects)["a"]
    assert reasons[0].startswith(f"output changed: {BUCKET}/g.mp4 size")
    assert reasons[1] == f"output missing: {BUCKET}/m.mp4"
    assert reasons[2].startswith(f"output changed: {BUCKET}/r.mp4 content sha256")


def test_symlinked_output_is_compared_in_full(objects: LocalObjects, tmp_path: Path) -> None:
    out = write(objects, "real.mp4", b"clip")
    link = objects.store.objects / BUCKET / "link.mp4"
    link.symlink_to("real.mp4")
    linked = OutputSummary.of(BUCKET, "link.mp4", out.size, out.sha256, None, out.mtime_ns)
    assert not objects.unchanged(BUCKET, "link.mp4", out.size or 0, out.mtime_ns or 0)
    assert gather_drift(job(linked), ["a"], objects) == {}  # same content: no drift
    (objects.store.objects / BUCKET / "real.mp4").write_bytes(b"CLIP")
    (reason,) = gather_drift(job(linked), ["a"], objects)["a"]
    assert "content sha256" in reason


def test_directory_leading_out_of_the_store_is_refused(
    objects: LocalObjects, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.mp4").write_bytes(b"clip")
    (objects.store.objects / BUCKET).mkdir(parents=True)
    (objects.store.objects / BUCKET / "out").symlink_to(outside)
    info = (outside / "x.mp4").stat()
    out = OutputSummary.of(BUCKET, "out/x.mp4", info.st_size, "0" * 64, None, info.st_mtime_ns)
    assert not objects.unchanged(BUCKET, out.object_key, info.st_size, info.st_mtime_ns)
    for key in ("../x.mp4", "a/..", "a/."):
        assert not objects.unchanged(BUCKET, key, info.st_size, info.st_mtime_ns)
    with pytest.raises(MediaError, match="escapes the store"):
        gather_drift(job(out), ["a"], objects)
