"""UserDefined cuts on a frame-numbered video: exact frames, settings honoured, bad media named.

Frames and streams are checked with the ffprobe-equivalent (libavformat via PyAV).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import av
import pytest

from segspec.backends.base import JobRequest, JobState
from segspec.backends.local.cut import cut_ranges, frame_span
from segspec.backends.local.engine import LocalBackend
from segspec.backends.local.store import LocalStore
from segspec.errors import MediaError
from segspec.media.ffmpeg import stderr_tail
from segspec.media.probe import probe
from tests.conftest import ffmpeg, frame_numbers, make_numbered_video

FAST = {"preset": "ultrafast"}


def cut(
    src: Path,
    workdir: Path,
    ranges: list[tuple[float, float]],
    output: Mapping[str, Any] | None = None,
    suffix: str = ".mp4",
) -> list[Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    info = probe(src)
    items = [{"In": start, "Out": end} for start, end in ranges]
    clips = cut_ranges(src, info, items, dict(output or {}), FAST, workdir, suffix)
    assert [clip.index for clip in clips] == list(range(len(ranges)))
    return [clip.path for clip in clips]


def streams(path: Path) -> tuple[str, int, int, bool]:
    """(video codec, width, height, has audio) of a file."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        return (
            video.codec_context.name,
            video.codec_context.width,
            video.codec_context.height,
            bool(container.streams.audio),
        )


def test_cut_frame_span() -> None:
    from fractions import Fraction

    fps = Fraction(25)
    assert frame_span(0, 1, fps) == (0, 24)
    assert frame_span(1.5, 2.02, fps) == (37, 50)  # partly shown frames count
    assert frame_span(0.04, 0.08, fps) == (1, 1)
    assert frame_span(3.5, 4.0, fps) == (87, 99)


def test_cut_clips_hold_exactly_the_ranges_frames(numbered_video: Path, tmp_path: Path) -> None:
    # Starts off keyframes (GOP 12): 37 and 61 need decoding from an earlier keyframe.
    ranges = [(0, 1), (1.5, 2.02), (2.44, 2.6), (3.5, 4.0)]
    paths = cut(numbered_video, tmp_path, ranges)
    assert frame_numbers(paths[0]) == list(range(0, 25))
    assert frame_numbers(paths[1]) == list(range(37, 51))
    assert frame_numbers(paths[2]) == list(range(61, 65))
    assert frame_numbers(paths[3]) == list(range(87, 100))


def test_cut_overlapping_ranges_are_independent(numbered_video: Path, tmp_path: Path) -> None:
    paths = cut(numbered_video, tmp_path, [(1, 2), (1.2, 1.4)])
    assert frame_numbers(paths[0]) == list(range(25, 50))
    assert frame_numbers(paths[1]) == list(range(30, 35))


def test_cut_width_only_keeps_aspect_ratio(numbered_video: Path, tmp_path: Path) -> None:
    (wide,) = cut(numbered_video, tmp_path / "w", [(0, 0.4)], {"Width": 32})
    (tall,) = cut(numbered_video, tmp_path / "h", [(0, 0.4)], {"Height": 96})
    (both,) = cut(numbered_video, tmp_path / "b", [(0, 0.4)], {"Width": 40, "Height": 20})
    assert streams(wide)[1:3] == (32, 24)
    assert streams(tall)[1:3] == (128, 96)
    assert streams(both)[1:3] == (40, 20)
    assert frame_numbers(wide) == list(range(10))


def test_cut_odd_width_rounded_to_even(numbered_video: Path, tmp_path: Path) -> None:
    (clip,) = cut(numbered_video, tmp_path, [(0, 0.4)], {"Width": 33})
    assert streams(clip)[1:3] == (32, 24)


def test_cut_h265_codec_honoured(numbered_video: Path, tmp_path: Path) -> None:
    output = {"Video": {"Codec": "H.265", "Crf": 30}}
    (clip,) = cut(numbered_video, tmp_path, [(0.4, 0.8)], output)
    assert streams(clip)[0] == "hevc"
    assert len(frame_numbers(clip)) == 10
    (default,) = cut(numbered_video, tmp_path / "d", [(0.4, 0.8)])
    assert streams(default)[0] == "h264"


@pytest.mark.parametrize(
    "video", [{"Bitrate": 300}, {"Crf": 0}, {"Crf": 51}, {"Bitrate": 500, "Crf": 18}, {"Fps": 25}]
)
def test_cut_bitrate_and_crf_accepted(
    numbered_video: Path, tmp_path: Path, video: dict[str, Any]
) -> None:
    (clip,) = cut(numbered_video, tmp_path, [(2, 2.4)], {"Video": video})
    assert len(frame_numbers(clip)) == 10


