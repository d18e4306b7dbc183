"""`plan --json` plans unchanged jobs from summaries and loads them a few at a time while
it writes: the document is byte for byte the one a plan of every job in full gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import segspec.engine.operations.plan as plan_operation
from segspec.cli.main import entrypoint
from segspec.engine.events import ignore
from segspec.engine.operations.plan import make_plan
from segspec.engine.project import PlanOptions, Project
from segspec.plan.model import Action
from segspec.render.plan_json import plan_document, render_json
from tests.engine.test_settled import applied

__all__ = ["applied"]  # the fixture: four jobs really applied on the local engine


def full_document(root: Path) -> str:
    """The plan with every job loaded in full (what `plan --json` used to build)."""
    outcome = make_plan(Project.locate(root / "specs", None), PlanOptions(), ignore, full=True)
    assert all(c.before is not None for c in outcome.planned.plan.changes if c.address != "new")
    return render_json(
        plan_document(
            outcome.planned.plan,
            lineage=outcome.lineage,
            serial=outcome.serial,
            specs_digest=outcome.planned.specs.digest,
            backend=outcome.planned.config.type,
        )
    )


@pytest.mark.parametrize("at_once", [1, 2, 256])
def test_streamed_json_is_the_full_plan(
    applied: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    at_once: int,
) -> None:
    spec = applied / "specs" / "jobs.yaml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace("{In: 1, Out: 1.5}", "{In: 1, Out: 1.25}")  # beta: replaced
    text += (
        "  new:\n"
        "    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 0.25}]}\n"
        '    OutputConfig: {ObjectKey: "new/clip_{index}.mp4"}\n'
    )
    spec.write_text(text, encoding="utf-8")
    monkeypatch.setattr(plan_operation, "SHOWN_AT_ONCE", at_once)
    capsys.readouterr()
    assert entrypoint(["--no-color", "plan", "--json"]) == 0
    streamed = capsys.readouterr().out
    assert streamed == full_document(applied)
    outcome = make_plan(Project.locate(applied / "specs", None), PlanOptions(), ignore)
    actions = {c.address: c.action for c in outcome.planned.plan.changes}
    assert actions == {
        "alpha": Action.NOOP,
        "beta": Action.REPLACE,
        "delta": Action.NOOP,
        "gamma": Action.NOOP,
        "new": Action.CREATE,
    }
    settled = [c for c in outcome.planned.plan.changes if c.before is None and c.after is None]
    assert [c.address for c in settled] == ["alpha", "delta", "gamma"]  # planned cheaply


def test_no_op_json_is_the_full_plan(applied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert entrypoint(["--no-color", "plan", "--json"]) == 0
    assert capsys.readouterr().out == full_document(applied)
