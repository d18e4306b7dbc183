"""The scores of recently evaluated frames, kept after their window has moved on, and the
tests of two accepted candidates against them: whether they are one transition seen
twice (`one_transition`, `one_fade`) and whether the picture changes all the way between
them (`changing`).

`decide.py` keeps one `Recent` per video; this module imports nothing from it.
"""

from __future__ import annotations

from collections import deque
from itertools import pairwise

from segspec.detect.boundary import Candidate
from segspec.detect.rules import BETWEEN_REACH, FLAT, LATE_DIM, ONE_BETWEEN, ONE_WIDE
from segspec.detect.scores import FrameScores


class Recent:
    """(frame, wide, between2, spread, the larger of wide and wide2) of recently
    evaluated frames, in frame order, one a frame."""

    def __init__(self, half: int, pair: int, cut_min: float, ramp_step: int) -> None:
        self.half = half
        self.pair = pair
        """How far apart two gradual candidates of one transition may be (`ONE_SPAN`)."""
        self.cut_min = cut_min
        self.ramp_step = ramp_step
        self._past: deque[tuple[int, float, float, float, float]] = deque()

    def add(self, t: int, s: FrameScores) -> None:
        """Keep frame t's scores `s`."""
        self._past.append((t, s.wide, s.between2, s.spread, max(s.wide, s.wide2)))

    def forget_before(self, frame: int) -> None:
        """Drop the frames before `frame`."""
        while self._past and self._past[0][0] < frame:
            self._past.popleft()

    def one_transition(
        self, c: Candidate, o: Candidate, span: int = 0, between: float = ONE_BETWEEN
    ) -> bool:
        """Whether two gradual candidates up to `span` frames apart (default ONE_SPAN's)
        are one long transition seen twice (`between2` midway at most `between`)."""
        if c.form == "cut" or o.form == "cut" or abs(c.frame - o.frame) > (span or self.pair):
            return False
        past, first = self._past, self._past[0][0] if self._past else 0
        m = (c.frame + o.frame) // 2
        reach = round(BETWEEN_REACH * self.half)
        near = [
            past[k - first] for k in range(m - reach, m + reach + 1) if 0 <= k - first < len(past)
        ]
        return (
            any(f == m and w >= ONE_WIDE * self.cut_min for f, w, _, _, _ in near)
            and min((b for _, _, b, _, _ in near), default=1.0) <= between
        ) or self.one_fade(c, o)

    def changing(self, c: Candidate, o: Candidate) -> bool:
        """Whether the picture changes all the way between two candidates (`LATE_SPAN`):
        at every frame between them `wide` reaches ONE_WIDE x the threshold (`wide2`, on a
        fade's dim frames, LATE_DIM: there the first window's ends are both dim). A
        still shot between two transitions leaves `wide` low somewhere."""
        past, first = self._past, self._past[0][0] if self._past else 0
        lo, hi = sorted((c.frame, o.frame))
        if lo < first or hi - first >= len(past):
            return False
        least = ONE_WIDE * self.cut_min
        return all(
            w >= least or (spread <= LATE_DIM and far >= least)
            for _, w, _, spread, far in (past[k - first] for k in range(lo, hi + 1))
        )

    def one_fade(self, c: Candidate, o: Candidate) -> bool:
        """Whether two candidates are one fade's fade-out and fade-in (RAMP_SECONDS): a
        flat frame lies between them, and from it the spread rises at every step out to
        each of them."""
        past, first = self._past, self._past[0][0] if self._past else 0
        lo, hi = sorted((c.frame, o.frame))
        if lo < first or hi - first >= len(past):
            return False
        spread = {k: past[k - first][3] for k in range(lo, hi + 1)}
        bottom = min(spread, key=lambda k: spread[k])
        if spread[bottom] > FLAT:
            return False
        for end, way in ((lo, -1), (hi, 1)):
            marks = [spread[k] for k in range(bottom, end + way, way * self.ramp_step)]
            if not all(b > a for a, b in pairwise(marks)):
                return False
        return True
