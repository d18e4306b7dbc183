"""Regenerate specs/media/sample.mp4: 16 s, 640x360, 25 fps, five shots with sound.

Every shot comes from one of ffmpeg's lavfi sources, so anyone can rebuild the file
bit-for-bit with the same ffmpeg: `python specs/media/make_sample.py`.

Shots (frame numbers at 25 fps): 0-74 testsrc2, 75-149 moving zone plate, 150-249 game of
life, 250-324 colour gradients, then a 1 s dissolve (325-349) into 350-399 a test card with
a running counter. Cuts at 75, 150, 250 are hard; 325-349 is gradual (middle: 337).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg

SIZE = "640x360"
RATE = 25
OUT = Path(__file__).with_name("sample.mp4")

SOURCES = [
    f"testsrc2=size={SIZE}:rate={RATE}:duration=3",
    f"zoneplate=size={SIZE}:rate={RATE}:kx2=64:ky2=64:kt=30:k0=60",
    f"life=size={SIZE}:rate={RATE}:mold=10:ratio=0.1:death_color=#202060:life_color=#e0d040",
    f"gradients=size={SIZE}:rate={RATE}:speed=0.05:seed=7",
    f"testsrc=size={SIZE}:rate={RATE}",
]
DURATIONS = [3, 3, 4, 4, 3]  # seconds; shot 4 and 5 overlap by the 1 s dissolve


def build() -> list[str]:
    args = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    for source, seconds in zip(SOURCES, DURATIONS, strict=True):
        args += ["-f", "lavfi", "-t", str(seconds), "-i", source]
    args += ["-f", "lavfi", "-t", "16", "-i", "sine=frequency=440:sample_rate=48000"]
    chains = [
        f"[{i}:v]format=yuv420p,setsar=1,settb=1/{RATE},fps={RATE}[v{i}]"
        for i in range(len(SOURCES))
    ]
    chains.append("[v3][v4]xfade=transition=fade:duration=1:offset=3[x34]")
    chains.append("[v0][v1][v2][x34]concat=n=4:v=1:a=0[v]")
    args += ["-filter_complex", ";".join(chains), "-map", "[v]", "-map", "5:a"]
    args += ["-c:v", "libx264", "-preset", "medium", "-crf", "32", "-g", "50"]
    args += ["-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-shortest"]
    args += ["-movflags", "+faststart", "-fflags", "+bitexact", "-map_metadata", "-1"]
    args += ["-flags:v", "+bitexact", "-flags:a", "+bitexact", str(OUT)]
    return args


if __name__ == "__main__":
    subprocess.run(build(), check=True)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)
