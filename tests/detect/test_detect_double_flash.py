"""A camera flash fired twice, 3 frames apart, next to a short dissolve: the dissolve is
still found inside its frames (`scores.FLASH_SHIFT`). Both flash frames used to fall on
the far ends of both pairs that made `wide`, so `wide` spiked there, the spike became the
plateau's peak and the dissolve's own candidate was no longer its middle: every
`test_dissolve_next_to_a_double_flash_is_found` case here missed it before the third pair.

Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.detect.test_detect_motion import Luma, dissolve, run, texture, thumbs

RATES = [24000 / 1001, 25.0, 30000 / 1001, 50.0, 60000 / 1001]


def flash(p: Luma) -> Luma:
    """One overexposed frame: luma pushed towards white, colour kept."""
    out = p.copy()
    out[0] = np.clip(p[0] * 0.3 + 200, 0, 255)
    return out


def flashed_dissolve(fps: float, gap: int, after: bool) -> tuple[list[Luma], int, int]:
    """2 s of a still shot, a 0.5 s linear dissolve, 2 s of another still shot; two
    flash frames 3 frames apart, `gap` frames after the dissolve's end (or before its start)."""
    n, before = round(0.5 * fps), round(2 * fps)
    pics = dissolve(texture(2, 64), texture(3, 64), before, n, round(2 * fps))
    p = before + n + gap if after else before - gap - 3
    for q in (p, p + 3):
        pics[q] = flash(pics[q])
    return pics, before, n


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("after", [True, False])
def test_dissolve_next_to_a_double_flash_is_found(fps: float, after: bool) -> None:
    pics, first, n = flashed_dissolve(fps, 6, after)
    found = run(thumbs(pics, grain=2), fps)
    assert len(found) == 1 and first - 2 <= found[0][0] <= first + n + 1, found


@pytest.mark.parametrize("fps", RATES)
def test_double_flash_alone_is_no_boundary(fps: float) -> None:
    pics = [texture(2, 64)] * round(3 * fps)
    for q in (round(1.5 * fps), round(1.5 * fps) + 3):
        pics[q] = flash(pics[q])
    assert run(thumbs(pics, grain=2), fps) == []
