"""Turn an `OutputConfig` into ffmpeg output arguments.

Defaults: H.264 (libx264), CRF 23 unless a Bitrate is given, preset veryfast, AAC audio,
yuv420p, `+faststart`. One of Width/Height alone keeps the aspect ratio.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_PRESET = "veryfast"
DEFAULT_CRF = 23
ENCODERS = {"H.264": "libx264", "H.265": "libx265"}


def scale_filter(width: int | None, height: int | None) -> str | None:
    """The `scale=` filter for the requested size; -2 keeps aspect ratio with an even size.

    An odd Width/Height is rounded down to even: 4:2:0 encoders refuse odd sizes.
    """
    if width is None and height is None:
        return None
    return f"scale={_even(width) if width else -2}:{_even(height) if height else -2}"


def _even(size: int) -> int:
    return max(2, int(size) - int(size) % 2)


def video_args(output: Mapping[str, Any], local: Mapping[str, Any] | None = None) -> list[str]:
    """ffmpeg arguments for the video stream (codec, rate control, preset, fps)."""
    video: Mapping[str, Any] = output.get("Video") or {}
    codec = ENCODERS[str(video.get("Codec") or "H.264")]
    preset = str((local or {}).get("preset") or DEFAULT_PRESET)
    args = ["-c:v", codec, "-preset", preset, "-pix_fmt", "yuv420p"]
    if codec == "libx265":
        args += ["-x265-params", "log-level=error", "-tag:v", "hvc1"]
    bitrate = video.get("Bitrate")
    crf = video.get("Crf")
    if bitrate is not None:
        kbps = int(bitrate)
        args += ["-b:v", f"{kbps}k", "-maxrate", f"{kbps * 3 // 2}k", "-bufsize", f"{kbps * 2}k"]
        if crf is not None:
            args += ["-crf", str(int(crf))]
    else:
        args += ["-crf", str(int(crf) if crf is not None else DEFAULT_CRF)]
    if video.get("Fps"):
        args += ["-r", str(video["Fps"])]
    return args


def audio_args() -> list[str]:
    """Audio is kept (AAC 128 kbps) when the input has it."""
    return ["-c:a", "aac", "-b:a", "128k"]
