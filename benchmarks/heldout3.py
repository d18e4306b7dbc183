"""A third held-out family: rendered scenes, graphics and a handheld camera.

No source is shared with the tuning family (`corpus.py`, `tuning_wide.py`), the first
held-out family (`heldout.py`) or the procedural family (`heldout2.py`): no lavfi source,
no real footage, no low-frequency grid noise, plasma, gradient, parallax or blob picture.
The kinds of transition and negative are the ones issue 11 names, so some recur, but
none is drawn the way the others draw it: no linear, smoothstep, luma-key or pattern
dissolve; no linear fade; no straight hard-edged, diagonal, iris, clock or barn-door
wipe; pushes only eased (elsewhere linear: horizontal without blur, vertical with); and
flashes, pans, zooms, shake, titles and figures of other shapes and motions.

- **Sources**, rendered in numpy per frame through a handheld camera (roll, drift and a
  rolling jitter on every shot, a slow breathing of the exposure): a perspective
  checkered floor under a sky with a sun, the camera travelling forward (3D-ish); a
  demo-style tunnel (polar texture, dark vanishing point); high-contrast two-colour
  geometry (rotating checkerboard, expanding rings, a pinwheel, a thresholded moire);
  slides (header bar, lines of glyph-like text, a bar chart) filmed slightly off-axis;
  natural-looking terrain (1/f spectral noise, hill-shaded, earth, desert, foliage,
  rock or cloud palettes).
- **Transitions**: cut 40% (a third of them between two shots of the same scene, with
  the same palette, from another viewpoint); dissolve 20% with non-linear curves (gamma,
  sine-in, sine-out, logistic; or a mix in linear light, or a non-additive dissolve that
  dims in the middle); fade through black or white 15% with separate gamma curves for
  the way out and the way in, an uneven split and a 0-5 frame hold; wipe 25%: a
  soft-edged wipe at any angle, a wipe with a motion-blurred edge, venetian blinds, a
  push and a parallax push (both pictures moving, eased, motion-blurred, in any of four
  directions). Durations: a quarter 2-3 frames, a quarter 4 frames-0.5 s, a quarter
  0.5-2 s and a quarter 2-3 s.
- **Negatives**: a camera flash (a frame of overexposure decaying over 1-3 frames,
  over the whole picture or as a local burst, sometimes twice), a whip pan or tilt
  with motion blur (1.5-3 picture widths), a zoom in with a roll (2-3.5x), a strong
  handheld shake with roll, and a lighting change (the exposure and colour temperature
  shifting and staying), each over 0.3-1.2 s; a title (a band and large glyph text)
  fading in over 0.3-1 s and sometimes out again, and a walking figure (head, body,
  swinging limbs; 0.55-1.3 picture heights, crossing in 0.5-1.8 s). Negatives keep 3
  frames clear of every transition.
- **Files**: one per frame rate, 23.976, 24, 25, 29.97, 30, 50, 59.94 and 60 fps, at
  sizes (360p-1080p) assigned differently from the other families; composed at 512x288,
  scaled with a spline filter and encoded with x264 `medium` CRF 20 with a fixed
  2-second GOP, no scene-cut keyframes and up to 5 B-frames (the others: `veryfast`
  CRF 23 or `faster` CRF 26, scene-cut keyframes).

Seeds 11000-11007 (run in round 6) and 11100-11107 (run in round 7), now tuning material;
11200-11207 (new in round 8).
Ground truth has the same shape as the other parts' (each transition's kind and inclusive
frame span, a `style`; the hard negatives).
"""

from __future__ import annotations

import math
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from building import build_part

from segspec.media.ffmpeg import ffmpeg_exe

CW, CH = 512, 288  # composition size
Arr = Any  # numpy arrays (the benchmarks are not type-checked against numpy's stubs)
Rng = np.random.Generator

FILES: list[tuple[Fraction, int, int]] = [
    (Fraction(24000, 1001), 960, 540),
    (Fraction(24), 640, 360),
    (Fraction(25), 960, 540),
    (Fraction(30000, 1001), 1920, 1080),
    (Fraction(30), 854, 480),
    (Fraction(50), 854, 480),
    (Fraction(60000, 1001), 1280, 720),
    (Fraction(60), 640, 360),
]
SEED = 11000
KINDS = ("cut", "dissolve", "fade", "wipe")
WEIGHTS = (0.4, 0.2, 0.15, 0.25)
VERSION = 1
DELTA = 0.03  # every transition frame is at least 3% of the way from one picture to the other

YY, XX = np.mgrid[0:CH, 0:CW].astype(np.float32)
X0, Y0 = XX - CW / 2, YY - CH / 2


def _colour(rng: Rng, lo: float = 0, hi: float = 255) -> Arr:
    return rng.uniform(lo, hi, 3).astype(np.float32)


# ---------------------------------------------------------------- glyph text


def _font(rng: Rng) -> Arr:
    """24 glyphs of 7x5 cells, each the union of 2-4 strokes."""
    strokes = np.zeros((8, 7, 5), bool)
    strokes[0, :, 0] = strokes[1, :, 4] = strokes[2, :, 2] = True
    strokes[3, 0, :] = strokes[4, 3, :] = strokes[5, 6, :] = True
    for i in range(5):
        strokes[6, min(6, round(i * 1.5)), i] = strokes[7, min(6, round(i * 1.5)), 4 - i] = True
    font = np.zeros((24, 7, 5), bool)
    for g in range(24):
        for s in rng.choice(8, int(rng.integers(2, 5)), replace=False):
            font[g] |= strokes[s]
    return font


