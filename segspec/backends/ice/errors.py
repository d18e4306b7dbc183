"""Turn the SDK's exceptions into `BackendError`s at the edge.

What the user needs survives: the service's Code, Message and RequestId, the HTTP status,
and whether trying again can help. What they must never see does not: any credential
value is scrubbed from the text before it leaves this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException
from Tea.exceptions import UnretryableException

from segspec.errors import BackendError

_REMEDIES = {
    "SignatureDoesNotMatch": "check the AccessKey secret in the environment or profile",
    "InvalidAccessKeyId.NotFound": "check the AccessKey ID in the environment or profile",
    "InvalidAccessKeyId.Inactive": "enable the AccessKey or use another one",
    "InvalidSecurityToken.Expired": "refresh the STS token",
    "Forbidden.RAM": "grant the RAM user or role access to ICE smart jobs",
    "NoPermission": "grant the RAM user or role access to ICE smart jobs",
}
_NO_CREDENTIALS = (
    "no Alibaba Cloud credentials were found — set ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET, write a profile to ~/.alibabacloud/config.json, or run "
    "on an instance with a RAM role"
)


def translate(exc: BaseException, action: str, secrets: Iterable[str] = ()) -> BackendError:
    """Describe `exc`, raised by the SDK during `action`, as a `BackendError`."""
    if isinstance(exc, UnretryableException) and exc.inner_exception is not None:
        return translate(exc.inner_exception, action, secrets)
    if isinstance(exc, AlibabaCloudException):
        err = _service_error(exc, action)
    elif isinstance(exc, CredentialException):
        err = BackendError(f"ICE {action} was not sent: {_NO_CREDENTIALS}.", code="NoCredentials")
    elif isinstance(exc, OSError | TimeoutError) or type(exc).__name__ == "RetryError":
        err = _transport_error(exc, action)
    else:
        err = BackendError(
            f"ICE {action} failed unexpectedly: {type(exc).__name__}: {exc}",
            code=type(exc).__name__,
        )
    return scrubbed(err, secrets)


def _service_error(exc: AlibabaCloudException, action: str) -> BackendError:
    data: dict[str, Any] = exc.data if isinstance(exc.data, dict) else {}
    code = str(data.get("Code") or exc.code or "Unknown")
    message = str(data.get("Message") or exc.message or "").strip()
    request_id = data.get("RequestId") or exc.request_id
    request_id = str(request_id) if request_id not in (None, "None", "") else None
    status = exc.status_code if isinstance(exc.status_code, int) else 0
    retryable = (
        isinstance(exc, ThrottlingException) or code.startswith("Throttling") or status >= 500
    )
    text = f"ICE {action} was refused: {code}: {message} (HTTP {status}"
    text += f", RequestId {request_id})" if request_id else ")"
    remedy = _REMEDIES.get(code)
    if remedy is None and retryable:
        remedy = "this is temporary; segspec retried and gave up, run the command again later"
    if remedy:
        text += f" — {remedy}"
    return BackendError(text, code=code, request_id=request_id, retryable=retryable)


def _transport_error(exc: BaseException, action: str) -> BackendError:
    reason = str(exc)
    timed_out = "timed out" in reason.lower() or isinstance(exc, TimeoutError)
    code = "RequestTimeout" if timed_out else "ConnectionError"
    what = "timed out" if timed_out else "could not reach the service"
    return BackendError(
        f"ICE {action} {what}: {reason} — check the network and the endpoint, or raise the timeout",
        code=code,
        retryable=True,
    )


def scrubbed(err: BackendError, secrets: Iterable[str]) -> BackendError:
    """Return `err` with every non-trivial secret value replaced by `***`."""
    text = str(err)
    hidden = [s for s in secrets if s and len(s) >= 4 and s in text]
    if not hidden:
        return err
    for secret in hidden:
        text = text.replace(secret, "***")
    return BackendError(text, code=err.code, request_id=err.request_id, retryable=err.retryable)
