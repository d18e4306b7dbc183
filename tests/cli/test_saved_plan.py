"""Saved plans: `plan --out FILE`, `apply FILE` (exactly it, or refused if stale), `show FILE`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from segspec.render.plan_json import plan_schema
from tests.cli.conftest import Result

HEAD = """\
version: 1
variables:
  prefix: {default: clips}
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: out}
jobs:
"""


def job(name: str, out: float = 1) -> str:
    return (
        f"  {name}:\n"
        f"    JobParams: {{Mode: UserDefined, Ranges: [{{In: 0, Out: {out}}}]}}\n"
        f'    OutputConfig: {{ObjectKey: "${{var.prefix}}/{name}_{{index}}.mp4"}}\n'
    )


@pytest.fixture
def root(project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    project(HEAD + job("a") + job("b"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_specs(root: Path, text: str) -> None:
    (root / "specs" / "jobs.yaml").write_text(text, encoding="utf-8")


def objects(root: Path, pictures: bool = False) -> list[str]:
    """The clips in the local store (and the pictures beside them, with `pictures`)."""
    base = root / ".segspec" / "objects"
    if not base.exists():
        return []
    found = (p for p in base.rglob("*") if p.is_file() and (pictures or p.suffix != ".jpg"))
    return sorted(str(p.relative_to(base)) for p in found)


def state_json(root: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((root / "segspec.state.json").read_text("utf-8"))
    return data


def jobs(root: Path) -> dict[str, dict[str, object]]:
    data = state_json(root)["jobs"]
    assert isinstance(data, dict)
    return data


def test_saved_plan_apply_applies_exactly_the_planned_changes(
    root: Path, segspec: Callable[..., Result]
) -> None:
    planned = segspec("plan", "--target", "a", "--out", "a.plan")
    assert planned.code == 0
    assert "+ a (create)" in planned.out and " b " not in planned.out
    assert "Saved the plan to a.plan; apply it with: segspec apply a.plan" in planned.out
    assert not (root / "segspec.state.json").exists()

    applied = segspec("apply", "a.plan")
    assert applied.code == 0, applied.err
    assert "Apply complete: 1 finished, 0 failed, 0 forgotten." in applied.out
    # b was in the specs all along but not in the reviewed plan: it is not run.
    assert list(jobs(root)) == ["a"]
    assert objects(root) == ["out/clips/a_0.mp4"]
    assert segspec("plan").out.count("(create)") == 1  # b is still to do


def test_saved_plan_refused_when_a_job_is_added_to_the_specs(
    root: Path, segspec: Callable[..., Result]
) -> None:
    assert segspec("plan", "--out", "p.plan").code == 0
    write_specs(root, HEAD + job("a") + job("b") + job("c"))
    refused = segspec("apply", "p.plan")
    assert refused.code == 1
    assert refused.err == (
        "Error: p.plan is stale: the spec files changed since it was made — run "
        "`segspec plan --out p.plan` again and review the new plan\n"
    )
    assert not (root / "segspec.state.json").exists()
    assert objects(root) == []


@pytest.mark.parametrize(
    "between",
    [
        ("state", "rm", "b"),
        ("apply", "--auto-approve", "--target", "b", "--replace", "b"),
    ],
    ids=["state-rm", "another-apply"],
)
def test_saved_plan_stale_when_state_changed_between_plan_and_apply(
    root: Path, segspec: Callable[..., Result], between: tuple[str, ...]
) -> None:
    assert segspec("apply", "--auto-approve").code == 0
    write_specs(root, HEAD + job("a", out=2) + job("b"))
    assert segspec("plan", "--out", "p.plan").code == 0
    assert segspec(*between).code == 0
    before_state, before_objects = state_json(root), objects(root)
    a_file = root / ".segspec" / "objects" / "out" / "clips" / "a_0.mp4"
    a_stat = a_file.stat()

    refused = segspec("apply", "p.plan")
    assert refused.code == 1
    assert refused.err.startswith("Error: p.plan is stale: the state changed since it was made")
    assert "run `segspec plan --out p.plan` again" in refused.err
    assert "Traceback" not in refused.err
    # Nothing was applied: the state and the outputs are as they were.
    assert state_json(root) == before_state
    assert objects(root) == before_objects
    assert (a_file.stat().st_ino, a_file.stat().st_mtime_ns) == (a_stat.st_ino, a_stat.st_mtime_ns)


def test_saved_plan_refused_for_another_state(root: Path, segspec: Callable[..., Result]) -> None:
    assert segspec("apply", "--auto-approve", "--target", "a").code == 0
    assert segspec("plan", "--out", "p.plan").code == 0
    other = state_json(root)
    other["lineage"] = "00000000-0000-4000-8000-000000000000"
    (root / "other.json").write_text(json.dumps(other), encoding="utf-8")

    refused = segspec("--state", "other.json", "apply", "p.plan")
    assert refused.code == 1
    assert "p.plan was made for another state (lineage " in refused.err
    assert "other.json has 00000000-0000-4000-8000-000000000000" in refused.err
    assert list(json.loads((root / "other.json").read_text("utf-8"))["jobs"]) == ["a"]
    assert objects(root) == ["out/clips/a_0.mp4"]


def test_saved_plan_refused_when_an_input_changed(
    root: Path, segspec: Callable[..., Result]
) -> None:
    assert segspec("plan", "--out", "p.plan").code == 0
    media = root / "specs" / "media" / "numbered.mp4"
    media.write_bytes(media.read_bytes() + b"\0" * 16)
    refused = segspec("apply", "p.plan")
    assert refused.code == 1
    assert "p.plan is stale: the input of a changed" in refused.err
    assert objects(root) == []


def test_saved_plan_keeps_its_variable_values(root: Path, segspec: Callable[..., Result]) -> None:
    assert segspec("plan", "--var", "prefix=reviewed", "--out", "p.plan").code == 0
    # apply FILE takes no --var: it uses the values the plan was made with.
    assert segspec("apply", "p.plan").code == 0
    assert objects(root) == ["out/reviewed/a_0.mp4", "out/reviewed/b_0.mp4"]


def test_saved_plan_apply_with_target_refused(root: Path, segspec: Callable[..., Result]) -> None:
    assert segspec("plan", "--out", "p.plan").code == 0
    for extra in (("--target", "a"), ("--replace", "a"), ("--var", "prefix=x")):
        refused = segspec("apply", "p.plan", *extra)
        assert refused.code == 1
        assert "a saved plan already fixes targets, replacements and variables" in refused.err
    assert objects(root) == []


def test_saved_plan_show_renders_it(root: Path, segspec: Callable[..., Result]) -> None:
    planned = segspec("plan", "--out", "p.plan")
    shown = segspec("show", "p.plan")
    assert shown.code == 0
    assert shown.out == planned.out.split("Saved the plan")[0]
    assert "+ a (create)" in shown.out and "Plan: 2 to create" in shown.out


def test_saved_plan_file_is_versioned_and_valid(root: Path, segspec: Callable[..., Result]) -> None:
    assert segspec("plan", "--out", "p.plan").code == 0
    document = json.loads((root / "p.plan").read_text("utf-8"))
    jsonschema.Draft202012Validator(plan_schema()).validate(document)
    assert document["format_version"] == 1 and document["state"] == {
        "lineage": None,
        "serial": 0,
    }
    document["format_version"] = 99
    (root / "future.plan").write_text(json.dumps(document), encoding="utf-8")
    refused = segspec("apply", "future.plan")
    assert refused.code == 1
    assert "future.plan has plan format_version 99; this segspec reads 1" in refused.err

    (root / "specs.plan").write_text('{"version": 1}', encoding="utf-8")
    refused = segspec("apply", "specs.plan")
    assert refused.code == 1
    assert "specs.plan is not a saved segspec plan" in refused.err


def test_saved_plan_made_before_any_state_is_stale_once_one_exists(
    root: Path, segspec: Callable[..., Result]
) -> None:
    assert segspec("plan", "--out", "p.plan").code == 0
    assert segspec("apply", "--auto-approve", "--target", "b").code == 0
    refused = segspec("apply", "p.plan")
    assert refused.code == 1
    assert "p.plan is stale: the state changed since it was made (serial 0 → " in refused.err
    assert list(jobs(root)) == ["b"]
