"""The in-memory fake backend passes the shared backend contract."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from segspec.backends.base import JobRequest
from segspec.backends.fake import FakeBackend
from tests.backends.contract import BUCKET, BackendContract, MakeRequest, token_for


def request_for(
    address: str, ranges: list[tuple[float, float]], *, export: bool, token: str | None
) -> JobRequest:
    return JobRequest(
        address=address,
        fingerprint=f"sha256:{address}",
        client_token=token or token_for(address),
        request={
            "InputConfig": {"Type": "OSS", "Media": "oss://in-bucket/in.mp4"},
            "JobParams": {
                "Mode": "UserDefined",
                "Ranges": [{"In": start, "Out": end} for start, end in ranges],
            },
            "OutputConfig": {
                "OutputMediaTarget": "oss-object",
                "Bucket": BUCKET,
                "ObjectKey": f"{address}/clip_{{index}}.mp4",
                "ExportAsNewMedia": export,
            },
        },
        base_dir=Path("."),
    )


class TestFakeBackendContract(BackendContract):
    @pytest.fixture
    def backend(self) -> FakeBackend:
        return FakeBackend(fail={"broken": "the fake was told to fail"}, running_polls=2)

    @pytest.fixture
    def make_request(self) -> MakeRequest:
        def make(
            address: str,
            ranges: list[tuple[float, float]],
            *,
            export: bool = False,
            token: str | None = None,
        ) -> JobRequest:
            return request_for(address, ranges, export=export, token=token)

        return make

    @pytest.fixture
    def jobs_created(self, backend: FakeBackend) -> Callable[[], int]:
        return lambda: len(backend.submissions)

    @pytest.fixture
    def failing_request(self) -> JobRequest:
        return request_for("broken", [(0, 1)], export=False, token=None)


def test_fake_rejects_refused_address() -> None:
    from segspec.errors import BackendError

    backend = FakeBackend(reject={"bad": "no such bucket"})
    with pytest.raises(BackendError, match="no such bucket"):
        backend.submit(request_for("bad", [(0, 1)], export=False, token=None))
    assert backend.submissions == []