def _text(rng: Rng, font: Arr, width: int, scale: int) -> Arr:
    """A line of glyph 'words' at most `width` pixels wide (bool mask, 7*scale high)."""
    cols: list[Arr] = []
    used = 0
    while True:
        word = [font[int(g)] for g in rng.integers(0, len(font), int(rng.integers(2, 8)))]
        w = (len(word) * 6 + 3) * scale
        if used + w > width:
            break
        for g in word:
            cols += [g, np.zeros((7, 1), bool)]
        cols.append(np.zeros((7, 3), bool))
        used += w
    if not cols:
        return np.zeros((7 * scale, 1), bool)
    line = np.concatenate(cols, axis=1)
    return np.repeat(np.repeat(line, scale, 0), scale, 1)


def _paste(mask: Arr, part: Arr, y: int, x: int) -> None:
    h = min(part.shape[0], mask.shape[0] - y)
    w = min(part.shape[1], mask.shape[1] - x)
    if h > 0 and w > 0:
        mask[y : y + h, x : x + w] |= part[:h, :w]


# ---------------------------------------------------------------- sources


def _sample(canvas: Arr, u: Arr, v: Arr, wrap: bool) -> Arr:
    """Bilinear sample of canvas (H x W x 3) at float pixel coordinates (u, v)."""
    h, w = canvas.shape[:2]
    x0f, y0f = np.floor(u), np.floor(v)
    fx, fy = (u - x0f)[..., None], (v - y0f)[..., None]
    x0, y0 = x0f.astype(np.int32), y0f.astype(np.int32)
    if wrap:
        x0 %= w
        y0 %= h
        x1, y1 = x0 + 1, y0 + 1
        x1[x1 == w] = 0
        y1[y1 == h] = 0
    else:
        x1, y1 = np.clip(x0 + 1, 0, w - 1), np.clip(y0 + 1, 0, h - 1)
        x0, y0 = np.clip(x0, 0, w - 1), np.clip(y0, 0, h - 1)
    y0 *= w
    y1 *= w
    flat = canvas.reshape(-1, 3)
    a, b = np.take(flat, y0 + x0, axis=0), np.take(flat, y0 + x1, axis=0)
    top = a + (b - a) * fx
    c, d = np.take(flat, y1 + x0, axis=0), np.take(flat, y1 + x1, axis=0)
    bottom = c + (d - c) * fx
    return top + (bottom - top) * fy


class Source:
    kind = ""
    zoom = 1.0  # the camera's base zoom
    pannable = True

    def render(self, u: Arr, v: Arr, t: float) -> Arr:
        raise NotImplementedError

    def sibling(self, rng: Rng) -> Source:
        """The same scene and palette seen from elsewhere (for cuts between similar shots)."""
        raise NotImplementedError


class Floor(Source):
    """A checkered floor in perspective under a sky with a sun; the camera travels."""

    kind = "floor"

    def __init__(self, rng: Rng, like: Floor | None = None) -> None:
        if like is None:
            self.c0, self.c1 = _colour(rng, 0, 110), _colour(rng, 140, 255)
            self.sky_top, self.sky_low = _colour(rng, 20, 160), _colour(rng, 150, 255)
            self.sun = _colour(rng, 230, 255)
        else:
            self.c0, self.c1, self.sky_top, self.sky_low, self.sun = (
                like.c0, like.c1, like.sky_top, like.sky_low, like.sun)  # fmt: skip
        self.hz = float(rng.uniform(-60, 20))  # horizon row (centred coordinates)
        self.cam_h = float(rng.uniform(0.8, 2.5))
        self.f = CW * float(rng.uniform(0.6, 1.0))
        self.tile = float(rng.uniform(0.6, 2.2))
        self.speed = float(rng.uniform(1, 5)) * float(rng.choice([-1, 1]))
        self.strafe = float(rng.uniform(-1, 1))
        self.fog = float(rng.uniform(8, 25))
        self.x0, self.z0 = (float(x) for x in rng.uniform(0, 100, 2))
        self.sun_at = (float(rng.uniform(-CW / 2, CW / 2)), self.hz - float(rng.uniform(20, 80)))
        self.sun_r = float(rng.uniform(10, 30))

    def render(self, u: Arr, v: Arr, t: float) -> Arr:
        dv = v - self.hz
        z = self.cam_h * self.f / np.maximum(dv, 0.5)
        x = u * z / self.f + self.x0 + self.strafe * t
        depth = z + self.z0 + self.speed * t
        k = ((np.floor(x / self.tile) + np.floor(depth / self.tile)) % 2)[..., None]
        fog = np.exp(-z / self.fog)[..., None]
        floor = (self.c0 * (1 - k) + self.c1 * k) * fog + self.sky_low * (1 - fog)
        w = np.clip(-dv / CH * 2, 0, 1)[..., None]
        sky = self.sky_low * (1 - w) + self.sky_top * w
        sun = np.hypot(u - self.sun_at[0], v - self.sun_at[1]) < self.sun_r
        sky = np.where(sun[..., None], self.sun, sky)
        return np.where((dv > 0.5)[..., None], floor, sky)

    def sibling(self, rng: Rng) -> Source:
        return Floor(rng, self)


