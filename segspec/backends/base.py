"""The contract every backend honours, and the plain data that crosses it.

A backend is handed a fully normalized request (defaults merged, validated) and never
sees spec files, state or the planner. It must be idempotent per `client_token`:
submitting a token it has seen before returns the same job id and starts no new job,
which is what lets an interrupted apply be rerun safely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


class JobState(StrEnum):
    """The service's job states (GetSmartHandleJob `State`)."""

    CREATED = "Created"
    EXECUTING = "Executing"
    FINISHED = "Finished"
    FAILED = "Failed"

    @property
    def terminal(self) -> bool:
        return self in (JobState.FINISHED, JobState.FAILED)


@dataclass(frozen=True)
class JobRequest:
    """One job as a backend receives it.

    `request` holds exactly the service's parameters (`InputConfig`, `JobParams`,
    `OutputConfig`, optional `UserData`) as plain JSON data. `local` holds segspec's
    local-engine options (empty for other backends to ignore). `base_dir` is the directory
    of the spec file, against which relative local paths resolve.
    """

    address: str
    fingerprint: str
    client_token: str
    request: Mapping[str, Any]
    local: Mapping[str, Any] = field(default_factory=dict)
    base_dir: Path = field(default_factory=Path.cwd)


@dataclass(frozen=True)
class OutputSegment:
    """One output object of a finished job, with what segspec knows about it."""

    index: int
    bucket: str
    object_key: str
    media_id: str | None = None
    in_s: float | None = None
    out_s: float | None = None
    first_frame: int | None = None
    last_frame: int | None = None
    size: int | None = None
    sha256: str | None = None
    etag: str | None = None
    mtime_ns: int | None = None
    """The local file's mtime once in place (local store), so plans need not re-hash it."""


@dataclass(frozen=True)
class JobResult:
    """What a backend reports for a job id at one moment."""

    job_id: str
    state: JobState
    error_code: str | None = None
    error_message: str | None = None
    ai_result: Mapping[str, Any] | None = None
    segments: tuple[OutputSegment, ...] = ()
    media_id: str | None = None
    media_url: str | None = None
    picture: Mapping[str, Any] | None = None
    """A picture of the clips stored beside them (kind, bucket, object_key, size, sha256)."""


@runtime_checkable
class Backend(Protocol):
    """A place where segmentation jobs run."""

    name: str
    poll_seconds: float
    """How long to wait between two `get` calls while a job is running."""

    def submit(self, job: JobRequest) -> str:
        """Start `job` (or find the one already started with its client token); return its id.

        Raises `BackendError` when the request is refused; `retryable` tells whether the
        same call may succeed later.
        """
        ...

    def get(self, job_id: str) -> JobResult:
        """Return the job's current state; terminal states carry results or the error."""
        ...


def ai_result_for(
    endpoint: str, bucket: str, segments: tuple[OutputSegment, ...]
) -> dict[str, Any]:
    """Build an AiResult in the service's shape for the given output segments."""
    return {
        "SegmentationResult": {
            "OutputEndpoint": endpoint,
            "OutputBucket": bucket,
            "OutputObjectResults": [
                {"ObjectKey": seg.object_key, "MediaId": seg.media_id or ""} for seg in segments
            ],
        }
    }
