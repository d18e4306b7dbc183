"""Score detected boundaries against the corpus ground truth.

A detection is a frame number: the first frame of a new shot. A hard cut at frame f is
found by a detection within f +/- TOLERANCE; a gradual transition spanning first..last
is found by a detection inside first - TOLERANCE .. last + TOLERANCE. Each transition
takes at most one detection (the one nearest its middle) and each detection counts once;
unmatched detections are false positives. Per kind, recall is found/total and a false
positive is charged to the kind of the nearest true transition in the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TOLERANCE = 2
KINDS = ("cut", "dissolve", "fade", "wipe")
LENGTHS = ("2 frames-0.25 s", "0.25-1 s", "1-3 s")
"""Gradual transitions by duration."""


def length_bucket(frames: int, fps: float) -> str:
    seconds = frames / fps
    return LENGTHS[0] if seconds < 0.25 else LENGTHS[1] if seconds < 1.0 else LENGTHS[2]


@dataclass
class Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0

    def add(self, other: Tally) -> None:
        self.tp += other.tp
        self.fn += other.fn
        self.fp += other.fp

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    overall: Tally = field(default_factory=Tally)
    by_kind: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    gradual: Tally = field(default_factory=Tally)
    by_length: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in LENGTHS})
    false_frames: list[int] = field(default_factory=list)
    """The frames of false positives (of the last file added with score_file)."""
    in_negatives: dict[str, int] = field(default_factory=dict)
    """False positives that fall inside a hard negative's span, per kind of negative."""

    def add(self, other: Score) -> None:
        self.overall.add(other.overall)
        self.gradual.add(other.gradual)
        for k in KINDS:
            self.by_kind[k].add(other.by_kind[k])
        for k in LENGTHS:
            self.by_length[k].add(other.by_length[k])
        for k, n in other.in_negatives.items():
            self.in_negatives[k] = self.in_negatives.get(k, 0) + n


def score_file(
    truth: list[dict[str, object]],
    detected: list[int],
    fps: float = 25.0,
    negatives: list[dict[str, object]] | None = None,
) -> Score:
    """Match one file's detections to its transitions (and charge false ones to negatives)."""
    result = Score()
    free = sorted(set(detected))
    for t in sorted(truth, key=lambda t: int(t["first"])):  # type: ignore[call-overload]
        first, last, kind = int(t["first"]), int(t["last"]), str(t["kind"])  # type: ignore[call-overload]
        mid = (first + last) / 2
        hits = [d for d in free if first - TOLERANCE <= d <= last + TOLERANCE]
        tally = Tally()
        if hits:
            free.remove(min(hits, key=lambda d: (abs(d - mid), d)))
            tally.tp = 1
        else:
            tally.fn = 1
        result.by_kind[kind].add(tally)
        result.overall.add(tally)
        if kind != "cut":
            result.gradual.add(tally)
            result.by_length[length_bucket(last - first + 1, fps)].add(tally)
    result.false_frames = list(free)
    for d in free:
        for n in negatives or []:
            if int(n["first"]) - TOLERANCE <= d <= int(n["last"]) + TOLERANCE:  # type: ignore[call-overload]
                result.in_negatives[str(n["kind"])] = result.in_negatives.get(str(n["kind"]), 0) + 1
                break
        result.overall.fp += 1
        if truth:
            near = min(truth, key=lambda t: abs(d - (int(t["first"]) + int(t["last"])) / 2))  # type: ignore[call-overload]
            result.by_kind[str(near["kind"])].fp += 1
            if near["kind"] != "cut":
                result.gradual.fp += 1
    return result
