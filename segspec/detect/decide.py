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
and its strength.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from segspec.detect.scores import (
    DEFAULT_TIMING,
    HALF_SECONDS,
    WEAK_GATE,
    WEAK_WIDE,
    FrameScores,
    Timing,
)

DEFAULT_THRESHOLD = 0.2
MOTION_RATIO = 3.0
WIDE_FACTOR = 1.5
"""A gradual transition's `wide` must reach WIDE_FACTOR x the cut threshold."""
SIDE_RATIO = 2.0
LONG_SIDE_RATIO = 2.0
"""The longer window's change must be this many times the change just outside it. It was
3.0 until round 10: a 2-3 s transition reaches past the longer window (1.6 s), so the
0.4 s just outside it are the transition's own change, and a wipe or a dissolve of 2.5 s
between drifting shots gives about 2.4 (`mono2` and `cover` still tell a pan or a figure;
round 10 chose 2.0 with every family left out in turn, from 3.0 down to 1.75)."""
BETWEEN_MAX = 0.4
"""The first window's middle frames may stray outside the span of its two ends by at most
this share of the change (`between`). Two moving shots dissolving into each other stray
by a fifth to a third (each end has drifted on while the middle mixes the pictures of
the moment); a figure crossing or a pan over a still scene is told by `side` and `cover`.
It was 0.15 until round 8: on the tuning material every family gained from 0.15 to 0.4
(no change beyond it) without a new false boundary in a negative."""
LONG_BETWEEN_MAX = 0.4
"""The same for the longer window (`between2`), as BETWEEN_MAX: a 1.5-3 s wipe or dissolve
between two moving shots strays by 0.25-0.4 in its middle, the shots having drifted on
over 1.6 s. It was 0.15 until round 10; with every family left out in turn 0.4 was chosen
(0.4-0.5 tie), and every family gained, with fewer false boundaries (the long window now
finds the transition whose halves the first window took for two)."""
BETWEEN_REACH = 0.2
"""The first window's `between` is taken at its smallest within this fraction of the
long-range half-width around a frame (2 frames at 25 fps, 5 at 60): one frame's sample
of a moving picture can stray where its neighbours' do not."""
MONO_MIN = 0.42
"""The longer window's change must be at least this monotonic (`mono2`): over 1.6 s a
pan, a zoom or shake moves content through blocks and back, a transition does not."""
MIDDLE_SHARE = 0.1
"""A transition long enough for the longer window still changes in its middle: the first
window there (0.8 s) must see at least this share of the longer window's change (a linear
3 s dissolve gives it about a quarter). Two short transitions about a second apart, with a
still shot between them, fill the longer window with change and leave its middle still."""
COVER_MIN = 0.5
"""A gradual transition replaces most of the picture: at least this share of its blocks
differs between the window's ends (`cover`). An object coming into a shot and staying
(a figure, a car, a dark shape over a third of the frame) changes only its own part."""
RETURN_SHARE = 0.55
"""A sudden change is not a cut when the pictures within `scores.RETURN_SECONDS` before
and after it are alike to within this share of the change (`back`): lightning (at its
onset, in its decay and where its light is switched off), a strobe or a flash longer than
the three frames `cut` skips. A flash over a fade's flat frame does not come back."""
HELD_RETURN_SHARE = 0.45
HOLD_STAY = 0.1
"""A sudden change after which the new picture holds (the frames 4 frames to 0.5 s later
stay within HOLD_STAY x the change of it: `stay`) is refused only when the picture before
comes back to within HELD_RETURN_SHARE of the change: a cut between two views of one
scene in one palette leaves the old view about half the cut away (0.50-0.53 on the
tuning material), while lightning switched off or a flash leaves the new picture."""
LIT_SHARE = 0.3
"""A flat frame is no fade's bottom when a sudden change within HOLD frames of it comes
back to within this share of that change: light flooding a pale scene to a uniform frame
(it comes back to within a tenth or so). A fade's own steps next to its flat frame can
look alike on both sides (two dim pictures), to about half their change: the share is
lower than RETURN_SHARE."""
WEAK_SHARE = WEAK_GATE
"""A cut may be as weak as this share of the threshold when it is one step alone that
makes the whole change around it: a cut between two views of one scene in one palette
(the histogram barely moves, the blocks move only by the scene's own contrast)."""
WEAK_RATIO = 3.0
"""...and it is this many times the ordinary step around it (as MOTION_RATIO),"""
WEAK_CUTNESS = 4.0
"""...this many times every step within 3 frames (no spread change: not a short fade),"""
WEAK_WHOLE = WEAK_WIDE
"""...at least this share of the long-range change (`wide`: nothing else changes within
0.4 s; a drifting or busy shot's own change over that time is larger than the step),"""
WEAK_SIDE = 2.0
"""...the within-shot change just outside the window (`side`) is at most this many times
that long-range change,"""
WEAK_COVER = 0.25
"""...over at least this share of the picture (`cover`). Two views of one scene often share
a floor, a sky or a wall that does not change across the cut: family 3's similar-palette
cuts change 27-47% of the blocks. It was COVER_MIN (0.5) until round 10; below 0.5 only
true cuts passed the weak-cut tests on the tuning material (3 of them), no negative."""
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
FADE_SNAP = 0.25
"""A fade stays at its flattest frame unless its change is concentrated more than this
fraction of the long-range half-width away from it (then that is where it is)."""
"""Frames of no change a transition's span may bridge (a fade's flat frames)."""
LOCATE_SHARE = 0.2
"""A gradual transition is placed by its steps when their excess over the window's
ordinary level adds up to at least this share of its long-range change."""

