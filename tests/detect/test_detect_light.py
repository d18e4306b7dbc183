"""Brightness events on numpy thumbnails: lightning is no boundary, a fade through white is.

Lightning (a sudden bluish brightening that decays over a few tenths of a second) makes
a step as big as a cut, but the picture comes back; a fade through white and a cut to a
brighter picture do not come back. Helpers are the numpy-thumbnail ones of
`test_detect_motion`.
"""

from __future__ import annotations

import numpy as np
import pytest

from segspec.detect.features import features
from segspec.detect.frames import THUMB_H, THUMB_W
from segspec.detect.rules import RETURN_SHARE
from segspec.detect.scores import FrameScores, ScoreStream, Timing
from tests.detect.test_detect_motion import Luma, run, texture, thumbs

RATES = [24000 / 1001, 30000 / 1001, 60000 / 1001]
LIGHT = np.array([150.0, 150.0, 190.0])[:, None, None]  # Y up, V (red-difference) up less


def lightning(shot: Luma, fps: float, before: int, frames: int) -> list[Luma]:
    """`before` plain frames, then light striking at once and decaying (tau 0.1 s)."""
    tau = 0.1 * fps
    lit = [shot + LIGHT * np.exp(-(j - before) / tau) for j in range(before, frames)]
    return [shot] * before + lit


def switched_off(shot: Luma, fps: float, before: int, tau_seconds: float) -> list[Luma]:
    """Lightning whose light is switched off after three time constants: the picture
    steps back by the last twentieth of the light (7-10 levels) in one frame."""
    tau = tau_seconds * fps
    last = before + int(3 * tau)
    lit = [shot + LIGHT * np.exp(-(j - before) / tau) for j in range(before, last + 1)]
    return [shot] * before + lit + [shot] * round(2 * fps)


def pale_sky(fps: float, frames: int, rise: float) -> list[Luma]:
    """A pale, low-contrast gradient whose luma rises by `rise` levels a second."""
    x = np.linspace(0.0, 1.0, THUMB_W)[None, :]
    y = np.linspace(0.0, 1.0, THUMB_H)[:, None]
    sky = []
    for k in range(frames):
        p = np.zeros((3, THUMB_H, THUMB_W))
        p[0] = 150 + 40 * x + 20 * y + rise * k / fps
        p[1], p[2] = 110 + 20 * y, 140 + 10 * x
        sky.append(p)
    return sky


def fade_through(a: Luma, b: Luma, level: float, out: int, into: int) -> list[Luma]:
    """a fades to a flat `level` over `out` frames, then b fades in from it over `into`."""
    flat = np.full((3, THUMB_H, THUMB_W), 128.0)
    flat[0] = level
    down = [a + (flat - a) * (i + 1) / out for i in range(out)]
    up = [flat + (b - flat) * (i + 1) / into for i in range(into)]
    return down + up


def scores(rows: np.ndarray, fps: float) -> list[FrameScores]:
    stream = ScoreStream(Timing.for_fps(fps), gate=0.2)
    return list(stream.push(*features(rows))) + list(stream.finish())


@pytest.mark.parametrize("fps", RATES)
def test_lightning_is_no_boundary(fps: float) -> None:
    onset = round(1.5 * fps)
    rows = thumbs(lightning(texture(11, THUMB_W), fps, onset, round(3.5 * fps)), grain=2)
    assert run(rows, fps) == []
    # what the rule sees: a step as big as a cut whose picture comes back
    s = scores(rows, fps)[onset]
    assert s.cut >= 0.2 and s.back < RETURN_SHARE * s.cut, s


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("tau", [0.05, 0.09, 0.13])
def test_lightning_switched_off_at_the_end_of_its_decay_is_no_boundary(
    fps: float, tau: float
) -> None:
    onset = round(1.5 * fps)
    rows = thumbs(switched_off(texture(19, THUMB_W), fps, onset, tau), grain=2)
    assert run(rows, fps) == []
    # where the switch-off is a step as big as a cut, the picture after it is the one
    # from before the light struck
    end = onset + int(3 * tau * fps) + 1
    s = scores(rows, fps)[end]
    assert s.cut < 0.2 or s.back < RETURN_SHARE * s.cut, s


@pytest.mark.parametrize("fps", RATES)
def test_lightning_flooding_a_pale_scene_to_a_flat_frame_is_no_fade(fps: float) -> None:
    sky = pale_sky(fps, round(3.5 * fps), rise=40.0)
    onset, tau = round(1.5 * fps), 0.05 * fps
    last = onset + int(3 * tau)
    for j in range(onset, last + 1):
        sky[j] = sky[j] + LIGHT * np.exp(-(j - onset) / tau)
    rows = thumbs(sky, grain=2)
    s = scores(rows, fps)[onset]
    assert s.spread < 1.0 and s.wide >= 0.2, s  # what the fade test sees: a flat frame
    assert run(rows, fps) == []


@pytest.mark.parametrize("fps", RATES)
def test_fade_through_white_is_still_a_boundary(fps: float) -> None:
    a, b = texture(12, THUMB_W), texture(13, THUMB_W)
    hold = round(1.5 * fps)
    half = round(0.3 * fps)
    rows = thumbs([a] * hold + fade_through(a, b, 235.0, half, half) + [b] * hold, grain=2)
    found = run(rows, fps)
    assert len(found) == 1, found
    assert hold + half - 3 <= found[0][0] <= hold + half + 3, found


@pytest.mark.parametrize("fps", RATES)
def test_quick_dip_to_white_and_a_cut_to_a_brighter_picture_are_boundaries(fps: float) -> None:
    dark, bright = 0.4 * texture(14, THUMB_W), np.minimum(texture(15, THUMB_W) + 60, 235)
    other = texture(16, THUMB_W)
    hold = round(1.5 * fps)
    white = np.full((3, THUMB_H, THUMB_W), 128.0)
    white[0] = 235.0
    rows = thumbs([dark] * hold + [bright] * hold + [white] * 2 + [other] * hold, grain=2)
    found = [f for f, _ in run(rows, fps)]
    assert len(found) == 2, found
    assert found[0] == hold, found
    assert 2 * hold - 1 <= found[1] <= 2 * hold + 3, found


def test_lightning_gives_the_same_scores_and_boundaries_twice() -> None:
    fps = 25.0
    shots = lightning(texture(17, THUMB_W), fps, 30, 80) + [texture(18, THUMB_W)] * 40
    rows = thumbs(shots, grain=2)
    first = run(rows, fps)
    assert first == [(80, "cut")]
    assert run(rows.copy(), fps) == first
    assert [s.back for s in scores(rows, fps)] == [s.back for s in scores(rows.copy(), fps)]
