"""Building a generated held-out part once: each file is made again only when its key
(seed, transition count, generator version) changes."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

FileSpec = tuple[Fraction, int, int]
"""A file's frame rate, width and height."""
MakeFile = Callable[[Path, int, int, Fraction, int, int], dict[str, object]]
"""Renders one file: (video path, transitions, seed, fps, width, height) -> ground truth."""


def build_part(
    out: Path,
    prefix: str,
    files: Sequence[FileSpec],
    make_file: MakeFile,
    version: int,
    transitions: int,
    seed: int,
    only: int | None = None,
) -> list[dict[str, object]]:
    """Generate (or reuse) one file per spec under `out` (`only`: an even subset of that
    many); return every file's ground truth, each beside its video as NAME.json."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = list(files) if only is None else list(files[:: max(1, len(files) // only)][:only])
    truths = []
    for k, spec in enumerate(chosen):
        name = f"{prefix}_{float(spec[0]):.3f}fps_{spec[2]}p"
        video, meta = out / f"{name}.mp4", out / f"{name}.json"
        key = {"seed": seed + k, "transitions": transitions, "version": version}
        if meta.is_file() and video.is_file():
            data = json.loads(meta.read_text())
            if data.get("key") == key:
                truths.append(data)
                continue
        data = make_file(video, transitions, seed + k, *spec)
        data["key"] = key
        meta.write_text(json.dumps(data, indent=1))
        truths.append(data)
    return truths