LOCATE_Q = 0.25
LOCATE_RUN = 0.5
"""...and only when the middle half of that change (from the LOCATE_Q to the 1 - LOCATE_Q
share of it) happens within LOCATE_RUN x the long-range half-width (0.2 s): a short
transition is placed on its own frames even when motion elsewhere in the window (an
object entering half a second later) adds a tail of change; a change spread over the
window (a long dissolve) keeps the window's middle."""
LOCATE_BACK = 0.3
"""A step whose picture comes back to within this share of it (`back`: lightning, a
flash) counts in `_locate` only by that return: a boundary is not placed on lightning a
few tenths of a second before a short wipe (it used to be, the lit frames' steps being
the window's largest). Chosen by leaving one family out over 0.2-1 (see
benchmarks/README.md, round 10)."""
LOCATED_RANK = 0.3
"""A gradual candidate placed on its own change (`_locate` moved it there: the middle half
of its change within 0.2 s) ranks this much above its long-range change against its
rivals: a candidate left at its window's middle saw the change of something else too (a
figure crossing or a drifting shot next to a short wipe), and used to win by a few
hundredths, off the transition. Flat from 0.3 to 0.5 on the tuning material. Since round
8 the same holds for a candidate `_locate` placed on the very frame that found it (its
change concentrated there): which of a transition's frames is the plateau's middle moves
with a hundredth of `wide`, and such a candidate used to lose the bonus by being exact."""
ONE_SPAN = 2
"""Two accepted gradual boundaries up to ONE_SPAN x the longer window's half-width apart
(1.6 s) can be one transition seen twice: the first window (0.8 s) sees a 1.2-3 s
transition's start and its end as two transitions of their own (a long dissolve's or
wipe's two halves, a fade's fade-out and fade-in). Only the stronger is kept when, midway
between them, the picture is still changing (`wide` at least ONE_WIDE x the threshold)
and the longer window centred there sees its middle frames between its two ends
(`between2` at most ONE_BETWEEN): one change from the first shot to the last. Two
transitions with a shot between them leave that shot in the longer window's middle, off
the line from the first shot to the third (or still: `wide` low there). Set in round 9
by leaving one family out (every family's choice but one, 0.2 and 1.25)."""
ONE_BETWEEN = 0.2
ONE_WIDE = 1.25
RAMP_SECONDS = 0.16
"""Two gradual candidates within ONE_SPAN are also one transition when they are one fade's
fade-out and fade-in: between their frames lies a flat frame (spread <= FLAT), and from
it out to each of them the luma spread rises at every step of
RAMP_SECONDS (the picture fading out before it, fading in after it). `between2` cannot
tell a fade (its flat middle lies off the line between the two shots). A transition after
the fade's new shot has appeared is placed where the spread no longer rises. Round 10, by
leaving one family out (0.16 chosen without the procedural family, whose folders it
helps most; 0.25 without family 3, which it still helps)."""
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
    origin: int = -1
    """The frame whose scores found it (a gradual one may be placed elsewhere)."""
    placed: bool = False
    """A gradual candidate `_locate` placed on its own concentrated change (which may be
    the frame that found it)."""

    @property
    def found(self) -> int:
        """The frame whose scores found it (`origin`, or `frame` when not placed)."""
        return self.origin if self.origin >= 0 else self.frame


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
        self._past: deque[tuple[int, float, float, float]] = deque()
        """(frame, wide, between2, spread) of recently evaluated frames, for
        `_one_transition`."""
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
            self._past.append((t, s.wide, s.between2, s.spread))
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
            b = self._gradual(s, near, "dissolve", s.wide, at)
            return Candidate(at, "gradual", 1.0 + s.wide, s.cut, s.wide, b, t, placed)
        if (  # a transition too long for the first window, seen by the longer one
            self._inside(t, self.long + self.half)
            and s.wide2 >= self.wide_min
            and s.wide2 >= LONG_SIDE_RATIO * s.side2
            and s.between2 <= LONG_BETWEEN_MAX
            and s.mono2 >= MONO_MIN
            and s.wide >= MIDDLE_SHARE * s.wide2
            and self._cover(s, near, long=True) >= COVER_MIN
            and self._plateau_middle(s, near, long=True)
        ):
            at, placed = self._locate(s, near, self.long, s.wide2)
            b = self._gradual(s, near, "dissolve", s.wide2, at, long=True)
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

    def _weak_alone(self, s: FrameScores) -> bool:
        """Whether a step under the threshold could still be a weak cut: at least
        WEAK_SHARE of the threshold, the whole long-range change around it, with a calm
        shot on either side, over most of the picture."""
        return (
            s.cut >= WEAK_SHARE * self.cut_min
            and s.cut >= WEAK_WHOLE * s.wide
            and s.side <= WEAK_SIDE * s.wide
            and s.cover >= WEAK_COVER
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
            yield self._held.pop(0).boundary
        self._pending = [c for c in self._pending if c not in ready]
        # decided candidates are kept only while a pending one could still be their rival
        self._decided = [c for c in (*self._decided, *ready) if c.frame >= horizon - 2 * widest]
        while self._past and self._past[0][0] < horizon - 2 * widest - self.pair:
            self._past.popleft()

    def _hold(self, c: Candidate) -> None:
        """Keep an accepted candidate, or only the stronger of it and the one accepted
        before it when the two are one transition seen twice."""
        if self._held and self._one_transition(self._held[-1], c):
            if self._beats(c, self._held[-1]):
                self._held[-1] = c
            return
        self._held.append(c)

    def _one_transition(self, c: Candidate, o: Candidate) -> bool:
        """Whether two gradual candidates are one long transition seen twice (ONE_SPAN)."""
        if c.form == "cut" or o.form == "cut" or abs(c.frame - o.frame) > self.pair:
            return False
        past, first = self._past, self._past[0][0] if self._past else 0
        m = (c.frame + o.frame) // 2
        reach = round(BETWEEN_REACH * self.half)
        near = [
            past[k - first] for k in range(m - reach, m + reach + 1) if 0 <= k - first < len(past)
        ]
        return (
            any(f == m and w >= ONE_WIDE * self.cut_min for f, w, _, _ in near)
            and min((b for _, _, b, _ in near), default=1.0) <= ONE_BETWEEN
        ) or self._one_fade(c, o)

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
