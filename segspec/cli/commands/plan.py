"""plan: what apply would change, and why."""

from __future__ import annotations

from pathlib import Path

import click

from segspec.cli.context import EXIT_CHANGES, Context
from segspec.cli.globals import SegspecCommand
from segspec.cli.options import (
    plan_options,
    selection_options,
    variable_options,
    warn,
    with_variables,
)
from segspec.cli.views.lines import NOTHING_TO_REFRESH
from segspec.engine.events import Event, SpecWarning
from segspec.engine.operations.plan import PlanOutcome, make_plan
from segspec.render.human import render_plan


def register(group: click.Group) -> None:
    group.add_command(plan)


def render(ctx: Context, outcome: PlanOutcome, fmt: str) -> str:
    """The plan as text: the reviewer's form, `json` or `markdown`."""
    planned = outcome.planned
    if fmt == "json":
        from segspec.render.plan_json import plan_document, render_json

        return render_json(
            plan_document(
                planned.plan,
                lineage=outcome.lineage,
                serial=outcome.serial,
                specs_digest=planned.specs.digest,
                backend=planned.config.type,
            )
        )
    if fmt == "markdown":
        from segspec.render.markdown import render_markdown

        return render_markdown(planned.plan)
    return render_plan(planned.plan, ctx.ui.style)


@click.command(cls=SegspecCommand)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes.")
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also save the plan to FILE for `segspec apply FILE`.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable plan (versioned).")
@click.option("--markdown", is_flag=True, help="A pull-request comment.")
@click.option("--refresh-only", is_flag=True, help="Only collect what the backend reports now.")
@click.option(
    "--preview-shots",
    is_flag=True,
    help="Run shot detection for BasicClipSplit jobs and show how many clips each makes "
    "(cached by input content and detector options).",
)
@selection_options
@variable_options
@click.pass_obj
def plan(
    ctx: Context,
    detailed_exitcode: bool,
    out_file: Path | None,
    as_json: bool,
    markdown: bool,
    refresh_only: bool,
    preview_shots: bool,
    targets: tuple[str, ...],
    replace_addresses: tuple[str, ...],
    refresh: bool,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
) -> None:
    """Show what apply would change, and why."""
    if as_json and markdown:
        raise click.UsageError("--json and --markdown are two forms of the plan; choose one")
    fmt = "json" if as_json else "markdown" if markdown else None
    ctx = with_variables(ctx, var_pairs, var_files)

    def emit(event: Event) -> None:
        # stdout holds the plan document; only warnings are shown, on stderr.
        if isinstance(event, SpecWarning):
            warn(ctx, (event.message,))

    outcome = make_plan(
        ctx.project,
        plan_options(targets, replace_addresses, refresh, preview_shots),
        emit,
        lock_timeout=ctx.lock_timeout,
        refresh_only=refresh_only,
        out_file=out_file,
    )
    changes = outcome.planned.plan
    if refresh_only and not changes.changes and fmt is None:
        ctx.ui.out(NOTHING_TO_REFRESH)
    elif fmt == "json":
        from segspec.engine.operations.plan import shown_changes
        from segspec.render.plan_json import stream_plan_json

        # every job in full, the unchanged ones loaded a few at a time as they are written
        planned = outcome.planned
        for piece in stream_plan_json(
            planned.plan,
            lineage=outcome.lineage,
            serial=outcome.serial,
            specs_digest=planned.specs.digest,
            backend=planned.config.type,
            changes=shown_changes(ctx.project, outcome),
        ):
            ctx.ui.out(piece, nl=False)
    else:
        ctx.ui.out(render(ctx, outcome, fmt or "human"), nl=False)
    if out_file is not None and fmt is None:
        ctx.ui.out(f"Saved the plan to {out_file}; apply it with: segspec apply {out_file}")
    if detailed_exitcode and changes.has_changes:
        raise click.exceptions.Exit(EXIT_CHANGES)
