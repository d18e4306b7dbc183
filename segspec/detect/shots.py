"""Shots: what the detector reports and what a BasicClipSplit job turns into clips."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction

from segspec.detect.boundary import Boundary

JSON_FORMAT_VERSION = 2
"""2: each shot carries the `transition` that opened it (null for the first shot)."""


@dataclass(frozen=True)
class Shot:
    """One shot: source frames `first_frame..last_frame` (0-based, inclusive).

    `in_s` is the time of the first frame and `out_s` the end of the last one, counted
    at the stream's average frame rate from the first frame. `transition` is the boundary
    that opened the shot (None for the first shot of a video).
    """

    index: int
    first_frame: int
    last_frame: int
    in_s: float
    out_s: float
    transition: Boundary | None = None

    @property
    def frames(self) -> int:
        return self.last_frame - self.first_frame + 1


def shots_from_boundaries(
    boundaries: Sequence[Boundary], frame_count: int, fps: Fraction
) -> list[Shot]:
    """Shots covering frames 0..frame_count-1 in order, a new one starting at each boundary.

    Boundaries whose cut frame lies outside 1..frame_count-1 are ignored (of two at the
    same frame, the first is kept); an empty video has no shots.
    """
    if frame_count <= 0:
        return []
    opening: dict[int, Boundary] = {}
    for b in boundaries:
        if 0 < b.frame < frame_count:
            opening.setdefault(b.frame, b)
    starts = [0, *sorted(opening)]
    shots = []
    for i, first in enumerate(starts):
        last = (starts[i + 1] if i + 1 < len(starts) else frame_count) - 1
        in_s, out_s = round(float(first / fps), 6), round(float((last + 1) / fps), 6)
        shots.append(Shot(i, first, last, in_s, out_s, opening.get(first)))
    return shots


def render_shots(shots: list[Shot], as_json: bool) -> str:
    """The text `segspec detect` prints: a table, or a versioned JSON document.

    Each shot shows the transition that opened it: its kind, the frames it spans and its
    strength (blank for the first shot).
    """
    if as_json:
        doc = {"format_version": JSON_FORMAT_VERSION, "shots": [asdict(s) for s in shots]}
        return json.dumps(doc, indent=2, sort_keys=True)
    lines = [
        f"{'index':>5}  {'first':>7}  {'last':>7}  {'in (s)':>10}  {'out (s)':>10}  "
        f"{'opened by':<9}  {'frames':>13}  {'strength':>8}"
    ]
    for s in shots:
        row = f"{s.index:>5}  {s.first_frame:>7}  {s.last_frame:>7}  "
        row += f"{s.in_s:>10.3f}  {s.out_s:>10.3f}"
        t = s.transition
        if t is not None:
            span = f"{t.first}" if t.first == t.last else f"{t.first}-{t.last}"
            row += f"  {t.kind:<9}  {span:>13}  {t.strength:>8.3f}"
        lines.append(row.rstrip())
    count = len(shots)
    lines.append(f"{count} shot{'s' if count != 1 else ''}")
    return "\n".join(lines)
