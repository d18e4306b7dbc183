from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from segspec.detect import Boundary, ShotFinder, detect, detect_shots, render_shots
from segspec.detect.frames import iter_thumbnails
from segspec.detect.shots import Shot, shots_from_boundaries
from segspec.errors import MediaError
from segspec.spec.models import DetectorOptions
from tests.detect.conftest import A, B, C, MakeVideo


def boundaries(path: Path) -> list[int]:
    return [b.frame for b in detect(path).boundaries]


def test_detect_hard_cut_on_exact_frame(make_video: MakeVideo) -> None:
    video = make_video("cut", [f"{A}:d=1.6", f"{B}:d=1.6"], "[0:v][1:v]concat=n=2:v=1:a=0[v]")
    assert boundaries(video) == [40]


def test_detect_shots_cover_video_in_order(make_video: MakeVideo) -> None:
    video = make_video(
        "cuts", [f"{A}:d=1.6", f"{B}:d=1.2", f"{C}:d=1.0"], "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]"
    )
    shots = detect_shots(video)
    assert [(s.first_frame, s.last_frame) for s in shots] == [(0, 39), (40, 69), (70, 94)]
    assert shots[1].in_s == pytest.approx(1.6)
    assert shots[-1].out_s == pytest.approx(3.8)


def test_detect_dissolve_inside_its_span(make_video: MakeVideo) -> None:
    # xfade blends frames 40..59 (offset 1.6 s, 0.8 s long)
    video = make_video(
        "dissolve",
        [f"{A}:d=2.4", f"{B}:d=2.4"],
        "[0:v][1:v]xfade=transition=fade:duration=0.8:offset=1.6[v]",
    )
    found = boundaries(video)
    assert len(found) == 1
    assert 40 <= found[0] <= 59


@pytest.mark.parametrize(
    ("transition", "kind"), [("fadeblack", "fade"), ("fadewhite", "fade"), ("wipeleft", "wipe")]
)
def test_detect_fade_and_wipe_inside_span(
    make_video: MakeVideo, transition: str, kind: str
) -> None:
    video = make_video(
        transition,
        [f"{A}:d=2.4", f"{C}:d=2.4"],
        f"[0:v][1:v]xfade=transition={transition}:duration=0.8:offset=1.6[v]",
    )
    found = detect(video).boundaries
    assert len(found) == 1
    assert 38 <= found[0].frame <= 61
    assert found[0].kind == kind
    # the transition blends frames 40..59; the reported span covers most of it
    assert 36 <= found[0].first <= 44 and 55 <= found[0].last <= 62, found[0]


@pytest.mark.parametrize("frames", [1, 2, 3])
def test_detect_flash_frame_ignored(make_video: MakeVideo, frames: int) -> None:
    flash = f"lutyuv=y='min(val/4+190,255)':enable='between(n,37,{36 + frames})'"
    video = make_video("flash", [f"{A}:d=3"], f"[0:v]{flash}[v]")
    assert boundaries(video) == []


def test_detect_fast_pan_is_one_shot(make_video: MakeVideo) -> None:
    pan = "crop=160:90:x='n*6':y=45"
    video = make_video("pan", ["testsrc2=s=640x180:r=25:d=3"], f"[0:v]{pan}[v]")
    assert boundaries(video) == []


def test_detect_still_video_is_one_shot(make_video: MakeVideo) -> None:
    video = make_video("still", [f"{C}:d=3"], "[0:v]null[v]")
    shots = detect_shots(video)
    assert [(s.index, s.first_frame, s.last_frame) for s in shots] == [(0, 0, 74)]


def test_detect_min_shot_length_keeps_boundaries_apart(make_video: MakeVideo) -> None:
    # cuts at 40 and 45: 5 frames apart, closer than the 0.5 s (12 frame) default
    video = make_video(
        "short", [f"{A}:d=1.6", f"{B}:d=0.2", f"{C}:d=1.6"], "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]"
    )
    assert len(boundaries(video)) == 1
    options = DetectorOptions(min_shot_seconds=0.1)
    assert [s.first_frame for s in detect_shots(video, options)] == [0, 40, 45]


def test_detect_same_boundaries_every_run(make_video: MakeVideo) -> None:
    video = make_video(
        "again",
        [f"{A}:d=1.2", f"{B}:d=1.2"],
        "[0:v][1:v]xfade=transition=fade:duration=0.6:offset=0.8[v]",
    )
    assert detect(video) == detect(video)


def test_detect_missing_file_is_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        detect_shots(tmp_path / "nope.mp4")


def test_detect_corrupt_file_keeps_ffmpeg_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 4096)
    with pytest.raises(MediaError) as err:
        detect_shots(bad)
    assert "bad.mp4" in str(err.value)


def cut(frame: int) -> Boundary:
    return Boundary(frame, "cut", frame, frame, 0.5)


def test_shots_from_boundaries_cover_every_frame() -> None:
    shots = shots_from_boundaries([cut(f) for f in (50, 10, 10, 0, 99, 100)], 100, Fraction(25))
    assert [(s.first_frame, s.last_frame) for s in shots] == [(0, 9), (10, 49), (50, 98), (99, 99)]
    assert sum(s.frames for s in shots) == 100
    assert [s.transition for s in shots] == [None, cut(10), cut(50), cut(99)]
    assert shots_from_boundaries([], 0, Fraction(25)) == []


