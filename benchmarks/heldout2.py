"""A second held-out family: numpy-procedural pictures, transitions and negatives.

Nothing here is shared with the tuning family (`corpus.py`, `tuning_wide.py`) or the first
held-out family (`heldout.py`): no lavfi source and no real footage, no linear or
smoothstep dissolve, no straight, diagonal or iris-growing wipe, no push without blur, no
fade through black or white, no flash, zoom, shake, title or crossing figure.

- **Sources**, drawn in numpy on a canvas twice the picture's size (so the camera can
  travel over it): drifting low-frequency noise textures under a random palette,
  parallax layers (hills and bands moving at different speeds over a sky gradient),
  slowly turning colour gradients with film grain, plasma (sums of sines), and soft
  coloured blobs wandering over a textured ground. Each shot has its own palette and
  its own slow camera drift; every shot carries temporal grain.
- **Transitions**: cut; dissolve by a luma key (the new shot shows through where the old
  one is darkest first) or by a blocky noise pattern; dip through a random colour (not
  black or white); wipes: clock (a hand sweeping round the centre), barn doors (two
  edges opening from the middle), iris out (the old picture left inside a shrinking
  circle) and a vertical push with motion blur. Every gradual transition lasts 2 frames
  to 3 s, log-uniform.
- **Negatives**: a strobe (2-4 bright frames with dark gaps), lightning (a sudden bluish
  brightening that decays over 0.15-0.4 s), fast pans across the canvas without blur
  (0.6-1.2 picture widths per second), a defocus pull (blur rising and falling over
  0.6-1.5 s) and a big dark object entering from a side and staying (covering 30-45% of
  the picture).
- **Files**: one per frame rate, 23.976, 24, 25, 29.97, 30, 50, 59.94 and 60 fps, at
  sizes (360p-1080p) assigned differently from `heldout.py`; composed at 384x216, encoded
  with x264 `faster` at CRF 26 (the other families use `veryfast`, CRF 23).

Seeds 9400-9407, 9600-9607, 9800-9807, 10000-10007, 10200-10207, 10400-10407 and
10600-10607 and 10800-10807 (seen in rounds 3-11, now tuning material) and 12000-12007
(new in round 12; 11000- and up to 11900- belong to family 3).
Ground truth has the same shape as the other parts'.
"""

from __future__ import annotations

import math
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
from building import build_part

from segspec.media.ffmpeg import ffmpeg_exe

CW, CH = 384, 216  # composition size
Frame = np.ndarray
Rng = np.random.Generator

FILES: list[tuple[Fraction, int, int]] = [
    (Fraction(24000, 1001), 1280, 720),
    (Fraction(24), 854, 480),
    (Fraction(25), 1920, 1080),
    (Fraction(30000, 1001), 640, 360),
    (Fraction(30), 1280, 720),
    (Fraction(50), 960, 540),
    (Fraction(60000, 1001), 1920, 1080),
    (Fraction(60), 854, 480),
]
SEED = 9400
KINDS = ("cut", "dissolve", "fade", "wipe")
WEIGHTS = (0.45, 0.2, 0.15, 0.2)
VERSION = 1


