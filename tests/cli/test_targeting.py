"""Choosing what to act on: --target, --replace and --refresh-only."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from segspec.state.store import StateStore
from tests.cli.conftest import Result

SPEC = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: out}
jobs:
  a:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig: {ObjectKey: "a/clip_{index}.mp4"}
  b:
    JobParams: {Mode: UserDefined, Ranges: [{In: 1, Out: 2}]}
    OutputConfig: {ObjectKey: "b/clip_{index}.mp4"}
  ep:
    for_each: {x: 0, y: 1, z: 2}
    JobParams: {Mode: UserDefined, Ranges: [{In: "${each.value}", Out: 3}]}
    OutputConfig: {ObjectKey: "ep/${each.key}_{index}.mp4"}
"""
EP = ['ep["x"]', 'ep["y"]', 'ep["z"]']


@pytest.fixture
def root(project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    project(SPEC)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def planned(segspec: Callable[..., Result], *args: str) -> dict[str, list[str]]:
    result = segspec("plan", "--json", *args)
    assert result.code == 0, result.err
    return {c["address"]: c["actions"] for c in json.loads(result.out)["changes"]}


def records(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "segspec.state.json").read_text("utf-8"))["jobs"]
    return data


def output(root: Path, key: str) -> Path:
    return root / ".segspec" / "objects" / "out" / key


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        (["a"], ["a"]),
        (["a", "b"], ["a", "b"]),
        (["e*"], EP),
        (["ep"], EP),  # the base name selects every for_each instance
        (['ep["y"]'], ['ep["y"]']),
        (['ep["[xz]"]'], []),  # brackets are literal: nothing named ep["[xz]"] ...
        (['ep["?"]', "b"], ["b", *EP]),
    ],
)
def test_target_limits_the_plan(
    root: Path, segspec: Callable[..., Result], targets: list[str], expected: list[str]
) -> None:
    args = [arg for t in targets for arg in ("--target", t)]
    if not expected:
        result = segspec("plan", *args)
        assert result.code == 1  # ... so it is an error, not an empty plan
        assert "matches no job" in result.err
        return
    assert planned(segspec, *args) == {address: ["create"] for address in expected}


def test_target_limits_apply(root: Path, segspec: Callable[..., Result]) -> None:
    result = segspec("apply", "--auto-approve", "--target", "ep")
    assert result.code == 0, result.err
    assert sorted(records(root)) == EP
    assert not output(root, "a/clip_0.mp4").exists()
    assert all(output(root, f"ep/{k}_0.mp4").is_file() for k in "xyz")
    # The rest is still to do; the targeted jobs are no-ops now.
    assert planned(segspec) == {
        "a": ["create"],
        "b": ["create"],
        **{address: ["no-op"] for address in EP},
    }


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--target", "nope"),
        ("plan", "--target", "a", "--target", "ep[x]"),
        ("plan", "--replace", "nope"),
        ("apply", "--auto-approve", "--target", "nope"),
    ],
)
def test_target_matching_nothing_is_an_error(
    root: Path, segspec: Callable[..., Result], args: tuple[str, ...]
) -> None:
    result = segspec(*args)
    assert result.code == 1
    pattern = args[-1]
    assert f"{args[-2]} {pattern!r} matches no job" in result.err
    assert 'ep["x"]' in result.err  # the message lists the known addresses
    assert not (root / "segspec.state.json").exists()


def test_replace_reruns_an_unchanged_job(root: Path, segspec: Callable[..., Result]) -> None:
    assert segspec("apply", "--auto-approve", "--target", "a", "--target", "b").code == 0
    first = records(root)
    a_before, b_before = output(root, "a/clip_0.mp4").stat(), output(root, "b/clip_0.mp4").stat()
    assert planned(segspec, "--target", "a", "--target", "b") == {
        "a": ["no-op"],
        "b": ["no-op"],
    }

    shown = segspec("plan", "--target", "a", "--target", "b", "--replace", "a")
    assert "-/+ a (replace)\n      rerun requested with --replace\n" in shown.out
    assert "Plan: 0 to create, 1 to replace, 0 to delete." in shown.out

    result = segspec("apply", "--auto-approve", "--target", "a", "--target", "b", "--replace", "a")
    assert result.code == 0, result.err
    after = records(root)
    assert after["a"]["attempt"] == 2
    assert after["a"]["job_id"] != first["a"]["job_id"]
    assert after["b"] == first["b"]
    # a's clip was written anew (a new file renamed into place); b's was left alone.
    assert output(root, "a/clip_0.mp4").stat().st_ino != a_before.st_ino
    b_after = output(root, "b/clip_0.mp4").stat()
    assert (b_after.st_ino, b_after.st_mtime_ns) == (b_before.st_ino, b_before.st_mtime_ns)
    assert planned(segspec, "--target", "a")["a"] == ["no-op"]


def test_replace_glob_selects_for_each_instances(
    root: Path, segspec: Callable[..., Result]
) -> None:
    assert segspec("apply", "--auto-approve", "--target", "ep").code == 0
    assert planned(segspec, "--target", "ep", "--replace", 'ep["?"]') == {
        address: ["delete", "create"] for address in EP
    }
    assert planned(segspec, "--target", "ep", "--replace", 'ep["y"]') == {
        'ep["x"]': ["no-op"],
        'ep["y"]': ["delete", "create"],
        'ep["z"]': ["no-op"],
    }


def test_refresh_only_records_what_the_backend_reports_and_submits_nothing(
    root: Path, segspec: Callable[..., Result]
) -> None:
    assert segspec("apply", "--auto-approve", "--target", "a").code == 0
    # The job finished on the backend, but the state last saw it Created (e.g. --no-wait).
    store = StateStore.open(root / "segspec.state.json")
    record = store.get("a")
    assert record is not None
    store.put(record.model_copy(update={"status": "Created", "outputs": []}))
    store.compact()
    store.close()
    clip = output(root, "a/clip_0.mp4").stat()

    shown = segspec("plan", "--refresh-only")
    assert shown.code == 0
    assert "<= a (read)" in shown.out
    assert "(create)" not in shown.out  # b and ep are new, but nothing is submitted
    assert "Plan: 0 to create, 0 to replace, 0 to delete, 1 to read." in shown.out

    result = segspec("apply", "--refresh-only", "--auto-approve")
    assert result.code == 0, result.err
    assert "Apply complete: 1 finished, 0 failed, 0 forgotten." in result.out
    state = records(root)
    assert list(state) == ["a"]
    assert state["a"]["status"] == "Finished"
    assert [o["object_key"] for o in state["a"]["outputs"]] == ["a/clip_0.mp4"]
    assert state["a"]["job_id"] == record.job_id
    # Collected, not rerun: the clip is the same file.
    after = output(root, "a/clip_0.mp4").stat()
    assert (after.st_ino, after.st_mtime_ns) == (clip.st_ino, clip.st_mtime_ns)
    assert not output(root, "b").exists() and not output(root, "ep").exists()

    nothing = segspec("plan", "--refresh-only")
    assert nothing.out.startswith("Nothing to refresh: no job is running")
