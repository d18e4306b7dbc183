"""Gather what `segspec report` shows: the state's jobs, their clips and pictures, the
pending plan. All the I/O (reading pictures, probing inputs, planning) happens here;
`segspec.render.report` only turns the result into HTML.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import replace
from pathlib import Path

from segspec.backends.local.inputs import resolve_input
from segspec.backends.local.store import LocalStore
from segspec.engine.project import PlanOptions, Project, plan_project
from segspec.errors import MediaError, SegspecError
from segspec.media.probe import probe
from segspec.plan.model import Action
from segspec.render.human import plain, render_plan, summary_line
from segspec.render.report import Report, ReportClip, ReportJob
from segspec.state.base import State
from segspec.state.model import JobRecord, now_utc


def _data_uri(path: Path) -> str | None:
    if not path.is_file():
        return None
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _duration(record: JobRecord, base_dir: Path, store: LocalStore | None) -> float | None:
    """The input's length, when it is a file this machine can read (else None)."""
    if store is None:
        return None
    try:
        return probe(resolve_input(record.request["InputConfig"], base_dir, store)).duration
    except (MediaError, KeyError, OSError):
        return None


def _local_outputs(record: JobRecord) -> bool:
    """Whether the record's outputs are files in the local store (not in a bucket)."""
    result = (record.ai_result or {}).get("SegmentationResult") or {}
    endpoint = str(result.get("OutputEndpoint") or "")
    return record.backend == "local" and (not endpoint or endpoint.startswith("file:"))


def report_job(record: JobRecord, base_dir: Path, store: LocalStore | None) -> ReportJob:
    """One job of the state, with links to its local files and its picture embedded.

    `store` is the local engine's store (None for jobs whose outputs are remote);
    `base_dir` is where the job's relative input path resolves.
    """
    objects = store.objects if store is not None else None
    clips = [
        ReportClip(
            index=out.index,
            object_key=f"{out.bucket}/{out.object_key}",
            in_s=out.in_s,
            out_s=out.out_s,
            first_frame=out.first_frame,
            last_frame=out.last_frame,
            size=out.size,
            href=(objects / out.bucket / out.object_key).as_uri() if objects else None,
        )
        for out in record.outputs
    ]
    picture_uri = None
    if record.picture is not None and objects is not None:
        picture_uri = _data_uri(objects / record.picture.bucket / record.picture.object_key)
    error = f"{record.error.code}: {record.error.message}" if record.error else None
    return ReportJob(
        address=record.address,
        status=record.status,
        mode=str(record.request.get("JobParams", {}).get("Mode")),
        backend=record.backend,
        source=str(record.request.get("InputConfig", {}).get("Media")),
        duration=_duration(record, base_dir, store),
        clips=clips,
        picture_kind=record.picture.kind if record.picture else None,
        picture_uri=picture_uri,
        error=error,
    )


def build_report(project: Project, state: State) -> Report:
    """The report of `project`; a plan that cannot be made is a note, not a failure."""
    notes: list[str] = []
    plan_text = summary = None
    base_dirs: dict[str, Path] = {}
    pending: dict[str, str] = {}
    store = LocalStore(project.root / ".segspec")
    try:
        planned = plan_project(project, state, PlanOptions(refresh=True))
    except SegspecError as exc:
        notes.append(f"No plan: {str(exc).splitlines()[0]}")
    else:
        store = project.local_store(planned.config)
        base_dirs = {a: Path(w.base_dir) for a, w in planned.wants.items()}
        pending = {
            c.address: c.action.value for c in planned.plan.changes if c.action is not Action.NOOP
        }
        if planned.plan.has_changes:
            plan_text = render_plan(planned.plan, plain)
            summary = summary_line(planned.plan)
    default_base = project.specs_dir.resolve()
    jobs = [
        replace(
            report_job(
                rec,
                base_dirs.get(address, default_base),
                store if _local_outputs(rec) else None,
            ),
            pending=pending.get(address),
        )
        for address, rec in sorted(state.jobs.items())
    ]
    return Report(
        title=f"segspec: {project.root.name}",
        generated_at=now_utc(),
        jobs=jobs,
        plan_text=plan_text,
        plan_summary=summary,
        notes=tuple(notes),
    )


def read_report(project: Project, lock_timeout: float) -> Report:
    """The report of the project, read under the state lock (folding a left journal)."""
    from segspec.engine.operations.lifecycle import locked_state

    with locked_state(project, lock_timeout, fold_first=True) as state:
        return build_report(project, state)
