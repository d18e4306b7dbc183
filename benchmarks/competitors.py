"""Every detector in the comparison, behind one signature: path -> (boundaries, seconds).

A boundary is the first frame of a new shot. Times are wall-clock seconds for the whole
file, decoding included. PySceneDetect runs in-process with default settings (OpenCV
backend); ffmpeg's scdet and the plain decode run as ffmpeg subprocesses.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from segspec.detect import detect
from segspec.media.ffmpeg import ffmpeg_exe

Result = tuple[list[int], float]
Detector = Callable[[Path, float], Result]


def segspec_default(path: Path, fps: float) -> Result:
    start = time.perf_counter()
    found = detect(path)
    return [b.frame for b in found.boundaries], time.perf_counter() - start


def segspec_full_decode(path: Path, fps: float) -> Result:
    """The same detector on a fully decoded picture (deblocking filter on)."""
    start = time.perf_counter()
    found = detect(path, skip_loop_filter=False)
    return [b.frame for b in found.boundaries], time.perf_counter() - start


def _pyscenedetect(make: Callable[[], object]) -> Detector:
    def run(path: Path, fps: float) -> Result:
        from scenedetect import detect as sd_detect  # type: ignore[import-not-found]

        start = time.perf_counter()
        scenes = sd_detect(str(path), make())
        elapsed = time.perf_counter() - start
        return [int(s[0].get_frames()) for s in scenes[1:]], elapsed

    return run


def _content() -> object:
    from scenedetect import ContentDetector

    return ContentDetector()


def _adaptive() -> object:
    from scenedetect import AdaptiveDetector

    return AdaptiveDetector()


def _histogram() -> object:
    from scenedetect import HistogramDetector

    return HistogramDetector()


_SCD = re.compile(r"lavfi\.scd\.time:\s*([0-9.]+)")


def ffmpeg_scdet(path: Path, fps: float) -> Result:
    """ffmpeg's scdet filter with its defaults; it logs the time of each scene change."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "info", "-i", str(path),
           "-map", "0:v:0", "-vf", "scdet", "-f", "null", "-"]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    frames = [round(float(m) * fps) for m in _SCD.findall(proc.stderr)]
    return sorted(set(frames)), elapsed


def ffmpeg_decode(path: Path, fps: float) -> Result:
    """The floor: ffmpeg decoding the video stream to nothing."""
    cmd = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(path), "-map", "0:v:0",
           "-f", "null", "-"]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return [], time.perf_counter() - start


FLOOR = "ffmpeg decode (floor)"
DETECTORS: dict[str, Detector] = {
    "segspec": segspec_default,
    "PySceneDetect ContentDetector": _pyscenedetect(_content),
    "PySceneDetect AdaptiveDetector": _pyscenedetect(_adaptive),
    "PySceneDetect HistogramDetector": _pyscenedetect(_histogram),
    "ffmpeg scdet": ffmpeg_scdet,
    FLOOR: ffmpeg_decode,
}
"""The deblocked-decode variant of segspec (`segspec_full_decode`) is left out of the
default run to save time; the earlier measurement is in README.md."""
