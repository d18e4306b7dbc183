"""Server-side check of the `ACS3-HMAC-SHA256` request signature.

The client hashes a canonical request (method, path, sorted and percent-encoded query,
the signed headers lower-cased and sorted, the list of their names, and the SHA-256 of
the body), signs `"ACS3-HMAC-SHA256\\n" + hex(sha256(canonical request))` with HMAC-SHA256
keyed by the AccessKey secret, and sends the hex digest in `Authorization`. This module
rebuilds the same string from what actually arrived on the wire, so a request whose body,
query or signed headers were altered, or that was signed with another secret, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlsplit

from segspec.testing.ice_emulator.errors import ApiError

ALGORITHM = "ACS3-HMAC-SHA256"
REQUIRED_HEADERS = (
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
)
MAX_CLOCK_SKEW_S = 15 * 60


@dataclass(frozen=True)
class Authorization:
    """The parsed `Authorization` header."""

    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str | None) -> Authorization:
    """Split `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..` into parts."""
    if not value:
        raise ApiError(400, "MissingAuthorization", "The Authorization header is missing.")
    algorithm, _, rest = value.partition(" ")
    if algorithm != ALGORITHM:
        raise ApiError(
            400, "IncompleteSignature", f"The signature algorithm {algorithm!r} is not supported."
        )
    parts: dict[str, str] = {}
    for item in rest.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            parts[key] = val
    if not all(parts.get(k) for k in ("Credential", "SignedHeaders", "Signature")):
        raise ApiError(400, "IncompleteSignature", "The Authorization header is incomplete.")
    return Authorization(
        access_key_id=parts["Credential"],
        signed_headers=tuple(parts["SignedHeaders"].split(";")),
        signature=parts["Signature"],
    )


def canonical_query(raw_query: str) -> str:
    """Sorted `key=value` pairs with values percent-encoded except `~` (RFC 3986 style)."""
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    return "&".join(f"{key}={quote(val, safe='~')}" for key, val in sorted(pairs))


def canonical_request(
    method: str,
    target: str,
    header_values: Callable[[str], Sequence[str]],
    signed_headers: Sequence[str],
    payload_hash: str,
) -> str:
    """The string whose hash is signed; `header_values(name)` lists a header's values."""
    split = urlsplit(target)
    lines = [method.upper(), split.path or "/", canonical_query(split.query)]
    for name in signed_headers:
        values = sorted(v.strip() for v in header_values(name))
        lines.append(f"{name}:{','.join(values)}")
    # The canonical headers block ends with a newline of its own before the names line.
    return "\n".join([*lines, "", ";".join(signed_headers), payload_hash])


def sign(secret: str, canonical: str) -> str:
    """Hex HMAC-SHA256 of the string to sign built from `canonical`."""
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    to_sign = f"{ALGORITHM}\n{digest}"
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def verify(
    *,
    method: str,
    target: str,
    header_values: Callable[[str], Sequence[str]],
    body: bytes,
    keys: Mapping[str, str],
    nonce_is_new: Callable[[str], bool],
    now: datetime | None = None,
) -> str:
    """Check the request's signature; return the AccessKey ID that signed it.

    Raises `ApiError` in the service's vocabulary: `InvalidAccessKeyId.NotFound` (404) for
    an unknown key, `SignatureDoesNotMatch` (400) for a wrong secret or altered request,
    `SignatureNonceUsed` for a replay, `InvalidTimeStamp.Expired` for a stale date.
    """

    def first(name: str) -> str:
        found = header_values(name)
        return found[0].strip() if found else ""

    auth = parse_authorization(first("authorization"))
    for name in REQUIRED_HEADERS:
        if not first(name):
            raise ApiError(400, "MissingParameter", f"The header {name} is missing.")
    unsigned = [n for n in (*REQUIRED_HEADERS, "host") if n not in auth.signed_headers]
    if unsigned:
        raise ApiError(
            400, "IncompleteSignature", f"The headers {', '.join(unsigned)} must be signed."
        )
    secret = keys.get(auth.access_key_id)
    if secret is None:
        raise ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    payload_hash = hashlib.sha256(body).hexdigest()
    if not hmac.compare_digest(payload_hash, first("x-acs-content-sha256")):
        raise ApiError(
            400, "SignatureDoesNotMatch", "The x-acs-content-sha256 header does not match the body."
        )
    canonical = canonical_request(method, target, header_values, auth.signed_headers, payload_hash)
    if not hmac.compare_digest(sign(secret, canonical), auth.signature):
        raise ApiError(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        )
    _check_date(first("x-acs-date"), now or datetime.now(UTC))
    if not nonce_is_new(first("x-acs-signature-nonce")):
        raise ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    return auth.access_key_id


def _check_date(value: str, now: datetime) -> None:
    try:
        stamp = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise ApiError(
            400, "InvalidTimeStamp.Format", f"Specified time stamp {value!r} is not valid."
        ) from None
    if abs((now - stamp).total_seconds()) > MAX_CLOCK_SKEW_S:
        raise ApiError(
            400, "InvalidTimeStamp.Expired", f"Specified time stamp {value!r} is expired."
        )
