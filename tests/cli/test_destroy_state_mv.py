"""destroy, lifecycle.prune_outputs and state mv on the local engine."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Result

HEAD = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: out}
jobs:
"""


def job(name: str, key: str, ranges: int = 1, extra: str = "") -> str:
    cuts = ", ".join(f"{{In: {i}, Out: {i + 1}}}" for i in range(ranges))
    return (
        f"  {name}:\n"
        f"    JobParams: {{Mode: UserDefined, Ranges: [{cuts}]}}\n"
        f'    OutputConfig: {{ObjectKey: "{key}/clip_{{index}}.mp4"}}\n'
        f"{extra}"
    )


@pytest.fixture
def make(
    project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        project(HEAD + text)
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return write


def objects(root: Path, pictures: bool = False) -> list[str]:
    """The clips in the local store (and the pictures beside them, with `pictures`)."""
    base = root / ".segspec" / "objects"
    found = (p for p in base.rglob("*") if p.is_file() and (pictures or p.suffix != ".jpg"))
    return sorted(str(p.relative_to(base)) for p in found)


def records(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "segspec.state.json").read_text("utf-8"))["jobs"]
    return data


def test_destroy_target_deletes_outputs_and_forgets_the_job(
    make: Callable[[str], Path], segspec: Callable[..., Result]
) -> None:
    root = make(job("a", "a", ranges=2) + job("b", "b"))
    assert segspec("apply", "--auto-approve").code == 0
    assert objects(root) == ["out/a/clip_0.mp4", "out/a/clip_1.mp4", "out/b/clip_0.mp4"]
    b_record = records(root)["b"]

    result = segspec("destroy", "--target", "a", "--auto-approve")
    assert result.code == 0, result.err
    assert "  - a (delete)\n" in result.out and " b (" not in result.out
    assert "- a: 2 output objects deleted, job forgotten" in result.out
    assert objects(root, pictures=True) == ["out/b/clip_0.mp4", "out/b/clip_first-last-frames.jpg"]
    assert not (root / ".segspec" / "objects" / "out" / "a").exists()  # emptied dirs go too
    assert records(root) == {"b": b_record}
    # a is still in the specs: the next plan creates it again; b is untouched.
    shown = segspec("plan")
    assert "  + a (create)\n      new job\n" in shown.out
    assert "Plan: 1 to create, 0 to replace, 0 to delete." in shown.out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_destroy_needs_confirmation(
    make: Callable[[str], Path], segspec: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make(job("a", "a"))
    assert segspec("apply", "--auto-approve").code == 0
    before = records(root)
    refused = segspec("destroy")  # stdin is not a terminal under pytest
    assert refused.code == 1
    assert refused.err == (
        "Error: destroy needs confirmation but there is no terminal to ask on — review the "
        "plan above and pass --auto-approve\n"
    )
    assert objects(root) == ["out/a/clip_0.mp4"]
    assert records(root) == before

    # On a terminal only "yes" goes ahead.
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    cancelled = segspec("destroy")
    assert cancelled.code == 1
    assert "Destroy these changes? Only 'yes' is accepted" in cancelled.out
    assert cancelled.err == "Error: destroy cancelled; nothing was changed\n"
    assert objects(root) == ["out/a/clip_0.mp4"]
    assert records(root) == before

    missing = segspec("destroy", "--target", "nope", "--auto-approve")
    assert missing.code == 1
    assert "--target 'nope' matches no recorded job" in missing.err
    assert objects(root) == ["out/a/clip_0.mp4"]

    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    confirmed = segspec("destroy")
    assert confirmed.code == 0, confirmed.err
    assert "      destroy: delete its 1 output object and forget the job\n" in confirmed.out
    assert "- a: 1 output object deleted, job forgotten" in confirmed.out
    assert confirmed.out.endswith("Destroy complete: 1 job destroyed.\n")
    assert objects(root) == []


def test_destroy_everything(make: Callable[[str], Path], segspec: Callable[..., Result]) -> None:
    root = make(job("a", "a") + job("b", "b"))
    assert segspec("apply", "--auto-approve").code == 0
    assert segspec("destroy", "--auto-approve").code == 0
    assert objects(root) == []
    assert records(root) == {}
    assert segspec("destroy", "--auto-approve").out.startswith("No changes.")


def test_prune_outputs_deletes_outputs_of_a_job_removed_from_specs(
    make: Callable[[str], Path], segspec: Callable[..., Result]
) -> None:
    prune = "    lifecycle: {prune_outputs: true}\n"
    root = make(job("a", "a", ranges=2, extra=prune) + job("b", "b") + job("c", "c"))
    assert segspec("apply", "--auto-approve").code == 0
    (root / "specs" / "jobs.yaml").write_text(HEAD + job("c", "c"), encoding="utf-8")

    shown = segspec("plan")
    assert shown.out == (
        "segspec will perform these actions:\n"
        "\n"
        "  - a (delete)\n"
        "      no longer in the specs; lifecycle.prune_outputs deletes its 2 output objects\n"
        "  - b (delete)\n"
        "      no longer in the specs; its 1 output object stays\n"
        "\n"
        "Plan: 0 to create, 0 to replace, 2 to delete.\n"
    )
    result = segspec("apply", "--auto-approve")
    assert result.code == 0, result.err
    assert "- a deleted: 2 output objects deleted (lifecycle.prune_outputs)" in result.out
    assert "Apply complete: 0 finished, 0 failed, 2 forgotten." in result.out
    # a's outputs are gone; b did not opt in, so its output stays (only forgotten).
    assert objects(root) == ["out/b/clip_0.mp4", "out/c/clip_0.mp4"]
    assert list(records(root)) == ["c"]


@pytest.mark.parametrize("new", ["renamed", 'ep["one"]'])
def test_state_mv_then_rename_in_specs_is_not_a_rerun(
    make: Callable[[str], Path], segspec: Callable[..., Result], new: str
) -> None:
    root = make(job("old", "shared"))
    assert segspec("apply", "--auto-approve").code == 0
    clip = root / ".segspec" / "objects" / "out" / "shared" / "clip_0.mp4"
    stat, before = clip.stat(), records(root)["old"]
    if new == "renamed":
        renamed = job("renamed", "shared")
    else:
        renamed = job("ep", "shared", extra="    for_each: [one]\n")
    (root / "specs" / "jobs.yaml").write_text(HEAD + renamed, encoding="utf-8")
    assert "Plan: 1 to create, 0 to replace, 1 to delete." in segspec("plan").out

    moved = segspec("state", "mv", "old", new)
    assert moved.code == 0, moved.err
    assert moved.out == f"Moved old to {new} in the state.\n"
    assert segspec("plan", "--detailed-exitcode").code == 0
    assert segspec("apply", "--auto-approve").out.startswith("No changes.")
    after = records(root)
    assert list(after) == [new]
    assert after[new] == {**before, "address": new}
    assert (clip.stat().st_ino, clip.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)


def test_state_mv_refuses_an_existing_or_unknown_name(
    make: Callable[[str], Path], segspec: Callable[..., Result]
) -> None:
    root = make(job("a", "a") + job("b", "b"))
    assert segspec("apply", "--auto-approve").code == 0
    before = (root / "segspec.state.json").read_bytes()

    onto = segspec("state", "mv", "a", "b")
    assert onto.code == 1
    assert "'b' is already in the state — remove it first (`segspec state rm b`)" in onto.err
    unknown = segspec("state", "mv", "nope", "c")
    assert unknown.code == 1
    assert "no job 'nope' in " in unknown.err
    assert (root / "segspec.state.json").read_bytes() == before


def test_destroy_takes_variable_values_the_specs_need(
    project: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    segspec: Callable[..., Result],
) -> None:
    spec = HEAD.replace("jobs:\n", "variables:\n  prefix: {}\njobs:\n") + job("a", "${var.prefix}")
    project(spec)
    monkeypatch.chdir(tmp_path)
    assert segspec("apply", "--auto-approve", "--var", "prefix=p").code == 0
    assert objects(tmp_path) == ["out/p/clip_0.mp4"]

    refused = segspec("destroy", "--auto-approve")
    assert refused.code == 1
    assert "variables.prefix: has no value — set it with --var prefix=VALUE" in refused.err
    assert objects(tmp_path) == ["out/p/clip_0.mp4"]

    assert segspec("destroy", "--auto-approve", "--var", "prefix=p").code == 0
    assert objects(tmp_path) == []
    assert records(tmp_path) == {}
