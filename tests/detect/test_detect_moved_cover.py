"""A dark object coming into a drifting shot and staying is no transition, even though
nearly every block of the drifting shot changes across the first window (`cover` high):
with a block's shift forgiven (`moved`, `rules.MOVED_MIN`) only the object's blocks are
left changed. A dissolve between the same drifting shots is still a boundary.

Numpy thumbnails, helpers of `test_detect_moving_dissolve`.
"""

from __future__ import annotations

import numpy as np
import pytest

from segspec.detect.features import GRID_W, coverage, features, moved_coverage
from segspec.detect.frames import THUMB_W
from segspec.detect.rules import COVER_MIN, MOVED_MIN
from tests.detect.test_detect_light import scores
from tests.detect.test_detect_motion import Luma, run, texture, thumbs
from tests.detect.test_detect_moving_dissolve import drifting_pair, within

RATES = [24000 / 1001, 25.0, 30000 / 1001, 50.0, 60000 / 1001]


def darken(picture: Luma, width: int) -> Luma:
    """The picture with a dark, grey shape over its `width` leftmost columns."""
    out = picture.copy()
    out[0, :, :width] = 18 + 0.15 * out[0, :, :width]
    out[1:, :, :width] = 128 + 0.15 * (out[1:, :, :width] - 128)
    return out


def dissolve_then_object(fps: float) -> tuple[list[Luma], int, int, int, int]:
    """A 0.5 s dissolve between two slowly drifting shots (`drifting_pair`, 0.06 picture
    widths a second), then 0.7 s later a dark shape sliding in from the left over 0.5 s
    to cover 35% of the picture, staying to the end. Returns the pictures, the dissolve's
    first frame and length, the shape's first frame and how long it takes to come in."""
    pics, first, n = drifting_pair(fps, 0.5, 0.06, lambda p: p)
    start, span = first + n + round(0.7 * fps), max(2, int(0.5 * fps))
    out = [
        darken(f, int(THUMB_W * 0.35 * min(1.0, (j - start + 1) / span))) if j >= start else f
        for j, f in enumerate(pics)
    ]
    return out, first, n, start, span


@pytest.mark.parametrize("fps", RATES)
def test_object_entering_a_drifting_shot_after_a_dissolve_is_no_boundary(fps: float) -> None:
    pics, first, n, start, span = dissolve_then_object(fps)
    rows = thumbs(pics, grain=2)
    found = run(rows, fps)
    assert len(found) == 1 and within(found, first, n), found
    # what the rule sees: the drift changes most blocks, the object alone is under half
    middle = scores(rows, fps)[start + span // 2]
    assert middle.cover >= COVER_MIN
    assert middle.moved < MOVED_MIN


def test_moved_coverage_forgives_a_shift_of_one_block_not_a_new_picture() -> None:
    a = texture(41, 2 * THUMB_W)
    shifted = a[:, :, 4 : 4 + THUMB_W]  # one block (4 thumbnail pixels) to the side
    still = a[:, :, :THUMB_W]
    grid = [thumbs_grid(p) for p in (still, shifted, texture(42, THUMB_W))]
    assert coverage(grid[0], grid[1]) >= COVER_MIN
    # only the column that came in at the picture's edge is new
    assert moved_coverage(grid[0], grid[1]) == 1 / GRID_W
    assert moved_coverage(grid[0], grid[2]) >= 0.9
    assert moved_coverage(grid[0], grid[0]) == 0.0


def thumbs_grid(picture: Luma) -> np.ndarray:
    """The block grid (`features.features`) of one picture, without grain."""
    return features(thumbs([picture]))[0][0]
