"""The state store: atomic, journaled, refuses what it cannot read, linear in cost."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from segspec.errors import StateError
from segspec.state.model import JobRecord
from segspec.state.store import StateStore


def rec(address: str, status: str = "Finished", **extra: Any) -> JobRecord:
    return JobRecord(
        address=address,
        backend="local",
        request={"JobParams": {"Mode": "UserDefined"}},
        fingerprint="sha256:" + "0" * 64,
        client_token="t" * 32,
        job_id="j" * 32,
        status=status,  # type: ignore[arg-type]
        submitted_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
        **extra,
    )


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "segspec.state.json"


def compacted(path: Path, *records: JobRecord) -> StateStore:
    store = StateStore.open(path)
    for record in records:
        store.put(record)
    store.compact()
    return store


def test_store_compact_writes_sorted_file_and_keeps_backup(state_path: Path) -> None:
    store = compacted(state_path, rec("b"), rec("a"))
    first = state_path.read_bytes()
    data = json.loads(first)
    assert data["format_version"] == 1 and data["serial"] == 2
    assert list(data["jobs"]) == ["a", "b"]
    assert not store.journal_path.exists()
    assert not store.backup_path.exists()  # nothing to back up the first time

    store.put(rec("c", "Failed"))
    store.compact()
    assert store.backup_path.read_bytes() == first
    assert json.loads(state_path.read_bytes())["serial"] == 3
    # No temp files left behind by the atomic writes.
    assert sorted(p.name for p in state_path.parent.iterdir()) == [
        "segspec.state.json",
        "segspec.state.json.backup",
        "segspec.state.json.index",
    ]
    reopened = StateStore.open(state_path)
    assert set(reopened.jobs) == {"a", "b", "c"}
    assert reopened.lineage == store.lineage and reopened.serial == 3


def test_store_journal_replayed_after_crash(state_path: Path) -> None:
    compacted(state_path, rec("a"))
    before = state_path.read_bytes()
    crashed = StateStore.open(state_path)
    crashed.put(rec("b", "Submitting"))
    crashed.put(rec("b", "Executing"))
    crashed.remove("a")
    # The process dies here: no compact. The state file is untouched, the journal has it all.
    assert state_path.read_bytes() == before
    assert len(crashed.journal_path.read_text().splitlines()) == 3
    reloaded = StateStore.open(state_path)
    assert set(reloaded.jobs) == {"b"}
    assert reloaded.jobs["b"].status == "Executing"
    assert reloaded.serial == 4
    reloaded.compact()
    assert not reloaded.journal_path.exists()
    assert json.loads(state_path.read_text())["jobs"]["b"]["status"] == "Executing"


def test_store_journal_only_no_state_file_yet(state_path: Path) -> None:
    crashed = StateStore.open(state_path)
    crashed.put(rec("a", "Created"))
    assert not state_path.exists()
    reloaded = StateStore.open(state_path)
    assert reloaded.jobs["a"].status == "Created"
    assert reloaded.lineage == crashed.lineage


def test_store_torn_last_journal_line_ignored(state_path: Path) -> None:
    crashed = StateStore.open(state_path)
    crashed.put(rec("a"))
    crashed.put(rec("b"))
    with crashed.journal_path.open("a", encoding="utf-8") as handle:
        handle.write('{"lineage": "x", "serial": 3, "op": "put", "addr')  # killed mid-write
    reloaded = StateStore.open(state_path)
    assert set(reloaded.jobs) == {"a", "b"}
    assert reloaded.serial == 2


def test_store_corrupt_middle_journal_line_refused(state_path: Path) -> None:
    crashed = StateStore.open(state_path)
    for name in ("a", "b", "c"):
        crashed.put(rec(name))
    lines = crashed.journal_path.read_text().splitlines()
    lines[1] = "not json at all"
    crashed.journal_path.write_text("\n".join(lines) + "\n")
    journal_bytes = crashed.journal_path.read_bytes()
    with pytest.raises(StateError) as caught:
        StateStore.open(state_path)
    message = str(caught.value)
    assert f"journal {crashed.journal_path} line 2 is corrupt" in message
    assert "move the journal aside" in message
    assert crashed.journal_path.read_bytes() == journal_bytes
    assert not state_path.exists()


def test_store_journal_of_other_lineage_refused(state_path: Path) -> None:
    compacted(state_path, rec("a"))
    other = state_path.parent / "other.json"
    stray = StateStore.open(other)
    stray.put(rec("z"))
    os.replace(stray.journal_path, state_path.with_name(state_path.name + ".journal"))
    with pytest.raises(StateError, match="belongs to another state"):
        StateStore.open(state_path)


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda text: text.replace('"format_version": 1', '"format_version": 99'), "99"),
        (lambda text: text[: len(text) // 2], "is not valid JSON"),
        (lambda text: text.replace('"serial"', '"cereal"'), "is malformed"),
    ],
    ids=["unknown-version", "unparsable", "malformed"],
)
def test_store_unreadable_state_refused_naming_backup(
    state_path: Path, mutate: Any, needle: str
) -> None:
    store = compacted(state_path, rec("a"))
    store.put(rec("b"))
    store.compact()  # now a backup exists
    state_path.write_text(mutate(state_path.read_text()))
    damaged = state_path.read_bytes()
    backup = store.backup_path.read_bytes()
    with pytest.raises(StateError) as caught:
        StateStore.open(state_path)
    message = str(caught.value)
    assert needle in message
    assert str(store.backup_path) in message
    assert state_path.read_bytes() == damaged  # never overwritten
    assert store.backup_path.read_bytes() == backup


def test_store_unreadable_without_backup_says_so(state_path: Path) -> None:
    state_path.write_text("{")
    with pytest.raises(StateError, match="there is no backup"):
        StateStore.open(state_path)
    assert state_path.read_text() == "{"


def test_store_persist_cost_linear_10000_records(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Durability is covered above; here only the bytes written per put matter, so skip the
    # 10,000 fsyncs to keep the test fast on slow disks.
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    store = compacted(state_path, rec("seed"))
    stat = state_path.stat()
    state_bytes = state_path.read_bytes()
    sizes = []
    count = 10_000
    for n in range(count):
        store.put(rec(f"job{n:05d}"))
        if n in (0, 99, 999, count - 1):
            sizes.append((n + 1, store.journal_path.stat().st_size))
    line = sizes[0][1]
    for puts, size in sizes:
        # Each put appends one line of about the same size (only the serial's width varies):
        # no put rewrites what came before.
        assert puts * line <= size <= puts * (line + 5), (puts, size, line)
    # The state file itself is only written at compact.
    after = state_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    assert state_path.read_bytes() == state_bytes
    store.compact()
    assert len(json.loads(state_path.read_text())["jobs"]) == count + 1
    assert not store.journal_path.exists()
    assert len(StateStore.open(state_path).jobs) == count + 1


def test_store_failed_write_keeps_old_state(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = compacted(state_path, rec("a"))
    before = state_path.read_bytes()
    store.put(rec("b"))

    real_replace = os.replace

    def crash(src: str | Path, dst: str | Path) -> None:
        # The disk fills up just as the new state file would be renamed into place.
        if Path(dst) == state_path:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StateError, match=r"No space left.*Nothing is lost"):
        store.compact()
    monkeypatch.undo()
    assert state_path.read_bytes() == before
    assert store.backup_path.read_bytes() == before
    assert sorted(p.name for p in state_path.parent.iterdir()) == [
        "segspec.state.json",
        "segspec.state.json.backup",
        "segspec.state.json.index",
        "segspec.state.json.journal",
    ]  # the temp file is gone
    # The journal still holds the put, so nothing is lost.
    assert set(StateStore.open(state_path).jobs) == {"a", "b"}
