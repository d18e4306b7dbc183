"""Resolving rival candidates: some candidate of a group always wins.

Several candidates often describe one transition (a long window places candidates found
at several frames on the same frame; a wipe's visible jump is a cut-like step inside it).
The rivals are ranked in one total order, so a group can no longer lose every member;
and a long-window candidate whose middle is still (two short transitions a second apart)
no longer outranks both. Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import math

import pytest

from segspec.detect.frames import THUMB_W
from tests.detect.test_detect_cover import wipe
from tests.detect.test_detect_motion import Luma, dissolve, run, texture, thumbs

RATES = [24000 / 1001, 25.0, 30000 / 1001, 50.0, 60000 / 1001]


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("length", [3, 6])
@pytest.mark.parametrize("after", [0.1, 0.3])
def test_short_dissolve_then_a_one_frame_blip_is_one_boundary(
    fps: float, length: int, after: float
) -> None:
    """Still shots, a short dissolve, and `after` s later one frame of the new shot that
    is partly the old one (a one-frame blip, no boundary of its own). The blip splits the
    plateau of the long-range change in two, each with its own middle; both are placed
    on the dissolve with the same strength. Equal candidates used to beat neither the
    other, and the dissolve was lost (every case here)."""
    a, b = texture(2, THUMB_W), texture(3, THUMB_W)
    before = round(2 * fps)
    frames = dissolve(a, b, before, length, before)
    frames[before + length + round(after * fps)] = 0.6 * b + 0.4 * a
    found = run(thumbs(frames), fps)
    assert len(found) == 1, found
    assert before - 2 <= found[0][0] <= before + length + 2, found


def jumping_wipe(a: Luma, b: Luma, frames: int, at: float, jump: float) -> list[Luma]:
    """A left-to-right wipe over `frames` frames whose edge jumps forward by `jump` of the
    picture's width when it reaches `at` (a visible step inside a long transition)."""
    out = []
    for j in range(frames):
        w = (j + 1) / (frames + 1)
        w = w * (1 - jump) + (jump if w >= at else 0.0)
        f = a.copy()
        x = int(THUMB_W * w)
        f[:, :, :x] = b[:, :, :x]
        out.append(f)
    return out


@pytest.mark.parametrize(("seconds", "at"), [(1.4, 0.5), (2.6, 0.4), (2.6, 0.5), (2.6, 0.6)])
def test_long_wipe_with_a_jump_is_one_boundary(seconds: float, at: float) -> None:
    """At 59.94 fps a long wipe whose edge jumps once gives two gradual candidates (one
    centred near the jump, one off it) and the jump's cut-like step. The step yields to
    the candidate it is off the middle of, which yields to the stronger one, which
    yielded to the step: no candidate won and the wipe was lost (every case here). The
    step now ranks as a soft step against every rival (one order), and one boundary
    falls inside the wipe."""
    fps = 60000 / 1001
    a, b = texture(12, THUMB_W), texture(13, THUMB_W)
    before, n = round(1.5 * fps), round(seconds * fps)
    frames = [a] * before + jumping_wipe(a, b, n, at, 0.3) + [b] * round(1.5 * fps)
    found = run(thumbs(frames, grain=1), fps)
    assert len(found) == 1, found
    assert before - 2 <= found[0][0] <= before + n + 2, found


