"""The state store: one JSON file plus an append-only journal.

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

import contextlib
import json
import os
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from segspec.errors import StateError, os_error_message
from segspec.state.atomic import copy_atomic, fsync_dir, open_private, write_atomic
from segspec.state.model import STATE_FORMAT_VERSION, JobRecord, StateFile


class StateStore:
    """The jobs of one state file. Thread-safe for `put`/`remove`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal_path = path.with_name(path.name + ".journal")
        self.backup_path = path.with_name(path.name + ".backup")
        self.lineage: str | None = None
        self.serial = 0
        self._jobs: dict[str, JobRecord] = {}
        self._journal: int | None = None
        """File descriptor of the journal, opened for appending on the first change."""
        self._mutex = threading.Lock()
        self._dirty = False

    # --- reading -------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path) -> StateStore:
        """Load the state file and replay any journal an interrupted run left behind."""
        store = cls(path)
        store._load_file()
        store._replay_journal()
        return store

    @property
    def jobs(self) -> Mapping[str, JobRecord]:
        """A snapshot of the records, by address."""
        with self._mutex:
            return dict(self._jobs)

    def get(self, address: str) -> JobRecord | None:
        with self._mutex:
            return self._jobs.get(address)

    @property
    def exists(self) -> bool:
        return self.lineage is not None

    def _load_file(self) -> None:
        if not self.path.exists():
            self._refuse_orphan_journal()
            return
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise StateError(
                f"state file {self.path} cannot be read: {exc.strerror or exc} — fix its "
                f"permissions (e.g. chmod 600 {self.path}) and run the command again. It has "
                "not been changed."
            ) from exc
        try:
            raw = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise StateError(self._unreadable(f"is not valid JSON ({exc})")) from exc
        version = raw.get("format_version") if isinstance(raw, dict) else None
        if version != STATE_FORMAT_VERSION:
            raise StateError(
                f"state file {self.path} has format_version {version!r}; this segspec reads "
                f"version {STATE_FORMAT_VERSION} — use the segspec release that wrote it, or "
                f"restore {self.backup_path}. The file has not been changed."
            )
        try:
            state = StateFile.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise StateError(self._unreadable(f"is malformed at {where}: {first['msg']}")) from exc
        self.lineage, self.serial, self._jobs = state.lineage, state.serial, dict(state.jobs)

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

    def _unreadable(self, what: str) -> str:
        backup = (
            f"the previous version is in {self.backup_path}: inspect it and copy it over "
            f"{self.path} to recover"
            if self.backup_path.exists()
            else "there is no backup; fix the file by hand or restore it from version control"
        )
        return f"state file {self.path} {what}. It has not been changed; {backup}."

    def _replay_journal(self) -> None:
        if not self.journal_path.exists():
            return
        try:
            lines = self.journal_path.read_text(encoding="utf-8").split("\n")
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
                    break  # torn final write of a killed process: it never completed
                raise StateError(
                    f"journal {self.journal_path} line {number} is corrupt ({exc}). Nothing "
                    "was changed; move the journal aside to load the state without it."
                ) from exc
            self._apply_entry(entry, number)
        self._dirty = True

    def _apply_entry(self, entry: dict[str, Any], number: int) -> None:
        if self.lineage is not None and entry.get("lineage") != self.lineage:
            raise StateError(
                f"journal {self.journal_path} line {number} belongs to another state "
                f"(lineage {entry.get('lineage')}, state has {self.lineage}) — move it aside"
            )
        if entry["serial"] <= self.serial:
            return  # already folded into the state file before a crash removed the journal
        self.lineage, self.serial = entry["lineage"], entry["serial"]
        if entry["op"] == "put":
            self._jobs[entry["address"]] = JobRecord.model_validate(entry["record"])
        else:
            self._jobs.pop(entry["address"], None)

    # --- writing -------------------------------------------------------------------
    def put(self, record: JobRecord) -> None:
        """Record `record` durably (one fsynced journal line) before returning."""
        with self._mutex:
            self._jobs[record.address] = record
            self._append({"op": "put", "address": record.address, "record": _dump(record)})

    def remove(self, address: str) -> None:
        """Forget `address` durably."""
        with self._mutex:
            if self._jobs.pop(address, None) is not None:
                self._append({"op": "rm", "address": address})

    def _append(self, entry: dict[str, Any]) -> None:
        if self.lineage is None:
            self.lineage = str(uuid.uuid4())
        self.serial += 1
        entry = {"lineage": self.lineage, "serial": self.serial, **entry}
        line = (json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n").encode()
        try:
            append_durably(self, line)
        except OSError as exc:
            raise StateError(
                os_error_message(exc, f"recording {entry['address']} in {self.journal_path}")
                + ". Everything recorded before is kept; the journal is folded into the "
                "state by the next command."
            ) from exc
        self._dirty = True

    def compact(self) -> None:
        """Fold the journal into the state file (atomically, keeping a backup)."""
        with self._mutex:
            if not self._dirty:
                return
            if self.lineage is None:
                self.lineage = str(uuid.uuid4())
            state = StateFile(lineage=self.lineage, serial=self.serial, jobs=self._jobs)
            try:
                if self.path.exists():
                    copy_atomic(self.path, self.backup_path)
                write_atomic(self.path, render_state(state).encode())
            except OSError as exc:
                raise StateError(
                    os_error_message(exc, f"writing the state file {self.path}")
                    + f". Nothing is lost: every change is in {self.journal_path}, which the "
                    "next command folds into the state."
                ) from exc
            if self._journal is not None:
                os.close(self._journal)
                self._journal = None
            self.journal_path.unlink(missing_ok=True)
            self._dirty = False

    def close(self) -> None:
        """Compact and release the journal handle."""
        self.compact()


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


def _dump(record: JobRecord) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude_none=True)


def render_state(state: StateFile) -> str:
    """The state file's bytes: sorted keys and stable layout, so diffs review well."""
    body = {
        "format_version": state.format_version,
        "lineage": state.lineage,
        "serial": state.serial,
        "jobs": {address: _dump(record) for address, record in sorted(state.jobs.items())},
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
