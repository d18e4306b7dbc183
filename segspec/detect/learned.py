"""An opt-in learned stage that re-scores the hand-built detector's candidate boundaries.

Off by default: `detect()` and BasicClipSplit never use it. `LearnedFinder` has the same
interface as `ShotFinder` and runs two copies of the hand-built decision stage on one
score stream: the default one (its boundaries are the candidates the detector would
report) and a looser one at `Model.loose` x the threshold (candidates it would miss).
Each candidate gets a vector of `FEATURES` taken from the scores around it, a small
model shipped in the package (`learned_weights.npz`: gradient-boosted trees or a
logistic regression, a few KB, numpy inference only) gives it a probability, and the
candidates at or above `Model.accept` are kept, the most probable of any that lie closer
than the minimum shot length. Kind, span and strength are the hand-built detector's.

The model was trained on the benchmark's tuning material only (`benchmarks/learned.py`);
benchmarks/README.md ("Learned stage (experiment)") has the measurement and the decision.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from segspec.detect import DEFAULT_MIN_SHOT_SECONDS, DEFAULT_THRESHOLD, KINDS, Detection
from segspec.detect.boundary import Boundary
from segspec.detect.decide import Decider
from segspec.detect.features import features
from segspec.detect.frames import iter_thumbnails
from segspec.detect.rules import WIDE_FACTOR
from segspec.detect.scores import FrameScores, ScoreStream, Timing
from segspec.errors import SegspecError
from segspec.media.probe import probe

WEIGHTS = Path(__file__).with_name("learned_weights.npz")
FORMAT_VERSION = 1
MERGE = 2
"""A loose candidate within this many frames of a default one is the same candidate."""

FEATURES: tuple[str, ...] = (
    "cut", "step", "wide", "side", "between", "wide2", "side2", "between2", "mono2",
    "focus", "back_ratio", "spread", "min_back_ratio", "peak_cut", "level", "cut_level",
    "wide_max", "wide2_max", "wide_side", "wide2_side2", "min_spread", "min_between",
    "travel", "hand", "loose", "peak", "hand_gap", "kind_cut", "kind_dissolve", "kind_fade",
    "kind_wipe", "strength", "span_s",
)  # fmt: skip
"""What the model sees of a candidate, in this order (`candidate_features`)."""

Vector = npt.NDArray[np.float64]

HAND, LOOSE, PEAK = 0, 1, 2
"""Where a candidate comes from: the default stage, the looser stage, a peak of `wide`."""


class ModelError(SegspecError):
    """A learned-stage weights file that cannot be used."""


@dataclass(frozen=True)
class Model:
    """A binary classifier over `FEATURES`: P(the candidate is a real boundary).

    `kind` "trees": gradient-boosted regression trees of equal depth, as arrays (T, N):
    node `feature`, `threshold`, `left`/`right` child (a leaf points to itself) and leaf
    `value`; the log-odds are `base` plus one leaf value per tree. `kind` "logistic":
    `weights` over the standardised features ((x - mean) / scale) plus `base`.
    """

    kind: str
    base: float
    accept: float
    """Smallest probability a candidate of the default stage needs to be kept."""
    loose: float
    """The looser decision stage runs at this factor of the threshold."""
    depth: int = 0
    feature: npt.NDArray[np.int64] | None = None
    threshold: Vector | None = None
    left: npt.NDArray[np.int64] | None = None
    right: npt.NDArray[np.int64] | None = None
    value: Vector | None = None
    mean: Vector | None = None
    scale: Vector | None = None
    weights: Vector | None = None
    accept_new: float | None = None
    """Smallest probability a candidate the default stage did not report needs (None:
    `accept`, like the others)."""

    def keeps(self, probability: float, hand: bool) -> bool:
        """Whether a candidate with this probability is kept (before neighbours compete)."""
        if hand or self.accept_new is None:
            return probability >= self.accept
        return probability >= self.accept_new

    def probability(self, x: Vector) -> float:
        """P(boundary) of one feature vector (len(FEATURES) numbers)."""
        if self.kind == "logistic":
            assert self.mean is not None and self.scale is not None and self.weights is not None
            z = self.base + float(((x - self.mean) / self.scale) @ self.weights)
        else:
            assert self.feature is not None and self.threshold is not None
            assert self.left is not None and self.right is not None and self.value is not None
            trees = np.arange(len(self.feature))
            node = np.zeros(len(self.feature), np.int64)
            # features are compared in float32, as the training library compared them
            x32 = x.astype(np.float32).astype(np.float64)
            for _ in range(self.depth):
                f = self.feature[trees, node]
                go_left = x32[f] <= self.threshold[trees, node]
                node = np.where(go_left, self.left[trees, node], self.right[trees, node])
            z = self.base + float(self.value[trees, node].sum())
        return float(1.0 / (1.0 + np.exp(-z)))


_ARRAYS = ("feature", "threshold", "left", "right", "value", "mean", "scale", "weights")
_NODES = ("feature", "left", "right")
"""Node indices, stored as int16 (a tree of depth <= 14 fits)."""


def save_model(model: Model, path: Path) -> None:
    """Write a model as a versioned .npz (no pickled objects)."""
    arrays: dict[str, npt.NDArray[np.generic]] = {
        "format_version": np.array(FORMAT_VERSION),
        "names": np.array(FEATURES),
        "kind": np.array(model.kind),
        "base": np.array(model.base),
        "accept": np.array(model.accept),
        "loose": np.array(model.loose),
        "depth": np.array(model.depth),
    }
    if model.accept_new is not None:
        arrays["accept_new"] = np.array(model.accept_new)
    for name in _ARRAYS:
        value = getattr(model, name)
        if value is not None:
            arrays[name] = value.astype(np.int16) if name in _NODES else value
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def load_model(path: Path = WEIGHTS) -> Model:
    """Read a weights file; `ModelError` when it is missing, of another version or of
    other features."""
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read learned-stage weights {path}: {exc}") from exc
    with data:
        version = int(data["format_version"])
        if version != FORMAT_VERSION:
            raise ModelError(
                f"{path}: weights format {version}, this segspec reads {FORMAT_VERSION} — "
                "retrain with benchmarks/learned.py"
            )
        names = tuple(str(n) for n in data["names"])
        if names != FEATURES:
            raise ModelError(f"{path}: weights for other features — retrain them")
        extra = {
            n: data[n].astype(np.int64) if n in _NODES else data[n] for n in _ARRAYS if n in data
        }
        return Model(
            kind=str(data["kind"]),
            base=float(data["base"]),
            accept=float(data["accept"]),
            loose=float(data["loose"]),
            depth=int(data["depth"]),
            accept_new=float(data["accept_new"]) if "accept_new" in data else None,
            **extra,
        )


def candidate_features(
    win: Callable[[int], FrameScores],
    frame: int,
    boundary: Boundary,
    sources: set[int],
    hand_gap: float,
    timing: Timing,
    fps: float,
) -> Vector:
    """The feature vector of a candidate at `frame`; `win(k)` gives frame k's scores.

    `sources`: which sources (HAND, LOOSE, PEAK) found it within MERGE frames; `hand_gap`:
    the distance to the nearest other default-stage boundary, as a share of the delay
    (1: none that close)."""
    s = win(frame)
    half, look = timing.half, timing.long + 2
    near = [win(k) for k in range(frame - look, frame + look + 1)]
    inner = [o for o in near if abs(o.frame - frame) <= half]
    steps_out = [o.step for o in near if abs(o.frame - frame) > 3]
    level = float(np.median(steps_out)) if steps_out else 0.0

    def ratio(o: FrameScores) -> float:
        return o.back / o.cut if o.cut > 0 else 1.0

    kind = [float(boundary.kind == k) for k in KINDS]
    values = [
        s.cut, s.step, s.wide, s.side, s.between, s.wide2, s.side2, s.between2, s.mono2,
        s.focus, ratio(s), float(np.log1p(s.spread)),
        min(ratio(o) for o in inner),
        max(o.cut for o in inner),
        level,
        s.cut / (level + 0.01),
        max(o.wide for o in inner),
        max(o.wide2 for o in near),
        s.wide / (s.side + 0.01),
        s.wide2 / (s.side2 + 0.01),
        float(np.log1p(min(o.spread for o in inner))),
        min(o.between for o in near if abs(o.frame - frame) <= 2),
        sum(o.step for o in inner) / (s.wide + 0.01),
        *(float(k in sources) for k in (HAND, LOOSE, PEAK)),
        hand_gap,
        *kind,
        boundary.strength,
        (boundary.last - boundary.first + 1) / fps,
    ]  # fmt: skip
    return np.array(values, np.float64)


@dataclass(frozen=True)
class Scored:
    """A candidate with the model's probability (and its features, for training)."""

    frame: int
    boundary: Boundary
    probability: float
    vector: Vector
    hand: bool


