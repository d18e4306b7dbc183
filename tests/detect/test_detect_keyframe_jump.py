"""A sudden change that moves the whole picture by one offset is no cut
(`rules.UNIFORM_SHARE`): an encoder's keyframe can shift every block of a textured picture
by a few units of luma and chroma at once, pushing most pixels across a coarse
colour-histogram bin, so the step scores as a cut. A cut between two flat pictures is a
uniform offset too, and stays a cut (`rules.UNIFORM_SPREAD`).

Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import numpy as np
import pytest

from segspec.detect import DEFAULT_THRESHOLD
from segspec.detect.frames import THUMB_H, THUMB_W
from segspec.detect.rules import (
    UNIFORM_SHARE,
    UNIFORM_SPREAD,
    WEAK_COVER,
    WEAK_SHARE,
    WEAK_SHIFT,
)
from tests.detect.test_detect_light import scores
from tests.detect.test_detect_motion import Luma, run, texture, thumbs
from tests.detect.test_detect_weak_cut import scene

RATES = [24000 / 1001, 25.0, 30000 / 1001, 50.0, 60000 / 1001]
JUMP = np.array([14.0, 8.0, 6.0])[:, None, None]
"""The keyframe's offset: Y +14, U +8, V +6 (0..255 units) over the whole picture."""


def jumped(pictures: list[Luma], at: int) -> list[Luma]:
    return [p + JUMP if k >= at else p for k, p in enumerate(pictures)]


def drift(fps: float, seed: int = 44, contrast: float = 90.0) -> list[Luma]:
    """4 s of a smooth scene (`test_detect_weak_cut.scene`) drifting 16 pixels."""
    wide, n = scene(seed, contrast), round(4 * fps)
    return [wide[:, :, k * 16 // n : k * 16 // n + THUMB_W] for k in range(n)]


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("moving", [False, True])
def test_keyframe_colour_jump_is_no_boundary(fps: float, moving: bool) -> None:
    shot = drift(fps) if moving else [texture(5, THUMB_W)] * round(4 * fps)
    at = len(shot) // 2 + len(shot) // 32  # between two of the drift's 1-pixel steps
    rows = thumbs(jumped(shot, at), grain=2)
    s = scores(rows, fps)[at]
    # what the rule is for: a step as big as a cut, and one offset to within a few units
    assert s.cut >= DEFAULT_THRESHOLD and s.shift <= 0.5 * UNIFORM_SHARE * s.spread, s
    assert run(rows, fps) == []


@pytest.mark.parametrize("fps", RATES)
def test_cut_between_two_textures_is_still_found(fps: float) -> None:
    n = round(2 * fps)
    rows = thumbs([texture(5, THUMB_W)] * n + [texture(6, THUMB_W) + JUMP] * n, grain=2)
    assert run(rows, fps) == [(n, "cut")]


@pytest.mark.parametrize("fps", RATES)
def test_cut_between_two_flat_pictures_is_still_found(fps: float) -> None:
    n = round(2 * fps)
    flat = np.full((3, THUMB_H, THUMB_W), 128.0)
    dark, light = flat - np.array([60.0, 0.0, 0.0])[:, None, None], flat + 3 * JUMP
    rows = thumbs([dark] * n + [light] * n, grain=2)
    assert run(rows, fps) == [(n, "cut")]


TINT = np.array([6.0, 5.0, 4.0])[:, None, None]
"""A weak keyframe offset: Y +6, U +5, V +4."""


@pytest.mark.parametrize("fps", RATES)
def test_weak_colour_jump_of_a_dim_picture_is_no_weak_cut(fps: float) -> None:
    shot = drift(fps, seed=45, contrast=20.0)
    n = len(shot)
    at = n // 2 + n // 32
    rows = thumbs([p + TINT if k >= at else p for k, p in enumerate(shot)], grain=2)
    s = scores(rows, fps)[at]
    # what the rule is for: a weak step over the whole picture, in a picture too dim for
    # UNIFORM_SHARE, that moves every block by about one offset
    assert WEAK_SHARE * DEFAULT_THRESHOLD <= s.cut < DEFAULT_THRESHOLD, s
    assert s.spread < UNIFORM_SPREAD and s.shift < WEAK_SHIFT and s.cover >= WEAK_COVER, s
    assert run(rows, fps) == []
