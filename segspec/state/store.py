"""The local state store: one JSON file plus an append-only journal.

Why a journal: every job transition must be durable as it happens (an interrupted apply
loses nothing that finished), and rewriting a 10,000-job state file per transition would
cost O(jobs²) over an apply. So each transition appends one fsynced JSON line to
`<state>.journal` (O(1)), and the journal is folded into the state file, atomically and
with the previous version kept as `<state>.backup`, when an apply ends (or when the next
command loads a journal left by an interrupted one). State, journal and backup are
created private to the user (0600).

A torn last journal line (the process died mid-write) is ignored; anything else that does
not parse is refused with a message naming the backup, and nothing is overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from segspec.errors import StateError, os_error_message
from segspec.state.atomic import copy_atomic, fsync_dir, open_private, write_atomic
from segspec.state.base import LockInfo
from segspec.state.journaled import JournaledState, decode_state, render_state
from segspec.state.lock import StateLock, force_unlock_file

__all__ = ["FileStateBackend", "StateStore", "append_durably", "render_state"]


class StateStore(JournaledState):
    """The jobs of one state file. Thread-safe for `put`/`remove`."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.journal_path = path.with_name(path.name + ".journal")
        self.backup_path = path.with_name(path.name + ".backup")
        self._journal: int | None = None
        """File descriptor of the journal, opened for appending on the first change."""
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

    # --- reading ----------------------------------------------------------------------
    def _load_file(self) -> None:
        if not self.path.exists():
            self._refuse_orphan_journal()
            return
        try:
            self._read_version = _version(self.path)
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise StateError(
                f"state file {self.path} cannot be read: {exc.strerror or exc} — fix its "
                f"permissions (e.g. chmod 600 {self.path}) and run the command again. It has "
                "not been changed."
            ) from exc
        except UnicodeDecodeError as exc:
            raise StateError(
                f"state file {self.path} is not valid JSON (not UTF-8: {exc}). {self._hint()}"
            ) from exc
        data = text.encode()
        self._load_document(decode_state(data, f"file {self.path}", self._hint()))
        self._document_bytes = len(data)

    def _hint(self) -> str:
        if self.backup_path.exists():
            backup = (
                f"the previous version is in {self.backup_path}: inspect it and copy it over "
                f"{self.path} to recover"
            )
        else:
            backup = "there is no backup; fix the file by hand or restore it from version control"
        return f"It has not been changed; {backup}."

    def _refuse_orphan_journal(self) -> None:
        """A journal whose first entry does not start a fresh state means the state file
        it continues was deleted or moved: planning from the journal alone would recreate
        every job the journal does not hold."""
        first = first_journal_serial(self.journal_path)
        if first is None or first <= 1:
            return  # no journal, or one that starts from an empty state (a first apply)
        restore = (
            f"restore it with `cp {self.backup_path} {self.path}` (the backup may miss the "
            "latest changes, which the journal then adds back)"
            if self.backup_path.exists()
            else "restore it from version control or wherever it was moved"
        )
        raise StateError(
            f"state file {self.path} is missing, but its journal {self.journal_path} "
            f"continues a state (its first change is serial {first}). The state was "
            f"deleted or moved; {restore}, then run the command again. To start from an "
            f"empty state instead, move {self.journal_path} aside. Nothing was changed."
        )

    def _journal_entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        if not self.journal_path.exists():
            return
        try:
            text = self.journal_path.read_text(encoding="utf-8")
            self._journal_bytes = len(text.encode())
            lines = text.split("\n")
        except OSError as exc:
            raise StateError(
                f"journal {self.journal_path} cannot be read: {exc.strerror or exc} — fix "
                "its permissions and run the command again. Nothing was changed."
            ) from exc
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                if number >= len(lines) - 1:
                    # torn final write of a killed process: it never completed. Fold at the
                    # next compact, so no later entry is ever appended after the torn line.
                    self._must_fold = True
                    return
                raise StateError(
                    f"journal {self.journal_path} line {number} is corrupt ({exc}). Nothing "
                    "was changed; move the journal aside to load the state without it."
                ) from exc
            yield f"{self.journal_path} line {number}", entry

    # --- writing ----------------------------------------------------------------------
    def _write_entry(self, entry: dict[str, Any], line: str) -> None:
        try:
            append_durably(self, (line + "\n").encode())
        except OSError as exc:
            raise StateError(
                os_error_message(exc, f"recording {entry['address']} in {self.journal_path}")
                + ". Everything recorded before is kept; the journal is folded into the "
                "state by the next command."
            ) from exc

    def _write_state(self, data: bytes) -> None:
        on_disk = _version(self.path) if self.path.exists() else None
        if on_disk != self._read_version:
            raise StateError(
                f"the state {self.path} changed since it was read (another writer that held "
                "no lock): it was not overwritten — run the command again"
            )
        try:
            if self.path.exists():
                copy_atomic(self.path, self.backup_path)
            write_atomic(self.path, data)
        except OSError as exc:
            raise StateError(
                os_error_message(exc, f"writing the state file {self.path}")
                + f". Nothing is lost: every change is in {self.journal_path}, which the "
                "next command folds into the state."
            ) from exc
        self._read_version = _version(self.path)

    def _clear_journal(self) -> None:
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None
        self.journal_path.unlink(missing_ok=True)


def append_durably(store: StateStore, line: bytes) -> None:
    """Append one journal line and fsync it; on failure cut the journal back to where it
    was (no torn line is left for a later entry to follow) and let the OSError through."""
    if store._journal is None:
        fresh = not store.journal_path.exists()
        store._journal = open_private(store.journal_path, os.O_WRONLY | os.O_APPEND)
        if fresh:
            fsync_dir(store.journal_path.parent)
    fd = store._journal
    start = os.lseek(fd, 0, os.SEEK_END)
    try:
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, start)
            if start == 0:  # the journal this append created holds nothing: remove it
                os.close(fd)
                store._journal = None
                store.journal_path.unlink()
        raise


def first_journal_serial(path: Path) -> int | None:
    """The serial of a journal's first complete entry, or None (no journal, none readable)."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 20)
    except FileNotFoundError:
        return None
    except OSError:
        return None  # reported when the journal is replayed
    try:
        serial = json.loads(first).get("serial")
    except (ValueError, AttributeError):
        return None
    return serial if isinstance(serial, int) else None


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