class LearnedFinder:
    """`ShotFinder` with the learned stage: push raw 64x36 thumbnails, get `Boundary`s.

    Candidates come from three sources on one score stream: the default decision stage
    (exactly the hand-built detector's boundaries), the same stage at `Model.loose` x
    the threshold, and every frame in the middle of a peak of the long-range change
    (`wide` or `wide2` at least `Model.loose` x what a gradual transition needs, with
    none of the hand-built ratio tests). `candidates` keeps every candidate the model
    scored when `record` is set (training).
    """

    def __init__(
        self,
        fps: Fraction | float,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        min_shot_seconds: float = DEFAULT_MIN_SHOT_SECONDS,
        model: Model | None = None,
        record: bool = False,
    ) -> None:
        self.fps = float(fps)
        self.model = model if model is not None else load_model()
        self.timing = Timing.for_fps(self.fps)
        self.min_frames = max(1, round(min_shot_seconds * self.fps))
        low = threshold * self.model.loose
        self._peak_min = low * WIDE_FACTOR
        self._stream = ScoreStream(self.timing, gate=min(threshold, low))
        self._hand = Decider(threshold, self.min_frames, self.timing)
        self._loose = Decider(low, self.min_frames, self.timing)
        self._lag = max(self._hand.lag, self._loose.lag)
        self._delay = max(MERGE, self.min_frames)
        """Candidates are made once every raw boundary this close to them is known."""
        look = self.timing.long + 2
        self._keep = self._lag + 2 * look + self._delay + self.min_frames + 8
        self._scores: deque[FrameScores] = deque()
        self._raw: list[tuple[int, int, Boundary]] = []
        """Boundaries of the three sources (frame, source, boundary) not yet turned into
        candidates, plus recent ones to compare with."""
        self._made = -1  # candidates exist for every raw boundary up to this frame
        self._peaked = -1  # peaks are looked for up to this frame
        self._accepted: list[Scored] = []
        self._emitted = -1
        self.record = record
        self.candidates: list[Scored] = []
        self.frame_count = 0

    @property
    def settled(self) -> int:
        """Every boundary before this frame number has been returned already."""
        lag = self.timing.reach + self._lag + self._delay + self.min_frames + 2
        return max(0, self.frame_count - lag)

    def push(self, chunk: npt.NDArray[np.uint8]) -> Iterator[Boundary]:
        if len(chunk) == 0:
            return
        self.frame_count += len(chunk)
        for s in self._stream.push(*features(chunk)):
            self._take(s)
            if self._raw or self._accepted:
                yield from self._advance(s.frame - self._lag)

    def finish(self) -> Iterator[Boundary]:
        """The remaining boundaries, once the video has ended."""
        for s in self._stream.finish():
            self._take(s)
            if self._raw or self._accepted:
                yield from self._advance(s.frame - self._lag)
        if self._scores:
            for t in range(self._peaked + 1, self._scores[-1].frame + 1):
                self._peak(t)
        self._raw += [(b.frame, HAND, b) for b in self._hand.finish()]
        self._raw += [(b.frame, LOOSE, b) for b in self._loose.finish()]
        yield from self._advance(None)

    def _take(self, s: FrameScores) -> None:
        self._scores.append(s)
        if len(self._scores) > self._keep:
            self._scores.popleft()
        self._raw += [(b.frame, HAND, b) for b in self._hand.push(s)]
        self._raw += [(b.frame, LOOSE, b) for b in self._loose.push(s)]
        t = s.frame - self.timing.long - 1
        if t > self._peaked:
            self._peak(t)

    def _at(self, frame: int) -> FrameScores:
        first, last = self._scores[0].frame, self._scores[-1].frame
        return self._scores[min(max(frame, first), last) - first]

    def _peak(self, t: int) -> None:
        """A peak candidate at t: the middle of the run of frames near the top of `wide`
        (over the first window) or `wide2` (over the longer one), at its highest there."""
        self._peaked = t
        s = self._at(t)
        for long in (False, True):
            value = s.wide2 if long else s.wide
            if t <= 0 or value < self._peak_min:
                continue
            half = self.timing.long if long else self.timing.half
            around = [self._at(k) for k in range(t - half, t + half + 1)]
            window = [o.wide2 if long else o.wide for o in around]
            if max(window) > value:
                continue
            lo = hi = half
            while lo > 0 and window[lo - 1] >= 0.97 * value:
                lo -= 1
            while hi < 2 * half and window[hi + 1] >= 0.97 * value:
                hi += 1
            if (lo + hi) // 2 == half:
                self._raw.append((t, PEAK, Boundary(t, "dissolve", t, t, round(value, 4))))
                return

    def _advance(self, frontier: int | None) -> Iterator[Boundary]:
        """Make candidates of the raw boundaries more than `_delay` frames before
        `frontier` (every source has reported everything before it; None: the video has
        ended), then keep the accepted ones whose neighbours are all known."""
        limit = frontier - self._delay if frontier is not None else None
        self._raw.sort(key=lambda r: (r[0], r[1]))
        for frame, source, b in self._raw:
            if frame <= self._made or (limit is not None and frame >= limit):
                continue
            near = [r for r in self._raw if abs(r[0] - frame) <= MERGE and r[2] is not b]
            if any(r[1] < source for r in near):
                continue  # a candidate of a stronger source stands for it
            sources = {source} | {r[1] for r in near}
            gaps = [abs(r[0] - frame) for r in self._raw if r[1] == HAND and r[2] is not b]
            gap = min([g for g in gaps if g <= self._delay] or [self._delay]) / self._delay
            vector = candidate_features(self._at, frame, b, sources, gap, self.timing, self.fps)
            scored = Scored(frame, b, self.model.probability(vector), vector, source == HAND)
            if self.record:
                self.candidates.append(scored)
            if self.model.keeps(scored.probability, scored.hand):
                self._accepted.append(scored)
        if limit is not None:
            self._made = max(self._made, limit - 1)
            self._raw = [r for r in self._raw if r[0] >= limit - 2 * self._delay - 1]
        else:
            self._raw = []
        yield from self._keep_best(limit)

    def _keep_best(self, limit: int | None) -> Iterator[Boundary]:
        reach = self.min_frames
        for c in self._accepted:
            if c.frame <= self._emitted or (limit is not None and c.frame + reach >= limit):
                continue
            rivals = [o for o in self._accepted if o is not c and abs(o.frame - c.frame) < reach]
            if all((o.probability, -o.frame) < (c.probability, -c.frame) for o in rivals):
                yield c.boundary
            self._emitted = c.frame
        if limit is not None:
            self._accepted = [c for c in self._accepted if c.frame >= limit - 3 * reach]


def detect_learned(
    path: Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_shot_seconds: float = DEFAULT_MIN_SHOT_SECONDS,
    skip_loop_filter: bool = True,
    model: Model | None = None,
) -> Detection:
    """`segspec.detect.detect` with the learned stage (opt-in; same decode, same output)."""
    finder = LearnedFinder(
        probe(path).fps, threshold=threshold, min_shot_seconds=min_shot_seconds, model=model
    )
    found: list[Boundary] = []
    for chunk in iter_thumbnails(path, skip_loop_filter=skip_loop_filter):
        found.extend(finder.push(chunk))
    found.extend(finder.finish())
    return Detection(finder.frame_count, found)
