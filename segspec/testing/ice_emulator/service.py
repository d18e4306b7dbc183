"""The emulated service behind the HTTP layer: jobs, their progress and four actions.

Everything here is plain Python with a lock; the server decodes requests into a
parameter map and turns `ApiError`s into the service's JSON error shape.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from segspec.testing.ice_emulator.errors import ApiError, invalid, missing
from segspec.testing.ice_emulator.validation import Submission, check_submission

JOB_TYPE = "Segmentation"


@dataclass
class ServiceSettings:
    """How jobs behave; all randomness comes from `seed`."""

    region: str = "cn-shanghai"
    polls_to_finish: int = 2
    """GetSmartHandleJob calls a job answers before it reports a terminal state (≥ 1)."""
    job_seconds: float = 0.0
    """Time on `clock` a job needs after creation before it can finish."""
    shots: int = 3
    """Outputs a BasicClipSplit job produces."""
    fail_rate: float = 0.0
    """Share of new jobs that end `Failed`."""
    fail_media: frozenset[str] = frozenset()
    """InputConfig.Media values whose jobs always end `Failed`."""
    clock: Callable[[], float] = time.monotonic
    seed: int = 0


@dataclass
class _Job:
    job_id: str
    submission: Submission
    created: float
    create_time: str
    fails: bool
    polls: int = 0
    modified_time: str = ""


@dataclass
class ServiceCounters:
    """What tests look at: real job creations, keyed several ways."""

    jobs_created: int = 0
    by_token: Counter[str] = field(default_factory=Counter)
    by_address: Counter[str] = field(default_factory=Counter)


class IceService:
    """Thread-safe in-memory ICE: SubmitSegmentationJob, GetSmartHandleJob, List, Delete."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.counters = ServiceCounters()
        self._rng = random.Random(settings.seed)
        self._jobs: dict[str, _Job] = {}
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        self._created = threading.Condition(self._lock)

    def wait_for_jobs(self, count: int, timeout: float) -> bool:
        """Block until at least `count` jobs exist (or `timeout` passes); True if they do."""
        with self._created:
            return self._created.wait_for(lambda: self.counters.jobs_created >= count, timeout)

    def call(self, action: str, params: Mapping[str, str]) -> dict[str, Any]:
        """Run one action; return the response body without RequestId."""
        handlers: dict[str, Callable[[Mapping[str, str]], dict[str, Any]]] = {
            "SubmitSegmentationJob": self._submit,
            "GetSmartHandleJob": self._get,
            "ListSmartJobs": self._list,
            "DeleteSmartJob": self._delete,
        }
        handler = handlers.get(action)
        if handler is None:
            raise ApiError(404, "InvalidAction.NotFound", f"Specified api {action} is not found.")
        with self._lock:
            return handler(params)

    def _submit(self, params: Mapping[str, str]) -> dict[str, Any]:
        sub = check_submission(params, self.settings.region)
        if sub.client_token is not None and sub.client_token in self._tokens:
            job_id = self._tokens[sub.client_token]
            if self._jobs[job_id].submission != sub:
                raise ApiError(
                    400,
                    "IdempotentParameterMismatch",
                    "The request uses the same client token as a previous, different request.",
                )
            return {"JobId": job_id}
        job_id = f"{self._rng.getrandbits(128):032x}"
        fails = (
            sub.input_config.get("Media") in self.settings.fail_media
            or self._rng.random() < self.settings.fail_rate
        )
        now = _iso_now()
        self._jobs[job_id] = _Job(job_id, sub, self.settings.clock(), now, fails, 0, now)
        if sub.client_token is not None:
            self._tokens[sub.client_token] = job_id
        self.counters.jobs_created += 1
        self.counters.by_token[sub.client_token or ""] += 1
        self.counters.by_address[_address(sub.user_data)] += 1
        self._created.notify_all()
        return {"JobId": job_id}

    def _job(self, params: Mapping[str, str]) -> _Job:
        job_id = params.get("JobId")
        if not job_id:
            raise missing("JobId")
        job = self._jobs.get(job_id)
        if job is None:
            raise ApiError(404, "NotFound", f"The job {job_id} does not exist.")
        return job

    def _get(self, params: Mapping[str, str]) -> dict[str, Any]:
        job = self._job(params)
        job.polls += 1
        body = _summary(job, self._state(job))
        body["SmartJobInfo"] = _info(job)
        if body["State"] == "Failed":
            body["ErrorCode"] = "InvalidInput.NotExist"
            body["ErrorMessage"] = "The input media does not exist or cannot be read."
        elif body["State"] == "Finished":
            body["JobResult"] = self._result(job)
        return body

    def _state(self, job: _Job) -> str:
        elapsed = self.settings.clock() - job.created
        if job.polls >= self.settings.polls_to_finish and elapsed >= self.settings.job_seconds:
            state = "Failed" if job.fails else "Finished"
        else:
            state = "Created" if job.polls <= 1 else "Executing"
        return state

    def _result(self, job: _Job) -> dict[str, Any]:
        sub = job.submission
        out = sub.output_config
        if sub.job_params["Mode"] == "UserDefined":
            count = len(sub.job_params["Ranges"])
        else:
            count = self.settings.shots
        export = bool(out.get("ExportAsNewMedia"))
        objects: list[dict[str, str]] = []
        for index in range(count):
            entry = {"ObjectKey": str(out["ObjectKey"]).replace("{index}", str(index))}
            if export:
                entry["MediaId"] = _media_id(job.job_id, index)
            objects.append(entry)
        endpoint = out.get("Endpoint") or f"http://oss-{self.settings.region}.aliyuncs.com"
        ai_result = {
            "SegmentationResult": {
                "OutputEndpoint": endpoint,
                "OutputBucket": out["Bucket"],
                "OutputObjectResults": objects,
            }
        }
        media = str(sub.input_config["Media"])
        result: dict[str, Any] = {"AiResult": json.dumps(ai_result, separators=(",", ":"))}
        # What MediaId/MediaUrl hold for segmentation jobs is undocumented; the emulator
        # echoes the input: its media ID for Type Media, its URL for Type OSS.
        if sub.input_config["Type"] == "Media":
            result["MediaId"] = media
        else:
            result["MediaUrl"] = media
        return result

    def _list(self, params: Mapping[str, str]) -> dict[str, Any]:
        jobs = list(self._jobs.values())
        state, kind = params.get("JobState"), params.get("JobType")
        if kind:
            jobs = [j for j in jobs if kind == JOB_TYPE]
        if params.get("SortBy", "CreationTime:Desc") == "CreationTime:Desc":
            jobs.reverse()
        rows = [_summary(j, self._state(j)) | _info(j) for j in jobs]
        if state:
            rows = [r for r in rows if r["State"] == state]
        size = _int_param(params, "MaxResults", 10, 1, 100)
        start = _int_param(params, "NextToken", 0, 0, len(rows)) if params.get("NextToken") else 0
        page = rows[start : start + size]
        body: dict[str, Any] = {
            "SmartJobList": [{"JobState": r.pop("State"), **r} for r in page],
            "TotalCount": len(rows),
            "MaxResults": size,
        }
        if start + size < len(rows):
            body["NextToken"] = str(start + size)
        return body

    def _delete(self, params: Mapping[str, str]) -> dict[str, Any]:
        ids = [i for i in params.get("JobId", "").split(",") if i]
        if not ids:
            raise missing("JobId")
        for job_id in ids:
            self._jobs.pop(job_id, None)
        return {}


