"""Shots: what the detector reports and what a BasicClipSplit job turns into clips."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from fractions import Fraction

JSON_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Shot:
    """One shot: source frames `first_frame..last_frame` (0-based, inclusive).

    `in_s` is the time of the first frame and `out_s` the end of the last one, counted
    at the stream's average frame rate from the first frame.
    """

    index: int
    first_frame: int
    last_frame: int
    in_s: float
    out_s: float

    @property
    def frames(self) -> int:
        return self.last_frame - self.first_frame + 1


def shots_from_boundaries(boundaries: list[int], frame_count: int, fps: Fraction) -> list[Shot]:
    """Shots covering frames 0..frame_count-1 in order, a new one starting at each boundary.

    Boundaries outside 1..frame_count-1 are ignored; an empty video has no shots.
    """
    starts = [0, *sorted({b for b in boundaries if 0 < b < frame_count})]
    shots = []
    for i, first in enumerate(starts):
        last = (starts[i + 1] if i + 1 < len(starts) else frame_count) - 1
        shots.append(
            Shot(i, first, last, round(float(first / fps), 6), round(float((last + 1) / fps), 6))
        )
    return shots if frame_count > 0 else []


def render_shots(shots: list[Shot], as_json: bool) -> str:
    """The text `segspec detect` prints: a table, or a versioned JSON document."""
    if as_json:
        doc = {"format_version": JSON_FORMAT_VERSION, "shots": [asdict(s) for s in shots]}
        return json.dumps(doc, indent=2, sort_keys=True)
    lines = [f"{'index':>5}  {'first':>7}  {'last':>7}  {'in (s)':>10}  {'out (s)':>10}"]
    for s in shots:
        lines.append(
            f"{s.index:>5}  {s.first_frame:>7}  {s.last_frame:>7}  "
            f"{s.in_s:>10.3f}  {s.out_s:>10.3f}"
        )
    count = len(shots)
    lines.append(f"{count} shot{'s' if count != 1 else ''}")
    return "\n".join(lines)
