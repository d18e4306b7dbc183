"""Family 3's transitions: the shape of one (its plan) and its frames mixed from two shots'."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from family3.canvas import CH, CW, X0, Y0, Arr, Rng, box_blur

DELTA = 0.03  # every transition frame is at least 3% of the way from one picture to the other

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


def transition_plan(kind: str, n: int, rng: Rng) -> dict[str, Any]:
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


def mix_frame(fa: Arr, fb: Arr, i: int, plan: dict[str, Any]) -> Arr:
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
        return box_blur(f, min(40, round((e - before) * size * 0.25)), plan["axis"])
    feather = plan["feather"]
    s = e * (1 + feather)
    m = np.clip((s - plan["d"]) / feather, 0, 1)[..., None]
    return fa * (1 - m) + fb * m
