"""init: check where the state lives; migrate a state there."""

from __future__ import annotations

import click

from segspec.cli.context import Context
from segspec.cli.globals import SegspecCommand
from segspec.engine.migrate import migrate_state
from segspec.errors import SegspecError
from segspec.spec.config import read_state_config
from segspec.state.config import make_state_backend, parse_state_url


def register(group: click.Group) -> None:
    group.add_command(init)


@click.command(cls=SegspecCommand)
@click.option(
    "--migrate-state",
    "migrate",
    is_flag=True,
    help="Copy an existing state into the configured store (from --from).",
)
@click.option(
    "--from",
    "source",
    default=None,
    metavar="PATH|s3://BUCKET/KEY",
    help="The state to migrate (default: the local segspec.state.json).",
)
@click.pass_obj
def init(ctx: Context, migrate: bool, source: str | None) -> None:
    """Check where the state lives (bucket reachable, credentials valid, lock works)."""
    target = ctx.project.state_backend
    for line in target.check():
        ctx.ui.out(f"{ctx.ui.style('✓', 'green')} {line}")
    if not migrate:
        ctx.ui.out(f"State store ready: {target.location}")
        return
    # A --from URL takes the endpoint and region of the specs' state: block, if any.
    block = read_state_config(ctx.project.specs_dir)
    config = parse_state_url(source, block) if source else None
    origin = make_state_backend(config, ctx.project.root)
    if origin.location == target.location:
        raise SegspecError(
            f"the state to migrate and the configured store are both {target.location} — "
            "pass --from with the other location"
        )
    done = migrate_state(origin, target, ctx.lock_timeout)
    jobs = f"{done.jobs} job{'s' if done.jobs != 1 else ''}"
    if done.already_done:
        ctx.ui.out(f"{target.location} already holds this state ({jobs}); nothing was copied.")
        return
    ctx.ui.out(
        f"Migrated {jobs} from {origin.location} to {target.location} (same lineage and "
        f"serial). {origin.location} was left as it was; remove it once you no longer need it."
    )
