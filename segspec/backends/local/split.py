"""BasicClipSplit on the local engine: detect shots and cut every shot, in one encode.

Normally detection and encoding share one decode (`onepass`): the job costs about one
plain encode of the file. When the job changes the frame rate (`Video.Fps`), detection
runs first on its own thumbnail decode (`segspec.detect`), then ffmpeg runs once over the
whole source: a keyframe is forced on the first frame of every shot and the segment
muxer starts a new file at each of those frames. Either way every clip starts on its
boundary frame and the clips together hold every source frame exactly once. See
benchmarks/README.md for the measurements behind this choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from segspec.backends.local.clips import Clip
from segspec.backends.local.onepass import split_one_pass
from segspec.backends.progress import current, frame_progress
from segspec.detect import Shot, detect_shots
from segspec.errors import MediaError
from segspec.media.encode import audio_args, scale_filter, video_args
from segspec.media.ffmpeg import run_ffmpeg
from segspec.media.frames import any_frame_expr
from segspec.media.probe import probe
from segspec.spec.models import DetectorOptions

_MOV_FLAGS = {".mp4", ".mov", ".m4v"}


def detector_options(local: Mapping[str, Any]) -> DetectorOptions | None:
    """The `local.detector` block of a job, validated (None when absent)."""
    raw = local.get("detector")
    if raw is None or isinstance(raw, DetectorOptions):
        return raw
    try:
        return DetectorOptions.model_validate(raw)
    except ValidationError as exc:
        raise MediaError(f"local.detector is invalid: {exc} — fix the job's local block") from exc


def keyframe_expr(frames: list[int]) -> str:
    """A `-force_key_frames` expression true exactly on the given frame numbers."""
    return "expr:" + any_frame_expr(frames)


def encoder_frames(shots: list[Shot], src_fps: Fraction, out_fps: Fraction | None) -> list[int]:
    """Output frame numbers where shots 1.. start (moved to the new rate when Video.Fps is set)."""
    starts = [s.first_frame for s in shots[1:]]
    if out_fps is None:
        return starts
    return [round(f * out_fps / src_fps) for f in starts]


def split_args(
    src: Path,
    shots: list[Shot],
    output: Mapping[str, Any],
    local: Mapping[str, Any],
    pattern: str,
    has_audio: bool,
    fps: Fraction,
) -> list[str]:
    """The single ffmpeg run that encodes `src` and writes one file per shot to `pattern`."""
    args = ["-i", str(src), "-map", "0:v:0"]
    if has_audio:
        args += ["-map", "0:a:0?"]
    scale = scale_filter(output.get("Width"), output.get("Height"))
    if scale:
        args += ["-vf", scale]
    args += video_args(output, local)
    args += audio_args() if has_audio else ["-an"]
    video: Mapping[str, Any] = output.get("Video") or {}
    out_fps = Fraction(str(video["Fps"])) if video.get("Fps") else None
    frames = encoder_frames(shots, fps, out_fps)
    # passthrough: no frame is duplicated or dropped, so encoder frame n is source frame n
    args += ["-sn", "-dn", *([] if out_fps else ["-fps_mode", "passthrough"])]
    args += ["-force_key_frames", keyframe_expr(frames)]
    args += ["-f", "segment", "-reset_timestamps", "1"]
    if frames:
        args += ["-segment_frames", ",".join(str(f) for f in frames)]
    else:
        args += ["-segment_time", "1e9"]
    if Path(pattern).suffix.lower() in _MOV_FLAGS:
        args += ["-segment_format_options", "movflags=+faststart"]
    return [*args, "-y", pattern]


def split_shots(
    src: Path,
    output: Mapping[str, Any],
    local: Mapping[str, Any],
    workdir: Path,
    suffix: str,
) -> list[Clip]:
    """Detect the shots of `src` and write shot i to `workdir / f"{i}{suffix}"`.

    Honours the job's Video (Codec, Bitrate, Crf, Fps), Width and Height, keeps audio and
    uses `local.preset`. Returns one `Clip` per shot, in order, covering the whole source.
    Raises `MediaError` (with ffmpeg's last stderr lines) when detection or encoding fails.
    """
    info = probe(src)
    workdir.mkdir(parents=True, exist_ok=True)
    video: Mapping[str, Any] = output.get("Video") or {}
    if not video.get("Fps"):
        shots = split_one_pass(src, info, output, local, workdir, suffix, detector_options(local))
    else:  # a frame-rate change: detect first, then one ffmpeg run that converts and cuts
        reporter = current()
        frames = info.frames or round(info.duration * float(info.fps)) or None
        shots = detect_shots(src, detector_options(local), frame_progress(reporter, frames))
        if shots:
            pattern = str(workdir).replace("%", "%%") + f"/%d{suffix.replace('%', '%%')}"
            run_ffmpeg(
                split_args(src, shots, output, local, pattern, info.has_audio, info.fps),
                what=f"splitting {src.name} into {len(shots)} shot{'s' if len(shots) != 1 else ''}",
                on_progress=lambda p: reporter.progress(
                    "encode", p.out_seconds, info.duration, p.fps
                ),
            )
    if not shots:
        raise MediaError(f"input {src} has no decodable video frames", code="InputCorrupt")
    clips = [
        Clip(
            s.index,
            s.first_frame,
            s.last_frame,
            s.in_s,
            s.out_s,
            workdir / f"{s.index}{suffix}",
            s.transition.kind if s.transition is not None else None,
        )
        for s in shots
    ]
    missing = [c.path.name for c in clips if not c.path.is_file()]
    extra = workdir / f"{len(clips)}{suffix}"
    if missing or extra.exists():
        raise MediaError(
            f"splitting {src.name}: ffmpeg wrote a different number of clips than the "
            f"{len(clips)} shot{'s' if len(clips) != 1 else ''} found "
            f"(missing: {', '.join(missing) or 'none'}) — "
            "report this with the input file",
            code="SplitMismatch",
        )
    return clips
