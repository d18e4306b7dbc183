"""Canonical forms: the normalized request and the fingerprint that decides reruns.

Two specs that mean the same request normalize to the same bytes: key order, YAML number
formatting (10 vs 10.0) and written-out defaults make no difference.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from segspec.spec.models import JobBody

SERVICE_KEYS = ("InputConfig", "JobParams", "OutputConfig", "UserData")


def canonical_json(value: Any) -> str:
    """Deterministic compact JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def normalized_request(body: JobBody) -> dict[str, Any]:
    """The service's parameters only, with defaults filled and `None`s dropped."""
    return body.model_dump(mode="json", include=set(SERVICE_KEYS), exclude_none=True)


def local_options(body: JobBody) -> dict[str, Any]:
    """segspec's local-engine options (they change the clips, so they count in fingerprints)."""
    if not body.local:
        return {}
    # the opt-in decides what may be read, not what is produced: it does not count
    return body.local.model_dump(mode="json", exclude_none=True, exclude={"allow_outside_project"})


def fingerprint(
    request: Mapping[str, Any],
    options: Mapping[str, Any],
    input_identity: Mapping[str, Any] | None,
) -> str:
    """sha256 over what determines a job's outputs: request, local options, input content."""
    material = canonical_json(
        {
            "request": request,
            "local": options,
            "input": content_identity(input_identity),
        }
    )
    return "sha256:" + hashlib.sha256(material.encode()).hexdigest()


def content_identity(identity: Mapping[str, Any] | None) -> Any:
    """What of an input's identity counts: its content (a touched file, new mtime and
    same bytes, is not a change)."""
    if not identity:
        return None
    return {k: identity[k] for k in ("size", "sha256", "etag", "error") if k in identity}


def client_token(address: str, fingerprint_: str, attempt: int) -> str:
    """Idempotency token: the same job attempt always sends the same token (≤ 64 chars)."""
    digest = hashlib.sha256(f"{address}\n{fingerprint_}\n{attempt}".encode()).hexdigest()
    return digest[:32]
