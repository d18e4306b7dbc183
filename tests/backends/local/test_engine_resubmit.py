"""Resubmitting a token the local engine has seen: same job, re-cut only if outputs went."""

from __future__ import annotations

from pathlib import Path

from segspec.backends.base import JobState
from segspec.backends.local.engine import LocalBackend
from segspec.backends.local.store import LocalStore
from tests.backends.contract import BUCKET
from tests.backends.local.test_contract_local import request_for


def test_engine_resubmit_same_token_with_intact_outputs_does_not_recut(
    tmp_path: Path, numbered_video: Path
) -> None:
    backend = LocalBackend(LocalStore(tmp_path / ".segspec"))
    job = request_for(str(numbered_video), "a", [(0.0, 1.0)], False, "tok-a")
    first = backend.submit(job)
    clip = backend.store.object_path(BUCKET, "a/clip_0.mp4")
    before = clip.stat()
    assert backend.submit(job) == first
    after = clip.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_engine_resubmit_same_token_after_outputs_deleted_recuts(
    tmp_path: Path, numbered_video: Path
) -> None:
    backend = LocalBackend(LocalStore(tmp_path / ".segspec"))
    job = request_for(str(numbered_video), "a", [(0.0, 1.0)], False, "tok-a")
    first = backend.submit(job)
    clip = backend.store.object_path(BUCKET, "a/clip_0.mp4")
    clip.unlink()  # e.g. the job was forgotten with `state rm` and its outputs removed
    assert backend.submit(job) == first
    assert clip.is_file() and clip.stat().st_size > 0
    assert backend.get(first).state is JobState.FINISHED
