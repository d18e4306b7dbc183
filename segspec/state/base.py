"""The two small interfaces every state store implements, whatever it is kept in.

`StateBackend` is a place where a state lives (a local file, an object in a bucket): it
locks it, opens it, and removes a lock a dead process left. `State` is one opened state:
the jobs by address, changed one durable transition at a time, and folded into the state
document by `compact()`. Callers never see journals, ETags or lock files: the journal and
the fold live behind `State`, so the fold can change (issue 10) without touching callers.
One contract suite (tests/state/contract.py) runs on every implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from segspec.state.model import JobRecord
from segspec.state.summary import RecordSummary


@dataclass(frozen=True)
class LockInfo:
    """Who holds a state lock: enough for a person to decide it is stale."""

    id: str
    host: str
    user: str
    pid: int
    command: str
    since: str

    def describe(self) -> str:
        return (
            f"{self.user}@{self.host} (pid {self.pid}, {self.command}, since {self.since}; "
            f"lock ID {self.id})"
        )


class State(Protocol):
    """One opened state. `put`/`remove` are thread-safe and durable before they return."""

    lineage: str | None
    """Made once, when the first job is recorded; a saved plan names it."""
    serial: int
    """Bumped by every change."""

    @property
    def location(self) -> str:
        """Where the state is, for messages (a path, or s3://bucket/key)."""
        ...

    @property
    def exists(self) -> bool:
        """False until a first job was ever recorded."""
        ...

    @property
    def jobs(self) -> Mapping[str, JobRecord]:
        """A snapshot of the records, by address (an entirely distinct copy each call)."""
        ...

    def get(self, address: str) -> JobRecord | None: ...

    def summaries(self) -> Mapping[str, RecordSummary]:
        """What a plan compares, per recorded address (see state/summary.py); cheap even
        when the full records are not loaded. Equal to `summarize` of each record."""
        ...

    def records(self, addresses: Iterable[str]) -> dict[str, JobRecord]:
        """The full records of `addresses` (unknown ones are left out)."""
        ...

    def write_document(self, out: BinaryIO) -> None:
        """Write the state as its JSON document (what a fold would write now, unfolded
        transitions included; `"lineage": null` before the first job) to `out`, one
        record at a time: memory does not grow with the number of jobs."""
        ...

    def put(self, record: JobRecord) -> None:
        """Record `record`; it survives a kill -9 the moment this returns."""
        ...

    def remove(self, address: str) -> None:
        """Forget `address` durably (no-op when unknown)."""
        ...

    def compact(self) -> None:
        """Fold every recorded transition into the state document, keeping the previous
        version as a backup. Refuses (StateError) to overwrite a newer state."""
        ...

    def adopt(self, lineage: str, serial: int, jobs: Mapping[str, JobRecord]) -> None:
        """Take over another state's contents whole (for `init --migrate-state`); durable
        after the next `compact()`. Refused when this state already holds jobs."""
        ...


class StateBackend(Protocol):
    """A place a state lives."""

    @property
    def location(self) -> str: ...

    def lock(self, *, timeout: float = 0.0, command: str = "") -> AbstractContextManager[object]:
        """Hold the state's exclusive lock for the `with` block; wait up to `timeout` s,
        then raise LockError naming the holder (and, where it applies, force-unlock)."""
        ...

    def open(self) -> State:
        """Read the state (and replay transitions an interrupted run left)."""
        ...

    def force_unlock(self, lock_id: str) -> LockInfo:
        """Remove the lock `lock_id` left by a dead process; return whose it was.
        LockError when no lock, or another one, is held."""
        ...

    def check(self) -> list[str]:
        """Verify the configuration (reachable, credentials, lock works); what was
        checked, one line each. Raises the SegspecError a real command would hit."""
        ...
