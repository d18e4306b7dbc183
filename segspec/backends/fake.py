"""An in-memory backend: a first-class test double that honours the whole contract.

It produces one output per UserDefined range (or `shots` outputs for BasicClipSplit),
never touches disk, and can be told to fail chosen addresses or to stay running for a
number of polls.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from segspec.backends.base import JobRequest, JobResult, JobState, OutputSegment, ai_result_for
from segspec.errors import BackendError


@dataclass
class _FakeJob:
    job: JobRequest
    polls_left: int
    result: JobResult


@dataclass
class FakeBackend:
    """Records every submission; `submissions` counts real job creations per address."""

    name: str = "fake"
    poll_seconds: float = 0.0
    fail: dict[str, str] = field(default_factory=dict)
    """address -> error message for jobs that should end Failed."""
    reject: dict[str, str] = field(default_factory=dict)
    """address -> error message for submissions that should be refused outright."""
    running_polls: int = 0
    shots: int = 3
    submissions: list[str] = field(default_factory=list)
    _jobs: dict[str, _FakeJob] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(self, job: JobRequest) -> str:
        with self._lock:
            if job.client_token in self._tokens:
                return self._tokens[job.client_token]
            if job.address in self.reject:
                raise BackendError(self.reject[job.address], code="InvalidParameter")
            job_id = hashlib.sha256(job.client_token.encode()).hexdigest()[:32]
            self._tokens[job.client_token] = job_id
            self.submissions.append(job.address)
            self._jobs[job_id] = _FakeJob(job, self.running_polls, self._finish(job_id, job))
            return job_id

    def get(self, job_id: str) -> JobResult:
        with self._lock:
            entry = self._jobs.get(job_id)
            if entry is None:
                raise BackendError(
                    f"job {job_id} does not exist on the fake backend", code="NotFound"
                )
            if entry.polls_left > 0:
                entry.polls_left -= 1
                return JobResult(job_id=job_id, state=JobState.EXECUTING)
            return entry.result

    def _finish(self, job_id: str, job: JobRequest) -> JobResult:
        if job.address in self.fail:
            return JobResult(
                job_id=job_id,
                state=JobState.FAILED,
                error_code="FakeFailure",
                error_message=self.fail[job.address],
            )
        out: dict[str, Any] = dict(job.request["OutputConfig"])
        params: dict[str, Any] = dict(job.request["JobParams"])
        spans: list[tuple[float, float]]
        if params["Mode"] == "UserDefined":
            spans = [(float(r["In"]), float(r["Out"])) for r in params["Ranges"]]
        else:
            spans = [(float(i), float(i + 1)) for i in range(self.shots)]
        segments = tuple(
            OutputSegment(
                index=i,
                bucket=out["Bucket"],
                object_key=str(out["ObjectKey"]).replace("{index}", str(i)),
                media_id=(
                    hashlib.md5(f"{job_id}/{i}".encode()).hexdigest()
                    if out.get("ExportAsNewMedia")
                    else None
                ),
                in_s=start,
                out_s=end,
            )
            for i, (start, end) in enumerate(spans)
        )
        return JobResult(
            job_id=job_id,
            state=JobState.FINISHED,
            ai_result=ai_result_for("fake://", out["Bucket"], segments),
            segments=segments,
        )
