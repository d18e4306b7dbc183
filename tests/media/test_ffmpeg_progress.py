"""ffmpeg's `-progress` blocks are parsed, and a real run reports them as it goes."""

from __future__ import annotations

from pathlib import Path

import pytest

from segspec.errors import MediaError
from segspec.media.ffmpeg import FfmpegProgress, parse_progress, run_ffmpeg


def test_ffmpeg_progress_parses_a_block_and_na_values() -> None:
    block = ["frame=120\n", "fps=59.94\n", "out_time_us=4800000\n", "progress=continue\n"]
    assert parse_progress(block) == FfmpegProgress(4.8, 120, 59.94, False)
    first = ["frame=0\n", "fps=0.00\n", "out_time_us=N/A\n", "progress=end\n"]
    assert parse_progress(first) == FfmpegProgress(0.0, 0, None, True)


def test_ffmpeg_progress_real_run_reports_until_the_end(tmp_path: Path) -> None:
    seen: list[FfmpegProgress] = []
    args = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-y", str(tmp_path / "o.mp4")]
    run_ffmpeg(args, what="encoding a test pattern", on_progress=seen.append)
    assert seen and seen[-1].done and seen[-1].frame == 75
    assert seen[-1].out_seconds == pytest.approx(3.0, abs=0.05)
    assert [p.out_seconds for p in seen] == sorted(p.out_seconds for p in seen)


def test_ffmpeg_progress_failure_keeps_stderr(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="No such file") as caught:
        run_ffmpeg(
            ["-i", str(tmp_path / "missing.mp4"), "-y", str(tmp_path / "o.mp4")],
            what="cutting a missing file",
            on_progress=lambda p: None,
        )
    assert caught.value.code == "FfmpegFailed"
