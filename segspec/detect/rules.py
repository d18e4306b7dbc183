"""The detector's constants: every threshold and window of `decide.Decider`'s rules.

Each carries why it has its value and how it was chosen (on tuning material only; the
benchmark's held-out parts were run once after the constants were committed: see
benchmarks/README.md). Windows that describe how long a transition lasts are in seconds
or scaled by `scores.Timing`; the few that describe one-frame events stay in frames.
"""

from __future__ import annotations

from segspec.detect.scores import WEAK_GATE, WEAK_WIDE

DEFAULT_THRESHOLD = 0.2
MOTION_RATIO = 2.5
"""A hard cut's step must be this many times the ordinary step around it (the median over
the decision window). It was 3.0 until round 11: a cut between two busy shots (three
quarters of the picture moving a block or so a frame) is 2.7-2.9 times their steps
(family 3: 2.94 at 25 and 30 fps). On the 22 tuning folders 2.5 gains two family-3 cuts
and a dissolve and loses nothing; at 2.25 the held-out family loses (a false cut and a
missed dissolve). Without family 3 every value from 2.5 to 3.0 ties (round 11)."""
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
"""...and it is this many times the ordinary step around it (MOTION_RATIO was 3.0 too),"""
WEAK_CUTNESS = 2.0
"""...this many times every step within 3 frames (not a short fade, whose steps are alike).
It was 4.0 until round 11: a new shot that moves at once (a camera bump or a figure a
frame or two after the cut) has a step of a third to a half of the cut's (family 3's
similar-palette cuts at 25, 29.97 and 30 fps: 3.1-3.6). On the 22 tuning folders no
false boundary appears from 4.0 down to 1.25 (at 1.0 three: two figures, a lightning
step); only family 3 moves (+2 cuts, +1 wipe at 2.0; +1 cut more at 1.5, from a ratio of
1.54). 2.0 leaves a margin on both sides (round 11, benchmarks/README.md)."""
WEAK_WHOLE = WEAK_WIDE
"""...at least this share of the long-range change (`wide`: little else changes within
0.4 s; a drifting or busy shot's own change over that time is larger than the step). It
was 0.8 until round 12: a camera move or a zoom starting a few frames after a cut
between two views of one scene inflates `wide`, and the cut carries 0.64-0.78 of it
(family 3, 11500 at 23.976 fps). Below 0.8 the weak tests used to let in encoders'
colour jumps at keyframes in the procedural family (round 11); WEAK_SHIFT refuses those
now."""
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
flash) counts in `spans.locate` only by that return: a boundary is not placed on lightning a
few tenths of a second before a short wipe (it used to be, the lit frames' steps being
the window's largest). Chosen by leaving one family out over 0.2-1 (see
benchmarks/README.md, round 10)."""
LOCATED_RANK = 0.3
"""A gradual candidate placed on its own change (`spans.locate` moved it there: the middle half
of its change within 0.2 s) ranks this much above its long-range change against its
rivals: a candidate left at its window's middle saw the change of something else too (a
figure crossing or a drifting shot next to a short wipe), and used to win by a few
hundredths, off the transition. Flat from 0.3 to 0.5 on the tuning material. Since round
8 the same holds for a candidate `spans.locate` placed on the very frame that found it (its
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

# -- round 11, gradual transitions (branch i11r11b) ----------------------------------
LATE_SPAN = 2.5
"""A gradual candidate accepted after the boundary before it has already been given out
(it was held ONE_SPAN x the longer window's half-width, 1.6 s) is still that one
transition seen again, and dropped, when it lies up to LATE_SPAN x that half-width
(2.0 s) after it and the ONE_SPAN tests hold midway between them: a linear 3 s dissolve
or fade's two halves are found 1.7-1.8 s apart. Holding boundaries longer would lengthen
the look-ahead (and the split's memory); dropping the later one costs nothing."""
LATE_BETWEEN = 0.05
"""...but only when the longer window midway sees its middle frames right on the line
between its two ends (`between2` at most this, not ONE_BETWEEN): two transitions of moving
shots 1.7-2 s apart on the tuning material give 0.09-0.19 there (and were taken for one
with ONE_BETWEEN), a linear dissolve between still shots about 0."""
LATE_DIM = 2 * FLAT
"""...and the picture changes all the way between them: `wide` at least ONE_WIDE x the
threshold at every frame, or `wide2` on frames dimmer than this spread (a fade's middle,
where the first window's two ends are both dim). Two transitions of moving shots 1.7-2 s
apart on the tuning material have a calmer moment between them (`wide` 0.05-0.06)."""
LONG_FADE_STEPS = 5
"""A fade's black (or white) frame is a fade's bottom by the longer window's change
(`wide2`) when the first window's ends are both still dim (a fade of more than 2 s:
`wide` under the threshold) and the spread rises at each of this many steps of
RAMP_SECONDS out from it on both sides (0.8 s): a long fade's ramps. A dip to dark and
back to a moving shot has its spread back within a step or two."""

# -- round 11, pushes and slides (branch i11r11c) -------------------------------------
PUSH_HUE = 1.75
"""The longer window's change may be as little monotonic as a pan's (`mono2` under
MONO_MIN) when its colours change, by at least this x the threshold (`hue2`: the colour
histograms of its two ends, half the L1 norm): a 2-3 s push or slide moves the old
picture out and another shot's picture in, so each block sees content pass through it as
in a pan, but the colours of the end are another shot's. A pan or a zoom over one scene
keeps most of its colours (0.16-0.21 on generated fast pans of 0.6-1.2 picture widths a
second; a push between two scenes of different tints 0.53-0.80). The other tests of the
longer window (its side, `between2`, `cover2`, the middle's change) still hold: a pan
goes on outside the window, a push stops. Two pictures of one palette pushed across each
other stay unfound, as do two random textures of one distribution (such a push is, frame
for frame, a pan over the two side by side)."""
PUSH_RANK = 0.5
"""A candidate let in by PUSH_HUE (form "push") ranks this low against its rivals: under
every other candidate (a soft step is 0.5 + its cut), so it is a boundary only where
nothing else is, and it does not make a cut inside its window yield (`_step_inside` is
for gradual candidates). Ranked as a gradual one (1.0 + `wide2`), it moved short wipes'
and a weak cut's boundaries off their frames on the family-3 tuning material."""

# -- round 12, hard cuts (branch cuts12) ---------------------------------------------
UNIFORM_SHARE = 0.1
"""A sudden change is no cut when it moves the whole picture by one offset: its luma
blocks' changes stray from their mean (`scores.FrameScores.shift`) by at most this share
of the luma spread of the frames around it. An encoder's keyframe can shift every block
of a textured picture by a few units of luma and chroma at once (Y +10, U +7, V +4 in
0.02 of the picture's spread), which pushes most pixels across a coarse colour-histogram
bin and scores as a cut of 0.3-0.4; a new picture, even another view of one scene,
strays by 0.16 or more of the spread on the tuning material."""
UNIFORM_SPREAD = 2 * FLAT
"""...when that spread is at least this (a textured picture): between two flat pictures
every cut is a uniform offset."""
WEAK_SHIFT = 4.0
"""A weak cut rearranges the picture: its luma blocks' changes stray from their mean
(`shift`) by at least this (0..255 units). Two views of one scene do by their own
contrast (10-21 on the tuning material); a weak step that moves every block by about one
offset (0.9-2.7: an encoder's colour jump on a dim or flat picture, whose spread is too
small for UNIFORM_SHARE) is a change of tint, not of shot."""
WEAK_FOCUS = 0.85
"""...and a weak cut changes the picture all over, not in a band: under this share of its
luma change lies in the quarter of blocks that change most (`focus`). A wipe's or a
push's moving edge can make one step that carries most of the 0.8 s change around it
(0.98 on the tuning material, in a 2 s parallax push); a cut between two views of one
scene gives 0.41-0.71."""

# -- round 12, objects entering a drifting shot (branch short12) -----------------------
MOVED_MIN = COVER_MIN
"""A transition short enough for the first window replaces most of the picture even when
a block may match its old content one block away (`moved`: camera drift forgiven). In a
drifting shot nearly every block changes by more than `features.COVER_LEVEL` in 0.8 s,
so `cover` reads 0.75-0.9 where a dark object came in over a third of the picture and
stayed (the procedural family's "object" negatives) and said nothing; forgiving a shift
of a block, the object's blocks alone are left (0.35-0.45). The same half as COVER_MIN.
On the 13 tuning folders complete in round 12 (corpus, 10100-10700, procedural 10200-10800,
family 3 11200-11500), 0.5 removes four false boundaries (two objects, a false dissolve
in a procedural shot, one in family 3) and changes nothing else. On nine of them 0.6
removes one family-3 false wipe more and at 0.7 a wipe of the tuning part is lost (0.5
keeps the margin). The longer window keeps `cover` alone: its ends span only part of
a 3 s wipe (`moved` 0.38 there), and the same test there lost that wipe (round 12)."""
