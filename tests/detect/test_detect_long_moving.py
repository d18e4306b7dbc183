"""A 2-2.5 s wipe between two drifting shots is found by the longer window
(`rules.LONG_BETWEEN_MAX`, `rules.LONG_SIDE_RATIO`). Its middle frames stray outside
the span of the longer window's two ends by a quarter to two fifths of the change (both
shots have drifted on over 1.6 s), more than the old limit of 0.15; and a 2.5 s wipe
reaches past the longer window, so the change just outside it is the wipe's own (about
2.5 times smaller, under the old side ratio of 3). Before round 10 none of these cases
gave a boundary. A drifting shot alone still gives none.

Numpy thumbnails, helpers of `test_detect_motion` and `test_detect_moving_dissolve` (the
two drifting shots, `drifting_pair`, are that file's dissolve's).
"""

from __future__ import annotations

import numpy as np
import pytest

from segspec.detect.frames import THUMB_W
from tests.detect.test_detect_light import scores
from tests.detect.test_detect_motion import Luma, run, thumbs
from tests.detect.test_detect_moving_dissolve import drifting_pair, lone_drift, within

RATES = [24000 / 1001, 25.0, 30000 / 1001, 50.0, 60000 / 1001]
SPEED = 0.2
"""Picture widths per second each shot drifts."""
OLD_LONG_BETWEEN_MAX = 0.15
OLD_LONG_SIDE_RATIO = 3.0


def moving_wipe(fps: float, seconds: float) -> tuple[list[Luma], int, int]:
    """A left-to-right wipe of `seconds` between two drifting shots (`drifting_pair`)."""
    x = np.arange(THUMB_W)
    return drifting_pair(
        fps, seconds, SPEED, lambda p: (x < p * THUMB_W).astype(np.float64)[None, None, :]
    )


@pytest.mark.parametrize("fps", RATES)
def test_two_second_wipe_between_drifting_shots_is_one_boundary(fps: float) -> None:
    pics, first, n = moving_wipe(fps, 2.0)
    rows = thumbs(pics, grain=2)
    # what the rule is for: the longer window's middle strays outside its two ends
    assert scores(rows, fps)[first + n // 2].between2 > OLD_LONG_BETWEEN_MAX
    found = run(rows, fps)
    assert len(found) == 1 and within(found, first, n), found


@pytest.mark.parametrize("fps", RATES)
def test_wipe_past_the_longer_window_is_found(fps: float) -> None:
    pics, first, n = moving_wipe(fps, 2.5)
    rows = thumbs(pics, grain=2)
    middle = scores(rows, fps)[first + n // 2]
    assert middle.wide2 < OLD_LONG_SIDE_RATIO * middle.side2  # the side is the wipe's own
    found = run(rows, fps)
    # found, and only inside the wipe (at 25 fps its two halves still give two)
    assert found and within(found, first, n), found


@pytest.mark.parametrize("fps", [24000 / 1001, 50.0, 60000 / 1001])
def test_slowly_drifting_shot_alone_is_no_boundary(fps: float) -> None:
    assert run(thumbs(lone_drift(fps, 5, SPEED), grain=2), fps) == []
