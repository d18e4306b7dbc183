"""Finding recorded jobs and where their outputs are, for the commands that show them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from segspec.cli.context import Context
from segspec.errors import SegspecError, StateError
from segspec.render.state import outputs_data, picture_data
from segspec.state.base import State
from segspec.state.model import JobRecord


def find_record(ctx: Context, name: str, state: State | None = None) -> JobRecord:
    """The record of job `name` (in `state`, or the project's state opened now); StateError
    listing the recorded jobs when there is none. Only that record is read."""
    state = state if state is not None else ctx.project.open_state()
    record = state.get(name)
    if record is None:
        known = ", ".join(sorted(state.summaries())) or "none"
        raise StateError(
            f"no job {name!r} in {ctx.project.state_backend.location} (recorded: {known})"
        )
    return record


def objects_dir(ctx: Context, record: JobRecord) -> Path | None:
    """The local store's objects directory, when the record's outputs are there (not in a
    bucket: the AiResult's OutputEndpoint then names the store)."""
    result = (record.ai_result or {}).get("SegmentationResult") or {}
    endpoint = str(result.get("OutputEndpoint") or "")
    if record.backend != "local" or (endpoint and not endpoint.startswith("file:")):
        return None
    try:
        specs = ctx.project.load_specs()
        config = ctx.project.backend_config(specs)
    except SegspecError:
        return ctx.project.root / ".segspec" / "objects"
    return ctx.project.store_root(config) / "objects"


def output_doc(ctx: Context, record: JobRecord) -> dict[str, Any]:
    """A job's outputs and picture as data (`segspec output --json`)."""
    objects = objects_dir(ctx, record)
    doc: dict[str, Any] = {
        "address": record.address,
        "status": record.status,
        "outputs": outputs_data(record, objects),
    }
    picture = picture_data(record, objects)
    if picture is not None:
        doc["picture"] = picture
    return doc
