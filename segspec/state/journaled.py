"""The part of a journaled state that does not depend on where it is kept.

Jobs live in memory; every change becomes one journal entry `{lineage, serial, op, ...}`
written durably by the subclass (`_write_entry`) before the change returns; `compact()`
renders the whole state and hands it to the subclass (`_write_state`), which keeps the
previous version and then drops the journal (`_clear_journal`). Loading decodes the state
document (`decode_state`) and replays whatever journal entries are left.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from segspec.errors import StateError
from segspec.gcpause import collector_paused
from segspec.state.model import STATE_FORMAT_VERSION, JobRecord, StateFile
from segspec.state.summary import RecordSummary, summarize


def decode_state(data: bytes, where: str, unreadable: str) -> StateFile:
    """Parse a state document; refuse an unknown format_version or a malformed one.

    `unreadable` is the sentence about the backup that ends every refusal.
    """
    try:  # pydantic parses and validates in one pass (about twice as fast as below)
        with collector_paused():
            return StateFile.model_validate_json(data)
    except ValidationError:
        pass  # the checks below say what is wrong, in the user's terms
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise StateError(f"state {where} is not valid JSON ({exc}). {unreadable}") from exc
    version = raw.get("format_version") if isinstance(raw, dict) else None
    if version != STATE_FORMAT_VERSION:
        raise StateError(
            f"state {where} has format_version {version!r}; this segspec reads version "
            f"{STATE_FORMAT_VERSION} — use the segspec release that wrote it. {unreadable}"
        )
    try:
        return StateFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(p) for p in first["loc"])
        raise StateError(
            f"state {where} is malformed at {at}: {first['msg']}. {unreadable}"
        ) from exc


def encode_entry(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"))


def dump_record(record: JobRecord) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude_none=True)


def render_state(state: StateFile) -> str:
    """The state document: sorted keys and stable layout, so diffs review well."""
    body = {
        "format_version": state.format_version,
        "lineage": state.lineage,
        "serial": state.serial,
        "jobs": {address: dump_record(record) for address, record in sorted(state.jobs.items())},
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


FOLD_RATIO = 8
"""A large state is folded once its journal holds 1/FOLD_RATIO of the document's bytes."""
FOLD_ALWAYS_BELOW = 1 << 20
"""A state document smaller than this (about 400 jobs) is folded at every `compact()`."""


class JournaledState:
    """Jobs in memory, made durable one journal entry at a time; see the module doc.

    The fold is amortized: rewriting the document costs its size, so a large state is
    rewritten only once the journal has grown to 1/FOLD_RATIO of it, and until then the
    journal (already durable, and replayed by every open) simply stays. Each journaled
    byte thus costs at most FOLD_RATIO bytes of folding, however large the state; an apply
    of one changed job at 100,000 jobs appends a few lines instead of rewriting 100,000
    records. Small states are folded every time, so the file stays complete for review.
    """

    keeps_journal = True
    """Whether `compact()` may leave a small journal in place (False where each journal
    entry costs a request on every open)."""

    def __init__(self) -> None:
        self.lineage: str | None = None
        self.serial = 0
        self._jobs: dict[str, JobRecord] = {}
        self._mutex = threading.Lock()
        self._dirty = False
        self._must_fold = False
        """Set by `adopt`: those jobs are in no journal, only a fold makes them durable."""
        self._document_bytes = 0
        """Size of the state document as last read or written."""
        self._journal_bytes = 0
        """Size of the journal not yet folded (as replayed, plus what this run appended)."""

    # --- what a store provides ------------------------------------------------------
    @property
    def location(self) -> str:
        raise NotImplementedError

    def _write_entry(self, entry: dict[str, Any], line: str) -> None:
        raise NotImplementedError

    def _write_state(self, data: bytes) -> None:
        raise NotImplementedError

    def _clear_journal(self) -> None:
        raise NotImplementedError

    # --- reading ----------------------------------------------------------------------
    @property
    def jobs(self) -> Mapping[str, JobRecord]:
        with self._mutex:
            return dict(self._jobs)

    def get(self, address: str) -> JobRecord | None:
        with self._mutex:
            return self._jobs.get(address)

    def summaries(self) -> Mapping[str, RecordSummary]:
        with self._mutex:
            return {address: summarize(record) for address, record in self._jobs.items()}

    def records(self, addresses: Iterable[str]) -> dict[str, JobRecord]:
        with self._mutex:
            return {a: r for a in addresses if (r := self._jobs.get(a)) is not None}

    @property
    def exists(self) -> bool:
        return self.lineage is not None

    def _load_document(self, state: StateFile) -> None:
        self.lineage, self.serial, self._jobs = state.lineage, state.serial, dict(state.jobs)

    def _replay(self, entries: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Apply journal entries `(where, entry)` in order; marks the state for a fold."""
        replayed = False
        for where, entry in entries:
            if self.lineage is not None and entry.get("lineage") != self.lineage:
                raise StateError(
                    f"journal {where} belongs to another state (lineage "
                    f"{entry.get('lineage')}, state has {self.lineage}) — move it aside"
                )
            replayed = True
            if entry["serial"] <= self.serial:
                continue  # already folded into the state before a crash left the journal
            self.lineage, self.serial = entry["lineage"], entry["serial"]
            if entry["op"] == "put":
                self._jobs[entry["address"]] = JobRecord.model_validate(entry["record"])
            else:
                self._jobs.pop(entry["address"], None)
        if replayed:
            self._dirty = True

    # --- writing ----------------------------------------------------------------------
    def put(self, record: JobRecord) -> None:
        with self._mutex:
            self._jobs[record.address] = record
            self._append({"op": "put", "address": record.address, "record": dump_record(record)})

    def remove(self, address: str) -> None:
        with self._mutex:
            if self._jobs.pop(address, None) is not None:
                self._append({"op": "rm", "address": address})

    def _append(self, entry: dict[str, Any]) -> None:
        if self.lineage is None:
            self.lineage = str(uuid.uuid4())
        self.serial += 1
        entry = {"lineage": self.lineage, "serial": self.serial, **entry}
        line = encode_entry(entry)
        self._write_entry(entry, line)
        self._journal_bytes += len(line) + 1
        self._dirty = True

    def adopt(self, lineage: str, serial: int, jobs: Mapping[str, JobRecord]) -> None:
        with self._mutex:
            if self._jobs:
                raise StateError(
                    f"the state {self.location} already holds {len(self._jobs)} jobs — "
                    "refusing to replace them; remove that state first if it is not needed"
                )
            self.lineage, self.serial, self._jobs = lineage, serial, dict(jobs)
            self._dirty = self._must_fold = True

    def compact(self) -> None:
        with self._mutex:
            if not self._dirty or self._may_defer():
                return
            if self.lineage is None:
                self.lineage = str(uuid.uuid4())
            state = StateFile(lineage=self.lineage, serial=self.serial, jobs=self._jobs)
            data = render_state(state).encode()
            self._write_state(data)
            self._clear_journal()
            self._dirty = self._must_fold = False
            self._document_bytes, self._journal_bytes = len(data), 0

    def _may_defer(self) -> bool:
        """Whether the fold can wait (see the class doc): nothing is lost by waiting, the
        journal is durable and every open replays it."""
        return (
            self.keeps_journal
            and not self._must_fold
            and self._document_bytes >= FOLD_ALWAYS_BELOW
            and self._journal_bytes * FOLD_RATIO < self._document_bytes
        )

    def close(self) -> None:
        """Compact (kept for callers of the file store)."""
        self.compact()
