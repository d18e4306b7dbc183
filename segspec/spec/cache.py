"""What loading a spec file produced, kept by the file's content so the next load skips it.

Parsing YAML with positions and validating every job is most of a plan's time at scale,
and between two plans most files do not change. Each spec file gets one entry: a
manifest (`<project>/.segspec/cache/specs/<sha256 of the path>.json`) and its chunks
(`<same name>/<chunk id>`, segspec.spec.chunks: blocks of consecutive jobs with their
rows, bodies, own keys and costs). The manifest's first line holds

  key     sha256 over the cache format, segspec's version, the file's path and its bytes:
          anything else (an edit, another release of segspec) is a miss
  top     the file's blocks other than `jobs:` (version, engine, backend, state,
          variables), with the positions of their keys
  jobs_key  the variable values the jobs were made with (their canonical JSON's sha256)
  chunks  [id, jobs, bytes, budget cost] of each chunk, in file order, followed by [the
          job's base key, its first entry, a digest of its entries] for a chunk whose jobs
          are all instances of one `for_each` of names (see `Previous.located`)
  spots   [line, column, jobs] runs: each job's position, in file order

and its second line each chunk's key crcs (read only when the file has changed).
A plan reads the manifest's first line and each chunk's first line (its rows: what a plan
compares of every job); a job's body is read (one seek) when the job must be shown or run.

When a file changes, most of its jobs usually do not (one job edited among 2,000, one
entry removed from a `for_each` of 100,000). Each job, and each `for_each` instance, has a
key of its own: a digest of what it is made from (the variable values, the file's
`defaults:`, its name and body) plus its `each` entry. A changed file's jobs fall into
chunks by the same keys; a chunk the previous entry has (same id) is taken whole, and a
job of a new chunk is taken from the previous entry's chunk that holds its key (found by
the key's crc) or made again. Before that, a `for_each` of names looks its entries up in
the previous chunks listed with theirs: a chunk holding exactly a run of them is taken
whole without a key made for any of its jobs (an edit of one entry among 100,000 makes
keys only around it). Only the new chunks and the manifest are written (each
atomically, chunks first), and chunks the new manifest does not list are then removed,
so an entry keeps one generation of chunks. The interpolation budget a taken job spent
when it was made is spent again, so the file's limits hold exactly.

Variables come from flags, files and the environment, so their resolved values are part
of the jobs' key: a different value is a miss for the jobs (the top blocks stay valid).
Only loads without any problem are stored, and a cached load that meets any problem is
redone from the files, so every error message still comes from a real parse. The cache
is only ever an optimization: an unreadable, corrupt, torn or unwritable entry or chunk
is a miss (an entry replaced while a command reads it is an error: run it again).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import msgspec

from segspec import __version__
from segspec.spec.chunks import MOST, Chunk, items_digest
from segspec.spec.normalize import canonical_json
from segspec.spec.rows import JobRow
from segspec.spec.yamlpos import Located, Path_, Pos
from segspec.state.atomic import fsync_dir, write_atomic, write_atomic_chunks

CACHE_FORMAT = 4
LOOK_AHEAD = 2 * MOST
"""Entries past the last chunk found that `Previous.located` looks for the next one in."""


def salt() -> str:
    """What every key and chunk id of this segspec is made with."""
    return f"{CACHE_FORMAT} {__version__}"


def file_key(file: Path, raw: bytes) -> str:
    digest = hashlib.sha256(f"segspec-spec-cache {salt()}\0".encode())
    digest.update(str(file.absolute()).encode() + b"\0" + raw)
    return digest.hexdigest()


def values_key(values: dict[str, Any]) -> str:
    """The variable values as one key (UNSET and other non-JSON values by their repr)."""
    return hashlib.sha256(canonical_json_lenient(values).encode()).hexdigest()


def canonical_json_lenient(value: Any) -> str:
    try:
        return canonical_json(value)
    except TypeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)


@dataclass
class Entry:
    """The cached result for one file (see the module doc)."""

    key: str
    top: dict[str, Any]
    positions: dict[str, list[int]]
    """JSON of a key path (e.g. `["variables","ep"]`) -> [line, column]."""
    jobs_key: str | None = None
    chunks: list[Chunk] = field(default_factory=list)
    spots: list[list[int]] = field(default_factory=list)
    """[line, column, count]: the position of each job, run by run, in file order."""
    fresh: bool = False
    """Made by this load (its new chunks are to be written)."""
    _starts: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, key: str, located: Located) -> Entry:
        """A new entry for a freshly parsed file (its jobs are added by `remember_jobs`)."""
        top = {k: v for k, v in located.data.items() if k not in ("jobs", "defaults")}
        positions = {
            json.dumps(list(path)): list(pos)
            for path, pos in located.positions.items()
            if len(path) <= 2 and (not path or path[0] in top)
        }
        return cls(key=key, top=top, positions=positions)

    def located(self) -> Located:
        """The top blocks as a parsed document (without `jobs:`: see `remember_jobs`)."""
        positions: dict[Path_, Pos] = {
            tuple(json.loads(path)): (pos[0], pos[1]) for path, pos in self.positions.items()
        }
        return Located(data=dict(self.top), positions=positions)

    def remember_jobs(self, jobs_key: str, chunks: list[Chunk], rows: list[JobRow]) -> None:
        self.jobs_key, self.chunks, self.fresh = jobs_key, chunks, True
        self.spots = [
            [line, column, len(list(run))]
            for (line, column), run in groupby(rows, attrgetter("line", "column"))
        ]
        self._starts = []

    def take_rows(self, file: Path) -> list[JobRow]:
        """The jobs' rows of a cached entry (each chunk's JSON rows are let go as its
        JobRows come: at 100,000 jobs they would be kept twice)."""
        base_dir = str(file.parent)
        spots = iter(self.spots)
        line = column = left = 0
        rows = []
        for chunk in self.chunks:
            listed, chunk.rows = chunk.rows or [], None
            for data in listed:
                if not left:
                    line, column, left = next(spots)
                left -= 1
                rows.append(JobRow.from_list(data, file, base_dir, line, column))
        return rows

    def body(self, index: int, address: str) -> dict[str, Any]:
        """The validated body of the entry's `index`-th job, `address`."""
        if not self._starts:
            at, self._starts = 0, []
            for chunk in self.chunks:
                self._starts.append(at)
                at += chunk.count
        which = bisect.bisect_right(self._starts, index) - 1
        return self.chunks[which].body(index - self._starts[which], address)

    def manifest(self) -> bytes:
        first = msgspec.json.encode(
            {
                "key": self.key,
                "top": self.top,
                "positions": self.positions,
                "jobs_key": self.jobs_key,
                "chunks": [chunk.listing() for chunk in self.chunks],
                "spots": self.spots,
            }
        )
        second = msgspec.json.encode({"crcs": [chunk.crcs for chunk in self.chunks]})
        return first + b"\n" + second + b"\n"


