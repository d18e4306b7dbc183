"""Long fuzz run by hand: `python benchmarks/fuzz.py --minutes N [--seed S]`.

Feeds inputs from tests/fuzzing.py (generated and mutated specs) to `segspec plan --json`
in-process for N minutes and reports inputs tried, exit-code counts, crashes (exit 3 or a
traceback; each saved with its seed under --out), the slowest input and the peak RSS.
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzzing import run_plan, spec_text


def crash_kind(stderr: str) -> str:
    """The exception line of a traceback (`ValueError: ...`), to group crashes by."""
    lines = stderr.strip().splitlines() or ["?"]
    found = [line for line in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b", line)]
    return (found or lines)[-1][:200]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-crashes"))
    args = parser.parse_args()
    deadline = time.monotonic() + args.minutes * 60
    codes: collections.Counter[int] = collections.Counter()
    crashes: dict[str, int] = {}
    slowest = (0.0, -1)
    tried = 0
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() < deadline:
            seed = args.seed * 1_000_000_007 + tried
            text = spec_text(random.Random(seed))
            outcome = run_plan(text, Path(tmp))
            tried += 1
            codes[outcome.code] += 1
            slowest = max(slowest, (outcome.seconds, seed))
            if outcome.crashed:
                last = crash_kind(outcome.stderr)
                if last not in crashes:
                    args.out.mkdir(exist_ok=True)
                    (args.out / f"crash-{seed}.yaml").write_text(text, errors="surrogatepass")
                    print(f"crash (seed {seed}): {last}", flush=True)
                crashes[last] = crashes.get(last, 0) + 1
    peak = outcome.peak_rss_mb if tried else 0.0
    print(f"inputs tried: {tried}")
    print(f"exit codes: {dict(sorted(codes.items()))}")
    print(f"distinct crashes: {len(crashes)} ({sum(crashes.values())} inputs)")
    for last, count in crashes.items():
        print(f"  {count}× {last}")
    print(f"slowest input: {slowest[0]:.3f} s (seed {slowest[1]})")
    print(f"peak RSS of the fuzzing process: {peak:.0f} MB")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
