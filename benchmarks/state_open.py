"""Opening a large state: the index against parsing the whole document.

    python benchmarks/state_open.py STATE.json [STATE.json ...]

Each STATE is copied into a scratch directory (never changed in place); a state that
benchmarks/scale.py built is the usual input (`python benchmarks/scale.py --sizes 100000
--layouts files50 --build-only`, then benchmarks/.work/scale/files50-100000-*/
segspec.state.json). Every step runs `--runs` times in a fresh Python process; the
median wall time and the largest peak RSS (from wait4) are reported:

- full parse: `StateFile.model_validate_json` of the document (what every open did);
- first open: no index yet, the document read record by record, the index written;
- open + summaries: from the index (the plan path), and records(1) on top of it;
- put + fold: one changed record, then a forced fold (copying the other records);
- show --json: the state streamed to /dev/null (in process, then the CLI);
- `segspec state list` (summaries only).

Peak RSS of the CLI rows is that of the segspec process (wait4 reports the largest of a
process and the children it waited for).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = {
    "full parse": """
from segspec.state.model import StateFile
StateFile.model_validate_json(open(STATE, "rb").read())
""",
    "first open": """
import os
os.unlink(STATE + ".index") if os.path.exists(STATE + ".index") else None
from segspec.state.store import StateStore
len(StateStore.open(Path(STATE)).summaries())
""",
    "open + summaries": """
from segspec.state.store import StateStore
assert os.path.exists(STATE + ".index")
len(StateStore.open(Path(STATE)).summaries())
""",
    "open + summaries + records(1)": """
from segspec.state.store import StateStore
s = StateStore.open(Path(STATE))
first = min(s.summaries())
assert s.records([first])[first].address == first
""",
    "put + fold": """
from segspec.state.store import StateStore
s = StateStore.open(Path(STATE))
first = min(s.summaries())
record = s.get(first)
s.put(record.model_copy(update={"attempt": record.attempt + 1}))
s._must_fold = True  # fold now, as when the journal reaches 1/8 of the document
s.compact()
""",
    "show --json": """
from segspec.state.store import StateStore
with open(os.devnull, "wb") as out:
    StateStore.open(Path(STATE)).write_document(out)
""",
    "`segspec show --json`": """
import subprocess
with open(os.devnull, "wb") as out:
    subprocess.run([SEGSPEC, "show", "--json", "--state", STATE], stdout=out, check=True)
""",
    "`segspec state list`": """
import subprocess
with open(os.devnull, "wb") as out:
    subprocess.run([SEGSPEC, "state", "list", "--state", STATE], stdout=out, check=True)
""",
}
PRELUDE = (
    "import os, sys\nfrom pathlib import Path\nSTATE = sys.argv[1]\n"
    f"SEGSPEC = {str(Path(sys.executable).parent / 'segspec')!r}\n"
)


def run(code: str, state: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", PRELUDE + code, str(state)])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"step failed on {state}:\n{code}")
    return wall, usage.ru_maxrss // 1024


def measure(source: Path, runs: int) -> dict[str, tuple[float, int]]:
    row: dict[str, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory(dir=source.parent) as scratch:
        state = Path(scratch) / "segspec.state.json"
        shutil.copyfile(source, state)
        os.chmod(state, 0o600)
        pristine = state.with_name("pristine.json")
        shutil.copyfile(source, pristine)
        row["python alone"] = median(runs, "pass", state)
        for name, code in STEPS.items():
            if name == "put + fold":
                results = []
                for _ in range(runs):
                    results.append(run(code, state))
                    shutil.copyfile(pristine, state)  # back to the state as built
                    for suffix in (".journal", ".backup"):
                        Path(str(state) + suffix).unlink(missing_ok=True)
                    run(STEPS["first open"], state)  # and its index
                row[name] = _median(results)
            else:
                row[name] = median(runs, code, state)
    return row


def median(runs: int, code: str, state: Path) -> tuple[float, int]:
    return _median([run(code, state) for _ in range(runs)])


def _median(results: list[tuple[float, int]]) -> tuple[float, int]:
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("states", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for source in args.states:
        size = source.stat().st_size
        row = measure(source, args.runs)
        floor = row["full parse"][0]
        print(f"\n{source} ({size / 1e6:.1f} MB)\n")
        print("| step | wall | peak RSS | ÷ full parse |")
        print("|---|---|---|---|")
        for name, (wall, rss) in row.items():
            print(f"| {name} | {wall:.3f} s | {rss} MB | {wall / floor:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
