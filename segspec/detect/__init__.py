"""segspec's own shot detector (numpy only) behind BasicClipSplit on the local engine.

`detect_shots(path)` streams a 64x36 thumbnail of every frame out of ffmpeg (decoded
without the deblocking filter), scores frame-to-frame and long-range change, and decides
hard cuts, dissolves, wipes and fades while ignoring flashes and motion. Memory does not
grow with the video's length: only a few dozen frames of features are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from segspec.detect.decide import DEFAULT_THRESHOLD, Boundary, Decider
from segspec.detect.features import features
from segspec.detect.frames import iter_thumbnails
from segspec.detect.scores import ScoreStream
from segspec.detect.shots import Shot, render_shots, shots_from_boundaries
from segspec.media.probe import probe
from segspec.spec.models import DetectorOptions

DEFAULT_MIN_SHOT_SECONDS = 0.5

__all__ = [
    "DEFAULT_MIN_SHOT_SECONDS",
    "DEFAULT_THRESHOLD",
    "Boundary",
    "Detection",
    "Shot",
    "detect",
    "detect_shots",
    "render_shots",
]


@dataclass(frozen=True)
class Detection:
    """Every boundary found in a video and how many frames it has."""

    frame_count: int
    boundaries: list[Boundary]


def detect(
    path: Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_frames: int = 12,
    skip_loop_filter: bool = True,
    on_frames: Callable[[int], None] | None = None,
) -> Detection:
    """Run the detector over a video file; raise `MediaError` if it cannot be decoded.

    `on_frames(count)` is told the number of frames decoded so far after every chunk.
    """
    stream = ScoreStream()
    decider = Decider(threshold, min_frames)
    found: list[Boundary] = []
    count = 0
    for chunk in iter_thumbnails(path, skip_loop_filter=skip_loop_filter):
        count += len(chunk)
        if on_frames is not None:
            on_frames(count)
        for scores in stream.push(*features(chunk)):
            found.extend(decider.push(scores))
    for scores in stream.finish():
        found.extend(decider.push(scores))
    found.extend(decider.finish())
    return Detection(count, found)


def detect_shots(
    path: Path,
    options: DetectorOptions | None = None,
    on_frames: Callable[[int], None] | None = None,
) -> list[Shot]:
    """The shots of a video, in order, covering every frame exactly once.

    `options.threshold` is the smallest change score (0..1) that makes a cut (default
    0.2); `options.min_shot_seconds` keeps boundaries at least that far apart (default
    0.5 s). `on_frames(count)` is told how many frames were decoded so far. Raises
    `MediaError` when the file cannot be probed or decoded.
    """
    info = probe(path)
    threshold = DEFAULT_THRESHOLD
    min_seconds = DEFAULT_MIN_SHOT_SECONDS
    if options is not None:
        threshold = options.threshold if options.threshold is not None else threshold
        if options.min_shot_seconds is not None:
            min_seconds = options.min_shot_seconds
    min_frames = max(1, round(min_seconds * float(info.fps)))
    result = detect(path, threshold=threshold, min_frames=min_frames, on_frames=on_frames)
    frames = [b.frame for b in result.boundaries]
    return shots_from_boundaries(frames, result.frame_count, info.fps)
