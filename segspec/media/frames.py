"""Grab exact source frames as small RGB images, with the ffmpeg the project ships.

Frame numbers are 0-based, in decode order, as everywhere in segspec (a clip's
`first_frame`, a shot's boundary). Sparse frames are fetched by seeking to each one (the
way cuts seek); dense ones in one decoding pass that keeps only those frames.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from segspec.errors import MediaError
from segspec.media.ffmpeg import ffmpeg_exe, stderr_tail
from segspec.media.probe import MediaInfo, probe

SEEK_LIMIT = 12
"""Up to this many frames, always seek to each."""
SEEK_BATCH = 32
"""Frames fetched by one ffmpeg run when seeking (each is one more open input)."""
SEEK_COST_FRAMES = 10
"""One seek costs about as much as decoding this many frames (benchmarks/pictures.py:
120 seeks in batches took 0.90× a full decode of a 1,500-frame 720p H.264 file), so
beyond SEEK_LIMIT, seek while that is cheaper than decoding the whole source once."""
Image = npt.NDArray[np.uint8]
"""height × width × 3, RGB."""


def any_frame_expr(frames: Sequence[int]) -> str:
    """An ffmpeg expression true exactly on the given frame numbers (`n`).

    The terms are summed as a balanced tree: ffmpeg's expression parser rejects a flat
    chain of more than about 100 terms.
    """

    def tree(terms: list[str]) -> str:
        if len(terms) == 1:
            return terms[0]
        mid = len(terms) // 2
        return f"({tree(terms[:mid])}+{tree(terms[mid:])})"

    return tree([f"eq(n,{f})" for f in frames]) if frames else "0"


def thumb_size(info: MediaInfo, height: int) -> tuple[int, int]:
    """(width, height) of a thumbnail `height` pixels high with the source's aspect."""
    width = max(2, round(info.width * height / max(1, info.height) / 2) * 2)
    return width, height


def _run(args: list[str], what: str, expect: int, size: tuple[int, int]) -> list[Image]:
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", *args]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    except OSError as exc:
        raise MediaError(f"{what}: could not start ffmpeg ({exc})") from exc
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise MediaError(
            f"{what}: ffmpeg exited with code {proc.returncode}:\n{stderr_tail(stderr)}",
            code="FfmpegFailed",
        )
    width, height = size
    frame_bytes = width * height * 3
    count = len(proc.stdout) // frame_bytes
    if count < expect:
        raise MediaError(
            f"{what}: the video ended after {count} of the {expect} requested frames — "
            "check the frame numbers against the input's length",
            code="FrameOutOfRange",
        )
    data = np.frombuffer(proc.stdout[: expect * frame_bytes], dtype=np.uint8)
    return list(data.reshape(expect, height, width, 3))


def _seeks(src: Path, frames: Sequence[int], info: MediaInfo, scale: str) -> list[str]:
    """One ffmpeg run that opens `src` once per frame, seeks each input to its frame and
    concatenates the first frame of each: one process instead of one per frame."""
    args: list[str] = []
    graph = []
    for i, frame in enumerate(frames):
        args += ["-ss", f"{float(frame / info.fps):.6f}", "-i", str(src)]
        graph.append(f"[{i}:v:0]trim=end_frame=1,setpts=PTS-STARTPTS,{scale}[f{i}]")
    joined = "".join(f"[f{i}]" for i in range(len(frames)))
    graph.append(f"{joined}concat=n={len(frames)}:v=1:a=0[out]")
    return [*args, "-filter_complex", ";".join(graph), "-map", "[out]", "-fps_mode", "passthrough"]


def grab_frames(src: Path, frames: Sequence[int], height: int = 90) -> dict[int, Image]:
    """The images of source frames `frames` (any order, repeats allowed), `height` px high.

    Raises `MediaError` when the input cannot be decoded or a frame is past its end.
    """
    wanted = sorted(set(frames))
    if not wanted:
        return {}
    info = probe(src)
    size = thumb_size(info, height)
    # Full-precision chroma and rounding: the thumbnails' colours match the source's.
    flags = "area+accurate_rnd+full_chroma_int"
    scale = f"scale={size[0]}:{size[1]}:flags={flags},format=rgb24"
    out = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    what = f"grabbing frames from {src}"
    total = info.frames or round(info.duration * float(info.fps))
    if len(wanted) <= SEEK_LIMIT or len(wanted) * SEEK_COST_FRAMES < total:
        images = []
        for batch in (wanted[i : i + SEEK_BATCH] for i in range(0, len(wanted), SEEK_BATCH)):
            images += _run([*_seeks(src, batch, info, scale), *out], what, len(batch), size)
        return dict(zip(wanted, images, strict=True))
    select = f"select='{any_frame_expr(wanted)}',{scale}"
    args = ["-skip_loop_filter", "all", "-i", str(src), "-map", "0:v:0", "-vf", select]
    args += ["-fps_mode", "passthrough", *out]
    return dict(zip(wanted, _run(args, what, len(wanted), size), strict=True))