def _summary(job: _Job, state: str) -> dict[str, Any]:
    body: dict[str, Any] = {"JobId": job.job_id, "State": state}
    if job.submission.user_data is not None:
        body["UserData"] = job.submission.user_data
    return body


def _info(job: _Job) -> dict[str, Any]:
    sub = job.submission
    return {
        "CreateTime": job.create_time,
        "ModifiedTime": job.modified_time,
        "JobType": JOB_TYPE,
        "InputConfig": {"InputFile": sub.input_config.get("Media")},
        "OutputConfig": {
            "Bucket": sub.output_config.get("Bucket"),
            "Object": sub.output_config.get("ObjectKey"),
        },
    }


def _address(user_data: str | None) -> str:
    """The segspec address a job was submitted for, if its UserData carries one."""
    if user_data is None:
        return ""
    value = json.loads(user_data)
    tag = value.get("segspec") if isinstance(value, dict) else None
    return str(tag.get("address", "")) if isinstance(tag, dict) else ""


def _media_id(job_id: str, index: int) -> str:
    return f"{(int(job_id, 16) + index + 1) % (1 << 128):032x}"


def _int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"The parameter {name} must be an integer.") from None
    if not low <= value <= high:
        raise invalid(f"The parameter {name} must be between {low} and {high}.")
    return value


def _iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
