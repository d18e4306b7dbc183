"""Resolving rival candidates: some candidate of a group always wins.

Several candidates often describe one transition (a long window places candidates found
at several frames on the same frame; a wipe's visible jump is a cut-like step inside it).
The rivals are ranked in one total order, so a group can no longer lose every member.
Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import pytest

from segspec.detect.frames import THUMB_W
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
