"""Committed JSON Schemas match the models, and real files validate against them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from segspec.backends.fake import FakeBackend
from segspec.engine.apply import ApplyOptions, apply_plan
from segspec.plan.model import Facts, Want
from segspec.plan.planner import plan
from segspec.schemas import SCHEMA_DIR, SCHEMAS, render
from segspec.state.store import StateStore
from tests.conftest import REPO


def committed(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_committed_equal_generated(name: str) -> None:
    assert SCHEMA_DIR == REPO / "schemas"
    generated = render(SCHEMAS[name]())
    assert (SCHEMA_DIR / name).read_text(encoding="utf-8") == generated, (
        f"schemas/{name} is stale — regenerate with `python -m segspec.schemas` and commit it"
    )


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(committed(name))


def example_specs() -> list[Path]:
    return sorted((REPO / "specs").glob("*.yaml"))


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.name)
def test_schemas_example_specs_validate(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(committed("spec.schema.json")).validate(data)


def test_schemas_spec_schema_rejects_typo() -> None:
    data = yaml.safe_load((REPO / "specs" / "sample.yaml").read_text(encoding="utf-8"))
    data["jobs"]["highlights"]["OutputConfig"]["Objectkey"] = "x_{index}.mp4"
    validator = jsonschema.Draft202012Validator(committed("spec.schema.json"))
    assert not validator.is_valid(data)


def test_schemas_state_written_by_apply_validates(tmp_path: Path) -> None:
    request = {
        "InputConfig": {"Type": "OSS", "Media": "oss://in-bucket/a.mp4"},
        "JobParams": {"Mode": "UserDefined", "Ranges": [{"In": 0.0, "Out": 1.0}]},
        "OutputConfig": {
            "OutputMediaTarget": "oss-object",
            "Bucket": "clips",
            "ObjectKey": "c_{index}.mp4",
            "ExportAsNewMedia": True,
        },
    }
    wants = {
        name: Want(name, "fake", request, {}, {"size": 1, "sha256": "00"}, f"sha256:{name}")
        for name in ("ok", "broken")
    }
    store = StateStore.open(tmp_path / "segspec.state.json")
    backend = FakeBackend(fail={"broken": "bad input"})
    planned = plan(wants.values(), store.jobs, Facts())
    report = apply_plan(planned, wants, store, backend, ApplyOptions(), lambda event: None)
    store.compact()
    assert report.finished == ["ok"] and list(report.failed) == ["broken"]
    state = json.loads(store.path.read_text(encoding="utf-8"))
    assert {job["status"] for job in state["jobs"].values()} == {"Finished", "Failed"}
    jsonschema.Draft202012Validator(committed("state.schema.json")).validate(state)
