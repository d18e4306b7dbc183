"""Faults on the user's side of the state store: disk full, permissions, missing files.

Disk full is simulated by fault injection at the `os.write` / `os.fsync` boundary (the
calls the store makes), so the test runs unprivileged; `benchmarks/hostile.py --tmpfs`
repeats the journal case on a real 64 KB tmpfs when run as root.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from segspec.cli.main import entrypoint
from segspec.errors import LockError, StateError
from segspec.state.lock import StateLock
from segspec.state.store import StateStore
from tests.spec.hostile import job
from tests.state.test_store import compacted, rec, state_path

__all__ = ["state_path"]  # the fixture


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_faults_every_state_artifact_is_0600(state_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = compacted(state_path, rec("a"))
        store.put(rec("b"))  # journal now exists
        assert mode(store.journal_path) == 0o600
        store.compact()  # writes the backup
        with StateLock(state_path):
            assert mode(state_path.with_name(state_path.name + ".lock")) == 0o600
    finally:
        os.umask(old)
    assert mode(state_path) == 0o600
    assert mode(store.backup_path) == 0o600


def test_faults_saved_plan_is_0600(project: Callable[[str], Path]) -> None:
    root = project(job())
    old = os.umask(0o022)
    try:
        code = entrypoint(["--specs", str(root / "specs"), "plan", "--out", str(root / "p.json")])
    finally:
        os.umask(old)
    assert code == 0
    assert mode(root / "p.json") == 0o600


def test_faults_disk_full_during_journal_append(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = compacted(state_path, rec("a"))
    store.put(rec("b"))
    journal_before = store.journal_path.read_bytes()
    real_write = os.write

    def half_then_full(fd: int, data: bytes | memoryview) -> int:
        # the first call gets half the line onto the disk, the next finds it full
        if len(data) > 10 and not getattr(half_then_full, "done", False):
            half_then_full.done = True  # type: ignore[attr-defined]
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(StateError, match=r"No space left on device.*free some space"):
        store.put(rec("c"))
    monkeypatch.undo()
    assert store.journal_path.read_bytes() == journal_before  # torn half line cut away
    reopened = StateStore.open(state_path)
    assert sorted(reopened.jobs) == ["a", "b"]  # nothing already recorded is lost


def test_faults_disk_full_on_final_state_write_leaves_no_temp(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = compacted(state_path, rec("a"))
    store.put(rec("b"))
    before = state_path.read_bytes()

    def full(fd: int) -> None:
        # buffered writes reach the disk at fsync, which is where a full disk reports
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StateError, match="Nothing is lost"):
        store.compact()
    monkeypatch.undo()
    assert state_path.read_bytes() == before
    assert sorted(p.name for p in state_path.parent.iterdir()) == [
        "segspec.state.json",
        "segspec.state.json.index",
        "segspec.state.json.journal",
    ]  # no backup.tmp or state temp file stays behind
    assert sorted(StateStore.open(state_path).jobs) == ["a", "b"]


def test_faults_unreadable_state_says_unreadable(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compacted(state_path, rec("a"))
    real = os.open

    def denied(path: object, *args: Any, **kwargs: Any) -> int:
        if Path(str(path)) == state_path:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    # (as root, chmod 000 does not stop reads, so the refusal is injected)
    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(StateError) as caught:
        StateStore.open(state_path)
    message = str(caught.value)
    assert "cannot be read: Permission denied" in message and "chmod" in message
    assert "not valid JSON" not in message


def test_faults_missing_state_with_journal_refused(state_path: Path) -> None:
    store = compacted(state_path, rec("a"), rec("b"))
    store.put(rec("c"))  # journal continues serial 3
    state_path.unlink()
    with pytest.raises(StateError) as caught:
        StateStore.open(state_path)
    message = str(caught.value)
    assert "is missing, but its journal" in message and "serial 3" in message
    assert "move" in message and "aside" in message
    assert store.journal_path.exists()  # nothing changed


def test_faults_missing_state_with_journal_names_backup(state_path: Path) -> None:
    store = compacted(state_path, rec("a"))
    store.put(rec("b"))
    store.compact()  # backup now exists
    store.put(rec("c"))
    state_path.unlink()
    with pytest.raises(StateError, match=r"cp .*\.backup"):
        StateStore.open(state_path)


def test_faults_first_apply_journal_without_state_still_loads(state_path: Path) -> None:
    store = StateStore.open(state_path)
    store.put(rec("a"))  # a first apply killed before it compacted: serial starts at 1
    assert sorted(StateStore.open(state_path).jobs) == ["a"]


def test_faults_lock_on_read_only_directory(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*args: object, **kwargs: object) -> int:
        raise OSError(errno.EROFS, "Read-only file system", str(state_path) + ".lock")

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(LockError, match=r"Read-only file system.*writable location"):
        StateLock(state_path).__enter__()


def test_faults_journal_is_json_lines_after_recovery(state_path: Path) -> None:
    store = compacted(state_path, rec("a"))
    store.put(rec("b"))
    lines = store.journal_path.read_text().splitlines()
    assert [json.loads(line)["address"] for line in lines] == ["b"]


def test_faults_disk_full_on_first_append_leaves_no_journal(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore.open(state_path)

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StateError, match="No space left on device"):
        store.put(rec("a"))
    monkeypatch.undo()
    assert list(state_path.parent.iterdir()) == []  # no empty journal, no temp file
