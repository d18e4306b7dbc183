"""Detection speed against PySceneDetect, and where segspec's CPU goes, per frame.

`python benchmarks/speed.py [--baseline REF] [--reps N] [--sizes 720p,1080p] [--files N]` (it runs
inside benchmarks/.venv like run.py, after `run.py --build-only`): on the 1280x720 and
1920x1080 files of the tuning part (and seen 9100's 1080p files: the tuning part has one),
file by file and interleaved, so background load hits every side alike:

- `ffmpeg decode (floor)`: ffmpeg decoding the video to nothing, as in competitors.py;
- `ffmpeg decode, no deblocking`: the same with `-skip_loop_filter all`;
- `ffmpeg thumbnails`: segspec's thumbnail command (no deblocking, 64x36 area scale,
  raw frames into the pipe), its output read and dropped;
- `segspec`: `segspec.detect.detect()` of this checkout;
- `segspec REF`: the same of git REF (extracted to a temporary folder), when given;
- `PySceneDetect ContentDetector`, default settings, in this process.

segspec runs in a child process of its own (so two versions can be compared), which times
only the `detect()` call: wall, its own CPU (the Python side: reading the pipe, features,
scores, decisions) and its ffmpeg's CPU. CPU is user + system seconds of every thread.
The boundaries of `segspec` and `segspec REF` are compared file by file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"

FILES = {
    "720p": [f"corpus/edit_0{i}.mp4" for i in range(8)] + ["corpus/wide_50.000fps_720p.mp4"],
    "1080p": [
        "corpus/wide_60.000fps_1080p.mp4",
        "heldout/held_24.000fps_1080p.mp4",
        "heldout/held_60.000fps_1080p.mp4",
    ],
}
"""Tuning material only (the tuning part and the seen set 9100-)."""

CHILD = """
import json, resource, sys, time
from pathlib import Path
root, video = sys.argv[1], sys.argv[2]
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
sys.path.insert(0, root)
import segspec.detect
assert segspec.detect.__file__.startswith(root), segspec.detect.__file__
from segspec.detect import detect
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
wall, cpu = time.perf_counter(), time.process_time()
found = detect(Path(video))
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
after = resource.getrusage(resource.RUSAGE_CHILDREN)
ffmpeg = (after.ru_utime - kids.ru_utime) + (after.ru_stime - kids.ru_stime)
print(json.dumps({"wall": wall, "python": cpu, "ffmpeg": ffmpeg, "frames": found.frame_count,
                  "boundaries": [[b.frame, b.kind] for b in found.boundaries]}))
