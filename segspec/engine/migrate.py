"""Copy a state from one store to another (`segspec init --migrate-state`).

Both stores are locked for the whole copy; the source's journal is folded first, so the
copy holds every recorded transition; the target must be empty (or already hold exactly
this state: a migration that was interrupted after its write, or run twice). The copy
keeps lineage and serial, so saved plans made against the source stay valid, and it is
read back and compared before the command reports success. The source is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from segspec.errors import StateError
from segspec.state.base import StateBackend


@dataclass(frozen=True)
class Migration:
    jobs: int
    already_done: bool


def migrate_state(source: StateBackend, target: StateBackend, timeout: float) -> Migration:
    """Copy `source`'s state into `target`; raises StateError when the target differs."""
    with source.lock(timeout=timeout), target.lock(timeout=timeout):
        old = source.open()
        old.compact()
        if not old.exists:
            raise StateError(
                f"there is no state at {source.location} to migrate — check --from, or run "
                "`segspec init` without --migrate-state"
            )
        new = target.open()
        if new.exists:
            if (new.lineage, new.serial, dict(new.jobs)) == (
                old.lineage,
                old.serial,
                dict(old.jobs),
            ):
                return Migration(len(old.jobs), already_done=True)
            raise StateError(
                f"{target.location} already holds a state (lineage {new.lineage}, serial "
                f"{new.serial}, {len(new.jobs)} jobs) that differs from {source.location} "
                f"(lineage {old.lineage}, serial {old.serial}) — nothing was copied; remove "
                "one of them if it is not needed"
            )
        assert old.lineage is not None
        new.adopt(old.lineage, old.serial, old.jobs)
        new.compact()
        check = target.open()
        if dict(check.jobs) != dict(old.jobs) or check.serial != old.serial:
            raise StateError(
                f"the copy at {target.location} does not read back as {source.location} — "
                "the source is unchanged; run the migration again"
            )
        return Migration(len(old.jobs), already_done=False)
