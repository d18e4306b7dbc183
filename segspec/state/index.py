"""The state index: a derived, disposable summary of one state document.

Written beside the document at every fold (after it), it holds, per job, its
`RecordSummary` and the span of its record in the document, so that opening a state of
100,000 jobs reads a few MB of summaries instead of parsing 250 MB of records. It is only
ever trusted for the exact document it names (`identity`: inode, size, mtime and ctime of
the file, or the object's ETag) and its lineage and serial; anything else about it (missing,
stale, torn, corrupt, another state's) makes the reader fall back to the document, which
stays the one source of truth. JSON, never pickle: a state may come from a shared bucket.

Layout, one JSON value per line: a header object, then one array per job in address
order: `[[offset, length], [address, backend, fingerprint, status, attempt, prune_outputs,
input, [[bucket, object_key, size, digest, etag, mtime_ns, other_sha256], ...], [bucket,
endpoint] | null]]`, where input is `[directory, name, size, mtime_ns, digest]` (a local
file's identity, see `InputSummary`), an object (any other identity) or null; a digest is
a sha256 in base64 (`other_sha256` one that is not a hex digest, see `OutputSummary`);
then a trailer object `{"crc32": N}`, the CRC-32 of every row line's bytes.
The rows are decoded by msgspec straight into the summaries' structs, each value checked
against its type (a row of another shape makes the index unusable): fast, and no code
runs from the file's contents.

An index that is not exactly what this segspec would write for the document is never
used, and the document is read (and the index rebuilt) instead: another version or
`layout` (a digest of the rows' structs, so a build whose structs differ cannot pass its
index off as this one's even under the same version number), a CRC that does not match
(garbage, a torn or edited row), a row count that does not match, rows out of address
order, or spans that overlap, go backwards or run past the document's end.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from sys import intern
from typing import Any, BinaryIO

import msgspec

from segspec.gcpause import collector_paused
from segspec.state.spans import SpanTable
from segspec.state.summary import InputSummary, OutputSummary, RecordSummary

INDEX_FORMAT = "segspec-state-index"
INDEX_VERSION = 5
"""2: each output carries its mtime_ns (an index of version 1 is stale: rebuilt).
3: rows are `[span, summary]` arrays, a local input an array (a version 2 index is stale).
4: sha256s are raw digests in base64, in inputs and outputs (a version 3 index is stale).
5: the header names the rows' `layout`, a trailer holds their CRC-32 (4 is stale)."""
BATCH = 2000
"""Rows encoded per chunk written."""
BATCH_BYTES = 1 << 20
"""About this many bytes of rows are decoded per call: few calls, and a small transient
copy."""
_ENCODER = msgspec.json.Encoder(order="sorted")
_ROW_TYPE = list[tuple[tuple[int, int], RecordSummary]]
_ROWS = msgspec.json.Decoder(_ROW_TYPE)
_set = msgspec.structs.force_setattr


def _layout() -> str:
    """A digest of what a row is: the row type and each summary struct's fields with
    their declared types, in order (the annotations are strings: nothing is evaluated)."""
    parts = [repr(_ROW_TYPE)]
    for struct in (RecordSummary, InputSummary, OutputSummary):
        fields = ",".join(f"{n}:{struct.__annotations__[n]}" for n in struct.__struct_fields__)
        parts.append(f"{struct.__name__}({fields})")
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:16]


LAYOUT = _layout()


@dataclass(frozen=True, slots=True)
class Index:
    lineage: str
    serial: int
    summaries: dict[str, RecordSummary]
    spans: SpanTable


def encode_index(
    identity: dict[str, Any],
    lineage: str,
    serial: int,
    rows: Iterable[tuple[RecordSummary, tuple[int, int]]],
) -> Iterator[bytes]:
    """The index of a document, as chunks to write; `rows` in address order."""
    listed = list(rows)
    head = {
        "format": INDEX_FORMAT,
        "version": INDEX_VERSION,
        "layout": LAYOUT,
        "document": identity,
        "lineage": lineage,
        "serial": serial,
        "jobs": len(listed),
    }
    yield _dumps(head) + b"\n"
    crc = 0
    for start in range(0, len(listed), BATCH):
        lines = [
            _ENCODER.encode((span, summary)) for summary, span in listed[start : start + BATCH]
        ]
        chunk = b"\n".join(lines) + b"\n"
        crc = zlib.crc32(chunk, crc)
        yield chunk
    yield _dumps({"crc32": crc}) + b"\n"


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def decode_index(source: BinaryIO, identity: dict[str, Any]) -> Index | None:
    """The index read from `source` when it describes the document `identity`;
    otherwise None (never an error: the caller reads the document instead).

    The rows' layout, bytes (CRC), shape, order and spans are checked, their values
    against the records are not (a plan of 100,000 jobs cannot afford to parse them): an
    index is trusted only for the document it names, and each record later read by its
    span is checked against its summary. The rows are read a batch at a time, so nothing
    but the summaries stays in memory."""
    try:
        with collector_paused():
            return _decode(source, identity)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        # (msgspec.DecodeError and its ValidationError are ValueErrors)
        return None


def _decode(source: BinaryIO, identity: dict[str, Any]) -> Index | None:
    head = json.loads(source.readline(1 << 16))
    if (
        not isinstance(head, dict)
        or head.get("format") != INDEX_FORMAT
        or head.get("version") != INDEX_VERSION
        or head.get("layout") != LAYOUT
        or head.get("document") != identity
        or not isinstance(head.get("lineage"), str)
        or not isinstance(head.get("serial"), int)
    ):
        return None
    size = identity.get("size")
    limit = size if type(size) is int else 1 << 62
    summaries: dict[str, RecordSummary] = {}
    addresses: list[str] = []
    offsets, lengths = array("q"), array("q")
    shared: dict[str, str] = {}
    previous, end, crc = "", 0, 0
    trailer: bytes | None = None
    while chunk := source.readlines(BATCH_BYTES):
        if trailer is not None or not chunk[-1].endswith(b"\n"):
            return None  # something after the trailer, or torn
        if chunk[-1].startswith(b"{"):
            trailer = chunk.pop()
            if not chunk:
                continue
        crc = zlib.crc32(b"".join(chunk), crc)
        batch = _ROWS.decode(b"[" + b",".join(chunk) + b"]")
        if len(batch) != len(chunk):
            return None
        for (offset, length), summary in batch:
            address = summary.address
            if not address > previous:
                return None  # unsorted, or a duplicate
            if not end < offset or length <= 0 or offset + length > limit:
                return None  # records are written in address order, apart, inside the file
            end = offset + length
            # one string per address (the spec rows intern theirs: the same object), and
            # one per backend, input directory and bucket, not one per job
            previous = address = intern(address)
            if address is not summary.address:
                _set(summary, "address", address)
            addresses.append(address)
            offsets.append(offset)
            lengths.append(length)
            summaries[address] = summary
            backend = summary.backend
            _set(summary, "backend", shared.setdefault(backend, backend))
            if type(given := summary.input) is InputSummary:
                directory = given.directory
                _set(given, "directory", shared.setdefault(directory, directory))
            for output in summary.outputs:
                bucket = output.bucket
                _set(output, "bucket", shared.setdefault(bucket, bucket))
    if trailer is None or json.loads(trailer) != {"crc32": crc}:
        return None  # torn before the trailer, or rows that are not the ones written
    if len(summaries) != head["jobs"]:
        return None  # padded
    spans = SpanTable.adopt(addresses, offsets, lengths)
    return Index(head["lineage"], head["serial"], summaries, spans)
