"""Family 3's sources: scenes rendered in numpy at any camera coordinates."""

from __future__ import annotations

import math

import numpy as np

from family3.canvas import CH, CW, Arr, Rng, glyph_font, glyph_line, paste, random_colour


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
            self.c0, self.c1 = random_colour(rng, 0, 110), random_colour(rng, 140, 255)
            self.sky_top, self.sky_low = random_colour(rng, 20, 160), random_colour(rng, 150, 255)
            self.sun = random_colour(rng, 230, 255)
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
            self.c0, self.c1 = random_colour(rng, 0, 90), random_colour(rng, 150, 255)
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
            self.dark, self.light = random_colour(rng, 0, 60), random_colour(rng, 190, 255)
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
            self.bg0, self.bg1 = random_colour(rng, 150, 255), random_colour(rng, 110, 230)
            self.accent, self.ink = random_colour(rng, 0, 200), random_colour(rng, 0, 70)
            self.bars = [random_colour(rng, 20, 235) for _ in range(3)]
            self.font = glyph_font(rng)
        else:
            self.bg0, self.bg1, self.accent, self.ink = like.bg0, like.bg1, like.accent, like.ink
            self.bars, self.font = like.bars, like.font
        ramp = np.linspace(0, 1, CH, dtype=np.float32)[:, None, None]
        canvas = self.bg0 * (1 - ramp) + self.bg1 * ramp * np.ones((1, CW, 1), np.float32)
        top = int(CH * rng.uniform(0.12, 0.2))
        canvas[:top] = self.accent
        title = np.zeros((CH, CW), bool)
        paste(title, glyph_line(rng, self.font, int(CW * 0.7), 3), (top - 21) // 2, 16)
        canvas[title] = 255
        body = np.zeros((CH, CW), bool)
        chart = bool(rng.random() < 0.7)
        width = int(CW * (0.5 if chart else 0.85))
        y = top + 14
        scale = int(rng.integers(1, 3))
        while y + 7 * scale < CH - 14:
            paste(body, glyph_line(rng, self.font, width - int(rng.integers(0, width // 3)), scale),
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
