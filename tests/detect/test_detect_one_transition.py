"""A long dissolve is one boundary, not two (`rules.ONE_SPAN`): the first window (0.8 s)
sees a 2.4 s dissolve's start and its end as two transitions of their own, more than its
reach apart. Midway between them the picture is still changing and the longer window
there sees its middle between its two ends, so only the stronger is kept. Every
`test_long_dissolve_is_one_boundary` case gave two boundaries before the rule.

Two short dissolves with a still shot of a second between them stay two boundaries.
Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import pytest

from tests.detect.test_detect_motion import THUMB_W, dissolve, run, texture, thumbs

RATES = [24000 / 1001, 25.0, 30000 / 1001, 50.0, 60000 / 1001]


@pytest.mark.parametrize("fps", RATES)
def test_long_dissolve_is_one_boundary(fps: float) -> None:
    n, before = round(2.4 * fps), round(2 * fps)
    pics = dissolve(texture(2, THUMB_W), texture(3, THUMB_W), before, n, before)
    found = run(thumbs(pics, grain=2), fps)
    assert len(found) == 1 and before - 2 <= found[0][0] <= before + n + 1, found


@pytest.mark.parametrize("apart", [1.0, 1.2])
@pytest.mark.parametrize("fps", RATES)
def test_two_dissolves_a_second_apart_are_two_boundaries(fps: float, apart: float) -> None:
    n, before, middle = round(0.5 * fps), round(2 * fps), round(apart * fps)
    a, b, c = texture(2, THUMB_W), texture(3, THUMB_W), texture(4, THUMB_W)
    pics = dissolve(a, b, before, n, middle) + dissolve(b, c, 0, n, before)
    found = run(thumbs(pics, grain=2), fps)
    second = before + n + middle
    assert len(found) == 2, found
    assert before - 2 <= found[0][0] <= before + n + 1, found
    assert second - 2 <= found[1][0] <= second + n + 1, found
