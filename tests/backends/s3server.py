"""A real S3-compatible server on loopback (moto's server mode), talked to over HTTP.

Tests use it where OSS would be: segspec's `S3Objects` reaches it through boto3 exactly as
it reaches OSS, only with path-style addressing (chosen by the loopback host).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")
_AWS_VARS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")


@dataclass
class S3Server:
    url: str
    _client: Any = field(default=None, repr=False)

    def client(self) -> Any:
        """A client of our own, to put objects where the service would have written them."""
        if self._client is None:
            session = boto3.session.Session(
                aws_access_key_id="test-key", aws_secret_access_key="test-secret"
            )
            self._client = session.client(
                "s3",
                endpoint_url=self.url,
                region_name="us-east-1",
                config=Config(
                    s3={"addressing_style": "path"},
                    retries={"max_attempts": 1},
                    proxies={},
                ),
            )
        return self._client

    def reset(self) -> None:
        """Forget every bucket and object (moto's own reset endpoint)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            assert response.status == 200


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()


def loopback_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxy, no AWS profile or config file, no instance metadata: nothing leaves loopback."""
    for name in _PROXY_VARS + _AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "not-used-aws-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-used-aws-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
