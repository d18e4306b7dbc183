"""The detector on thumbnails drawn in numpy: pans, dissolves and a flat shot, frame-exact.

Thumbnails are fed to `ShotFinder` directly (raw yuv420p 64x36 rows, as the decoders
give them), so each case is exact and takes milliseconds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from segspec.detect import ShotFinder
from segspec.detect.features import features
from segspec.detect.frames import C_SIZE, THUMB_H, THUMB_W
from segspec.detect.rules import MONO_MIN
from segspec.detect.scores import ScoreStream, Timing

Luma = npt.NDArray[np.float64]


def texture(seed: int, width: int) -> Luma:
    """A random blocky picture: Y, U and V planes (3 x THUMB_H x width, values 20..235)."""
    rng = np.random.default_rng(seed)
    coarse = rng.random((3, THUMB_H // 4 + 2, width // 4 + 2))
    big = np.kron(coarse, np.ones((1, 4, 4)))[:, :THUMB_H, :width]
    return 20 + 215 * big


def thumbs(pictures: list[Luma], grain: int = 0) -> npt.NDArray[np.uint8]:
    """Raw yuv420p rows of the given pictures (chroma halved 2x2), with optional grain."""
    rng = np.random.default_rng(7)
    rows = []
    for p in pictures:
        noisy = p + rng.normal(0, grain, p.shape) if grain else p
        planes = np.clip(noisy, 0, 255)
        y = planes[0].astype(np.uint8).ravel()
        uv = planes[1:].reshape(2, THUMB_H // 2, 2, THUMB_W // 2, 2).mean(axis=(2, 4))
        rows.append(np.concatenate([y, uv.astype(np.uint8).ravel()]))
    assert len(rows[0]) == THUMB_W * THUMB_H + 2 * C_SIZE
    return np.stack(rows)


def pan(seed: int, frames: int, speed: float) -> list[Luma]:
    """A camera panning over a wide texture at `speed` thumbnail pixels per frame."""
    wide = texture(seed, THUMB_W + int(speed * frames) + 8)
    return [wide[:, :, int(k * speed) : int(k * speed) + THUMB_W] for k in range(frames)]


def dissolve(a: Luma, b: Luma, before: int, length: int, after: int) -> list[Luma]:
    """`before` frames of a, a linear dissolve of `length` frames, then `after` of b."""
    mid = [a + (b - a) * (i + 1) / (length + 1) for i in range(length)]
    return [a] * before + mid + [b] * after


def run(rows: npt.NDArray[np.uint8], fps: float) -> list[tuple[int, str]]:
    finder = ShotFinder(fps, threshold=0.2, min_shot_seconds=0.5)
    found = []
    for i in range(0, len(rows), 16):
        found += list(finder.push(rows[i : i + 16]))
    found += list(finder.finish())
    return [(b.frame, b.kind) for b in found]


def mono2_at(rows: npt.NDArray[np.uint8], fps: float, frame: int) -> float:
    stream = ScoreStream(Timing.for_fps(fps))
    scores = list(stream.push(*features(rows))) + list(stream.finish())
    return scores[frame].mono2


@pytest.mark.parametrize("fps", [24000 / 1001, 30000 / 1001, 60000 / 1001])
def test_fast_pan_is_one_shot_and_not_monotonic(fps: float) -> None:
    # a pan of one picture width per second over a busy texture, 3 s long
    rows = thumbs(pan(1, round(3 * fps), THUMB_W / fps), grain=2)
    assert run(rows, fps) == []
    assert mono2_at(rows, fps, len(rows) // 2) < 0.5 * MONO_MIN  # measured: about 0.04


@pytest.mark.parametrize("fps", [24000 / 1001, 30000 / 1001, 60000 / 1001])
def test_long_dissolve_is_found_inside_it_and_monotonic(fps: float) -> None:
    # a 1.2 s dissolve between two still textures, 2 s of each shot around it
    length = round(1.2 * fps)
    before = round(2 * fps)
    rows = thumbs(dissolve(texture(2, THUMB_W), texture(3, THUMB_W), before, length, before), 2)
    found = run(rows, fps)
    assert len(found) == 1, found
    assert before - 2 <= found[0][0] <= before + length + 1, found
    assert found[0][1] == "dissolve"
    assert mono2_at(rows, fps, before + length // 2) > 0.9


def test_flat_shot_then_short_dissolve_is_placed_on_the_dissolve() -> None:
    # a flat grey shot dips in spread like a fade's bottom; the change is the 4-frame
    # dissolve after it (frames 75..78 at 29.97 fps), and that is where the cut goes
    fps = 30000 / 1001
    busy, flat = texture(4, THUMB_W), np.full((3, THUMB_H, THUMB_W), 110.0)
    shots = [busy] * 45 + [flat] * 30
    rows = thumbs(shots + dissolve(flat, texture(5, THUMB_W), 0, 4, 60)[0:], grain=1)
    found = run(rows, fps)
    assert [f for f, _ in found if f > 50] and all(74 <= f <= 80 for f, _ in found if f > 50), found


def test_same_thumbnails_give_the_same_boundaries() -> None:
    fps = 50.0
    rows = thumbs(pan(6, 60, 2.0) + dissolve(texture(7, THUMB_W), texture(8, THUMB_W), 60, 30, 90))
    first = run(rows, fps)
    assert first and run(rows.copy(), fps) == first
