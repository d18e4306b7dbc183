"""Turn the stream of frame features into a few change scores per frame.

Scores for frame t describe the boundary *before* t (between frames t-1 and t). Each needs
a few frames of look-ahead, so features sit in a ring buffer of `2 * REACH + 1` frames and
the scores of frame t come out once frame t + REACH has arrived: memory is the same for a
one-minute clip and a two-hour film. Near the ends, missing neighbours are clamped to the
first or last frame.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from segspec.detect.features import (
    LUMA_BLOCKS,
    Floats,
    coverage,
    distance,
    hist_distance,
    moved_coverage,
    nearest,
    out_of_range_rows,
)

HALF_SECONDS = 0.4
"""Half-width of the long-range comparison that sees gradual transitions (10 frames at 25
fps). Windows are set in seconds, not frames, so a 0.8 s dissolve looks the same to the
detector at 24 and at 60 fps."""


RETURN_SECONDS = 0.5
"""How far before and after a sudden change the detector looks for the same picture on
both sides (`back`): a flash, a strobe or lightning (sudden onset, decay over up to
~0.4 s, maybe switched off at the end) begins and ends on the same picture; a cut does
not. No shorter than the default minimum shot length, so a shot cut back to within it
could not have been reported anyway."""


WEAK_GATE = 0.4
"""`back` is also measured where `cut` reaches this share of the gate and WEAK_WIDE x
`wide`: the decider accepts such weak cuts (`rules.WEAK_SHARE`, `rules.WEAK_WHOLE`), and
a weak step of lightning must be told from them too."""
WEAK_WIDE = 0.6


FLASH_SHIFT = 5
"""`wide` takes a third pair reaching this many frames further out: a camera flash fired
twice 3 frames apart (or a strobe) falls on the far ends of both other pairs, and the
spike it made in `wide` became the peak of the plateau, so a nearby short transition's
candidate was no longer its middle. In frames: a flash is a one-frame event. (`wide2`
keeps two pairs: a third there gained nothing on the tuning material.)"""


GRAIN = 1.0
"""Change of a block mean (0..255) from one frame to the next that counts as grain, not
as travel, in `mono2`."""


@dataclass(frozen=True)
class Timing:
    """The detector's windows in frames, for one frame rate."""

    half: int
    """Half-width of the long-range comparison (frames)."""
    side: int
    """Length of the comparisons just outside that window, measuring within-shot change."""
    back: int = 12
    """How many frames after a sudden change `back` looks for the old picture."""

    @property
    def long(self) -> int:
        """Half-width of the second, longer comparison, which sees transitions too long
        for the first window (their sides would fall inside the transition)."""
        return 2 * self.half

    @property
    def reach(self) -> int:
        """Frames of look-ahead (and look-back) a frame's scores need."""
        return max(self.half + self.side, self.long + self.half, self.back) + 3

    @classmethod
    def for_fps(cls, fps: float) -> Timing:
        half = max(6, round(HALF_SECONDS * fps))
        return cls(half, half, max(4, round(RETURN_SECONDS * fps)))


DEFAULT_TIMING = Timing.for_fps(25.0)


@dataclass(frozen=True)
class FrameScores:
    """Change scores for the boundary before one frame."""

    frame: int
    step: float
    """Distance between frame t-1 and t."""
    cut: float
    """Smallest distance over pairs that straddle the boundary while skipping up to three
    frames on either side: a cut keeps it high, a flash of one to three frames does not."""
    wide: float
    """Distance between frames t-HALF and t+HALF."""
    side: float
    """The larger of the distances across the SIDE frames just outside that window."""
    between: float
    """How far the frames inside the window stray outside the span of its two ends
    (median over seven frames)."""
    spread: float
    """Luma spread of frame t (near 0 for black, white or flat frames)."""
    wide2: float = 0.0
    """`wide` over the longer window (t-LONG .. t+LONG)."""
    side2: float = 0.0
    """`side` just outside the longer window (HALF frames each side)."""
    between2: float = 0.0
    """`between` for the longer window."""
    mono2: float = 0.0
    """How monotonic the change across the longer window is, per block: the net change
    from t-LONG to t+LONG over the total change along the way (steps above GRAIN). A
    dissolve or a wipe changes each block once (about 1); a pan, a zoom or shake moves
    content through blocks and back (well under 1)."""
    back: float = 1.0
    """Smallest distance from the frames up to `Timing.back` before t to the frames
    4 .. `Timing.back` after t, when `cut` reaches the stream's gate (or a weak cut's, see
    WEAK_GATE; otherwise `cut` itself). A brightness event that ends where it began (lightning: its
    onset, a big step of its decay, or its light switched off at the end) brings it far
    below `cut`, since the picture before the light and the picture after it are the same;
    a cut does not."""
    cover: float = 1.0
    """Share of the picture that differs between t-HALF and t+HALF (`features.coverage`)."""
    cover2: float = 1.0
    """The same between t-LONG and t+LONG."""
    stay: float = 0.0
    """Smallest distance from frame t to the frames 4 .. `Timing.back` after it, where
    `back` is measured (otherwise 0): whether the new picture holds after a sudden change
    (a cut: near 0 unless the new shot moves fast) or leaves (lightning decaying, a
    flash, a strobe: about the size of the change)."""
    focus: float = 0.0
    """Share of the luma change from t-1 to t carried by the quarter of blocks that change
    most: near 1 when only a band of the picture changes (a wipe's moving edge), lower
    when the whole picture changes together (a dissolve)."""
    hue2: float = 0.0
    """Colour-histogram distance (half the L1 norm, 0..1) between t-LONG and t+LONG (the
    smaller of `wide2`'s two pairs): how much of the longer window's change is in its
    colours. A pan or a zoom over one scene moves its colours about and keeps most of
    them; a push or a slide brings in another shot's (`rules.PUSH_HUE`). Measured only
    where `wide2` reaches the stream's gate (otherwise 0)."""
    shift: float = 255.0
    """How far the luma change from t-1 to t strays from one uniform offset: the mean
    absolute deviation of the luma blocks' changes from their mean (0..255 units). Near 0
    when the whole picture moves by one offset (an encoder's colour jump at a keyframe),
    about the pictures' own spread for a new picture. Measured where `back` is (otherwise
    255)."""
    moved: float = 1.0
    """`cover` with camera drift forgiven (`features.moved_coverage`): the share of blocks
    at t+HALF unlike every block within one block of their place at t-HALF. Measured only
    where `wide` reaches the stream's gate (otherwise 1)."""


