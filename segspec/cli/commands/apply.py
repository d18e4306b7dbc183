"""apply: submit new and changed jobs, wait for them, record their results."""

from __future__ import annotations

from pathlib import Path

import click

from segspec.cli.confirm import confirmation
from segspec.cli.context import EXIT_ERROR, EXIT_OK, Context
from segspec.cli.globals import SegspecCommand
from segspec.cli.options import (
    json_option,
    plan_options,
    selection_options,
    variable_options,
    with_variables,
)
from segspec.cli.views import choose_view
from segspec.engine.operations.apply import ApplyRequest
from segspec.engine.operations.apply import apply as run_apply
from segspec.errors import SegspecError


def register(group: click.Group) -> None:
    group.add_command(apply)


def needs_auto_approve(as_json: bool, auto_approve: bool, command: str) -> None:
    """A JSON stream has no one to ask: like terraform's -json, it needs the flag."""
    if as_json and not auto_approve:
        raise click.UsageError(f"{command} --json needs --auto-approve (there is no one to ask)")


@click.command(cls=SegspecCommand)
@click.argument("plan_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@click.option(
    "--parallelism",
    type=click.IntRange(min=1),
    default=None,
    help="Jobs run at once (default: 1 on local, 8 on ice).",
)
@click.option("--no-wait", is_flag=True, help="Submit and return; collect later with refresh.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=None,
    help="Stop waiting for running jobs after SECONDS (they stay recorded).",
)
@click.option(
    "--refresh-only", is_flag=True, help="Record what the backend reports; submit nothing."
)
@json_option
@selection_options
@variable_options
@click.pass_obj
def apply(
    ctx: Context,
    plan_file: Path | None,
    auto_approve: bool,
    parallelism: int | None,
    no_wait: bool,
    timeout: float | None,
    refresh_only: bool,
    as_json: bool,
    targets: tuple[str, ...],
    replace_addresses: tuple[str, ...],
    refresh: bool,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
) -> int:
    """Submit new and changed jobs, wait for them, record their results.

    With PLAN_FILE (from `segspec plan --out`), apply exactly that reviewed plan; it is
    refused if the state, the specs or an input changed since it was made.
    """
    if plan_file is not None and (targets or replace_addresses or var_pairs or var_files):
        raise SegspecError(
            "a saved plan already fixes targets, replacements and variables — make the plan "
            "with those options instead"
        )
    needs_auto_approve(as_json, auto_approve or plan_file is not None, "apply")
    ctx = with_variables(ctx, var_pairs, var_files)
    request = ApplyRequest(
        plan_file=plan_file,
        choices=plan_options(targets, replace_addresses, refresh),
        refresh_only=refresh_only,
        parallelism=parallelism,
        wait=not no_wait,
        timeout=timeout,
    )
    view = choose_view(ctx.ui, as_json)
    try:
        done = run_apply(ctx.project, request, view, confirmation(auto_approve), ctx.lock_timeout)
    finally:
        view.close()
    return EXIT_OK if done.ok else EXIT_ERROR
