"""End to end: BasicClipSplit versus `scenedetect ... detect-content split-video`.

The long file is the corpus joined end to end (stream copy, no re-encode) until it is
long enough. Both sides encode with libx264 preset veryfast, CRF 22, AAC audio (the
split-video defaults). Peak memory of detection is measured in a fresh process per file.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from segspec.media.ffmpeg import ffmpeg_exe

LAST_CPU: dict[str, float] = {}
"""CPU seconds of the last timed run of each side (load on a shared machine inflates
wall time; CPU time shows the work each side does)."""


def cpu_seconds(who: int) -> float:
    """User + system CPU seconds used so far by this process or its waited-for children."""
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


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


def run_segspec(video: Path, work: Path) -> tuple[float, int, bool]:
    """Time BasicClipSplit; also check (untimed) that every clip holds exactly its frames."""
    from segspec.backends.local.split import split_shots
    from segspec.media.probe import frame_times

    out = work / "segspec_clips"
    shutil.rmtree(out, ignore_errors=True)
    start, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
    clips = split_shots(video, {"Video": {"Crf": 22}}, {"preset": "veryfast"}, out, ".mp4")
    elapsed = time.perf_counter() - start
    LAST_CPU["segspec"] = cpu_seconds(resource.RUSAGE_SELF) - cpu
    exact = all(frame_times(c.path).count == c.last_frame - c.first_frame + 1 for c in clips)
    exact = exact and clips[-1].last_frame + 1 == frame_times(video).count
    return elapsed, len(clips), exact


def run_floor(video: Path, work: Path) -> float:
    """The floor: one plain ffmpeg encode of the whole file with BasicClipSplit's settings."""
    out = work / "floor.mp4"
    cmd = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-i", str(video),
           "-map", "0:v:0", "-map", "0:a:0?", "-c:v", "libx264", "-preset", "veryfast",
           "-pix_fmt", "yuv420p", "-crf", "22", "-c:a", "aac", "-b:a", "128k",
           "-movflags", "+faststart", str(out)]  # fmt: skip
    start, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True)
    LAST_CPU["floor"] = cpu_seconds(resource.RUSAGE_CHILDREN) - cpu
    return time.perf_counter() - start


def run_all(video: Path, work: Path) -> dict[str, object]:
    """Floor, segspec and scenedetect on the same file, one after the other."""
    from segspec.media.probe import frame_times

    floor = run_floor(video, work)
    ours, n_ours, exact = run_segspec(video, work)
    theirs, n_theirs = run_scenedetect(video, work)
    return {"floor_s": floor, "segspec_s": ours, "segspec_clips": n_ours, "frame_exact": exact,
            "scenedetect_s": theirs, "scenedetect_clips": n_theirs,
            "frames": frame_times(video).count, "cpu_s": dict(LAST_CPU)}  # fmt: skip


def run_scenedetect(video: Path, work: Path) -> tuple[float, int]:
    out = work / "scenedetect_clips"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    exe = Path(sys.executable).with_name("scenedetect")
    cmd = [str(exe), "-i", str(video), "-o", str(out), "-q", "detect-content", "split-video"]
    start, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    with (work / "scenedetect.log").open("w") as log:
        subprocess.run(cmd, check=True, env=ffmpeg_on_path(work), stdin=subprocess.DEVNULL,
                       stdout=log, stderr=log)  # fmt: skip
    LAST_CPU["scenedetect"] = cpu_seconds(resource.RUSAGE_CHILDREN) - cpu
    return time.perf_counter() - start, len(list(out.glob("*.mp4")))


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
