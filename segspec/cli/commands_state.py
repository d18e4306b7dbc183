"""show, output, state, media, detect: reading and tending what apply recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from segspec.cli.complete import complete_address
from segspec.cli.globals import SegspecCommand, SegspecGroup
from segspec.cli.main import Context
from segspec.detect import DEFAULT_MIN_SHOT_SECONDS, DEFAULT_THRESHOLD
from segspec.errors import SegspecError, StateError
from segspec.render.state import outputs_data, picture_data, render_list, render_record
from segspec.render.words import plural
from segspec.state.model import JobRecord


def register(group: click.Group) -> None:
    group.add_command(show)
    group.add_command(output)
    group.add_command(state)
    group.add_command(media)
    group.add_command(detect)


def _record(ctx: Context, name: str) -> JobRecord:
    record = ctx.project.open_state().get(name)
    if record is None:
        known = ", ".join(sorted(ctx.project.open_state().jobs)) or "none"
        raise StateError(
            f"no job {name!r} in {ctx.project.state_backend.location} (recorded: {known})"
        )
    return record


def _objects_dir(ctx: Context, record: JobRecord) -> Path | None:
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


@click.command(cls=SegspecCommand)
@click.argument("name", required=False, shell_complete=complete_address)
@click.pass_obj
def show(ctx: Context, name: str | None) -> None:
    """Show the state, one job's record, or a saved plan file.

    A job of that name wins over a file of that name (give ./NAME for the file).
    """
    is_job = name is not None and ctx.project.open_state().get(name) is not None
    if name is not None and not is_job and Path(name).is_file():
        from segspec.engine.saved import load_plan_file
        from segspec.render.human import render_plan

        ctx.ui.out(render_plan(load_plan_file(Path(name)).plan, ctx.ui.style), nl=False)
        return
    if name is None:
        ctx.ui.out(render_list(ctx.project.open_state().jobs), nl=False)
        return
    record = _record(ctx, name)
    ctx.ui.out(render_record(record), nl=False)


@click.command(cls=SegspecCommand)
@click.argument("name", required=False, shell_complete=complete_address)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def output(ctx: Context, name: str | None, as_json: bool) -> None:
    """The output objects of job NAME, or of every job (paths on the local engine)."""
    if name is not None:
        records = [_record(ctx, name)]
    else:
        records = [rec for _, rec in sorted(ctx.project.open_state().jobs.items())]
    docs = [_output_doc(ctx, record) for record in records]
    if as_json:
        ctx.ui.out(json.dumps(docs[0] if name is not None else {"jobs": docs}, indent=2))
        return
    if not records:
        ctx.ui.out("The state records no jobs yet. Run `segspec apply` to create them.")
    for record, doc in zip(records, docs, strict=True):
        if name is None:
            ctx.ui.out(
                f"{record.address} ({record.status}, {plural(len(doc['outputs']), 'output')})"
            )
        indent = "" if name is not None else "  "
        for row in doc["outputs"]:
            ctx.ui.out(indent + (row.get("path") or f"oss://{row['bucket']}/{row['object_key']}"))
        if doc.get("picture"):
            picture = doc["picture"]
            where = picture.get("path") or f"oss://{picture['bucket']}/{picture['object_key']}"
            ctx.ui.out(f"{indent}{picture['kind']}: {where}")


def _output_doc(ctx: Context, record: JobRecord) -> dict[str, Any]:
    objects = _objects_dir(ctx, record)
    doc: dict[str, Any] = {
        "address": record.address,
        "status": record.status,
        "outputs": outputs_data(record, objects),
    }
    picture = picture_data(record, objects)
    if picture is not None:
        doc["picture"] = picture
    return doc


@click.group(cls=SegspecGroup)
def state() -> None:
    """Inspect or edit the state."""


@state.command("list")
@click.pass_obj
def state_list(ctx: Context) -> None:
    """List recorded jobs."""
    ctx.ui.out(render_list(ctx.project.open_state().jobs), nl=False)


@state.command("show")
@click.argument("name", shell_complete=complete_address)
@click.pass_obj
def state_show(ctx: Context, name: str) -> None:
    """Print one job's record as JSON."""
    record = _record(ctx, name)
    ctx.ui.out(
        json.dumps(record.model_dump(mode="json", exclude_none=True), indent=2, sort_keys=True)
    )


