"""Credentials and endpoints of the S3 clients behind remote state and outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from segspec.errors import StateError
from segspec.spec.models import StateConfig
from segspec.state.config import make_state_backend
from segspec.storage.s3 import S3Place, make_client
from tests.backends.s3server import S3Server, loopback_only

KEY_ID = "LTAIstatetest0001"
SECRET = "planted-STATE-secret-51f0"


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    loopback_only(monkeypatch, tmp_path)
    s3_server.reset()
    s3_server.client().create_bucket(Bucket="team-state")
    return s3_server


def credentials(client: object) -> tuple[str, str]:
    creds = client._request_signer._credentials  # type: ignore[attr-defined]
    return creds.access_key, creds.secret_key


def test_s3_client_oss_takes_alibaba_keys_s3_takes_boto3_chain(
    s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")  # ignored for OSS
    oss = make_client(S3Place("oss", s3.url))
    assert credentials(oss.client) == (KEY_ID, SECRET)
    assert oss.secrets == (SECRET,)
    monkeypatch.delenv("AWS_PROFILE")
    plain = make_client(S3Place("s3", s3.url))
    assert credentials(plain.client) == ("not-used-aws-key", "not-used-aws-secret")


def test_s3_client_oss_region_endpoint_and_env_convention(
    s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert S3Place("oss", None, "cn-beijing").resolved_endpoint() == (
        "https://oss-cn-beijing.aliyuncs.com"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.url)
    assert S3Place("s3").resolved_endpoint() == s3.url
    assert S3Place("s3", "minio.internal:9000").resolved_endpoint() == "https://minio.internal:9000"


def test_s3_state_writes_no_credential_and_scrubs_errors(
    s3: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    config = StateConfig(type="oss", bucket="team-state", key="s.json", endpoint=s3.url)
    backend = make_state_backend(config, tmp_path)
    with backend.lock(command="test"):
        for key in s3.client().list_objects_v2(Bucket="team-state")["Contents"]:
            body = s3.client().get_object(Bucket="team-state", Key=key["Key"])["Body"].read()
            assert SECRET.encode() not in body and KEY_ID.encode() not in body
    missing = make_state_backend(config.model_copy(update={"bucket": "no-such-bucket"}), tmp_path)
    with pytest.raises(StateError) as caught:
        missing.open()
    assert "NoSuchBucket" in str(caught.value) and SECRET not in str(caught.value)
