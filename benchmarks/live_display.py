"""What the live display costs on a long apply, as a ratio to the same apply without it.

Generates a 1280x720, 25 fps H.264 video (`--seconds`, default 180, with `--shots` hard
cuts between lavfi patterns), one BasicClipSplit job over it, and applies it (a fresh
job each time, `--replace`) in three ways in the same run, `--rounds` times in rotating
order: `live` (the rich display, under a pseudo-terminal), `plain` (lines, stdout a
pipe) and `json` (`--json`, a pipe). Prints each mode's median wall time and CPU time
(segspec and the ffmpeg runs it waited for) and their ratios to `plain`.
Run: python benchmarks/live_display.py [--seconds 180] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import pty
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pictures import make_video

SPEC = """\
version: 1
jobs:
  shots:
    InputConfig: {Type: OSS, Media: media/long.mp4}
    JobParams: {Mode: BasicClipSplit}
    OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips, ObjectKey: "s/shot_{index}.mp4"}
    local: {preset: veryfast}
"""
COMMAND = [sys.executable, "-m", "segspec.cli.main", "apply", "--auto-approve"]


def run_pty(args: list[str], cwd: Path) -> tuple[int, int]:
    """Run under a pseudo-terminal, reading everything it draws; (exit code, bytes)."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    size = 0
    while True:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            size += len(data)
        elif proc.poll() is not None:
            break
    code = proc.wait()
    os.close(master)
    return code, size


def run_pipe(args: list[str], cwd: Path) -> tuple[int, int]:
    done = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True)
    return done.returncode, len(done.stdout) + len(done.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--shots", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "specs" / "media").mkdir(parents=True)
        make_video(root / "specs" / "media" / "long.mp4", args.seconds, args.shots)
        (root / "specs" / "jobs.yaml").write_text(SPEC)
        modes = {
            "live": lambda: run_pty([*COMMAND, "--replace", "shots"], root),
            "plain": lambda: run_pipe([*COMMAND, "--replace", "shots"], root),
            "json": lambda: run_pipe([*COMMAND, "--replace", "shots", "--json"], root),
        }
        first = run_pipe(COMMAND, root)  # the first job, so --replace has one to replace
        assert first[0] == 0, first
        times: dict[str, list[float]] = {name: [] for name in modes}
        cpu: dict[str, list[float]] = {name: [] for name in modes}
        output: dict[str, int] = {}
        names = list(modes)
        for n in range(args.rounds):
            for name in names[n % 3 :] + names[: n % 3]:
                used = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                code, size = modes[name]()
                times[name].append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
                output[name] = size
                assert code == 0, (name, code)
        shutil.rmtree(root / ".segspec", ignore_errors=True)
    base = statistics.median(times["plain"])
    base_cpu = statistics.median(cpu["plain"])
    print(f"{args.seconds:.0f} s of 1280x720 H.264, one BasicClipSplit job, {args.rounds} rounds")
    print(
        f"{'mode':<6} {'wall s':>7} {'÷ plain':>8} {'cpu s':>7} {'÷ plain':>8} "
        f"{'output bytes':>13}  wall runs"
    )
    for name, values in times.items():
        median, used = statistics.median(values), statistics.median(cpu[name])
        runs = ", ".join(f"{v:.1f}" for v in values)
        print(
            f"{name:<6} {median:>7.2f} {median / base:>8.3f} {used:>7.2f} {used / base_cpu:>8.3f} "
            f"{output[name]:>13}  {runs}"
        )


if __name__ == "__main__":
    main()