def test_cut_audio_kept(numbered_video: Path, tmp_path: Path) -> None:
    (clip,) = cut(numbered_video, tmp_path, [(1, 2)])
    assert streams(clip)[3]
    with av.open(str(clip)) as container:
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        assert container.duration is not None and container.duration / av.time_base > 0.9


def test_cut_video_without_audio(tmp_path: Path) -> None:
    silent = make_numbered_video(tmp_path / "silent.mp4", seconds=1.0, audio=False)
    (clip,) = cut(silent, tmp_path, [(0.2, 0.4)])
    assert not streams(clip)[3]
    assert frame_numbers(clip) == [5, 6, 7, 8, 9]


# --- bad media ---------------------------------------------------------------------------
def test_cut_missing_input(tmp_path: Path) -> None:
    missing = tmp_path / "nope.mp4"
    with pytest.raises(MediaError) as caught:
        probe(missing)
    assert caught.value.code == "InputNotFound"
    assert str(caught.value) == f"input {missing} does not exist — check the path"


def test_cut_corrupt_input(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(MediaError) as caught:
        probe(junk)
    assert caught.value.code == "InputCorrupt"
    assert f"input {junk} is not a readable media file" in str(caught.value)
    assert "check that it is a complete video file" in str(caught.value)


def test_cut_truncated_input(numbered_video: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(numbered_video.read_bytes()[:2000])
    with pytest.raises(MediaError) as caught:
        cut(truncated, tmp_path, [(0, 1)])
    assert caught.value.code in ("InputCorrupt", "FfmpegFailed", "NoDuration")


def test_cut_audio_only_input(tmp_path: Path) -> None:
    audio = tmp_path / "tone.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:duration=1", "-c:a", "aac", str(audio))
    with pytest.raises(MediaError) as caught:
        probe(audio)
    assert caught.value.code == "NoVideoStream"
    assert str(caught.value) == f"input {audio} has no video stream — give a video file"


def test_cut_range_past_end(numbered_video: Path, tmp_path: Path) -> None:
    with pytest.raises(MediaError) as caught:
        cut(numbered_video, tmp_path, [(0, 1), (3, 9)])
    assert caught.value.code == "InvalidParameter.RangeOutOfBounds"
    assert str(caught.value) == (
        "JobParams.Ranges[1].Out is 9 s, past the end of the input (4.00 s long) — "
        "shorten the range"
    )
    assert not list(tmp_path.iterdir())  # refused before cutting anything


def test_cut_range_ending_exactly_at_end_allowed(numbered_video: Path, tmp_path: Path) -> None:
    (clip,) = cut(numbered_video, tmp_path, [(3.9, 4.0)])
    assert frame_numbers(clip) == [97, 98, 99]


def test_cut_range_without_whole_frame(numbered_video: Path, tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"Ranges\[0\] holds no whole frame at 25 fps"):
        cut(numbered_video, tmp_path, [(1.0, 1.00000001)])


def test_cut_ffmpeg_failure_quotes_stderr(numbered_video: Path, tmp_path: Path) -> None:
    with pytest.raises(MediaError) as caught:
        cut(numbered_video, tmp_path, [(0, 1)], suffix=".notaformat")
    message = str(caught.value)
    assert caught.value.code == "FfmpegFailed"
    assert message.startswith(f"cutting JobParams.Ranges[0] from {numbered_video}: ffmpeg exited")
    assert "Unable to choose an output format" in message  # ffmpeg's own words


def test_cut_stderr_tail_keeps_first_and_last_lines() -> None:
    text = "\n".join(f"line {n}" for n in range(20)) + "\n\n"
    tail = stderr_tail(text).splitlines()
    assert tail == ["    line 0", "    ...", *(f"    line {n}" for n in range(14, 20))]
    assert stderr_tail("only\n") == "    only"


def test_cut_bad_media_fails_the_job_not_the_run(tmp_path: Path) -> None:
    audio = tmp_path / "tone.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:duration=1", "-c:a", "aac", str(audio))
    backend = LocalBackend(LocalStore(tmp_path / ".segspec"))
    job = JobRequest(
        address="a",
        fingerprint="sha256:a",
        client_token="t" * 32,
        request={
            "InputConfig": {"Type": "OSS", "Media": "tone.m4a"},
            "JobParams": {"Mode": "UserDefined", "Ranges": [{"In": 0, "Out": 1}]},
            "OutputConfig": {
                "OutputMediaTarget": "oss-object",
                "Bucket": "b",
                "ObjectKey": "{index}.mp4",
            },
        },
        base_dir=tmp_path,
    )
    result = backend.get(backend.submit(job))
    assert result.state is JobState.FAILED
    assert result.error_code == "NoVideoStream"
    assert result.error_message == f"input {audio} has no video stream — give a video file"
