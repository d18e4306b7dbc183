"""detect: the shots a BasicClipSplit job would cut a video into, with progress events.

No state and no lock: detection only reads the video. The operation tells its progress
(frames decoded, throughput, time left) as `JobProgress` events of a job named after the
video, so every view that shows an apply's progress shows this one too.
"""

from __future__ import annotations

import time
from pathlib import Path

from segspec.detect import Shot, detect_shots
from segspec.engine.events import Emit, JobQueued, OperationFinished, OperationStarted
from segspec.engine.reporter import JobEvents
from segspec.media.probe import probe
from segspec.spec.models import DetectorOptions


def detect_video(video: Path, options: DetectorOptions | None, emit: Emit) -> list[Shot]:
    """Detect the shots of `video`, emitting start, progress and end events.

    Raises `MediaError` when the file cannot be probed or decoded (after the start event;
    the end event is emitted either way).
    """
    address = video.name
    emit(OperationStarted("detect"))
    emit(JobQueued(address, "detect"))
    try:
        info = probe(video)
        total = info.frames or round(info.duration * float(info.fps)) or None
        reporter = JobEvents(address, emit)
        started = time.monotonic()

        def on_frames(count: int) -> None:
            elapsed = time.monotonic() - started
            reporter.progress("detect", count, total, count / elapsed if elapsed > 0 else None)

        return detect_shots(video, options, on_frames=on_frames)
    finally:
        # `ran=False`: detection changes nothing, so there is no summary to show.
        emit(OperationFinished("detect", ran=False))
