"""UserDefined cuts: one re-encoded clip per Range, frame-exact.

A Range [In, Out) holds the source frames shown during it: frame n is shown from n/fps
to (n+1)/fps, so the range holds frames floor(In·fps) … ceil(Out·fps)−1. Each clip is
made by seeking to the exact time of its first frame (ffmpeg decodes from the previous
keyframe and drops what precedes it) and taking exactly that many frames, so a clip's
first and last frames are the ones its Range names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from segspec.backends.local.clips import Clip
from segspec.backends.progress import JobReporter, current
from segspec.errors import MediaError
from segspec.media.encode import audio_args, scale_filter, video_args
from segspec.media.ffmpeg import FfmpegProgress, OnProgress, run_ffmpeg
from segspec.media.probe import MediaInfo
from segspec.plan.outputs import frame_span, range_problems

__all__ = ["check_ranges", "cut_ranges", "frame_span"]


def check_ranges(ranges: Sequence[Mapping[str, Any]], info: MediaInfo) -> None:
    """Refuse ranges past the end of the input or holding no whole frame (as plans do)."""
    problems = range_problems(ranges, info.duration, info.fps)
    if problems:
        code, message = problems[0]
        raise MediaError(message, code=code)


def cut_ranges(
    src: Path,
    info: MediaInfo,
    ranges: Sequence[Mapping[str, Any]],
    output: Mapping[str, Any],
    local: Mapping[str, Any],
    workdir: Path,
    suffix: str,
) -> list[Clip]:
    """Cut every range of `ranges` from `src` into `workdir/<index><suffix>`."""
    check_ranges(ranges, info)
    last_frame = info.frames - 1 if info.frames else None
    spans = []
    for item in ranges:
        first, last = frame_span(float(item["In"]), float(item["Out"]), info.fps)
        spans.append((first, min(last, last_frame) if last_frame is not None else last))
    # progress counts media seconds written over all the clips of the job
    total = sum(float((last - first + 1) / info.fps) for first, last in spans)
    reporter, before = current(), 0.0
    clips = []
    for index, (first, last) in enumerate(spans):
        count = last - first + 1
        start = float(first / info.fps)
        seconds = float(count / info.fps)
        dest = workdir / f"{index}{suffix}"
        args = ["-y", "-ss", f"{start:.6f}", "-i", str(src), "-map", "0:v:0"]
        if info.has_audio:
            args += ["-map", "0:a:0?"]
        args += ["-frames:v", str(count), "-t", f"{seconds:.6f}"]
        scale = scale_filter(output.get("Width"), output.get("Height"))
        if scale:
            args += ["-vf", scale]
        args += video_args(output, local)
        if info.has_audio:
            args += audio_args()
        args += ["-movflags", "+faststart", "-map_metadata", "-1", str(dest)]
        run_ffmpeg(
            args,
            what=f"cutting JobParams.Ranges[{index}] from {src}",
            on_progress=_reporting(reporter, before, total),
        )
        before += seconds
        clips.append(
            Clip(
                index=index,
                first_frame=first,
                last_frame=last,
                in_s=start,
                out_s=float((last + 1) / info.fps),
                path=dest,
            )
        )
    return clips


def _reporting(reporter: JobReporter, before: float, total: float) -> OnProgress:
    """Progress of one clip's ffmpeg run as progress of the whole job's cutting."""

    def report(progress: FfmpegProgress) -> None:
        reporter.progress("cut", before + progress.out_seconds, total, progress.fps)

    return report
