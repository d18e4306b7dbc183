"""Plan and apply at scale: N applied jobs, each command timed in its own process.

    python benchmarks/scale.py                       # 1,000, 10,000 and 100,000 jobs
    python benchmarks/scale.py --sizes 1000,10000    # some sizes only
    python benchmarks/scale.py --layouts files50     # one layout only

How the applied states are made (see benchmarks/README.md, "Scale"): a seed project of
two jobs over a generated 1 s video is applied with the real `segspec apply` (real
ffmpeg cuts). Each N-job project gets N hard links of that video as its inputs, the
specs for N jobs of the same shape, and a state in which every job's record is the seed's
real record with what depends on the job recomputed by segspec's own code: address,
normalized request, input identity and fingerprint (`gather_wants` on the N-job specs),
ClientToken and job id (the same formulas apply uses), and the output object key; each
output is a hard link of the seed's real output, so size and sha256 are true. The state
is written through the state store (`adopt` + `compact`), as `init --migrate-state`
does. Built projects are cached under benchmarks/.work/scale/ (git-ignored).

Every command runs `--runs` times (default 3) as `segspec ...` (the console script) in a
fresh process; the median wall time and the peak RSS (from wait4) are reported, and each time
as a ratio to the floor measured in the same run: a fresh Python that reads and parses
the state file and calls os.stat once per recorded output.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work" / "scale"
BUILD_KEY = "scale-v5"
"""Bump when the layout of built projects changes (cached projects are rebuilt)."""
FILES = 50
BUCKET = "scale-clips"

FLOOR = r"""
import json, os, sys
data = json.loads(open(sys.argv[1], "rb").read())
root = sys.argv[2]
for job in data["jobs"].values():
    for out in job.get("outputs", ()):
        os.stat(os.path.join(root, out["bucket"], out["object_key"]))
"""


def run_timed(
    args: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, int, int, float]:
    """(wall seconds, peak RSS in MB, exit code, CPU seconds: user + sys) of one subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(args), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}) in {cwd}:\n{err}")
    return wall, usage.ru_maxrss // 1024, proc.returncode, usage.ru_utime + usage.ru_stime


def segspec(*args: str) -> list[str]:
    """The installed console script of this environment (what users run)."""
    return [str(Path(sys.executable).parent / "segspec"), *args]


def ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


# --- building ----------------------------------------------------------------------------


def job_body(media: str, key: str) -> dict[str, object]:
    return {
        "InputConfig": {"Media": media},
        "JobParams": {"Mode": "UserDefined", "Ranges": [{"In": 0, "Out": 0.6}]},
        "OutputConfig": {"ObjectKey": key},
    }


DEFAULTS = {
    "InputConfig": {"Type": "OSS"},
    "OutputConfig": {"OutputMediaTarget": "oss-object", "Bucket": BUCKET, "Width": 160},
}


def write_spec(path: Path, jobs: dict[str, object]) -> None:
    doc = {"version": 1, "defaults": DEFAULTS, "jobs": jobs}
    # JSON is YAML: flow style keeps 100,000 jobs small and fast to write.
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def build_seed() -> Path:
    """Two real jobs, really applied: the template every N-job state is made from."""
    seed = WORK / f"seed-{BUILD_KEY}"
    if (seed / "segspec.state.json").exists():
        return seed
    shutil.rmtree(seed, ignore_errors=True)
    (seed / "specs" / "media").mkdir(parents=True)
    subprocess.run(
        [
            ffmpeg(), "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", "testsrc2=size=160x90:rate=25:duration=1", "-c:v", "libx264",
            "-pix_fmt", "yuv420p", str(seed / "specs" / "media" / "ep.mp4"),
        ],
        check=True,
    )  # fmt: skip
    write_spec(
        seed / "specs" / "seed.yaml",
        {
            "ep0": job_body("media/ep.mp4", "clips/ep0_{index}.mp4"),
            "ep1": job_body("media/ep.mp4", "clips/ep1_{index}.mp4"),
        },
    )
    run_timed(segspec("apply", "--auto-approve"), seed)
    return seed


