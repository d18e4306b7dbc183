"""state list|show|rm|mv: inspect or edit the state."""

from __future__ import annotations

import json

import click

from segspec.cli.complete import complete_address
from segspec.cli.context import Context
from segspec.cli.globals import SegspecGroup
from segspec.cli.records import find_record
from segspec.engine.operations.state_edit import move_job, remove_jobs
from segspec.render.state import render_list
from segspec.render.words import plural


def register(group: click.Group) -> None:
    group.add_command(state)


@click.group(cls=SegspecGroup)
def state() -> None:
    """Inspect or edit the state."""


@state.command("list")
@click.pass_obj
def state_list(ctx: Context) -> None:
    """List recorded jobs."""
    ctx.ui.out(render_list(ctx.project.open_state().summaries()), nl=False)


@state.command("show")
@click.argument("name", shell_complete=complete_address)
@click.pass_obj
def state_show(ctx: Context, name: str) -> None:
    """Print one job's record as JSON."""
    record = find_record(ctx, name)
    ctx.ui.out(
        json.dumps(record.model_dump(mode="json", exclude_none=True), indent=2, sort_keys=True)
    )


@state.command("rm")
@click.argument("names", nargs=-1, required=True, shell_complete=complete_address)
@click.pass_obj
def state_rm(ctx: Context, names: tuple[str, ...]) -> None:
    """Forget jobs (their outputs stay); the next plan treats them as new."""
    remove_jobs(ctx.project, names, ctx.lock_timeout)
    ctx.ui.out(f"Removed {plural(len(names), 'job')} from the state.")


@state.command("mv")
@click.argument("old", shell_complete=complete_address)
@click.argument("new")
@click.pass_obj
def state_mv(ctx: Context, old: str, new: str) -> None:
    """Rename a job in the state, so renaming it in the specs does not rerun it."""
    move_job(ctx.project, old, new, ctx.lock_timeout)
    ctx.ui.out(f"Moved {old} to {new} in the state.")
