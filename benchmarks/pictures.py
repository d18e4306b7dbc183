"""What pictures and the report cost, as ratios to work segspec does anyway.

Generates a 1280x720, 25 fps H.264 video with `--shots` (default 30) hard cuts between
lavfi test patterns over `--seconds` (default 60), then times, on that file in one run:
  decode    ffmpeg decoding the file to null (the floor of any full pass),
  detect    segspec's shot detection (what a BasicClipSplit job runs first),
  sheet     the contact sheet of the detected shots (grab + compose + save),
  frames    the first/last-frame picture of 4 UserDefined ranges (seeks),
and prints each with its ratio to `decode`. Run: python benchmarks/pictures.py
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from segspec.detect import detect_shots
from segspec.media.ffmpeg import ffmpeg_exe
from segspec.media.sheet import compose, first_last_tiles, save_picture, shot_tiles

SOURCES = ["testsrc2", "smptebars", "mandelbrot", "rgbtestsrc", "life", "cellauto"]


def make_video(path: Path, seconds: float, shots: int) -> None:
    part = seconds / shots
    names = [SOURCES[i % len(SOURCES)] for i in range(shots)]
    inputs: list[str] = []
    for name in names:
        inputs += ["-f", "lavfi", "-t", f"{part}", "-i", f"{name}=size=1280x720:rate=25"]
    joined = "".join(f"[{i}:v]format=yuv420p,setsar=1[v{i}];" for i in range(shots))
    joined += "".join(f"[v{i}]" for i in range(shots))
    joined += f"concat=n={shots}:v=1:a=0[out]"
    cmd = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", *inputs,
           "-filter_complex", joined, "-map", "[out]", "-c:v", "libx264", "-preset",
           "veryfast", "-g", "50", str(path)]  # fmt: skip
    subprocess.run(cmd, check=True)


def timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--shots", type=int, default=30, help="segments joined with hard cuts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        video = work / "source.mp4"
        make_video(video, args.seconds, args.shots)
        null = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(video), "-f", "null", "-"]
        decode = timed(lambda: subprocess.run(null, check=True))
        shots = []
        detect = timed(lambda: shots.extend(detect_shots(video)))
        tiles = shot_tiles([(s.index, s.first_frame) for s in shots], Fraction(25))
        sheet = timed(lambda: save_picture(compose(video, tiles), work / "sheet.jpg"))
        spans = [(i, int(i * args.seconds * 5), int(i * args.seconds * 5 + 100)) for i in range(4)]
        frames = timed(
            lambda: save_picture(
                compose(video, first_last_tiles(spans, Fraction(25)), columns=2),
                work / "frames.jpg",
            )
        )
        size = (work / "sheet.jpg").stat().st_size
    print(f"{args.seconds:g} s of 1280x720 H.264, {len(shots)} shots detected")
    print(f"{'step':<8} {'seconds':>8} {'÷ decode':>9}")
    for name, value in [("decode", decode), ("detect", detect), ("sheet", sheet),
                        ("frames", frames)]:  # fmt: skip
        print(f"{name:<8} {value:>8.2f} {value / decode:>9.2f}")
    print(f"contact sheet: {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
