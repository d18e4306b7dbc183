"""Run the ffmpeg binary that ships in the imageio-ffmpeg wheel.

Always an argument list (never a shell), always `-nostdin`, and stderr is kept so that a
failure can quote ffmpeg's last lines.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Sequence

from segspec.errors import MediaError

STDERR_TAIL_LINES = 6


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary: `SEGSPEC_FFMPEG` if set, else the one imageio-ffmpeg ships."""
    override = os.environ.get("SEGSPEC_FFMPEG")
    if override:
        return override
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def stderr_tail(stderr: str, lines: int = STDERR_TAIL_LINES) -> str:
    """The last non-empty lines of ffmpeg's stderr, indented for an error message.

    The first line is kept too: it usually names the cause ("width not divisible by 2"),
    and the lines after it only report how the failure spread through the pipeline.
    """
    every = [line.rstrip() for line in stderr.splitlines() if line.strip()]
    kept = every[-lines:]
    if len(every) > lines:
        kept = [every[0], *(["..."] if len(every) > lines + 1 else []), *kept]
    return "\n".join(f"    {line}" for line in kept)


def run_ffmpeg(args: Sequence[str], *, what: str, timeout: float | None = None) -> str:
    """Run `ffmpeg -nostdin -hide_banner <args>`; return its stderr.

    Raises `MediaError` naming `what` with ffmpeg's last stderr lines when it fails.
    """
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", *args]
    try:
        proc = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            errors="replace",
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaError(f"{what}: ffmpeg did not finish within {timeout:.0f} s") from exc
    except OSError as exc:
        raise MediaError(
            f"{what}: could not start ffmpeg ({exc}) — reinstall segspec so imageio-ffmpeg "
            "provides the binary, or set SEGSPEC_FFMPEG"
        ) from exc
    if proc.returncode != 0:
        raise MediaError(
            f"{what}: ffmpeg exited with code {proc.returncode}:\n{stderr_tail(proc.stderr)}",
            code="FfmpegFailed",
        )
    return proc.stderr
