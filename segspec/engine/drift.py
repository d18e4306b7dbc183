"""Drift: do a finished job's recorded outputs still exist, unchanged?

Gathered before planning (it reads the object store) and handed to the pure planner as
`Facts.drift`: address -> reasons, e.g. `output missing: clips/shot_3.mp4`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from segspec.backends.objects import ObjectStore
from segspec.errors import BackendError
from segspec.plan.reasons import human_size
from segspec.state.model import JobRecord, OutputRecord
from segspec.state.summary import OutputSummary, RecordSummary


def output_drift(output: OutputRecord | OutputSummary, store: ObjectStore) -> str | None:
    """Why `output` no longer matches the store, or None when it does.

    A local file with the recorded size and mtime is taken as unchanged without reading
    it (the hash cache makes the same bet); anything else is compared in full.
    """
    quick = getattr(store, "unchanged", None)
    if quick is not None and _unchanged(output, quick):
        return None
    return _compared(output, store)


Quick = Callable[[str, str, int, int], bool]


def _unchanged(output: OutputRecord | OutputSummary, quick: Quick) -> bool:
    return (
        output.mtime_ns is not None
        and output.size is not None
        and bool(output.sha256)
        and quick(output.bucket, output.object_key, output.size, output.mtime_ns)
    )


def _compared(output: OutputRecord | OutputSummary, store: ObjectStore) -> str | None:
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
    records: Mapping[str, JobRecord | RecordSummary],
    addresses: Iterable[str],
    store: ObjectStore,
) -> dict[str, tuple[str, ...]]:
    """Drift reasons for each finished job among `addresses` whose outputs moved
    (`records` may be full records or their summaries)."""
    drift: dict[str, tuple[str, ...]] = {}
    quick: Quick | None = getattr(store, "unchanged", None)
    for address in addresses:
        record = records.get(address)
        if record is None or record.status != "Finished":
            continue
        reasons = tuple(
            reason
            for out in record.outputs
            if (quick is None or not _unchanged(out, quick))
            and (reason := _compared(out, store)) is not None
        )
        if reasons:
            drift[address] = reasons
    return drift


def measure_outputs(
    outputs: list[OutputRecord], objects: ObjectStore
) -> tuple[list[OutputRecord], str]:
    """Fill in the size and checksum of outputs the backend did not measure, from the store.

    Returns the outputs and a note for the user ("" when all went well). An output the
    store does not have, or cannot stat, is kept unmeasured: the job did finish, and the
    next plan's drift check reports the object. The first store error stops the stats (the
    next ones would most likely fail the same way, each after its own timeout).
    """
    measured: list[OutputRecord] = []
    missing: list[str] = []
    failure: BackendError | None = None
    for out in outputs:
        if failure is not None or (out.size is not None and (out.sha256 or out.etag)):
            measured.append(out)
            continue
        try:
            found = objects.stat(out.bucket, out.object_key)
        except BackendError as exc:
            failure = exc
            measured.append(out)
            continue
        if found is None:
            missing.append(objects.describe(out.bucket, out.object_key))
            measured.append(out)
            continue
        measured.append(
            out.model_copy(
                update={
                    "size": found.size,
                    "sha256": found.sha256 or out.sha256,
                    "etag": found.etag or out.etag,
                    "mtime_ns": found.mtime_ns,
                }
            )
        )
    note = ""
    if missing:
        note += f"; not in the store yet: {', '.join(missing)}"
    if failure is not None:
        note += f"; sizes and checksums not recorded: {failure}"
    return measured, note
