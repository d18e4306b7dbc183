"""Small generated videos for the detector tests (ffmpeg lavfi sources, 160x90, 25 fps)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from segspec.media.ffmpeg import run_ffmpeg

SIZE = "160x90"
FPS = 25
A = f"testsrc2=s={SIZE}:r={FPS}"
B = f"rgbtestsrc=s={SIZE}:r={FPS}"
C = f"smptebars=s={SIZE}:r={FPS}"

MakeVideo = Callable[[str, list[str], str], Path]


@pytest.fixture
def make_video(tmp_path: Path) -> MakeVideo:
    """make_video(name, lavfi sources, filter_complex ending in [v]) -> an H.264 mp4."""

    def make(name: str, sources: list[str], graph: str) -> Path:
        out = tmp_path / f"{name}.mp4"
        args: list[str] = []
        for src in sources:
            args += ["-f", "lavfi", "-i", src]
        args += ["-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-preset",
                 "ultrafast", "-pix_fmt", "yuv420p", "-y", str(out)]  # fmt: skip
        run_ffmpeg(args, what=f"making test video {name}")
        return out

    return make
