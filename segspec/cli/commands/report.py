"""report: the project as one static HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from segspec.cli.context import Context
from segspec.cli.globals import SegspecCommand
from segspec.cli.options import variable_options, with_variables


def register(group: click.Group) -> None:
    group.add_command(report)


@click.command(cls=SegspecCommand)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Directory to write index.html into (default: .segspec/report).",
)
@variable_options
@click.pass_obj
def report(
    ctx: Context, out_dir: Path | None, var_pairs: tuple[str, ...], var_files: tuple[Path, ...]
) -> None:
    """Write a self-contained HTML page of the project: the pending plan, every job with
    its status, a timeline of its clips, their keys, durations and pictures."""
    from segspec.engine.report import read_report
    from segspec.render.report import render_report
    from segspec.state.atomic import write_atomic

    ctx = with_variables(ctx, var_pairs, var_files)
    page = render_report(read_report(ctx.project, ctx.lock_timeout))
    target = out_dir if out_dir is not None else ctx.project.root / ".segspec" / "report"
    write_atomic(target / "index.html", page.encode("utf-8"))
    ctx.ui.out(f"Wrote {target / 'index.html'}")
