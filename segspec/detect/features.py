"""Per-frame features and the distance between two frames.

Each frame becomes a 16x9 grid of block means for Y, U and V (432 numbers) and a joint
colour histogram (8 luma x 4 x 4 chroma bins). Block means are coarse enough that noise,
grain and small motion barely move them, yet a change of picture moves many at once; the
histogram ignores where colours are, so camera motion changes it little while a new shot
changes it a lot. The distance mixes the two.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from segspec.detect.frames import C_SIZE, THUMB_H, THUMB_W, Y_SIZE

GRID_W, GRID_H = 16, 9
HIST_BINS = 8 * 4 * 4
LUMA_BLOCKS = GRID_W * GRID_H
"""The first LUMA_BLOCKS numbers of a frame's grid are its luma block means."""

Floats = npt.NDArray[np.float32]

COVER_LEVEL = 12.0
"""Change of a block (luma + both chroma means, 0..255 units each) that counts as changed
in `coverage`: well above grain, well below a new picture's."""


def features(chunk: npt.NDArray[np.uint8]) -> tuple[Floats, Floats, Floats]:
    """Features of a chunk of raw yuv420p thumbnails (shape (n, FRAME_BYTES)).

    Returns `(grid, hist, spread)`: block means (n, 432) in 0..255, normalised histograms
    (n, 128) summing to 1, and each frame's luma spread (standard deviation of its block
    means, n), which is near 0 for a uniform (black, white or flat) picture.
    """
    n = len(chunk)
    y = chunk[:, :Y_SIZE].reshape(n, THUMB_H, THUMB_W).astype(np.float32)
    cw, ch = THUMB_W // 2, THUMB_H // 2
    u = chunk[:, Y_SIZE : Y_SIZE + C_SIZE].reshape(n, ch, cw).astype(np.float32)
    v = chunk[:, Y_SIZE + C_SIZE :].reshape(n, ch, cw).astype(np.float32)
    by, bc = THUMB_W // GRID_W, cw // GRID_W
    gy = y.reshape(n, GRID_H, by, GRID_W, by).mean(axis=(2, 4))
    gu = u.reshape(n, GRID_H, bc, GRID_W, bc).mean(axis=(2, 4))
    gv = v.reshape(n, GRID_H, bc, GRID_W, bc).mean(axis=(2, 4))
    grid = np.concatenate([gy.reshape(n, -1), gu.reshape(n, -1), gv.reshape(n, -1)], axis=1)
    # histogram on the chroma-resolution grid: luma averaged 2x2 to line up with U and V
    y2 = y.reshape(n, ch, 2, cw, 2).mean(axis=(2, 4))
    codes = (
        (np.minimum(y2, 255).astype(np.int32) >> 5) * 16
        + (u.astype(np.int32) >> 6) * 4
        + (v.astype(np.int32) >> 6)
    ).reshape(n, -1)
    offsets = (np.arange(n, dtype=np.int32) * HIST_BINS)[:, None]
    counts = np.bincount((codes + offsets).ravel(), minlength=n * HIST_BINS)
    hist = (counts.reshape(n, HIST_BINS) / codes.shape[1]).astype(np.float32)
    spread = gy.reshape(n, -1).std(axis=1).astype(np.float32)
    return grid.astype(np.float32), hist, spread


def _mean(values: Floats) -> float:
    """`float(values.mean())` of a 1-D float array, bit for bit, without `np.mean`'s
    Python-level overhead (most of the cost at 432 numbers): like it, sum in the array's
    own type (pairwise, `np.add.reduce`), divide by the count in float64 and round back
    to that type."""
    return float(values.dtype.type(float(np.add.reduce(values)) / len(values)))


def distance(grid_a: Floats, hist_a: Floats, grid_b: Floats, hist_b: Floats) -> float:
    """How different two frames look, 0 (same) .. about 1 (nothing in common).

    The mean block difference (scaled so that a typical cut gives ~0.5-1) and the
    histogram distance (half the L1 norm, in 0..1) are averaged.
    """
    diff = np.subtract(grid_a, grid_b)
    pix = _mean(np.abs(diff, out=diff)) / 64.0
    return 0.5 * (min(pix, 1.0) + hist_distance(hist_a, hist_b))


def hist_distance(hist_a: Floats, hist_b: Floats) -> float:
    """Half the L1 norm between two normalised colour histograms (0 same .. 1 disjoint)."""
    hdiff = np.subtract(hist_a, hist_b)
    return 0.5 * float(np.add.reduce(np.abs(hdiff, out=hdiff)))


