"""refresh: collect the results of jobs still running on the backend."""

from __future__ import annotations

import click

from segspec.cli.context import EXIT_ERROR, EXIT_OK, Context
from segspec.cli.globals import SegspecCommand
from segspec.cli.options import json_option
from segspec.cli.views import choose_view
from segspec.engine.operations.apply import refresh as run_refresh


def register(group: click.Group) -> None:
    group.add_command(refresh)


@click.command(cls=SegspecCommand)
@click.option(
    "--parallelism",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Jobs polled at once.",
)
@click.option("--no-wait", is_flag=True, help="Poll each job once and return.")
@json_option
@click.pass_obj
def refresh(ctx: Context, parallelism: int, no_wait: bool, as_json: bool) -> int:
    """Collect the results of jobs still running (the plan's `read` entries)."""
    view = choose_view(ctx.ui, as_json)
    try:
        done = run_refresh(
            ctx.project, view, ctx.lock_timeout, parallelism=parallelism, wait=not no_wait
        )
    finally:
        view.close()
    return EXIT_OK if done.ok else EXIT_ERROR
