"""The state as people and scripts read it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from segspec.plan.reasons import human_size
from segspec.state.model import JobRecord
from segspec.state.summary import RecordSummary


def _outputs(count: int) -> str:
    return f"{count:>3} {'output' if count == 1 else 'outputs':<7}"


def render_list(jobs: Mapping[str, RecordSummary]) -> str:
    """One line per recorded job: address, status, number of outputs, engine."""
    if not jobs:
        return "The state records no jobs yet. Run `segspec apply` to create them.\n"
    width = max(len(a) for a in jobs)
    lines = [
        f"{address:<{width}}  {rec.status:<10}  {_outputs(len(rec.outputs))}  {rec.backend}"
        for address, rec in sorted(jobs.items())
    ]
    return "\n".join(lines) + "\n"


def render_record(record: JobRecord) -> str:
    """A job's record: request summary, status, error, outputs (bucket/key) with spans.

    `segspec output NAME` gives the outputs' local paths.
    """
    params = record.request.get("JobParams", {})
    lines = [
        f"{record.address}",
        f"  backend      {record.backend}",
        f"  status       {record.status}",
        f"  job id       {record.job_id or '(not yet known)'}",
        f"  mode         {params.get('Mode')}",
        f"  input        {record.request.get('InputConfig', {}).get('Media')}",
        f"  fingerprint  {record.fingerprint}",
        f"  submitted    {record.submitted_at}",
    ]
    if record.finished_at:
        lines.append(f"  finished     {record.finished_at}")
    if record.error:
        lines.append(f"  error        {record.error.code}: {record.error.message}")
    if record.outputs:
        lines.append("  outputs")
        for out in record.outputs:
            span = f"{out.in_s:.3f}–{out.out_s:.3f} s" if out.in_s is not None else ""
            frames = (
                f" frames {out.first_frame}–{out.last_frame}" if out.first_frame is not None else ""
            )
            size = f"  {human_size(out.size)}" if out.size is not None else ""
            media = f"  MediaId {out.media_id}" if out.media_id else ""
            lines.append(
                f"    [{out.index}] {out.bucket}/{out.object_key}  {span}{frames}{size}{media}"
            )
    if record.picture:
        lines.append(
            f"  picture      {record.picture.bucket}/{record.picture.object_key} "
            f"({record.picture.kind})"
        )
    return "\n".join(lines) + "\n"


def picture_data(record: JobRecord, store_objects: Path | None) -> dict[str, Any] | None:
    """The job's picture (contact sheet or first/last frames) as plain data, if any."""
    picture = record.picture
    if picture is None:
        return None
    row: dict[str, Any] = {
        "kind": picture.kind,
        "bucket": picture.bucket,
        "object_key": picture.object_key,
        "size": picture.size,
        "sha256": picture.sha256,
    }
    if store_objects is not None:
        row["path"] = str(store_objects / picture.bucket / picture.object_key)
    return row


def outputs_data(record: JobRecord, store_objects: Path | None) -> list[dict[str, Any]]:
    """The output objects of a job as plain data for `segspec output --json`."""
    rows = []
    for out in record.outputs:
        row: dict[str, Any] = {
            "index": out.index,
            "bucket": out.bucket,
            "object_key": out.object_key,
            "media_id": out.media_id,
            "in": out.in_s,
            "out": out.out_s,
            "first_frame": out.first_frame,
            "last_frame": out.last_frame,
            "size": out.size,
            "sha256": out.sha256,
        }
        if store_objects is not None:
            row["path"] = str(store_objects / out.bucket / out.object_key)
        rows.append(row)
    return rows