def layout_specs(layout: str, n: int, specs: Path) -> list[str]:
    """Write the specs of `layout` for `n` jobs; return the input names."""
    names = [f"ep{i:06d}" for i in range(n)]
    if layout == "foreach":
        body = job_body("media/${each.key}.mp4", "clips/${each.key}_{index}.mp4")
        body["for_each"] = names
        write_spec(specs / "all.yaml", {"ep": body})
        return names
    per = -(-n // FILES)
    for part in range(FILES):
        chunk = names[part * per : (part + 1) * per]
        if chunk:
            write_spec(
                specs / f"part{part:02d}.yaml",
                {
                    name: job_body(f"media/{name}.mp4", f"clips/{name}_{{index}}.mp4")
                    for name in chunk
                },
            )
    return names


class Linker:
    """Hard links of one file; a fresh copy (same bytes) when its link count runs out."""

    def __init__(self, source: str, spare_dir: str) -> None:
        self.source, self.spare_dir, self.spares = source, spare_dir, 0

    def link(self, dest: str) -> None:
        try:
            os.link(self.source, dest)
        except OSError as exc:
            if exc.errno != errno.EMLINK:
                raise
            os.makedirs(self.spare_dir, exist_ok=True)
            self.spares += 1
            spare = os.path.join(self.spare_dir, f"{self.spares}-{os.path.basename(self.source)}")
            shutil.copy2(self.source, spare)
            self.source = spare
            os.link(self.source, dest)


BUILD_STATE = r"""
import hashlib, json, os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from scale import Linker
from segspec.backends.local.pictures import picture_key
from segspec.engine.project import Project, gather_wants
from segspec.spec.normalize import client_token
from segspec.state.model import JobRecord

seed_state, seed_objects, root = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
from segspec.state.store import FileStateBackend
seed = FileStateBackend(seed_state).open()
template = seed.jobs["ep0"]
per_job = seed.serial // len(seed.jobs)
project = Project(specs_dir=root / "specs")
specs = project.load_specs()
config = project.backend_config(specs)
wants = gather_wants(project, specs, config)  # real input identities and fingerprints
source = seed_objects / template.outputs[0].bucket / template.outputs[0].object_key
linker = Linker(str(source), str(root / ".spare"))
if template.picture is not None:
    picture_linker = Linker(
        str(seed_objects / template.picture.bucket / template.picture.object_key),
        str(root / ".spare"),
    )
jobs = {}
for want in wants:
    token = client_token(want.address, want.fingerprint, 1)
    out = template.outputs[0]
    key = want.request["OutputConfig"]["ObjectKey"].replace("{index}", str(out.index))
    dest = root / ".segspec" / "objects" / template.outputs[0].bucket / key
    dest.parent.mkdir(parents=True, exist_ok=True)
    linker.link(str(dest))
    picture = template.picture
    if picture is not None:  # the local engine's picture of the clips, made the same way
        picture_dest = picture_key(want.request["OutputConfig"]["ObjectKey"], picture.kind)
        picture_linker.link(str(root / ".segspec" / "objects" / picture.bucket / picture_dest))
        picture = picture.model_copy(update={"object_key": picture_dest})
    jobs[want.address] = template.model_copy(update={
        "picture": picture,
        "address": want.address, "request": dict(want.request), "local": dict(want.local),
        "input": dict(want.input), "fingerprint": want.fingerprint, "client_token": token,
        "job_id": hashlib.sha256(f"local\n{token}".encode()).hexdigest()[:32],
        "outputs": [out.model_copy(update={"object_key": key})],
        "ai_result": json.loads(
            json.dumps(template.ai_result)
            .replace(str(seed_objects), str(root / ".segspec" / "objects"))
            .replace(out.object_key, key)
        ),
    })
state = project.state_backend.open()
state.adopt(seed.lineage, per_job * len(jobs), jobs)
state.compact()
"""


def build_project(seed: Path, layout: str, n: int) -> Path:
    root = WORK / f"{layout}-{n}-{BUILD_KEY}"
    if (root / "built").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    media = root / "specs" / "media"
    media.mkdir(parents=True)
    names = layout_specs(layout, n, root / "specs")
    linker = Linker(str(seed / "specs" / "media" / "ep.mp4"), str(root / ".spare"))
    for name in names:
        linker.link(str(media / f"{name}.mp4"))
    subprocess.run(
        [
            sys.executable, "-c", BUILD_STATE, str(seed / "segspec.state.json"),
            str(seed / ".segspec" / "objects"), str(root), str(HERE),
        ],
        check=True,
    )  # fmt: skip
    run_timed(segspec("plan"), root)  # warm the hash cache, as the plan before an apply does
    (root / "built").write_text(BUILD_KEY)
    return root


# --- measuring ---------------------------------------------------------------------------


Cell = tuple[float, int, float]
"""Median wall seconds, largest peak RSS (MB), median CPU seconds."""


def summarize(results: Sequence[tuple[float, int, int, float]]) -> Cell:
    return (
        statistics.median(r[0] for r in results),
        max(r[1] for r in results),
        statistics.median(r[3] for r in results),
    )


def median_of(runs: int, args: Sequence[str], cwd: Path) -> Cell:
    return summarize([run_timed(args, cwd) for _ in range(runs)])


def change_one(root: Path, layout: str, original: str, run: int) -> None:
    """Edit one job's range in its spec file, differently for each run (so each run meets
    a file it has not seen: a real miss of the spec cache, not a hit on the last edit)."""
    file = root / "specs" / ("all.yaml" if layout == "foreach" else "part00.yaml")
    out = f"{0.5 - 0.01 * run:.2f}"
    if layout == "foreach":  # one for_each: the first instance becomes a job of its own
        doc = json.loads(original)
        doc["jobs"]["ep"]["for_each"] = doc["jobs"]["ep"]["for_each"][1:]
        solo = job_body("media/ep000000.mp4", "clips/solo_{index}.mp4")
        solo["JobParams"] = {"Mode": "UserDefined", "Ranges": [{"In": 0, "Out": float(out)}]}
        doc["jobs"]["solo"] = solo
        file.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        return
    file.write_text(original.replace('"Out": 0.6', f'"Out": {out}', 1), encoding="utf-8")


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """What the state's index checks of the state file (inode, size, mtime, ctime)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


REOPEN = r"""
import sys
from pathlib import Path
from segspec.state.store import FileStateBackend
FileStateBackend(Path(sys.argv[1])).open()
"""


def restore_state(root: Path, saved: bytes, identity: tuple[int, int, int, int] | None) -> None:
    """Put the all-applied state back after a timed apply, with a warm index.

    An apply of one job at scale usually only appends to the journal (the fold is
    amortized): then removing the journal is the whole restore, and the state file and
    its index are untouched. When the apply did fold, the state's bytes are written back
    and the state is opened once, untimed, so its index is rebuilt for the new file: the
    next timed command meets a warm index, as it would after a real apply.
    """
    state = root / "segspec.state.json"
    for name in ("segspec.state.json.journal", "segspec.state.json.backup"):
        (root / name).unlink(missing_ok=True)
    if _identity(state) == identity:
        return
    state.write_bytes(saved)
    subprocess.run([sys.executable, "-c", REOPEN, str(state)], check=True, cwd=root)


def moved_from(root: Path) -> str | None:
    """Where the project's state says its first input is, when that is not under `root`:
    a built project copied (or moved) elsewhere. Its recorded input paths then name the
    old place, so every plan re-identifies every input through the hash cache (at 100,000
    jobs a 37 MB JSON file: about +110 MB and +0.5 s): its figures are not a no-op plan's.
    """
    with (root / "segspec.state.json").open("rb") as handle:
        head = handle.read(1 << 16).decode("utf-8", "replace")
    marker = '"path": "'
    at = head.find(marker)
    if at < 0:
        return None
    path = head[at + len(marker) : head.find('"', at + len(marker))]
    return None if path.startswith(str(root.resolve()) + os.sep) else path


def warn_if_moved(root: Path) -> None:
    found = moved_from(root)
    if found is not None:
        print(
            f"warning: {root} records its inputs elsewhere ({found}): it was copied from "
            "where it was built, so every plan re-identifies every input (hash cache) and "
            "the figures are not representative; build it in place (--build-only)",
            file=sys.stderr,
        )


def measure(root: Path, layout: str, runs: int, columns: Sequence[str]) -> dict[str, Cell]:
    state = root / "segspec.state.json"
    warn_if_moved(root)
    row: dict[str, Cell] = {}
    floor = [sys.executable, "-c", FLOOR, str(state), str(root / ".segspec" / "objects")]
    row["load"] = (os.getloadavg()[0], 0, 0.0)
    # untimed: a stale index (the state restored by an earlier run) or spec cache (another
    # segspec version) is rebuilt here, so every timed command meets warm ones
    run_timed(segspec("plan"), root)
    row["floor"] = median_of(runs, floor, root)
    simple = {
        "validate": ("validate",),
        "plan": ("plan",),
        "plan --refresh=false": ("plan", "--refresh=false"),
        "plan --json": ("plan", "--json"),
    }
    for column, command in simple.items():
        if column in columns:
            row[column] = median_of(runs, segspec(*command), root)
    if "show --json" in columns and _has_show_json():
        row["show --json"] = median_of(runs, segspec("show", "--json"), root)
    if "plan, 1 changed" not in columns and "apply, 1 changed" not in columns:
        return row
    saved = state.read_bytes()
    identity = _identity(state)
    spec_dir = root / "specs"
    backup = {p.name: p.read_text(encoding="utf-8") for p in spec_dir.glob("*.yaml")}
    original = backup["all.yaml" if layout == "foreach" else "part00.yaml"]
    plans, applies = [], []
    # the edited job's apply replaces its output; its recorded bytes are put back after
    output = root / ".segspec" / "objects" / BUCKET / "clips" / "ep000000_0.mp4"
    kept = output.with_name(".kept-ep000000_0.mp4")
    kept.unlink(missing_ok=True)
    shutil.copy2(output, kept)  # a copy: the output's link count may be exhausted
    try:
        if "plan, 1 changed" in columns:
            for run in range(runs):
                change_one(root, layout, original, run)
                plans.append(run_timed(segspec("plan"), root))
        if "apply, 1 changed" in columns:
            for run in range(runs):
                change_one(root, layout, original, runs + run)
                applies.append(run_timed(segspec("apply", "--auto-approve"), root))
                restore_state(root, saved, identity)
                shutil.copy2(kept, output)
    finally:
        os.replace(kept, output)
        for name, text in backup.items():
            (spec_dir / name).write_text(text, encoding="utf-8")
        restore_state(root, saved, identity)
    for column, results in (("plan, 1 changed", plans), ("apply, 1 changed", applies)):
        if results:
            row[column] = summarize(results)
    return row


_SHOW_JSON: bool | None = None


def _has_show_json() -> bool:
    global _SHOW_JSON
    if _SHOW_JSON is None:
        out = subprocess.run(segspec("show", "--help"), capture_output=True, text=True, cwd=REPO)
        _SHOW_JSON = "--json" in out.stdout
    return _SHOW_JSON


COLUMN_IDS = {
    "validate": "validate",
    "plan": "plan",
    "no-refresh": "plan --refresh=false",
    "json": "plan --json",
    "show-json": "show --json",
    "changed-plan": "plan, 1 changed",
    "changed-apply": "apply, 1 changed",
}
"""`--columns` names (no commas) -> the table's columns."""
COLUMNS = tuple(COLUMN_IDS.values())


def render(rows: dict[tuple[str, int], dict[str, Cell]], startup: dict[str, Cell]) -> str:
    """Each cell: median wall time, median CPU time (user + sys), largest peak RSS, and
    both times as ratios to the floor's of the same run."""
    lines = [
        "| layout | N jobs | floor | " + " | ".join(COLUMNS) + " |",
        "|---|---|---|" + "---|" * len(COLUMNS),
    ]
    for (layout, n), row in rows.items():
        floor, _, floor_cpu = row["floor"]
        cells = [f"{floor:.2f} s, {floor_cpu:.2f} s CPU / {row['floor'][1]} MB"]
        for column in COLUMNS:
            wall, rss, cpu = row.get(column, (0.0, 0, 0.0))
            cells.append(
                f"{wall:.2f} s, {cpu:.2f} s CPU / {rss} MB "
                f"({wall / floor:.1f}×, CPU {cpu / floor_cpu:.1f}×)"
                if wall
                else "—"
            )
        lines.append(f"| {layout} | {n:,} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "Start-up: "
        + ", ".join(f"`segspec {k}` {w * 1000:.0f} ms / {r} MB" for k, (w, r, _) in startup.items())
    )
    lines.append("")
    lines.append(
        "Load average (1 min) when each row was measured: "
        + ", ".join(f"{layout} {n:,}: {row['load'][0]:.1f}" for (layout, n), row in rows.items())
    )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--layouts", default="files50,foreach")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build-only", action="store_true", help="Build, measure nothing.")
    parser.add_argument(
        "--columns",
        default=",".join(("startup", *COLUMN_IDS)),
        help="Comma-separated columns to measure, of startup (--version and --help), "
        + ", ".join(COLUMN_IDS)
        + " (default: all); the others print as —.",
    )
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    seed = build_seed()
    startup: dict[str, Cell] = {}
    chosen = [c.strip() for c in args.columns.split(",")]
    unknown = [c for c in chosen if c != "startup" and c not in COLUMN_IDS]
    if unknown:
        parser.error(f"unknown --columns {', '.join(unknown)}")
    columns = [COLUMN_IDS[c] for c in chosen if c in COLUMN_IDS]
    if not args.build_only and "startup" in chosen:
        for flag in ("--version", "--help"):
            startup[flag] = median_of(max(args.runs, 5), segspec(flag), REPO)
    rows: dict[tuple[str, int], dict[str, Cell]] = {}
    for n in (int(s) for s in args.sizes.split(",")):
        for layout in args.layouts.split(","):
            started = time.perf_counter()
            root = build_project(seed, layout, n)
            print(f"built {layout}-{n} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            if args.build_only:
                continue
            rows[(layout, n)] = measure(root, layout, args.runs, columns)
            print(render({(layout, n): rows[(layout, n)]}, startup), file=sys.stderr)
    table = render(rows, startup)
    (WORK / "results.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