@state.command("rm")
@click.argument("names", nargs=-1, required=True, shell_complete=complete_address)
@click.pass_obj
def state_rm(ctx: Context, names: tuple[str, ...]) -> None:
    """Forget jobs (their outputs stay); the next plan treats them as new."""
    with ctx.project.lock(ctx.lock_timeout):
        store = ctx.project.open_state()
        missing = [n for n in names if store.get(n) is None]
        if missing:
            raise StateError(
                f"no job {', '.join(map(repr, missing))} in {ctx.project.state_backend.location}"
            )
        for name in names:
            store.remove(name)
        store.compact()
    ctx.ui.out(f"Removed {len(names)} job{'s' if len(names) != 1 else ''} from the state.")


@click.group(cls=SegspecGroup)
def media() -> None:
    """The local engine's media catalog (Type: Media inputs)."""


@media.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bucket", default="media", show_default=True, help="Bucket to store it in.")
@click.pass_obj
def media_add(ctx: Context, file: Path, bucket: str) -> None:
    """Copy FILE into the local store and print its new MediaId."""
    import shutil

    from segspec.backends.local.store import LocalStore
    from segspec.errors import file_system_error

    store = LocalStore(ctx.project.root / ".segspec")
    work = store.work_dir("media-add") / file.name
    try:
        shutil.copyfile(file, work)
        _, size, digest = store.put_object(work, bucket, file.name)
        media_id = store.register_media(bucket, file.name, size, digest)
    except OSError as exc:
        raise file_system_error(exc, f"adding {file} to the media catalog") from exc
    finally:
        work.unlink(missing_ok=True)
    ctx.ui.out(media_id)


@media.command("list")
@click.pass_obj
def media_list(ctx: Context) -> None:
    """List MediaIds in the local catalog."""
    from segspec.backends.local.store import LocalStore

    for media_id, entry in sorted(LocalStore(ctx.project.root / ".segspec").catalog().items()):
        ctx.ui.out(f"{media_id}  oss://{entry['bucket']}/{entry['key']}  {entry['size']} B")


@click.command(cls=SegspecCommand)
@click.argument("video", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--contact-sheet",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also draw one thumbnail per shot into FILE (.jpg, .png or .webp).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help=f"Smallest change score (0..1) that starts a new shot [default: {DEFAULT_THRESHOLD}].",
)
@click.option(
    "--min-shot-seconds",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="No two shot boundaries closer than this many seconds "
    f"[default: {DEFAULT_MIN_SHOT_SECONDS}].",
)
@click.pass_obj
def detect(
    ctx: Context,
    video: Path,
    as_json: bool,
    contact_sheet: Path | None,
    threshold: float | None,
    min_shot_seconds: float | None,
) -> None:
    """Preview the shots a BasicClipSplit job would cut VIDEO into."""
    from segspec.detect import detect_shots, render_shots
    from segspec.spec.models import DetectorOptions

    options = DetectorOptions(threshold=threshold, min_shot_seconds=min_shot_seconds)
    shots = detect_shots(video, options)
    if contact_sheet is not None:
        from segspec.media.probe import probe
        from segspec.media.sheet import compose, save_picture, shot_tiles

        opened = {s.index: s.transition.kind for s in shots if s.transition is not None}
        tiles = shot_tiles([(s.index, s.first_frame) for s in shots], probe(video).fps, opened)
        save_picture(compose(video, tiles), contact_sheet)
    text = render_shots(shots, as_json)
    ctx.ui.out(text if text.endswith("\n") else text + "\n", nl=False)
    if contact_sheet is not None and not as_json:
        ctx.ui.out(f"Contact sheet: {contact_sheet}")
