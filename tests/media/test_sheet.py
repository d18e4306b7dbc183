"""Pictures of clips hold the exact source frames they name.

The numbered test video's frame n is flat grey at luma 16 + 2n, so after decoding a
picture, the grey level of a thumbnail tells which source frame it shows.
"""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segspec.errors import MediaError
from segspec.media import frames as frames_module
from segspec.media.frames import grab_frames, thumb_size
from segspec.media.probe import probe
from segspec.media.sheet import (
    LINE,
    PAD,
    THUMB_HEIGHT,
    compose,
    first_last_tiles,
    save_picture,
    shot_tiles,
)
from segspec.render.words import timecode

FPS = Fraction(25)


def frame_of_grey(rgb_mean: float) -> int:
    """Source frame number from a thumbnail's mean grey level (limited → full range)."""
    luma = rgb_mean * 219 / 255 + 16
    return round((luma - 16) / 2)


def tile_frames(picture: Path, count: int, columns: int, width: int) -> list[int]:
    """The source frame shown by each of the first `count` tiles of a picture."""
    pixels = np.asarray(Image.open(picture).convert("RGB"), dtype=np.float64)
    cell_w, cell_h = width + PAD, THUMB_HEIGHT + PAD + 2 * LINE + PAD
    found = []
    for i in range(count):
        x, y = PAD + (i % columns) * cell_w, PAD + (i // columns) * cell_h
        centre = pixels[y + 10 : y + THUMB_HEIGHT - 10, x + 10 : x + width - 10]
        assert centre.std() < 3, "a tile of a flat frame should be flat"
        found.append(frame_of_grey(centre.mean()))
    return found


@pytest.mark.parametrize("many", [False, True], ids=["seek", "one-pass"])
def test_grab_frames_exact(
    numbered_video: Path, monkeypatch: pytest.MonkeyPatch, many: bool
) -> None:
    if many:
        monkeypatch.setattr(frames_module, "SEEK_LIMIT", 0)
        monkeypatch.setattr(frames_module, "SEEK_COST_FRAMES", 10**9)
    else:
        monkeypatch.setattr(frames_module, "SEEK_LIMIT", 100)
        monkeypatch.setattr(frames_module, "SEEK_BATCH", 4)  # two ffmpeg runs of seeks
    wanted = [0, 1, 37, 49, 99, 12]
    images = grab_frames(numbered_video, wanted, height=24)
    assert sorted(images) == sorted(wanted)
    for frame, image in images.items():
        assert image.shape == (24, 32, 3)
        assert frame_of_grey(float(image.mean())) == frame


def test_grab_frames_past_the_end_refused(numbered_video: Path) -> None:
    with pytest.raises(MediaError, match="ended after 0 of the 1 requested frames"):
        grab_frames(numbered_video, [500])


def test_contact_sheet_shows_each_shot_first_frame(numbered_video: Path, tmp_path: Path) -> None:
    shots = [(0, 0), (1, 13), (2, 40), (3, 71), (4, 90), (5, 95), (6, 99)]
    labels = {3: "cut"}
    tiles = shot_tiles(shots, FPS, labels)
    assert tiles[0].lines == ("#0  0:00:00.00", "f0  start")
    assert tiles[1].lines == ("#1  0:00:00.52", "f13  new shot")
    assert tiles[3].lines[1] == "f71  cut"
    dest = tmp_path / "sheet.png"
    save_picture(compose(numbered_video, tiles, columns=3), dest)
    width, _ = thumb_size(probe(numbered_video), THUMB_HEIGHT)
    with Image.open(dest) as image:
        assert image.size == (
            PAD + 3 * (width + PAD),
            PAD + 3 * (THUMB_HEIGHT + 3 * PAD + 2 * LINE - PAD),
        )
    assert tile_frames(dest, len(shots), 3, width) == [first for _, first in shots]


def test_first_last_picture_and_formats(numbered_video: Path, tmp_path: Path) -> None:
    tiles = first_last_tiles([(0, 0, 24), (1, 37, 49)], FPS)
    assert [t.frame for t in tiles] == [0, 24, 37, 49]
    assert tiles[1].lines == ("#0 last  0:00:00.96", "f24")
    dest = tmp_path / "frames.jpg"
    save_picture(compose(numbered_video, tiles, columns=2), dest)
    width, _ = thumb_size(probe(numbered_video), THUMB_HEIGHT)
    with Image.open(dest) as image:
        assert image.format == "JPEG"
    assert tile_frames(dest, 4, 2, width) == [0, 24, 37, 49]
    with pytest.raises(MediaError, match="use one of"):
        save_picture(compose(numbered_video, tiles), tmp_path / "frames.gif")


def test_timecode() -> None:
    assert timecode(0) == "0:00:00.00"
    assert timecode(83.456) == "0:01:23.46"
    assert timecode(3723.5) == "1:02:03.50"
    assert timecode(59.999) == "0:01:00.00"


def test_contact_sheet_render_time_reported(numbered_video: Path, tmp_path: Path) -> None:
    """Not a timing assertion: prints how long a 7-shot sheet takes, for the record."""
    start = time.perf_counter()
    save_picture(
        compose(numbered_video, shot_tiles([(i, i * 14) for i in range(7)], FPS)),
        tmp_path / "s.jpg",
    )
    print(f"contact sheet of 7 shots: {time.perf_counter() - start:.3f} s")
    assert (tmp_path / "s.jpg").stat().st_size > 0
