"""The plan operation: what apply would do, and why; optionally saved to a file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from segspec.backends.registry import backend_entry
from segspec.engine.events import Emit, SpecWarning
from segspec.engine.operations.lifecycle import locked_state
from segspec.engine.project import Planned, PlanOptions, Project, plan_project
from segspec.plan.model import Action, Change, Facts, Plan, Want
from segspec.plan.planner import plan as plan_jobs
from segspec.state.base import State

SHOWN_AT_ONCE = 256
"""Settled no-ops loaded in full at a time while a plan is shown with every job."""


@dataclass(frozen=True)
class PlanOutcome:
    planned: Planned
    lineage: str | None
    serial: int
    state: State | None = None
    """The state planned against (records are read from the version planned against)."""


def refresh_only_plan(planned: Planned) -> Planned:
    """Keep only the reads: record what the backend reports, submit nothing."""
    reads = Plan(tuple(c for c in planned.plan.changes if c.action is Action.READ))
    return Planned(planned.specs, planned.config, planned.wants, reads)


def make_plan(
    project: Project,
    options: PlanOptions,
    emit: Emit,
    *,
    lock_timeout: float = 0.0,
    refresh_only: bool = False,
    out_file: Path | None = None,
    full: bool = False,
) -> PlanOutcome:
    """Plan against the locked state (folding a journal an interrupted apply left).

    With `out_file`, the plan is also saved there for `apply FILE`. With `full` (or
    `out_file`), every no-op carries its before and after; otherwise unchanged jobs are
    planned from summaries alone (`shown_changes` gives them their before and after while
    the plan is written, for `plan --json`).
    """
    options = replace(options, settle=not full and out_file is None)
    with locked_state(project, lock_timeout, emit, fold_first=True) as state:
        planned = plan_project(project, state, options)
        for line in planned.specs.warnings:
            emit(SpecWarning(line))
        if refresh_only:
            planned = refresh_only_plan(planned)
        if out_file is not None:
            from segspec.engine.saved import save_plan

            save_plan(out_file, planned, state)
        return PlanOutcome(planned, state.lineage, state.serial, state)


def shown_changes(project: Project, outcome: PlanOutcome) -> Iterator[Change]:
    """The plan's changes, each settled no-op (planned from summaries, without before and
    after) with its before and after, as a plan made with every job in full has them.

    For `plan --json` at scale: the no-ops are loaded `SHOWN_AT_ONCE` at a time (their
    records from the state, their wants from the spec rows and one stat per input) and
    planned again, by the same pure planner, as they are written; memory does not grow
    with the number of jobs. A settled job is unchanged (same fingerprint, Finished,
    outputs intact, not forced), so the planner finds it a no-op again; only its before
    and after are taken.
    """
    changes = outcome.planned.plan.changes
    if outcome.state is None or not any(_settled(c) for c in changes):
        yield from changes
        return
    batch: list[Change] = []
    for change in changes:
        if _settled(change):
            batch.append(change)
            if len(batch) < SHOWN_AT_ONCE:
                continue
        elif not batch:
            yield change
            continue
        yield from _in_full(project, outcome, batch)
        batch = []
        if not _settled(change):
            yield change
    if batch:
        yield from _in_full(project, outcome, batch)


def _settled(change: Change) -> bool:
    return change.action is Action.NOOP and change.before is None and change.after is None


def _in_full(project: Project, outcome: PlanOutcome, batch: list[Change]) -> list[Change]:
    planned, state = outcome.planned, outcome.state
    assert state is not None
    config = planned.config
    entry = backend_entry(config.type)
    with_local = entry.uses_local_options
    identify = None
    if entry.inputs is not None:
        cache = project.hash_cache(config) if entry.uses_hash_cache else None
        identify = entry.inputs(config, project.store_root(config), cache, project.resolver)
    records = state.records([c.address for c in batch])
    wants = []
    for change in batch:
        row = planned.specs.rows[change.address]
        record = records[change.address]
        identity = identify(row.input_config, row.base_dir, record.input) if identify else None
        wants.append(
            Want(
                address=row.address,
                backend=config.type,
                request=json.loads(row.request_json),
                local=json.loads(row.local_json) if with_local else {},
                input=identity,
                fingerprint=row.fingerprint(identity, with_local),
                prune_outputs=row.prune_outputs,
                base_dir=row.base_dir,
            )
        )
    full = plan_jobs(wants, records, Facts()).by_address()
    return [
        replace(change, before=full[change.address].before, after=full[change.address].after)
        for change in batch
    ]
