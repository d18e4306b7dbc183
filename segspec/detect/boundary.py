"""What the decider hands out (`Boundary`, with its `Kind`) and what it weighs (`Candidate`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
    form: str  # "cut" | "soft" | "gradual" | "fade" | "push": how it was found
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
    """A gradual candidate `spans.locate` placed on its own concentrated change (which may be
    the frame that found it)."""

    @property
    def found(self) -> int:
        """The frame whose scores found it (`origin`, or `frame` when not placed)."""
        return self.origin if self.origin >= 0 else self.frame
