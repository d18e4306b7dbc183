"""Saved plans: `plan --out FILE` writes one; `apply FILE` applies exactly it, or refuses.

A plan file is the JSON plan document (schemas/plan.schema.json) plus a `saved` block with
what apply needs: each change's attempt and desired job, and the variable values used.
Apply refuses a plan made for another state (lineage), against an older state (serial),
from other spec files or variable values (digest), or whose inputs changed since.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from segspec.engine.project import Planned, Project, gather_wants
from segspec.errors import PlanError
from segspec.plan.model import Action, Change, Plan, Want
from segspec.render.plan_json import ACTIONS, PLAN_FORMAT_VERSION, plan_document, render_json
from segspec.spec.variables import VariableInputs
from segspec.state.atomic import write_atomic
from segspec.state.base import State


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    wants: dict[str, Want]
    lineage: str | None
    serial: int
    specs_digest: str
    backend: str
    variables: dict[str, Any]


def save_plan(path: Path, planned: Planned, state: State) -> None:
    """Write `planned` to `path` atomically."""
    document = plan_document(
        planned.plan,
        lineage=state.lineage,
        serial=state.serial,
        specs_digest=planned.specs.digest,
        backend=planned.config.type,
    )
    document["saved"] = {
        "variables": planned.specs.variables,
        "attempts": {c.address: c.attempt for c in planned.plan.changes},
        "full": {c.address: {"before": c.before, "after": c.after} for c in planned.plan.changes},
        "wants": {
            c.address: asdict(planned.wants[c.address])
            for c in planned.plan.changes
            if c.address in planned.wants
        },
    }
    write_atomic(path, render_json(document).encode())


def load_plan_file(path: Path) -> SavedPlan:
    """Read a plan file; refuse what is not one, or of an unknown format version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanError(
            f"{path} is not a readable plan file ({exc}) — make one with `segspec plan --out FILE`"
        ) from exc
    if not isinstance(data, dict) or data.get("kind") != "segspec-plan" or "saved" not in data:
        raise PlanError(
            f"{path} is not a saved segspec plan — make one with `segspec plan --out FILE`"
        )
    if data.get("format_version") != PLAN_FORMAT_VERSION:
        raise PlanError(
            f"{path} has plan format_version {data.get('format_version')!r}; this segspec reads "
            f"{PLAN_FORMAT_VERSION} — make the plan again with this segspec"
        )
    saved: Mapping[str, Any] = data["saved"]
    actions = {tuple(v): k for k, v in ACTIONS.items()}
    changes = tuple(
        Change(
            address=item["address"],
            action=actions[tuple(item["actions"])],
            before=saved["full"][item["address"]]["before"],
            after=saved["full"][item["address"]]["after"],
            reasons=tuple(item["reasons"]),
            attempt=int(saved["attempts"][item["address"]]),
            objects=tuple(item.get("objects", ())),
            problems=tuple(item.get("problems", ())),
            shots=item.get("shots"),
        )
        for item in data["changes"]
    )
    return SavedPlan(
        plan=Plan(changes),
        wants={a: Want(**w) for a, w in saved["wants"].items()},
        lineage=data["state"]["lineage"],
        serial=int(data["state"]["serial"]),
        specs_digest=data["specs_digest"],
        backend=data["backend"],
        variables=dict(saved["variables"]),
    )


def check_current(saved: SavedPlan, project: Project, state: State, path: Path) -> Planned:
    """Verify `saved` still describes the world; return the current specs' view of it.

    Raises `PlanError` naming what moved and the remedy (make a new plan).
    """
    again = f"— run `segspec plan --out {path}` again and review the new plan"
    if saved.lineage is not None and state.lineage != saved.lineage:
        raise PlanError(
            f"{path} was made for another state (lineage {saved.lineage}; "
            f"{state.location} has {state.lineage}) {again}"
        )
    if state.serial != saved.serial or (saved.lineage is None and state.exists):
        raise PlanError(
            f"{path} is stale: the state changed since it was made (serial {saved.serial} → "
            f"{state.serial}) {again}"
        )
    project = project.with_variables(VariableInputs(fixed=saved.variables))
    specs = project.load_specs()
    if specs.digest != saved.specs_digest:
        raise PlanError(f"{path} is stale: the spec files changed since it was made {again}")
    config = project.backend_config(specs)
    if config.type != saved.backend:
        raise PlanError(
            f"{path} was made for the {saved.backend} backend, not {config.type} {again}"
        )
    current = {w.address: w for w in gather_wants(project, specs, config)}
    for change in saved.plan.changes:
        if change.action in (Action.CREATE, Action.REPLACE):
            now = current.get(change.address)
            if now is None or now.fingerprint != saved.wants[change.address].fingerprint:
                raise PlanError(f"{path} is stale: the input of {change.address} changed {again}")
    return Planned(specs=specs, config=config, wants=saved.wants, plan=saved.plan)
