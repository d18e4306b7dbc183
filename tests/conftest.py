"""Shared fixtures: small generated media and throwaway projects.

Test media is generated with ffmpeg's lavfi sources. `numbered_video` encodes each
frame's number in its brightness (luma 16 + 2·n on a flat frame), so a test can tell
exactly which source frames a clip holds by decoding it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
import pytest

from segspec.media.ffmpeg import ffmpeg_exe

if TYPE_CHECKING:
    from tests.backends.s3server import S3Server

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = os.environ.get("SEGSPEC_UPDATE_GOLDEN") == "1"
FPS = 25


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        stdin=subprocess.DEVNULL,
    )


def make_numbered_video(path: Path, seconds: float = 4.0, audio: bool = True) -> Path:
    """A 64x48, 25 fps video whose frame n is flat grey at luma 16 + 2n (n < 110)."""
    src = f"color=c=black:s=64x48:r={FPS}:d={seconds},format=yuv444p,geq=lum='16+2*N':cb=128:cr=128"
    args = ["-f", "lavfi", "-i", src]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=300:sample_rate=48000:duration={seconds}"]
    args += [
        "-c:v",
        "libx264",
        "-qp",
        "0",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-g",
        "12",
    ]
    if audio:
        args += ["-c:a", "aac", "-shortest"]
    ffmpeg(*args, str(path))
    return path


def frame_numbers(path: Path) -> list[int]:
    """The source frame number of every frame of a clip cut from a numbered video."""
    numbers = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            planes = frame.to_ndarray(format="yuv420p")
            luma = planes[: frame.height].astype(np.float64).mean()  # the Y plane, as coded
            numbers.append(round((luma - 16) / 2))
    return numbers


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    """A moto S3 server on loopback, one per test module (tests reset it as they need)."""
    from tests.backends.s3server import running_s3_server  # boto3 and moto: only when used

    with running_s3_server() as server:
        yield server


@pytest.fixture(scope="session")
def numbered_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_numbered_video(tmp_path_factory.mktemp("media") / "numbered.mp4")


@pytest.fixture
def project(tmp_path: Path, numbered_video: Path) -> Callable[[str], Path]:
    """Write a one-file spec project in tmp_path and return its directory.

    The spec text may refer to `media/numbered.mp4` (relative to the spec file).
    """

    def make(spec_text: str, name: str = "jobs.yaml") -> Path:
        specs = tmp_path / "specs"
        (specs / "media").mkdir(parents=True, exist_ok=True)
        target = specs / "media" / "numbered.mp4"
        if not target.exists():
            shutil.copyfile(numbered_video, target)
        (specs / name).write_text(spec_text, encoding="utf-8")
        return tmp_path

    return make


def check_golden(name: str, actual: str) -> None:
    """Compare `actual` with tests/golden/<name>; SEGSPEC_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if UPDATE_GOLDEN or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not UPDATE_GOLDEN:
            pytest.fail(f"golden file {path} did not exist; wrote it — review and commit it")
    assert actual == path.read_text(encoding="utf-8"), f"differs from golden {path}"
