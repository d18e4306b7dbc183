"""Run the ffmpeg binary that ships in the imageio-ffmpeg wheel.

Always an argument list (never a shell), always `-nostdin`, and stderr is kept so that a
failure can quote ffmpeg's last lines.
"""

from __future__ import annotations

import functools
import os
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class FfmpegProgress:
    """One block of ffmpeg's `-progress` output: media time written so far, frames, fps."""

    out_seconds: float
    frame: int
    fps: float | None
    done: bool


OnProgress = Callable[[FfmpegProgress], None]


def parse_progress(lines: Sequence[str]) -> FfmpegProgress:
    """The block of `key=value` lines ending with `progress=continue|end`."""
    values = dict(line.strip().partition("=")[::2] for line in lines if "=" in line)

    def number(key: str) -> float | None:
        try:
            return float(values[key])
        except (KeyError, ValueError):
            return None  # "N/A" before the first frame

    micros = number("out_time_us")
    if micros is None:
        micros = number("out_time_ms")  # the same microseconds, under its older name
    return FfmpegProgress(
        out_seconds=max(0.0, (micros or 0.0) / 1e6),
        frame=int(number("frame") or 0),
        fps=number("fps") or None,
        done=values.get("progress") == "end",
    )


def run_ffmpeg(
    args: Sequence[str],
    *,
    what: str,
    timeout: float | None = None,
    on_progress: OnProgress | None = None,
) -> str:
    """Run `ffmpeg -nostdin -hide_banner <args>`; return its stderr.

    With `on_progress`, ffmpeg's own `-progress pipe:1` reports are parsed and passed to
    it as they come (about twice a second, and once at the end). Raises `MediaError`
    naming `what` with ffmpeg's last stderr lines when it fails.
    """
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", *args]
    if on_progress is not None:
        return _run_reporting(cmd, what, timeout, on_progress)
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


def _run_reporting(cmd: list[str], what: str, timeout: float | None, report: OnProgress) -> str:
    cmd = [*cmd[:1], "-progress", "pipe:1", "-nostats", *cmd[1:]]
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        raise MediaError(
            f"{what}: could not start ffmpeg ({exc}) — reinstall segspec so imageio-ffmpeg "
            "provides the binary, or set SEGSPEC_FFMPEG"
        ) from exc
    assert proc.stdout is not None and proc.stderr is not None
    errors: list[str] = []
    # stderr is drained beside stdout so that neither pipe can fill up and stall ffmpeg
    drain = threading.Thread(target=lambda: errors.extend(proc.stderr or ()), daemon=True)
    drain.start()
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        proc.kill()

    timer = threading.Timer(timeout, expire) if timeout is not None else None
    if timer is not None:
        timer.start()
    try:
        block: list[str] = []
        for line in proc.stdout:
            block.append(line)
            if line.startswith("progress="):
                report(parse_progress(block))
                block = []
        code = proc.wait()
    finally:
        if timer is not None:
            timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        drain.join()
    stderr = "".join(errors)
    if expired.is_set():
        raise MediaError(f"{what}: ffmpeg did not finish within {timeout:.0f} s")
    if code != 0:
        raise MediaError(
            f"{what}: ffmpeg exited with code {code}:\n{stderr_tail(stderr)}",
            code="FfmpegFailed",
        )
    return stderr
