"""Render the benchmark results (benchmarks/.work/results.json) as the markdown tables the
READMEs quote: `python benchmarks/report.py` re-renders them without re-running anything.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from score import KINDS, LENGTHS, Score, Tally, score_file

FLOOR = "ffmpeg decode (floor)"
OURS = "segspec"
CONTENT = "PySceneDetect ContentDetector"


def _r(t: Tally) -> str:
    n = t.tp + t.fn
    return f"{t.recall:.3f} ({t.tp}/{n})" if n else "–"


def _scores(results: dict[str, Any], part: str, keep: Any = None) -> dict[str, Score]:
    truths = {t["file"]: t for t in results["truths"][part]}
    out: dict[str, Score] = defaultdict(Score)
    for run in results["runs"]:
        if run["part"] != part or run["detector"] == FLOOR:
            continue
        t = truths[run["file"]]
        if keep is not None and not keep(t):
            continue
        out[run["detector"]].add(
            score_file(t["transitions"], run["found"], float(t["fps"]), t.get("negatives"))
        )
    return out


def _speed(results: dict[str, Any], part: str | None, keep: Any = None) -> dict[str, float]:
    """Frames per second per detector over the files selected."""
    truths = {(p, t["file"]): t for p, ts in results["truths"].items() for t in ts}
    frames: dict[str, int] = defaultdict(int)
    secs: dict[str, float] = defaultdict(float)
    for run in results["runs"]:
        t = truths[(run["part"], run["file"])]
        if (part is not None and run["part"] != part) or (keep is not None and not keep(t)):
            continue
        frames[run["detector"]] += int(t["frames"])
        secs[run["detector"]] += float(run["seconds"])
    return {d: frames[d] / secs[d] for d in frames if secs[d] > 0}


def _part_table(results: dict[str, Any], part: str) -> list[str]:
    truths = results["truths"][part]
    scores = _scores(results, part)
    speed = _speed(results, part)
    n = sum(len(t["transitions"]) for t in truths)
    frames = sum(int(t["frames"]) for t in truths)
    lines = [
        f"**{part}**: {len(truths)} files, {frames} frames, {n} transitions.",
        "",
        "| detector | F1 | P | R | cut R | dissolve R | fade R | wipe R | gradual R "
        "| FP in negatives | fps |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in scores.items():
        o = s.overall
        neg = sum(s.in_negatives.values())
        kinds = " | ".join(_r(s.by_kind[k]) for k in KINDS)
        lines.append(
            f"| {name} | {o.f1:.3f} | {o.precision:.3f} | {o.recall:.3f} | {kinds} "
            f"| {_r(s.gradual)} | {neg} | {speed.get(name, 0):.0f} |"
        )
    lines.append(f"| {FLOOR} | | | | | | | | | | {speed.get(FLOOR, 0):.0f} |")
    return lines


def _per_fps(results: dict[str, Any], part: str) -> list[str]:
    rates = sorted({float(t["fps"]) for t in results["truths"][part]})
    lines = [
        f"Per frame rate ({part}; segspec, and ContentDetector's F1 for comparison):",
        "",
        "| fps | size | F1 | cut R | gradual R | false positives | ContentDetector F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for fps in rates:
        sizes = sorted({t["size"] for t in results["truths"][part] if float(t["fps"]) == fps})
        scores = _scores(results, part, lambda t, fps=fps: float(t["fps"]) == fps)
        s, c = scores[OURS], scores[CONTENT]
        lines.append(
            f"| {fps:.3f} | {', '.join(sizes)} | {s.overall.f1:.3f} | {_r(s.by_kind['cut'])} "
            f"| {_r(s.gradual)} | {s.overall.fp} | {c.overall.f1:.3f} |"
        )
    return lines


def _per_length(results: dict[str, Any], part: str) -> list[str]:
    scores = _scores(results, part)
    lines = [
        f"Gradual recall by duration ({part}):",
        "",
        "| detector | " + " | ".join(LENGTHS) + " |",
        "|---|" + "---|" * len(LENGTHS),
    ]
    for name, s in scores.items():
        lines.append(f"| {name} | " + " | ".join(_r(s.by_length[k]) for k in LENGTHS) + " |")
    return lines


def _negatives(results: dict[str, Any]) -> list[str]:
    lines = ["False positives inside hard negatives (every part), per kind of negative:", ""]
    for part in results["truths"]:
        count: dict[str, int] = defaultdict(int)
        for t in results["truths"][part]:
            for n in t.get("negatives", []):
                count[n["kind"]] += 1
        for name, s in _scores(results, part).items():
            if name in (OURS, CONTENT):
                worst = ", ".join(
                    f"{k} {s.in_negatives.get(k, 0)}/{count[k]}" for k in sorted(count)
                )
                lines.append(f"- {part}, {name}: {worst}")
    return lines


def _speeds(results: dict[str, Any]) -> list[str]:
    lines = [
        "Detection speed by picture size (all files of that size, every part):",
        "",
        "| size | segspec fps | ContentDetector fps | segspec ÷ ContentDetector "
        "| decode floor fps |",
        "|---|---|---|---|---|",
    ]
    sizes = sorted({t["size"] for ts in results["truths"].values() for t in ts},
                   key=lambda s: int(s.split("x")[1]))  # fmt: skip
    for size in sizes:
        sp = _speed(results, None, lambda t, size=size: t["size"] == size)
        ours, theirs = sp.get(OURS, 0.0), sp.get(CONTENT, 0.0)
        ratio = ours / theirs if theirs else 0.0
        lines.append(
            f"| {size} | {ours:.0f} | {theirs:.0f} | {ratio:.2f} | {sp.get(FLOOR, 0):.0f} |"
        )
    return lines


def _e2e(e: dict[str, Any]) -> list[str]:
    from e2e import render as render_e2e  # benchmarks/ is on the path (run.py, __main__)

    return render_e2e(e)


def render(results: dict[str, Any]) -> str:
    lines: list[str] = []
    for part in results.get("truths", {}):
        lines += [*_part_table(results, part), ""]
        lines += [*_per_fps(results, part), ""]
        lines += [*_per_length(results, part), ""]
    if results.get("truths"):
        lines += [*_negatives(results), ""]
        lines += [*_speeds(results), ""]
    if results.get("e2e"):
        lines += [*_e2e(results["e2e"]), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    work = Path(__file__).resolve().parent / ".work"
    print(render(json.loads((work / "results.json").read_text())))
