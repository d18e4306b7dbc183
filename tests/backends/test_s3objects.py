"""S3Objects against real HTTP servers on 127.0.0.1: moto's S3 server, and a tiny server
that answers the way OSS refuses requests (status, x-oss-request-id, XML error body)."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from segspec.backends.objects import ObjectStat, ObjectStore
from segspec.backends.s3objects import S3Objects, addressing_style, s3_objects_for
from segspec.errors import BackendError
from segspec.spec.models import BackendConfig
from tests.backends.s3server import S3Server, loopback_only

KEY_ID = "LTAIs3testkey0001"
PLANTED_SECRET = "planted-S3-SECRET-9d2b7e"
ICE = BackendConfig(type="ice", region="cn-shanghai")


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    """An empty S3 server, with segspec's credentials and endpoint pointed at it."""
    loopback_only(monkeypatch, tmp_path)
    s3_server.reset()
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", PLANTED_SECRET)
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)
    monkeypatch.setenv("SEGSPEC_OUTPUT_ENDPOINT", s3_server.url)
    return s3_server


def store_for(config: BackendConfig = ICE) -> S3Objects:
    store = s3_objects_for(config, max_attempts=1)
    assert isinstance(store, S3Objects)
    return store


def test_s3objects_stat_present_object_size_and_etag(s3: S3Server) -> None:
    client = s3.client()
    client.create_bucket(Bucket="media-out")
    body = b"not really a clip, 31 bytes ..."
    client.put_object(Bucket="media-out", Key="clips/shot_0.mp4", Body=body)

    found = store_for().stat("media-out", "clips/shot_0.mp4")

    # A single-part upload's ETag is the MD5 of the content; the quotes are stripped.
    assert found == ObjectStat(size=len(body), etag=hashlib.md5(body).hexdigest())


def test_s3objects_stat_missing_object_or_bucket_is_none(s3: S3Server) -> None:
    s3.client().create_bucket(Bucket="media-out")
    store = store_for()

    assert store.stat("media-out", "clips/nothing.mp4") is None
    assert store.stat("no-such-bucket", "clips/nothing.mp4") is None


def test_s3objects_delete_removes_only_that_object(s3: S3Server) -> None:
    client = s3.client()
    client.create_bucket(Bucket="media-out")
    for key in ("clips/a_0.mp4", "clips/a_1.mp4"):
        client.put_object(Bucket="media-out", Key=key, Body=key.encode())
    store: ObjectStore = store_for()

    assert store.delete("media-out", "clips/a_0.mp4") is True
    assert store.stat("media-out", "clips/a_0.mp4") is None
    assert store.delete("media-out", "clips/a_0.mp4") is False  # already gone
    kept = client.list_objects_v2(Bucket="media-out")["Contents"]
    assert [o["Key"] for o in kept] == ["clips/a_1.mp4"]


def test_s3objects_describe_names_the_oss_object(s3: S3Server) -> None:
    assert store_for().describe("media-out", "clips/a_0.mp4") == "oss://media-out/clips/a_0.mp4"


