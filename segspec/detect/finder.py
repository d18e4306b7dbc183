"""The whole detector as one object fed thumbnails in order: features, scores, decisions.

`detect()` feeds it from its own thumbnail decode; the BasicClipSplit path feeds it from
the decode it shares with the encoder, and asks `settled` how far boundaries are final
so it can release the frames before that point to the encoder.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from segspec.detect.boundary import Boundary
from segspec.detect.decide import Decider
from segspec.detect.features import features
from segspec.detect.scores import ScoreStream, Timing


class ShotFinder:
    """Push raw yuv420p 64x36 thumbnails (rows of `frames.FRAME_BYTES`); get `Boundary`s.

    Boundaries come out in frame order, each exactly once, and never change afterwards.
    """

    def __init__(self, fps: Fraction | float, *, threshold: float, min_shot_seconds: float):
        timing = Timing.for_fps(float(fps))
        self._stream = ScoreStream(timing, gate=threshold)
        min_frames = max(1, round(min_shot_seconds * float(fps)))
        self._decider = Decider(threshold, min_frames, timing)
        self.frame_count = 0
        self._lag = timing.reach + self._decider.lag + 1

    @property
    def settled(self) -> int:
        """Every boundary before this frame number has been returned already."""
        return max(0, self.frame_count - self._lag)

    def push(self, chunk: npt.NDArray[np.uint8]) -> Iterator[Boundary]:
        if len(chunk) == 0:
            return
        self.frame_count += len(chunk)
        for scores in self._stream.push(*features(chunk)):
            yield from self._decider.push(scores)

    def finish(self) -> Iterator[Boundary]:
        """The remaining boundaries, once the video has ended."""
        for scores in self._stream.finish():
            yield from self._decider.push(scores)
        yield from self._decider.finish()
