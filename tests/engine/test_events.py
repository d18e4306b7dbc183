"""Operations emit their events in order (apply, refresh, destroy on the local engine)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from segspec.engine.events import (
    Event,
    JobDeleted,
    JobFinished,
    JobProgress,
    JobQueued,
    JobStarted,
    JobSubmitted,
    OperationFinished,
    OperationStarted,
    PlanReady,
    StateSaved,
)
from segspec.engine.operations.apply import ApplyRequest, apply, refresh
from segspec.engine.operations.destroy import destroy
from segspec.engine.project import Planned, Project

SPEC = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
  local: {preset: ultrafast}
jobs:
  cut:
    JobParams:
      Mode: UserDefined
      Ranges: [{In: 0, Out: 1}, {In: 1.5, Out: 2.5}]
    OutputConfig: {ObjectKey: "cut/clip_{index}.mp4"}
  shots:
    JobParams: {Mode: BasicClipSplit}
    OutputConfig: {ObjectKey: "shots/shot_{index}.mp4"}
"""


def agree(planned: Planned) -> None:
    pass


def kinds(events: list[Event], address: str) -> list[str]:
    """The event types of one job, progress collapsed to one entry per stage."""
    found: list[str] = []
    for event in events:
        if getattr(event, "address", None) != address:
            continue
        kind = f"progress:{event.stage}" if isinstance(event, JobProgress) else event.type
        if not found or found[-1] != kind:
            found.append(kind)
    return found


def test_events_apply_in_order_submitted_before_the_work(
    project: Callable[[str], Path],
) -> None:
    root = project(SPEC)
    events: list[Event] = []
    done = apply(Project.locate(root / "specs", None), ApplyRequest(), events.append, agree, 0)

    assert isinstance(events[0], OperationStarted) and events[0].operation == "apply"
    assert isinstance(events[1], PlanReady) and len(events[1].plan.changes) == 2
    assert [e.address for e in events if isinstance(e, JobQueued)] == ["cut", "shots"]
    assert isinstance(events[-2], StateSaved) and events[-2].serial > 0
    assert events[-1] == done and done.ok and set(done.finished) == {"cut", "shots"}
    assert kinds(events, "cut") == [
        "job_queued",
        "job_started",
        "job_submitted",
        "progress:cut",
        "job_finished",
    ]
    assert kinds(events, "shots") == [
        "job_queued",
        "job_started",
        "job_submitted",
        "progress:split",  # one decode feeds the detector and the encoder (issue 11)
        "job_finished",
    ]
    # "submitted" comes when the work starts: every progress event of the job follows it.
    for address in ("cut", "shots"):
        mine = [e for e in events if getattr(e, "address", None) == address]
        submitted = next(i for i, e in enumerate(mine) if isinstance(e, JobSubmitted))
        first_progress = next(i for i, e in enumerate(mine) if isinstance(e, JobProgress))
        assert submitted < first_progress
        progress = [e for e in mine if isinstance(e, JobProgress)]
        for stage in {p.stage for p in progress}:
            fractions = [p.fraction for p in progress if p.stage == stage]
            assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    finished = [e for e in events if isinstance(e, JobFinished)]
    assert {e.address: e.outputs for e in finished}["cut"] == 2
    times = [e.at for e in events]
    assert times == sorted(times)


def test_events_refresh_and_destroy_in_order(project: Callable[[str], Path]) -> None:
    root = project(SPEC)
    where = Project.locate(root / "specs", None)
    apply(where, ApplyRequest(), lambda e: None, agree, 0)

    events: list[Event] = []
    done = refresh(where, events.append, 0, parallelism=2, wait=True)
    assert [e.type for e in events] == ["operation_started", "plan", "operation_finished"]
    assert isinstance(events[1], PlanReady) and events[1].plan.changes == ()
    assert not done.ran

    events = []
    done = destroy(where, ("cut",), events.append, agree, 0)
    assert [e.type for e in events] == [
        "operation_started",
        "plan",
        "job_queued",
        "job_deleted",
        "state_saved",
        "operation_finished",
    ]
    deleted = events[3]
    assert isinstance(deleted, JobDeleted) and (deleted.address, deleted.objects) == ("cut", 2)
    assert isinstance(done, OperationFinished) and done.deleted == ("cut",) and done.ok


def test_events_refused_approval_runs_nothing(project: Callable[[str], Path]) -> None:
    root = project(SPEC)
    events: list[Event] = []

    def refuse(planned: Planned) -> None:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        apply(Project.locate(root / "specs", None), ApplyRequest(), events.append, refuse, 0)
    assert [e.type for e in events] == ["operation_started", "plan"]
    assert not any(isinstance(e, JobStarted) for e in events)
    assert not (root / "segspec.state.json").exists()


def test_events_frame_rate_change_reports_detect_then_encode(
    project: Callable[[str], Path],
) -> None:
    # With Video.Fps the split detects first, then one ffmpeg run converts and cuts.
    root = project(SPEC.replace('{ObjectKey: "shots/', '{Video: {Fps: 12}, ObjectKey: "shots/'))
    events: list[Event] = []
    choices = ApplyRequest().choices
    request = ApplyRequest(choices=type(choices)(targets=("shots",)))
    done = apply(Project.locate(root / "specs", None), request, events.append, agree, 0)
    assert done.ok, done.failed
    assert kinds(events, "shots") == [
        "job_queued",
        "job_started",
        "job_submitted",
        "progress:detect",
        "progress:encode",
        "job_finished",
    ]
    detect = [e for e in events if isinstance(e, JobProgress) and e.stage == "detect"]
    assert detect[-1].fps is not None and detect[-1].fps > 0