class Previous:
    """The last entry of a file that has changed since: its chunks by id, and its jobs by
    their own key (a chunk is read only when a job of a new chunk may be in it)."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.by_id = {chunk.id: chunk for chunk in chunks}
        self._chunks = chunks
        self._first: dict[int, int] | None = None
        self._last: dict[int, int] = {}
        self._read: dict[int, dict[str, tuple[list[Any], bytes, int]]] = {}
        self._claimed: set[int] = set()
        """Chunks `located` found (no other job can be in them: it would be a duplicate)."""

    def whole(self, chunk_id: str) -> Chunk | None:
        """The previous chunk of this id with its rows read, if it is there and sound."""
        chunk = self.by_id.get(chunk_id)
        if chunk is None or (chunk.rows is None and not chunk.read_header()):
            return None
        return chunk

    def take(self, key: str, crc: int, address: str) -> tuple[list[Any], bytes, int] | None:
        """The row (as JSON data), body line and cost of the job of `key`, if it was
        there (and is `address`)."""
        for at in self._holding(crc):
            if at not in self._read:
                self._read[at] = self._chunks[at].read_whole() or {}
            taken = self._read[at].get(key)
            if taken is not None and taken[0][0] == address:
                return taken
        return None

    def located(self, base: str, entries: list[str]) -> list[tuple[int, Chunk]]:
        """The chunks of this entry that hold exactly a run of `entries` (a `for_each`
        list of text, of a job whose base key is `base`), with where each run starts, in
        order: found by their first entry (looked for a little ahead of the last chunk
        found) and checked by the digest of all of theirs."""
        found: list[tuple[int, Chunk]] = []
        cursor, length = 0, len(entries)
        for index, chunk in enumerate(self._chunks):
            items = chunk.items
            if items is None or items[0] != base or index in self._claimed:
                continue
            try:
                at = entries.index(items[1], cursor, min(length, cursor + LOOK_AHEAD))
            except ValueError:
                continue
            end = at + chunk.count
            if end <= length and items_digest(entries[at:end]) == items[2]:
                found.append((at, chunk))
                self._claimed.add(index)
                cursor = end
        return found

    def _holding(self, crc: int) -> list[int]:
        """The chunks that hold a job whose key has `crc`: the first and the last such
        chunk, indexed on first use with two comprehensions (no Python call per job). A
        crc in three chunks or more (at 100,000 jobs, about one load in 100,000) finds only
        those two: a job it loses is made again, with the same result. Chunks `located`
        found are left out (after an edit of one entry, usually all but one or two)."""
        if self._first is None:
            chunks = self._chunks
            ats = [at for at in range(len(chunks)) if at not in self._claimed]
            self._last = {crc: at for at in ats for crc in chunks[at].crcs}
            self._first = {crc: at for at in reversed(ats) for crc in chunks[at].crcs}
        first, last = self._first.get(crc), self._last.get(crc)
        if first is None or last is None:
            return []
        return [first] if first == last else [first, last]


def _head(key: str) -> bytes:
    return ('{"key":"' + key + '"').encode()


class SpecCache:
    """The entries of one project, read lazily and written back when they changed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, file: Path) -> Path:
        name = hashlib.sha256(str(file.absolute()).encode()).hexdigest()[:32]
        return self.directory / f"{name}.json"

    def _chunk_dir(self, file: Path) -> Path:
        return self._path(file).with_suffix("")

    def _listed(self, file: Path, data: Any) -> list[Chunk]:
        chunks_dir = self._chunk_dir(file)
        manifest = self._path(file)
        chunks = []
        for listed in data["chunks"]:
            chunk_id, count, size, cost = listed[:4]
            items = listed[4:]
            if items and len(items) != 3:
                raise ValueError("a chunk listing of another shape")
            chunks.append(
                Chunk(
                    id=str(chunk_id),
                    count=int(count),
                    cost=int(cost),
                    crcs=[],
                    size=int(size),
                    path=chunks_dir / str(chunk_id),
                    manifest=manifest,
                    items=(str(items[0]), str(items[1]), str(items[2])) if items else None,
                )
            )
        return chunks

    def get(self, file: Path, key: str) -> Entry | None:
        """The entry of `file` when it was made from the same bytes and every chunk is
        sound, else None (the manifest's first line and each chunk's rows are read)."""
        path = self._path(file)
        try:
            with path.open("rb") as handle:
                if handle.read(len(_head(key))) != _head(key):
                    return None
                handle.seek(0)
                line = handle.readline()
            data = msgspec.json.decode(line)
            if not isinstance(data, dict) or data.get("key") != key:
                return None
            chunks = self._listed(file, data)
            spots = [list(spot) for spot in data["spots"]]
            if sum(c.count for c in chunks) != sum(int(s[2]) for s in spots):
                return None
            if not all(chunk.read_header() for chunk in chunks):
                return None  # torn, missing or replaced: the file is loaded again
            return Entry(
                key=key,
                top=dict(data["top"]),
                positions=dict(data["positions"]),
                jobs_key=data.get("jobs_key"),
                chunks=chunks,
                spots=spots,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def previous(self, file: Path) -> Previous | None:
        """The entry of `file` whatever bytes it was made from (its manifest only), or
        None (none, unreadable, or of another cache format)."""
        try:
            first, second = self._path(file).read_bytes().split(b"\n", 2)[:2]
            data, crcs = msgspec.json.decode(first), msgspec.json.decode(second)["crcs"]
            chunks = self._listed(file, data)
            if len(crcs) != len(chunks):
                return None
            for chunk, listed in zip(chunks, crcs, strict=True):
                chunk.crcs = [int(crc) for crc in listed]
            return Previous(chunks)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, file: Path, entry: Entry) -> None:
        """Write the entry's new chunks, then its manifest, then remove the chunks it no
        longer lists. A cache that cannot be written only costs the next load its time."""
        chunks_dir = self._chunk_dir(file)
        with contextlib.suppress(OSError):
            chunks_dir.mkdir(parents=True, exist_ok=True)
            wrote = False
            for chunk in entry.chunks:
                if chunk.lines is not None:
                    write_atomic_chunks(chunks_dir / chunk.id, (chunk.encode(),), sync_dir=False)
                    wrote = True
            if wrote:
                fsync_dir(chunks_dir)  # every chunk is there before a manifest names it
            write_atomic(self._path(file), entry.manifest())
            listed = {chunk.id for chunk in entry.chunks}
            for name in os.listdir(chunks_dir):
                if name not in listed:
                    with contextlib.suppress(OSError):
                        os.unlink(chunks_dir / name)


