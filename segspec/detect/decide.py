"""Decide where shots change, from the per-frame scores, as the scores stream in.

Three kinds of candidate, each tested on a short window of scores around a frame:

- a hard cut: the straddling distance (`cut`) is high in absolute terms and several
  times the ordinary frame-to-frame change around it (so fast motion does not fire it),
  and it is the largest within a few frames;
- a dissolve or a wipe: the long-range distance (`wide`) is high, much higher than the
  within-shot change just outside the window (`side`), the middle frames lie between the
  two ends (`between`), and the frame is the middle of the plateau where `wide` peaks;
- a fade through a flat colour: a near-uniform frame (`spread` ~ 0) that the frames on
  both sides ramp down to, with different pictures on either side.

Candidates closer than the minimum shot length are resolved by strength (non-maximum
suppression), so no two boundaries are ever closer than that. Everything is a pure
function of the scores: the same file gives the same boundaries everywhere.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from segspec.detect.scores import HALF, FrameScores

DEFAULT_THRESHOLD = 0.2
LOOK = 12
"""Frames of scores on each side of a frame that its decision may look at."""
MOTION_RATIO = 3.0
WIDE_FACTOR = 1.5
"""A gradual transition's `wide` must reach WIDE_FACTOR x the cut threshold."""
SIDE_RATIO = 2.0
BETWEEN_MAX = 0.15
CUTNESS = 2.5
"""A cut is hard when its step is this many times the largest step within 3 frames;
otherwise the change is spread over several frames (a fast fade) and counts as gradual."""
WHOLE = 0.85
"""...unless that one step also carries this share of the long-range change."""
EDGE_MIN = 4
"""A step at least this far from a gradual transition's middle can be that transition's
edge (and then yields to it)."""
EDGE_SHARE = 0.5
"""...and when its one step carries less than this share of the transition's change (a
dissolve's edge: about a quarter; a real cut next to motion: three quarters or more)."""
FLAT = 5.0
"""Luma spread (0..255 units) under which a frame can be the bottom of a fade."""


@dataclass(frozen=True)
class Boundary:
    """The first frame of a new shot, what kind of change led to it, and how strong it was."""

    frame: int
    kind: str  # "cut" | "soft" | "gradual" | "fade"
    strength: float
    cut: float = 0.0
    """The straddling distance at this frame (how much of a change one step makes)."""
    wide: float = 0.0
    """The long-range distance at this frame (the whole change around it)."""


def _median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


