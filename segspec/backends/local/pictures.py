"""The picture the local engine stores beside a job's clips.

BasicClipSplit: a contact sheet, one thumbnail per shot (its first frame, index,
timecode and what opened it). UserDefined: each clip's first and last frame. Both show
exact source frames, so a reviewer sees what the clips hold without opening them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from segspec.backends.local.clips import Clip
from segspec.media.probe import MediaInfo
from segspec.media.sheet import compose, first_last_tiles, save_picture, shot_tiles

SUFFIX = ".jpg"
KINDS = {"BasicClipSplit": "contact-sheet", "UserDefined": "first-last-frames"}


def picture_key(object_key: str, kind: str) -> str:
    """Where the picture goes: the ObjectKey with `{index}` replaced by the picture's kind.

    `shots/shot_{index}.mp4` → `shots/shot_contact-sheet.jpg`.
    """
    named = object_key.replace("{index}", kind)
    return str(PurePosixPath(named).with_suffix(SUFFIX))


def make_picture(
    src: Path,
    info: MediaInfo,
    mode: str,
    clips: Sequence[Clip],
    dest_dir: Path,
) -> tuple[str, Path, list[str]]:
    """Draw the picture of `clips` cut from `src`.

    Returns (kind, file in `dest_dir`, each tile's caption lines joined by "  "). A
    contact sheet labels each shot with the kind of transition that opened it
    (`Clip.opened_by`).
    """
    kind = KINDS.get(mode, "first-last-frames")
    if kind == "contact-sheet":
        labels = {c.index: c.opened_by for c in clips if c.opened_by}
        tiles = shot_tiles([(c.index, c.first_frame) for c in clips], info.fps, labels)
        image = compose(src, tiles, columns=6)
    else:
        spans = [(c.index, c.first_frame, c.last_frame) for c in clips]
        tiles = first_last_tiles(spans, info.fps)
        image = compose(src, tiles, columns=2)
    dest = dest_dir / f"picture{SUFFIX}"
    save_picture(image, dest)
    return kind, dest, ["  ".join(t.lines) for t in tiles]


def picture_record(
    kind: str, bucket: str, key: str, size: int, digest: str, captions: list[str]
) -> dict[str, Any]:
    return {
        "kind": kind,
        "bucket": bucket,
        "object_key": key,
        "size": size,
        "sha256": digest,
        "captions": captions,
    }
