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

    def add(self, other: Score) -> None:
        self.overall.add(other.overall)
        self.gradual.add(other.gradual)
        for k in KINDS:
            self.by_kind[k].add(other.by_kind[k])


def score_file(truth: list[dict[str, object]], detected: list[int]) -> Score:
    """Match one file's detections to its transitions."""
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
    for d in free:
        result.overall.fp += 1
        if truth:
            near = min(truth, key=lambda t: abs(d - (int(t["first"]) + int(t["last"])) / 2))  # type: ignore[call-overload]
            result.by_kind[str(near["kind"])].fp += 1
            if near["kind"] != "cut":
                result.gradual.fp += 1
    return result
