"""refresh and import: tending jobs that run on the backend between applies."""

from __future__ import annotations

import click

from segspec.backends.registry import make_backend
from segspec.cli.commands_plan import (
    NOTHING_TO_REFRESH,
    _summarize,
    refresh_only_plan,
    run_planned,
)
from segspec.cli.complete import complete_address
from segspec.cli.globals import SegspecCommand
from segspec.cli.main import Context
from segspec.engine.adopt import import_job
from segspec.engine.apply import ApplyOptions
from segspec.engine.project import check_backend, gather_wants, plan_project
from segspec.errors import SegspecError
from segspec.render.human import render_plan


def register(group: click.Group) -> None:
    group.add_command(refresh)
    group.add_command(import_)


@click.command(cls=SegspecCommand)
@click.option(
    "--parallelism",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Jobs polled at once.",
)
@click.option("--no-wait", is_flag=True, help="Poll each job once and return.")
@click.pass_obj
def refresh(ctx: Context, parallelism: int, no_wait: bool) -> None:
    """Collect the results of jobs still running (the plan's `read` entries)."""
    with ctx.project.lock(ctx.lock_timeout):
        state = ctx.project.open_state()
        try:
            planned = plan_project(ctx.project, state)
            reads = refresh_only_plan(planned)
            if not reads.plan.changes:
                ctx.ui.out(NOTHING_TO_REFRESH)
                return
            ctx.ui.out(render_plan(reads.plan, ctx.ui.style), nl=False)
            options = ApplyOptions(parallelism=parallelism, timeout=0.0 if no_wait else None)
            report = run_planned(ctx, reads, state, options)
        finally:
            state.compact()
    _summarize(ctx, report)


@click.command("import", cls=SegspecCommand)
@click.argument("name", shell_complete=complete_address)
@click.argument("job_id")
@click.pass_obj
def import_(ctx: Context, name: str, job_id: str) -> None:
    """Adopt existing job JOB_ID into the state as job NAME (it must match the spec)."""
    specs = ctx.project.load_specs()
    config = ctx.project.backend_config(specs)
    check_backend(specs, config)
    if name not in specs.jobs:
        known = ", ".join(sorted(specs.jobs)) or "none"
        raise SegspecError(f"no job {name!r} in {ctx.project.specs_dir} (jobs: {known})")
    with ctx.project.lock(ctx.lock_timeout):
        state = ctx.project.open_state()
        try:
            (want,) = [w for w in gather_wants(ctx.project, specs, config) if w.address == name]
            backend = make_backend(config, ctx.project.store_root(config))
            record = import_job(want, state, backend, job_id, config.type)
        finally:
            state.compact()
    ctx.ui.out(f"Imported job {job_id} as {name} ({record.status}).")
    if record.status in ("Created", "Executing"):
        ctx.ui.out("It is still running; collect its result with: segspec refresh")
