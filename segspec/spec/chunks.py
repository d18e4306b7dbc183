"""A block of consecutive jobs of one spec file's cache entry, in a file of its own.

An entry (segspec.spec.cache) lists its jobs as chunks, so that one edited job among
100,000 rewrites one chunk and a small manifest instead of the whole entry. Where a chunk
ends is decided by the jobs' own keys (content-defined: a job whose key's crc32 falls in
one bucket out of `SPREAD` ends its chunk, and a chunk never passes `MOST` jobs), so a job
added or removed moves no other chunk's boundaries. A chunk's id is a digest of its jobs'
keys (which are digests of everything the jobs are made from) and of the cache format and
segspec's version: the same id means the same rows and bodies, so a chunk of the previous
entry with the id a changed file's jobs come to is taken whole, without looking inside.

A chunk file is

  {"id":ID,"rows":[...],"offsets":[...],"sums":[...],"tail":T}   the rows (JobRow.to_list:
                                   no positions, which come from the manifest or the parse)
  [address, validated body]        one line per job, at `offsets` after the first line;
                                   `sums` holds each line's crc32
  {"keys":[...],"costs":[...]}     at `tail`: each job's own key and budget cost

A chunk is trusted only when its size is the one the manifest recorded and its first line
names its id and holds `count` rows; a body line only when its crc32 matches. A chunk that
fails either check is a miss (the jobs it held are made again and the chunk is rewritten).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from segspec.errors import SegspecError

SPREAD = 1024
"""Jobs per chunk on average (a key ends its chunk with probability 1/SPREAD)."""
MOST = 4 * SPREAD
"""Jobs per chunk at most."""
BODIES_READ_ONE_BY_ONE = 32
"""Bodies read with a seek each before the whole chunk is read at once."""


def key_crc(key: str) -> int:
    return zlib.crc32(key.encode())


_MIX = 0x9E3779B1


def ends_chunk(crc: int, count: int) -> bool:
    """Whether a job whose key has `crc`, the `count`-th of its chunk, ends the chunk. The
    crc is mixed first (a multiplicative hash): crc32 is linear, so the keys of one
    `for_each`, which differ in a few characters, share far fewer low bits than chance."""
    return ((crc * _MIX) & 0xFFFFFFFF) * SPREAD >> 32 == SPREAD - 1 or count >= MOST


def chunk_ends(crcs: list[int], count: int) -> list[int]:
    """Where `ends_chunk` ends chunks among jobs with these key crcs, following `count`
    jobs already in the chunk in progress: the index just past each end."""
    # `ends_chunk`'s bucket test as one comparison (x * SPREAD >> 32 == SPREAD - 1 for a
    # 32-bit x is x >= least) in one comprehension: no generator step per job
    least = -(-((SPREAD - 1) << 32) // SPREAD)
    natural = [at for at, crc in enumerate(crcs, 1) if (crc * _MIX) & 0xFFFFFFFF >= least]
    ends, start = [], -count
    for end in natural:
        while end - start > MOST:
            start += MOST
            ends.append(start)
        ends.append(end)
        start = end
    while len(crcs) - start >= MOST:
        start += MOST
        ends.append(start)
    return ends


def chunk_id(salt: str, keys: list[str]) -> str:
    """The id of a chunk of jobs with these own keys (a key never holds a NUL: it is hex
    and a repr)."""
    digest = hashlib.sha256(f"segspec-spec-chunk {salt}\0".encode())
    digest.update("\0".join(keys).encode())
    return digest.hexdigest()[:32]


Items = tuple[str, str, str]
"""(the job's base key, its first entry, `items_digest` of its entries)."""


def items_digest(entries: list[str]) -> str:
    """A digest of a chunk's `for_each` entries, in order (JSON: unambiguous)."""
    return hashlib.sha256(msgspec.json.encode(entries)).hexdigest()[:32]


def items_of(base: str, entries: list[str]) -> Items:
    return (base, entries[0], items_digest(entries))


class ChunkError(SegspecError):
    """A chunk that cannot be trusted (torn, replaced, missing) while reading a body."""


_DAMAGED = (
    "the spec cache chunk {path} is damaged or changed while this command read it ({why}) "
    "— run this command again (a damaged entry is removed and rebuilt)"
)


@dataclass
class Chunk:
    """One chunk: as listed by a manifest (id, count, size, cost, crcs), and its content
    once read (`rows` ...) or made (`lines`, `keys`, `costs`: to be written)."""

    id: str
    count: int
    cost: int
    crcs: list[int]
    """Each job's key crc32 (for finding a job of a changed file by its key)."""
    size: int = 0
    path: Path | None = None
    rows: list[list[Any]] | None = None
    offsets: list[int] = field(default_factory=list)
    sums: list[int] = field(default_factory=list)
    header_bytes: int = 0
    lines: list[bytes] | None = None
    """The body lines, when this chunk was just made (else read from `path`)."""
    keys: list[str] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)
    manifest: Path | None = None
    """The entry's manifest, removed when a body read finds the chunk damaged."""
    items: Items | None = None
    """When every job of the chunk is an instance of one `for_each` whose entries are
    text (key and value the same, as a list of names gives): what finds the chunk among a
    changed file's entries without making their keys (see `items_of`)."""
    _tail: int = 0
    _reads: int = 0
    _blob: bytes | None = None

    def listing(self) -> list[Any]:
        found = [self.id, self.count, self.size, self.cost]
        if self.items is not None:
            found.extend(self.items)
        return found

    def encode(self) -> bytes:
        """The chunk file's bytes (sets `size`, `offsets` and `sums`)."""
        assert self.lines is not None and self.rows is not None
        offsets, at = [], 0
        for line in self.lines:
            offsets.append(at)
            at += len(line)
        self.offsets, self.sums = offsets, [zlib.crc32(line) for line in self.lines]
        header = msgspec.json.encode(
            {"id": self.id, "rows": self.rows, "offsets": offsets, "sums": self.sums, "tail": at}
        )
        tail = msgspec.json.encode({"keys": self.keys, "costs": self.costs})
        blob = header + b"\n" + b"".join(self.lines) + tail + b"\n"
        self.size, self.header_bytes = len(blob), len(header) + 1
        return blob

    def read_header(self) -> bool:
        """Read and check the rows (first line) of this listed chunk; False if it cannot be
        trusted (missing, torn, another chunk's bytes)."""
        assert self.path is not None
        prefix = _prefix(self.id)
        try:
            with self.path.open("rb") as handle:
                if os.fstat(handle.fileno()).st_size != self.size:
                    return False
                if handle.read(len(prefix)) != prefix:
                    return False
                handle.seek(0)
                line = handle.readline()
            return self._take_header(msgspec.json.decode(line), len(line))
        except (OSError, ValueError, KeyError, TypeError):
            return False

    def _take_header(self, data: Any, length: int) -> bool:
        if not isinstance(data, dict) or data.get("id") != self.id:
            return False
        rows, offsets, sums = data["rows"], data["offsets"], data["sums"]
        if not (isinstance(rows, list) and len(rows) == len(offsets) == len(sums) == self.count):
            return False
        self.rows, self.offsets, self.sums = rows, list(offsets), list(sums)
        self.header_bytes, self._tail = length, int(data["tail"])
        return True

    def read_whole(self) -> dict[str, tuple[list[Any], bytes, int]] | None:
        """Every job of this listed chunk by its own key: (row, body line, cost); None if
        the chunk cannot be trusted."""
        assert self.path is not None
        try:
            blob = self.path.read_bytes()
            if len(blob) != self.size or not blob.startswith(_prefix(self.id)):
                return None
            end = blob.index(b"\n") + 1
            if not self._take_header(msgspec.json.decode(blob[:end]), end):
                return None
            assert self.rows is not None
            found = msgspec.json.decode(blob[end + self._tail :])
            keys, costs = found["keys"], found["costs"]
            if not len(keys) == len(costs) == self.count:
                return None
            bounds = [*self.offsets, self._tail]
            jobs = {}
            for i, key in enumerate(keys):
                line = blob[end + bounds[i] : end + bounds[i + 1]]
                if zlib.crc32(line) != self.sums[i]:
                    return None
                jobs[key] = (self.rows[i], line, int(costs[i]))
            return jobs
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def body(self, local: int, address: str) -> dict[str, Any]:
        """The validated body of this chunk's `local`-th job, `address` (a few are read with
        a seek each; once many are asked for, the whole chunk is read once)."""
        if self.lines is not None:
            line = self.lines[local]
            checked = False
        else:
            line = self._read_line(local)
            checked = True
        try:
            if checked and zlib.crc32(line) != self.sums[local]:
                raise ValueError("its checksum does not match")
            found, body = json.loads(line)
        except ValueError as exc:
            self._damaged(str(exc))
        if found != address or not isinstance(body, dict):
            self._damaged("another job's body")
        checked_body: dict[str, Any] = body
        return checked_body

    def _read_line(self, local: int) -> bytes:
        assert self.path is not None
        self._reads += 1
        start = self.header_bytes + self.offsets[local]
        end = self.header_bytes + (
            self.offsets[local + 1] if local + 1 < len(self.offsets) else self._tail
        )
        try:
            if self._blob is None and self._reads > BODIES_READ_ONE_BY_ONE:
                self._blob = self.path.read_bytes()
            if self._blob is not None:
                head, line = self._blob[: len(_prefix(self.id))], self._blob[start:end]
            else:
                with self.path.open("rb") as handle:
                    head = handle.read(len(_prefix(self.id)))
                    handle.seek(start)
                    line = handle.read(end - start)
        except OSError as exc:  # gone: another command replaced the entry
            raise ChunkError(_DAMAGED.format(path=self.path, why=exc)) from exc
        if head != _prefix(self.id):
            self._damaged("another chunk")
        return line

    def _damaged(self, why: str) -> Any:
        if self.manifest is not None:
            with contextlib.suppress(OSError):
                self.manifest.unlink()
        raise ChunkError(_DAMAGED.format(path=self.path, why=why))


def _prefix(chunk: str) -> bytes:
    return b'{"id":"' + chunk.encode() + b'"'
