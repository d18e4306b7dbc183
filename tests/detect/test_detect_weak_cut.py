"""A cut between two views of one scene in one palette is still a cut: its change is
weak (the histogram barely moves), but it is one step, alone, carrying the whole change
around it over most of the picture.

Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import numpy as np
import pytest

from segspec.detect import DEFAULT_THRESHOLD
from segspec.detect.frames import THUMB_H, THUMB_W
from segspec.detect.rules import COVER_MIN, WEAK_COVER
from tests.detect.test_detect_light import scores
from tests.detect.test_detect_motion import Luma, run, thumbs

RATES = [24000 / 1001, 25.0, 30000 / 1001, 50.0, 60000 / 1001]


def scene(seed: int, contrast: float) -> Luma:
    """A wide, smooth, low-contrast scene in one palette (sums of slanted sines around
    mid-grey luma, a fixed tint), 3 pictures wide."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:THUMB_H, 0 : 3 * THUMB_W].astype(np.float64)
    wave = np.zeros_like(x)
    for _ in range(4):
        fx, fy = rng.uniform(0.05, 0.25, 2)
        wave += np.sin(fx * x + fy * y + rng.uniform(0, 6.3))
    luma = 128 + contrast * wave / 4
    return np.stack([luma, 120 + 0.1 * (luma - 128), 140 - 0.1 * (luma - 128)])


def views(wide: Luma, fps: float, jump: int) -> list[Luma]:
    """2 s of a slow drift over the scene, then a cut to a view `jump` pixels away
    drifting on for 2 s."""
    n = round(2 * fps)
    drift = [wide[:, :, k * 8 // n : k * 8 // n + THUMB_W] for k in range(n)]
    after = [wide[:, :, jump + k * 8 // n : jump + k * 8 // n + THUMB_W] for k in range(n)]
    return drift + after


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("seed", [41, 42])
@pytest.mark.parametrize("contrast", [60.0, 90.0])
def test_cut_between_two_views_of_one_scene_is_found(
    fps: float, seed: int, contrast: float
) -> None:
    rows = thumbs(views(scene(seed, contrast), fps, THUMB_W + 16), grain=2)
    cut = round(2 * fps)
    # what the rule is for: the change is under the cut threshold
    assert scores(rows, fps)[cut].cut < DEFAULT_THRESHOLD
    found = run(rows, fps)
    assert [f for f, _ in found] == [cut], found


@pytest.mark.parametrize("fps", RATES)
def test_slow_drift_over_the_same_scene_is_no_boundary(fps: float) -> None:
    wide = scene(43, 90.0)
    n = round(4 * fps)
    frames = [wide[:, :, k * 24 // n : k * 24 // n + THUMB_W] for k in range(n)]
    assert run(thumbs(frames, grain=2), fps) == []


@pytest.mark.parametrize("fps", RATES)
def test_cut_between_two_views_sharing_a_floor_is_found(fps: float) -> None:
    """The lower 60% of both views is one unchanging floor: the cut changes only the
    upper part of the picture (under half of the blocks)."""
    pictures = [p.copy() for p in views(scene(41, 90.0), fps, THUMB_W + 16)]
    keep = round(0.6 * THUMB_H)
    floor = scene(44, 90.0)[:, THUMB_H - keep :, :THUMB_W]
    for p in pictures:
        p[:, THUMB_H - keep :, :] = floor
    rows = thumbs(pictures, grain=2)
    cut = round(2 * fps)
    s = scores(rows, fps)[cut]
    # what the rule is for: a weak step over under half of the picture
    assert s.cut < DEFAULT_THRESHOLD and WEAK_COVER <= s.cover < COVER_MIN, s
    assert [f for f, _ in run(rows, fps)] == [cut]