def test_render_shots_text_and_json() -> None:
    fade = Boundary(40, "fade", 34, 45, 0.8123)
    shots = [Shot(0, 0, 39, 0.0, 1.6), Shot(1, 40, 74, 1.6, 3.0, fade)]
    text = render_shots(shots, as_json=False)
    assert text.splitlines()[1].split() == ["0", "0", "39", "0.000", "1.600"]
    assert text.splitlines()[2].split() == [
        "1", "40", "74", "1.600", "3.000", "fade", "34-45", "0.812",
    ]  # fmt: skip
    assert text.endswith("2 shots")
    doc = json.loads(render_shots(shots, as_json=True))
    assert doc["format_version"] == 2
    assert doc["shots"][0]["transition"] is None
    assert doc["shots"][1] == {
        "index": 1, "first_frame": 40, "last_frame": 74, "in_s": 1.6, "out_s": 3.0,
        "transition": {"frame": 40, "kind": "fade", "first": 34, "last": 45, "strength": 0.8123},
    }  # fmt: skip


def test_detect_dissolve_is_cut_at_its_middle() -> None:
    # The sample's 1 s dissolve blends frames 325..349 (gradients into a test card); its
    # first blended frames already change visibly, which once made the start win.
    sample = Path(__file__).resolve().parents[2] / "specs" / "media" / "sample.mp4"
    found = detect(sample).boundaries
    assert [b.frame for b in found[:3]] == [75, 150, 250]  # the hard cuts, exactly
    assert len(found) == 4
    assert abs(found[3].frame - 337) <= 2, found[3]
    assert found[3].kind == "dissolve"
    assert abs(found[3].first - 325) <= 2 and abs(found[3].last - 349) <= 2, found[3]
    assert all(b.kind == "cut" and b.first == b.last == b.frame for b in found[:3])


def test_detect_dissolve_at_50_fps_inside_its_span(make_video: MakeVideo) -> None:
    # windows are set in seconds: a 0.8 s dissolve (frames 80..119 at 50 fps) is found
    # as at 25 fps, not missed because it is twice as many frames long
    a, b = "testsrc2=s=160x90:r=50", "rgbtestsrc=s=160x90:r=50"
    video = make_video(
        "dissolve50",
        [f"{a}:d=2.4", f"{b}:d=2.4"],
        "[0:v][1:v]xfade=transition=fade:duration=0.8:offset=1.6[v]",
    )
    found = detect(video).boundaries
    assert len(found) == 1, found
    assert 80 <= found[0].frame <= 119
    assert found[0].kind == "dissolve"


def test_shot_finder_settled_boundaries_are_already_out(make_video: MakeVideo) -> None:
    # the one-pass split releases frames before `settled` to the encoder: no boundary
    # may turn up there later
    video = make_video(
        "settle", [f"{A}:d=1.6", f"{B}:d=1.2", f"{C}:d=3.5"], "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]"
    )
    finder = ShotFinder(25, threshold=0.2, min_shot_seconds=0.5)
    seen: list[int] = []
    checks: list[tuple[int, list[int]]] = []
    for chunk in iter_thumbnails(video):
        for i in range(0, len(chunk), 5):
            seen += [b.frame for b in finder.push(chunk[i : i + 5])]
            checks.append((finder.settled, list(seen)))
    seen += [b.frame for b in finder.finish()]
    assert seen == [40, 70]
    # look-ahead: about 5.5 s (the longer window, a gradual transition placed up to that
    # window back from the frame that found it, and 1.6 s more for `rules.ONE_SPAN`)
    assert checks[-1][0] > 0 and finder.frame_count - checks[-1][0] < 6 * 25
    for settled, so_far in checks:
        assert [f for f in seen if f < settled] == [f for f in so_far if f < settled]


def test_detect_short_dissolve_at_60_fps_is_placed_inside_it(make_video: MakeVideo) -> None:
    # a 4-frame dissolve (0.067 s, frames 96..99 at 60 fps): the plateau of the long-range
    # window is much longer than the transition, yet the boundary lands on the change
    # the new shot pans fast (a moving side makes the plateau lopsided)
    a, b = "rgbtestsrc=s=160x90:r=60", "testsrc2=s=480x90:r=60"
    video = make_video(
        "short60",
        [f"{a}:d=3", f"{b}:d=3"],
        "[1:v]crop=160:90:x='n*3':y=0[p];"
        "[0:v][p]xfade=transition=fade:duration=0.0667:offset=1.6[v]",
    )
    found = detect(video).boundaries
    assert len(found) == 1, found
    assert 94 <= found[0].frame <= 102, found[0]


def test_detect_long_dissolve_at_50_fps_is_found(make_video: MakeVideo) -> None:
    # a 2 s dissolve (frames 80..179 at 50 fps): too long for the first window, whose
    # sides fall inside it; the longer window finds it
    a, b = "testsrc2=s=160x90:r=50", "rgbtestsrc=s=160x90:r=50"
    video = make_video(
        "long50",
        [f"{a}:d=5", f"{b}:d=5"],
        "[0:v][1:v]xfade=transition=fade:duration=2:offset=1.6[v]",
    )
    found = detect(video).boundaries
    assert len(found) == 1, found
    assert 80 <= found[0].frame <= 179, found[0]
