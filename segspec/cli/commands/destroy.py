"""destroy: delete the recorded output objects of jobs and forget the jobs."""

from __future__ import annotations

from pathlib import Path

import click

from segspec.cli.commands.apply import needs_auto_approve
from segspec.cli.complete import complete_address
from segspec.cli.confirm import confirmation
from segspec.cli.context import EXIT_ERROR, EXIT_OK, Context
from segspec.cli.globals import SegspecCommand
from segspec.cli.options import json_option, variable_options, with_variables
from segspec.cli.views import choose_view
from segspec.engine.operations.destroy import destroy as run_destroy


def register(group: click.Group) -> None:
    group.add_command(destroy)


@click.command(cls=SegspecCommand)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDRESS",
    help="Only these jobs.",
    shell_complete=complete_address,
)
@click.option("--auto-approve", is_flag=True, help="Destroy without asking for confirmation.")
@json_option
@variable_options
@click.pass_obj
def destroy(
    ctx: Context,
    targets: tuple[str, ...],
    auto_approve: bool,
    as_json: bool,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
) -> int:
    """Delete the recorded output objects of jobs and forget the jobs."""
    needs_auto_approve(as_json, auto_approve, "destroy")
    # The specs name the backend and its store; their variables may need values.
    ctx = with_variables(ctx, var_pairs, var_files)
    view = choose_view(ctx.ui, as_json)
    try:
        done = run_destroy(
            ctx.project, targets, view, confirmation(auto_approve, "destroy"), ctx.lock_timeout
        )
    finally:
        view.close()
    return EXIT_OK if done.ok else EXIT_ERROR
