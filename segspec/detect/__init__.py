"""segspec's own shot detector (numpy only) behind BasicClipSplit on the local engine.

`detect_shots(path)` streams a 64x36 thumbnail of every frame out of ffmpeg (decoded
without the deblocking filter), scores frame-to-frame and long-range change, and decides
hard cuts, dissolves, wipes and fades while ignoring flashes and motion. Memory does not
grow with the video's length: only a few dozen frames of features are kept.

Public values: `Boundary` (kind, transition span, cut frame, strength), `Shot` (frames,
times, and the `Boundary` that opened it) and `Detection` (all boundaries of a video).
`ShotFinder` is the same detector fed thumbnails by a caller that decodes the video
itself (the BasicClipSplit path shares one decode between detection and encoding).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from segspec.detect.boundary import KINDS, Boundary, Kind
from segspec.detect.finder import ShotFinder
from segspec.detect.frames import iter_thumbnails
from segspec.detect.rules import DEFAULT_THRESHOLD
from segspec.detect.shots import Shot, render_shots, shots_from_boundaries
from segspec.media.probe import probe
from segspec.spec.models import DetectorOptions

DEFAULT_MIN_SHOT_SECONDS = 0.5

__all__ = [
    "DEFAULT_MIN_SHOT_SECONDS",
    "DEFAULT_THRESHOLD",
    "KINDS",
    "Boundary",
    "Detection",
    "Kind",
    "Shot",
    "ShotFinder",
    "detect",
    "detect_shots",
    "render_shots",
    "settings",
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
    min_shot_seconds: float = DEFAULT_MIN_SHOT_SECONDS,
    skip_loop_filter: bool = True,
    on_frames: Callable[[int], None] | None = None,
) -> Detection:
    """Run the detector over a video file; raise `MediaError` if it cannot be decoded.

    `on_frames(count)` is told the number of frames decoded so far after every chunk.
    """
    fps = probe(path).fps
    finder = ShotFinder(fps, threshold=threshold, min_shot_seconds=min_shot_seconds)
    found: list[Boundary] = []
    for chunk in iter_thumbnails(path, skip_loop_filter=skip_loop_filter):
        found.extend(finder.push(chunk))
        if on_frames is not None:
            on_frames(finder.frame_count)
    found.extend(finder.finish())
    return Detection(finder.frame_count, found)


def settings(options: DetectorOptions | None) -> tuple[float, float]:
    """(threshold, min_shot_seconds) of a job's `local.detector` block, defaults filled in."""
    threshold = DEFAULT_THRESHOLD
    min_seconds = DEFAULT_MIN_SHOT_SECONDS
    if options is not None:
        threshold = options.threshold if options.threshold is not None else threshold
        if options.min_shot_seconds is not None:
            min_seconds = options.min_shot_seconds
    return threshold, min_seconds


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

    The picture is fully decoded (deblocking on), exactly as BasicClipSplit's shared
    decode sees it, so this previews the job's clips frame for frame.
    """
    info = probe(path)
    threshold, min_seconds = settings(options)
    result = detect(
        path,
        threshold=threshold,
        min_shot_seconds=min_seconds,
        skip_loop_filter=False,
        on_frames=on_frames,
    )
    return shots_from_boundaries(result.boundaries, result.frame_count, info.fps)
