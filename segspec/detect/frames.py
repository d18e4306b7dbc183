"""Stream a tiny, cheap picture of every frame of a video out of ffmpeg.

The detector only needs a 64x36 thumbnail per frame, so ffmpeg decodes with the
deblocking (loop) filter skipped — the blocking it would smooth away is far below what a
4x4-pixel block mean can see, and skipping it is the one decoding cost a detector can
avoid — and scales each frame down before it crosses the pipe (3.4 kB per frame).
Frames are read in fixed-size chunks, so memory does not grow with the video's length.

The pipe is widened to hold a few hundred thumbnails: with the system's default 64 kB
(19 frames) ffmpeg stops decoding whenever Python is busy scoring a chunk, so the two
took turns instead of running side by side on two cores.
"""

from __future__ import annotations

import contextlib
import fcntl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from segspec.errors import MediaError
from segspec.media.ffmpeg import ffmpeg_exe, stderr_tail

THUMB_W, THUMB_H = 64, 36
Y_SIZE = THUMB_W * THUMB_H
C_SIZE = (THUMB_W // 2) * (THUMB_H // 2)
FRAME_BYTES = Y_SIZE + 2 * C_SIZE
CHUNK_FRAMES = 64
PIPE_BYTES = 1 << 20
"""Asked-for capacity of the thumbnail pipe (about 300 frames); Linux's default limit for
an unprivileged process (`/proc/sys/fs/pipe-max-size`)."""

Chunk = npt.NDArray[np.uint8]


def thumbnail_args(path: Path, *, skip_loop_filter: bool = True) -> list[str]:
    """The ffmpeg command that writes raw yuv420p 64x36 thumbnails of every frame to stdout."""
    skip = ["-skip_loop_filter", "all"] if skip_loop_filter else []
    return [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
        *skip, "-i", str(path), "-map", "0:v:0", "-an", "-sn", "-dn",
        "-vf", f"scale={THUMB_W}:{THUMB_H}:flags=area", "-fps_mode", "passthrough",
        "-pix_fmt", "yuv420p", "-f", "rawvideo", "-",
    ]  # fmt: skip


def widen_pipe(fd: int, size: int = PIPE_BYTES) -> None:
    """Ask for a pipe of `size` bytes; keep the default where the system refuses (or has no
    such call: only Linux does). The bytes that come through are the same either way."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setsize is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, setsize, size)


def iter_thumbnails(path: Path, *, skip_loop_filter: bool = True) -> Iterator[Chunk]:
    """Yield arrays of shape (n, FRAME_BYTES): each row is one frame's Y, U and V planes.

    Raises `MediaError` with ffmpeg's last stderr lines when decoding fails.
    """
    if not path.is_file():
        raise MediaError(f"input {path} does not exist — check the path", code="InputNotFound")
    proc = subprocess.Popen(
        thumbnail_args(path, skip_loop_filter=skip_loop_filter),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    widen_pipe(proc.stdout.fileno())
    errors: list[bytes] = []
    # stderr is drained on a thread so a chatty ffmpeg can never block on a full pipe
    drain = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
    drain.start()
    try:
        while True:
            data = proc.stdout.read(FRAME_BYTES * CHUNK_FRAMES)
            usable = len(data) - len(data) % FRAME_BYTES
            if usable:
                yield np.frombuffer(data[:usable], np.uint8).reshape(-1, FRAME_BYTES)
            if len(data) < FRAME_BYTES * CHUNK_FRAMES:
                break
    finally:
        proc.stdout.close()
        code = proc.wait()
        drain.join()
    if code != 0:
        tail = stderr_tail(b"".join(errors).decode("utf-8", "replace"))
        raise MediaError(
            f"cannot decode {path} for shot detection: ffmpeg exited with code {code}:\n{tail}",
            code="InputCorrupt",
        )
