"""The composition grid and small drawing helpers of family 3: colours, glyph text
and a box blur."""

from __future__ import annotations

from typing import Any

import numpy as np

CW, CH = 512, 288  # composition size
Arr = Any  # numpy arrays (the benchmarks are not type-checked against numpy's stubs)
Rng = np.random.Generator

YY, XX = np.mgrid[0:CH, 0:CW].astype(np.float32)
X0, Y0 = XX - CW / 2, YY - CH / 2


def random_colour(rng: Rng, lo: float = 0, hi: float = 255) -> Arr:
    return rng.uniform(lo, hi, 3).astype(np.float32)


# ---------------------------------------------------------------- glyph text


def glyph_font(rng: Rng) -> Arr:
    """24 glyphs of 7x5 cells, each the union of 2-4 strokes."""
    strokes = np.zeros((8, 7, 5), bool)
    strokes[0, :, 0] = strokes[1, :, 4] = strokes[2, :, 2] = True
    strokes[3, 0, :] = strokes[4, 3, :] = strokes[5, 6, :] = True
    for i in range(5):
        strokes[6, min(6, round(i * 1.5)), i] = strokes[7, min(6, round(i * 1.5)), 4 - i] = True
    font = np.zeros((24, 7, 5), bool)
    for g in range(24):
        for s in rng.choice(8, int(rng.integers(2, 5)), replace=False):
            font[g] |= strokes[s]
    return font


def glyph_line(rng: Rng, font: Arr, width: int, scale: int) -> Arr:
    """A line of glyph 'words' at most `width` pixels wide (bool mask, 7*scale high)."""
    cols: list[Arr] = []
    used = 0
    while True:
        word = [font[int(g)] for g in rng.integers(0, len(font), int(rng.integers(2, 8)))]
        w = (len(word) * 6 + 3) * scale
        if used + w > width:
            break
        for g in word:
            cols += [g, np.zeros((7, 1), bool)]
        cols.append(np.zeros((7, 3), bool))
        used += w
    if not cols:
        return np.zeros((7 * scale, 1), bool)
    line = np.concatenate(cols, axis=1)
    return np.repeat(np.repeat(line, scale, 0), scale, 1)


def paste(mask: Arr, part: Arr, y: int, x: int) -> None:
    h = min(part.shape[0], mask.shape[0] - y)
    w = min(part.shape[1], mask.shape[1] - x)
    if h > 0 and w > 0:
        mask[y : y + h, x : x + w] |= part[:h, :w]


def box_blur(f: Arr, r: int, axis: int) -> Arr:
    """Box blur of radius r along one axis (motion blur of a straight move)."""
    if r < 1:
        return f
    pad = [(r + 1, r) if a == axis else (0, 0) for a in range(3)]
    c = np.cumsum(np.pad(f, pad, mode="edge"), axis=axis)
    n = f.shape[axis]
    hi = np.take(c, np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis)
    return (hi - np.take(c, np.arange(0, n), axis=axis)) / (2 * r + 1)
