"""A hard cut between two busy shots is still a cut (`rules.MOTION_RATIO`): three quarters
of each picture pan a pixel a frame over a still lower quarter, so the ordinary step
around the cut is over a third of the cut's.

Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import pytest

from segspec.detect.frames import THUMB_H, THUMB_W
from segspec.detect.rules import MOTION_RATIO
from tests.detect.test_detect_light import scores
from tests.detect.test_detect_motion import Luma, pan, run, texture, thumbs
from tests.detect.test_detect_weak_cut import RATES

MOVING = 0.75
"""Share of the picture's rows that pan."""


def busy(seed: int, frames: int) -> list[Luma]:
    """A still picture whose upper MOVING share pans one pixel a frame."""
    rows = round(MOVING * THUMB_H)
    still = texture(seed + 10, THUMB_W)
    out = []
    for moving in pan(seed, frames, 1.0):
        p = still.copy()
        p[:, :rows, :] = moving[:, :rows, :]
        out.append(p)
    return out


@pytest.mark.parametrize("fps", RATES)
def test_cut_between_two_busy_shots_is_found(fps: float) -> None:
    n = round(2 * fps)
    rows = thumbs(busy(5, n) + busy(6, n), grain=2)
    sc = scores(rows, fps)
    window = [o.step for o in sc if 3 < abs(o.frame - n) <= 2 * round(0.4 * fps) + 2]
    level = sorted(window)[len(window) // 2]
    # what the rule is for: a strong step under 3 times the ordinary one
    assert sc[n].cut >= 0.2 and MOTION_RATIO * level <= sc[n].cut < 3.0 * level
    assert run(rows, fps) == [(n, "cut")]


@pytest.mark.parametrize("fps", RATES)
def test_busy_shot_alone_is_no_boundary(fps: float) -> None:
    assert run(thumbs(busy(5, round(4 * fps)), grain=2), fps) == []
