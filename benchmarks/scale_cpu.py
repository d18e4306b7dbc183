"""No-op plans of the built scale projects in CPU time, for a loaded machine.

    python benchmarks/scale_cpu.py --sizes 10000,100000 --runs 3

Wall time on the shared 2-core machine swings by 2× between minutes; the CPU time (user +
sys, from wait4) of the same command swings far less. For each project `scale.py` built,
the floor (as in scale.py), `segspec plan` and `segspec plan --refresh=false` run `--runs`
times each, interleaved, in fresh processes; the median CPU time, the median wall time and
the largest peak RSS are reported, each time with its ratio to the floor's, and the load
average (1 min) before and after the row.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import BUILD_KEY, FLOOR, WORK, segspec, warn_if_moved


def cpu_timed(args: Sequence[str], cwd: Path) -> tuple[float, float, int]:
    """(user + sys seconds, wall seconds, peak RSS in MB) of one subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(args), cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        raise SystemExit(f"{' '.join(args)} failed in {cwd}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss // 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--layouts", default="files50,foreach")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    columns = ("floor", "plan", "plan --refresh=false")
    print("| layout | N jobs | load | " + " | ".join(columns) + " |")
    print("|---|---|---|" + "---|" * len(columns))
    for n in (int(s) for s in args.sizes.split(",")):
        for layout in args.layouts.split(","):
            root = WORK / f"{layout}-{n}-{BUILD_KEY}"
            if not (root / "built").exists():
                raise SystemExit(f"{root} is not built: run scale.py --build-only first")
            state = root / "segspec.state.json"
            warn_if_moved(root)
            commands = {
                "floor": [
                    sys.executable,
                    "-c",
                    FLOOR,
                    str(state),
                    str(root / ".segspec" / "objects"),
                ],
                "plan": segspec("plan"),
                "plan --refresh=false": segspec("plan", "--refresh=false"),
            }
            load = os.getloadavg()[0]
            cpu_timed(commands["plan"], root)  # a stale index is rebuilt here, not timed
            found: dict[str, list[tuple[float, float, int]]] = {c: [] for c in columns}
            for _ in range(args.runs):
                for column in columns:
                    found[column].append(cpu_timed(commands[column], root))
            floor_cpu = statistics.median(r[0] for r in found["floor"])
            floor_wall = statistics.median(r[1] for r in found["floor"])
            cells = []
            for column in columns:
                cpu = statistics.median(r[0] for r in found[column])
                wall = statistics.median(r[1] for r in found[column])
                rss = max(r[2] for r in found[column])
                cells.append(
                    f"{cpu:.2f} s CPU ({cpu / floor_cpu:.1f}×), {wall:.2f} s wall "
                    f"({wall / floor_wall:.1f}×), {rss} MB"
                )
            load_after = os.getloadavg()[0]
            print(
                f"| {layout} | {n:,} | {load:.1f}–{load_after:.1f} | " + " | ".join(cells) + " |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
