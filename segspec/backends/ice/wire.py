"""What travels to and from the service: request strings out, `JobResult`s in.

The service takes `InputConfig`, `JobParams`, `OutputConfig` and `UserData` as JSON
strings. segspec adds its own tag to `UserData` (`{"segspec": {"address", "fingerprint"}}`)
next to the user's keys, so a job in the console can always be traced back to its spec.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from alibabacloud_ice20201109 import models as ice_models

from segspec.backends.base import JobRequest, JobResult, JobState, OutputSegment
from segspec.errors import BackendError

USER_DATA_MAX_BYTES = 512
TAG_KEY = "segspec"


def to_json(value: Any) -> str:
    """Compact JSON with `None` members dropped (the service reads absent, not null)."""
    return json.dumps(_prune(value), separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _prune(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_prune(v) for v in value]
    return value


def user_data(job: JobRequest) -> str:
    """The job's UserData string: the user's keys plus segspec's tag, at most 512 bytes."""
    own = job.request.get("UserData") or {}
    if isinstance(own, str):
        own = json.loads(own) if own.strip() else {}
    if not isinstance(own, Mapping):
        raise BackendError(f"{job.address}: UserData must be a mapping — write it as keys: values")
    if TAG_KEY in own:
        raise BackendError(
            f"{job.address}: UserData.{TAG_KEY} is reserved for segspec's own tag — rename that key"
        )
    tag = {"address": job.address, "fingerprint": job.fingerprint}
    text = to_json({**own, TAG_KEY: tag})
    size = len(text.encode())
    if size > USER_DATA_MAX_BYTES:
        room = USER_DATA_MAX_BYTES - (size - len(to_json(own).encode()))
        raise BackendError(
            f"{job.address}: UserData would be {size} bytes once segspec adds the job's "
            f"address and fingerprint, over the service's limit of {USER_DATA_MAX_BYTES} — "
            f"shorten UserData to at most {max(room, 0)} bytes as JSON"
        )
    return text


def submit_request(job: JobRequest) -> Any:
    """The SDK request for `job`, carrying the engine's client token unchanged."""
    body = job.request
    for name in ("InputConfig", "JobParams", "OutputConfig"):
        if not isinstance(body.get(name), Mapping):
            raise BackendError(f"{job.address}: the request has no {name} — add one to the spec")
    return ice_models.SubmitSegmentationJobRequest(
        client_token=job.client_token,
        input_config=to_json(body["InputConfig"]),
        job_params=to_json(body["JobParams"]),
        output_config=to_json(body["OutputConfig"]),
        user_data=user_data(job),
    )


@dataclass(frozen=True)
class IceJobInfo:
    """A job as GetSmartHandleJob describes it, beyond its result (used by `import`)."""

    result: JobResult
    user_data: Mapping[str, Any]
    input_file: str | None
    output_bucket: str | None
    output_object: str | None

    @property
    def address(self) -> str | None:
        tag = self.user_data.get(TAG_KEY)
        return str(tag["address"]) if isinstance(tag, Mapping) and "address" in tag else None

    @property
    def fingerprint(self) -> str | None:
        tag = self.user_data.get(TAG_KEY)
        found = isinstance(tag, Mapping) and "fingerprint" in tag
        return str(tag["fingerprint"]) if found else None  # type: ignore[index]


def parse_job(body: Mapping[str, Any]) -> IceJobInfo:
    """Read a GetSmartHandleJob response body (as a plain map)."""
    job_id = str(body.get("JobId") or "")
    raw_state = body.get("State")
    try:
        state = JobState(str(raw_state))
    except ValueError:
        raise BackendError(
            f"ICE reported job {job_id} in state {raw_state!r}, which segspec does not know — "
            "upgrade segspec or check the job in the console"
        ) from None
    job_result: Mapping[str, Any] = body.get("JobResult") or {}
    ai_result = _ai_result(job_id, job_result.get("AiResult"))
    result = JobResult(
        job_id=job_id,
        state=state,
        error_code=body.get("ErrorCode") or None,
        error_message=body.get("ErrorMessage") or None,
        ai_result=ai_result,
        segments=segments_of(ai_result) if ai_result else (),
        media_id=job_result.get("MediaId") or None,
        media_url=job_result.get("MediaUrl") or None,
    )
    info: Mapping[str, Any] = body.get("SmartJobInfo") or {}
    output: Mapping[str, Any] = info.get("OutputConfig") or {}
    return IceJobInfo(
        result=result,
        user_data=_user_data_map(body.get("UserData")),
        input_file=(info.get("InputConfig") or {}).get("InputFile"),
        output_bucket=output.get("Bucket"),
        output_object=output.get("Object"),
    )


def _ai_result(job_id: str, raw: Any) -> dict[str, Any] | None:
    if raw is None or raw == "":
        return None
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        raise BackendError(
            f"ICE returned an AiResult for job {job_id} that is not JSON — check the job in "
            "the console",
            code="MalformedAiResult",
        ) from None
    if not isinstance(value, dict):
        raise BackendError(
            f"ICE returned an AiResult for job {job_id} that is not a JSON object",
            code="MalformedAiResult",
        )
    return value


def segments_of(ai_result: Mapping[str, Any]) -> tuple[OutputSegment, ...]:
    """The output objects listed in an AiResult's SegmentationResult, in index order."""
    seg = ai_result.get("SegmentationResult")
    if not isinstance(seg, Mapping):
        return ()
    bucket = str(seg.get("OutputBucket") or "")
    objects = seg.get("OutputObjectResults") or []
    return tuple(
        OutputSegment(
            index=index,
            bucket=bucket,
            object_key=str(item.get("ObjectKey", "")),
            media_id=item.get("MediaId") or None,
        )
        for index, item in enumerate(objects)
        if isinstance(item, Mapping)
    )


def _user_data_map(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, str) or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
