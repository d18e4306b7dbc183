"""JSON Schemas generated from the models, committed under schemas/.

Regenerate with `python -m segspec.schemas` (a test fails when the committed files differ).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from segspec.spec.models import BackendConfig, JobBody, StateConfig
from segspec.spec.variables import Variable
from segspec.state.model import StateFile

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _partial(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema with nothing required (for `defaults:`, merged into each job)."""
    result = copy.deepcopy(schema)

    def strip(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("required", None)
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(result)
    return result


INTERPOLATION = {
    "type": "string",
    "pattern": r"^\$\{[^{}]+\}$",
    "description": "A whole-value ${var.NAME} or ${each...} reference: segspec resolves it "
    "(keeping the variable's type) before checking the value.",
}
SCALAR_TYPES = frozenset({"integer", "number", "boolean"})
OUTSIDE_KEYS = ("default", "description", "examples", "title")


def _allow_references(node: Any) -> Any:
    """Let every number, boolean and enumerated value also be a `${...}` reference.

    `segspec validate` resolves variables before checking types, so `Width: "${var.width}"`
    is valid; the editor schema must not flag it either.
    """
    if isinstance(node, list):
        return [_allow_references(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _allow_references(value) for key, value in node.items()}
    kind = node.get("type")
    if (isinstance(kind, str) and kind in SCALAR_TYPES) or "enum" in node:
        outside = {key: node.pop(key) for key in OUTSIDE_KEYS if key in node}
        return {**outside, "anyOf": [node, {"$ref": "#/$defs/Interpolation"}]}
    return node


def spec_schema() -> dict[str, Any]:
    job = JobBody.model_json_schema(ref_template="#/$defs/{model}")
    defs = job.pop("$defs", {})
    backend = BackendConfig.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(backend.pop("$defs", {}))
    defs["JobBody"] = job
    defs["BackendConfig"] = backend
    defs["StateConfig"] = StateConfig.model_json_schema()
    defs["Variable"] = Variable.model_json_schema()
    job["properties"]["for_each"] = {
        "description": "Make one job per entry: a map (key: value) or a list of strings; "
        'use ${each.key} and ${each.value} in string values. Addresses become NAME["key"].',
        "type": ["object", "array", "string"],
    }
    partial_defs = {f"Partial{name}": _partial(body) for name, body in defs.items()}
    partial_text = json.dumps(partial_defs)
    for name in defs:
        partial_text = partial_text.replace(f'"#/$defs/{name}"', f'"#/$defs/Partial{name}"')
    defs.update(json.loads(partial_text))
    defs = {name: _allow_references(body) for name, body in defs.items()}
    defs["Interpolation"] = INTERPOLATION
    return {
        "$schema": DIALECT,
        "$id": "https://segspec.invalid/schemas/spec.schema.json",
        "title": "segspec spec file",
        "description": "Segmentation jobs in the service's own parameter names.",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "jobs"],
        "properties": {
            "version": {"const": 1, "description": "Spec format version."},
            "engine": {"$ref": "#/$defs/BackendConfig", "description": "Where jobs run."},
            "backend": {
                "$ref": "#/$defs/BackendConfig",
                "description": "Deprecated: the old name of engine:.",
                "deprecated": True,
            },
            "state": {"$ref": "#/$defs/StateConfig", "description": "Where the state lives."},
            "variables": {
                "type": "object",
                "description": "Variables for ${var.NAME}; set with --var, --var-file or "
                "SEGSPEC_VAR_NAME.",
                "additionalProperties": {"$ref": "#/$defs/Variable"},
            },
            "defaults": {
                "$ref": "#/$defs/PartialJobBody",
                "description": "Deep-merged into every job of this file.",
            },
            "jobs": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_-]*$"},
                # Required keys may come from `defaults:`, which a JSON Schema cannot see;
                # `segspec validate` checks them. Editors still check names and types.
                "additionalProperties": {"$ref": "#/$defs/PartialJobBody"},
            },
        },
        "$defs": dict(sorted(defs.items())),
    }


def state_schema() -> dict[str, Any]:
    schema = StateFile.model_json_schema()
    return {
        "$schema": DIALECT,
        "$id": "https://segspec.invalid/schemas/state.schema.json",
        **schema,
    }


def plan_schema() -> dict[str, Any]:
    from segspec.render.plan_json import plan_schema as build

    return build()


def events_schema() -> dict[str, Any]:
    from segspec.render.events_json import events_schema as build

    return build()


SCHEMAS = {
    "spec.schema.json": spec_schema,
    "state.schema.json": state_schema,
    "plan.schema.json": plan_schema,
    "events.schema.json": events_schema,
}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    from segspec.state.atomic import write_atomic

    written = []
    for name, build in SCHEMAS.items():
        write_atomic(directory / name, render(build()).encode())
        written.append(directory / name)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(f"wrote {path}", file=sys.stderr)
