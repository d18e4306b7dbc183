"""Render the benchmark results as the markdown table the README quotes."""

from __future__ import annotations

from typing import Any

FLOOR = "ffmpeg decode (floor)"


def render(results: dict[str, Any]) -> str:
    dets: dict[str, dict[str, float]] = results["detectors"]
    ours = dets["segspec"]
    floor = dets[FLOOR]
    lines = [
        f"Corpus: {results['files']} files, {results['frames']} frames (1280x720 H.264), "
        f"{results['transitions']} transitions.",
        "",
        "| detector | F1 | P | R | cut | dissolve | fade | wipe | gradual | fps "
        "| segspec fps ÷ this | time ÷ decode floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, d in dets.items():
        ratio = ours["fps"] / d["fps"]
        mult = d["seconds"] / floor["seconds"]
        if name == FLOOR:
            lines.append(f"| {name} | | | | | | | | | {d['fps']:.0f} | {ratio:.2f} | {mult:.2f} |")
            continue
        lines.append(
            f"| {name} | {d['f1']:.3f} | {d['precision']:.3f} | {d['recall']:.3f} "
            f"| {d['cut_f1']:.3f} | {d['dissolve_f1']:.3f} | {d['fade_f1']:.3f} "
            f"| {d['wipe_f1']:.3f} | {d['gradual_f1']:.3f} | {d['fps']:.0f} "
            f"| {ratio:.2f} | {mult:.2f} |"
        )
    e2e = results.get("e2e")
    if e2e:
        m1, ml = e2e["memory_1min"], e2e["memory_long"]
        lines += [
            "",
            f"End to end on {e2e['file']}: segspec BasicClipSplit {e2e['segspec_s']:.1f} s "
            f"({e2e['segspec_clips']} clips, every clip frame-exact: {e2e['frame_exact']}), "
            "scenedetect detect-content split-video "
            f"{e2e['scenedetect_s']:.1f} s ({e2e['scenedetect_clips']} clips): "
            f"{e2e['scenedetect_s'] / e2e['segspec_s']:.2f}x faster.",
            "",
            f"Peak memory of detection: 1-minute file python {m1['python_kb'] / 1024:.0f} MB, "
            f"ffmpeg {m1['ffmpeg_kb'] / 1024:.0f} MB ({m1['frames']} frames); "
            f"{e2e['file']} python {ml['python_kb'] / 1024:.0f} MB, "
            f"ffmpeg {ml['ffmpeg_kb'] / 1024:.0f} MB ({ml['frames']} frames).",
        ]
    return "\n".join(lines) + "\n"
