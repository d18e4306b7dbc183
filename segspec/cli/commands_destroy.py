"""destroy and state mv."""

from __future__ import annotations

from pathlib import Path

import click

from segspec.cli.commands_plan import _confirm
from segspec.cli.complete import complete_address
from segspec.cli.globals import SegspecCommand
from segspec.cli.main import EXIT_ERROR, Context
from segspec.cli.options import variable_options, with_variables
from segspec.engine.destroy import delete_outputs
from segspec.engine.project import object_store
from segspec.errors import SegspecError, StateError
from segspec.plan.model import Action, Change, Plan, matches
from segspec.render.human import render_plan
from segspec.render.words import plural


def register(group: click.Group) -> None:
    group.add_command(destroy)
    state = group.commands["state"]
    assert isinstance(state, click.Group)
    state.add_command(state_mv)


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
@variable_options
@click.pass_obj
def destroy(
    ctx: Context,
    targets: tuple[str, ...],
    auto_approve: bool,
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
) -> None:
    """Delete the recorded output objects of jobs and forget the jobs."""
    # The specs name the backend and its store; their variables may need values.
    ctx = with_variables(ctx, var_pairs, var_files)
    with ctx.project.lock(ctx.lock_timeout):
        state = ctx.project.open_state()
        records = state.jobs
        chosen = [
            r
            for a, r in sorted(records.items())
            if not targets or any(matches(a, t) for t in targets)
        ]
        for pattern in targets:
            if not any(matches(a, pattern) for a in records):
                raise SegspecError(f"--target {pattern!r} matches no recorded job")
        plan = Plan(
            tuple(
                Change(
                    r.address,
                    Action.DELETE,
                    None,
                    None,
                    (f"destroy: delete its {_objects(len(r.outputs))} and forget the job",),
                )
                for r in chosen
            )
        )
        ctx.ui.out(render_plan(plan, ctx.ui.style), nl=False)
        if not plan.has_changes:
            return
        # Find the store before asking, so a problem shows before the user confirms.
        specs = ctx.project.load_specs()
        requests = [r.request for r in chosen]
        store = object_store(ctx.project, ctx.project.backend_config(specs), requests=requests)
        if store is None:
            raise SegspecError(
                "segspec cannot reach the store holding these outputs — set the backend's "
                "credentials (see README, ice backend) and try again"
            )
        _confirm(ctx, auto_approve, "destroy")
        failed = 0
        try:
            for record in chosen:
                deleted, problems = delete_outputs(record, store)
                if problems:
                    failed += 1
                    ctx.ui.err(f"✗ {record.address}: " + "; ".join(problems))
                    continue  # keep the record: its outputs are still known
                state.remove(record.address)
                ctx.ui.out(f"- {record.address}: {_objects(deleted)} deleted, job forgotten")
        finally:
            state.compact()
    if failed:
        ctx.ui.err(
            f"Destroy finished with {plural(failed, 'failure')}; run it again to retry them."
        )
        raise click.exceptions.Exit(EXIT_ERROR)
    count = len(chosen)
    ctx.ui.out(f"Destroy complete: {count} job{'s' if count != 1 else ''} destroyed.")


def _objects(count: int) -> str:
    return f"{count} output object{'s' if count != 1 else ''}"


@click.command("mv", cls=SegspecCommand)
@click.argument("old", shell_complete=complete_address)
@click.argument("new")
@click.pass_obj
def state_mv(ctx: Context, old: str, new: str) -> None:
    """Rename a job in the state, so renaming it in the specs does not rerun it."""
    with ctx.project.lock(ctx.lock_timeout):
        store = ctx.project.open_state()
        record = store.get(old)
        if record is None:
            raise StateError(
                f"no job {old!r} in {ctx.project.state_backend.location} — check "
                "`segspec state list`"
            )
        if store.get(new) is not None:
            raise StateError(
                f"{new!r} is already in the state — remove it first (`segspec state rm {new}`)"
            )
        # The client token stays: it names the job already submitted, whatever we call it.
        store.put(record.model_copy(update={"address": new}))
        store.remove(old)
        store.compact()
    ctx.ui.out(f"Moved {old} to {new} in the state.")
