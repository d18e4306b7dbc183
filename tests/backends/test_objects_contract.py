"""The object store contract on the local store directory and on S3 (moto on loopback)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from segspec.backends.local.objects import LocalObjects
from segspec.backends.local.store import LocalStore
from segspec.backends.objects import ObjectStore
from segspec.backends.s3objects import S3Objects, s3_objects_at
from tests.backends.objects_contract import BUCKET, ObjectStoreContract, finished_file
from tests.backends.s3server import S3Server, loopback_only


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    loopback_only(monkeypatch, tmp_path)
    s3_server.reset()
    s3_server.client().create_bucket(Bucket=BUCKET)
    return s3_server


class TestLocalObjects(ObjectStoreContract):
    @pytest.fixture
    def objects(self, tmp_path: Path) -> ObjectStore:
        return LocalObjects(LocalStore(tmp_path / ".segspec"))


class TestS3Objects(ObjectStoreContract):
    @pytest.fixture
    def objects(self, s3: S3Server) -> ObjectStore:
        return s3_objects_at(s3.url)


def test_s3objects_put_large_file_is_multipart(s3: S3Server, tmp_path: Path) -> None:
    store = s3_objects_at(s3.url)
    assert isinstance(store, S3Objects)
    store.multipart_bytes = 5 << 20  # S3's smallest part
    body = os.urandom(11 << 20)
    found = store.put(finished_file(tmp_path, "big.mp4", body), BUCKET, "big/clip_0.mp4")
    assert found.size == len(body)
    # A multipart object's ETag is md5-of-part-md5s with the part count: here 3 parts.
    assert found.etag is not None and found.etag.endswith("-3")
    got = s3.client().get_object(Bucket=BUCKET, Key="big/clip_0.mp4")["Body"].read()
    assert hashlib.sha256(got).digest() == hashlib.sha256(body).digest()


def test_s3objects_at_uses_boto3_endpoint_convention(
    s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.url)
    store = s3_objects_at(None)
    assert store.endpoint == s3.url
    assert store.stat(BUCKET, "nothing") is None
