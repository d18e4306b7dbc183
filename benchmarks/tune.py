"""Tuning aid: segspec's detector on cached thumbnails of the tuning part, scored.

`python benchmarks/tune.py [part]` (inside benchmarks/.venv, after `run.py --build-only`)
decodes each file's 64x36 thumbnails once (cached in benchmarks/.work/thumbs), then runs
`ShotFinder` on them and prints the score, the misses and the false positives. Meant for
the tuning part only: the held-out parts are scored by `run.py`, once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
sys.path.insert(0, str(HERE))

from score import Score, score_file  # noqa: E402

from segspec.detect import DEFAULT_MIN_SHOT_SECONDS, DEFAULT_THRESHOLD, ShotFinder  # noqa: E402
from segspec.detect.frames import iter_thumbnails  # noqa: E402


def thumbs(video: Path) -> np.ndarray:
    cache = WORK / "thumbs" / f"{video.parent.name}_{video.stem}.npy"
    if cache.is_file() and cache.stat().st_mtime >= video.stat().st_mtime:
        return np.load(cache)
    cache.parent.mkdir(parents=True, exist_ok=True)
    arr = np.concatenate(list(iter_thumbnails(video, skip_loop_filter=True)))
    np.save(cache, arr)
    return arr


def run(folder: Path, verbose: bool) -> Score:
    total = Score()
    for meta in sorted(folder.glob("*.json")):
        truth = json.loads(meta.read_text())
        fps = float(truth["fps"])
        arr = thumbs(folder / truth["file"])
        finder = ShotFinder(fps, threshold=DEFAULT_THRESHOLD,
                            min_shot_seconds=DEFAULT_MIN_SHOT_SECONDS)  # fmt: skip
        found = []
        for i in range(0, len(arr), 256):
            found += list(finder.push(arr[i : i + 256]))
        found += list(finder.finish())
        s = score_file(truth["transitions"], [b.frame for b in found], fps, truth["negatives"])
        total.add(s)
        o = s.overall
        print(f"{truth['file']:<28} {fps:6.2f} F1 {o.f1:.3f} cut {s.by_kind['cut'].recall:.3f} "
              f"grad {s.gradual.recall:.3f} fp {o.fp}")  # fmt: skip
        if verbose:
            frames = {b.frame: b for b in found}
            for t in truth["transitions"]:
                a, b = int(t["first"]), int(t["last"])
                if not any(a - 2 <= f <= b + 2 for f in frames):
                    near = [(f, frames[f].kind) for f in frames if a - 40 <= f <= b + 40]
                    print(f"   miss {t['kind']:<8} {a}-{b} ({b - a + 1} fr) near {near}")
            for f in s.false_frames:
                neg = [
                    n["kind"] for n in truth["negatives"] if n["first"] - 2 <= f <= n["last"] + 2
                ]
                b = frames.get(f)
                print(f"   FP {f} {b.kind if b else '?'} {b.strength if b else ''} in {neg}")
    print(summary(total))
    return total


def summary(total: Score) -> str:
    """One line: F1, P, R, recall per kind and per length, false boundaries in negatives."""
    o = total.overall
    kinds = " ".join(f"{k} {v.recall:.3f} ({v.tp}/{v.tp + v.fn})" for k, v in total.by_kind.items())
    g = total.gradual
    return (f"TOTAL F1 {o.f1:.3f} P {o.precision:.3f} R {o.recall:.3f} "
            f"grad {g.recall:.3f} ({g.tp}/{g.tp + g.fn}) "
            f"{kinds} neg {sum(total.in_negatives.values())} {total.in_negatives} by length "
            + " ".join(f"{k}: {v.recall:.3f} ({v.tp}/{v.tp + v.fn})"
                       for k, v in total.by_length.items()))  # fmt: skip


TUNING = (
    "corpus",
    "heldout",
    "heldout_fresh",
    "heldout_new",
    "heldout_9500",
    "heldout2",
    "heldout2_9600",
    "heldout_9700",
    "heldout2_9800",
    "heldout_9900",
    "heldout2_10000",
    "heldout3_11000",
    "heldout3_11100",
    "heldout_10100",
    "heldout2_10200",
    "heldout3_11200",
    "heldout_10300",
    "heldout2_10400",
    "heldout3_11300",
    "heldout_10500",
    "heldout2_10600",
    "heldout3_11400",
    "heldout_10700",
    "heldout2_10800",
    "heldout3_11500",
)
"""Folders tune.py may read: the tuning part and the held-out sets seen in earlier rounds
(9100- to 10700-, procedural 9400- to 10800-, family-3 11000- to 11500-; now tuning
material). The new held-out parts (`heldout_10900`, `heldout2_12000`, `heldout3_11600`) are
refused: they are run once, by run.py, after the constants are committed."""


if __name__ == "__main__":
    names = [a for a in sys.argv[1:] if not a.startswith("-")] or ["corpus"]
    if names == ["all"]:
        names = list(TUNING)
    for name in names:
        if name.rstrip("/").split("/")[-1] not in TUNING:
            sys.exit(f"tune.py reads only the tuning folders {', '.join(TUNING)}, not {name}")
    for name in names:
        print(f"== {name}")
        run(WORK / name, "-v" in sys.argv)
