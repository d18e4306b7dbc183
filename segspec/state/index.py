"""The state index: a derived, disposable summary of one state document.

Written beside the document at every fold (after it), it holds, per job, its
`RecordSummary` and the span of its record in the document, so that opening a state of
100,000 jobs reads a few MB of summaries instead of parsing 250 MB of records. It is only
ever trusted for the exact document it names (`identity`: inode, size, mtime and ctime of
the file, or the object's ETag) and its lineage and serial; anything else about it (missing,
stale, torn, corrupt, another state's) makes the reader fall back to the document, which
stays the one source of truth. JSON, never pickle: a state may come from a shared bucket.

Layout, one JSON value per line: a header object, then one array per job in address
order: `[address, offset, length, backend, fingerprint, status, attempt, prune_outputs,
input, [[bucket, object_key, size, sha256, etag, mtime_ns], ...], [bucket, endpoint] | null]`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from sys import intern
from typing import Any, BinaryIO, get_args

from segspec.gcpause import collector_paused
from segspec.state.document import Span
from segspec.state.model import Status
from segspec.state.summary import OutputSummary, RecordSummary

INDEX_FORMAT = "segspec-state-index"
INDEX_VERSION = 2
"""2: each output carries its mtime_ns (an index of version 1 is stale: rebuilt)."""
BATCH = 2000
"""Rows encoded per chunk written."""
BATCH_BYTES = 1 << 20
"""About this many bytes of rows are decoded per `json.loads` call: few calls, and a
small transient copy."""
_STATUSES: dict[object, Status] = {s: s for s in get_args(Status)}


@dataclass(frozen=True, slots=True)
class Index:
    lineage: str
    serial: int
    summaries: dict[str, RecordSummary]
    spans: dict[str, Span]


def encode_index(
    identity: dict[str, Any],
    lineage: str,
    serial: int,
    rows: Iterable[tuple[RecordSummary, Span]],
) -> Iterator[bytes]:
    """The index of a document, as chunks to write; `rows` in address order."""
    listed = list(rows)
    head = {
        "format": INDEX_FORMAT,
        "version": INDEX_VERSION,
        "document": identity,
        "lineage": lineage,
        "serial": serial,
        "jobs": len(listed),
    }
    yield _dumps(head) + b"\n"
    lines: list[bytes] = []
    for summary, (offset, length) in listed:
        lines.append(_dumps(_row(summary, offset, length)))
        if len(lines) >= BATCH:
            yield b"\n".join(lines) + b"\n"
            lines = []
    if lines:
        yield b"\n".join(lines) + b"\n"


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _row(s: RecordSummary, offset: int, length: int) -> list[Any]:
    return [
        s.address,
        offset,
        length,
        s.backend,
        s.fingerprint,
        s.status,
        s.attempt,
        s.prune_outputs,
        s.input,
        [[o.bucket, o.object_key, o.size, o.sha256, o.etag, o.mtime_ns] for o in s.outputs],
        list(s.endpoint) if s.endpoint is not None else None,
    ]


def decode_index(source: BinaryIO, identity: dict[str, Any]) -> Index | None:
    """The index read from `source` when it describes the document `identity`;
    otherwise None (never an error: the caller reads the document instead).

    The rows' shape, order and spans are checked, their values are not (a plan of
    100,000 jobs cannot afford it): an index is trusted only for the document it names,
    and each record later read by its span is checked against its summary. The rows are
    read a batch at a time, so nothing but the summaries stays in memory."""
    try:
        with collector_paused():
            return _decode(source, identity)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None


def _decode(source: BinaryIO, identity: dict[str, Any]) -> Index | None:
    head = json.loads(source.readline(1 << 16))
    if (
        not isinstance(head, dict)
        or head.get("format") != INDEX_FORMAT
        or head.get("version") != INDEX_VERSION
        or head.get("document") != identity
        or not isinstance(head.get("lineage"), str)
        or not isinstance(head.get("serial"), int)
    ):
        return None
    summaries: dict[str, RecordSummary] = {}
    spans: dict[str, Span] = {}
    shared: dict[str, str] = {}
    previous = ""
    while chunk := source.readlines(BATCH_BYTES):
        if not chunk[-1].endswith(b"\n"):
            return None  # torn
        batch = json.loads(b"[" + b",".join(chunk) + b"]")
        if len(batch) != len(chunk):
            return None
        for (
            address,
            offset,
            length,
            backend,
            fingerprint,
            status,
            attempt,
            prune,
            given,
            outs,
            endpoint,
        ) in batch:
            if not address > previous or type(offset) is not int or type(length) is not int:
                return None  # unsorted or not an index (a non-str address: TypeError)
            previous = address = intern(address)  # the spec rows share it
            spans[address] = (offset, length)
            summaries[address] = RecordSummary(
                address,
                shared.setdefault(backend, backend),
                fingerprint,
                _STATUSES[status],
                attempt,
                prune,
                given,
                tuple(
                    [
                        OutputSummary(shared.setdefault(o[0], o[0]), o[1], o[2], o[3], o[4], o[5])
                        for o in outs
                    ]
                ),
                None if endpoint is None else (endpoint[0], endpoint[1]),
            )
    if len(summaries) != head["jobs"]:
        return None  # torn at a line break, or padded
    return Index(head["lineage"], head["serial"], summaries, spans)
