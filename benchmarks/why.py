"""Tuning aid: the scores around one span of a tuning file (`why.py FOLDER FILE FIRST LAST`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tune import TUNING, WORK, thumbs  # noqa: E402

from segspec.detect import DEFAULT_THRESHOLD  # noqa: E402
from segspec.detect.features import features  # noqa: E402
from segspec.detect.scores import ScoreStream, Timing  # noqa: E402

if __name__ == "__main__":
    folder, name, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if folder not in TUNING:
        sys.exit("why.py reads only the tuning folders")
    stem = name.removesuffix(".mp4").removesuffix(".json")
    truth = json.loads((WORK / folder / f"{stem}.json").read_text())  # a stem may hold dots
    arr = thumbs(WORK / folder / truth["file"])
    stream = ScoreStream(Timing.for_fps(float(truth["fps"])), gate=DEFAULT_THRESHOLD)
    scores = list(stream.push(*features(arr))) + list(stream.finish())
    print("frame  step   cut  wide  side  betw wide2 side2 betw2 focus spread mono2  back cov cov2")
    for s in scores[max(0, first) : last + 1]:
        print(f"{s.frame:5d} {s.step:.3f} {s.cut:.3f} {s.wide:.3f} {s.side:.3f} "
              f"{s.between:.3f} {s.wide2:.3f} {s.side2:.3f} {s.between2:.3f} "
              f"{s.focus:.2f} {s.spread:5.1f} {s.mono2:.2f} {s.back:.3f} "
              f"{s.cover:.2f} {s.cover2:.2f}")  # fmt: skip
