"""One way to make a boto3 S3 client for OSS, AWS S3 or any S3-compatible server.

boto3 is imported here and only when a client is made, so commands that never touch
object storage (and `segspec --version`) do not pay for it.

Credentials: for `oss` stores, `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET` (and
`_SECURITY_TOKEN`) when set, the variables the ice backend reads; otherwise, and for `s3`
stores, boto3's own chain (environment, shared files, instance role). They are handed to
boto3 and never written anywhere. Endpoint: the configured one; else, for `oss` with a
region, `https://oss-<region>.aliyuncs.com`; else boto3's `AWS_ENDPOINT_URL` convention.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from segspec.errors import SegspecError

ENV_ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
ENV_SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 30
MAX_ATTEMPTS = 4


@dataclass(frozen=True)
class S3Place:
    """Where an S3-compatible store is: endpoint (None: boto3 decides), region, flavour."""

    scheme: str = "s3"
    """`oss` or `s3`: picks credentials and the default endpoint; shapes messages."""
    endpoint: str | None = None
    region: str | None = None

    def resolved_endpoint(self) -> str | None:
        endpoint = self.endpoint
        if endpoint is None and self.scheme == "oss" and self.region:
            endpoint = f"https://oss-{self.region}.aliyuncs.com"
        if endpoint is None:
            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint and "://" not in endpoint:
            endpoint = f"https://{endpoint}"
        return endpoint.rstrip("/") if endpoint else None


@dataclass(frozen=True)
class S3Client:
    """A boto3 client with what messages need about it (and the secrets to scrub)."""

    client: Any
    endpoint: str
    secrets: tuple[str, ...]


def make_client(place: S3Place, *, max_attempts: int = MAX_ATTEMPTS) -> S3Client:
    """A client for `place`; raises `SegspecError` when boto3 is missing."""
    try:
        import boto3
        import botocore.session
        from botocore.config import Config
    except ImportError as exc:  # pragma: no cover - boto3 is a core dependency
        raise SegspecError(f"object storage needs boto3 ({exc}) — reinstall segspec") from exc
    endpoint = place.resolved_endpoint()
    key_id = os.environ.get(ENV_ACCESS_KEY_ID)
    secret = os.environ.get(ENV_ACCESS_KEY_SECRET)
    token = os.environ.get(ENV_SECURITY_TOKEN) or None
    secrets: tuple[str, ...] = ()
    if place.scheme == "oss" and key_id and secret:
        # Explicit keys in a session of its own: boto3 never looks for AWS credentials,
        # and an AWS_PROFILE (which names an AWS profile, nothing to do with OSS) is ignored.
        core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
        session = boto3.session.Session(
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            aws_session_token=token,
            region_name=place.region or "us-east-1",
            botocore_session=core,
        )
        secrets = tuple(s for s in (secret, token) if s)
    else:
        session = boto3.session.Session(region_name=place.region or None)
    region = place.region or session.region_name or "us-east-1"
    client = session.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": addressing_style(endpoint or "")},
            connect_timeout=CONNECT_TIMEOUT_S,
            read_timeout=READ_TIMEOUT_S,
            retries={"max_attempts": max_attempts, "mode": "standard"},
        ),
    )
    return S3Client(client, endpoint or str(client.meta.endpoint_url), secrets)


def addressing_style(endpoint: str) -> str:
    """`path` for an IP address or localhost (a test server), else `virtual` (OSS refuses
    path-style requests)."""
    host = endpoint_host(endpoint)
    if not host:
        return "auto"
    if host == "localhost" or host.endswith(".localhost"):
        return "path"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "virtual"
    return "path"


def is_loopback(endpoint: str) -> bool:
    host = endpoint_host(endpoint)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_host(endpoint: str) -> str:
    return urlsplit(endpoint if "://" in endpoint else f"//{endpoint}").hostname or ""


def error_code(exc: Exception) -> str | None:
    """The S3 error Code of a botocore ClientError (or its HTTP status), else None."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    code = (response.get("Error") or {}).get("Code")
    return str(code) if code is not None else None


def http_status(exc: Exception) -> int:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return 0
    return int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)


def is_precondition_failed(exc: Exception) -> bool:
    """A conditional write lost: If-None-Match found the key, or If-Match another ETag."""
    return error_code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict") or (
        http_status(exc) in (409, 412)
    )


def is_missing(exc: Exception) -> bool:
    return error_code(exc) in ("404", "NoSuchKey", "NotFound") or http_status(exc) == 404


def sdk_errors() -> tuple[type[Exception], ...]:
    """The exception types boto3 raises for a failed request (imported lazily)."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


@dataclass(frozen=True)
class Refusal:
    """What the store said when it refused a request."""

    code: str
    message: str
    status: int
    request_id: str | None

    def sentence(self, what: str) -> str:
        """`what` was refused, with the Code, Message, HTTP status and RequestId."""
        text = f"{what} was refused: {self.code}" + (f": {self.message}" if self.message else "")
        rid = f", RequestId {self.request_id})" if self.request_id else ")"
        return text + f" (HTTP {self.status}" + rid


def refusal(exc: Exception) -> Refusal | None:
    """The store's answer inside a botocore error, or None when no answer came back."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    headers = meta.get("HTTPHeaders") or {}
    status = meta.get("HTTPStatusCode") or 0
    request_id = headers.get("x-oss-request-id") or meta.get("RequestId") or error.get("RequestId")
    return Refusal(
        code=str(error.get("Code") or status or "Unknown"),
        message=str(error.get("Message") or "").strip(),
        status=int(status),
        request_id=str(request_id) if request_id else None,
    )


def describe_failure(exc: Exception, what: str, secrets: tuple[str, ...] = ()) -> str:
    """A sentence about a failed request: the service's Code, Message and RequestId."""
    answer = refusal(exc)
    if answer is not None:
        text = answer.sentence(what)
    else:
        text = f"{what} failed: {type(exc).__name__}: {exc}"
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
