"""What loading a spec file produced, kept by the file's content so the next load skips it.

Parsing YAML with positions and validating every job is most of a plan's time at scale,
and between two plans most files do not change. Each spec file gets one entry
(`<project>/.segspec/cache/specs/<sha256 of the path>.json`): a first line of JSON holding

  key    sha256 over the cache format, segspec's version, the file's path and its bytes:
         anything else (an edit, another release of segspec) is a miss
  top    the file's blocks other than `jobs:` (version, engine, backend, state,
         variables), with the positions of their keys
  rows   for one set of variable values (their canonical JSON's sha256, `jobs_key`): each
         job's `JobRow` (segspec.spec.rows), what a plan compares of every job

then one line per job, `[address, validated body]`, at the offsets the first line lists,
and a last line (at `tail`) with each job's own key and budget cost (below).
A plan reads the first line only; a job's body is read (one seek) when the job must be
shown or run.

When a file changes, most of its jobs usually do not (one job edited among 2,000, one
entry removed from a `for_each` of 100,000). Each job, and each `for_each` instance, has a
key of its own: a digest of what it is made from (the variable values, the file's
`defaults:`, its name and body) plus its `each` entry. A file whose entry misses reads its
previous entry whole (`SpecCache.previous`) and takes from it the row and body line of
every job whose key is unchanged, instead of interpolating and validating it again; the
interpolation budget it spent then is spent again, so the file's limits hold exactly.

Variables come from flags, files and the environment, so their resolved values are part
of the jobs' key: a different value is a miss for the jobs (the top blocks stay valid).
Only loads without any problem are stored, and a cached load that meets any problem is
redone from the files, so every error message still comes from a real parse. The cache
is only ever an optimization: an unreadable, corrupt or unwritable entry is a miss (an
entry replaced while a command reads it is an error: run it again).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from segspec import __version__
from segspec.errors import SegspecError
from segspec.spec.normalize import canonical_json
from segspec.spec.rows import JobRow
from segspec.spec.yamlpos import Located, Path_, Pos
from segspec.state.atomic import write_atomic

if TYPE_CHECKING:
    from segspec.spec.loader import DesiredJob

CACHE_FORMAT = 3
BODIES_READ_ONE_BY_ONE = 32
"""Bodies read with a seek each before the whole entry is read at once."""


def file_key(file: Path, raw: bytes) -> str:
    digest = hashlib.sha256(f"segspec-spec-cache {CACHE_FORMAT} {__version__}\0".encode())
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
    rows: list[list[Any]] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    """Where each job's body line starts, counted from the end of the first line."""
    bodies: list[dict[str, Any] | None] | None = None
    """The jobs' bodies, when this entry was just made (else read from `path`)."""
    path: Path | None = None
    header_bytes: int = 0
    keys: list[str] = field(default_factory=list)
    """Each job's own key (see the module doc), when this entry was just made."""
    costs: list[int] = field(default_factory=list)
    """What each job's interpolation spent of the file's budget."""
    lines: list[bytes | None] | None = None
    """The body line of each job taken from the previous entry (None: in `bodies`)."""
    _reads: int = 0
    _blob: bytes | None = None

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

    def remember_jobs(self, jobs_key: str, built: list[Built]) -> None:
        self.jobs_key = jobs_key
        self.rows = [b.row.to_list() if b.row_data is None else b.row_data for b in built]
        self.bodies = [b.job.body_data if b.job is not None else None for b in built]
        self.lines = [b.line for b in built]
        self.keys = [b.key for b in built]
        self.costs = [b.cost for b in built]

    def take_rows(self, file: Path) -> list[JobRow]:
        """The jobs' rows of a cached entry (its JSON rows are let go: at 100,000 jobs
        they would be kept twice)."""
        base_dir = str(file.parent)
        listed, self.rows = self.rows, []
        rows = []
        while listed:  # each JSON row goes as its JobRow comes (from the end: O(1) each)
            rows.append(JobRow.from_list(listed.pop(), file, base_dir))
        rows.reverse()
        return rows

    def body(self, index: int, address: str) -> dict[str, Any]:
        """The validated body of the entry's `index`-th job, `address` (a few are read one seek
        each; once many are asked for, the whole entry is read once)."""
        if self.bodies is not None:
            body = self.bodies[index]
            if body is not None:
                return body
            assert self.lines is not None
            line = self.lines[index]
            assert line is not None
            found, body = json.loads(line)
            assert found == address and isinstance(body, dict)
            return body
        assert self.path is not None
        self._reads += 1
        try:
            if self._blob is None and self._reads > BODIES_READ_ONE_BY_ONE:
                self._blob = self.path.read_bytes()
            if self._blob is not None:
                head = self._blob[: len(_head(self.key))]
                start = self.header_bytes + self.offsets[index]
                line = self._blob[start : self._blob.index(b"\n", start)]
            else:
                with self.path.open("rb") as handle:
                    head = handle.read(len(_head(self.key)))
                    handle.seek(self.header_bytes + self.offsets[index])
                    line = handle.readline()
            found, body = json.loads(line)
        except (OSError, ValueError) as exc:
            raise SegspecError(_REPLACED.format(path=self.path, why=exc)) from exc
        if head != _head(self.key) or found != address or not isinstance(body, dict):
            raise SegspecError(_REPLACED.format(path=self.path, why="another entry"))
        return body

    def to_json(self) -> bytes:
        assert self.bodies is not None
        taken = self.lines or [None] * len(self.bodies)
        lines = [
            line
            if line is not None
            else json.dumps([row[0], body], separators=(",", ":"), ensure_ascii=False).encode()
            + b"\n"
            for row, body, line in zip(self.rows, self.bodies, taken, strict=True)
        ]
        offsets, at = [], 0
        for line in lines:
            offsets.append(at)
            at += len(line)
        header = json.dumps(
            {
                "key": self.key,
                "top": self.top,
                "positions": self.positions,
                "jobs_key": self.jobs_key,
                "rows": self.rows,
                "offsets": offsets,
                "tail": at,
            },
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
        tail = json.dumps({"keys": self.keys, "costs": self.costs}, separators=(",", ":"))
        return header + b"\n" + b"".join(lines) + tail.encode() + b"\n"


@dataclass(slots=True)
class Built:
    """One job of a file just loaded: made now (`job`), or taken from the previous entry
    (`row_data` and `line`), with its own key and budget cost (see the module doc)."""

    row: JobRow
    key: str
    cost: int
    job: DesiredJob | None = None
    row_data: list[Any] | None = None
    line: bytes | None = None


class Previous:
    """The last entry of a file that has changed since: its jobs by their own key."""

    def __init__(
        self, rows: list[list[Any]], lines: list[bytes], keys: list[str], costs: list[int]
    ) -> None:
        self.rows, self.lines, self.costs = rows, lines, costs
        self.index = {key: at for at, key in enumerate(keys)}

    def take(self, key: str, address: str) -> tuple[list[Any], bytes, int] | None:
        """The row (as JSON data), body line and cost of the job of `key`, if it was
        there (and is `address`)."""
        at = self.index.get(key)
        if at is None or self.rows[at][0] != address:
            return None
        return self.rows[at], self.lines[at], self.costs[at]


def job_base(jobs_key: str, defaults: Any, name: str, body: Any) -> str:
    """The part of a job's own key that all its `for_each` instances share."""
    material = canonical_json_lenient([jobs_key, defaults, name, body])
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def instance_key(base: str, each: tuple[str, Any] | None) -> str:
    """A job's own key: its base and its `each` entry (repr is exact and stable for the
    plain data YAML gives: a different type or value is a different key)."""
    return base if each is None else base + repr(each)


_REPLACED = (
    "the spec cache entry {path} changed while this command read it ({why}) — another "
    "segspec command is loading the same specs; run this one again"
)


def _head(key: str) -> bytes:
    return ('{"key":"' + key + '"').encode()


class SpecCache:
    """The entries of one project, read lazily and written back when they changed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, file: Path) -> Path:
        name = hashlib.sha256(str(file.absolute()).encode()).hexdigest()[:32]
        return self.directory / f"{name}.json"

    def get(self, file: Path, key: str) -> Entry | None:
        """The entry of `file` when it was made from the same bytes, else None (only its
        first line is read)."""
        path = self._path(file)
        try:
            with path.open("rb") as handle:
                if handle.read(len(_head(key))) != _head(key):
                    return None
                handle.seek(0)
                line = handle.readline()
            # msgspec decodes the bytes as they are (json.loads first copies them into a
            # str: at 100,000 jobs in one file, a 45 MB transient on top of the rows)
            data = msgspec.json.decode(line)
            if not isinstance(data, dict) or data.get("key") != key:
                return None
            rows, offsets = list(data.get("rows") or []), list(data.get("offsets") or [])
            if len(rows) != len(offsets):
                return None
            return Entry(
                key=key,
                top=dict(data["top"]),
                positions=dict(data["positions"]),
                jobs_key=data.get("jobs_key"),
                rows=rows,
                offsets=offsets,
                path=path,
                header_bytes=len(line),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def previous(self, file: Path) -> Previous | None:
        """The entry of `file` whatever bytes it was made from (read whole), or None."""
        try:
            blob = self._path(file).read_bytes()
            end = blob.index(b"\n")
            data = json.loads(blob[:end])
            rows, offsets, tail = data["rows"], data["offsets"], data["tail"]
            start = end + 1
            found = json.loads(blob[start + tail :])
            keys, costs = found["keys"], found["costs"]
            if not (len(rows) == len(offsets) == len(keys) == len(costs)):
                return None
            bounds = [*offsets, tail]
            lines = [blob[start + bounds[i] : start + bounds[i + 1]] for i in range(len(rows))]
            return Previous(rows, lines, keys, costs)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def put(self, file: Path, entry: Entry) -> None:
        # a cache that cannot be written only costs the next load its time
        with contextlib.suppress(OSError):
            write_atomic(self._path(file), entry.to_json())
