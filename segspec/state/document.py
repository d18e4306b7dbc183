"""The state document's byte layout: rendered one record at a time, and found again.

The document is `json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False)` plus a
newline (reviewable, the JSON Schema's shape). In that layout every record is one
contiguous span of bytes that depends on nothing but the record, so:

- `DocumentWriter` renders a document from records, or copies an unchanged record's
  bytes straight from the previous document (a fold at 100,000 jobs renders only the
  records that changed, and copies runs of unchanged ones in one request), and says where
  each record's span is in what it wrote;
- `scan_document` finds every record's span in a document again without parsing it
  whole, and refuses (None) anything that is not exactly that layout, so the caller falls
  back to the full parse.

A span is `(offset, length)` of a record's JSON object `{...}` in the document's bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Protocol

from segspec.state.model import STATE_FORMAT_VERSION, JobRecord
from segspec.state.spans import Span

__all__ = ["DocumentWriter", "Scanned", "Sink", "Span", "key_bytes", "render_value",
           "scan_document", "tail_bytes"]  # fmt: skip

HEAD = b'{\n  "format_version": %d,\n  "jobs": {' % STATE_FORMAT_VERSION
INDENT = "\n    "
"""What precedes each job's key: the records sit at depth 2."""
_TAIL = re.compile(
    rb'\n  "lineage": ("(?:[^"\\\n]|\\.)*"),\n  "serial": (0|[1-9][0-9]{0,18})\n}\n\Z'
)


def render_value(record: JobRecord) -> bytes:
    """A record's JSON object exactly as it sits in the document (nested at depth 2).

    Raw newlines occur only between tokens (json escapes them inside strings), so
    indenting every line break is the same as rendering the record inside the document.
    """
    body = record.model_dump(mode="json", exclude_none=True)
    text = json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False)
    return text.replace("\n", INDENT).encode()


def key_bytes(address: str) -> bytes:
    """What precedes a record's object on its first line: indentation, key, colon."""
    return (INDENT + json.dumps(address, ensure_ascii=False) + ": ").encode()


def tail_bytes(lineage: str | None, serial: int) -> bytes:
    return b'\n  "lineage": %s,\n  "serial": %d\n}\n' % (
        json.dumps(lineage, ensure_ascii=False).encode(),
        serial,
    )


class Sink(Protocol):
    """Where a document is written: literal bytes, or bytes copied from the old one."""

    def write(self, data: bytes) -> None: ...

    def copy(self, offset: int, length: int) -> None:
        """Append `length` bytes of the previous document, from `offset`."""
        ...


class DocumentWriter:
    """Writes one document to a `Sink`, record by record, in address order.

    Consecutive records copied from the previous document that were adjacent there too
    become one copy (with the separators between them), so an unchanged state costs a
    handful of copies, not one per record.
    """

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.position = 0
        self.spans: list[Span] = []
        """Where each record was written, in the order given."""
        self._count = 0
        self._run: tuple[int, int] | None = None
        """(start, end) in the previous document of the pending copy."""
        self._run_out = 0
        """Where the pending copy starts in the new document."""
        self._write(HEAD)

    def _write(self, data: bytes) -> None:
        self._flush()
        self.sink.write(data)
        self.position += len(data)

    def _flush(self) -> None:
        if self._run is not None:
            start, end = self._run
            self.sink.copy(start, end - start)
            self.position = self._run_out + end - start
            self._run = None

    def rendered(self, address: str, value: bytes) -> None:
        """Add a record rendered by `render_value`."""
        key = key_bytes(address)
        self._write(b"," + key if self._count else key)
        self.spans.append((self.position, len(value)))
        self._write(value)
        self._count += 1

    def copied(self, address: str, span: Span) -> None:
        """Add a record whose bytes are at `span` in the previous document (a canonical
        one: its key precedes the span as `key_bytes` renders it)."""
        offset, length = span
        start = offset - len(key_bytes(address))
        if self._run is not None and self._run[1] + 1 == start:
            # adjacent there too: the comma between them is copied with them
            self.spans.append((self._run_out + offset - self._run[0], length))
            self._run = (self._run[0], offset + length)
        else:
            if self._count:
                self._write(b",")
            self._flush()
            self._run, self._run_out = (start, offset + length), self.position
            self.spans.append((self.position + offset - start, length))
        self._count += 1

    def finish(self, lineage: str | None, serial: int) -> int:
        """Close the document; its size in bytes."""
        self._write((b"\n  }," if self._count else b"},") + tail_bytes(lineage, serial))
        self._flush()
        return self.position


@dataclass(frozen=True, slots=True)
class Scanned:
    """A document's lineage, serial and each record's key and span, in document order."""

    lineage: str
    serial: int
    entries: list[tuple[str, Span]]


_KEY_START = INDENT.encode() + b'"'
_RECORD_END = INDENT.encode() + b"}"


def scan_document(data: bytes) -> Scanned | None:
    """Every record's span in `data`, or None when `data` is not laid out exactly as
    `DocumentWriter` writes (keys strictly increasing; a record's end is the first line
    break followed by exactly four spaces and `}`). Says nothing about whether each span
    is a valid record: the caller parses them."""
    if not data.startswith(HEAD):
        return None
    entries: list[tuple[str, Span]] = []
    pos = len(HEAD)
    previous: str | None = None
    if data.startswith(b"},", pos):
        pos += 2
    else:
        while True:
            if not data.startswith(_KEY_START, pos):
                return None
            found = _read_key(data, pos + len(INDENT))
            if found is None:
                return None
            address, after = found
            if previous is not None and address <= previous:
                return None  # not sorted, or a duplicate key
            if not data.startswith(b": {", after):
                return None
            start = after + 2
            end = data.find(_RECORD_END, start)
            if end < 0:
                return None
            end += len(_RECORD_END)
            entries.append((address, (start, end - start)))
            previous = address
            if data.startswith(b",", end):
                pos = end + 1
                continue
            if not data.startswith(b"\n  },", end):
                return None
            pos = end + 5
            break
    match = _TAIL.match(data, pos)
    if match is None:
        return None
    try:
        lineage = json.loads(match[1])
    except ValueError:
        return None
    return Scanned(lineage, int(match[2]), entries)


def _read_key(data: bytes, quote: int) -> tuple[str, int] | None:
    """The JSON string starting at `data[quote]` (a `"`) and the index after it."""
    end = quote
    while True:
        end = data.find(b'"', end + 1)
        if end < 0:
            return None
        backslashes = 0
        while data[end - 1 - backslashes] == 0x5C:
            backslashes += 1
        if backslashes % 2 == 0:
            break
    try:
        key = json.loads(data[quote : end + 1])
    except ValueError:
        return None
    return (key, end + 1) if isinstance(key, str) else None
