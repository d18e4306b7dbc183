"""A dissolve between two moving shots is a dissolve: its middle frames stray outside
the span of the window's two ends (each end has drifted on), by a fifth of the change or
so, but the long-range change is large, the sides are calm next to it and most of the
picture is replaced (`rules.BETWEEN_MAX`).

Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from segspec.detect.frames import THUMB_H, THUMB_W
from tests.detect.test_detect_light import scores
from tests.detect.test_detect_motion import Luma, run, thumbs

RATES = [24000 / 1001, 25.0, 30000 / 1001, 50.0]

OLD_BETWEEN_MAX = 0.15
"""The limit before round 8, which these dissolves exceed."""


def scene(seed: int, tint: tuple[float, float], widths: int = 4) -> Luma:
    """A smooth, contrasty scene (sums of slanted sines), `widths` pictures wide, one tint."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:THUMB_H, 0 : widths * THUMB_W].astype(np.float64)
    wave = np.zeros_like(x)
    for _ in range(5):
        fx, fy = rng.uniform(0.08, 0.4, 2)
        wave += np.sin(fx * x + fy * y + rng.uniform(0, 6.3))
    luma = 128 + 110 * wave / 4
    return np.stack([luma, tint[0] + 0.2 * (luma - 128), tint[1] - 0.2 * (luma - 128)])


def drift(wide: Luma, frames: int, speed: float, backwards: bool = False) -> list[Luma]:
    """A camera drifting smoothly over `wide` at `speed` thumbnail pixels per frame
    (sub-pixel steps interpolated), rightwards or from the right end leftwards."""
    out = []
    for k in range(frames):
        i, f = int(speed * k), speed * k - int(speed * k)
        if backwards:
            i = wide.shape[2] - THUMB_W - 1 - i
            a, b = wide[:, :, i : i + THUMB_W], wide[:, :, i - 1 : i - 1 + THUMB_W]
        else:
            a, b = wide[:, :, i : i + THUMB_W], wide[:, :, i + 1 : i + 1 + THUMB_W]
        out.append(a * (1 - f) + b * f)
    return out


def drifting_pair(
    fps: float, seconds: float, speed: float, share: Callable[[float], float | Luma]
) -> tuple[list[Luma], int, int]:
    """1.5 s of one drifting shot, a transition of `seconds` into another shot drifting
    the other way at the same `speed` (picture widths per second), 1.5 s of it. `share`
    gives the new shot's share of the picture (a number, or one per pixel) at each point
    of the transition, from 0 (not begun) to 1 (over). Returns the pictures, the first
    frame of the transition and its length in frames."""
    n, before = round(seconds * fps), round(1.5 * fps)
    total = 2 * before + n
    a = drift(scene(31, (100, 150)), total, speed * THUMB_W / fps)
    b = drift(scene(32, (150, 100)), total, speed * THUMB_W / fps, backwards=True)
    pics = []
    for k in range(total):
        e = share(min(max((k - before + 1) / (n + 1), 0.0), 1.0))
        pics.append(a[k] * (1 - e) + b[k] * e)
    return pics, before, n


def lone_drift(fps: float, seconds: float, speed: float) -> list[Luma]:
    """`seconds` of the first shot of `drifting_pair` alone, drifting at `speed`."""
    return drift(scene(31, (100, 150)), round(seconds * fps), speed * THUMB_W / fps)


def within(found: list[tuple[int, str]], first: int, n: int) -> bool:
    """Whether every boundary found lies on the transition of `n` frames from `first`
    (from two frames before it to one past the new shot's first frame, `first + n`)."""
    return all(first - 2 <= f <= first + n + 1 for f, _ in found)


def moving_dissolve(fps: float, seconds: float, speed: float) -> tuple[list[Luma], int, int]:
    """A sine-in (eased) dissolve of `seconds` between two drifting shots (`drifting_pair`)."""
    return drifting_pair(fps, seconds, speed, lambda p: 1 - math.cos(math.pi / 2 * p))


@pytest.mark.parametrize("fps", RATES)
def test_eased_dissolve_between_drifting_shots_is_found(fps: float) -> None:
    pics, first, n = moving_dissolve(fps, 1.2, 0.45)
    rows = thumbs(pics, grain=2)
    # what the rule is for: in the middle, the frames stray outside the window's ends
    assert scores(rows, fps)[first + n // 2].between > OLD_BETWEEN_MAX
    found = run(rows, fps)
    assert len(found) == 1 and within(found, first, n), found


@pytest.mark.parametrize("fps", RATES)
def test_drifting_shot_alone_is_no_boundary(fps: float) -> None:
    assert run(thumbs(lone_drift(fps, 4, 0.45), grain=2), fps) == []
