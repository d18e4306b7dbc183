"""The state file's data, as pydantic models (also the source of schemas/state.schema.json)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

STATE_FORMAT_VERSION: Literal[1] = 1

Status = Literal["Submitting", "Created", "Executing", "Finished", "Failed"]
"""The service's four job states, plus `Submitting`: the token is recorded and the
request may or may not have reached the backend (no job id known yet)."""


def now_utc() -> str:
    """An ISO-8601 UTC timestamp with second precision, e.g. 2026-11-23T10:00:00Z."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutputRecord(_Record):
    """One output object of a finished job."""

    index: int
    bucket: str
    object_key: str
    media_id: str | None = None
    in_s: float | None = Field(default=None, description="Source time of the first frame (s).")
    out_s: float | None = Field(default=None, description="Source time the clip ends at (s).")
    first_frame: int | None = None
    last_frame: int | None = None
    size: int | None = None
    sha256: str | None = None
    etag: str | None = None
    mtime_ns: int | None = Field(
        default=None,
        description="The local file's mtime when recorded (local store): a plan that finds "
        "the same size and mtime takes the recorded sha256 without reading the file.",
    )


class PictureRecord(_Record):
    """A picture of a job's clips, stored beside its outputs (local engine)."""

    kind: Literal["contact-sheet", "first-last-frames"] = Field(
        description="contact-sheet: one thumbnail per shot (BasicClipSplit); "
        "first-last-frames: each clip's first and last frame (UserDefined)."
    )
    bucket: str
    object_key: str
    size: int | None = None
    sha256: str | None = None
    captions: list[str] | None = Field(
        default=None,
        description="What is written under each thumbnail, in order (a contact sheet: "
        "shot index, timecode, first frame and the kind of transition that opened it).",
    )


class JobError(_Record):
    code: str
    message: str
    request_id: str | None = None


class JobRecord(_Record):
    """Everything segspec knows about one job address."""

    address: str
    backend: str
    request: dict[str, Any] = Field(description="The normalized request that was submitted.")
    local: dict[str, Any] = Field(default_factory=dict)
    fingerprint: str
    input: dict[str, Any] | None = Field(
        default=None, description="The input's identity when submitted (size, sha256, ...)."
    )
    attempt: int = Field(default=1, description="Bumped when a failed job is run again.")
    prune_outputs: bool = Field(
        default=False, description="lifecycle.prune_outputs: delete outputs when the job goes."
    )
    client_token: str
    job_id: str | None = None
    status: Status
    submitted_at: str
    updated_at: str
    finished_at: str | None = None
    error: JobError | None = None
    ai_result: dict[str, Any] | None = None
    media_id: str | None = None
    media_url: str | None = None
    outputs: list[OutputRecord] = Field(default_factory=list)
    picture: PictureRecord | None = Field(
        default=None, description="A picture of the clips, when the backend made one."
    )


class StateFile(_Record):
    """The whole state file."""

    format_version: Literal[1] = STATE_FORMAT_VERSION
    lineage: str
    serial: int
    jobs: dict[str, JobRecord]
