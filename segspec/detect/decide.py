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
  where that change is (`_locate`);
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
`boundary.py`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from itertools import pairwise

from segspec.detect.boundary import Boundary, Candidate, Kind
from segspec.detect.rules import (
    BETWEEN_MAX,
    BETWEEN_REACH,
    COVER_MIN,
    CUTNESS,
    EDGE_FRACTION,
    EDGE_SHARE,
    FADE_RISE,
    FADE_SNAP,
    FLAT,
    HELD_RETURN_SHARE,
    HOLD,
    HOLD_STAY,
    LATE_BETWEEN,
    LATE_DIM,
    LATE_SPAN,
    LIT_SHARE,
    LOCATE_BACK,
    LOCATE_Q,
    LOCATE_RUN,
    LOCATE_SHARE,
    LOCATED_RANK,
    LONG_BETWEEN_MAX,
    LONG_FADE_STEPS,
    LONG_SIDE_RATIO,
    MIDDLE_SHARE,
    MONO_MIN,
    MOTION_RATIO,
    ONE_BETWEEN,
    ONE_SPAN,
    ONE_WIDE,
    PUSH_HUE,
    PUSH_RANK,
    RAMP_SECONDS,
    RETURN_SHARE,
    SIDE_RATIO,
    SPAN_SHARE,
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
    WIPE_FOCUS,
)
from segspec.detect.scores import DEFAULT_TIMING, HALF_SECONDS, FrameScores, Timing


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
        the other half of their transition (`_one_transition`)."""
        self.late = round(LATE_SPAN * timing.long)
        """How far after a boundary already given out a gradual candidate can still be
        that transition seen again (`LATE_SPAN`)."""
        self._given: Candidate | None = None
        """The last accepted candidate given out (`_hold`)."""
        self._past: deque[tuple[int, float, float, float, float]] = deque()
        """(frame, wide, between2, spread, the larger of wide and wide2) of recently
        evaluated frames, for `_one_transition`."""
        self.ramp_step = max(1, round(RAMP_SECONDS / HALF_SECONDS * timing.half))

    @property
    def lag(self) -> int:
        """At most how many frames behind the newest scores a boundary is final."""
        # a gradual candidate may be placed up to `long` frames before the frame that
        # found it (`_locate`)
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
            self._past.append((t, s.wide, s.between2, s.spread, max(s.wide, s.wide2)))
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
            level = _median([o.step for o in near if abs(o.frame - t) > 3] or [0.0])
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
                b = self._gradual(s, near, "dissolve", s.cut)
                return Candidate(t, "soft", 0.5 + s.cut, s.cut, s.wide, b)
        if self._is_fade(s, near) and not self._lit(s, near):
            # a flat shot next to a short transition also dips in spread: when the change
            # is concentrated a few frames away from the flattest frame, it is there
            at, _ = self._locate(s, near, self.half, s.wide)
            if abs(at - t) <= FADE_SNAP * self.half:
                b = self._gradual(s, near, "fade", s.wide)
                return Candidate(t, "fade", 1.5 + s.wide, s.cut, s.wide, b)
            b = self._gradual(s, near, "dissolve", s.wide, at)
            return Candidate(at, "fade", 1.5 + s.wide, s.cut, s.wide, b, t)
        if (
            self._inside(t, self.half + self.side)
            and s.wide >= self.wide_min
            and s.wide >= SIDE_RATIO * s.side
            and self._between(s, near) <= BETWEEN_MAX
            and self._cover(s, near) >= COVER_MIN
            and self._plateau_middle(s, near)
        ):
            at, placed = self._locate(s, near, self.half, s.wide)
            if placed and self._jump_at(at, near):
                return None
            b = self._gradual(s, near, "dissolve", s.wide, at)
            return Candidate(at, "gradual", 1.0 + s.wide, s.cut, s.wide, b, t, placed)
        if (  # a transition too long for the first window, seen by the longer one
            self._inside(t, self.long + self.half)
            and s.wide2 >= self.wide_min
            and s.wide2 >= LONG_SIDE_RATIO * s.side2
            and s.between2 <= LONG_BETWEEN_MAX
            and (s.mono2 >= MONO_MIN or s.hue2 >= PUSH_HUE * self.cut_min)
            and s.wide >= MIDDLE_SHARE * s.wide2
            and self._cover(s, near, long=True) >= COVER_MIN
            and self._plateau_middle(s, near, long=True)
        ):
            at, placed = self._locate(s, near, self.long, s.wide2)
            if placed and self._jump_at(at, near):
                return None
            b = self._gradual(s, near, "dissolve", s.wide2, at, long=True)
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
        """Whether a gradual candidate's change, concentrated on `frame` (`_locate`), is
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

    def _between(self, s: FrameScores, near: list[FrameScores]) -> float:
        """The first window's `between` at its smallest within BETWEEN_REACH of t."""
        reach = round(BETWEEN_REACH * self.half)
        return min(o.between for o in near if abs(o.frame - s.frame) <= reach)

    def _cover(self, s: FrameScores, near: list[FrameScores], long: bool = False) -> float:
        """The window's `cover` (or `cover2`) at its largest within BETWEEN_REACH of t."""
        reach = round(BETWEEN_REACH * self.half)
        return max(o.cover2 if long else o.cover for o in near if abs(o.frame - s.frame) <= reach)

    def _locate(
        self, s: FrameScores, near: list[FrameScores], half: int, wide: float
    ) -> tuple[int, bool]:
        """Where, inside the long-range window around t, the change actually happens.

        The plateau where `wide` peaks is as long as the window minus the transition, so
        its middle is the transition's middle only when the shots on both sides hold
        still; for a short transition it can miss by several frames. The change is
        located instead where the straddling distances (`cut`) above the window's ordinary
        level reach half their sum (a long dissolve spreads them evenly: its middle stays).
        Returns that frame and True, or t and False when the change is not concentrated.
        """
        t = s.frame
        win = [o for o in near if t - half < o.frame <= t + half]
        # `cut` rather than `step`: a flash's frames step far but do not straddle a change;
        # lightning's do, but come back (LOCATE_BACK)
        cuts = [(o.frame, o.cut if o.back >= LOCATE_BACK * o.cut else o.back) for o in win]
        level = _median([c for _, c in cuts] or [0.0])
        excess = [(f, max(c - level, 0.0)) for f, c in cuts]
        total = sum(e for _, e in excess)
        if total < LOCATE_SHARE * wide:
            return t, False
        acc, marks = 0.0, []
        for frame, e in excess:
            acc += e
            marks.append((acc, frame))
        lo, mid, hi = (next(f for a, f in marks if a >= q * total)
                       for q in (LOCATE_Q, 0.5, 1 - LOCATE_Q))  # fmt: skip
        # only a change concentrated in a short run of frames is placed there; one spread
        # over the window (a long dissolve, maybe with a visible start) keeps its middle
        return (mid, True) if hi - lo < LOCATE_RUN * half else (t, False)

    def _gradual(
        self,
        s: FrameScores,
        near: list[FrameScores],
        kind: Kind,
        change: float,
        at: int = -1,
        long: bool = False,
    ) -> Boundary:
        """The public form of a gradual candidate: its span, and dissolve versus wipe.

        The span is the run of frames around `at` (default: t) whose step stays near the
        largest step in the transition's middle (within the decision window, so a
        transition longer than the window is reported by the part of it the window sees).
        """
        t = s.frame if at < 0 else at
        if kind == "fade":
            return self._fade_span(s, near, change)
        reach = (self.long if long else self.half) + 2
        steps = {o.frame: o.step for o in near if abs(o.frame - t) <= reach}
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

    def _lit(self, s: FrameScores, near: list[FrameScores]) -> bool:
        """True when a flat frame was reached by a sudden change that comes back (see
        RETURN_SHARE): light flooding a pale scene to a uniform frame, not a fade."""
        return any(
            o.cut >= self.cut_min and o.back < LIT_SHARE * o.cut
            for o in near
            if abs(o.frame - s.frame) <= HOLD
        )

    def _is_fade(self, s: FrameScores, near: list[FrameScores]) -> bool:
        """True at the flattest frame of a dip in spread that both sides ramp down to."""
        if s.spread > FLAT or max(s.wide, s.wide2) < self.cut_min:
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
        if not (before and after and max(before) > floor and max(after) > floor):
            return False
        # a fade longer than 2 s leaves the first window's ends both dim, alike to under
        # the threshold: the longer window's ends tell the two pictures apart when the
        # spread ramps up from t on both sides (LONG_FADE_STEPS)
        return s.wide >= self.cut_min or self._long_ramps(s, near)

    def _long_ramps(self, s: FrameScores, near: list[FrameScores]) -> bool:
        """Whether the spread rises by FADE_RISE at each of LONG_FADE_STEPS steps of
        RAMP_SECONDS out from t on both sides (a frame outside the window breaks it)."""
        spread = {o.frame: o.spread for o in near}
        for way in (-1, 1):
            marks = [spread.get(s.frame + way * k * self.ramp_step, -1.0)
                     for k in range(LONG_FADE_STEPS + 1)]  # fmt: skip
            if not all(b > a + FADE_RISE for a, b in pairwise(marks)):
                return False
        return True

    def _plateau_middle(self, s: FrameScores, near: list[FrameScores], long: bool = False) -> bool:
        """True when t is the middle of the run of frames where `wide` (or `wide2`, over
        the longer window) is near its peak."""
        half = self.long if long else self.half
        wide = {o.frame: o.wide2 if long else o.wide for o in near}
        peak = max(w for f, w in wide.items() if abs(f - s.frame) <= half)
        if wide[s.frame] < peak * 0.97:
            return False
        top = {f for f, w in wide.items() if w >= peak * 0.97}
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
        while self._past and self._past[0][0] < horizon - 2 * widest - max(self.pair, self.late):
            self._past.popleft()

    def _hold(self, c: Candidate) -> None:
        """Keep an accepted candidate, or only the stronger of it and the one accepted
        before it when the two are one transition seen twice."""
        if self._held and self._one_transition(self._held[-1], c):
            if self._beats(c, self._held[-1]):
                self._held[-1] = c
            return
        if (
            not self._held
            and self._given
            and self._one_transition(self._given, c, self.late, LATE_BETWEEN)
            and self._changing(self._given, c)
        ):
            return  # the transition's boundary is out already (LATE_SPAN)
        self._held.append(c)

    def _one_transition(
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
        ) or self._one_fade(c, o)

    def _changing(self, c: Candidate, o: Candidate) -> bool:
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

    def _one_fade(self, c: Candidate, o: Candidate) -> bool:
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