@pytest.mark.parametrize("fps", [24000 / 1001, 30000 / 1001, 60000 / 1001])
@pytest.mark.parametrize("seconds", [1.8, 2.6])
def test_long_wipe_with_a_jump_at_other_rates_is_one_boundary(fps: float, seconds: float) -> None:
    """The same jumping wipes at other rates and lengths (found before, still found)."""
    a, b = texture(12, THUMB_W), texture(13, THUMB_W)
    before, n = round(1.5 * fps), round(seconds * fps)
    frames = [a] * before + jumping_wipe(a, b, n, 0.3, 0.45) + [b] * round(1.5 * fps)
    found = run(thumbs(frames, grain=1), fps)
    assert len(found) == 1, found
    assert before - 2 <= found[0][0] <= before + n + 2, found


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("gap", [1.0, 1.2])
@pytest.mark.parametrize("length", [3, 6])
def test_two_short_dissolves_a_second_apart_are_two_boundaries(
    fps: float, gap: float, length: int
) -> None:
    """Still shot a, a short dissolve to b (halfway between a and c), `gap` s of b, a
    short dissolve to c. The longer window (1.6 s) around the middle of b sees a change
    as large as a-to-c and outranked both dissolves, which were lost for one boundary in
    the middle of b (every case here). The first window there sees no change
    (`MIDDLE_SHARE`): no transition is that long and still in its middle."""
    a, c = texture(41, THUMB_W), texture(43, THUMB_W)
    b = 0.5 * a + 0.5 * c
    before, hold = round(2 * fps), round(gap * fps)
    frames = dissolve(a, b, before, length, hold) + dissolve(b, c, 0, length, before)
    found = run(thumbs(frames, grain=2), fps)
    second = before + length + hold
    assert len(found) == 2, found
    assert before - 2 <= found[0][0] <= before + length + 2, found
    assert second - 2 <= found[1][0] <= second + length + 2, found


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("seconds", [0.5, 1.0])
def test_shot_changing_from_its_first_frame_is_no_transition(fps: float, seconds: float) -> None:
    """A video whose first shot changes steadily from frame 0 (a slow morph between two
    pictures, period 2 pi x `seconds`), then a cut to a still shot after 2 s. Windows
    reaching before the first frame compare clamped copies of frame 0, so their left
    side read as still and the change passed as a dissolve in the first second (every
    case here). Only the cut is a boundary."""
    a, b, c = texture(51, THUMB_W), texture(52, THUMB_W), texture(53, THUMB_W)
    n = round(seconds * fps)
    cut = round(2 * fps)
    frames = [a + (b - a) * (0.5 + 0.5 * math.sin(k / n)) for k in range(cut)]
    found = run(thumbs(frames + [c] * cut, grain=1), fps)
    assert found == [(cut, "cut")], found


def wipe_then_figure(fps: float, delay: float, cross: float, width: int) -> list[Luma]:
    """1.5 s of a, a 5-frame wipe to b, and `delay` s after it a dark figure (1/`width`
    of the picture wide, almost its height) crossing b from left to right in `cross` s."""
    frames = wipe(texture(61, THUMB_W), texture(62, THUMB_W), fps, 5 / fps)
    first = round(1.5 * fps) + 5 + round(delay * fps)
    span, body = round(cross * fps), THUMB_W // width
    for j in range(span):
        x = int(-body + (THUMB_W + body) * (j + 1) / (span + 1))
        lo, hi = max(x, 0), min(x + body, THUMB_W)
        f = frames[first + j].copy()
        if hi > lo:
            f[0, 4:, lo:hi] = 25
            f[1:, 4:, lo:hi] = 128
        frames[first + j] = f
    return frames


@pytest.mark.parametrize(
    ("fps", "delay", "cross", "width"),
    [
        (24000 / 1001, 0.4, 0.9, 4),
        (25.0, 0.4, 0.9, 4),
        (30000 / 1001, 0.5, 0.9, 4),
        (30000 / 1001, 0.6, 0.9, 6),
        (50.0, 0.5, 0.8, 4),
        (50.0, 0.6, 0.8, 6),
        (60000 / 1001, 0.4, 0.8, 4),
        (60000 / 1001, 0.5, 0.9, 6),
    ],
)
def test_short_wipe_then_a_figure_crossing_is_cut_on_the_wipe(
    fps: float, delay: float, cross: float, width: int
) -> None:
    """Candidates placed on the wipe's own frames (`LOCATED_RANK`) outrank one left at its
    window's middle, which also saw the figure: that one used to win by a few hundredths
    and put the boundary off the wipe (every case here)."""
    found = run(thumbs(wipe_then_figure(fps, delay, cross, width), grain=2), fps)
    start = round(1.5 * fps)
    assert len(found) == 1, found
    assert start - 2 <= found[0][0] <= start + 7, found
