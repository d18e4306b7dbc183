"""What planning needs to know about a recorded job, without its whole record.

A no-op plan at 100,000 jobs cannot afford to parse 100,000 full records (requests,
AiResults, captions): it only asks, per address, "same fingerprint, finished, outputs
still there?". `RecordSummary` is that question's data; `State.summaries()` gives one per
recorded job, and `State.records(addresses)` loads the full records of the few jobs a plan
must show or act on. `summarize` is the one definition of a summary: every store's
summaries must equal `summarize` of its records (the contract suite checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from segspec.state.model import JobRecord, Status


@dataclass(frozen=True, slots=True)
class OutputSummary:
    """One recorded output, as drift checks it."""

    bucket: str
    object_key: str
    size: int | None
    sha256: str | None
    etag: str | None
    mtime_ns: int | None = None
    """The local file's mtime when recorded: an unchanged (size, mtime) is not re-hashed."""


@dataclass(frozen=True, slots=True)
class RecordSummary:
    """One recorded job, as a no-op plan compares it."""

    address: str
    backend: str
    fingerprint: str
    status: Status
    attempt: int
    prune_outputs: bool
    input: dict[str, Any] | None
    """The input's identity when submitted (size, sha256, mtime_ns, ...), as recorded."""
    outputs: tuple[OutputSummary, ...]
    endpoint: tuple[str, str] | None
    """(Bucket, Endpoint) when the request's OutputConfig named an Endpoint."""


def summarize(record: JobRecord) -> RecordSummary:
    out = record.request.get("OutputConfig") or {}
    endpoint = (str(out["Bucket"]), str(out["Endpoint"])) if out.get("Endpoint") else None
    return RecordSummary(
        address=record.address,
        backend=record.backend,
        fingerprint=record.fingerprint,
        status=record.status,
        attempt=record.attempt,
        prune_outputs=record.prune_outputs,
        input=record.input,
        outputs=tuple(
            OutputSummary(o.bucket, o.object_key, o.size, o.sha256, o.etag, o.mtime_ns)
            for o in record.outputs
        ),
        endpoint=endpoint,
    )