def _smooth_noise(rng: Rng, h: int, w: int, cells: int) -> np.ndarray:
    """Low-frequency noise in 0..1: a random grid of `cells` across, bilinearly enlarged."""
    gh, gw = max(2, cells * h // w), cells
    g = rng.random((gh + 1, gw + 1)).astype(np.float32)
    ys = np.linspace(0, gh, h, dtype=np.float32)
    xs = np.linspace(0, gw, w, dtype=np.float32)
    y0 = np.minimum(ys.astype(int), gh - 1)
    x0 = np.minimum(xs.astype(int), gw - 1)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    a, b = g[y0][:, x0], g[y0][:, x0 + 1]
    c, d = g[y0 + 1][:, x0], g[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def _palette(rng: Rng, v: np.ndarray) -> np.ndarray:
    """Map values 0..1 to colours through three random key colours (H x W x 3 floats)."""
    keys = rng.random((3, 3)).astype(np.float32) * 255
    v = np.clip(v, 0, 1)[..., None]
    lo = keys[0] * (1 - 2 * v) + keys[1] * (2 * v)
    hi = keys[1] * (2 - 2 * v) + keys[2] * (2 * v - 1)
    return np.where(v < 0.5, lo, hi)


class Scene:
    """One shot's world: a canvas (or a generator of frames) and a slow camera drift."""

    def __init__(self, rng: Rng, fps: float) -> None:
        self.rng = rng
        self.fps = fps
        self.style = str(rng.choice(["noise", "parallax", "gradient", "plasma", "blobs"]))
        self.grain = float(rng.uniform(3, 9))
        # camera drift in canvas pixels per second
        self.vx, self.vy = (float(v) for v in rng.uniform(-25, 25, 2))
        h2, w2 = 2 * CH, 2 * CW
        if self.style == "noise":
            base = 0.6 * _smooth_noise(rng, h2, w2, int(rng.integers(4, 12)))
            base += 0.4 * _smooth_noise(rng, h2, w2, int(rng.integers(16, 40)))
            self.canvas = _palette(rng, base)
        elif self.style == "parallax":
            self.layers = []
            sky = np.linspace(0, 1, h2, dtype=np.float32)[:, None] * np.ones((1, w2), np.float32)
            self.canvas = _palette(rng, sky * 0.5)
            for depth in range(int(rng.integers(2, 4))):
                ridge = _smooth_noise(rng, 1, w2, int(rng.integers(5, 14)))[0]
                top = (0.35 + 0.18 * depth + 0.25 * ridge) * h2
                colour = rng.random(3).astype(np.float32) * 255
                speed = float(rng.uniform(20, 90)) * (depth + 1) * float(rng.choice([-1, 1]))
                self.layers.append((top, colour, speed))
        elif self.style == "gradient":
            self.c0 = rng.random(3).astype(np.float32) * 255
            self.c1 = rng.random(3).astype(np.float32) * 255
            self.angle = float(rng.uniform(0, 2 * math.pi))
            self.turn = float(rng.uniform(-0.6, 0.6))  # radians per second
        elif self.style == "plasma":
            self.waves = rng.uniform(0.01, 0.05, (3, 2)).astype(np.float32)
            self.speeds = rng.uniform(0.5, 2.5, 3).astype(np.float32)
            self.map_seed = int(rng.integers(1 << 30))
        else:  # blobs over a textured ground
            self.canvas = _palette(rng, 0.3 * _smooth_noise(rng, h2, w2, 20) + 0.2)
            count = int(rng.integers(3, 7))
            self.blobs = [
                (rng.uniform(0, CW), rng.uniform(0, CH), rng.uniform(18, 50),
                 rng.uniform(-80, 80), rng.uniform(-60, 60), rng.random(3) * 255)
                for _ in range(count)
            ]  # fmt: skip
        self.ox = float(rng.uniform(0, CW))
        self.oy = float(rng.uniform(0, CH))

    def frame(self, k: int, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
        """Frame k of the shot (float32 H x W x 3), the camera moved by (dx, dy) pixels."""
        t = k / self.fps
        x = self.ox + self.vx * t + dx
        y = self.oy + self.vy * t + dy
        if self.style in ("noise", "parallax", "blobs"):
            h2, w2 = self.canvas.shape[:2]
            xs = (np.arange(CW) + int(x)) % w2
            ys = (np.arange(CH) + int(y)) % h2
            out = self.canvas[ys][:, xs].copy()
            if self.style == "parallax":
                rows = (np.arange(CH) + int(y)) % h2
                for top, colour, speed in self.layers:
                    shift = int(x + speed * t)
                    tops = top[(np.arange(CW) + shift) % w2]
                    out[rows[:, None] > tops[None, :]] = colour
            elif self.style == "blobs":
                yy, xx = np.mgrid[0:CH, 0:CW].astype(np.float32)
                for bx, by, r, vx, vy, colour in self.blobs:
                    cx = (bx + vx * t - (x - self.ox)) % (CW + 2 * r) - r
                    cy = (by + vy * t - (y - self.oy)) % (CH + 2 * r) - r
                    m = np.clip(1.5 - np.hypot(xx - cx, yy - cy) / r, 0, 1)[..., None]
                    out = out * (1 - m) + colour.astype(np.float32) * m
        elif self.style == "gradient":
            a = self.angle + self.turn * t
            yy, xx = np.mgrid[0:CH, 0:CW].astype(np.float32)
            v = ((xx + x) * math.cos(a) + (yy + y) * math.sin(a)) / (CW + CH)
            v = 0.5 + 0.5 * np.sin(2 * math.pi * v)
            out = self.c0 * (1 - v[..., None]) + self.c1 * v[..., None]
        else:
            yy, xx = np.mgrid[0:CH, 0:CW].astype(np.float32)
            xx, yy = xx + x, yy + y
            v = sum(
                np.sin(xx * fx + yy * fy + s * t * 2)
                for (fx, fy), s in zip(self.waves, self.speeds, strict=True)
            )
            rng = np.random.default_rng(self.map_seed)
            out = _palette(rng, (np.asarray(v) + 3) / 6)
        grain = self.rng.normal(0, self.grain, (CH, CW, 1)).astype(np.float32)
        return out + grain


def _blur(f: np.ndarray, r: int, axis: int | None = None) -> np.ndarray:
    """Box blur of radius r (both axes, or one)."""
    if r <= 0:
        return f
    out = f
    for ax in (0, 1) if axis is None else (axis,):
        c = np.cumsum(np.pad(out, [(r + 1, r) if a == ax else (0, 0) for a in range(3)],
                             mode="edge"), axis=ax)  # fmt: skip
        n = out.shape[ax]
        hi = np.take(c, np.arange(2 * r + 1, 2 * r + 1 + n), axis=ax)
        lo = np.take(c, np.arange(0, n), axis=ax)
        out = (hi - lo) / (2 * r + 1)
    return out


def _negative(
    n: int, lo: int, hi: int, rng: Rng, fps: float
) -> tuple[str, int, int, dict[int, object]] | None:
    """Maybe one hard negative in a shot of n frames whose own frames (outside its
    transitions) are lo..hi-1: (kind, first, last, per-frame edits by shot frame).

    A pan moves the camera over the whole shot and an object that entered stays to its
    end (transitions included), so neither jumps where a transition begins."""
    core = hi - lo
    roll = rng.random()
    edits: dict[int, object] = {}
    if roll < 0.1 and core > 20:  # strobe: 2-4 bright frames with 1-3 frame gaps
        k = int(rng.integers(lo + 4, hi - 14))
        for _ in range(int(rng.integers(2, 5))):
            edits[k] = ("bright", float(rng.uniform(1.8, 2.6)))
            k += 1 + int(rng.integers(1, 4))
        return "strobe", min(edits), max(edits), edits
    if roll < 0.2 and core > fps * 0.5:  # lightning: a sudden bluish light decaying
        k = int(rng.integers(lo + 2, max(lo + 3, hi - int(0.4 * fps))))
        tau = float(rng.uniform(0.05, 0.13)) * fps
        last = min(hi - 1, k + int(3 * tau))
        for j in range(k, last + 1):
            edits[j] = ("light", math.exp(-(j - k) / tau))
        return "lightning", k, last, edits
    if roll < 0.3:  # fast pan, no motion blur
        speed = float(rng.uniform(0.6, 1.2)) * CW * float(rng.choice([-1, 1]))
        for j in range(n):
            edits[j] = ("pan", speed * (j - lo) / fps)
        return "pan", lo, hi - 1, edits
    if roll < 0.4 and core > fps * 0.6:  # defocus pull: blur up and back down
        span = min(core - 2, int(fps * rng.uniform(0.6, 1.5)))
        k = int(rng.integers(lo, hi - span))
        peak = int(rng.integers(4, 10))
        for j in range(span):
            edits[k + j] = ("blur", round(peak * math.sin(math.pi * (j + 0.5) / span)))
        return "defocus", k, k + span - 1, edits
    if roll < 0.5 and core > fps * 0.5:  # a big dark object enters from a side and stays
        span = max(2, int(fps * rng.uniform(0.3, 0.8)))
        k = int(rng.integers(lo, max(lo + 1, hi - span)))
        cover = float(rng.uniform(0.3, 0.45))
        side = int(rng.integers(0, 2))
        for j in range(k, n):
            edits[j] = ("object", cover * min(1.0, (j - k + 1) / span), side)
        return "object", k, min(hi - 1, k + span), edits
    return None


def _apply(f: np.ndarray, edit: object) -> np.ndarray:
    kind, *args = edit  # type: ignore[misc]
    if kind == "bright":
        return f * args[0] + 30
    if kind == "light":
        return f + args[0] * np.array([150, 170, 230], np.float32)
    if kind == "blur":
        return _blur(f, int(args[0]))
    if kind == "object":
        width = int(CW * args[0])
        out = f.copy()
        body = out[:, :width] if args[1] == 0 else out[:, CW - width :]
        body *= 0.15
        body += 18
        return out
    return f


def _to_bytes(f: np.ndarray) -> np.ndarray:
    return np.clip(f + 0.5, 0, 255).astype(np.uint8)


def _shot(scene: Scene, n: int, edits: dict[int, object]) -> list[np.ndarray]:
    """The shot's n frames as uint8 pictures (a shot at 60 fps can hold 500 frames)."""
    frames = []
    for j in range(n):
        e = edits.get(j)
        if isinstance(e, tuple) and e[0] == "pan":
            frames.append(_to_bytes(scene.frame(j, dx=float(e[1]))))
        else:
            f = scene.frame(j)
            frames.append(_to_bytes(_apply(f, e) if e is not None else f))
    return frames


def _luma(f: np.ndarray) -> np.ndarray:
    return (0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]) / 255


def _wipe_mask(style: str, w: float, key: np.ndarray | None) -> np.ndarray:
    """Where the new picture shows at progress w (H x W floats in 0..1, soft-edged)."""
    yy, xx = np.mgrid[0:CH, 0:CW].astype(np.float32)
    if style == "clock":  # a hand sweeping clockwise from 12 o'clock
        ang = (np.arctan2(xx - CW / 2, -(yy - CH / 2)) / (2 * math.pi)) % 1.0
        return np.clip((w * 1.04 - ang) / 0.04, 0, 1)
    if style == "barn":  # two vertical edges opening from the middle
        d = np.abs(xx - CW / 2) / (CW / 2)
        return np.clip((w * 1.05 - d) / 0.05, 0, 1)
    if style == "iris-out":  # the old picture stays inside a shrinking circle
        r = (1 - w) * math.hypot(CW, CH) / 2
        return np.clip((np.hypot(xx - CW / 2, yy - CH / 2) - r) / 6 + 0.5, 0, 1)
    assert key is not None  # luma key or noise pattern: pixels switch as w passes them
    return np.clip((w * 1.1 - key) / 0.1, 0, 1)


def _transition(a: list[np.ndarray], b: list[np.ndarray], kind: str, rng: Rng) -> list[np.ndarray]:
    """The n frames of a transition from the frames a[i] to b[i] (same length)."""
    n = len(a)
    a = [f.astype(np.float32) for f in a]
    b = [f.astype(np.float32) for f in b]
    ws = [(i + 1) / (n + 1) for i in range(n)]
    out = []
    if kind == "dissolve":
        style = str(rng.choice(["luma", "pattern"]))
        if style == "pattern":
            cells = int(rng.integers(8, 40))
            key = np.repeat(np.repeat(rng.random((CH // cells + 1, CW // cells + 1)), cells, 0),
                            cells, 1)[:CH, :CW].astype(np.float32)  # fmt: skip
        else:
            key = _luma(a[n // 2])
            key = (key - key.min()) / max(float(np.ptp(key)), 1e-3)
        for fa, fb, w in zip(a, b, ws, strict=True):
            m = _wipe_mask("key", w, key)[..., None]
            out.append(fa * (1 - m) + fb * m)
        return out
    if kind == "fade":  # dip through a random (mid-bright, coloured) colour
        colour = rng.uniform(40, 215, 3).astype(np.float32)
        for fa, fb, w in zip(a, b, ws, strict=True):
            if w < 0.5:
                out.append(fa * (1 - 2 * w) + colour * (2 * w))
            else:
                out.append(colour * (2 - 2 * w) + fb * (2 * w - 1))
        return out
    style = str(rng.choice(["clock", "barn", "iris-out", "push-blur"]))
    down = bool(rng.random() < 0.5)
    for fa, fb, w in zip(a, b, ws, strict=True):
        if style == "push-blur":  # b pushes a off vertically, blurred along the motion
            off = int(CH * w)
            both = np.concatenate([fb, fa] if down else [fa, fb], axis=0)
            start = CH - off if down else off
            f = both[start : start + CH]
            blur = max(0, int(min(w, 1 - w) * 2 * CH / max(n, 1) / 2))
            out.append(_blur(f, min(blur, 12), axis=0))
        else:
            m = _wipe_mask(style, w, None)[..., None]
            out.append(fa * (1 - m) + fb * m)
    return out


def _encoder(path: Path, fps: Fraction, width: int, height: int) -> subprocess.Popen[bytes]:
    r = f"{fps.numerator}/{fps.denominator}"
    cmd = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-f", "rawvideo",
           "-pix_fmt", "rgb24", "-s", f"{CW}x{CH}", "-r", r, "-i", "-",
           "-f", "lavfi", "-i", "anoisesrc=r=44100:a=0.05", "-map", "0:v", "-map", "1:a",
           "-shortest", "-vf", f"scale={width}:{height}:flags=lanczos,setsar=1",
           "-c:v", "libx264", "-preset", "faster", "-crf", "26", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-b:a", "48k", str(path)]  # fmt: skip
    return subprocess.Popen(cmd, stdin=subprocess.PIPE)


def make_file(
    path: Path, transitions: int, seed: int, fps: Fraction, w: int, h: int
) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    rate = float(fps)
    kinds = [str(k) for k in rng.choice(KINDS, size=transitions, p=WEIGHTS)]
    top = math.log(3.0 * rate)
    lengths = [0 if k == "cut" else round(math.exp(rng.uniform(math.log(2), top))) for k in kinds]
    enc = _encoder(path, fps, w, h)
    assert enc.stdin is not None
    count = 0
    truth: list[dict[str, object]] = []
    negatives: list[dict[str, object]] = []

    def write(frames: list[np.ndarray]) -> None:
        nonlocal count
        for f in frames:
            data = f if f.dtype == np.uint8 else _to_bytes(f)
            enc.stdin.write(np.ascontiguousarray(data).tobytes())  # type: ignore[union-attr]
            count += 1

    pending: list[np.ndarray] = []
    prev = ""
    for i in range(transitions + 1):
        n_in = lengths[i - 1] if i > 0 else 0
        n_out = lengths[i] if i < transitions else 0
        length = round(rng.uniform(1.0, 2.6) * rate) + n_in + n_out
        while True:
            scene = Scene(np.random.default_rng(int(rng.integers(1 << 31))), rate)
            if scene.style != prev or rng.random() < 0.3:
                break
        prev = scene.style
        neg = _negative(length, n_in, length - n_out, rng, rate) if 0 < i < transitions else None
        frames = _shot(scene, length, neg[3] if neg else {})
        if neg is not None:
            base = count + len(pending) - n_in  # where this shot's frame 0 lands
            negatives.append({"kind": neg[0], "first": base + neg[1], "last": base + neg[2]})
        if i == 0:
            pending = frames
            continue
        n = lengths[i - 1]
        kind = kinds[i - 1]
        if n == 0:
            write(pending)
            mid: list[np.ndarray] = []
            rest = frames
        else:
            write(pending[:-n])
            mid = _transition(pending[-n:], frames[:n], kind, rng)
            rest = frames[n:]
        last = count + max(len(mid), 1) - 1
        truth.append({"kind": kind, "first": count, "last": last, "frames": len(mid)})
        write(mid)
        pending = rest
    write(pending)
    enc.stdin.close()
    if enc.wait() != 0:
        raise RuntimeError("held-out (family 2) encoder failed")
    return {"file": path.name, "frames": count, "fps": rate, "size": f"{w}x{h}",
            "transitions": truth, "negatives": negatives}  # fmt: skip


def build(
    out: Path, transitions: int, seed: int = SEED, only: int | None = None
) -> list[dict[str, object]]:
    """Generate (or reuse) this family's files under `out`; return their ground truth."""
    return build_part(out, "proc", FILES, make_file, VERSION, transitions, seed, only)
