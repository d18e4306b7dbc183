"""show: the state, one job's record, or a saved plan file."""

from __future__ import annotations

import json
import sys
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
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Machine-readable: the state as its JSON document (streamed), a job's record, "
    "or the saved plan.",
)
@click.pass_obj
def show(ctx: Context, name: str | None, as_json: bool) -> None:
    """Show the state, one job's record, or a saved plan file.

    A job of that name wins over a file of that name (give ./NAME for the file).
    """
    state = ctx.project.open_state()
    is_job = name is not None and name in state.summaries()
    if name is not None and not is_job and Path(name).is_file():
        from segspec.engine.saved import load_plan_file

        saved = load_plan_file(Path(name))
        if as_json:
            ctx.ui.out(Path(name).read_text(encoding="utf-8"), nl=False)
            return
        from segspec.render.human import render_plan

        ctx.ui.out(render_plan(saved.plan, ctx.ui.style), nl=False)
        return
    if name is None:
        if as_json:
            sys.stdout.flush()
            state.write_document(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            ctx.ui.out(render_list(state.summaries()), nl=False)
        return
    record = find_record(ctx, name, state)
    if as_json:
        ctx.ui.out(
            json.dumps(record.model_dump(mode="json", exclude_none=True), indent=2, sort_keys=True)
        )
    else:
        ctx.ui.out(render_record(record), nl=False)