def test_s3objects_for_only_ice_with_credentials(
    s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert s3_objects_for(BackendConfig(type="local")) is None
    assert isinstance(s3_objects_for(ICE), S3Objects)
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    assert s3_objects_for(ICE) is None


def test_s3objects_for_emulated_ice_has_no_store_unless_endpoint_set(
    s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulated = BackendConfig(type="ice", region="cn-shanghai", endpoint="http://127.0.0.1:8765")
    assert isinstance(s3_objects_for(emulated), S3Objects)  # SEGSPEC_OUTPUT_ENDPOINT is set
    monkeypatch.delenv("SEGSPEC_OUTPUT_ENDPOINT")
    assert s3_objects_for(emulated) is None
    vpc = BackendConfig(
        type="ice", region="cn-shanghai", endpoint="ice-vpc.cn-shanghai.aliyuncs.com"
    )
    assert isinstance(s3_objects_for(vpc), S3Objects)


def test_s3objects_for_default_endpoint_is_oss_region_virtual_hosted(
    s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SEGSPEC_OUTPUT_ENDPOINT")
    store = store_for(BackendConfig(type="ice", region="cn-beijing"))

    assert store.endpoint == "https://oss-cn-beijing.aliyuncs.com"
    meta = store._client.meta
    assert meta.endpoint_url == "https://oss-cn-beijing.aliyuncs.com"
    assert meta.config.s3 == {"addressing_style": "virtual"}
    assert meta.region_name == "cn-beijing"


def test_s3objects_for_loopback_endpoint_uses_path_style(s3: S3Server) -> None:
    store = store_for()

    assert store.endpoint == s3.url
    assert store._client.meta.config.s3 == {"addressing_style": "path"}


def test_s3objects_for_ignores_an_unrelated_aws_profile(
    s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3.client().create_bucket(Bucket="media-out")
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")

    assert store_for().stat("media-out", "clips/x.mp4") is None


@pytest.mark.parametrize(
    ("endpoint", "style"),
    [
        ("http://127.0.0.1:9000", "path"),
        ("http://[::1]:9000/", "path"),
        ("http://localhost:9000", "path"),
        ("https://oss-cn-shanghai.aliyuncs.com", "virtual"),
        ("oss-cn-shanghai-internal.aliyuncs.com", "virtual"),
    ],
)
def test_s3objects_addressing_style_by_host(endpoint: str, style: str) -> None:
    assert addressing_style(endpoint) == style


class _OssRefuses(BaseHTTPRequestHandler):
    """Answers HEAD and DELETE the way OSS does when it refuses them."""

    head_status: ClassVar[int] = 403
    delete_status: ClassVar[int] = 403
    seen: ClassVar[list[str]] = []

    def do_HEAD(self) -> None:
        self.seen.append(f"HEAD {self.path}")
        self.send_response(self.head_status)
        self.send_header("x-oss-request-id", "5C3D9175B6FC201293ADHEAD")
        if self.head_status == 200:
            self.send_header("ETag", '"0CC175B9C0F1B6A831C399E269772661"')
        self.send_header("Content-Length", "1")
        self.end_headers()

    def do_DELETE(self) -> None:
        self.seen.append(f"DELETE {self.path}")
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            b"<Message>You have no right to access this object.</Message>"
            b"<RequestId>5C3D9175B6FC201293ADDEL</RequestId>"
            b"<HostId>media-out.oss-cn-shanghai.aliyuncs.com</HostId></Error>"
        )
        self.send_response(self.delete_status)
        self.send_header("x-oss-request-id", "5C3D9175B6FC201293ADDEL")
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def oss_refuses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[type[_OssRefuses]]:
    loopback_only(monkeypatch, tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OssRefuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", PLANTED_SECRET)
    monkeypatch.setenv("SEGSPEC_OUTPUT_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    _OssRefuses.head_status, _OssRefuses.delete_status, _OssRefuses.seen = 403, 403, []
    try:
        yield _OssRefuses
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_s3objects_refused_head_keeps_status_request_id_and_remedy(
    oss_refuses: type[_OssRefuses],
) -> None:
    with pytest.raises(BackendError) as caught:
        store_for().stat("media-out", "clips/a_0.mp4")

    err = caught.value
    assert (err.code, err.request_id, err.retryable) == ("403", "5C3D9175B6FC201293ADHEAD", False)
    assert str(err).startswith("HeadObject oss://media-out/clips/a_0.mp4 at http://127.0.0.1:")
    assert "refused: 403" in str(err) and "RequestId 5C3D9175B6FC201293ADHEAD" in str(err)
    assert str(err).endswith(
        "check that the AccessKey may read and delete objects in the output bucket"
    )
    assert PLANTED_SECRET not in str(err) and KEY_ID not in str(err)
    assert oss_refuses.seen == ["HEAD /media-out/clips/a_0.mp4"]


def test_s3objects_refused_delete_keeps_code_message_and_request_id(
    oss_refuses: type[_OssRefuses],
) -> None:
    oss_refuses.head_status = 200

    with pytest.raises(BackendError) as caught:
        store_for().delete("media-out", "clips/a_0.mp4")

    err = caught.value
    assert (err.code, err.request_id) == ("AccessDenied", "5C3D9175B6FC201293ADDEL")
    assert "AccessDenied: You have no right to access this object. (HTTP 403" in str(err)
    assert oss_refuses.seen == ["HEAD /media-out/clips/a_0.mp4", "DELETE /media-out/clips/a_0.mp4"]


def test_s3objects_server_error_is_retryable(oss_refuses: type[_OssRefuses]) -> None:
    oss_refuses.head_status = 503

    with pytest.raises(BackendError) as caught:
        store_for().stat("media-out", "clips/a_0.mp4")

    assert caught.value.retryable and caught.value.code == "503"
    assert "this is temporary" in str(caught.value)


def test_s3objects_unreachable_endpoint_is_connection_error_without_secret(
    s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        monkeypatch.setenv("SEGSPEC_OUTPUT_ENDPOINT", f"http://127.0.0.1:{port}")
        with pytest.raises(BackendError) as caught:
            store_for().stat("media-out", "clips/a_0.mp4")

    err = caught.value
    assert err.code == "ConnectionError" and err.retryable
    assert f"http://127.0.0.1:{port}" in str(err) and "SEGSPEC_OUTPUT_ENDPOINT" in str(err)
    assert PLANTED_SECRET not in str(err)
