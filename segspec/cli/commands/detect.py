"""detect: preview the shots a BasicClipSplit job would cut a video into."""

from __future__ import annotations

from pathlib import Path

import click

from segspec.cli.context import Context
from segspec.cli.globals import SegspecCommand
from segspec.detect import DEFAULT_MIN_SHOT_SECONDS, DEFAULT_THRESHOLD
from segspec.engine.events import Emit, Event


def _progress_view(ctx: Context, as_json: bool) -> Emit:
    """A live progress bar on a terminal; elsewhere stdout is the result, so no lines."""
    if as_json or not ctx.ui.terminal:
        return _ignore
    from segspec.cli.views.live import LiveView

    return LiveView(ctx.ui)


def _ignore(event: Event) -> None:
    """Drop an event: off a terminal `detect` prints only its result."""


def register(group: click.Group) -> None:
    group.add_command(detect)


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
    from segspec.detect import render_shots
    from segspec.engine.operations.detect import detect_video
    from segspec.spec.models import DetectorOptions

    options = DetectorOptions(threshold=threshold, min_shot_seconds=min_shot_seconds)
    shots = detect_video(video, options, _progress_view(ctx, as_json))
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
