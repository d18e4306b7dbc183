"""The local engine passes the shared backend contract, cutting a real generated video."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from segspec.backends.base import JobRequest
from segspec.backends.local.engine import LocalBackend
from segspec.backends.local.store import LocalStore
from tests.backends.contract import BUCKET, BackendContract, MakeRequest, token_for
from tests.conftest import frame_numbers


def request_for(
    media: str, address: str, ranges: list[tuple[float, float]], export: bool, token: str | None
) -> JobRequest:
    return JobRequest(
        address=address,
        fingerprint=f"sha256:{address}",
        client_token=token or token_for(address),
        request={
            "InputConfig": {"Type": "OSS", "Media": media},
            "JobParams": {
                "Mode": "UserDefined",
                "Ranges": [{"In": start, "Out": end} for start, end in ranges],
            },
            "OutputConfig": {
                "OutputMediaTarget": "oss-object",
                "Bucket": BUCKET,
                "ObjectKey": f"{address}/clip_{{index}}.mp4",
                "ExportAsNewMedia": export,
                "Width": 32,
            },
        },
        local={"preset": "ultrafast"},
        base_dir=Path("/nonexistent"),  # inputs below are absolute or in the store
    )


class TestLocalBackendContract(BackendContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> LocalStore:
        return LocalStore(tmp_path / ".segspec")

    @pytest.fixture
    def backend(self, store: LocalStore) -> LocalBackend:
        return LocalBackend(store)

    @pytest.fixture
    def make_request(self, numbered_video: Path) -> MakeRequest:
        def make(
            address: str,
            ranges: list[tuple[float, float]],
            *,
            export: bool = False,
            token: str | None = None,
        ) -> JobRequest:
            return request_for(str(numbered_video), address, ranges, export, token)

        return make

    @pytest.fixture
    def jobs_created(self, store: LocalStore) -> Callable[[], int]:
        return lambda: len(list(store.jobs_dir.glob("*.json")))

    @pytest.fixture
    def failing_request(self, tmp_path: Path) -> JobRequest:
        return request_for(str(tmp_path / "missing.mp4"), "broken", [(0, 1)], False, None)


def test_local_outputs_land_in_store_and_catalog(tmp_path: Path, numbered_video: Path) -> None:
    store = LocalStore(tmp_path / ".segspec")
    backend = LocalBackend(store)
    job = request_for(f"file://{numbered_video}", "cat", [(0.4, 0.8)], True, None)
    result = backend.get(backend.submit(job))
    (segment,) = result.segments
    path = store.object_path(BUCKET, "cat/clip_0.mp4")
    assert frame_numbers(path) == list(range(10, 20))
    assert (segment.first_frame, segment.last_frame) == (10, 19)
    assert segment.size == path.stat().st_size
    assert store.media_path(str(segment.media_id)) == path
    assert not any(store.tmp.iterdir())  # work files cleaned up


def test_local_oss_input_read_from_store(tmp_path: Path, numbered_video: Path) -> None:
    store = LocalStore(tmp_path / ".segspec")
    src = store.object_path("in-bucket", "videos/n.mp4")
    src.parent.mkdir(parents=True)
    src.write_bytes(numbered_video.read_bytes())
    backend = LocalBackend(store)
    result = backend.get(
        backend.submit(request_for("oss://in-bucket/videos/n.mp4", "o", [(1, 1.2)], False, None))
    )
    assert result.state.value == "Finished", result.error_message
    assert frame_numbers(store.object_path(BUCKET, "o/clip_0.mp4")) == [25, 26, 27, 28, 29]


def test_local_http_input_downloaded_over_loopback(tmp_path: Path, numbered_video: Path) -> None:
    import functools
    import http.server
    import threading

    served = tmp_path / "www"
    served.mkdir()
    (served / "n.mp4").write_bytes(numbered_video.read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/n.mp4"
            store = LocalStore(tmp_path / ".segspec")
            backend = LocalBackend(store)
            result = backend.get(backend.submit(request_for(url, "h", [(0, 0.2)], False, None)))
            missing = request_for(url.replace("n.mp4", "gone.mp4"), "g", [(0, 1)], False, None)
            failed = backend.get(backend.submit(missing))
        finally:
            server.shutdown()
    assert result.state.value == "Finished", result.error_message
    assert frame_numbers(store.object_path(BUCKET, "h/clip_0.mp4")) == [0, 1, 2, 3, 4]
    assert failed.state.value == "Failed"
    assert failed.error_message is not None and "cannot download" in failed.error_message
