"""import: adopt a job that already runs on the backend into the state."""

from __future__ import annotations

import click

from segspec.cli.complete import complete_address
from segspec.cli.context import Context
from segspec.cli.globals import SegspecCommand
from segspec.engine.operations.state_edit import import_existing


def register(group: click.Group) -> None:
    group.add_command(import_)


@click.command("import", cls=SegspecCommand)
@click.argument("name", shell_complete=complete_address)
@click.argument("job_id")
@click.pass_obj
def import_(ctx: Context, name: str, job_id: str) -> None:
    """Adopt existing job JOB_ID into the state as job NAME (it must match the spec)."""
    record = import_existing(ctx.project, name, job_id, ctx.lock_timeout)
    ctx.ui.out(f"Imported job {job_id} as {name} ({record.status}).")
    if record.status in ("Created", "Executing"):
        ctx.ui.out("It is still running; collect its result with: segspec refresh")
