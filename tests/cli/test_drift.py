"""Drift on the local engine: outputs deleted or changed by hand are found and repaired."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Result

SPEC = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: out}
jobs:
  a:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}, {In: 1, Out: 2}]}
    OutputConfig: {ObjectKey: "a/shot_{index}.mp4"}
  b:
    JobParams: {Mode: UserDefined, Ranges: [{In: 2, Out: 3}]}
    OutputConfig: {ObjectKey: "b/shot_{index}.mp4"}
"""


@pytest.fixture
def applied(
    project: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    segspec: Callable[..., Result],
) -> Path:
    project(SPEC)
    monkeypatch.chdir(tmp_path)
    assert segspec("apply", "--auto-approve").code == 0
    assert segspec("plan").out.startswith("No changes. 2 jobs match")
    return tmp_path


def clip(root: Path, key: str) -> Path:
    return root / ".segspec" / "objects" / "out" / key


def records(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "segspec.state.json").read_text("utf-8"))["jobs"]
    return data


def actions(segspec: Callable[..., Result], *args: str) -> dict[str, list[str]]:
    result = segspec("plan", "--json", *args)
    assert result.code == 0, result.err
    return {c["address"]: c["actions"] for c in json.loads(result.out)["changes"]}


def test_drift_missing_output_plans_replace_for_that_job_only(
    applied: Path, segspec: Callable[..., Result]
) -> None:
    clip(applied, "a/shot_1.mp4").unlink()
    shown = segspec("plan", "--detailed-exitcode")
    assert shown.code == 2
    assert shown.out == (
        "segspec will perform these actions:\n"
        "\n"
        "  -/+ a (replace)\n"
        "      output missing: out/a/shot_1.mp4\n"
        "      writes out/a/shot_0.mp4  0.000–1.000 s (1.000 s), frames 0–24\n"
        "      writes out/a/shot_1.mp4  1.000–2.000 s (1.000 s), frames 25–49\n"
        "\n"
        "Plan: 0 to create, 1 to replace, 0 to delete.\n"
    )
    assert actions(segspec) == {"a": ["delete", "create"], "b": ["no-op"]}


def test_drift_changed_output_is_reported(applied: Path, segspec: Callable[..., Result]) -> None:
    target = clip(applied, "b/shot_0.mp4")
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF  # same size, other bytes: only the checksum can tell
    target.write_bytes(bytes(data))
    sha = records(applied)["b"]["outputs"][0]["sha256"]
    shown = segspec("plan")
    assert "  -/+ b (replace)\n      output changed: out/b/shot_0.mp4 content sha256 " in shown.out
    assert f"sha256 {sha[:12]}… → " in shown.out
    assert " a (" not in shown.out

    target.write_bytes(b"not a video")
    shown = segspec("plan")
    assert "output changed: out/b/shot_0.mp4 size " in shown.out
    assert "→ 11 B" in shown.out


def test_drift_refresh_false_skips_the_check(applied: Path, segspec: Callable[..., Result]) -> None:
    clip(applied, "a/shot_0.mp4").unlink()
    fast = segspec("plan", "--refresh=false", "--detailed-exitcode")
    assert fast.code == 0
    assert fast.out == "No changes. 2 jobs match the specs and the state.\n"
    assert segspec("plan", "--refresh=true", "--detailed-exitcode").code == 2


def test_drift_apply_repairs_it(applied: Path, segspec: Callable[..., Result]) -> None:
    before = records(applied)
    clip(applied, "a/shot_1.mp4").unlink()
    b_stat = clip(applied, "b/shot_0.mp4").stat()

    result = segspec("apply", "--auto-approve")
    assert result.code == 0, result.err
    assert "Apply complete: 1 finished, 0 failed, 0 forgotten." in result.out
    assert clip(applied, "a/shot_1.mp4").is_file()
    after = records(applied)
    assert after["a"]["attempt"] == before["a"]["attempt"] + 1
    # Same request, same frames; the next plan's check sees the new clips as recorded.
    frames = [(o["object_key"], o["first_frame"], o["last_frame"]) for o in after["a"]["outputs"]]
    assert frames == [
        (o["object_key"], o["first_frame"], o["last_frame"]) for o in before["a"]["outputs"]
    ]
    assert after["b"] == before["b"]
    b_after = clip(applied, "b/shot_0.mp4").stat()
    assert (b_after.st_ino, b_after.st_mtime_ns) == (b_stat.st_ino, b_stat.st_mtime_ns)
    assert segspec("plan", "--detailed-exitcode").code == 0
