"""Decide where shots change, from the per-frame scores, as the scores stream in.

Three kinds of candidate, each tested on a short window of scores around a frame:

- a hard cut: the straddling distance (`cut`) is high in absolute terms and several
  times the ordinary frame-to-frame change around it (so fast motion does not fire it),
  and it is the largest within a few frames (a weaker one, down to WEAK_SHARE of the
  threshold, when it is a single step making the whole change around it);
- a dissolve or a wipe: the long-range distance (`wide`) is high, much higher than the
  within-shot change just outside the window (`side`), the middle frames lie between the
  two ends (`between`), and the frame is the middle of the plateau where `wide` peaks
  (the same test over a window twice as long, `wide2`, finds transitions too long for
  the first); a transition whose change is concentrated in a few frames is then placed
  where that change is (`spans.locate`);
- a fade through a flat colour: a near-uniform frame (`spread` ~ 0) that the frames on
  both sides ramp down to, with different pictures on either side.

Candidates closer than the minimum shot length are resolved by strength (non-maximum
suppression), so no two boundaries are ever closer than that. Everything is a pure
function of the scores: the same file gives the same boundaries everywhere. Windows that
describe how long a transition lasts are set in seconds (`Timing`); the few that describe
one-frame events (a cut's step, a flash) stay in frames.

Each accepted boundary is reported as a public `Boundary`: its kind (cut, dissolve, fade,
wipe), the frames its transition spans, the cut frame (the first frame of the new shot)
and its strength. The rules' constants live in `rules.py`; `Boundary` and `Candidate` in
`boundary.py`; the shaping of one transition (where its change is, its span, its kind, and
the window tests for a fade or a plateau) in `spans.py`; the recent frames' scores that
tell whether two accepted candidates are one transition seen twice in `recent.py`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from segspec.detect.boundary import Boundary, Candidate
from segspec.detect.recent import Recent
from segspec.detect.rules import (
    BETWEEN_MAX,
    COVER_MIN,
    CUTNESS,
    EDGE_FRACTION,
    EDGE_SHARE,
    FADE_SNAP,
    HELD_RETURN_SHARE,
    HOLD_STAY,
    LATE_BETWEEN,
    LATE_SPAN,
    LOCATED_RANK,
    LONG_BETWEEN_MAX,
    LONG_SIDE_RATIO,
    MIDDLE_SHARE,
    MONO_MIN,
    MOTION_RATIO,
    MOVED_MIN,
    ONE_SPAN,
    PUSH_HUE,
    PUSH_RANK,
    RAMP_SECONDS,
    RETURN_SHARE,
    SIDE_RATIO,
    UNIFORM_SHARE,
    UNIFORM_SPREAD,
    WEAK_COVER,
    WEAK_CUTNESS,
    WEAK_FOCUS,
    WEAK_RATIO,
    WEAK_SHARE,
    WEAK_SHIFT,
    WEAK_SIDE,
    WEAK_WHOLE,
    WHOLE,
    WIDE_FACTOR,
)
from segspec.detect.scores import DEFAULT_TIMING, HALF_SECONDS, FrameScores, Timing
from segspec.detect.spans import (
    between,
    cover,
    gradual,
    is_fade,
    lit,
    locate,
    median,
    plateau_middle,
)


class Decider:
    """Feed `FrameScores` in frame order; get accepted `Boundary`s in frame order."""

    def __init__(self, threshold: float, min_frames: int, timing: Timing = DEFAULT_TIMING) -> None:
        self.cut_min = threshold
        self.wide_min = threshold * WIDE_FACTOR
        self.min_frames = max(1, min_frames)
        self.half = timing.half
        self.long = timing.long
        self.look = timing.long + 2
        """Frames of scores on each side of a frame that its decision may look at."""
        self.edge_min = max(2, round(EDGE_FRACTION * timing.half))
        self._win: deque[FrameScores] = deque()
        self._pending: list[Candidate] = []
        self._decided: list[Candidate] = []
        self._last_eval = -1
        self.side = timing.side
        self.pair = ONE_SPAN * timing.long
        """How far apart two gradual candidates of one transition may be (`ONE_SPAN`)."""
        self.widest = max(self.min_frames, 2 * self.half)
        """The farthest two candidates can be rivals."""
        self._held: list[Candidate] = []
        """Accepted candidates kept `pair` frames longer, in case the next accepted one is
        the other half of their transition (`Recent.one_transition`)."""
        self.late = round(LATE_SPAN * timing.long)
        """How far after a boundary already given out a gradual candidate can still be
        that transition seen again (`LATE_SPAN`)."""
        self._given: Candidate | None = None
        """The last accepted candidate given out (`_hold`)."""
        self.ramp_step = max(1, round(RAMP_SECONDS / HALF_SECONDS * timing.half))
        self._recent = Recent(self.half, self.pair, self.cut_min, self.ramp_step)
        """Recently evaluated frames' scores, for `Recent.one_transition`."""

    @property
    def lag(self) -> int:
        """At most how many frames behind the newest scores a boundary is final."""
        # a gradual candidate may be placed up to `long` frames before the frame that
        # found it (`spans.locate`)
        return self.look + self.widest + self.long + self.pair + 1

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
        if s is not None:
            self._recent.add(t, s)
        if s is not None and t > 0:
            cand = self._candidate(s)
            if cand is not None:
                self._pending.append(cand)
        self._last_eval = t
        yield from self._settle(final=False)

    def _candidate(self, s: FrameScores) -> Candidate | None:
        t = s.frame
        near = self._around(t, self.look)
        strong = s.cut >= self.cut_min
        if (
            (strong or self._weak_alone(s))
            and not self._comes_back(s)
            and not self._jump(s, near)
            and all(o.cut <= s.cut for o in near if abs(o.frame - t) <= 3)
        ):
            level = median([o.step for o in near if abs(o.frame - t) > 3] or [0.0])
            others = max((o.step for o in near if 0 < abs(o.frame - t) <= 3), default=0.0)
            if not strong:
                # a weak cut (two views of one scene in one palette): one step, alone
                if s.cut >= WEAK_RATIO * level and s.cut >= WEAK_CUTNESS * others:
                    b = Boundary(t, "cut", t, t, round(s.cut, 4))
                    return Candidate(t, "cut", 2.0 + s.cut, s.cut, s.wide, b)
            elif s.cut >= MOTION_RATIO * level:
                if s.cut >= CUTNESS * others or s.cut >= WHOLE * s.wide:
                    b = Boundary(t, "cut", t, t, round(s.cut, 4))
                    return Candidate(t, "cut", 2.0 + s.cut, s.cut, s.wide, b)
                b = gradual(s, near, "dissolve", s.cut, self.half)
                return Candidate(t, "soft", 0.5 + s.cut, s.cut, s.wide, b)
        if is_fade(s, near, self.cut_min, self.ramp_step) and not lit(s, near, self.cut_min):
            # a flat shot next to a short transition also dips in spread: when the change
            # is concentrated a few frames away from the flattest frame, it is there
            at, _ = locate(s, near, self.half, s.wide)
            if abs(at - t) <= FADE_SNAP * self.half:
                b = gradual(s, near, "fade", s.wide, self.half)
                return Candidate(t, "fade", 1.5 + s.wide, s.cut, s.wide, b)
            b = gradual(s, near, "dissolve", s.wide, self.half, at)
            return Candidate(at, "fade", 1.5 + s.wide, s.cut, s.wide, b, t)
        if (
            self._inside(t, self.half + self.side)
            and s.wide >= self.wide_min
            and s.wide >= SIDE_RATIO * s.side
            and between(s, near, self.half) <= BETWEEN_MAX
            and cover(s, near, self.half) >= COVER_MIN
            and s.moved >= MOVED_MIN
            and plateau_middle(s, near, self.half)
        ):
            at, placed = locate(s, near, self.half, s.wide)
            if placed and self._jump_at(at, near):
                return None
            b = gradual(s, near, "dissolve", s.wide, self.half, at)
            return Candidate(at, "gradual", 1.0 + s.wide, s.cut, s.wide, b, t, placed)
        if (  # a transition too long for the first window, seen by the longer one
            self._inside(t, self.long + self.half)
            and s.wide2 >= self.wide_min
            and s.wide2 >= LONG_SIDE_RATIO * s.side2
            and s.between2 <= LONG_BETWEEN_MAX
            and (s.mono2 >= MONO_MIN or s.hue2 >= PUSH_HUE * self.cut_min)
            and s.wide >= MIDDLE_SHARE * s.wide2
            and cover(s, near, self.half, long=True) >= COVER_MIN
            and plateau_middle(s, near, self.long, long=True)
        ):
            at, placed = locate(s, near, self.long, s.wide2)
            if placed and self._jump_at(at, near):
                return None
            b = gradual(s, near, "dissolve", s.wide2, self.long, at)
            if s.mono2 < MONO_MIN:  # let in by its colours alone (PUSH_HUE): it yields
                return Candidate(at, "push", PUSH_RANK, s.cut, s.wide2, b, t, placed)
            return Candidate(at, "gradual", 1.0 + s.wide2, s.cut, s.wide2, b, t, placed)
        return None

    def _comes_back(self, s: FrameScores) -> bool:
        """Whether a sudden change ends where it began (RETURN_SHARE), so is no cut. When
        the new picture holds (`stay` at most HOLD_STAY x the change) the old one must
        come back closer (HELD_RETURN_SHARE): two views of one scene in one palette are
        alike to about half their cut."""
        if s.stay <= HOLD_STAY * s.cut:
            return s.back < HELD_RETURN_SHARE * s.cut
        return s.back < RETURN_SHARE * s.cut

    def _uniform(self, s: FrameScores) -> bool:
        """Whether the step into s.frame moves a textured picture by one uniform offset:
        its luma changes stray from their mean by at most UNIFORM_SHARE of the larger luma
        spread of the two frames, at least UNIFORM_SPREAD (a cut between two flat pictures
        is uniform too, and stays a cut)."""
        prev = self._get(s.frame - 1)
        texture = max(s.spread, prev.spread if prev is not None else 0.0)
        return texture >= UNIFORM_SPREAD and s.shift <= UNIFORM_SHARE * texture

    def _jump(self, s: FrameScores, near: list[FrameScores]) -> bool:
        """Whether a sudden change is an encoder's colour jump at a keyframe: uniform
        (`_uniform`) and alone, CUTNESS x every step within 3 frames. A fast fade's last
        step into a dim picture is about as uniform, but its steps before are alike."""
        others = (o.step for o in near if 0 < abs(o.frame - s.frame) <= 3)
        return self._uniform(s) and s.cut >= CUTNESS * max(others, default=0.0)

    def _jump_at(self, frame: int, near: list[FrameScores]) -> bool:
        """Whether a gradual candidate's change, concentrated on `frame` (`spans.locate`), is
        a keyframe's jump there (`_jump`): a drifting shot's jump, which the long-range
        window sees too, is no dissolve either."""
        s = self._get(frame)
        return s is not None and self._jump(s, near)

    def _weak_alone(self, s: FrameScores) -> bool:
        """Whether a step under the threshold could still be a weak cut: at least
        WEAK_SHARE of the threshold, the whole long-range change around it, with a calm
        shot on either side, over most of the picture, rearranged (WEAK_SHIFT), and not
        in a band of it (WEAK_FOCUS)."""
        return (
            s.cut >= WEAK_SHARE * self.cut_min
            and s.cut >= WEAK_WHOLE * s.wide
            and s.side <= WEAK_SIDE * s.wide
            and s.cover >= WEAK_COVER
            and s.shift >= WEAK_SHIFT
            and s.focus < WEAK_FOCUS
        )

    def _inside(self, t: int, reach: int) -> bool:
        """Whether a window and its left side (`reach` frames before t, and the three
        frames its pairs shift by) begin inside the video. Before the first frame the
        scores compare clamped copies of it, so that side is no measurement of how still
        the shot was (it reads 0 or a part of its length): a shot drifting from its first
        frame passed as a gradual transition. (At the end the side before the window is
        whole, and a transition in a video's last second is still found.)"""
        return t - reach - 3 >= 0

    # -- resolving neighbours -----------------------------------------------------------

    def _reach(self, c: Candidate) -> int:
        """How close another boundary may come: a gradual one claims its whole window."""
        return self.min_frames if c.form == "cut" else max(self.min_frames, 2 * self.half)

    def _settle(self, final: bool) -> Iterator[Boundary]:
        """Decide candidates whose neighbourhood (the widest reach each side) is known."""
        widest = self.widest
        # a candidate found later may still be placed up to `long` frames back
        horizon = self._last_eval - widest - self.long
        ready = sorted(
            (c for c in self._pending if final or c.frame < horizon), key=lambda c: c.frame
        )
        for c in ready:
            rivals = [
                o
                for o in (*self._decided, *self._pending)
                if o is not c and abs(o.frame - c.frame) < max(self._reach(c), self._reach(o))
            ]
            if all(self._beats(c, o) for o in rivals):
                self._hold(c)
        while self._held and (final or self._held[0].frame < horizon - self.pair):
            self._given = self._held.pop(0)
            yield self._given.boundary
        self._pending = [c for c in self._pending if c not in ready]
        # decided candidates are kept only while a pending one could still be their rival
        self._decided = [c for c in (*self._decided, *ready) if c.frame >= horizon - 2 * widest]
        self._recent.forget_before(horizon - 2 * widest - max(self.pair, self.late))

    def _hold(self, c: Candidate) -> None:
        """Keep an accepted candidate, or only the stronger of it and the one accepted
        before it when the two are one transition seen twice."""
        if self._held and self._recent.one_transition(self._held[-1], c):
            if self._beats(c, self._held[-1]):
                self._held[-1] = c
            return
        if (
            not self._held
            and self._given
            and self._recent.one_transition(self._given, c, self.late, LATE_BETWEEN)
            and self._recent.changing(self._given, c)
        ):
            return  # the transition's boundary is out already (LATE_SPAN)
        self._held.append(c)

    def _beats(self, c: Candidate, o: Candidate) -> bool:
        """Whether candidate `c` wins over its rival `o`: the one of higher `_rank`, then
        the earlier one, then the one found first (a long window often places several
        candidates on one frame with one rank; a tie used to let neither win)."""
        return (self._rank(o), -o.frame, -o.found) < (self._rank(c), -c.frame, -c.found)

    def _rank(self, c: Candidate) -> float:
        """A candidate's strength against its rivals: its `rank`, except that a cut-like
        step lying inside a gradual candidate's window, off its middle, with less than
        EDGE_SHARE of that transition's change, ranks as a soft step (below every
        gradual transition): it is just the most visible moment of a dissolve or a wipe
        (its start, often), and the boundary belongs in the transition's middle.

        One rank per candidate (not a rule per pair) keeps the order total: two gradual
        candidates of one long transition, one of them off the step and one centred on
        it, once made a cycle (step < the first < the second < step) that nobody won."""
        if c.form == "cut" and any(
            self._step_inside(c, g) for g in (*self._decided, *self._pending)
        ):
            return 0.5 + c.cut
        if c.form == "gradual" and (c.frame != c.found or c.placed):
            return c.rank + LOCATED_RANK
        return c.rank

    def _step_inside(self, step: Candidate, gradual: Candidate) -> bool:
        # Around a real hard cut the long-range window also sees a "gradual" change, but
        # one centred on the cut itself; a dissolve's visible edge lies well off its middle.
        return (
            gradual.form == "gradual"
            and step.form in ("cut", "soft")
            and self.edge_min <= abs(step.frame - gradual.origin) <= self.half
            and step.frame != gradual.frame
            and step.cut < EDGE_SHARE * gradual.wide
        )
