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
function of the scores: the same file gives the same boundaries everywhere. Windows that
describe how long a transition lasts are set in seconds (`Timing`); the few that describe
one-frame events (a cut's step, a flash) stay in frames.

Each accepted boundary is reported as a public `Boundary`: its kind (cut, dissolve, fade,
wipe), the frames its transition spans, the cut frame (the first frame of the new shot)
and its strength.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from segspec.detect.scores import DEFAULT_TIMING, FrameScores, Timing

DEFAULT_THRESHOLD = 0.2
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
EDGE_FRACTION = 0.4
"""A step at least this far (x the long-range half-width: 4 frames at 25 fps) from a
gradual transition's middle can be that transition's edge (and then yields to it)."""
EDGE_SHARE = 0.5
"""...and when its one step carries less than this share of the transition's change (a
dissolve's edge: about a quarter; a real cut next to motion: three quarters or more)."""
FLAT = 5.0
"""Luma spread (0..255 units) under which a frame can be the bottom of a fade."""
WIPE_FOCUS = 0.75
"""A gradual transition whose steps put at least this share of their change in a quarter
of the picture is a wipe (a moving edge); below it, a dissolve."""
SPAN_SHARE = 0.25
"""A frame belongs to a transition's span while its step is at least this share of the
transition's largest step (and well above the motion around it)."""

FADE_RISE = 0.5
"""Luma spread a fading frame gains on its neighbour nearer the fade's bottom."""
HOLD = 3
"""Frames of no change a transition's span may bridge (a fade's flat frames)."""

Kind = Literal["cut", "dissolve", "fade", "wipe"]
KINDS: tuple[Kind, ...] = ("cut", "dissolve", "fade", "wipe")


@dataclass(frozen=True)
class Boundary:
    """One shot boundary: where the new shot starts and the transition that led to it.

    `frame` is the cut frame, the first frame (0-based) of the new shot; a gradual
    transition is cut at its middle. `first..last` (inclusive) are the frames the
    transition spans as seen by the detector: first == last == frame for a hard cut.
    `strength` is the change the transition makes, about 0 (none) to 1 (nothing in
    common), comparable between boundaries of a video.
    """

    frame: int
    kind: Kind
    first: int
    last: int
    strength: float


@dataclass(frozen=True)
class Candidate:
    """A possible boundary while its neighbours are still being decided."""

    frame: int
    form: str  # "cut" | "soft" | "gradual" | "fade": how it was found
    rank: float
    """Strength used to resolve neighbours (the form's priority plus its change)."""
    cut: float
    """The straddling distance at this frame (how much of a change one step makes)."""
    wide: float
    """The long-range distance at this frame (the whole change around it)."""
    boundary: Boundary


def _median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


class Decider:
    """Feed `FrameScores` in frame order; get accepted `Boundary`s in frame order."""

    def __init__(self, threshold: float, min_frames: int, timing: Timing = DEFAULT_TIMING) -> None:
        self.cut_min = threshold
        self.wide_min = threshold * WIDE_FACTOR
        self.min_frames = max(1, min_frames)
        self.half = timing.half
        self.look = timing.half + 2
        """Frames of scores on each side of a frame that its decision may look at."""
        self.edge_min = max(2, round(EDGE_FRACTION * timing.half))
        self._win: deque[FrameScores] = deque()
        self._pending: list[Candidate] = []
        self._decided: list[Candidate] = []
        self._last_eval = -1

    @property
    def lag(self) -> int:
        """At most how many frames behind the newest scores a boundary is final."""
        return self.look + max(self.min_frames, 2 * self.half) + 1

    def push(self, s: FrameScores) -> Iterator[Boundary]:
        self._win.append(s)
        if len(self._win) > 2 * self.look + 1:
            self._win.popleft()
        for t in range(self._last_eval + 1, s.frame - self.look + 1):
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

    def _candidate(self, s: FrameScores) -> Candidate | None:
        t = s.frame
        near = self._around(t, self.look)
        if s.cut >= self.cut_min and all(o.cut <= s.cut for o in near if abs(o.frame - t) <= 3):
            level = _median([o.step for o in near if abs(o.frame - t) > 3] or [0.0])
            if s.cut >= MOTION_RATIO * level:
                others = max((o.step for o in near if 0 < abs(o.frame - t) <= 3), default=0.0)
                if s.cut >= CUTNESS * others or s.cut >= WHOLE * s.wide:
                    b = Boundary(t, "cut", t, t, round(s.cut, 4))
                    return Candidate(t, "cut", 2.0 + s.cut, s.cut, s.wide, b)
                b = self._gradual(s, near, "dissolve", s.cut)
                return Candidate(t, "soft", 0.5 + s.cut, s.cut, s.wide, b)
        if self._is_fade(s, near):
            b = self._gradual(s, near, "fade", s.wide)
            return Candidate(t, "fade", 1.5 + s.wide, s.cut, s.wide, b)
        if (
            s.wide >= self.wide_min
            and s.wide >= SIDE_RATIO * s.side
            and s.between <= BETWEEN_MAX
            and self._plateau_middle(s, near)
        ):
            b = self._gradual(s, near, "dissolve", s.wide)
            return Candidate(t, "gradual", 1.0 + s.wide, s.cut, s.wide, b)
        return None

    def _gradual(
        self, s: FrameScores, near: list[FrameScores], kind: Kind, change: float
    ) -> Boundary:
        """The public form of a gradual candidate: its span, and dissolve versus wipe.

        The span is the run of frames around t whose step stays near the largest step in
        the transition's middle (within the decision window, so a transition longer than
        the window is reported by the part of it the window sees).
        """
        t = s.frame
        if kind == "fade":
            return self._fade_span(s, near, change)
        steps = {o.frame: o.step for o in near}
        core = [steps[k] for k in range(t - 2, t + 3) if k in steps]
        floor = max(SPAN_SHARE * max(core, default=0.0), 0.02)
        changed = [k for k in steps if steps[k] >= floor]
        first = last = t
        # grow from t over frames that change, bridging short holds (a fade's flat frames)
        while any(first - g in changed for g in range(1, HOLD + 2)):
            first = max(k for k in changed if first - HOLD - 1 <= k < first)
        while any(last + g in changed for g in range(1, HOLD + 2)):
            last = min(k for k in changed if last < k <= last + HOLD + 1)
        # the step into frame k is the change from k-1 to k: `first` is the first frame
        # already changed; the last changing step leads into the new shot's first frame
        last = max(last - 1, t)
        if kind == "dissolve":
            focus = sorted(o.focus for o in near if first <= o.frame <= last)
            if focus and focus[len(focus) // 2] >= WIPE_FOCUS:
                kind = "wipe"
        return Boundary(t, kind, min(first, t), last, round(change, 4))

    def _fade_span(self, s: FrameScores, near: list[FrameScores], change: float) -> Boundary:
        """A fade spans the frames around its flat bottom whose spread still rises away
        from it (the picture fading out before it, fading in after it)."""
        spread = {o.frame: o.spread for o in near}
        first = last = s.frame
        while first - 1 in spread and spread[first - 1] <= FLAT:  # held flat frames
            first -= 1
        while last + 1 in spread and spread[last + 1] <= FLAT:
            last += 1
        while first - 1 in spread and spread[first - 1] > spread[first] + FADE_RISE:
            first -= 1
        while last + 1 in spread and spread[last + 1] > spread[last] + FADE_RISE:
            last += 1
        return Boundary(s.frame, "fade", first, last, round(change, 4))

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
        peak = max(o.wide for o in near if abs(o.frame - s.frame) <= self.half)
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

    def _reach(self, c: Candidate) -> int:
        """How close another boundary may come: a gradual one claims its whole window."""
        return self.min_frames if c.form == "cut" else max(self.min_frames, 2 * self.half)

    def _settle(self, final: bool) -> Iterator[Boundary]:
        """Decide candidates whose neighbourhood (the widest reach each side) is known."""
        widest = max(self.min_frames, 2 * self.half)
        horizon = self._last_eval - widest
        ready = [c for c in self._pending if final or c.frame < horizon]
        for c in ready:
            rivals = [
                o
                for o in (*self._decided, *self._pending)
                if o is not c and abs(o.frame - c.frame) < max(self._reach(c), self._reach(o))
            ]
            if all(self._beats(c, o) for o in rivals):
                yield c.boundary
        self._pending = [c for c in self._pending if c not in ready]
        # decided candidates are kept only while a pending one could still be their rival
        self._decided = [c for c in (*self._decided, *ready) if c.frame >= horizon - 2 * widest]

    def _beats(self, c: Candidate, o: Candidate) -> bool:
        """Whether candidate `c` wins over its rival `o`.

        The stronger one wins, except that a gradual transition beats a cut-like step
        inside its window, off its middle, when that step carries less than EDGE_SHARE of
        the transition's change: the step is just the most visible moment of the dissolve
        (its start, often), and the boundary belongs in the transition's middle.
        """
        if self._step_inside(o, c):
            return True
        if self._step_inside(c, o):
            return False
        return (o.rank, -o.frame) < (c.rank, -c.frame)

    def _step_inside(self, step: Candidate, gradual: Candidate) -> bool:
        # Around a real hard cut the long-range window also sees a "gradual" change, but
        # one centred on the cut itself; a dissolve's visible edge lies well off its middle.
        return (
            gradual.form == "gradual"
            and step.form in ("cut", "soft")
            and self.edge_min <= abs(step.frame - gradual.frame) <= self.half
            and step.cut < EDGE_SHARE * gradual.wide
        )
