"""One spec file's jobs as they are loaded, grouped into the chunks of its cache entry.

The loader hands each job instance over in file order (`add`), with its own key
(segspec.spec.cache). Without a previous entry every instance is made at once, in order,
so the file's budget is spent exactly as a load without any cache spends it. With one (the
file changed), the instances of the chunk in progress wait until the chunk ends: a chunk
the previous entry has whole is taken as it is (its rows read, its budget cost spent once,
nothing inside it looked at); otherwise each of its jobs is taken from the previous chunk
holding its key or made again. A chunk is closed before each `for_each` job widens the
budget (`cut`), so the spending that waits never crosses a widening: the file's budget is
refused exactly when a load without cache refuses it (a job made later than it would be
may meet a budget a little smaller; that load then has a problem, and a load with a
problem is redone from the files without the cache).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zlib import crc32

import msgspec

from segspec.spec.cache import Previous, salt
from segspec.spec.chunks import Chunk, chunk_ends, chunk_id, items_of
from segspec.spec.limits import Budget
from segspec.spec.problems import Problems
from segspec.spec.rows import JobRow, row_of
from segspec.spec.yamlpos import Pos

if TYPE_CHECKING:
    from segspec.spec.loader import DesiredJob


@dataclass(frozen=True)
class JobOf:
    """A job of the file, shared by its `for_each` instances."""

    name: str
    pos: Pos
    merged: Callable[[], dict[str, Any]]
    """The job's body with the file's defaults merged in (made once, on first use)."""
    base: str | None = None
    """The base of its instances' own keys when its `for_each` entries are all text with
    key and value the same (a list of names): its chunks are then listed with their
    entries (segspec.spec.chunks `items_of`), to be found again by them."""


@dataclass(frozen=True)
class Instance:
    """One job to make: a job of the file, or one `for_each` instance of it."""

    job: JobOf
    address: str
    each: tuple[str, Any] | None
    key: str
    crc: int

    @property
    def name(self) -> str:
        return self.job.name

    @property
    def pos(self) -> Pos:
        return self.job.pos


Make = Callable[[Instance], "DesiredJob | None"]
Waiting = tuple[JobOf, list[str], list[Any], list[str], list[int]]
"""Instances of one job waiting for their chunk to end: job, addresses, each, keys, crcs."""


@dataclass
class FileJobs:
    """The rows of a file's jobs in file order, the jobs made now (by index), and the
    chunks of its new cache entry (`keep`: False when there is no cache)."""

    file: Path
    problems: Problems
    budget: Budget
    make: Make
    previous: Previous | None = None
    keep: bool = False
    rows: list[JobRow] = field(default_factory=list)
    made: dict[int, DesiredJob] = field(default_factory=dict)
    chunks: list[Chunk] = field(default_factory=list)
    _waiting: list[Waiting] = field(default_factory=list)
    _count: int = 0
    """Jobs in the chunk in progress."""
    _data: list[list[Any]] = field(default_factory=list)
    _lines: list[bytes] = field(default_factory=list)
    _keys: list[str] = field(default_factory=list)
    _costs: list[int] = field(default_factory=list)
    _crcs: list[int] = field(default_factory=list)
    _entries: list[str] = field(default_factory=list)
    _of: JobOf | None = None
    """The one job of the chunk in progress whose entries are listed, or None."""

    def __post_init__(self) -> None:
        self._base_dir = str(self.file.parent)
        self._salt = salt()

    def add(self, job: JobOf, addresses: list[str], each: list[Any], keys: list[str]) -> bool:
        """Load the instances of `job` (now, or when their chunk ends); False once the
        file's budget is exhausted (the problem is recorded: stop loading the file)."""
        crcs = list(map(crc32, map(str.encode, keys)))  # (no Python call per key)
        start = 0
        for end in chunk_ends(crcs, self._count):
            if not self._load(job, addresses, each, keys, crcs, start, end):
                return False
            start = end
            if not self.cut():
                return False
        return self._load(job, addresses, each, keys, crcs, start, len(keys))

    def _load(
        self,
        job: JobOf,
        addresses: list[str],
        each: list[Any],
        keys: list[str],
        crcs: list[int],
        start: int,
        end: int,
    ) -> bool:
        if start == end:
            return True
        self._count += end - start
        if self.previous is not None:
            self._waiting.append(
                (job, addresses[start:end], each[start:end], keys[start:end], crcs[start:end])
            )
            return True
        for at in range(start, end):
            if not self._one(Instance(job, addresses[at], each[at], keys[at], crcs[at])):
                return False
        return True

    def cut(self) -> bool:
        """End the chunk in progress (False: the budget is exhausted)."""
        waiting, self._waiting, self._count = self._waiting, [], 0
        if waiting:
            whole = self._take_whole(waiting)
            if whole is not None:
                return whole
            for job, addresses, each, keys, crcs in waiting:
                for at, address in enumerate(addresses):
                    if not self._one(Instance(job, address, each[at], keys[at], crcs[at])):
                        return False
        if self.keep:
            self._close()
        return True

    def _take_whole(self, waiting: list[Waiting]) -> bool | None:
        """Take the previous entry's chunk of exactly these jobs: None if it has none (or
        not a sound one), else whether the budget allowed it."""
        assert self.previous is not None
        keys = _joined(waiting, 3)
        chunk = self.previous.whole(chunk_id(self._salt, keys))
        if chunk is None or chunk.rows is None or len(chunk.rows) != len(keys):
            return None
        if list(map(itemgetter(0), chunk.rows)) != _joined(waiting, 1):
            return None
        job, _, each, *_ = waiting[0]
        if chunk.items is None and len(waiting) == 1 and job.base is not None:
            # (a chunk of an entry written before chunks were listed with their entries)
            chunk.items = items_of(job.base, list(map(itemgetter(0), each)))
        return self._accept(chunk, [(job, len(addresses)) for job, addresses, *_ in waiting])

    def take(self, job: JobOf, chunk: Chunk, first: str, last: str) -> bool | None:
        """Take `chunk` of the previous entry whole for the next instances of `job`, whose
        first and last addresses are these (`Previous.located` found their entries in it):
        None if it cannot be (the chunk unsound, other addresses), else whether the
        budget allowed it. Call `cut` first."""
        assert self.previous is not None and not self._waiting
        if self.previous.whole(chunk.id) is not chunk or chunk.rows is None:
            return None
        rows = chunk.rows
        if len(rows) != chunk.count or rows[0][0] != first or rows[-1][0] != last:
            return None
        return self._accept(chunk, [(job, chunk.count)])

    def _accept(self, chunk: Chunk, runs: list[tuple[JobOf, int]]) -> bool:
        """Take a sound chunk of the previous entry whose rows are these jobs' instances."""
        assert chunk.rows is not None
        if not self.budget.spend(chunk.cost):
            self._refuse(runs[0][0])
            return False
        file, base_dir, at, listed = self.file, self._base_dir, 0, chunk.rows
        for job, count in runs:
            line, column = job.pos
            self.rows.extend(
                JobRow.from_list(data, file, base_dir, line, column)
                for data in listed[at : at + count]
            )
            at += count
        chunk.rows = None  # (its rows are now JobRows; its bodies stay in its file)
        self.chunks.append(chunk)
        return True

    def _one(self, instance: Instance) -> bool:
        """Take `instance` from the previous entry, or make it."""
        taken = (
            self.previous.take(instance.key, instance.crc, instance.address)
            if self.previous is not None
            else None
        )
        if taken is not None:
            data, line, cost = taken
            if not self.budget.spend(cost):  # (as making it would have found)
                self._refuse(instance.job)
                return False
            line_no, column = instance.pos
            self.rows.append(JobRow.from_list(data, self.file, self._base_dir, line_no, column))
            self._keep(data, line, instance, cost)
            return True
        left = self.budget.left
        job = self.make(instance)
        if job is None:
            return True  # its problems are recorded; the file's other jobs are still loaded
        row = row_of(job)
        self.made[len(self.rows)] = job
        self.rows.append(row)
        if self.keep:
            line = msgspec.json.encode([job.address, job.body_data]) + b"\n"
            self._keep(row.to_list(), line, instance, left - self.budget.left)
        return True

    def _keep(self, data: list[Any], line: bytes, instance: Instance, cost: int) -> None:
        if not self.keep:
            return
        if not self._keys:
            self._of = instance.job if instance.job.base is not None else None
        if self._of is not None:
            if instance.job is self._of and instance.each is not None:
                self._entries.append(instance.each[0])
            else:
                self._of = None
        self._data.append(data)
        self._lines.append(line)
        self._keys.append(instance.key)
        self._costs.append(cost)
        self._crcs.append(instance.crc)

    def _close(self) -> None:
        if not self._keys:
            return
        base = self._of.base if self._of is not None else None
        listed = items_of(base, self._entries) if base is not None else None
        self.chunks.append(
            Chunk(
                id=chunk_id(self._salt, self._keys),
                count=len(self._keys),
                cost=sum(self._costs),
                crcs=self._crcs,
                rows=self._data,
                lines=self._lines,
                keys=self._keys,
                costs=self._costs,
                items=listed,
            )
        )
        self._data, self._lines, self._keys, self._costs, self._crcs = [], [], [], [], []
        self._entries, self._of = [], None

    def _refuse(self, job: JobOf) -> None:
        self.problems.add(self.file, job.pos, ("jobs", job.name), "exceeds the file's value budget")


def _joined(waiting: list[Waiting], part: Literal[1, 3]) -> list[str]:
    """The addresses (`part` 1) or keys (3) of the waiting instances, in order."""
    if len(waiting) == 1:
        return waiting[0][part]
    return [item for wait in waiting for item in wait[part]]
