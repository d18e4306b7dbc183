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

import json
import os
import shutil
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from segspec.errors import StateError
from segspec.state.atomic import fsync_dir, write_atomic
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
        self._journal: IO[str] | None = None
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
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
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
        lines = self.journal_path.read_text(encoding="utf-8").split("\n")
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
        if self._journal is None:
            fresh = not self.journal_path.exists()
            self._journal = self.journal_path.open("a", encoding="utf-8")
            if fresh:
                fsync_dir(self.journal_path.parent)
        self._journal.write(json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())
        self._dirty = True

    def compact(self) -> None:
        """Fold the journal into the state file (atomically, keeping a backup)."""
        with self._mutex:
            if not self._dirty:
                return
            if self.lineage is None:
                self.lineage = str(uuid.uuid4())
            state = StateFile(lineage=self.lineage, serial=self.serial, jobs=self._jobs)
            if self.path.exists():
                tmp = self.backup_path.with_name(self.backup_path.name + ".tmp")
                shutil.copyfile(self.path, tmp)
                os.replace(tmp, self.backup_path)
            write_atomic(self.path, render_state(state).encode())
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            self.journal_path.unlink(missing_ok=True)
            self._dirty = False

    def close(self) -> None:
        """Compact and release the journal handle."""
        self.compact()


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