"""

DETECTOR_CHILD = """
import json, sys, time
root, cache, fps = sys.argv[1], sys.argv[2], float(sys.argv[3])
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
sys.path.insert(0, root)
import numpy as np
import segspec.detect
assert segspec.detect.__file__.startswith(root), segspec.detect.__file__
from segspec.detect import ShotFinder
thumbs = np.load(cache)
cpu = time.process_time()
finder = ShotFinder(fps, threshold=0.2, min_shot_seconds=0.5)
found = [b.frame for i in range(0, len(thumbs), 64) for b in finder.push(thumbs[i : i + 64])]
found += [b.frame for b in finder.finish()]
print(json.dumps({"cpu": time.process_time() - cpu, "frames": len(thumbs), "found": found}))
"""
"""The detector alone (`--detector-only`) on thumbnails decoded beforehand, in chunks of 64
as `detect()` feeds it: CPU seconds of the Python side without the pipe."""


@dataclass
class Side:
    """Totals of one side over the files of one size."""

    frames: int = 0
    wall: float = 0.0
    python: float = 0.0
    ffmpeg: float = 0.0
    runs: int = 0
    boundaries: dict[str, list[list[object]]] = field(default_factory=dict)

    def add(self, frames: int, wall: float, python: float, ffmpeg: float) -> None:
        self.frames += frames
        self.wall += wall
        self.python += python
        self.ffmpeg += ffmpeg
        self.runs += 1

    @property
    def fps(self) -> float:
        return self.frames / self.wall

    def ms(self, seconds: float) -> float:
        return 1000.0 * seconds / self.frames


def extract(ref: str, into: Path) -> Path:
    """The `segspec` package of git `ref`, written under `into`."""
    data = subprocess.run(["git", "-C", str(REPO), "archive", ref, "segspec"],
                          capture_output=True, check=True).stdout  # fmt: skip
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def segspec_run(root: Path, video: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(root), str(video)],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    result: dict[str, object] = json.loads(out)
    return result


def timed_ffmpeg(args: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one ffmpeg run; its stdout is read and dropped."""
    from segspec.media.ffmpeg import ffmpeg_exe

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
                             *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)  # fmt: skip
    assert proc.stdout is not None
    from segspec.detect.frames import widen_pipe

    widen_pipe(proc.stdout.fileno())
    while proc.stdout.read(1 << 16):
        pass
    if proc.wait() != 0:
        raise RuntimeError(f"ffmpeg failed: {args}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def content_detector(video: Path) -> tuple[float, float, int]:
    """(wall, CPU, frames) of PySceneDetect's ContentDetector, defaults, in this process."""
    from scenedetect import (  # type: ignore[import-not-found]
        ContentDetector,
        SceneManager,
        open_video,
    )

    start, cpu = time.perf_counter(), time.process_time()
    stream = open_video(str(video))
    manager = SceneManager()
    manager.add_detector(ContentDetector())
    frames = manager.detect_scenes(stream)
    manager.get_scene_list()
    return time.perf_counter() - start, time.process_time() - cpu, int(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="git ref of a segspec to compare (e.g. main)")
    parser.add_argument("--reps", type=int, default=1, help="passes over the files (1)")
    parser.add_argument("--sizes", default="720p,1080p", help="720p and/or 1080p")
    parser.add_argument("--files", type=int, help="only the first N files of each size")
    parser.add_argument("--detector-only", action="store_true",
                        help="only the detector's CPU on thumbnails decoded first")  # fmt: skip
    args = parser.parse_args()
    venv = HERE / ".venv"
    if Path(sys.prefix).resolve() != venv.resolve():  # made by run.py (PySceneDetect, OpenCV)
        python = venv / "bin" / "python"
        if not python.exists():
            sys.exit("no benchmarks/.venv: run `python benchmarks/run.py --build-only` first")
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
    import scenedetect  # noqa: F401  (imported before the first timing)

    from segspec.detect.frames import thumbnail_args

    with tempfile.TemporaryDirectory() as tmp:
        roots = {"segspec": REPO}
        if args.baseline:
            roots[f"segspec {args.baseline}"] = extract(args.baseline, Path(tmp))
        if args.detector_only:
            detector_only(roots, args, Path(tmp))
            return
        tables: dict[str, dict[str, Side]] = {}
        for size in args.sizes.split(","):
            sides = tables.setdefault(size, {})
            side = sides.setdefault
            for rep in range(args.reps):
                for rel in FILES[size][: args.files]:
                    video = WORK / rel
                    frames = 0
                    for name, root in roots.items():
                        r = segspec_run(root, video)
                        frames = int(r["frames"])  # type: ignore[call-overload]
                        side(name, Side()).add(frames, r["wall"], r["python"], r["ffmpeg"])  # type: ignore[arg-type]
                        side(name, Side()).boundaries[f"{rep}:{rel}"] = r["boundaries"]  # type: ignore[assignment]
                    wall, cpu, cd_frames = content_detector(video)
                    side("PySceneDetect ContentDetector", Side()).add(cd_frames, wall, cpu, 0.0)
                    src = ["-i", str(video), "-map", "0:v:0"]
                    for name, cmd in (
                        ("ffmpeg decode (floor)", [*src, "-f", "null", "-"]),
                        ("ffmpeg decode, no deblocking",
                         ["-skip_loop_filter", "all", *src, "-f", "null", "-"]),
                        ("ffmpeg thumbnails", thumbnail_args(video)[5:]),
                    ):  # fmt: skip
                        wall, cpu = timed_ffmpeg(cmd)
                        side(name, Side()).add(frames, wall, 0.0, cpu)
                    print(f"  {size} pass {rep + 1}: {rel} ({frames} frames)", flush=True)
        print(render(tables, list(roots)))


def detector_only(roots: dict[str, Path], args: argparse.Namespace, tmp: Path) -> None:
    import numpy as np

    from segspec.detect.frames import iter_thumbnails
    from segspec.media.probe import probe

    for size in args.sizes.split(","):
        cpu = dict.fromkeys(roots, 0.0)
        frames = 0
        same = 0
        for rel in FILES[size][: args.files]:
            video = WORK / rel
            cache = tmp / "thumbs.npy"
            np.save(cache, np.concatenate(list(iter_thumbnails(video))))
            fps = str(float(probe(video).fps))
            for _ in range(args.reps):
                found = []
                for name, root in roots.items():
                    cmd = [sys.executable, "-c", DETECTOR_CHILD, str(root), str(cache), fps]
                    r = json.loads(subprocess.run(cmd, capture_output=True, text=True,
                                                  check=True).stdout)  # fmt: skip
                    cpu[name] += r["cpu"]
                    found.append(r["found"])
                frames += int(r["frames"])
                same += all(f == found[0] for f in found)
        print(f"\n{size}, detector alone on decoded thumbnails ({frames} frames per side, "
              f"boundaries identical in {same} of {len(FILES[size][: args.files]) * args.reps}"
              " runs)")  # fmt: skip
        for name, seconds in cpu.items():
            print(f"| {name} | {1000 * seconds / frames:.3f} ms/frame CPU |")


def render(tables: dict[str, dict[str, Side]], segspecs: list[str]) -> str:
    lines = []
    for size, sides in tables.items():
        cd = sides["PySceneDetect ContentDetector"]
        lines += [f"\n{size}: {cd.frames // max(1, cd.runs) * cd.runs} frames per side",
                  "| side | fps | ÷ ContentDetector | CPU ms/frame | Python | ffmpeg |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for name, s in sides.items():
            total = s.ms(s.python + s.ffmpeg)
            lines.append(f"| {name} | {s.fps:.0f} | {s.fps / cd.fps:.2f} | {total:.3f} | "
                         f"{s.ms(s.python):.3f} | {s.ms(s.ffmpeg):.3f} |")  # fmt: skip
        if len(segspecs) > 1:
            a, b = (sides[n].boundaries for n in segspecs[:2])
            same = sum(a[k] == b[k] for k in a)
            lines.append(f"\nboundaries of {segspecs[0]} and {segspecs[1]}: identical on "
                         f"{same} of {len(a)} files")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    main()
