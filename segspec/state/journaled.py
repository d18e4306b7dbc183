"""The part of a journaled state that does not depend on where it is kept.

Every change becomes one journal entry `{lineage, serial, op, ...}` written durably by
the subclass (`_write_entry`) before the change returns; `compact()` renders the state and
hands it to the subclass (`_write_state`), which keeps the previous version, then writes
the state's index (`_write_index`, see state/index.py) and drops the journal
(`_clear_journal`). Opening reads the index when it describes the document, else the
document itself (`_load_bytes`), then replays whatever journal entries are left.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, BinaryIO

from pydantic import ValidationError

from segspec.errors import StateError
from segspec.gcpause import collector_paused
from segspec.state.document import DocumentWriter, Scanned, Sink, Span, render_value, scan_document
from segspec.state.index import Index, encode_index
from segspec.state.model import STATE_FORMAT_VERSION, JobRecord, StateFile
from segspec.state.spans import SpanTable
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
COPY_CHUNK = 4 << 20
"""Largest piece of the document read at once when it is streamed out."""

Render = Callable[[Sink], tuple[list[Span], int]]
"""Writes the new document to a sink; returns the records' spans (in address order) and
the document's size."""


class JournaledState:
    """Jobs made durable one journal entry at a time; see the module doc.

    What is in memory: every job's `RecordSummary` (what a plan compares), the parsed
    records of jobs changed since the document was written (or of all jobs, when the
    document could not be read record by record), and for every other job only where its
    record is in the document (a span). `get`/`records` parse just the records asked
    for; `jobs` parses them all (the slow path, for commands that need every record).

    The fold is amortized: rewriting the document costs its size, so a large state is
    rewritten only once the journal has grown to 1/FOLD_RATIO of it, and until then the
    journal (already durable, and replayed by every open) simply stays. Each journaled
    byte thus costs at most FOLD_RATIO bytes of folding, however large the state; an apply
    of one changed job at 100,000 jobs appends a few lines instead of rewriting 100,000
    records. Small states are folded every time, so the file stays complete for review.
    A fold renders only the changed records; the others are copied from the previous
    document byte for byte (`state/document.py`).
    """

    keeps_journal = True
    """Whether `compact()` may leave a small journal in place (False where each journal
    entry costs a request on every open)."""

    def __init__(self) -> None:
        self.lineage: str | None = None
        self.serial = 0
        self._summaries: dict[str, RecordSummary] = {}
        """Every job; its keys are the state's addresses."""
        self._lent = False
        """Whether `summaries()` handed out a view of `_summaries`: the next change then
        works on a copy, so that view stays the snapshot it was."""
        self._records: dict[str, JobRecord] = {}
        """Jobs whose record is not in the document as read (changed since, or a document
        that is read whole); each address is in exactly one of `_records` and `_spans`."""
        self._spans = SpanTable()
        """Jobs whose record is unchanged in the document, and where."""
        self._mutex = threading.Lock()
        self._dirty = False
        self._must_fold = False
        """Set by `adopt` (those jobs are in no journal, only a fold makes them durable)
        and by a document that must be rewritten to be indexed."""
        self._document_bytes = 0
        """Size of the state document as last read or written."""
        self._journal_bytes = 0
        """Size of the journal not yet folded (as replayed, plus what this run appended)."""

    # --- what a store provides ------------------------------------------------------
    @property
    def location(self) -> str:
        raise NotImplementedError

    @property
    def index_location(self) -> str:
        raise NotImplementedError

    def _write_entry(self, entry: dict[str, Any], line: str) -> None:
        raise NotImplementedError

    def _write_state(self, render: Render) -> tuple[list[Span], int]:
        """Write the document `render` produces (its copies read the document as read),
        keeping the previous version; later reads go to the new document."""
        raise NotImplementedError

    def _read_spans(self, spans: list[Span]) -> list[bytes]:
        """The bytes at `spans` of the document as read (StateError if it changed)."""
        raise NotImplementedError

    def _write_index(self, chunks: Callable[[dict[str, Any]], Iterable[bytes]]) -> None:
        """Store the index of the document just read or written; `chunks(identity)`
        renders it. Best effort: the index is derived, a failure only costs speed."""
        raise NotImplementedError

    def _clear_journal(self) -> None:
        raise NotImplementedError

    def _drop_index(self) -> None:
        """Remove the stored index (best effort): the next open reads the document."""
        raise NotImplementedError

    # --- reading ----------------------------------------------------------------------
    @property
    def jobs(self) -> Mapping[str, JobRecord]:
        with self._mutex:
            return self._load(sorted(self._summaries))

    def get(self, address: str) -> JobRecord | None:
        with self._mutex:
            return self._load([address]).get(address)

    def summaries(self) -> Mapping[str, RecordSummary]:
        """A snapshot: a read-only view that later changes do not reach (they copy the
        summaries first), so a plan of 100,000 jobs does not hold two dicts of them."""
        with self._mutex:
            self._lent = True
            return MappingProxyType(self._summaries)

    def _changing(self) -> dict[str, RecordSummary]:
        """`_summaries`, ready to be changed (copied first if a snapshot was lent)."""
        if self._lent:
            self._summaries, self._lent = dict(self._summaries), False
        return self._summaries

    def records(self, addresses: Iterable[str]) -> dict[str, JobRecord]:
        with self._mutex:
            return self._load(addresses)

    @property
    def exists(self) -> bool:
        return self.lineage is not None

    def _load(self, addresses: Iterable[str]) -> dict[str, JobRecord]:
        found: dict[str, JobRecord] = {}
        wanted: list[tuple[str, Span]] = []
        for address in addresses:
            record = self._records.get(address)
            if record is not None:
                found[address] = record
            elif (span := self._spans.get(address)) is not None:
                wanted.append((address, span))
        if wanted:
            wanted.sort(key=lambda item: item[1])
            with collector_paused():  # `jobs`: 100,000 long-lived records, no cycles
                for (address, _), data in zip(
                    wanted, self._read_spans([s for _, s in wanted]), strict=True
                ):
                    found[address] = self._parse(address, data)
        return found

    def _disagrees(self, what: str) -> StateError:
        """The state's index said something else of a record than the document: the index
        is dropped (the next open rebuilds it from the document, which is the truth), and
        this command, which may have decided from the index, stops."""
        self._drop_index()
        return StateError(
            f"{what} in {self.location} does not match the state's index "
            f"{self.index_location} (the state was changed in place since it was indexed, "
            "or the index was damaged). The index was removed: the next command rebuilds "
            "it from the state. Run the command again. Nothing was changed."
        )

    def _parse(self, address: str, data: bytes) -> JobRecord:
        """A record read by its span, checked against what the index said of it."""
        try:
            record = JobRecord.model_validate_json(data)
        except ValidationError:
            record = None
        if (
            record is None
            or record.address != address
            or (summarize(record) != self._summaries[address])
        ):
            raise self._disagrees(f"the record of {address}")
        return record

    def write_document(self, out: BinaryIO) -> None:
        """Write the state as its document (what a fold would write now, the journal
        included) to `out`, record by record: memory does not grow with the state."""
        with self._mutex:
            self._render(_StreamSink(out, self._read_spans))

    # --- loading ------------------------------------------------------------------------
    def _load_document(self, state: StateFile) -> None:
        """A document parsed whole: every record stays in memory until the next fold."""
        self.lineage, self.serial = state.lineage, state.serial
        self._records, self._spans = dict(state.jobs), SpanTable()
        self._summaries, self._lent = {a: summarize(r) for a, r in self._records.items()}, False

    def _load_index(self, index: Index) -> None:
        self.lineage, self.serial = index.lineage, index.serial
        self._summaries, self._spans, self._records = index.summaries, index.spans, {}
        self._lent = False

    def _load_bytes(self, data: bytes, where: str, unreadable: str) -> None:
        """Read a whole document: record by record when it is laid out as segspec writes
        it (then only summaries and spans are kept, and the index is written), or parsed
        whole (kept in memory, and folded by the next `compact()` to be indexed)."""
        self._document_bytes = len(data)
        scanned = scan_document(data)
        # (not with the collector paused: each indented json.dumps of the record check
        # leaves a small reference cycle, and 100,000 of them would pile up)
        if scanned is not None and self._load_scanned(data, scanned):
            self._write_index(self._index_chunks)
            return
        try:
            data.decode("utf-8")  # (the record-by-record read checks each record's bytes)
        except UnicodeDecodeError as exc:
            raise StateError(
                f"state {where} is not valid JSON (not UTF-8: {exc}). {unreadable}"
            ) from exc
        self._load_document(decode_state(data, where, unreadable))
        self._dirty = self._must_fold = True

    def _load_scanned(self, data: bytes, scanned: Scanned) -> bool:
        summaries: dict[str, RecordSummary] = {}
        for address, (offset, length) in scanned.entries:
            value = data[offset : offset + length]
            try:
                record = JobRecord.model_validate_json(value)
            except ValidationError:
                return False
            if record.address != address or render_value(record) != value:
                return False  # edited by hand: parsed whole, and rewritten by the fold
            summaries[address] = summarize(record)
        self.lineage, self.serial = scanned.lineage, scanned.serial
        self._summaries, self._spans, self._records = summaries, SpanTable.of(scanned.entries), {}
        self._lent = False
        return True

    def _index_chunks(self, identity: dict[str, Any]) -> Iterable[bytes]:
        """The index of the document: valid only while no record is held in memory."""
        assert self.lineage is not None and not self._records
        rows = ((self._summaries[a], span) for a, span in self._spans.items())
        return encode_index(identity, self.lineage, self.serial, rows)

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
                self._set(JobRecord.model_validate(entry["record"]))
            else:
                self._forget(entry["address"])
        if replayed:
            self._dirty = True

    def _set(self, record: JobRecord) -> None:
        self._records[record.address] = record
        self._spans.discard(record.address)
        self._changing()[record.address] = summarize(record)

    def _forget(self, address: str) -> bool:
        self._records.pop(address, None)
        self._spans.discard(address)
        return address in self._summaries and self._changing().pop(address) is not None

    # --- writing ----------------------------------------------------------------------
    def put(self, record: JobRecord) -> None:
        with self._mutex:
            self._set(record)
            self._append({"op": "put", "address": record.address, "record": dump_record(record)})

    def remove(self, address: str) -> None:
        with self._mutex:
            if self._forget(address):
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
            if self._summaries:
                raise StateError(
                    f"the state {self.location} already holds {len(self._summaries)} jobs — "
                    "refusing to replace them; remove that state first if it is not needed"
                )
            self.lineage, self.serial = lineage, serial
            self._records, self._spans = dict(jobs), SpanTable()
            self._summaries, self._lent = {a: summarize(r) for a, r in self._records.items()}, False
            self._dirty = self._must_fold = True

    def compact(self) -> None:
        with self._mutex:
            if not self._dirty or self._may_defer():
                return
            if self.lineage is None:
                self.lineage = str(uuid.uuid4())
            order = sorted(self._summaries)
            spans, size = self._write_state(lambda sink: self._render(sink, order))
            self._spans, self._records = SpanTable.of(zip(order, spans, strict=True)), {}
            self._write_index(self._index_chunks)
            self._clear_journal()
            self._dirty = self._must_fold = False
            self._document_bytes, self._journal_bytes = size, 0

    def _render(self, sink: Sink, order: list[str] | None = None) -> tuple[list[Span], int]:
        writer = DocumentWriter(sink)
        for address in order if order is not None else sorted(self._summaries):
            record = self._records.get(address)
            if record is not None:
                writer.rendered(address, render_value(record))
            else:
                writer.copied(address, self._spans[address])
        size = writer.finish(self.lineage, self.serial)
        return writer.spans, size

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


class _StreamSink:
    """Writes a document to a binary stream, copying from the document in pieces."""

    def __init__(self, out: BinaryIO, read: Callable[[list[Span]], list[bytes]]) -> None:
        self.out, self.read = out, read

    def write(self, data: bytes) -> None:
        self.out.write(data)

    def copy(self, offset: int, length: int) -> None:
        end = offset + length
        for start in range(offset, end, COPY_CHUNK):
            (data,) = self.read([(start, min(COPY_CHUNK, end - start))])
            self.out.write(data)
