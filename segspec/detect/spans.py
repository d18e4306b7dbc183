"""Shape a transition from the scores around the frame that found it: where its change is
(`locate`), the frames it spans and whether a dissolve is a wipe (`gradual`, `fade_span`),
and the window tests that tell a fade's flat bottom (`is_fade`, `lit`, `long_ramps`) and a
gradual change's plateau (`plateau_middle`, `between`, `cover`) from other frames.

Pure functions of a frame's `FrameScores` (`s`), the scores around it (`near`) and the
few settings they need, passed explicitly: `half`, a window's half-width in frames (the
first window's, `Timing.half`, or the longer one's, `Timing.long`), `cut_min`, the cut
threshold, and `ramp_step`, RAMP_SECONDS in frames. `decide.py` uses them; this module
imports nothing from it.
"""

from __future__ import annotations

from itertools import pairwise

from segspec.detect.boundary import Boundary, Kind
from segspec.detect.rules import (
    BETWEEN_REACH,
    FADE_RISE,
    FLAT,
    HOLD,
    LIT_SHARE,
    LOCATE_BACK,
    LOCATE_Q,
    LOCATE_RUN,
    LOCATE_SHARE,
    LONG_FADE_STEPS,
    SPAN_SHARE,
    WIPE_FOCUS,
)
from segspec.detect.scores import FrameScores


def median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def between(s: FrameScores, near: list[FrameScores], half: int) -> float:
    """The first window's `between` at its smallest within BETWEEN_REACH of t."""
    reach = round(BETWEEN_REACH * half)
    return min(o.between for o in near if abs(o.frame - s.frame) <= reach)


def cover(s: FrameScores, near: list[FrameScores], half: int, long: bool = False) -> float:
    """The window's `cover` (or `cover2`) at its largest within BETWEEN_REACH of t (`half`:
    the first window's half-width, whichever window's cover is read)."""
    reach = round(BETWEEN_REACH * half)
    return max(o.cover2 if long else o.cover for o in near if abs(o.frame - s.frame) <= reach)


def locate(s: FrameScores, near: list[FrameScores], half: int, wide: float) -> tuple[int, bool]:
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
    level = median([c for _, c in cuts] or [0.0])
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


def gradual(
    s: FrameScores,
    near: list[FrameScores],
    kind: Kind,
    change: float,
    half: int,
    at: int = -1,
) -> Boundary:
    """The public form of a gradual candidate: its span, and dissolve versus wipe.

    The span is the run of frames around `at` (default: t) whose step stays near the
    largest step in the transition's middle (within the decision window of half-width
    `half`, so a transition longer than the window is reported by the part of it the
    window sees).
    """
    t = s.frame if at < 0 else at
    if kind == "fade":
        return fade_span(s, near, change)
    reach = half + 2
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


def fade_span(s: FrameScores, near: list[FrameScores], change: float) -> Boundary:
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


def lit(s: FrameScores, near: list[FrameScores], cut_min: float) -> bool:
    """True when a flat frame was reached by a sudden change that comes back (see
    RETURN_SHARE): light flooding a pale scene to a uniform frame, not a fade."""
    return any(
        o.cut >= cut_min and o.back < LIT_SHARE * o.cut
        for o in near
        if abs(o.frame - s.frame) <= HOLD
    )


def is_fade(s: FrameScores, near: list[FrameScores], cut_min: float, ramp_step: int) -> bool:
    """True at the flattest frame of a dip in spread that both sides ramp down to."""
    if s.spread > FLAT or max(s.wide, s.wide2) < cut_min:
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
    return s.wide >= cut_min or long_ramps(s, near, ramp_step)


def long_ramps(s: FrameScores, near: list[FrameScores], ramp_step: int) -> bool:
    """Whether the spread rises by FADE_RISE at each of LONG_FADE_STEPS steps of
    RAMP_SECONDS (`ramp_step` frames) out from t on both sides (a frame outside the
    window breaks it)."""
    spread = {o.frame: o.spread for o in near}
    for way in (-1, 1):
        marks = [spread.get(s.frame + way * k * ramp_step, -1.0)
                 for k in range(LONG_FADE_STEPS + 1)]  # fmt: skip
        if not all(b > a + FADE_RISE for a, b in pairwise(marks)):
            return False
    return True


def plateau_middle(s: FrameScores, near: list[FrameScores], half: int, long: bool = False) -> bool:
    """True when t is the middle of the run of frames where `wide` (or `wide2`, over
    the longer window, of half-width `half`) is near its peak."""
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
