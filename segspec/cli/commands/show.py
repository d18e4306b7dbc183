"""show: the state, one job's record, or a saved plan file."""

from __future__ import annotations

from pathlib import Path

import click

from segspec.cli.complete import complete_address
from segspec.cli.context import Context
from segspec.cli.globals import SegspecCommand
from segspec.cli.records import find_record
from segspec.render.state import render_list, render_record


def register(group: click.Group) -> None:
    group.add_command(show)


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
    record = find_record(ctx, name)
    ctx.ui.out(render_record(record), nl=False)
