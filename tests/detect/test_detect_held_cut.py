"""Sudden changes told from lightning: a cut back towards a view the camera has just
panned away from is still a cut; lightning just before a short wipe does not draw the
wipe's boundary onto itself.

The shot before the cut pans slowly over one scene in one palette; the cut goes to a
still view of that scene a little behind the pan. Within the half second `back` looks
at, the pan passed near the new view, so the old picture "comes back" to about half the
cut's change, as lightning's would (`rules.RETURN_SHARE`); but the new picture holds
(`stay` near 0), and lightning's does not, so it is refused only when the old picture
comes back closer (`rules.HELD_RETURN_SHARE`).

Numpy thumbnails, helpers of `test_detect_motion` and `test_detect_weak_cut`.
"""

from __future__ import annotations

import numpy as np
import pytest

from segspec.detect.frames import THUMB_W
from segspec.detect.rules import HELD_RETURN_SHARE, HOLD_STAY, LOCATE_BACK, RETURN_SHARE
from tests.detect.test_detect_light import LIGHT, scores
from tests.detect.test_detect_motion import Luma, run, texture, thumbs
from tests.detect.test_detect_weak_cut import scene

# (fps, pan speed in pixels a second, how far behind the pan the new view is)
CASES = [
    (24000 / 1001, 24, 16),
    (25.0, 24, 16),
    (30000 / 1001, 24, 16),
    (50.0, 16, 13),
    (60000 / 1001, 16, 13),
]


def pan_then_cut_back(fps: float, speed: int, behind: int) -> list[Luma]:
    """2 s panning over the scene, then 2 s of a still view `behind` pixels back."""
    wide, n = scene(41, 200.0), round(2 * fps)
    pos = [40 + round(k * speed / fps) for k in range(n)]
    view = wide[:, :, pos[-1] - behind : pos[-1] - behind + THUMB_W]
    return [wide[:, :, p : p + THUMB_W] for p in pos] + [view] * n


@pytest.mark.parametrize(("fps", "speed", "behind"), CASES)
def test_cut_back_towards_a_view_just_panned_from_is_found(
    fps: float, speed: int, behind: int
) -> None:
    rows = thumbs(pan_then_cut_back(fps, speed, behind), grain=2)
    cut = round(2 * fps)
    s = scores(rows, fps)[cut]
    # what the rule is for: the old picture comes back to within RETURN_SHARE of the
    # change (refused as lightning before the rule), and the new one holds
    assert s.cut >= 0.2, s
    assert HELD_RETURN_SHARE * s.cut <= s.back < RETURN_SHARE * s.cut, s
    assert s.stay <= HOLD_STAY * s.cut, s
    assert [f for f, _ in run(rows, fps)] == [cut]


def lightning_then_wipe(fps: float) -> tuple[list[Luma], int, int]:
    """1.5 s of a shot, lightning striking it (decaying with a time constant of 0.05 s)
    for 0.3 s, then a 0.3 s left-to-right wipe to another shot; and the wipe's frames."""
    a, b = texture(21, THUMB_W), texture(22, THUMB_W)
    still, gap, span = round(1.5 * fps), round(0.3 * fps), round(0.3 * fps)
    lit = [a + LIGHT * np.exp(-j / (0.05 * fps)) for j in range(gap)]
    moving = []
    for j in range(span):
        f = a.copy()
        w = THUMB_W * (j + 1) // (span + 1)
        f[:, :, :w] = b[:, :, :w]
        moving.append(f)
    first = still + gap
    return [a] * still + lit + moving + [b] * round(1.5 * fps), first, first + span - 1


@pytest.mark.parametrize("fps", [24000 / 1001, 25.0, 30000 / 1001])
def test_short_wipe_after_lightning_is_cut_on_the_wipe(fps: float) -> None:
    pictures, first, last = lightning_then_wipe(fps)
    rows = thumbs(pictures, grain=2)
    found = run(rows, fps)
    assert len(found) == 1, found
    assert first - 2 <= found[0][0] <= last + 2, (found, first, last)
    # what the rule sees: the lit frames' steps are as big as the wipe's, but come back
    s = scores(rows, fps)[first - round(0.3 * fps)]
    assert s.cut >= 0.2 and s.back < LOCATE_BACK * s.cut, s
