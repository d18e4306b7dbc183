"""The destroy operation: delete the recorded outputs of jobs, then forget the jobs."""

from __future__ import annotations

from segspec.engine.destroy import delete_outputs
from segspec.engine.events import (
    Emit,
    JobDeleted,
    JobFailed,
    JobQueued,
    OperationFinished,
    OperationStarted,
    PlanReady,
)
from segspec.engine.operations.apply import Approve
from segspec.engine.operations.lifecycle import locked_state
from segspec.engine.project import Planned, Project, object_store
from segspec.errors import SegspecError
from segspec.plan.model import Action, Change, Plan, Want, matches
from segspec.render.words import plural
from segspec.state.model import JobRecord


def destroy_plan(records: dict[str, JobRecord], targets: tuple[str, ...]) -> Plan:
    """One delete per recorded job matching `targets` (all of them without targets)."""
    for pattern in targets:
        if not any(matches(a, pattern) for a in records):
            raise SegspecError(f"--target {pattern!r} matches no recorded job")
    chosen = [
        r for a, r in sorted(records.items()) if not targets or any(matches(a, t) for t in targets)
    ]
    reason = "destroy: delete its {} and forget the job"
    return Plan(
        tuple(
            Change(r.address, Action.DELETE, None, None, (reason.format(output_objects(r)),))
            for r in chosen
        )
    )


def output_objects(record: JobRecord) -> str:
    return plural(len(record.outputs), "output object")


def destroy(
    project: Project,
    targets: tuple[str, ...],
    emit: Emit,
    approve: Approve,
    lock_timeout: float,
) -> OperationFinished:
    """Plan the deletions, ask `approve`, delete each job's outputs and forget it.

    A job whose outputs cannot all be deleted keeps its record (so they stay known) and
    is reported failed; the others go on.
    """
    emit(OperationStarted("destroy"))
    deleted: list[str] = []
    failed: list[tuple[str, str]] = []
    ran = False
    with locked_state(project, lock_timeout, emit) as state:
        records = dict(state.jobs)
        plan = destroy_plan(records, targets)
        emit(PlanReady("destroy", plan))
        if plan.has_changes:
            # Find the store before asking, so a problem shows before the user confirms.
            specs = project.load_specs()
            chosen = [records[c.address] for c in plan.changes]
            requests = [r.request for r in chosen]
            config = project.backend_config(specs)
            store = object_store(project, config, requests=requests)
            if store is None:
                raise SegspecError(
                    "segspec cannot reach the store holding these outputs — set the backend's "
                    "credentials (see README, ice backend) and try again"
                )
            approve(Planned(specs, config, dict[str, Want](), plan))
            ran = True
            for record in chosen:
                emit(JobQueued(record.address, Action.DELETE.value))
            for record in chosen:
                count, problems = delete_outputs(record, store)
                if problems:
                    failed.append((record.address, "; ".join(problems)))
                    emit(JobFailed(record.address, "; ".join(problems)))
                    continue  # keep the record: its outputs are still known
                state.remove(record.address)
                deleted.append(record.address)
                emit(JobDeleted(record.address, count, "job forgotten"))
    done = OperationFinished("destroy", ran=ran, deleted=tuple(deleted), failed=tuple(failed))
    emit(done)
    return done
