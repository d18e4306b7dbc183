"""A weak cut into a shot that moves at once is still a cut (`rules.WEAK_CUTNESS`): the
new view bumps by a few pixels two frames after the cut, a step of a third of the cut's.

Numpy thumbnails, helpers of `test_detect_motion` and `test_detect_weak_cut`.
"""

from __future__ import annotations

import pytest

from segspec.detect import DEFAULT_THRESHOLD
from segspec.detect.frames import THUMB_W
from segspec.detect.rules import WEAK_CUTNESS
from tests.detect.test_detect_light import scores
from tests.detect.test_detect_motion import Luma, run, thumbs
from tests.detect.test_detect_weak_cut import RATES, scene

BUMP = 3
"""Thumbnail pixels the new view jumps by two frames after the cut."""


def bumped(wide: Luma, fps: float, jump: int | None) -> list[Luma]:
    """2 s of a slow drift over the scene, then (`jump` not None) a cut to a view `jump`
    pixels away that bumps by BUMP pixels two frames later and drifts on for 2 s; without
    a cut, the same view bumps at the same frame."""
    n = round(2 * fps)
    out = []
    for k in range(2 * n):
        bump = BUMP if k >= n + 2 else 0
        cut = k >= n and jump is not None
        x = (jump or 0) + (k - n) * 8 // n + bump if cut else k * 8 // n + bump
        out.append(wide[:, :, x : x + THUMB_W])
    return out


@pytest.mark.parametrize("fps", RATES)
def test_weak_cut_into_a_shot_that_bumps_at_once_is_found(fps: float) -> None:
    rows = thumbs(bumped(scene(41, 90.0), fps, THUMB_W + 16), grain=2)
    cut = round(2 * fps)
    sc = scores(rows, fps)
    others = max(sc[k].step for k in range(cut - 3, cut + 4) if k != cut)
    # what the rule is for: a weak step only 2.4-3 times the bump next to it
    assert sc[cut].cut < DEFAULT_THRESHOLD and WEAK_CUTNESS * others <= sc[cut].cut < 4 * others
    assert run(rows, fps) == [(cut, "cut")]


@pytest.mark.parametrize("fps", RATES)
def test_bump_of_a_drifting_view_is_no_boundary(fps: float) -> None:
    assert run(thumbs(bumped(scene(41, 90.0), fps, None), grain=2), fps) == []
