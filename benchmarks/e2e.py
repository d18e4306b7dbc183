"""End to end: BasicClipSplit versus its floor and `scenedetect ... detect-content split-video`.

The long file is the corpus joined end to end (stream copy, no re-encode) until it is
long enough. Three sides, each in its own process, on the same file: the floor (one
plain ffmpeg encode of the whole file with BasicClipSplit's encoder settings), segspec's
BasicClipSplit, and split-video (its defaults: libx264 veryfast, CRF 22, AAC). They run
`reps` times, interleaved and in a rotating order, so the load of a shared machine falls
on all three alike; each run records wall and CPU seconds, CPU per thread, cores kept busy
over time and the load average (`threads.Sampler`). Ratios are per repetition (each side
against the floor of the same repetition), reported as median and range.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from threads import Sampler

from segspec.media.ffmpeg import ffmpeg_exe

SIDES = ("floor", "segspec", "scenedetect")


def long_file(corpus: list[Path], out: Path, seconds: float) -> Path:
    if out.is_file():
        return out
    listing = out.with_suffix(".txt")
    total, lines = 0.0, []
    while total < seconds:
        for p in corpus:
            lines.append(f"file '{p.resolve()}'")
            total += 10.0
    listing.write_text("\n".join(lines) + "\n")
    cmd = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0",
           "-i", str(listing), "-t", str(seconds), "-c", "copy", str(out)]  # fmt: skip
    subprocess.run(cmd, check=True)
    return out


def ffmpeg_on_path(work: Path) -> dict[str, str]:
    """An environment whose PATH has an `ffmpeg` (the imageio-ffmpeg binary) for scenedetect."""
    bindir = work / "bin"
    bindir.mkdir(parents=True, exist_ok=True)
    link = bindir / "ffmpeg"
    if not link.exists():
        link.symlink_to(ffmpeg_exe())
    env = dict(os.environ)
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    return env


def floor_cmd(video: Path, out: Path) -> list[str]:
    """One plain ffmpeg encode of the whole file with BasicClipSplit's settings.

    The same libx264 options as the job's encoder (its SEI reads `threads=3
    lookahead_threads=1 sliced_threads=0 rc_lookahead=10` on 2 cores for both), yuv420p,
    AAC 128 kbps, `+faststart` (which rewrites the file once; each clip pays it for its
    own bytes, so the bytes moved are the same).
    """
    return [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-i", str(video),
            "-map", "0:v:0", "-map", "0:a:0?", "-c:v", "libx264", "-preset", "veryfast",
            "-pix_fmt", "yuv420p", "-crf", "22", "-c:a", "aac", "-b:a", "128k",
            "-movflags", "+faststart", str(out)]  # fmt: skip


_SPLIT = """
import json, sys
from pathlib import Path
from segspec.backends.local.split import split_shots
clips = split_shots(Path(sys.argv[1]), {"Video": {"Crf": 22}}, {"preset": "veryfast"},
                    Path(sys.argv[2]), ".mp4")
hwm = [l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM")]
print(json.dumps({"clips": [[str(c.path), c.first_frame, c.last_frame] for c in clips],
                  "peak_kb": int(hwm[0].split()[1])}))
"""


def _timed(cmd: list[str], **kwargs: Any) -> tuple[dict[str, object], str]:
    """Run `cmd` under a `Sampler`; its profile summary and its standard output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, **kwargs)
    with Sampler(proc.pid) as sampler:
        out, _ = proc.communicate()
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = sampler.profile.summary()
    # CPU seconds from the kernel's accounting of the finished process tree (exact, and
    # it includes children too short-lived for the sampler to see, like split-video's
    # ffmpeg runs); the sampler's per-thread figures are what it saw every 0.5 s
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    summary["sampled_cpu_s"] = summary["cpu_s"]
    summary["cpu_s"] = round(cpu, 2)
    summary["cores_mean"] = round(cpu / float(summary["wall_s"]), 3)  # type: ignore[arg-type]
    return summary, out


def run_side(side: str, video: Path, work: Path) -> dict[str, object]:
    """One timed run of one side; for segspec, then (untimed) the frame-exactness check."""
    if side == "floor":
        summary, _ = _timed(floor_cmd(video, work / "floor.mp4"))
        return summary | {"clips": 1}
    if side == "segspec":
        out = work / "segspec_clips"
        shutil.rmtree(out, ignore_errors=True)
        summary, text = _timed([sys.executable, "-c", _SPLIT, str(video), str(out)])
        got = json.loads(text)
        return summary | {"clips": len(got["clips"]), "peak_kb": got["peak_kb"],
                          "frame_exact": frame_exact(video, got["clips"])}  # fmt: skip
    out = work / "scenedetect_clips"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    exe = Path(sys.executable).with_name("scenedetect")
    cmd = [str(exe), "-i", str(video), "-o", str(out), "-q", "detect-content", "split-video"]
    with (work / "scenedetect.log").open("w") as log:
        summary, _ = _timed(cmd, env=ffmpeg_on_path(work), stdin=subprocess.DEVNULL,
                            stderr=log)  # fmt: skip
    return summary | {"clips": len(list(out.glob("*.mp4")))}


def frame_exact(video: Path, clips: list[list[Any]]) -> bool:
    """Every clip holds exactly its shot's frames, and together they hold the source's."""
    from segspec.media.probe import frame_times

    ok = all(frame_times(Path(p)).count == last - first + 1 for p, first, last in clips)
    starts = [first for _, first, _ in clips]
    ok = ok and starts == sorted(starts) and starts[0] == 0
    ok = ok and all(a[2] + 1 == b[1] for a, b in itertools.pairwise(clips))
    return ok and clips[-1][2] + 1 == frame_times(video).count


def run_all(
    video: Path, work: Path, reps: int = 3, scenedetect_reps: int | None = None
) -> dict[str, object]:
    """Every side `reps` times, interleaved, the order rotating each repetition.

    split-video runs only in the first `scenedetect_reps` repetitions (all by default): at
    about 1.3x the floor it is the longest side, and the target is the floor ratio. Every
    finished run is written to `work / "e2e_runs.json"` at once, so a run cut short keeps
    the repetitions it finished.
    """
    from segspec.media.probe import frame_times

    runs: list[dict[str, object]] = []
    for rep in range(reps):
        order = SIDES[rep % 3 :] + SIDES[: rep % 3]
        for side in order:
            if side == "scenedetect" and scenedetect_reps is not None and rep >= scenedetect_reps:
                continue
            result = run_side(side, video, work)
            runs.append({"rep": rep, "side": side, **result})
            (work / "e2e_runs.json").write_text(json.dumps(runs, indent=1))
            own, machine = result["cores_mean"], result["machine_cores"]
            print(f"  rep {rep + 1}/{reps} {side}: {result['wall_s']} s wall, "
                  f"{result['cpu_s']} s CPU, {own} cores of the {machine} busy, "
                  f"load {result['load']}", flush=True)  # fmt: skip
    return {"file": video.name, "frames": frame_times(video).count, "reps": reps,
            "runs": runs, "summary": summarize(runs)}  # fmt: skip


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3)}  # fmt: skip


def _per_rep(run: dict[str, Any], floor: dict[str, Any]) -> list[float]:
    """[repetition, wall ÷ floor, CPU ÷ floor] of one run."""
    return [run["rep"], round(run["wall_s"] / floor["wall_s"], 3),
            round(run["cpu_s"] / floor["cpu_s"], 3)]  # fmt: skip


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per side: median and range of wall, CPU, cores; ratios to the same repetition's floor."""
    floors = {r["rep"]: r for r in runs if r["side"] == "floor"}
    out: dict[str, Any] = {}
    for side in SIDES:
        mine = [r for r in runs if r["side"] == side]
        if not mine:
            continue  # split-video skipped (--scenedetect-reps 0)
        out[side] = {
            "wall_s": _spread([r["wall_s"] for r in mine]),
            "cpu_s": _spread([r["cpu_s"] for r in mine]),
            "cores_mean": _spread([r["cores_mean"] for r in mine]),
            "wall_ratio": _spread([r["wall_s"] / floors[r["rep"]]["wall_s"] for r in mine]),
            "cpu_ratio": _spread([r["cpu_s"] / floors[r["rep"]]["cpu_s"] for r in mine]),
            "load": _spread([sum(r["load"]) / 2 for r in mine]),
            # cores the rest of the machine kept busy meanwhile (its whole use less ours)
            "others": _spread([max(0.0, r["machine_cores"] - r["cores_mean"]) for r in mine]),
            "per_rep": [_per_rep(r, floors[r["rep"]]) for r in mine],
            "reps": len(mine),
            "clips": mine[-1]["clips"],
        }
    seg = {r["rep"]: r for r in runs if r["side"] == "segspec"}
    versus = [r["wall_s"] / seg[r["rep"]]["wall_s"] for r in runs if r["side"] == "scenedetect"]
    if versus:
        out["segspec_vs_scenedetect"] = _spread(versus)
    out["frame_exact"] = all(bool(r["frame_exact"]) for r in seg.values())
    out["segspec_peak_kb"] = max(int(r["peak_kb"]) for r in seg.values())
    return out


_PEAK = """
import json, resource, sys
from pathlib import Path
from segspec.detect import detect
r = detect(Path(sys.argv[1]))
# VmHWM (not ru_maxrss, which keeps the forking parent's size across exec)
hwm = [l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM")]
print(json.dumps({"frames": r.frame_count,
    "python_kb": int(hwm[0].split()[1]),
    "ffmpeg_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def peak_memory(video: Path) -> dict[str, int]:
    """Peak resident memory (kB) of a fresh process running detection on `video`."""
    out = subprocess.run([sys.executable, "-c", _PEAK, str(video)], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    # ffmpeg_kb is ru_maxrss of the decoder child: an upper bound (it may include the size
    # of the Python process it was started from)
    return dict(json.loads(out))


def _range(s: dict[str, float], fmt: str = ".3f") -> str:
    return f"{s['median']:{fmt}} ({s['min']:{fmt}}–{s['max']:{fmt}})"


def render(e: dict[str, Any]) -> list[str]:
    """The end-to-end table (markdown lines) of a `run_all` result."""
    s = e["summary"]
    names = {"floor": "plain ffmpeg encode of the whole file (floor)",
             "segspec": "segspec BasicClipSplit (one decode)",
             "scenedetect": "scenedetect detect-content split-video"}  # fmt: skip
    lines = [
        f"End to end on {e['file']} ({e['frames']} frames, libx264 veryfast CRF 22, AAC), "
        f"{e['reps']} interleaved repetitions; median (min–max):",
        "",
        "| run | reps | wall s | wall ÷ floor | CPU s | CPU ÷ floor | cores busy "
        "| others' cores busy | load avg | clips |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for side in (side for side in SIDES if side in s):
        x = s[side]
        lines.append(
            f"| {names[side]} | {x.get('reps', e['reps'])} | {_range(x['wall_s'], '.1f')} "
            f"| {_range(x['wall_ratio'])} | {_range(x['cpu_s'], '.1f')} "
            f"| {_range(x['cpu_ratio'])} | {_range(x['cores_mean'], '.2f')} "
            f"| {_range(x['others'], '.2f') if 'others' in x else '—'} "
            f"| {_range(x['load'], '.1f')} | {x['clips']} |"
        )
    for side in SIDES[1:]:
        if "per_rep" in s.get(side, {}):
            each = ", ".join(f"{w:.3f} ({c:.3f})" for _, w, c in s[side]["per_rep"])
            lines += ["", f"Per repetition, {names[side]}: wall ÷ floor (CPU ÷ floor) {each}."]
    versus = s.get("segspec_vs_scenedetect")
    faster = f"segspec is {_range(versus, '.2f')}× as fast as split-video; " if versus else ""
    lines += [
        "",
        f"segspec clips frame-exact and covering every frame once: {s['frame_exact']}; "
        f"{faster}peak memory of the split (VmHWM) {s['segspec_peak_kb'] / 1024:.0f} MB.",
    ]
    threads = [r for r in e["runs"] if r["rep"] == 0 and r["side"] != "scenedetect"]
    for r in threads:
        top = ", ".join(f"{k} {v:.1f}" for k, v in list(r["threads"].items())[:6])
        lines.append(f"CPU s per thread, {r['side']} (first repetition): {top}.")
    if "memory_1min" in e:
        m1, ml = e["memory_1min"], e["memory_long"]
        lines.append(
            f"Peak memory (VmHWM) of detection alone: 1-minute file "
            f"{m1['python_kb'] / 1024:.0f} MB ({m1['frames']} frames), {e['file']} "
            f"{ml['python_kb'] / 1024:.0f} MB ({ml['frames']} frames)."
        )
    return lines
