"""The local state store: one JSON file plus an append-only journal.

Why a journal: every job transition must be durable as it happens (an interrupted apply
loses nothing that finished), and rewriting a 10,000-job state file per transition would
cost O(jobs²) over an apply. So each transition appends one fsynced JSON line to
`<state>.journal` (O(1)), and the journal is folded into the state file, atomically and
with the previous version kept as `<state>.backup`, when an apply ends (or when the next
command loads a journal left by an interrupted one).

A torn last journal line (the process died mid-write) is ignored; anything else that does
not parse is refused with a message naming the backup, and nothing is overwritten.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from segspec.errors import StateError
from segspec.state.atomic import fsync_dir, write_atomic
from segspec.state.base import LockInfo
from segspec.state.journaled import JournaledState, decode_state, render_state
from segspec.state.lock import StateLock, force_unlock_file

__all__ = ["FileStateBackend", "StateStore", "render_state"]


class StateStore(JournaledState):
    """The jobs of one state file. Thread-safe for `put`/`remove`."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.journal_path = path.with_name(path.name + ".journal")
        self.backup_path = path.with_name(path.name + ".backup")
        self._journal: IO[str] | None = None
        self._read_version: tuple[int, int, int] | None = None
        """(inode, size, mtime_ns) of the file as read: the local file's ETag."""

    @classmethod
    def open(cls, path: Path) -> StateStore:
        """Load the state file and replay any journal an interrupted run left behind."""
        store = cls(path)
        store._load_file()
        store._replay(store._journal_entries())
        return store

    @property
    def location(self) -> str:
        return str(self.path)

    def _load_file(self) -> None:
        if not self.path.exists():
            return
        try:
            self._read_version = _version(self.path)
            data = self.path.read_bytes()
        except OSError as exc:
            raise StateError(f"state {self.path} cannot be read ({exc}). {self._hint()}") from exc
        self._load_document(decode_state(data, str(self.path), self._hint()))

    def _hint(self) -> str:
        if self.backup_path.exists():
            backup = (
                f"the previous version is in {self.backup_path}: inspect it and copy it over "
                f"{self.path} to recover"
            )
        else:
            backup = "there is no backup; fix the file by hand or restore it from version control"
        return f"It has not been changed; {backup}."

    def _journal_entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        if not self.journal_path.exists():
            return
        lines = self.journal_path.read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                if number >= len(lines) - 1:
                    return  # torn final write of a killed process: it never completed
                raise StateError(
                    f"journal {self.journal_path} line {number} is corrupt ({exc}). Nothing "
                    "was changed; move the journal aside to load the state without it."
                ) from exc
            yield f"{self.journal_path} line {number}", entry

    def _write_entry(self, entry: dict[str, Any], line: str) -> None:
        if self._journal is None:
            fresh = not self.journal_path.exists()
            self._journal = self.journal_path.open("a", encoding="utf-8")
            if fresh:
                fsync_dir(self.journal_path.parent)
        self._journal.write(line + "\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())

    def _write_state(self, data: bytes) -> None:
        on_disk = _version(self.path) if self.path.exists() else None
        if on_disk != self._read_version:
            raise StateError(
                f"the state {self.path} changed since it was read (another writer that held "
                "no lock): it was not overwritten — run the command again"
            )
        if self.path.exists():
            tmp = self.backup_path.with_name(self.backup_path.name + ".tmp")
            shutil.copyfile(self.path, tmp)
            os.replace(tmp, self.backup_path)
        write_atomic(self.path, data)
        self._read_version = _version(self.path)

    def _clear_journal(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self.journal_path.unlink(missing_ok=True)


def _version(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


class FileStateBackend:
    """A state kept in a local file (the default: segspec.state.json)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def lock(self, *, timeout: float = 0.0, command: str = "") -> AbstractContextManager[object]:
        return StateLock(self.path, timeout=timeout, command=command)

    def open(self) -> StateStore:
        return StateStore.open(self.path)

    def force_unlock(self, lock_id: str) -> LockInfo:
        return force_unlock_file(self.path, lock_id)

    def check(self) -> list[str]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock(command="segspec init"):
            state = self.open()
        jobs = len(state.jobs)
        return [
            f"state file {self.path}: {'exists' if state.exists else 'not created yet'}, "
            f"{jobs} job{'s' if jobs != 1 else ''}",
            f"lock {self.path.name}.lock: taken and released",
        ]
