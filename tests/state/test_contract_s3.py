"""The state contract on the S3 store, against moto's real server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from segspec.spec.models import StateConfig
from segspec.state.config import make_state_backend
from tests.backends.s3server import S3Server, loopback_only
from tests.state.contract import Factory, StateContract

BUCKET = "team-state"


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    loopback_only(monkeypatch, tmp_path)
    s3_server.reset()
    s3_server.client().create_bucket(Bucket=BUCKET)
    return s3_server


class TestS3State(StateContract):
    @pytest.fixture
    def backend(self, s3: S3Server, tmp_path: Path) -> Factory:
        config = StateConfig(
            type="s3", bucket=BUCKET, key="clips/segspec.state.json", endpoint=s3.url
        )
        return lambda: make_state_backend(config, tmp_path)
