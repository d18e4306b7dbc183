"""Pictures of clips: a grid of captioned thumbnails of exact source frames (Pillow).

`Tile`s say which source frame to show and what to write under it; the caller decides
the captions (a shot's index, timecode and the transition that opened it; a clip's first
or last frame), so this module knows nothing about jobs or detectors.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from segspec.errors import MediaError
from segspec.media.frames import grab_frames
from segspec.render.words import timecode
from segspec.state.atomic import write_atomic

THUMB_HEIGHT = 90
PAD = 6
LINE = 13
BACKGROUND = (24, 24, 24)
INK = (235, 235, 235)
DIM = (150, 150, 150)
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


@dataclass(frozen=True)
class Tile:
    """One thumbnail: source frame `frame`, captioned with `lines` (first one bright)."""

    frame: int
    lines: tuple[str, ...]


def shot_tiles(
    shots: Sequence[tuple[int, int]], fps: Fraction, labels: Mapping[int, str] | None = None
) -> list[Tile]:
    """A contact sheet's tiles: one per shot `(index, first_frame)`.

    `labels` names what opened each shot (its transition's kind, when the detector
    reports one); a shot without a label reads "start" (the first) or "new shot".
    """
    labels = labels or {}
    tiles = []
    for index, first in shots:
        label = labels.get(index) or ("start" if index == 0 else "new shot")
        stamp = timecode(float(first / fps))
        tiles.append(Tile(first, (f"#{index}  {stamp}", f"f{first}  {label}")))
    return tiles


def first_last_tiles(clips: Sequence[tuple[int, int, int]], fps: Fraction) -> list[Tile]:
    """Two tiles per clip `(index, first_frame, last_frame)`: its first and its last frame."""
    tiles = []
    for index, first, last in clips:
        for which, frame in (("first", first), ("last", last)):
            stamp = timecode(float(frame / fps))
            tiles.append(Tile(frame, (f"#{index} {which}  {stamp}", f"f{frame}")))
    return tiles


def compose(
    src: Path, tiles: Sequence[Tile], *, columns: int = 6, height: int = THUMB_HEIGHT
) -> Image.Image:
    """The grid of `tiles` read from `src`, `columns` wide, left to right, top to bottom."""
    if not tiles:
        raise MediaError(f"nothing to draw for {src}: no shots or clips")
    images = grab_frames(src, [t.frame for t in tiles], height)
    width = next(iter(images.values())).shape[1]
    columns = max(1, min(columns, len(tiles)))
    rows = -(-len(tiles) // columns)
    cell_w, cell_h = width + PAD, height + PAD + 2 * LINE + PAD
    sheet = Image.new("RGB", (PAD + columns * cell_w, PAD + rows * cell_h), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=11)
    for i, tile in enumerate(tiles):
        x = PAD + (i % columns) * cell_w
        y = PAD + (i // columns) * cell_h
        sheet.paste(Image.fromarray(images[tile.frame], "RGB"), (x, y))
        for n, text in enumerate(tile.lines[:2]):
            draw.text((x, y + height + 3 + n * LINE), text, fill=INK if n == 0 else DIM, font=font)
    return sheet


def save_picture(image: Image.Image, dest: Path) -> None:
    """Write `image` atomically; the format follows the suffix (.jpg, .png, .webp)."""
    kind = FORMATS.get(dest.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        raise MediaError(f"cannot write a picture to {dest}: use one of {known}")
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **({"quality": 88} if kind != "PNG" else {}))
    write_atomic(dest, buffer.getvalue())
