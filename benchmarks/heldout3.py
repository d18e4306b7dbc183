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

Seeds 11000-11007, 11100-11107, 11200-11207, 11300-11307, 11400-11407 and 11500-11507
(run in rounds 6-11), now tuning material; 11600-11607 (new in round 12).
Ground truth has the same shape as the other parts' (each transition's kind and inclusive
frame span, a `style`; the hard negatives).

This module writes the files (`make_file`, `build`); the pictures come from `family3/`:
`canvas.py` (the composition grid, colours, glyph text), `sources.py`, `shots.py` (the
handheld camera and the hard negatives) and `transitions.py`.
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
from building import build_part
from family3.canvas import CH, CW, Arr, Rng
from family3.shots import Shot, add_negative
from family3.sources import SOURCE_WEIGHTS, SOURCES, Source
from family3.transitions import CURVES, mix_frame, transition_plan

from segspec.media.ffmpeg import ffmpeg_exe

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
            for kind, first, last in add_negative(shot, n_in, n_in + own, rng):
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
        plan = transition_plan(kind, n, rng)
        nxt = new_shot(i + 1, src)
        first = count
        for m in range(n):
            write(mix_frame(shot.frame(shot.n - n + m), nxt.frame(m), m, plan))
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
