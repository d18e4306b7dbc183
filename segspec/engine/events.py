"""What an operation tells while it works: a closed set of typed events.

Operations (`segspec.engine.operations`) emit these through an `Emit` callback and never
print; the CLI's views render them (a live display on a terminal, plain lines in a log,
JSON lines under `--json`). Every event carries the wall-clock time it happened (`at`,
seconds since the epoch). Events are plain, immutable data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from segspec.plan.model import Plan


@dataclass(frozen=True)
class _Event:
    type: ClassVar[str]
    at: float = field(default_factory=time.time, kw_only=True, compare=False)


@dataclass(frozen=True)
class OperationStarted(_Event):
    """An operation (apply, destroy, refresh) began."""

    type: ClassVar[str] = "operation_started"
    operation: str


@dataclass(frozen=True)
class SpecWarning(_Event):
    """A deprecation or similar note about the specs; it never changes the outcome."""

    type: ClassVar[str] = "warning"
    message: str


@dataclass(frozen=True)
class PlanReady(_Event):
    """What the operation is about to do. `refresh_only`: only reads are kept."""

    type: ClassVar[str] = "plan"
    operation: str
    plan: Plan
    refresh_only: bool = False


@dataclass(frozen=True)
class JobQueued(_Event):
    """A job waits for a free worker (`action`: create, replace, read, delete)."""

    type: ClassVar[str] = "job_queued"
    address: str
    action: str


@dataclass(frozen=True)
class JobStarted(_Event):
    """A worker took the job: it is being submitted (or, for a read, collected)."""

    type: ClassVar[str] = "job_started"
    address: str
    action: str
    detail: str = ""


@dataclass(frozen=True)
class JobSubmitted(_Event):
    """The backend accepted the job as `job_id` (on the local engine: its work started)."""

    type: ClassVar[str] = "job_submitted"
    address: str
    job_id: str


@dataclass(frozen=True)
class JobStatus(_Event):
    """The backend reports a new non-terminal status (e.g. Executing)."""

    type: ClassVar[str] = "job_status"
    address: str
    status: str


@dataclass(frozen=True)
class JobProgress(_Event):
    """How far one stage of the job is: `fraction` 0..1, frames per second and the
    estimated seconds left in the stage (None while unknown)."""

    type: ClassVar[str] = "job_progress"
    address: str
    stage: str
    fraction: float
    fps: float | None
    eta_seconds: float | None


@dataclass(frozen=True)
class JobRetrying(_Event):
    """A call failed transiently and is sent again after `delay_seconds`. `address` is
    None for calls made for the whole operation (the credentials check)."""

    type: ClassVar[str] = "job_retrying"
    address: str | None
    call: str
    reason: str
    delay_seconds: float
    attempt: int


@dataclass(frozen=True)
class JobFinished(_Event):
    """The job finished and its outputs are recorded."""

    type: ClassVar[str] = "job_finished"
    address: str
    outputs: int
    note: str = ""


@dataclass(frozen=True)
class JobFailed(_Event):
    """The job failed (or its result could not be collected); `reason` is the message."""

    type: ClassVar[str] = "job_failed"
    address: str
    reason: str


@dataclass(frozen=True)
class JobDeleted(_Event):
    """The job was forgotten; `objects` output objects were deleted with it."""

    type: ClassVar[str] = "job_deleted"
    address: str
    objects: int
    detail: str = ""


@dataclass(frozen=True)
class StateSaved(_Event):
    """The operation's changes are recorded in the state at `location`, now at `serial`
    (folded into the state document, or kept in its journal until the next fold)."""

    type: ClassVar[str] = "state_saved"
    location: str
    serial: int


@dataclass(frozen=True)
class OperationFinished(_Event):
    """The summary. `ran`: False when there was nothing to do (no job was touched)."""

    type: ClassVar[str] = "operation_finished"
    operation: str
    ran: bool
    finished: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    deleted: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed


Event = (
    OperationStarted
    | SpecWarning
    | PlanReady
    | JobQueued
    | JobStarted
    | JobSubmitted
    | JobStatus
    | JobProgress
    | JobRetrying
    | JobFinished
    | JobFailed
    | JobDeleted
    | StateSaved
    | OperationFinished
)
EVENT_TYPES: tuple[type[_Event], ...] = (
    OperationStarted,
    SpecWarning,
    PlanReady,
    JobQueued,
    JobStarted,
    JobSubmitted,
    JobStatus,
    JobProgress,
    JobRetrying,
    JobFinished,
    JobFailed,
    JobDeleted,
    StateSaved,
    OperationFinished,
)
Emit = Callable[[Event], None]


def ignore(event: Event) -> None:
    """An `Emit` that drops everything (for callers that only want the result)."""
