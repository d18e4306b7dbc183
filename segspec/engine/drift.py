"""Drift: do a finished job's recorded outputs still exist, unchanged?

Gathered before planning (it reads the object store) and handed to the pure planner as
`Facts.drift`: address -> reasons, e.g. `output missing: clips/shot_3.mp4`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from segspec.backends.objects import ObjectStore
from segspec.plan.reasons import human_size
from segspec.state.model import JobRecord, OutputRecord


def output_drift(output: OutputRecord, store: ObjectStore) -> str | None:
    """Why `output` no longer matches the store, or None when it does."""
    found = store.stat(output.bucket, output.object_key)
    name = f"{output.bucket}/{output.object_key}"
    if found is None:
        return f"output missing: {name}"
    if output.size is not None and found.size != output.size:
        return f"output changed: {name} size {human_size(output.size)} → {human_size(found.size)}"
    if output.sha256 and found.sha256 and found.sha256 != output.sha256:
        return f"output changed: {name} content sha256 {output.sha256[:12]}… → {found.sha256[:12]}…"
    if output.etag and found.etag and found.etag != output.etag:
        return f"output changed: {name} ETag {output.etag} → {found.etag}"
    return None


def gather_drift(
    records: Mapping[str, JobRecord], addresses: Iterable[str], store: ObjectStore
) -> dict[str, tuple[str, ...]]:
    """Drift reasons for each finished job among `addresses` whose outputs moved."""
    drift: dict[str, tuple[str, ...]] = {}
    for address in addresses:
        record = records.get(address)
        if record is None or record.status != "Finished":
            continue
        reasons = tuple(r for out in record.outputs if (r := output_drift(out, store)) is not None)
        if reasons:
            drift[address] = reasons
    return drift
