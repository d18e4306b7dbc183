"""The contract every backend honours, as a reusable test suite.

Subclass `BackendContract` in a test module (its name must start with `Test`) and provide
three fixtures:

- `backend`: a fresh backend (`segspec.backends.base.Backend`);
- `make_request`: `(address, ranges, *, export=False, token=None) -> JobRequest`, a valid
  UserDefined request over an input this backend can read, with one Range per
  `(In, Out)` pair and `ObjectKey` `"<address>/clip_{index}.mp4"` in bucket `BUCKET`;
- `jobs_created`: `() -> int`, how many jobs the backend has really started so far (to
  tell that a repeated ClientToken started no new work).

Optionally override `failing_request` (a request the backend accepts and then ends
Failed); the failure test is skipped otherwise. Nothing here knows which backend it runs
against, so the same suite runs on the fake, the local engine and the ICE emulator.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, Protocol

import pytest

from segspec.backends.base import Backend, JobRequest, JobResult, JobState
from segspec.errors import BackendError

BUCKET = "contract-out"
MAX_POLLS = 600


class MakeRequest(Protocol):
    def __call__(
        self,
        address: str,
        ranges: list[tuple[float, float]],
        *,
        export: bool = False,
        token: str | None = None,
    ) -> JobRequest: ...


def token_for(address: str, attempt: int = 1) -> str:
    """A ClientToken the way segspec makes them: ≤ 64 characters, stable per attempt."""
    return hashlib.sha256(f"contract\n{address}\n{attempt}".encode()).hexdigest()[:32]


def wait_terminal(backend: Backend, job_id: str) -> JobResult:
    """Poll `get` at the backend's own pace until the job is Finished or Failed."""
    for _ in range(MAX_POLLS):
        result = backend.get(job_id)
        assert result.job_id == job_id
        if result.state.terminal:
            return result
        assert result.state in (JobState.CREATED, JobState.EXECUTING)
        time.sleep(backend.poll_seconds)
    pytest.fail(f"job {job_id} did not reach a terminal state in {MAX_POLLS} polls")


class BackendContract:
    """Backend-agnostic tests; see the module docstring for the fixtures to provide."""

    @pytest.fixture
    def failing_request(self) -> JobRequest:
        pytest.skip("this backend's suite provides no failing request")

    def test_contract_is_a_backend(self, backend: Backend) -> None:
        assert isinstance(backend, Backend)
        assert isinstance(backend.name, str) and backend.name
        assert backend.poll_seconds >= 0

    def test_contract_submit_returns_id(
        self, backend: Backend, make_request: MakeRequest, jobs_created: Callable[[], int]
    ) -> None:
        before = jobs_created()
        job_id = backend.submit(make_request("one", [(0, 1)]))
        assert isinstance(job_id, str) and job_id
        assert jobs_created() == before + 1

    def test_contract_same_token_same_job_no_new_work(
        self, backend: Backend, make_request: MakeRequest, jobs_created: Callable[[], int]
    ) -> None:
        job = make_request("again", [(0, 1)])
        first = backend.submit(job)
        done = wait_terminal(backend, first)
        created = jobs_created()
        assert backend.submit(job) == first
        assert jobs_created() == created
        assert wait_terminal(backend, first) == done
        # A new token (the next attempt) is a new job.
        retry = make_request("again", [(0, 1)], token=token_for("again", 2))
        assert backend.submit(retry) != first
        assert jobs_created() == created + 1

    def test_contract_distinct_tokens_distinct_jobs(
        self, backend: Backend, make_request: MakeRequest
    ) -> None:
        ids = {backend.submit(make_request(name, [(0, 1)])) for name in ("a", "b", "c")}
        assert len(ids) == 3

    def test_contract_finished_one_segment_per_range(
        self, backend: Backend, make_request: MakeRequest
    ) -> None:
        ranges = [(0.0, 1.0), (1.0, 1.5), (2.0, 3.0)]
        result = wait_terminal(backend, backend.submit(make_request("cuts", ranges)))
        assert result.state is JobState.FINISHED, result.error_message
        assert result.error_code is None
        keys = [f"cuts/clip_{index}.mp4" for index in range(len(ranges))]
        assert [seg.index for seg in result.segments] == [0, 1, 2]
        assert [seg.object_key for seg in result.segments] == keys
        assert {seg.bucket for seg in result.segments} == {BUCKET}
        assert all(seg.media_id is None for seg in result.segments)
        self.check_ai_result(result.ai_result, keys, exported=False)

    def test_contract_export_as_new_media_gives_media_ids(
        self, backend: Backend, make_request: MakeRequest
    ) -> None:
        result = wait_terminal(
            backend, backend.submit(make_request("media", [(0, 1), (1, 2)], export=True))
        )
        assert result.state is JobState.FINISHED, result.error_message
        ids = [seg.media_id for seg in result.segments]
        assert all(ids) and len(set(ids)) == 2
        keys = ["media/clip_0.mp4", "media/clip_1.mp4"]
        self.check_ai_result(result.ai_result, keys, exported=True)
        assert result.ai_result is not None
        objects = result.ai_result["SegmentationResult"]["OutputObjectResults"]
        assert [o["MediaId"] for o in objects] == ids

    def test_contract_unknown_id_is_backend_error(self, backend: Backend) -> None:
        with pytest.raises(BackendError) as caught:
            backend.get("0" * 32)
        assert str(caught.value)
        assert caught.value.code

    def test_contract_failed_job_carries_reason(
        self, backend: Backend, failing_request: JobRequest
    ) -> None:
        result = wait_terminal(backend, backend.submit(failing_request))
        assert result.state is JobState.FAILED
        assert result.error_code and result.error_message
        assert result.segments == ()

    @staticmethod
    def check_ai_result(ai_result: Any, keys: list[str], *, exported: bool) -> None:
        """AiResult in the service's shape: SegmentationResult.OutputBucket/OutputObjectResults."""
        assert ai_result is not None
        seg = ai_result["SegmentationResult"]
        assert seg["OutputBucket"] == BUCKET
        objects = seg["OutputObjectResults"]
        assert [o["ObjectKey"] for o in objects] == keys
        for item in objects:
            assert set(item) >= {"ObjectKey", "MediaId"}
            assert bool(item["MediaId"]) is exported
