"""The detect operation tells its progress as events, and ends even when decoding fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from segspec.detect import detect_shots
from segspec.engine.events import Event, JobProgress, JobQueued, OperationFinished, OperationStarted
from segspec.engine.operations.detect import detect_video
from segspec.errors import MediaError
from tests.detect.conftest import A, B, MakeVideo


def test_detect_video_emits_progress_up_to_all_frames(make_video: MakeVideo) -> None:
    video = make_video("cut", [f"{A}:d=1.6", f"{B}:d=1.6"], "[0:v][1:v]concat=n=2:v=1:a=0[v]")
    events: list[Event] = []
    shots = detect_video(video, None, events.append)

    assert shots == detect_shots(video)  # the same shots as without events
    assert isinstance(events[0], OperationStarted) and events[0].operation == "detect"
    assert isinstance(events[1], JobQueued) and events[1].address == "cut.mp4"
    assert isinstance(events[-1], OperationFinished) and events[-1].operation == "detect"
    progress = [e for e in events if isinstance(e, JobProgress)]
    assert progress, "no progress event"
    assert all(e.address == "cut.mp4" and e.stage == "detect" for e in progress)
    fractions = [e.fraction for e in progress]
    assert fractions == sorted(fractions)
    assert fractions[-1] == pytest.approx(1.0)  # 80 frames of 80 decoded


def test_detect_video_ends_its_operation_when_decoding_fails(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all" * 100)
    events: list[Event] = []
    with pytest.raises(MediaError):
        detect_video(broken, None, events.append)
    assert isinstance(events[0], OperationStarted)
    assert isinstance(events[-1], OperationFinished) and not events[-1].ran
