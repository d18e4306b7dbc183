"""force-unlock: remove a state lock a dead process left."""

from __future__ import annotations

import click

from segspec.cli.context import Context
from segspec.cli.globals import SegspecCommand


def register(group: click.Group) -> None:
    group.add_command(force_unlock)


@click.command("force-unlock", cls=SegspecCommand)
@click.argument("lock_id")
@click.pass_obj
def force_unlock(ctx: Context, lock_id: str) -> None:
    """Remove the state lock LOCK_ID that a dead process left behind."""
    holder = ctx.project.state_backend.force_unlock(lock_id)
    ctx.ui.out(f"Removed the lock {lock_id} held by {holder.describe()}.")
    ctx.ui.out("Run `segspec plan` next: it folds whatever that process recorded.")
