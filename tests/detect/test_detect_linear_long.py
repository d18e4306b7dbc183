"""Linear transitions of 2-3 s between still shots are one boundary at every frame rate.

Two rules of round 11 make them so:

- `rules.LATE_SPAN`: the first window (0.8 s) sees a 3 s dissolve's (or fade's) start
  and its end as two transitions of their own, 1.7-1.8 s apart, past ONE_SPAN (1.6 s),
  after the first has been given out. The later one is dropped when the ONE_SPAN tests
  hold midway between them. Without it a 3 s dissolve gave two boundaries at 23.976, 24,
  50, 59.94 and 60 fps, a 3 s fade through black two at 23.976 and 24 fps.
- the fade rule's change is the larger of `wide` and `wide2`: at a 3 s fade's black
  frame, the frames 0.4 s away on both sides are both dim and alike to under the
  threshold, so no fade was found (and the first window's two halves failed their side
  test): no boundary at 50, 59.94 and 60 fps (through white: at 50 fps).

The longer window's change makes a black frame a fade's bottom only where the spread
ramps up from it for 0.8 s on both sides (`rules.LONG_FADE_STEPS`): a drifting shot dipping
to black for 0.2 s gave a fade without it. Two short dissolves with a still shot of 1.2 s
between them stay two boundaries. (`rules.LATE_BETWEEN` and `rules.LATE_DIM`, which keep
the late join off two transitions of moving shots 1.7-2 s apart, were set on tuning
material; no generated case here needs them.)
Numpy thumbnails, helpers of `test_detect_motion`.
"""

from __future__ import annotations

import numpy as np
import pytest

from segspec.detect import decide, spans
from segspec.detect.rules import FLAT
from tests.detect.test_detect_light import fade_through, scores
from tests.detect.test_detect_motion import THUMB_H, THUMB_W, Luma, dissolve, run, texture, thumbs
from tests.detect.test_detect_moving_dissolve import drift, scene

RATES = [24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 50.0, 60000 / 1001, 60.0]
BLACK, WHITE = 16.0, 235.0
THRESHOLD = 0.2  # `run`'s


def linear_fade(a: Luma, b: Luma, level: float, before: int, n: int) -> list[Luma]:
    """`before` frames of a; over n frames, a linear fade to a flat `level` and from it
    to b (one flat frame in the middle); `before` frames of b."""
    flat = np.full((3, THUMB_H, THUMB_W), 128.0)
    flat[0] = level
    out = n // 2
    into = n - out - 1
    down = [a + (flat - a) * (i + 1) / (out + 1) for i in range(out)]
    up = [flat + (b - flat) * (i + 1) / (into + 1) for i in range(into)]
    return [a] * before + down + [flat] + up + [b] * before


def wipe(a: Luma, b: Luma, before: int, n: int) -> list[Luma]:
    """A left-to-right linear wipe of n frames from a to b."""
    x = np.arange(THUMB_W)
    mid = []
    for k in range(n):
        mask = (x < (k + 1) / (n + 1) * THUMB_W).astype(np.float64)[None, None, :]
        mid.append(a * (1 - mask) + b * mask)
    return [a] * before + mid + [b] * before


def transition(kind: str, fps: float, seconds: float) -> tuple[list[Luma], int, int]:
    n, before = round(seconds * fps), round(2 * fps)
    a, b = texture(2, THUMB_W), texture(3, THUMB_W)
    if kind == "dissolve":
        return dissolve(a, b, before, n, before), before, n
    if kind == "wipe":
        return wipe(a, b, before, n), before, n
    return linear_fade(a, b, BLACK if kind == "black" else WHITE, before, n), before, n


def one_inside(kind: str, fps: float, seconds: float) -> list[tuple[int, str]]:
    pics, first, n = transition(kind, fps, seconds)
    found = run(thumbs(pics, grain=2), fps)
    assert len(found) == 1 and first - 2 <= found[0][0] <= first + n + 1, found
    return found


@pytest.mark.parametrize("seconds", [2.0, 2.5, 3.0])
@pytest.mark.parametrize("kind", ["dissolve", "black", "white", "wipe"])
@pytest.mark.parametrize("fps", RATES)
def test_linear_transition_of_two_to_three_seconds_is_one_boundary(
    fps: float, kind: str, seconds: float
) -> None:
    one_inside(kind, fps, seconds)


@pytest.mark.parametrize("fps", [24000 / 1001, 50.0, 60000 / 1001])
def test_three_second_dissolve_needs_the_late_join(
    fps: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_inside("dissolve", fps, 3.0)
    monkeypatch.setattr(decide, "LATE_SPAN", 0.0)  # what the rule is for
    pics, _, _ = transition("dissolve", fps, 3.0)
    assert len(run(thumbs(pics, grain=2), fps)) == 2


@pytest.mark.parametrize("fps", [50.0, 60000 / 1001])
def test_three_second_fade_through_black_is_found_by_the_longer_window(fps: float) -> None:
    found = one_inside("black", fps, 3.0)
    assert found[0][1] == "fade"
    # what the rule is for: at the black frame the first window's ends are alike
    pics, first, n = transition("black", fps, 3.0)
    bottom = scores(thumbs(pics, grain=2), fps)[first + n // 2]
    assert bottom.spread <= FLAT and bottom.wide < THRESHOLD <= bottom.wide2


def dip_to_black(fps: float, seconds: float) -> list[Luma]:
    """4 s of a shot drifting at 0.2 picture widths a second that dips to black and back
    (linearly, `seconds` long) in its middle: the lights going out for a moment."""
    total = round(4 * fps)
    shot = drift(scene(31, (100, 150)), total, 0.2 * THUMB_W / fps)
    black = np.full((3, THUMB_H, THUMB_W), 128.0)
    black[0] = BLACK
    mid, half = total // 2, max(1, round(seconds * fps / 2))
    gains = [min(1.0, abs(k - mid) / half) for k in range(total)]
    return [p * g + black * (1 - g) for p, g in zip(shot, gains, strict=True)]


@pytest.mark.parametrize("fps", [24000 / 1001, 25.0])
def test_dip_to_black_in_a_drifting_shot_is_no_fade(
    fps: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = thumbs(dip_to_black(fps, 0.2), grain=2)
    assert run(rows, fps) == []
    # what `rules.LONG_FADE_STEPS` is for: without the long ramps the longer window's
    # change (the drift over 1.6 s) made the black frame a fade's bottom
    monkeypatch.setattr(spans, "LONG_FADE_STEPS", 0)
    assert len(run(rows, fps)) == 1


@pytest.mark.parametrize("seconds", [2.0, 2.5, 3.0])
@pytest.mark.parametrize("level", [BLACK, WHITE])
@pytest.mark.parametrize("fps", RATES)
def test_fade_reaching_its_flat_level_halfway_is_one_boundary(
    fps: float, level: float, seconds: float
) -> None:
    # `fade_through`: no frame held flat, the flat level reached at the fade-out's end;
    # at main the 3 s fade through black gave two boundaries at 25 fps, none at 50-60
    n, before = round(seconds * fps), round(2 * fps)
    a, b = texture(2, THUMB_W), texture(3, THUMB_W)
    pics = [a] * before + fade_through(a, b, level, n // 2, n - n // 2) + [b] * before
    found = run(thumbs(pics, grain=2), fps)
    assert len(found) == 1 and before - 2 <= found[0][0] <= before + n + 1, found
