"""A fade through black is one boundary, not two (`rules.RAMP_SECONDS`): an eased fade
(the picture darkens fast, then slowly; it comes back slowly, then fast) puts most of its
change at its two ends, and the first window takes its fade-out and its fade-in for two
transitions of their own, under 1.6 s apart. Midway the picture is black, off the line
between the two shots, so `between2` does not join them; the flat frame between them,
with the spread rising from it out to both, does. Every
`test_eased_fade_through_black_is_one_boundary` case gave two boundaries before the rule.

A fade followed a second later by a dissolve stays two boundaries.
Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.detect.test_detect_motion import THUMB_W, Luma, dissolve, run, texture, thumbs

RATES = [24000 / 1001, 25.0, 30000 / 1001, 50.0, 60000 / 1001]
BLACK = np.stack([np.full((36, THUMB_W), v) for v in (16.0, 128.0, 128.0)])


def eased_fade(a: Luma, b: Luma, fps: float, hold: float) -> tuple[list[Luma], int, int]:
    """1.5 s of a, 0.6 s fading out to black (fast, then slowly), `hold` s of black,
    0.6 s fading in to b (slowly, then fast), 1.5 s of b."""
    n, before, black = round(0.6 * fps), round(1.5 * fps), round(hold * fps)
    ramp = [(k + 1) / (n + 1) for k in range(n)]
    out = [a * (1 - e**0.5) + BLACK * e**0.5 for e in ramp]
    back = [BLACK * (1 - e**2) + b * e**2 for e in ramp]
    pics = [a] * before + out + [BLACK] * black + back + [b] * before
    return pics, before, 2 * n + black


@pytest.mark.parametrize("hold", [0.0, 0.3])
@pytest.mark.parametrize("fps", RATES)
def test_eased_fade_through_black_is_one_boundary(fps: float, hold: float) -> None:
    pics, first, n = eased_fade(texture(2, THUMB_W), texture(3, THUMB_W), fps, hold)
    found = run(thumbs(pics, grain=2), fps)
    assert len(found) == 1 and first - 2 <= found[0][0] <= first + n + 1, found


@pytest.mark.parametrize("fps", RATES)
def test_fade_then_dissolve_a_second_later_are_two_boundaries(fps: float) -> None:
    b = texture(3, THUMB_W)
    pics, first, n = eased_fade(texture(2, THUMB_W), b, fps, 0.0)
    shot, d = round(1.0 * fps), round(0.5 * fps)
    pics = pics[: first + n] + dissolve(b, texture(4, THUMB_W), shot, d, round(1.5 * fps))
    found = run(thumbs(pics, grain=2), fps)
    second = first + n + shot
    assert len(found) == 2, found
    assert first - 2 <= found[0][0] <= first + n + 1, found
    assert second - 2 <= found[1][0] <= second + d + 1, found
