"""A weak cut into a view that starts to move a few frames later is still a cut
(`rules.WEAK_WHOLE`): the camera move inflates the 0.8 s change around the cut (`wide`),
so the cut carries only 0.66-0.76 of it, as family 3's similar-palette cuts next to a zoom
or a pan do.

Numpy thumbnails, helpers of `test_detect_motion` and `test_detect_weak_cut`.
"""

from __future__ import annotations

import pytest

from segspec.detect import DEFAULT_THRESHOLD
from segspec.detect.frames import THUMB_W
from segspec.detect.rules import WEAK_WHOLE
from tests.detect.test_detect_light import scores
from tests.detect.test_detect_motion import Luma, run, thumbs
from tests.detect.test_detect_weak_cut import RATES, scene

DELAY = 3
"""Frames after the cut before the camera moves."""


def moved(wide: Luma, fps: float, cut: bool) -> list[Luma]:
    """2 s of a slow drift over the scene, then (`cut`) a cut to a view a picture width
    and 24 pixels away; DELAY frames later the camera pans 1 pixel a frame (at 25 fps:
    25 pixels a second) for 0.5 s, then holds. Without a cut, the same pan over the
    first view."""
    n, speed, length = round(2 * fps), 25 / fps, round(0.5 * fps)
    out = []
    for k in range(2 * n):
        move = int(min(max(0, k - n - DELAY), length) * speed)
        x = THUMB_W + 24 + move if cut and k >= n else min(k, n) * 8 // n + move
        out.append(wide[:, :, x : x + THUMB_W])
    return out


@pytest.mark.parametrize("fps", RATES)
def test_weak_cut_into_a_view_that_starts_to_move_is_found(fps: float) -> None:
    rows = thumbs(moved(scene(41, 90.0), fps, True), grain=2)
    cut = round(2 * fps)
    s = scores(rows, fps)[cut]
    # what the rule is for: a weak cut carrying well under 0.8 of the change around it
    assert s.cut < DEFAULT_THRESHOLD and WEAK_WHOLE * s.wide <= s.cut < 0.8 * s.wide, s
    assert run(rows, fps) == [(cut, "cut")]


@pytest.mark.parametrize("fps", RATES)
def test_pan_starting_in_a_drifting_view_is_no_boundary(fps: float) -> None:
    assert run(thumbs(moved(scene(41, 90.0), fps, False), grain=2), fps) == []
