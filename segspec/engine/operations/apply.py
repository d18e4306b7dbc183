"""The apply and refresh operations: plan (or load a reviewed plan), agree, run, record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from segspec.engine import scan
from segspec.engine.apply import ApplyOptions, ApplyReport, apply_plan
from segspec.engine.events import (
    Emit,
    OperationFinished,
    OperationStarted,
    PlanReady,
    SpecWarning,
)
from segspec.engine.operations.lifecycle import locked_state
from segspec.engine.operations.plan import refresh_only_plan
from segspec.engine.project import (
    Planned,
    PlanOptions,
    Project,
    default_parallelism,
    object_store,
    plan_project,
)
from segspec.state.base import State

Approve = Callable[[Planned], None]
"""Asked before anything changes; raises (a SegspecError) to refuse."""


@dataclass(frozen=True)
class ApplyRequest:
    """What the user asked apply to do."""

    plan_file: Path | None = None
    """A reviewed plan (`plan --out`): applied exactly, without asking again."""
    choices: PlanOptions = field(default_factory=PlanOptions)
    refresh_only: bool = False
    parallelism: int | None = None
    wait: bool = True
    timeout: float | None = None


def run_planned(
    project: Project, planned: Planned, state: State, options: ApplyOptions, emit: Emit
) -> ApplyReport:
    """Carry out `planned` on its backend against the (locked, opened) `state`."""
    from segspec.backends.registry import make_backend

    backend = make_backend(planned.config, project.store_root(planned.config))
    objects = planned.objects
    if objects is None:
        endpoints = scan.endpoints(planned.specs.rows, state.summaries())
        objects = object_store(project, planned.config, endpoints=endpoints)
    return apply_plan(planned.plan, planned.wants, state, backend, options, emit, objects=objects)


def summary(operation: str, report: ApplyReport | None) -> OperationFinished:
    if report is None:
        return OperationFinished(operation, ran=False)
    return OperationFinished(
        operation,
        ran=True,
        finished=tuple(report.finished),
        failed=tuple(sorted(report.failed.items())),
        deleted=tuple(report.deleted),
        pending=tuple(report.pending),
    )


def apply(
    project: Project, request: ApplyRequest, emit: Emit, approve: Approve, lock_timeout: float
) -> OperationFinished:
    """Plan (or check the saved plan is still current), ask `approve`, run the changes.

    Emits the plan, every job's events and the summary, which it also returns.
    """
    emit(OperationStarted("apply"))
    report: ApplyReport | None = None
    with locked_state(project, lock_timeout, emit) as state:
        if request.plan_file is not None:
            from segspec.engine.saved import check_current, load_plan_file

            saved = load_plan_file(request.plan_file)
            planned = check_current(saved, project, state, request.plan_file)
            approve = _approved  # the saved plan is what was reviewed and approved
        else:
            # only the changes are run and shown: unchanged jobs need no full load
            planned = plan_project(project, state, replace(request.choices, settle=True))
        for line in planned.specs.warnings:
            emit(SpecWarning(line))
        if request.refresh_only:
            planned = refresh_only_plan(planned)
        emit(PlanReady("apply", planned.plan, request.refresh_only))
        if planned.plan.has_changes:
            approve(planned)
            options = ApplyOptions(
                parallelism=request.parallelism or default_parallelism(planned.config),
                wait=request.wait or request.refresh_only,
                timeout=0.0 if request.refresh_only else request.timeout,
            )
            report = run_planned(project, planned, state, options, emit)
    done = summary("apply", report)
    emit(done)
    return done


def refresh(
    project: Project, emit: Emit, lock_timeout: float, *, parallelism: int, wait: bool
) -> OperationFinished:
    """Collect the results of jobs still running (the plan's `read` entries)."""
    emit(OperationStarted("refresh"))
    report: ApplyReport | None = None
    with locked_state(project, lock_timeout, emit) as state:
        reads = refresh_only_plan(plan_project(project, state, PlanOptions(settle=True)))
        emit(PlanReady("refresh", reads.plan, refresh_only=True))
        if reads.plan.changes:
            options = ApplyOptions(parallelism=parallelism, timeout=None if wait else 0.0)
            report = run_planned(project, reads, state, options, emit)
    done = summary("refresh", report)
    emit(done)
    return done


def _approved(planned: Planned) -> None:
    """A saved plan was approved when it was reviewed."""
