"""Family 3's shots (a source through a handheld camera) and their hard negatives."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from family3.canvas import (
    CH,
    CW,
    X0,
    XX,
    Y0,
    YY,
    Arr,
    Rng,
    box_blur,
    glyph_font,
    glyph_line,
    paste,
    random_colour,
)
from family3.sources import Source


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
        f = box_blur(f, int(self.blur[j]), self.blur_axis)
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


def add_negative(shot: Shot, lo: int, hi: int, rng: Rng) -> list[tuple[str, int, int]]:
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
        paste(ink, glyph_line(rng, glyph_font(rng), int(CW * 0.8), scale), y0, int(CW * 0.1))
        ink_f = ink.astype(np.float32)
        shot.title = (alpha, band[..., None], ink_f[..., None], random_colour(rng, 0, 80),
                      random_colour(rng, 200, 255))  # fmt: skip
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
                   "phase": float(rng.uniform(0, 6)), "legs": random_colour(rng, 10, 90),
                   "body": random_colour(rng, 30, 250),
                   "skin": np.array([205, 160, 130], np.float32) * float(rng.uniform(0.5, 1.1)),
                   }  # fmt: skip
    return [("figure", k, k + span - 1)]