class ScoreStream:
    """Feed feature chunks in order; get `FrameScores` for every frame, in order."""

    def __init__(self, timing: Timing = DEFAULT_TIMING, gate: float = 0.0) -> None:
        self.timing = timing
        self.gate = gate
        """`back` is measured only where `cut` reaches this (it costs `Timing.back`
        distances a frame); the detector passes its cut threshold."""
        self._grid: deque[Floats] = deque()
        self._hist: deque[Floats] = deque()
        self._spread: deque[float] = deque()
        self._travel: deque[npt.NDArray[np.float64]] = deque()
        """Per block, the change (above GRAIN) summed over every step so far."""
        self._first = 0  # frame number of the oldest buffered frame
        self._count = 0  # frames received so far
        self._next = 0  # next frame to score
        self._seen: dict[tuple[int, int], float] = {}
        """Distances by (frame, frame), as the windows slide most pairs come back: kept for
        two generations of `2 * reach` scored frames (`_d`), so memory stays flat."""
        self._older: dict[tuple[int, int], float] = {}

    def push(self, grid: Floats, hist: Floats, spread: Floats) -> Iterator[FrameScores]:
        for i in range(len(grid)):
            self._grid.append(grid[i])
            self._hist.append(hist[i])
            self._spread.append(float(spread[i]))
            if self._travel:
                step = np.abs(grid[i] - self._grid[-2]) - GRAIN
                self._travel.append(self._travel[-1] + np.maximum(step, 0.0))
            else:
                self._travel.append(np.zeros(len(grid[i]), np.float64))
            self._count += 1
            while self._next + self.timing.reach < self._count:
                yield self._score(self._next)
                self._next += 1
                self._trim()
                if self._next % (2 * self.timing.reach) == 0:
                    self._older, self._seen = self._seen, {}

    def finish(self) -> Iterator[FrameScores]:
        while self._next < self._count:
            yield self._score(self._next)
            self._next += 1

    def _trim(self) -> None:
        while self._first < self._next - self.timing.reach - 1:
            self._grid.popleft()
            self._hist.popleft()
            self._spread.popleft()
            self._travel.popleft()
            self._first += 1

    def _at(self, frame: int) -> int:
        """Buffer index of a frame number, clamped to the frames that exist."""
        frame = min(max(frame, 0), self._count - 1)
        return frame - self._first

    def _d(self, a: int, b: int) -> float:
        ia, ib = self._at(a), self._at(b)
        key = (ia + self._first, ib + self._first)
        known = self._seen.get(key)
        if known is None:
            known = self._older.get(key)
            if known is None:
                known = distance(self._grid[ia], self._hist[ia], self._grid[ib], self._hist[ib])
            self._seen[key] = known
        return known

    def _score(self, t: int) -> FrameScores:
        d = self._d
        step = d(t - 1, t)
        pairs = (d(t - 1, t + 1), d(t - 1, t + 2), d(t - 1, t + 3), d(t - 2, t), d(t - 3, t))
        cut = min(step, *pairs, d(t - 4, t))
        half, side = self.timing.half, self.timing.side
        a, b = t - half, t + half
        # each long-range distance is the smaller of two pairs three frames apart, so a
        # flash frame at either end cannot inflate it; `wide` takes a third pair,
        # FLASH_SHIFT frames out, against two flash frames 3 frames apart
        far = FLASH_SHIFT
        wide = min(d(a, b), d(a - 3, b + 3), d(a - far, b + far))
        left = min(d(a - side, a), d(a - side - 3, a - 3))
        right = min(d(b, b + side), d(b + 3, b + side + 3))
        between = self._between(a, b, t, 6)
        a2, b2 = t - self.timing.long, t + self.timing.long
        wide2 = min(d(a2, b2), d(a2 - 3, b2 + 3))
        left2 = min(d(a2 - half, a2), d(a2 - half - 3, a2 - 3))
        right2 = min(d(b2, b2 + half), d(b2 + 3, b2 + half + 3))
        between2 = self._between(a2, b2, t, 2 * 6)
        spread = self._spread[self._at(t)]
        back, stay, shift = cut, 0.0, 255.0
        if cut >= self.gate or (cut >= WEAK_GATE * self.gate and cut >= WEAK_WIDE * wide):
            back, stay = self._back(t)
            back = min(cut, back)
            shift = self._shift(t)
        # the decider looks at `hue2` only where `wide2` reaches WIDE_FACTOR x the gate
        hue2 = self._hue(a2, b2) if wide2 >= self.gate else 0.0
        g = self._grid
        moved = moved_coverage(g[self._at(a)], g[self._at(b)]) if wide >= self.gate else 1.0
        return FrameScores(t, step, cut, wide, max(left, right), between, spread,
                           wide2, max(left2, right2), between2, self._mono(a2, b2),
                           back, coverage(g[self._at(a)], g[self._at(b)]),
                           coverage(g[self._at(a2)], g[self._at(b2)]), stay,
                           self._focus(t), hue2, shift, moved)  # fmt: skip

    def _back(self, t: int) -> tuple[float, float]:
        """Smallest distance from the frames up to `Timing.back` before t to the frames
        4 .. `Timing.back` after it: whether a sudden change at t is part of an event
        that ends where it began (the onset, the decay or the switch-off of lightning);
        and the smallest from frame t itself to those after it (`FrameScores.stay`)."""
        reach = self.timing.back
        before = [self._at(k) for k in range(t - reach, t)]
        after = [self._at(k) for k in range(t + 4, t + reach + 1)]
        g, h = self._grid, self._hist
        grids_a, hists_a = np.stack([g[i] for i in before]), np.stack([h[i] for i in before])
        grids_b, hists_b = np.stack([g[i] for i in after]), np.stack([h[i] for i in after])
        i = self._at(t)
        stay = nearest(g[i][None, :], h[i][None, :], grids_b, hists_b)
        return nearest(grids_a, hists_a, grids_b, hists_b), stay

    def _shift(self, t: int) -> float:
        """`FrameScores.shift` of the step into t."""
        prev, cur = self._grid[self._at(t - 1)], self._grid[self._at(t)]
        change = np.subtract(cur[:LUMA_BLOCKS], prev[:LUMA_BLOCKS], dtype=np.float64)
        offset = float(np.add.reduce(change)) / LUMA_BLOCKS
        return float(np.add.reduce(np.abs(change - offset))) / LUMA_BLOCKS

    def _hue(self, a: int, b: int) -> float:
        h = self._hist
        return min(hist_distance(h[self._at(a)], h[self._at(b)]),
                   hist_distance(h[self._at(a - 3)], h[self._at(b + 3)]))  # fmt: skip

    def _mono(self, a: int, b: int) -> float:
        ia, ib = self._at(a), self._at(b)
        net = float(np.abs(self._grid[ib] - self._grid[ia]).sum())
        travel = float((self._travel[ib] - self._travel[ia]).sum())
        return min(net / (travel + 1.0), 1.5)

    def _between(self, a: int, b: int, t: int, reach: int) -> float:
        ga, gb = self._grid[self._at(a)], self._grid[self._at(b)]
        step = max(1, reach // 3)
        mids = np.stack([self._grid[self._at(m)] for m in range(t - reach, t + reach + 1, step)])
        strays = np.sort(out_of_range_rows(ga, gb, mids))  # each is `out_of_range`, bit for bit
        return float(strays[len(strays) // 2])

    def _focus(self, t: int) -> float:
        prev, cur = self._grid[self._at(t - 1)], self._grid[self._at(t)]
        change = np.abs(cur[:LUMA_BLOCKS] - prev[:LUMA_BLOCKS])
        total = float(change.sum())
        if total <= 0.0:
            return 0.0
        top = np.partition(change, LUMA_BLOCKS - LUMA_BLOCKS // 4)[LUMA_BLOCKS - LUMA_BLOCKS // 4 :]
        return float(top.sum()) / total


def as_arrays(scores: list[FrameScores]) -> dict[str, np.ndarray]:
    """Column view of a score list (for analysis and the decision pass)."""
    names = ("step", "cut", "wide", "side", "between", "spread", "wide2", "side2", "between2",
             "mono2", "back", "cover", "cover2", "stay", "focus", "hue2", "shift",
             "moved")  # fmt: skip
    return {n: np.array([getattr(s, n) for s in scores], np.float64) for n in names}