def job_base(jobs_key: str, defaults: Any, name: str, body: Any) -> str:
    """The part of a job's own key that all its `for_each` instances share (with the
    cache format and segspec's version: another release makes every job again)."""
    material = canonical_json_lenient([salt(), jobs_key, defaults, name, body])
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def instance_key(base: str, each: tuple[str, Any] | None) -> str:
    """A job's own key: its base and its `each` entry (repr is exact and stable for the
    plain data YAML gives: a different type or value is a different key)."""
    return base if each is None else base + repr(each)


def instance_keys(base: str, each: list[tuple[str, Any] | None]) -> list[str]:
    """`instance_key` of each entry, without a Python call per entry: when every key and
    value is text repr writes as itself in single quotes (printable, no quote or
    backslash), the repr of the pair is written directly."""
    if each == [None]:
        return [base]
    pairs: list[tuple[str, Any]] = each  # type: ignore[assignment]
    keys, values = list(map(itemgetter(0), pairs)), list(map(itemgetter(1), pairs))
    if set(map(type, keys)) | set(map(type, values)) <= {str}:
        text = "".join(keys) + "".join(values)
        if text.isprintable() and "'" not in text and "\\" not in text:
            return [f"{base}('{key}', '{value}')" for key, value in pairs]
    return list(map(base.__add__, map(repr, pairs)))