class Decider:
    """Feed `FrameScores` in frame order; get accepted `Boundary`s in frame order."""

    def __init__(self, threshold: float, min_frames: int) -> None:
        self.cut_min = threshold
        self.wide_min = threshold * WIDE_FACTOR
        self.min_frames = max(1, min_frames)
        self._win: deque[FrameScores] = deque()
        self._pending: list[Boundary] = []
        self._decided: list[Boundary] = []
        self._last_eval = -1

    def push(self, s: FrameScores) -> Iterator[Boundary]:
        self._win.append(s)
        if len(self._win) > 2 * LOOK + 1:
            self._win.popleft()
        for t in range(self._last_eval + 1, s.frame - LOOK + 1):
            yield from self._evaluate(t)

    def finish(self) -> Iterator[Boundary]:
        """Decide the frames still waiting for look-ahead (the video has ended)."""
        if self._win:
            for t in range(self._last_eval + 1, self._win[-1].frame + 1):
                yield from self._evaluate(t)
        yield from self._settle(final=True)

    # -- candidates -------------------------------------------------------------------

    def _get(self, frame: int) -> FrameScores | None:
        first = self._win[0].frame
        i = frame - first
        return self._win[i] if 0 <= i < len(self._win) else None

    def _around(self, t: int, reach: int) -> list[FrameScores]:
        return [s for k in range(t - reach, t + reach + 1) if (s := self._get(k)) is not None]

    def _evaluate(self, t: int) -> Iterator[Boundary]:
        s = self._get(t)
        if s is not None and t > 0:
            cand = self._candidate(s)
            if cand is not None:
                self._pending.append(cand)
        self._last_eval = t
        yield from self._settle(final=False)

    def _candidate(self, s: FrameScores) -> Boundary | None:
        t = s.frame
        near = self._around(t, LOOK)
        if s.cut >= self.cut_min and all(o.cut <= s.cut for o in near if abs(o.frame - t) <= 3):
            level = _median([o.step for o in near if abs(o.frame - t) > 3] or [0.0])
            if s.cut >= MOTION_RATIO * level:
                others = max((o.step for o in near if 0 < abs(o.frame - t) <= 3), default=0.0)
                hard = s.cut >= CUTNESS * others or s.cut >= WHOLE * s.wide
                kind = "cut" if hard else "soft"
                return Boundary(t, kind, (2.0 if hard else 0.5) + s.cut, s.cut, s.wide)
        if self._is_fade(s, near):
            return Boundary(t, "fade", 1.5 + s.wide, s.cut, s.wide)
        if (
            s.wide >= self.wide_min
            and s.wide >= SIDE_RATIO * s.side
            and s.between <= BETWEEN_MAX
            and self._plateau_middle(s, near)
        ):
            return Boundary(t, "gradual", 1.0 + s.wide, s.cut, s.wide)
        return None

    def _is_fade(self, s: FrameScores, near: list[FrameScores]) -> bool:
        """True at the flattest frame of a dip in spread that both sides ramp down to."""
        if s.spread > FLAT or s.wide < self.cut_min:
            return False
        if any(
            o.spread < s.spread or (o.spread == s.spread and o.frame < s.frame)
            for o in near
            if abs(o.frame - s.frame) <= 3
        ):
            return False
        before = [o.spread for o in near if o.frame < s.frame - 2]
        after = [o.spread for o in near if o.frame > s.frame + 2]
        floor = max(4 * s.spread, 6.0)
        return bool(before and after) and max(before) > floor and max(after) > floor

    def _plateau_middle(self, s: FrameScores, near: list[FrameScores]) -> bool:
        """True when t is the middle of the run of frames where `wide` is near its peak."""
        peak = max(o.wide for o in near if abs(o.frame - s.frame) <= HALF)
        if s.wide < peak * 0.97:
            return False
        top = {o.frame for o in near if o.wide >= peak * 0.97}
        lo = hi = s.frame
        while lo - 1 in top:
            lo -= 1
        while hi + 1 in top:
            hi += 1
        return s.frame == (lo + hi) // 2

    # -- resolving neighbours -----------------------------------------------------------

    def _reach(self, c: Boundary) -> int:
        """How close another boundary may come: a gradual one claims its whole window."""
        return self.min_frames if c.kind == "cut" else max(self.min_frames, 2 * HALF)

    def _settle(self, final: bool) -> Iterator[Boundary]:
        """Decide candidates whose neighbourhood (the widest reach each side) is known."""
        widest = max(self.min_frames, 2 * HALF)
        horizon = self._last_eval - widest
        ready = [c for c in self._pending if final or c.frame < horizon]
        for c in ready:
            rivals = [
                o
                for o in (*self._decided, *self._pending)
                if o is not c and abs(o.frame - c.frame) < max(self._reach(c), self._reach(o))
            ]
            if all(_beats(c, o) for o in rivals):
                yield c
        self._pending = [c for c in self._pending if c not in ready]
        # decided candidates are kept only while a pending one could still be their rival
        self._decided = [c for c in (*self._decided, *ready) if c.frame >= horizon - 2 * widest]


def _beats(c: Boundary, o: Boundary) -> bool:
    """Whether candidate `c` wins over its rival `o`.

    The stronger one wins, except that a gradual transition beats a cut-like step inside
    its window, off its middle, when that step carries less than EDGE_SHARE of the
    transition's change: the step is just the most visible moment of the dissolve (its
    start, often), and the boundary belongs in the transition's middle.
    """
    if _step_inside(o, c):
        return True
    if _step_inside(c, o):
        return False
    return (o.strength, -o.frame) < (c.strength, -c.frame)


def _step_inside(step: Boundary, gradual: Boundary) -> bool:
    # Around a real hard cut the long-range window also sees a "gradual" change, but one
    # centred on the cut itself; a dissolve's visible edge lies well off its middle.
    return (
        gradual.kind == "gradual"
        and step.kind in ("cut", "soft")
        and EDGE_MIN <= abs(step.frame - gradual.frame) <= HALF
        and step.cut < EDGE_SHARE * gradual.wide
    )
