from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from segspec.backends.local.split import encoder_frames, keyframe_expr, split_shots
from segspec.detect import detect_shots
from segspec.detect.shots import Shot
from segspec.errors import MediaError
from segspec.media.ffmpeg import run_ffmpeg
from segspec.media.probe import frame_times, probe

# three shots of distinct colours: frames 0..29 red, 30..54 green, 55..89 blue
COLOURS = [("red", 30), ("green", 25), ("blue", 35)]
RGB = {"red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255)}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    out = tmp_path / "src.mp4"
    args: list[str] = []
    for colour, frames in COLOURS:
        args += ["-f", "lavfi", "-i", f"color=c={colour}:s=160x90:r=25:d={frames / 25}"]
    args += ["-f", "lavfi", "-i", "sine=f=440:r=48000:d=3.6"]
    graph = "[0:v][1:v][2:v]concat=n=3:v=1:a=0,drawgrid=w=20:h=20:c=white@0.5[v]"
    args += ["-filter_complex", graph, "-map", "[v]", "-map", "3:a"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    args += ["-c:a", "aac", "-y", str(out)]
    run_ffmpeg(args, what="making split source")
    return out


def first_frame_rgb(path: Path) -> tuple[int, int, int]:
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        rgb = frame.to_ndarray(format="rgb24").reshape(-1, 3)
    med = np.median(rgb, axis=0)
    return int(med[0]), int(med[1]), int(med[2])


def nearest_colour(rgb: tuple[int, int, int]) -> str:
    return min(RGB, key=lambda c: sum((a - b) ** 2 for a, b in zip(RGB[c], rgb, strict=True)))


@pytest.mark.slow
def test_split_shots_frame_exact_coverage(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    clips = split_shots(source, {"Width": 96}, {"preset": "ultrafast"}, out, ".mp4")
    assert [(c.index, c.first_frame, c.last_frame) for c in clips] == [
        (0, 0, 29), (1, 30, 54), (2, 55, 89),
    ]  # fmt: skip
    counts = [frame_times(c.path).count for c in clips]
    assert counts == [30, 25, 35]
    assert sum(counts) == frame_times(source).count
    # every clip starts on its boundary frame: its first picture has the shot's colour
    assert [nearest_colour(first_frame_rgb(c.path)) for c in clips] == ["red", "green", "blue"]
    info = probe(clips[1].path)
    assert (info.width, info.height) == (96, 54)
    assert info.has_audio
    assert [c.path.name for c in clips] == ["0.mp4", "1.mp4", "2.mp4"]
    assert clips[1].in_s == pytest.approx(1.2) and clips[1].out_s == pytest.approx(2.2)


@pytest.mark.slow
def test_split_shots_honours_detector_options(source: Path, tmp_path: Path) -> None:
    # the cuts at 30 and 55 are 1.0 s apart: a 1.1 s minimum keeps only one of them
    local = {"preset": "ultrafast", "detector": {"min_shot_seconds": 1.1}}
    clips = split_shots(source, {}, local, tmp_path / "o", ".mp4")
    assert len(clips) == 2
    assert sum(frame_times(c.path).count for c in clips) == 90


def test_split_shots_rejects_bad_detector_block(source: Path, tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"local\.detector"):
        split_shots(source, {}, {"detector": {"threshold": -1}}, tmp_path / "o", ".mp4")


def test_split_shots_missing_input_is_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        split_shots(tmp_path / "none.mp4", {}, {}, tmp_path / "o", ".mp4")


def test_keyframe_expr_is_a_balanced_sum_of_frames() -> None:
    assert keyframe_expr([10, 25]) == "expr:(eq(n,10)+eq(n,25))"
    assert keyframe_expr([]) == "expr:0"
    deep = keyframe_expr(list(range(1, 1001)))
    assert deep.count("eq(n,") == 1000
    depth = level = 0
    for ch in re.sub(r"eq\(n,\d+\)", "x", deep):
        level += {"(": 1, ")": -1}.get(ch, 0)
        depth = max(depth, level)
    assert depth <= 11  # about log2(1000) deep, where a flat chain would be 1000


def test_encoder_frames_follow_an_output_frame_rate() -> None:
    shots = [Shot(0, 0, 9, 0, 0.4), Shot(1, 10, 24, 0.4, 1.0), Shot(2, 25, 30, 1.0, 1.24)]
    assert encoder_frames(shots, Fraction(25), None) == [10, 25]
    assert encoder_frames(shots, Fraction(25), Fraction(50)) == [20, 50]


@pytest.mark.slow
def test_split_shots_many_shots(tmp_path: Path) -> None:
    # 120 one-second shots: more boundaries than a flat ffmpeg expression may hold
    src = tmp_path / "many.mp4"
    graph = "[0:v]hue=h='floor(t)*97':s=2,drawgrid=w=16:h=16:c=white@0.4[v]"
    run_ffmpeg(
        ["-f", "lavfi", "-i", "color=c=red:s=64x36:r=25:d=120", "-filter_complex", graph,
         "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-y", str(src)],
        what="making many-shot source",
    )  # fmt: skip
    clips = split_shots(src, {}, {"preset": "ultrafast"}, tmp_path / "o", ".mp4")
    assert len(clips) > 100
    counts = [frame_times(c.path).count for c in clips]
    assert counts == [c.last_frame - c.first_frame + 1 for c in clips]
    assert sum(counts) == 3000


@pytest.mark.slow
def test_split_shots_matches_detect_preview(tmp_path: Path) -> None:
    # `segspec detect` previews the job: the one-pass split must cut at the same frames
    sample = Path(__file__).resolve().parents[3] / "specs" / "media" / "sample.mp4"
    preview = [(s.first_frame, s.last_frame) for s in detect_shots(sample)]
    clips = split_shots(sample, {"Width": 160}, {"preset": "ultrafast"}, tmp_path / "o", ".mp4")
    assert [(c.first_frame, c.last_frame) for c in clips] == preview
    assert [frame_times(c.path).count for c in clips] == [b - a + 1 for a, b in preview]
    with av.open(str(clips[1].path)) as container:
        assert container.streams.audio, "the clip keeps the source's audio"
