"""The spec load of one edited file at scale, in process, in CPU time.

    python benchmarks/scale_edit.py --sizes 100000 --layouts foreach --pairs 3
    python benchmarks/scale_edit.py --sizes 100000 --profile 25   # cProfile of one edit
    python benchmarks/scale_edit.py --sizes 100000 --plan          # `segspec plan` instead

For a project `scale.py` built (in place: see benchmarks/README.md, "Scale"), each pair
times `load_specs` with the project's spec cache on the unchanged specs (a warm cache:
the no-op plan's load) and right after on the same edit `scale.py`'s "1 changed" column
makes (a real miss: each pair edits differently), each in a fresh process and in CPU time
(user + sys of the process, which a loaded machine disturbs far less than wall time).
Between the two the file is restored and loaded once untimed, so every no-op load meets
the entry of the unchanged file. `--profile N` prints the N heaviest functions
(cumulative) of one edited load instead. `--plan` times the whole `segspec plan` (the
console script, in CPU time) in the same pairs instead of the spec load alone. The spec
files are put back at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import BUILD_KEY, WORK, change_one, segspec, warn_if_moved

CHILD = r"""
import cProfile, gc, json, os, pstats, resource, sys, time
from pathlib import Path
from segspec.engine.project import Project
from segspec.gcpause import collector_paused

project = Project.locate(Path(sys.argv[1]) / "specs", None)
top = int(sys.argv[2])
profile = cProfile.Profile() if top else None
before = resource.getrusage(resource.RUSAGE_SELF)
wall = time.perf_counter()
with collector_paused():
    if profile is not None:
        profile.enable()
    specs = project.load_specs()
    if profile is not None:
        profile.disable()
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
if profile is not None:
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(top)
print(json.dumps({"cpu": cpu, "wall": time.perf_counter() - wall, "jobs": len(specs.rows),
                  "rss": after.ru_maxrss // 1024}))
"""


def plan_once(root: Path) -> dict[str, float]:
    """`segspec plan` in a fresh process: CPU (user + sys), wall and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(segspec("plan"), cwd=root, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        raise SystemExit(f"segspec plan failed in {root}")
    return {
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": time.perf_counter() - start,
        "rss": usage.ru_maxrss // 1024,
    }


def load_once(root: Path, profile: int = 0) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(profile)],
        check=True,
        stdout=subprocess.PIPE,
        stderr=None if profile else subprocess.DEVNULL,
        text=True,
    )
    found: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--layouts", default="foreach")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--plan", action="store_true", help="time `segspec plan` instead")
    args = parser.parse_args(argv)
    what = "plan" if args.plan else "load"
    print(f"| layout | N jobs | load | no-op {what} | edited {what} | over no-op |")
    print("|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        for layout in args.layouts.split(","):
            # (resolved: the spec cache keys a file by its absolute path, and the console
            # script, run in the project, sees the physical one)
            root = (WORK / f"{layout}-{n}-{BUILD_KEY}").resolve()
            if not (root / "built").exists():
                raise SystemExit(f"{root} is not built: run scale.py --build-only first")
            warn_if_moved(root)
            file = root / "specs" / ("all.yaml" if layout == "foreach" else "part00.yaml")
            original = file.read_text(encoding="utf-8")
            load = os.getloadavg()[0]
            same, edited = [], []
            timed = plan_once if args.plan else load_once
            try:
                timed(root)  # the entry of the unchanged file
                if args.profile:
                    change_one(root, layout, original, 40)
                    load_once(root, args.profile)
                    continue
                for pair in range(args.pairs):
                    same.append(timed(root))
                    change_one(root, layout, original, 40 + pair)
                    edited.append(timed(root))
                    file.write_text(original, encoding="utf-8")
                    timed(root)
            finally:
                file.write_text(original, encoding="utf-8")
                timed(root)
            if args.profile:
                continue
            cpu0 = statistics.median(r["cpu"] for r in same)
            cpu1 = statistics.median(r["cpu"] for r in edited)
            wall0 = statistics.median(r["wall"] for r in same)
            wall1 = statistics.median(r["wall"] for r in edited)
            pairs = zip(same, edited, strict=True)
            deltas = ", ".join(f"{e['cpu'] - s['cpu']:+.3f}" for s, e in pairs)
            print(
                f"| {layout} | {n:,} | {load:.1f} | {cpu0:.3f} s CPU, {wall0:.3f} s wall "
                f"/ {max(r['rss'] for r in same):.0f} MB | {cpu1:.3f} s CPU, {wall1:.3f} s "
                f"wall / {max(r['rss'] for r in edited):.0f} MB | {cpu1 - cpu0:+.3f} s CPU "
                f"({deltas}) |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