class Tunnel(Source):
    """A demo-style tunnel: a polar two-colour texture rushing towards a dark centre."""

    kind = "tunnel"

    def __init__(self, rng: Rng, like: Tunnel | None = None) -> None:
        if like is None:
            self.c0, self.c1 = _colour(rng, 0, 90), _colour(rng, 150, 255)
        else:
            self.c0, self.c1 = like.c0, like.c1
        self.nseg = int(rng.integers(6, 17))
        self.rings = float(rng.uniform(0.8, 3))
        self.speed = float(rng.uniform(0.5, 2.5))
        self.twist = float(rng.uniform(-0.6, 0.6))
        self.spin = float(rng.uniform(-0.8, 0.8))
        self.radius = float(rng.uniform(40, 90))
        self.cx, self.cy = float(rng.uniform(-60, 60)), float(rng.uniform(-30, 30))

    def render(self, u: Arr, v: Arr, t: float) -> Arr:
        du, dv = u - self.cx - 20 * math.sin(0.7 * t), v - self.cy - 12 * math.cos(0.5 * t)
        r = np.hypot(du, dv) + 1.0
        a = np.arctan2(dv, du) + self.spin * t
        depth = self.radius / r + self.speed * t
        k = ((np.floor(a / (2 * math.pi) * self.nseg + self.twist * depth)
              + np.floor(depth * self.rings)) % 2)[..., None]  # fmt: skip
        shade = np.clip(r / (0.45 * CW), 0.04, 1.0)[..., None]
        return (self.c0 * (1 - k) + self.c1 * k) * shade

    def sibling(self, rng: Rng) -> Source:
        return Tunnel(rng, self)


class Pattern(Source):
    """High-contrast two-colour geometry, turning and moving."""

    kind = "pattern"
    STYLES = ("checker", "rings", "pinwheel", "moire")

    def __init__(self, rng: Rng, like: Pattern | None = None) -> None:
        if like is None:
            self.dark, self.light = _colour(rng, 0, 60), _colour(rng, 190, 255)
            self.style = str(rng.choice(self.STYLES))
        else:
            self.dark, self.light = like.dark, like.light
            self.style = str(rng.choice([s for s in self.STYLES if s != like.style]))
        self.scale = float(rng.uniform(14, 60))
        self.phi = float(rng.uniform(0, 2 * math.pi))
        self.omega = float(rng.uniform(-0.7, 0.7))
        self.speed = float(rng.uniform(-2, 2))
        self.count = int(rng.integers(6, 20))
        self.beta = float(rng.uniform(0.05, 0.2))

    def render(self, u: Arr, v: Arr, t: float) -> Arr:
        a = self.phi + self.omega * t
        x = math.cos(a) * u - math.sin(a) * v
        y = math.sin(a) * u + math.cos(a) * v
        s = self.scale
        if self.style == "checker":
            k = (np.floor(x / s) + np.floor(y / s)) % 2
        elif self.style == "rings":
            k = np.floor(np.hypot(u, v) / s - self.speed * t) % 2
        elif self.style == "pinwheel":
            ang = np.arctan2(y, x) + np.hypot(u, v) / (8 * s)
            k = np.floor(ang / (2 * math.pi) * self.count) % 2
        else:
            b = self.beta
            g1 = np.sin(x / s * 2) > 0
            g2 = np.sin((x * math.cos(b) + y * math.sin(b)) / (s * 1.08) * 2 + t) > 0
            k = (g1 ^ g2).astype(np.float32)
        k = k[..., None]
        return self.dark * (1 - k) + self.light * k

    def sibling(self, rng: Rng) -> Source:
        return Pattern(rng, self)


