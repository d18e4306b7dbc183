"""Output objects in an S3-compatible store: OSS, where the ice backend's outputs land.

OSS speaks the S3 protocol and accepts an Alibaba Cloud AccessKey as S3 credentials, so
drift checks and output deletion for ICE jobs (and the local engine's uploads to an
S3-compatible store) go through boto3, imported only when a store is made. A stat is a
HEAD (size and ETag); a delete is a DELETE preceded by a HEAD, because S3 answers 204
whether or not the object existed.

Nothing here ever formats a credential value into text.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from segspec.backends.objects import ObjectStat, ObjectStore
from segspec.errors import BackendError
from segspec.spec.models import BackendConfig
from segspec.storage.s3 import S3Place, addressing_style, is_loopback, make_client, refusal
from segspec.storage.s3 import endpoint_host as _host

__all__ = ["S3Objects", "addressing_style", "s3_objects_at", "s3_objects_for"]

ENV_OUTPUT_ENDPOINT = "SEGSPEC_OUTPUT_ENDPOINT"
"""Overrides where ICE outputs are read from (e.g. an internal endpoint, or a test server)."""
ENV_ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"

MULTIPART_BYTES = 16 << 20
"""Files at least this large are uploaded in parts of this size (in parallel)."""
MAX_ATTEMPTS = 4
# Codes meaning "there is no such object"; HEAD errors carry no body, so only the status.
_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
_REMEDIES = {
    "403": "check that the AccessKey may read and delete objects in the output bucket",
    "AccessDenied": "check that the AccessKey may read and delete objects in the output bucket",
    "SignatureDoesNotMatch": "check ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "InvalidAccessKeyId": "check ALIBABA_CLOUD_ACCESS_KEY_ID",
    "400": f"check the output endpoint (set {ENV_OUTPUT_ENDPOINT} to the bucket's region)",
}


class S3Objects:
    """Objects behind an S3-compatible endpoint; satisfies `ObjectStore`.

    `client` is a boto3 S3 client (thread-safe, so one store serves parallel applies).
    `scheme` only shapes `describe`: `oss://bucket/key` for ICE outputs.
    """

    def __init__(
        self, client: Any, *, endpoint: str, scheme: str = "s3", secrets: tuple[str, ...] = ()
    ) -> None:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        self._client = client
        self.endpoint = endpoint
        self.scheme = scheme
        self._secrets = secrets
        self.multipart_bytes = MULTIPART_BYTES
        # Only the SDK's own failures are translated; anything else is a bug and escapes.
        self._sdk_errors: tuple[type[Exception], ...] = (
            BotoCoreError,
            ClientError,
            S3UploadFailedError,
        )

    def __repr__(self) -> str:
        return f"S3Objects(endpoint={self.endpoint!r})"

    def stat(self, bucket: str, key: str) -> ObjectStat | None:
        """Size and ETag (quotes stripped) from a HEAD; None on 404."""
        try:
            head = self._client.head_object(Bucket=bucket, Key=key)
        except self._sdk_errors as exc:
            if _error_code(exc) in _MISSING:
                return None
            raise self._translate(exc, "HeadObject", bucket, key) from exc
        etag = str(head.get("ETag") or "").strip('"') or None
        return ObjectStat(size=int(head["ContentLength"]), etag=etag)

    def put(self, src: Path, bucket: str, key: str) -> ObjectStat:
        """Upload `src` (multipart from `multipart_bytes` on; S3 makes the object visible
        only once complete), then remove it; size and ETag come from a HEAD."""
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(
            multipart_threshold=self.multipart_bytes, multipart_chunksize=self.multipart_bytes
        )
        try:
            self._client.upload_file(str(src), bucket, key, Config=config)
        except self._sdk_errors as exc:
            raise self._translate(exc, "PutObject", bucket, key) from exc
        found = self.stat(bucket, key)
        if found is None:
            raise BackendError(
                f"{self.describe(bucket, key)} is missing right after its upload to "
                f"{self.endpoint} — check the bucket's lifecycle rules and run apply again",
                code="UploadVanished",
            )
        src.unlink(missing_ok=True)
        return found

    def download(self, bucket: str, key: str, dest: Path) -> None:
        """Write the object to `dest` (multipart ranges for large objects)."""
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(
            multipart_threshold=self.multipart_bytes, multipart_chunksize=self.multipart_bytes
        )
        try:
            self._client.download_file(bucket, key, str(dest), Config=config)
        except self._sdk_errors as exc:
            dest.unlink(missing_ok=True)
            raise self._translate(exc, "GetObject", bucket, key) from exc

    def delete(self, bucket: str, key: str) -> bool:
        """Delete the object; False when a HEAD found it already gone."""
        if self.stat(bucket, key) is None:
            return False
        try:
            self._client.delete_object(Bucket=bucket, Key=key)
        except self._sdk_errors as exc:
            if _error_code(exc) in _MISSING:
                return False
            raise self._translate(exc, "DeleteObject", bucket, key) from exc
        return True

    def describe(self, bucket: str, key: str) -> str:
        return f"{self.scheme}://{bucket}/{key}"

    def _translate(self, exc: Exception, action: str, bucket: str, key: str) -> BackendError:
        where = f"{action} {self.describe(bucket, key)} at {self.endpoint}"
        answer = refusal(exc)
        if answer is not None:
            text = answer.sentence(where)
            retryable = answer.code in ("SlowDown", "ServiceUnavailable") or answer.status >= 500
            remedy = _REMEDIES.get(answer.code)
            if remedy is None and retryable:
                remedy = "this is temporary; run the command again later"
            text += f" — {remedy}" if remedy else ""
            err = BackendError(
                text, code=answer.code, request_id=answer.request_id, retryable=retryable
            )
        elif _is_transport(exc):
            err = BackendError(
                f"{where} could not reach the store: {exc} — check the network and the "
                f"endpoint ({ENV_OUTPUT_ENDPOINT} overrides it)",
                code="ConnectionError",
                retryable=True,
            )
        else:
            err = BackendError(
                f"{where} failed: {type(exc).__name__}: {exc}", code=type(exc).__name__
            )
        return _scrubbed(err, self._secrets)


def s3_objects_for(
    config: BackendConfig, *, max_attempts: int = MAX_ATTEMPTS
) -> ObjectStore | None:
    """The store holding `config`'s outputs, or None when segspec cannot reach it.

    Only the ice backend writes to an S3-compatible store (OSS). Its endpoint is
    `SEGSPEC_OUTPUT_ENDPOINT` when set, else `https://oss-<region>.aliyuncs.com`; the
    credentials are `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET` (and `_SECURITY_TOKEN` for STS).
    Without credentials, or without boto3 installed, there is no store and drift checks
    are skipped; likewise when the ICE endpoint is a loopback emulator and
    `SEGSPEC_OUTPUT_ENDPOINT` is unset (an emulated job's outputs exist nowhere).

    Nothing is sent here: the first request is the first `stat`. Transient failures are
    retried by boto3, `max_attempts` tries in all.
    """
    if config.type != "ice":
        return None
    key_id = os.environ.get(ENV_ACCESS_KEY_ID)
    secret = os.environ.get(ENV_ACCESS_KEY_SECRET)
    if not key_id or not secret:
        return None
    endpoint = os.environ.get(ENV_OUTPUT_ENDPOINT) or None
    if endpoint is None:
        if config.region is None or (config.endpoint and is_loopback(config.endpoint)):
            return None
        endpoint = f"https://oss-{config.region}.aliyuncs.com"
    if "://" not in endpoint:
        endpoint = f"https://{endpoint}"
    made = make_client(S3Place("oss", endpoint, config.region), max_attempts=max_attempts)
    return S3Objects(made.client, endpoint=made.endpoint, scheme="oss", secrets=made.secrets)


def s3_objects_at(endpoint: str | None, region: str | None = None) -> S3Objects:
    """The store behind an S3-protocol endpoint (OutputConfig.Endpoint, or the local
    engine's `object_endpoint`); credentials as for remote state (segspec.storage.s3).
    An endpoint on aliyuncs.com is OSS, which also takes ALIBABA_CLOUD_* keys."""
    scheme = "oss" if endpoint and _host(endpoint).endswith("aliyuncs.com") else "s3"
    made = make_client(S3Place(scheme, endpoint, region))
    return S3Objects(made.client, endpoint=made.endpoint, scheme=scheme, secrets=made.secrets)


def _error_code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    code = (response.get("Error") or {}).get("Code")
    return str(code) if code is not None else None


def _is_transport(exc: Exception) -> bool:
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError

    return isinstance(exc, BotoConnectionError | HTTPClientError)


def _scrubbed(err: BackendError, secrets: tuple[str, ...]) -> BackendError:
    text = str(err)
    hidden = [s for s in secrets if len(s) >= 4 and s in text]
    if not hidden:
        return err
    for secret in hidden:
        text = text.replace(secret, "***")
    return BackendError(text, code=err.code, request_id=err.request_id, retryable=err.retryable)
