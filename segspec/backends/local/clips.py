"""What a local cut produces: one clip file per output index."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Clip:
    """One written clip: which source frames it holds and where the file is.

    `first_frame`/`last_frame` are 0-based frame numbers of the source (inclusive);
    `in_s`/`out_s` are the source times of the clip's first frame and of the end of its
    last frame. `path` is a finished file the engine moves into the object store.
    `opened_by` is the kind of transition that opened the clip's shot (BasicClipSplit;
    None for the first shot and for UserDefined ranges).
    """

    index: int
    first_frame: int
    last_frame: int
    in_s: float
    out_s: float
    path: Path
    opened_by: str | None = None