class Slide(Source):
    """A presentation slide (header, glyph text, a bar chart) filmed slightly off-axis."""

    kind = "slide"
    zoom = 1.08
    pannable = False

    def __init__(self, rng: Rng, like: Slide | None = None) -> None:
        if like is None:
            self.bg0, self.bg1 = _colour(rng, 150, 255), _colour(rng, 110, 230)
            self.accent, self.ink = _colour(rng, 0, 200), _colour(rng, 0, 70)
            self.bars = [_colour(rng, 20, 235) for _ in range(3)]
            self.font = _font(rng)
        else:
            self.bg0, self.bg1, self.accent, self.ink = like.bg0, like.bg1, like.accent, like.ink
            self.bars, self.font = like.bars, like.font
        ramp = np.linspace(0, 1, CH, dtype=np.float32)[:, None, None]
        canvas = self.bg0 * (1 - ramp) + self.bg1 * ramp * np.ones((1, CW, 1), np.float32)
        top = int(CH * rng.uniform(0.12, 0.2))
        canvas[:top] = self.accent
        title = np.zeros((CH, CW), bool)
        _paste(title, _text(rng, self.font, int(CW * 0.7), 3), (top - 21) // 2, 16)
        canvas[title] = 255
        body = np.zeros((CH, CW), bool)
        chart = bool(rng.random() < 0.7)
        width = int(CW * (0.5 if chart else 0.85))
        y = top + 14
        scale = int(rng.integers(1, 3))
        while y + 7 * scale < CH - 14:
            _paste(body, _text(rng, self.font, width - int(rng.integers(0, width // 3)), scale),
                   y, 20)  # fmt: skip
            y += 7 * scale + int(rng.integers(5, 12))
        canvas[body] = self.ink
        if chart:
            x0, x1, base = int(CW * 0.6), int(CW * 0.95), CH - 24
            count = int(rng.integers(4, 8))
            step = (x1 - x0) // count
            for i in range(count):
                h = int(rng.uniform(0.15, 0.7) * CH)
                canvas[base - h : base, x0 + i * step + 3 : x0 + (i + 1) * step - 3] = (
                    self.bars[i % 3])  # fmt: skip
            canvas[base : base + 2, x0 - 4 : x1] = self.ink
        self.canvas = canvas

    def render(self, u: Arr, v: Arr, t: float) -> Arr:
        return _sample(self.canvas, u + CW / 2, v + CH / 2, wrap=False)

    def sibling(self, rng: Rng) -> Source:
        return Slide(rng, self)


PALETTES = {  # height stops and colours of natural-looking terrain
    "earth": ([0, 0.3, 0.34, 0.45, 0.7, 0.85, 1],
              [(20, 40, 110), (40, 90, 170), (200, 190, 140), (70, 140, 60), (40, 90, 40),
               (120, 110, 100), (245, 245, 250)]),
    "desert": ([0, 0.4, 0.7, 1], [(90, 50, 30), (180, 120, 60), (220, 180, 120), (245, 225, 180)]),
    "foliage": ([0, 0.35, 0.7, 1], [(10, 40, 10), (40, 110, 30), (120, 160, 40), (190, 200, 90)]),
    "rock": ([0, 0.5, 1], [(40, 38, 36), (120, 110, 100), (210, 205, 195)]),
    "clouds": ([0, 0.45, 0.7, 1],
               [(60, 110, 200), (110, 160, 230), (220, 230, 245), (255, 255, 255)]),
}  # fmt: skip


class Terrain(Source):
    """Natural-looking terrain: 1/f spectral noise, hill-shaded, under a natural palette."""

    kind = "terrain"
    SIZE = 768

    def __init__(self, rng: Rng, like: Terrain | None = None) -> None:
        n = self.SIZE
        if like is None:
            fy = np.fft.fftfreq(n)[:, None]
            fx = np.fft.rfftfreq(n)[None, :]
            f = np.hypot(fx, fy)
            f[0, 0] = 1.0
            beta = float(rng.uniform(2.4, 3.3))
            spec = (rng.normal(size=f.shape) + 1j * rng.normal(size=f.shape)) / f ** (beta / 2)
            spec[0, 0] = 0
            h = np.fft.irfft2(spec, s=(n, n))
            h = (h - h.min()) / max(float(np.ptp(h)), 1e-9)
            name = str(rng.choice(list(PALETTES)))
            stops, colours = PALETTES[name]
            rgb = np.stack([np.interp(h, stops, [c[i] for c in colours]) for i in range(3)], -1)
            if name != "clouds":
                gy, gx = np.gradient(h * float(rng.uniform(60, 200)))
                light = np.array(
                    [math.cos(rng.uniform(0, 6.3)), math.sin(rng.uniform(0, 6.3)), 1.0]
                )
                light /= np.linalg.norm(light)
                shade = (-gx * light[0] - gy * light[1] + light[2]) / np.sqrt(gx**2 + gy**2 + 1)
                rgb = rgb * (0.3 + 0.8 * np.clip(shade, 0, 1))[..., None]
            self.canvas = rgb.astype(np.float32)
            self.ox, self.oy = (float(x) for x in rng.uniform(0, n, 2))
            self.turn = 0.0
        else:
            self.canvas = like.canvas
            self.ox = (like.ox + n * float(rng.uniform(0.3, 0.7))) % n
            self.oy = (like.oy + n * float(rng.uniform(0.3, 0.7))) % n
            self.turn = like.turn + float(rng.uniform(0.35, 1.0)) * float(rng.choice([-1, 1]))
        self.scale = float(rng.uniform(0.6, 1.6))

    def render(self, u: Arr, v: Arr, t: float) -> Arr:
        c, s = math.cos(self.turn), math.sin(self.turn)
        x = (c * u - s * v) * self.scale + self.ox
        y = (s * u + c * v) * self.scale + self.oy
        return _sample(self.canvas, x, y, wrap=True)

    def sibling(self, rng: Rng) -> Source:
        return Terrain(rng, self)


SOURCES: dict[str, type[Source]] = {c.kind: c for c in (Floor, Tunnel, Pattern, Slide, Terrain)}
SOURCE_WEIGHTS = {"floor": 0.2, "tunnel": 0.15, "pattern": 0.2, "slide": 0.15, "terrain": 0.3}


# ---------------------------------------------------------------- shots and negatives


def _box(f: Arr, r: int, axis: int) -> Arr:
    """Box blur of radius r along one axis (motion blur of a straight move)."""
    if r < 1:
        return f
    pad = [(r + 1, r) if a == axis else (0, 0) for a in range(3)]
    c = np.cumsum(np.pad(f, pad, mode="edge"), axis=axis)
    n = f.shape[axis]
    hi = np.take(c, np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis)
    return (hi - np.take(c, np.arange(0, n), axis=axis)) / (2 * r + 1)


def _ease(p: Arr | float) -> Arr:
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(p, 0, 1))


def _capsule(px: Arr, py: Arr, a: tuple[float, float], b: tuple[float, float], r: float) -> Arr:
    """Pixels within r of the segment a-b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    s = np.clip(((px - a[0]) * dx + (py - a[1]) * dy) / max(dx * dx + dy * dy, 1e-6), 0, 1)
    return np.hypot(px - a[0] - s * dx, py - a[1] - s * dy) <= r


class Shot:
    """One shot: a source seen through a handheld camera, with per-frame effects."""

    def __init__(self, src: Source, n: int, fps: float, rng: Rng) -> None:
        self.src, self.n, self.fps = src, n, fps
        t = np.arange(n) / fps
        self.t = t

        def wobble(amp: float, lo: float, hi: float) -> Arr:
            out = np.zeros(n)
            for _ in range(3):
                out += amp / 3 * np.sin(2 * np.pi * rng.uniform(lo, hi) * t + rng.uniform(0, 6.3))
            return out

        vx, vy = rng.uniform(-30, 30), rng.uniform(-15, 15)
        self.tx = vx * t + wobble(float(rng.uniform(1, 5)), 0.3, 2.5)
        self.ty = vy * t + wobble(float(rng.uniform(1, 4)), 0.3, 2.5)
        self.rot = np.radians(
            float(rng.uniform(-2, 2)) + wobble(float(rng.uniform(0.3, 1.5)), 0.2, 1.2)
        )
        self.zoom = np.full(n, src.zoom)
        self.blur = np.zeros(n, int)
        self.blur_axis = 1
        self.gain = (1 + wobble(0.04, 0.1, 0.5))[:, None] * np.ones((1, 3))
        self.flash = np.zeros(n)
        self.flash_mask: Arr | None = None
        self.title: tuple[Arr, Arr, Arr, Arr, Arr] | None = None  # alpha, band, ink, colours
        self.figure: dict[str, Any] | None = None

    def frame(self, j: int) -> Arr:
        c, s, z = math.cos(self.rot[j]), math.sin(self.rot[j]), float(self.zoom[j])
        u = (c / z) * X0 - (s / z) * Y0 + float(self.tx[j])  # float32 all through
        v = (s / z) * X0 + (c / z) * Y0 + float(self.ty[j])
        f = self.src.render(u, v, float(self.t[j])).astype(np.float32)
        f = _box(f, int(self.blur[j]), self.blur_axis)
        f = f * self.gain[j].astype(np.float32)
        if self.flash[j] > 0:
            q = self.flash[j] * (1.0 if self.flash_mask is None else self.flash_mask)
            f = f * (1 + 1.5 * q) + 90 * q * np.array([1.0, 0.97, 0.9], np.float32)
        if self.figure is not None:
            f = self._figure(f, j)
        if self.title is not None and self.title[0][j] > 0:
            alpha, band, ink, band_c, ink_c = self.title
            a = float(alpha[j])
            f = f * (1 - 0.6 * a * band) + band_c * (0.6 * a * band)
            f = f * (1 - a * ink) + ink_c * (a * ink)
        return np.clip(f, 0, 255)  # what the camera recorded: transitions mix these

    def _figure(self, f: Arr, j: int) -> Arr:
        fig = self.figure
        assert fig is not None
        k = j - fig["first"]
        if not 0 <= k < len(fig["x"]):
            return f
        h, x, foot = fig["h"], fig["x"][k], fig["foot"]
        w = 0.45 * h
        a, b = max(int(x - w), 0), min(int(x + w), CW)
        top = max(int(foot - h), 0)
        if b <= a or top >= CH:
            return f
        py, px = YY[top:, a:b], XX[top:, a:b]
        stride = math.sin(fig["phase"] + 2 * math.pi * fig["steps"] * k / len(fig["x"]))
        swing, bob = 0.45 * stride, 0.02 * h * abs(stride)
        hip = (x, foot - 0.48 * h - bob)
        neck = (x, foot - 0.82 * h - bob)
        limb = 0.055 * h
        legs = np.zeros(py.shape, bool)
        for sgn in (1, -1):
            knee = (hip[0] + sgn * 0.5 * math.sin(swing) * 0.25 * h, hip[1] + 0.25 * h)
            legs |= _capsule(px, py, hip, knee, limb)
            legs |= _capsule(px, py, knee, (knee[0] + sgn * 0.12 * h * math.sin(swing), foot), limb)
        body = _capsule(px, py, neck, hip, 0.11 * h)
        for sgn in (1, -1):
            elbow = (neck[0] - sgn * 0.15 * h * math.sin(swing), neck[1] + 0.2 * h)
            body |= _capsule(px, py, (neck[0], neck[1] + 0.03 * h), elbow, 0.04 * h)
            body |= _capsule(px, py, elbow, (elbow[0] - sgn * 0.06 * h * math.sin(swing),
                                             elbow[1] + 0.17 * h), 0.035 * h)  # fmt: skip
        head = np.hypot(px - x, py - (neck[1] - 0.08 * h)) <= 0.075 * h
        region = f[top:, a:b]
        region[legs] = fig["legs"]
        region[body] = fig["body"]
        region[head] = fig["skin"]
        return f


def _negative(shot: Shot, lo: int, hi: int, rng: Rng) -> list[tuple[str, int, int]]:
    """Maybe put one hard negative into the shot's own frames lo..hi-1 (those outside its
    transitions); returns [(kind, first, last)] in shot frames. A zoom, a lighting change
    and a title stay to the shot's end (its outgoing transition included), so none of them
    jumps where the transition begins."""
    fps, n = shot.fps, shot.n
    lo, hi = lo + 3, hi - 3  # keep clear of the transitions by 3 frames
    core = hi - lo
    kinds = ["flash", "pan", "zoom", "shake", "title", "figure", "lighting"]
    weights = [0.16, 0.15, 0.14, 0.14, 0.14, 0.16, 0.11]
    if rng.random() > 0.65:
        return []
    kind = str(rng.choice(kinds, p=weights))
    if kind == "pan" and not shot.src.pannable:
        kind = "shake"
    if kind == "flash":  # a frame of overexposure decaying over 1-3 frames, maybe twice
        out = []
        k = int(rng.integers(lo + 2, hi - 8))
        strength = float(rng.uniform(0.6, 1.6))
        if rng.random() < 0.4:  # a local burst
            cx, cy = rng.uniform(0.15, 0.85) * CW, rng.uniform(0.15, 0.85) * CH
            r = float(rng.uniform(0.2, 0.45)) * CW
            shot.flash_mask = np.exp(-((XX - cx) ** 2 + (YY - cy) ** 2) / (r * r))[..., None]
        for _ in range(2 if rng.random() < 0.35 else 1):
            m = int(rng.integers(1, 4))
            for i in range(m):
                shot.flash[k + i] = strength * 0.35**i
            out.append(("flash", k, k + m - 1))
            k += m + int(rng.integers(2, 5))
            if k + 3 >= hi:
                break
        return out
    span = max(3, min(core - 1, round(fps * float(rng.uniform(0.3, 1.2)))))
    k = int(rng.integers(lo, hi - span + 1))
    p = np.clip((np.arange(n) - k + 1) / span, 0, 1)  # 0 before, 1 from its last frame on
    if kind == "pan":  # a whip pan (or tilt) with motion blur
        axis = 1 if rng.random() < 0.7 else 0
        size = CW if axis == 1 else CH
        off = float(rng.uniform(1.5, 3.0)) * size * float(rng.choice([-1, 1])) * _ease(p)
        (shot.tx if axis == 1 else shot.ty)[:] += off
        step = np.abs(np.diff(off, prepend=0.0)) * shot.zoom
        shot.blur = np.minimum(40, np.round(step * 0.25)).astype(int)
        shot.blur_axis = 1 if axis == 1 else 0  # frames are H x W x 3: x is axis 1
        return [("pan", k, k + span - 1)]
    if kind == "zoom":  # a zoom in with a roll
        e = _ease(p)
        shot.zoom = shot.zoom * float(rng.uniform(2.0, 3.5)) ** e
        shot.rot = shot.rot + math.radians(float(rng.uniform(-25, 25))) * e
        return [("zoom", k, k + span - 1)]
    if kind == "shake":  # strong handheld shake with roll
        idx = np.arange(n)
        env = np.clip(np.minimum(idx - k + 1, k + span - idx) / max(2, span // 4), 0, 1)
        t = shot.t
        for arr, amp in ((shot.tx, 0.06 * CW), (shot.ty, 0.05 * CH)):
            noise = sum(np.sin(2 * np.pi * rng.uniform(3, 9) * t + rng.uniform(0, 6.3))
                        for _ in range(3)) / 3 + 0.4 * rng.uniform(-1, 1, n)  # fmt: skip
            arr += float(rng.uniform(0.5, 1.0)) * amp * env * noise
        roll = np.sin(2 * np.pi * rng.uniform(2, 6) * t) + 0.3 * rng.uniform(-1, 1, n)
        shot.rot = shot.rot + math.radians(float(rng.uniform(2, 5))) * env * roll
        return [("shake", k, k + span - 1)]
    if kind == "lighting":  # exposure and colour temperature shift and stay
        g = float(rng.uniform(0.45, 0.7)) if rng.random() < 0.5 else float(rng.uniform(1.35, 1.7))
        tint = np.array([1.1, 1.0, 0.85]) if rng.random() < 0.5 else np.array([0.88, 1.0, 1.12])
        e = _ease(p)[:, None]
        shot.gain = shot.gain * (1 + (g * tint - 1) * e)
        return [("lighting", k, k + span - 1)]
    if kind == "title":  # a band and glyph text fade in (and maybe out again)
        span = max(2, min(core - 1, round(fps * float(rng.uniform(0.3, 1.0)))))
        k = int(rng.integers(lo, hi - span + 1))
        gamma = float(rng.uniform(0.5, 2.0))
        alpha = np.clip((np.arange(n) - k + 1) / span, 0, 1) ** gamma
        out = [("title", k, k + span - 1)]
        back = k + span + round(0.4 * fps)
        if rng.random() < 0.35 and hi - back > span + 1:
            k2 = int(rng.integers(back, hi - span))
            alpha = alpha * (1 - np.clip((np.arange(n) - k2 + 1) / span, 0, 1) ** gamma)
            out.append(("title", k2, k2 + span - 1))
        scale = int(rng.integers(4, 7))
        y0 = int(CH * float(rng.choice([0.12, 0.42, 0.66])))
        band = np.zeros((CH, CW), np.float32)
        band[y0 - 8 : y0 + 7 * scale + 8] = 1
        ink = np.zeros((CH, CW), bool)
        _paste(ink, _text(rng, _font(rng), int(CW * 0.8), scale), y0, int(CW * 0.1))
        ink_f = ink.astype(np.float32)
        shot.title = (alpha, band[..., None], ink_f[..., None], _colour(rng, 0, 80),
                      _colour(rng, 200, 255))  # fmt: skip
        return out
    # figure: a person walks across, near or far
    h = float(rng.uniform(0.55, 1.3)) * CH
    span = max(4, min(core, round(fps * float(rng.uniform(0.5, 1.8)))))
    k = int(rng.integers(lo, hi - span + 1))
    start, end = -0.1 * h, CW + 0.1 * h  # the body (0.11 h wide each side) just shows
    if rng.random() < 0.5:
        start, end = end, start
    xs = start + (end - start) * (np.arange(span) + 0.5) / span
    shot.figure = {"first": k, "x": xs, "h": h, "foot": CH * float(rng.uniform(0.88, 1.15)),
                   "steps": float(rng.uniform(1, 3)) * span / fps,
                   "phase": float(rng.uniform(0, 6)), "legs": _colour(rng, 10, 90),
                   "body": _colour(rng, 30, 250),
                   "skin": np.array([205, 160, 130], np.float32) * float(rng.uniform(0.5, 1.1)),
                   }  # fmt: skip
    return [("figure", k, k + span - 1)]


# ---------------------------------------------------------------- transitions

CURVES = ("gamma", "sine-in", "sine-out", "logistic")


def _curve(name: str, g: float, w: float) -> float:
    """Progress at w in (0, 1) along a named curve, kept within DELTA..1-DELTA."""
    if name == "gamma":
        e = w**g
    elif name == "sine-in":
        e = 1 - math.cos(math.pi * w / 2)
    elif name == "sine-out":
        e = math.sin(math.pi * w / 2)
    elif name == "logistic":
        lo, hi = 1 / (1 + math.exp(g / 2)), 1 / (1 + math.exp(-g / 2))
        e = (1 / (1 + math.exp(-g * (w - 0.5))) - lo) / (hi - lo)
    else:
        e = w  # linear: the fades' gamma curve at g = 1 only
    return DELTA + (1 - 2 * DELTA) * e


def _pick_curve(rng: Rng) -> tuple[str, float]:
    name = str(rng.choice(CURVES))
    if name == "gamma":
        return name, float(rng.choice([rng.uniform(0.4, 0.7), rng.uniform(1.6, 2.6)]))
    return name, float(rng.uniform(5, 8))


def _plan(kind: str, n: int, rng: Rng) -> dict[str, Any]:
    """The shape of one transition of n frames."""
    curve, g = _pick_curve(rng)
    plan: dict[str, Any] = {"kind": kind, "n": n, "curve": curve, "g": g}
    if kind == "dissolve":
        plan["style"] = str(rng.choice([curve, curve, "linear-light", "nonadditive"]))
    elif kind == "fade":
        hold = int(rng.integers(0, 6)) if n >= 8 else 0
        rest = n - hold
        out = int(np.clip(round(rest * rng.uniform(0.25, 0.75)), 1, rest - 1))
        plan.update(style="black" if rng.random() < 0.5 else "white", hold=hold, out=out,
                    g_out=float(rng.uniform(0.35, 3.0)),
                    g_in=float(rng.uniform(0.35, 3.0)))  # fmt: skip
    elif kind == "wipe":
        style = str(rng.choice(["soft", "blurred-edge", "blinds", "push", "parallax-push"]))
        plan["style"] = style
        if style in ("soft", "blurred-edge", "blinds"):
            th = float(rng.uniform(0, 2 * math.pi))
            if style == "blinds":
                th = float(rng.choice([0, math.pi / 2, math.pi, 3 * math.pi / 2]))
            proj = X0 * math.cos(th) + Y0 * math.sin(th)
            extent = float(proj.max() - proj.min())
            if style == "blinds":
                period = extent / int(rng.integers(6, 15))
                d = (proj - proj.min()) % period
                plan["d"] = d / d.max()  # 0..1 inside each slat, both ends reached
                plan["feather"] = 0.12
            else:
                plan["d"] = (proj - proj.min()) / extent
                plan["feather"] = (float(rng.uniform(0.1, 0.3)) if style == "soft"
                                   else min(0.5, max(4 / extent, 1.0 / n)))  # fmt: skip
        else:
            plan["axis"] = int(rng.integers(0, 2))
            plan["rev"] = bool(rng.random() < 0.5)
            plan["a_speed"] = 1.0 if style == "push" else float(rng.uniform(0.3, 0.6))
    return plan


def _progress(plan: dict[str, Any], i: int) -> float:
    return _curve(plan["curve"], plan["g"], (i + 1) / (plan["n"] + 1))


def _push(fa: Arr, fb: Arr, off: int, plan: dict[str, Any]) -> Arr:
    """b comes in from one edge; a moves out (all of the way, or slower under b)."""
    axis, rev = plan["axis"], plan["rev"]
    if rev:
        fa, fb = np.flip(fa, axis), np.flip(fb, axis)
    size = fa.shape[axis]
    offa = min(off, round(off * plan["a_speed"]))
    keep = size - off
    out = np.concatenate([np.take(fa, np.arange(offa, offa + keep), axis=axis),
                          np.take(fb, np.arange(0, off), axis=axis)], axis=axis)  # fmt: skip
    return np.flip(out, axis) if rev else out


def _mix(fa: Arr, fb: Arr, i: int, plan: dict[str, Any]) -> Arr:
    """Frame i of the transition from frame fa of the old shot to frame fb of the new."""
    kind, n = plan["kind"], plan["n"]
    if kind == "dissolve":
        e = _progress(plan, i)
        if plan["style"] == "linear-light":
            lin = (fa / 255) ** 2.2 * (1 - e) + (np.clip(fb, 0, 255) / 255) ** 2.2 * e
            return 255 * np.clip(lin, 0, 1) ** (1 / 2.2)
        if plan["style"] == "nonadditive":  # both pictures dimmed in the middle
            return fa * (1 - e) ** 1.6 + fb * e**1.6
        return fa * (1 - e) + fb * e
    if kind == "fade":
        colour = np.float32(0 if plan["style"] == "black" else 255)
        out, hold = plan["out"], plan["hold"]
        if i < out:
            c = _curve("gamma", plan["g_out"], (i + 1) / (out + 1))
            return fa * (1 - c) + colour * c
        if i < out + hold:
            return np.full_like(fa, colour)
        k, m = i - out - hold, n - out - hold
        c = _curve("gamma", plan["g_in"], (k + 1) / (m + 1))
        return colour * (1 - c) + fb * c
    e = _progress(plan, i)
    style = plan["style"]
    if style in ("push", "parallax-push"):
        size = CH if plan["axis"] == 0 else CW
        off = int(np.clip(round(e * size), 1, size - 1))
        before = 0.0 if i == 0 else _progress(plan, i - 1)
        f = _push(fa, fb, off, plan)
        return _box(f, min(40, round((e - before) * size * 0.25)), plan["axis"])
    feather = plan["feather"]
    s = e * (1 + feather)
    m = np.clip((s - plan["d"]) / feather, 0, 1)[..., None]
    return fa * (1 - m) + fb * m


# ---------------------------------------------------------------- files


def _encoder(path: Path, fps: Fraction, width: int, height: int) -> subprocess.Popen[bytes]:
    r = f"{fps.numerator}/{fps.denominator}"
    gop = str(round(2 * float(fps)))
    audio = "aevalsrc=0.08*sin(2*PI*(180+60*sin(0.5*t))*t)|0.08*sin(2*PI*270*t):s=44100"
    cmd = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-f", "rawvideo",
           "-pix_fmt", "rgb24", "-s", f"{CW}x{CH}", "-r", r, "-i", "-",
           "-f", "lavfi", "-i", audio, "-map", "0:v", "-map", "1:a", "-shortest",
           "-vf", f"scale={width}:{height}:flags=spline,setsar=1",
           "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-g", gop,
           "-keyint_min", gop, "-sc_threshold", "0", "-bf", "5", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-b:a", "96k", str(path)]  # fmt: skip
    return subprocess.Popen(cmd, stdin=subprocess.PIPE)


def _length(rng: Rng, fps: float) -> int:
    """A gradual transition's frames: a quarter each 2-3 frames, 4 frames-0.5 s, 0.5-2 s, 2-3 s."""
    band = int(rng.integers(0, 4))
    if band == 0:
        return int(rng.integers(2, 4))
    lo, hi = [(4 / fps, 0.5), (0.5, 2.0), (2.0, 3.0)][band - 1]
    return max(4 if band == 1 else 2, round(float(rng.uniform(lo, hi)) * fps))


def _source(rng: Rng, prev: Source | None) -> Source:
    names = [k for k in SOURCES if prev is None or k != prev.kind]
    p = np.array([SOURCE_WEIGHTS[k] for k in names])
    return SOURCES[str(rng.choice(names, p=p / p.sum()))](rng)


def make_file(
    path: Path, transitions: int, seed: int, fps: Fraction, w: int, h: int
) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    rate = float(fps)
    kinds = [str(k) for k in rng.choice(KINDS, size=transitions, p=WEIGHTS)]
    lengths = [0 if k == "cut" else _length(rng, rate) for k in kinds]
    enc = _encoder(path, fps, w, h)
    assert enc.stdin is not None
    count = 0
    truth: list[dict[str, object]] = []
    negatives: list[dict[str, object]] = []

    def write(f: Arr) -> None:
        nonlocal count
        data = np.clip(f + 0.5, 0, 255).astype(np.uint8)
        enc.stdin.write(np.ascontiguousarray(data).tobytes())  # type: ignore[union-attr]
        count += 1

    def new_shot(i: int, src: Source) -> Shot:
        """Shot i, starting at the current frame (its incoming transition's first)."""
        n_in = lengths[i - 1] if i > 0 else 0
        n_out = lengths[i] if i < transitions else 0
        own = round(float(rng.uniform(0.8, 1.6)) * rate)
        shot = Shot(src, n_in + own + n_out, rate, rng)
        if 0 < i < transitions:
            for kind, first, last in _negative(shot, n_in, n_in + own, rng):
                negatives.append({"kind": kind, "first": count + first, "last": count + last})
        return shot

    shot = new_shot(0, _source(rng, None))
    for i in range(transitions + 1):
        n_in = lengths[i - 1] if i > 0 else 0
        n_out = lengths[i] if i < transitions else 0
        for j in range(n_in, shot.n - n_out):
            write(shot.frame(j))
        if i == transitions:
            break
        kind, n = kinds[i], lengths[i]
        similar = kind == "cut" and rng.random() < 0.35
        src = shot.src.sibling(rng) if similar else _source(rng, shot.src)
        plan = _plan(kind, n, rng)
        nxt = new_shot(i + 1, src)
        first = count
        for m in range(n):
            write(_mix(shot.frame(shot.n - n + m), nxt.frame(m), m, plan))
        style = "similar" if similar else "plain" if kind == "cut" else str(plan["style"])
        if kind == "dissolve" and style in CURVES:
            style = f"{style}-curve"
        truth.append({"kind": kind, "first": first, "last": first + max(n, 1) - 1, "frames": n,
                      "style": style, "from": shot.src.kind, "to": src.kind})  # fmt: skip
        shot = nxt
    enc.stdin.close()
    if enc.wait() != 0:
        raise RuntimeError("held-out (family 3) encoder failed")
    return {"file": path.name, "frames": count, "fps": rate, "size": f"{w}x{h}",
            "transitions": truth, "negatives": negatives}  # fmt: skip


def build(
    out: Path, transitions: int, seed: int = SEED, only: int | None = None
) -> list[dict[str, object]]:
    """Generate (or reuse) this family's files under `out`; return their ground truth."""
    return build_part(out, "fam3", FILES, make_file, VERSION, transitions, seed, only)
