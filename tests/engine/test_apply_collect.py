"""Collecting results when the backend cannot be reached: bounded, and nothing lost."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from segspec.backends.base import JobResult
from segspec.backends.fake import FakeBackend
from segspec.engine.apply import MAX_GET_FAILURES, ApplyOptions, apply_plan
from segspec.errors import BackendError
from segspec.plan.model import Facts, Want
from segspec.plan.planner import plan
from segspec.state.model import JobRecord
from segspec.state.store import StateStore

REQUEST = {
    "InputConfig": {"Type": "OSS", "Media": "oss://in-bucket/a.mp4"},
    "JobParams": {"Mode": "UserDefined", "Ranges": [{"In": 0.0, "Out": 1.0}]},
    "OutputConfig": {
        "OutputMediaTarget": "oss-object",
        "Bucket": "out-bucket",
        "ObjectKey": "a_{index}.mp4",
        "ExportAsNewMedia": False,
    },
}


@dataclass
class Unreachable(FakeBackend):
    """Accepts submissions, then every poll fails with `code`."""

    code: str = "ServiceUnavailable"
    retryable: bool = True
    polls: int = 0

    def get(self, job_id: str) -> JobResult:
        self.polls += 1
        raise BackendError("the service did not answer", code=self.code, retryable=self.retryable)


def _apply(backend: FakeBackend, tmp_path: Path) -> tuple[StateStore, list[str]]:
    want = Want("a", "fake", REQUEST, {}, None, "sha256:" + "0" * 64)
    state = StateStore.open(tmp_path / "state.json")
    report = apply_plan(
        plan([want], state.jobs, Facts()),
        {"a": want},
        state,
        backend,
        ApplyOptions(),
        lambda e: None,
    )
    return state, sorted(report.failed)


def test_apply_collect_retryable_errors_give_up_and_keep_the_job(tmp_path: Path) -> None:
    backend = Unreachable()
    state, failed = _apply(backend, tmp_path)
    assert backend.polls == MAX_GET_FAILURES
    assert failed == ["a"]
    record = state.get("a")
    assert record is not None
    # Still recorded as submitted, with its job id: the next plan reads it, never resubmits.
    assert record.status == "Created" and record.job_id is not None
    assert record.error is None


def test_apply_collect_unknown_job_is_failed(tmp_path: Path) -> None:
    backend = Unreachable(code="NotFound", retryable=False)
    state, failed = _apply(backend, tmp_path)
    assert backend.polls == 1
    assert failed == ["a"]
    record = state.get("a")
    assert record is not None and record.status == "Failed"
    assert record.error is not None and record.error.code == "NotFound"


def test_apply_collect_job_unknown_here_is_resent_under_its_token(tmp_path: Path) -> None:
    # A teammate's killed apply recorded the job as submitted; its local engine, and with
    # it the job, lives only on their machine. This backend has never seen the job id.
    want = Want("a", "fake", REQUEST, {}, None, "sha256:" + "0" * 64)
    state = StateStore.open(tmp_path / "state.json")
    state.put(
        JobRecord(
            address="a",
            backend="fake",
            request=REQUEST,
            fingerprint=want.fingerprint,
            client_token="token-of-the-first-attempt",
            job_id="job-on-another-machine",
            status="Created",
            submitted_at="2026-01-01T00:00:00Z",
            updated_at="2026-01-01T00:00:00Z",
        )
    )
    planned = plan([want], state.jobs, Facts())
    assert [c.action.value for c in planned.changes] == ["read"]
    backend = FakeBackend()
    report = apply_plan(planned, {"a": want}, state, backend, ApplyOptions(), lambda e: None)
    assert report.finished == ["a"] and not report.failed
    assert backend.submissions == ["a"]  # sent once, here
    record = state.get("a")
    assert record is not None and record.status == "Finished"
    assert record.client_token == "token-of-the-first-attempt"
    assert record.job_id == backend._tokens["token-of-the-first-attempt"]
