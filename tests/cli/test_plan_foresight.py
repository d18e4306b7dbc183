"""`segspec plan` sees what apply will do: probed inputs, objects, previewed shots."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

import segspec.detect as detect_module
from segspec.schemas import SCHEMA_DIR
from tests.cli.conftest import Result

SPEC = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
jobs:
  cuts:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}, {In: 1.5, Out: 2}]}
    OutputConfig: {ObjectKey: 'cuts/clip_{index}.mp4'}
  late:
    JobParams: {Mode: UserDefined, Ranges: [{In: 3, Out: 9}]}
    OutputConfig: {ObjectKey: 'cuts/clip_{index}.mp4'}
  ghost:
    InputConfig: {Type: OSS, Media: media/missing.mp4}
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig: {ObjectKey: 'ghost/clip_{index}.mp4'}
  broken:
    InputConfig: {Type: OSS, Media: media/broken.mp4}
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig: {ObjectKey: 'broken/clip_{index}.mp4'}
  shots:
    JobParams: {Mode: BasicClipSplit}
    OutputConfig: {ObjectKey: 'shots/shot_{index}.mp4'}
"""


@pytest.fixture
def root(project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    made = project(SPEC)
    (made / "specs" / "media" / "broken.mp4").write_bytes(b"\x00not a video" * 100)
    monkeypatch.chdir(made)
    monkeypatch.delenv("SEGSPEC_BACKEND", raising=False)
    return made


def test_plan_lists_objects_and_problems(root: Path, segspec: Callable[..., Result]) -> None:
    result = segspec("plan")
    assert result.code == 0, result.err
    out = result.out
    assert (
        "  + cuts (create)\n"
        "      new job\n"
        "      writes clips/cuts/clip_0.mp4  0.000–1.000 s (1.000 s), frames 0–24\n"
        "      writes clips/cuts/clip_1.mp4  1.480–2.000 s (0.520 s), frames 37–49\n"
        "      ✗ output clips/cuts/clip_0.mp4 is also written by late — give each job its own "
        "ObjectKey\n"
    ) in out
    assert (
        "      ✗ JobParams.Ranges[0].Out is 9 s, past the end of the input (4.00 s long) — "
        "shorten the range\n"
    ) in out
    assert "  + ghost (create)\n      new job\n      writes clips/ghost/clip_0.mp4" in out
    assert "      ✗ input: cannot read input media/missing.mp4: No such file or directory\n" in out
    assert "      ✗ input: input " in out and "broken.mp4 is not a readable media file" in out
    assert out.endswith(
        "5 problems in 4 jobs: apply would fail them or overwrite another job's outputs — "
        "fix the inputs or specs first.\n"
    )
    doc = json.loads(segspec("plan", "--json").out)
    schema = json.loads((SCHEMA_DIR / "plan.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    cuts = next(c for c in doc["changes"] if c["address"] == "cuts")
    assert [(o["first_frame"], o["last_frame"]) for o in cuts["objects"]] == [(0, 24), (37, 49)]
    assert next(c for c in doc["changes"] if c["address"] == "shots")["shots"] is None


@pytest.mark.slow
def test_plan_preview_shots_is_cached(
    root: Path, segspec: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    detected = segspec("detect", "specs/media/numbered.mp4", "--json")
    count = len(json.loads(detected.out)["shots"])
    result = segspec("plan", "--preview-shots", "--target", "shots")
    assert result.code == 0, result.err
    assert f"      will produce {count} clips (shot detection preview)\n" in result.out
    assert (root / ".segspec" / "cache" / "shots.json").is_file()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the detector ran again for an unchanged input")

    monkeypatch.setattr(detect_module, "detect_shots", refuse)
    again = segspec("plan", "--preview-shots", "--target", "shots")
    assert again.code == 0, again.err
    assert f"will produce {count} clips" in again.out
    # Other detector options are another cache entry: the detector must run.
    spec = root / "specs" / "jobs.yaml"
    spec.write_text(
        spec.read_text("utf-8").replace(
            "    JobParams: {Mode: BasicClipSplit}",
            "    JobParams: {Mode: BasicClipSplit}\n    local: {detector: {threshold: 0.5}}",
        ),
        "utf-8",
    )
    changed = segspec("plan", "--preview-shots", "--target", "shots")
    assert changed.code == 3 and "the detector ran again" in changed.err
