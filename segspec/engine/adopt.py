"""Adopt a job that already exists on the backend into the state (`segspec import`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from segspec.backends.base import Backend
from segspec.errors import SegspecError, StateError
from segspec.plan.model import Want
from segspec.spec.normalize import client_token
from segspec.state.base import State
from segspec.state.model import JobError, JobRecord, OutputRecord, now_utc


class JobDescription(Protocol):
    """What a backend tells about an existing job (see `IceBackend.describe`)."""

    @property
    def result(self) -> Any: ...
    @property
    def address(self) -> str | None: ...
    @property
    def fingerprint(self) -> str | None: ...
    @property
    def input_file(self) -> str | None: ...
    @property
    def output_bucket(self) -> str | None: ...
    @property
    def output_object(self) -> str | None: ...


def import_differences(want: Want, info: JobDescription) -> list[str]:
    """How the existing job's request differs from the spec, one line per field."""
    request: Mapping[str, Any] = want.request
    found: list[str] = []
    if info.address is not None and info.address != want.address:
        found.append(f"address: the job was submitted for {info.address!r}")
    if info.fingerprint is not None and info.fingerprint != want.fingerprint:
        found.append(
            f"fingerprint: spec {want.fingerprint[:19]}…, job {info.fingerprint[:19]}… (the job "
            "was submitted for another version of this spec)"
        )
    pairs = (
        ("InputConfig.Media", request["InputConfig"].get("Media"), info.input_file),
        ("OutputConfig.Bucket", request["OutputConfig"].get("Bucket"), info.output_bucket),
        ("OutputConfig.ObjectKey", request["OutputConfig"].get("ObjectKey"), info.output_object),
    )
    for path, spec_value, job_value in pairs:
        if job_value is not None and job_value != spec_value:
            found.append(f"{path}: spec {spec_value!r}, job {job_value!r}")
    return found


def import_job(
    want: Want, state: State, backend: Backend, job_id: str, backend_name: str
) -> JobRecord:
    """Record job `job_id` under `want.address`, refusing when it does not match the spec.

    The job's results are recorded if it has finished; otherwise it is recorded as
    running and the next plan shows it as `read`.
    """
    existing = state.get(want.address)
    if existing is not None:
        raise StateError(
            f"{want.address} is already recorded (job {existing.job_id or 'not yet known'}) — "
            f"run `segspec state rm {want.address}` first to import another job in its place"
        )
    describe = getattr(backend, "describe", None)
    if not callable(describe):
        raise SegspecError(f"the {backend_name} backend cannot import jobs — use the ice backend")
    info: JobDescription = describe(job_id)
    differences = import_differences(want, info)
    if differences:
        listed = "\n".join(f"  {line}" for line in differences)
        raise SegspecError(
            f"job {job_id} does not match jobs.{want.address}:\n{listed}\nChange the spec to "
            "match the job, or import the job that was submitted for this spec."
        )
    result = info.result
    stamp = now_utc()
    record = JobRecord(
        address=want.address,
        backend=backend_name,
        request=dict(want.request),
        local=dict(want.local),
        fingerprint=want.fingerprint,
        input=dict(want.input) if want.input else None,
        client_token=client_token(want.address, want.fingerprint, 1),
        job_id=job_id,
        status=result.state.value,
        submitted_at=stamp,
        updated_at=stamp,
    )
    if result.state.value == "Finished":
        record = record.model_copy(
            update={
                "finished_at": stamp,
                "ai_result": dict(result.ai_result) if result.ai_result else None,
                "media_id": result.media_id,
                "media_url": result.media_url,
                "outputs": [OutputRecord(**vars(seg)) for seg in result.segments],
            }
        )
    elif result.state.value == "Failed":
        error = JobError(code=result.error_code or "Failed", message=result.error_message or "")
        record = record.model_copy(update={"finished_at": stamp, "error": error})
    state.put(record)
    return record
