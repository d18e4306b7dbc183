"""The plan operation: what apply would do, and why; optionally saved to a file."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from segspec.engine.events import Emit, SpecWarning
from segspec.engine.operations.lifecycle import locked_state
from segspec.engine.project import Planned, PlanOptions, Project, plan_project
from segspec.plan.model import Action, Plan


@dataclass(frozen=True)
class PlanOutcome:
    planned: Planned
    lineage: str | None
    serial: int


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
    `out_file`), every no-op carries its before and after (`plan --json`); otherwise
    unchanged jobs are planned from summaries alone.
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
        return PlanOutcome(planned, state.lineage, state.serial)
