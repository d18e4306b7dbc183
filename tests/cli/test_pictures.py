"""Pictures made by apply and by `detect --contact-sheet`, checked by their pixels."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from segspec.media.frames import thumb_size
from segspec.media.probe import probe
from segspec.media.sheet import THUMB_HEIGHT
from segspec.schemas import SCHEMA_DIR
from tests.cli.conftest import Result
from tests.media.test_sheet import tile_frames

SPEC = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
  local: {preset: ultrafast}
jobs:
  cuts:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}, {In: 1.5, Out: 2}]}
    OutputConfig: {ObjectKey: 'cuts/clip_{index}.mp4'}
    lifecycle: {prune_outputs: true}
  shots:
    JobParams: {Mode: BasicClipSplit}
    OutputConfig: {ObjectKey: 'shots/shot_{index}.mp4'}
"""
Segspec = Callable[..., Result]


@pytest.fixture
def applied(
    project: Callable[[str], Path], segspec: Segspec, monkeypatch: pytest.MonkeyPatch
) -> Path:
    root = project(SPEC)
    monkeypatch.chdir(root)
    monkeypatch.delenv("SEGSPEC_BACKEND", raising=False)
    result = segspec("apply", "--auto-approve")
    assert result.code == 0, result.err
    return root


@pytest.mark.slow
def test_apply_stores_pictures_beside_the_outputs(
    applied: Path, segspec: Segspec, numbered_video: Path
) -> None:
    state = json.loads((applied / "segspec.state.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(
        json.loads((SCHEMA_DIR / "state.schema.json").read_text("utf-8"))
    ).validate(state)
    objects = applied / ".segspec" / "objects" / "clips"
    width, _ = thumb_size(probe(numbered_video), THUMB_HEIGHT)

    cuts = state["jobs"]["cuts"]
    assert cuts["picture"]["kind"] == "first-last-frames"
    assert cuts["picture"]["object_key"] == "cuts/clip_first-last-frames.jpg"
    picture = objects / cuts["picture"]["object_key"]
    assert picture.stat().st_size == cuts["picture"]["size"]
    spans = [f for o in cuts["outputs"] for f in (o["first_frame"], o["last_frame"])]
    assert spans == [0, 24, 37, 49]
    assert tile_frames(picture, 4, 2, width) == spans

    shots = state["jobs"]["shots"]
    assert shots["picture"]["kind"] == "contact-sheet"
    sheet = objects / "shots/shot_contact-sheet.jpg"
    firsts = [o["first_frame"] for o in shots["outputs"]]
    assert len(firsts) > 1
    assert tile_frames(sheet, len(firsts), 6, width) == firsts
    # each tile is labelled with the kind of transition that opened its shot, as
    # `segspec detect` reports it for the same file
    detected = json.loads(segspec("detect", str(numbered_video), "--json").out)["shots"]
    kinds = [s["transition"]["kind"] if s["transition"] else "start" for s in detected]
    captions = shots["picture"]["captions"]
    assert [c.split("  ")[-1] for c in captions] == kinds
    assert [int(c.split("  ")[-2].lstrip("f")) for c in captions] == firsts
    assert "cut" in kinds

    out = segspec("output", "shots")
    assert out.out.splitlines()[-1] == f"contact-sheet: {sheet}"
    doc = json.loads(segspec("output", "cuts", "--json").out)
    assert doc["picture"]["path"] == str(picture)
    assert (
        "picture      clips/shots/shot_contact-sheet.jpg (contact-sheet)"
        in segspec("show", "shots").out
    )

    # The picture goes with the outputs when they are pruned.
    spec = applied / "specs" / "jobs.yaml"
    text = spec.read_text("utf-8")
    spec.write_text(text[: text.index("  cuts:")] + text[text.index("  shots:") :], "utf-8")
    assert segspec("apply", "--auto-approve").code == 0
    assert not picture.exists()
    assert sheet.exists()


def test_detect_contact_sheet(numbered_video: Path, segspec: Segspec, tmp_path: Path) -> None:
    dest = tmp_path / "sheet.png"
    result = segspec("detect", str(numbered_video), "--contact-sheet", str(dest))
    assert result.code == 0, result.err
    assert result.out.endswith(f"Contact sheet: {dest}\n")
    rows = [line.split() for line in result.out.splitlines()[1:-2]]
    firsts = [int(row[1]) for row in rows]
    width, _ = thumb_size(probe(numbered_video), THUMB_HEIGHT)
    assert tile_frames(dest, len(firsts), 6, width) == firsts
    bad = segspec("detect", str(numbered_video), "--contact-sheet", str(tmp_path / "x.gif"))
    assert bad.code == 1
    assert "use one of .jpeg, .jpg, .png, .webp" in bad.err
