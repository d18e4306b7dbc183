"""A gradual change must replace most of the picture (`cover`): an object coming into a
shot and staying is no transition, a wipe that replaces the whole picture is.

Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import pytest

from segspec.detect.frames import THUMB_W
from segspec.detect.rules import COVER_MIN
from tests.detect.test_detect_light import scores
from tests.detect.test_detect_motion import Luma, run, texture, thumbs

RATES = [24000 / 1001, 30000 / 1001, 60000 / 1001]


def entering(shot: Luma, fps: float, seconds: float, cover: float) -> list[Luma]:
    """A still shot; after 1.5 s a dark shape slides in from the left over `seconds`
    until it covers `cover` of the picture, and stays for 2.5 s."""
    start, span = round(1.5 * fps), max(2, int(seconds * fps))
    frames = []
    for j in range(round(4 * fps)):
        f = shot.copy()
        if j >= start:
            w = int(THUMB_W * cover * min(1.0, (j - start + 1) / span))
            f[0, :, :w] = 18 + 0.15 * f[0, :, :w]
            f[1:, :, :w] = 128 + 0.15 * (f[1:, :, :w] - 128)
        frames.append(f)
    return frames


def wipe(a: Luma, b: Luma, fps: float, seconds: float) -> list[Luma]:
    """1.5 s of a, a left-to-right wipe to b over `seconds`, 2 s of b."""
    span = max(2, int(seconds * fps))
    mid = []
    for j in range(span):
        f = a.copy()
        w = int(THUMB_W * (j + 1) / (span + 1))
        f[:, :, :w] = b[:, :, :w]
        mid.append(f)
    return [a] * round(1.5 * fps) + mid + [b] * round(2 * fps)


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("seconds", [0.3, 0.8])
def test_dark_object_entering_and_staying_is_no_boundary(fps: float, seconds: float) -> None:
    rows = thumbs(entering(texture(21, THUMB_W), fps, seconds, 0.45), grain=2)
    assert run(rows, fps) == []
    # what the rule sees: under half of the picture changed across the window
    middle = round(1.5 * fps) + max(2, int(seconds * fps)) // 2
    assert scores(rows, fps)[middle].cover < COVER_MIN


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("seconds", [0.3, 0.8])
def test_wipe_over_the_whole_picture_is_one_boundary_inside_it(fps: float, seconds: float) -> None:
    rows = thumbs(wipe(texture(22, THUMB_W), texture(23, THUMB_W), fps, seconds), grain=2)
    found = run(rows, fps)
    first, span = round(1.5 * fps), max(2, int(seconds * fps))
    assert len(found) == 1, found
    assert first - 2 <= found[0][0] <= first + span + 2, found


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("delay", [0.3, 0.45])
def test_short_wipe_then_an_object_entering_is_placed_on_the_wipe(fps: float, delay: float) -> None:
    """A 3-frame wipe, then `delay` s later a dark shape entering over 0.5 s: the long-range
    window sees both, and the boundary goes where the middle half of the change is (the
    wipe), not to the window's middle."""
    start = round(1.5 * fps)
    frames = wipe(texture(31, THUMB_W), texture(32, THUMB_W), fps, 3 / fps)[: start + 3]
    shape = entering(texture(32, THUMB_W), fps, 0.5, 0.3)
    skip = round(1.5 * fps) - round(delay * fps)
    rows = thumbs(frames + shape[skip : skip + round(2 * fps)], grain=2)
    found = run(rows, fps)
    assert len(found) == 1, found
    assert start - 2 <= found[0][0] <= start + 4, found
