"""Probe media files with libavformat (through PyAV), the library ffprobe is built on.

imageio-ffmpeg ships ffmpeg but not ffprobe; PyAV's wheel carries the same libraries, so
probing needs no system package either.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from segspec.errors import MediaError


@dataclass(frozen=True)
class MediaInfo:
    """The facts about an input that cutting needs."""

    path: Path
    duration: float
    """Seconds, from the container (or the video stream when the container has none)."""
    width: int
    height: int
    fps: Fraction
    """Average frame rate of the video stream."""
    frames: int | None
    """Frame count as the container declares it (None when unknown)."""
    video_codec: str
    has_audio: bool


def probe(path: Path) -> MediaInfo:
    """Read the container and first video stream's parameters; raise `MediaError` if unusable."""
    if not path.is_file():
        raise MediaError(f"input {path} does not exist — check the path", code="InputNotFound")
    try:
        with av.open(str(path)) as container:
            videos = container.streams.video
            if not videos:
                raise MediaError(
                    f"input {path} has no video stream — give a video file",
                    code="NoVideoStream",
                )
            stream = videos[0]
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            fps = Fraction(rate) if rate else Fraction(25)
            duration = None
            if container.duration is not None:
                duration = container.duration / av.time_base
            elif stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            if duration is None or duration <= 0:
                raise MediaError(
                    f"input {path} has no known duration — remux it (ffmpeg -i IN -c copy OUT)",
                    code="NoDuration",
                )
            return MediaInfo(
                path=path,
                duration=float(duration),
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                fps=fps,
                frames=stream.frames or None,
                video_codec=stream.codec_context.name,
                has_audio=bool(container.streams.audio),
            )
    except MediaError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(
            f"input {path} is not a readable media file ({exc}) — check that it is a "
            "complete video file",
            code="InputCorrupt",
        ) from exc


@dataclass(frozen=True)
class FrameTimes:
    """Presentation times of every decoded video frame of a file."""

    pts: tuple[float, ...]

    @property
    def count(self) -> int:
        return len(self.pts)


def frame_times(path: Path) -> FrameTimes:
    """Demux and decode the first video stream; return each frame's presentation time (s).

    Used to check cuts frame by frame (what `ffprobe -count_frames -show_frames` reports).
    """
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            times = [
                float(frame.pts * frame.time_base)
                for frame in container.decode(stream)
                if frame.pts is not None and frame.time_base is not None
            ]
    except (av.FFmpegError, OSError, IndexError) as exc:
        raise MediaError(f"cannot decode {path} ({exc})", code="InputCorrupt") from exc
    return FrameTimes(tuple(sorted(times)))