def nearest(grids_a: Floats, hists_a: Floats, grids_b: Floats, hists_b: Floats) -> float:
    """The smallest `distance` between any frame of one set and any frame of another.

    Each set is stacked (frames x features); computed in one pass over every pair.
    """
    pix = np.abs(grids_a[:, None, :] - grids_b[None, :, :]).mean(axis=2) / 64.0
    hist = 0.5 * np.abs(hists_a[:, None, :] - hists_b[None, :, :]).sum(axis=2)
    return float((0.5 * (np.minimum(pix, 1.0) + hist)).min())


def coverage(grid_a: Floats, grid_b: Floats) -> float:
    """Share of the picture's blocks that differ between two frames by more than
    COVER_LEVEL (luma and chroma changes added): near 1 when one picture replaced another,
    about the object's share when an object came into a shot that stayed."""
    diff = np.subtract(grid_b, grid_a)
    change = np.add.reduce(np.abs(diff, out=diff).reshape(3, LUMA_BLOCKS), axis=0)
    return np.count_nonzero(change > COVER_LEVEL) / LUMA_BLOCKS


def _neighbours() -> npt.NDArray[np.intp]:
    """For each of the 3 x 3 offsets, the block each block's neighbour at that offset is
    (clamped at the picture's edges): shape (9, LUMA_BLOCKS), into one channel's blocks."""
    rows, cols = np.divmod(np.arange(LUMA_BLOCKS), GRID_W)
    return np.stack([
        np.clip(rows + dy, 0, GRID_H - 1) * GRID_W + np.clip(cols + dx, 0, GRID_W - 1)
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    ])  # fmt: skip


NEIGHBOURS = _neighbours()


def moved_coverage(grid_a: Floats, grid_b: Floats) -> float:
    """`coverage`, but a block of `grid_b` counts as changed only when it differs by more
    than COVER_LEVEL (luma and chroma changes added) from every block of `grid_a` within
    one block of its place (edges clamped): a shot's camera drift of up to a block moves
    its content without changing it, while a new picture matches none of the old blocks
    nearby, and an object that came into the shot matches none where it now is."""
    near = np.take(grid_a.reshape(3, LUMA_BLOCKS), NEIGHBOURS, axis=1)  # (3, 9, blocks)
    np.subtract(near, grid_b.reshape(3, 1, LUMA_BLOCKS), out=near)
    np.abs(near, out=near)
    change = near[0] + near[1]
    change += near[2]
    return np.count_nonzero(np.minimum.reduce(change, axis=0) > COVER_LEVEL) / LUMA_BLOCKS


def out_of_range(grid_a: Floats, grid_b: Floats, grid_mid: Floats) -> float:
    """How far a middle frame lies outside the span between two end frames, per block.

    A dissolve or a wipe builds every block of its middle frames from the two ends, so
    they stay between them; motion or an object crossing puts content in the middle that
    neither end has. Returned relative to how far apart the ends are (0 = fully between).
    """
    below = np.minimum(grid_a, grid_b)
    np.subtract(below, grid_mid, out=below)
    np.maximum(below, 0, out=below)
    above = np.maximum(grid_a, grid_b)
    np.subtract(grid_mid, above, out=above)
    np.maximum(above, 0, out=above)
    diff = np.subtract(grid_a, grid_b)
    span = _mean(np.abs(diff, out=diff)) + 1.0
    return _mean(np.add(below, above, out=below)) / span


def out_of_range_rows(grid_a: Floats, grid_b: Floats, grids_mid: Floats) -> npt.NDArray[np.float64]:
    """`out_of_range(grid_a, grid_b, m)` for every row m of `grids_mid` (frames x 432) in one
    pass, bit for bit: each row is summed on its own (`np.add.reduce` along it), divided
    by the count in float64 and rounded to float32 as `_mean` does. Returned as float64."""
    below = np.minimum(grid_a, grid_b) - grids_mid
    np.maximum(below, 0, out=below)
    above = grids_mid - np.maximum(grid_a, grid_b)
    np.maximum(above, 0, out=above)
    np.add(below, above, out=below)
    count = below.shape[1]
    sums: npt.NDArray[np.float64] = np.add.reduce(below, axis=1).astype(np.float64)
    means = (sums / count).astype(below.dtype).astype(np.float64)
    diff = np.subtract(grid_a, grid_b)
    span = _mean(np.abs(diff, out=diff)) + 1.0
    strays: npt.NDArray[np.float64] = means / span
    return strays
