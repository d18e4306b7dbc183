"""validate, plan, apply: thin wrappers over segspec.engine."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from segspec.cli.globals import SegspecCommand
from segspec.cli.main import EXIT_CHANGES, EXIT_ERROR, Context
from segspec.cli.options import plan_options, selection_options, variable_options, with_variables
from segspec.engine.apply import ApplyOptions, ApplyReport, apply_plan
from segspec.engine.project import (
    Planned,
    check_backend,
    default_parallelism,
    object_store,
    plan_project,
)
from segspec.errors import SegspecError
from segspec.plan.model import Action, Plan
from segspec.render.human import render_plan
from segspec.render.words import plural
from segspec.state.base import State


def register(group: click.Group) -> None:
    group.add_command(validate)
    group.add_command(plan)
    group.add_command(apply)


@click.command(cls=SegspecCommand)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@variable_options
@click.pass_obj
def validate(
    ctx: Context, files: tuple[Path, ...], var_pairs: tuple[str, ...], var_files: tuple[Path, ...]
) -> None:
    """Check every spec file; report all problems at once.

    With FILES (as pre-commit passes them), check the spec directories holding them:
    a spec file is only valid together with the other files of its directory (job names
    are unique across them).
    """
    ctx = with_variables(ctx, var_pairs, var_files)
    projects = [ctx.project]
    if files:
        dirs = sorted({file.resolve().parent for file in files})
        projects = [replace(ctx.project, specs_dir=directory) for directory in dirs]
    failures: list[SegspecError] = []
    for project in projects:
        try:
            specs = project.load_specs()
            warn(ctx, specs.warnings)
            check_backend(specs, project.backend_config(specs))
        except SegspecError as exc:
            failures.append(exc)
            continue
        ctx.ui.out(
            f"{ctx.ui.style('✓', 'green')} {plural(len(specs.jobs), 'job')} in "
            f"{plural(len(specs.files), 'file')} valid."
        )
    if len(failures) == 1:
        raise failures[0]
    if failures:
        raise SegspecError("\n".join(str(f) for f in failures))


def warn(ctx: Context, warnings: tuple[str, ...]) -> None:
    """Deprecations in the specs, on stderr (they never change the exit code)."""
    for line in warnings:
        ctx.ui.err(f"Warning: {line}")


def _render(ctx: Context, planned: Planned, state: State, fmt: str) -> str:
    if fmt == "json":
        from segspec.render.plan_json import plan_document, render_json

        return render_json(
            plan_document(
                planned.plan,
                lineage=state.lineage,
                serial=state.serial,
                specs_digest=planned.specs.digest,
                backend=planned.config.type,
            )
        )
    if fmt == "markdown":
        from segspec.render.markdown import render_markdown

        return render_markdown(planned.plan)
    return render_plan(planned.plan, ctx.ui.style)


NOTHING_TO_REFRESH = "Nothing to refresh: no job is running; nothing was submitted."


def refresh_only_plan(planned: Planned) -> Planned:
    """Keep only the reads: record what the backend reports, submit nothing."""
    reads = Plan(tuple(c for c in planned.plan.changes if c.action is Action.READ))
    return Planned(planned.specs, planned.config, planned.wants, reads)


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
    with ctx.project.lock(ctx.lock_timeout):
        state = ctx.project.open_state()
        state.compact()  # fold a journal an interrupted apply left behind (no-op otherwise)
        choices = plan_options(targets, replace_addresses, refresh, preview_shots)
        planned = plan_project(ctx.project, state, choices)
        warn(ctx, planned.specs.warnings)
        if refresh_only:
            planned = refresh_only_plan(planned)
        if out_file is not None:
            from segspec.engine.saved import save_plan

            save_plan(out_file, planned, state)
    if refresh_only and not planned.plan.changes and fmt is None:
        ctx.ui.out(NOTHING_TO_REFRESH)
    elif fmt == "json":
        from segspec.render.plan_json import stream_plan_json

        for piece in stream_plan_json(
            planned.plan,
            lineage=state.lineage,
            serial=state.serial,
            specs_digest=planned.specs.digest,
            backend=planned.config.type,
        ):
            ctx.ui.out(piece, nl=False)
    else:
        ctx.ui.out(_render(ctx, planned, state, fmt or "human"), nl=False)
    if out_file is not None and fmt is None:
        ctx.ui.out(f"Saved the plan to {out_file}; apply it with: segspec apply {out_file}")
    if detailed_exitcode and planned.plan.has_changes:
        raise click.exceptions.Exit(EXIT_CHANGES)


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
    targets: tuple[str, ...],
    replace_addresses: tuple[str, ...],
    refresh: bool,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
) -> None:
    """Submit new and changed jobs, wait for them, record their results.

    With PLAN_FILE (from `segspec plan --out`), apply exactly that reviewed plan; it is
    refused if the state, the specs or an input changed since it was made.
    """
    if plan_file is not None and (targets or replace_addresses or var_pairs or var_files):
        raise SegspecError(
            "a saved plan already fixes targets, replacements and variables — make the plan "
            "with those options instead"
        )
    ctx = with_variables(ctx, var_pairs, var_files)
    with ctx.project.lock(ctx.lock_timeout):
        state = ctx.project.open_state()
        try:
            if plan_file is not None:
                from segspec.engine.saved import check_current, load_plan_file

                planned = check_current(load_plan_file(plan_file), ctx.project, state, plan_file)
                auto_approve = True  # the saved plan is what was reviewed and approved
            else:
                planned = plan_project(
                    ctx.project, state, plan_options(targets, replace_addresses, refresh)
                )
            warn(ctx, planned.specs.warnings)
            if refresh_only:
                planned = refresh_only_plan(planned)
                no_wait = True
                if not planned.plan.changes:
                    ctx.ui.out(NOTHING_TO_REFRESH)
                    return
            ctx.ui.out(render_plan(planned.plan, ctx.ui.style), nl=False)
            if not planned.plan.has_changes:
                return
            _confirm(ctx, auto_approve)
            options = ApplyOptions(
                parallelism=parallelism or default_parallelism(planned.config),
                wait=not no_wait or refresh_only,
                timeout=0.0 if refresh_only else timeout,
            )
            report = run_planned(ctx, planned, state, options)
        finally:
            state.compact()
    _summarize(ctx, report)


def run_planned(ctx: Context, planned: Planned, state: State, options: ApplyOptions) -> ApplyReport:
    """Carry out `planned` on its backend, reporting progress on the terminal."""
    from segspec.backends.registry import make_backend

    backend = make_backend(planned.config, ctx.project.store_root(planned.config))
    requests = [w.request for w in planned.wants.values()]
    requests += [r.request for r in state.jobs.values()]
    objects = planned.objects or object_store(ctx.project, planned.config, requests=requests)
    return apply_plan(
        planned.plan, planned.wants, state, backend, options, ctx.ui.event, objects=objects
    )


def _confirm(ctx: Context, auto_approve: bool, command: str = "apply") -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        # Only apply can be reviewed as a saved plan; destroy is confirmed with the flag.
        saved = " (or save it with plan --out and apply the file)" if command == "apply" else ""
        raise SegspecError(
            f"{command} needs confirmation but there is no terminal to ask on — review the "
            f"plan above and pass --auto-approve{saved}"
        )
    answer = click.prompt(
        f"{command.capitalize()} these changes? Only 'yes' is accepted",
        default="",
        show_default=False,
    )
    if answer.strip() != "yes":
        raise SegspecError(f"{command} cancelled; nothing was changed")


def _summarize(ctx: Context, report: ApplyReport) -> None:
    parts = [f"{len(report.finished)} finished"]
    if report.pending:
        parts.append(f"{len(report.pending)} still running (collect with: segspec refresh)")
    parts += [f"{len(report.failed)} failed", f"{len(report.deleted)} forgotten"]
    ctx.ui.out("")
    if report.failed:
        ctx.ui.err(f"Apply finished with failures: {', '.join(parts)}.")
        for address, reason in sorted(report.failed.items()):
            first = reason.splitlines()[0]
            ctx.ui.err(f"  {ctx.ui.style('✗', 'red')} {address}: {first}")
        ctx.ui.err("Fix the inputs or specs and run apply again; finished jobs are kept.")
        raise click.exceptions.Exit(EXIT_ERROR)
    ctx.ui.out(ctx.ui.style(f"Apply complete: {', '.join(parts)}.", "bold"))
