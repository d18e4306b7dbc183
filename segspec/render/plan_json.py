"""The plan as data: a stable, versioned JSON document (schema: schemas/plan.schema.json).

`actions` follows the reviewer's reading: create `["create"]`, replace
`["delete", "create"]`, delete `["delete"]`, read `["read"]`, no-op `["no-op"]`.
Input identities are shown by content (size, sha256, URL), never by local path or mtime,
so the same plan renders the same on every machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from segspec.plan.model import Action, Change, Plan

PLAN_FORMAT_VERSION = 1
ACTIONS: dict[Action, list[str]] = {
    Action.CREATE: ["create"],
    Action.REPLACE: ["delete", "create"],
    Action.DELETE: ["delete"],
    Action.READ: ["read"],
    Action.NOOP: ["no-op"],
}
SHOWN_INPUT_KEYS = ("size", "sha256", "etag", "url", "error")


def _side(side: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if side is None:
        return None
    shown = dict(side)
    if isinstance(shown.get("input"), Mapping):
        shown["input"] = {k: v for k, v in shown["input"].items() if k in SHOWN_INPUT_KEYS}
    return shown


def change_data(change: Change) -> dict[str, Any]:
    return {
        "address": change.address,
        "actions": ACTIONS[change.action],
        "before": _side(change.before),
        "after": _side(change.after),
        "reasons": list(change.reasons),
        "objects": [dict(obj) for obj in change.objects],
        "problems": list(change.problems),
        "shots": change.shots,
    }


def summary(plan: Plan) -> dict[str, int]:
    return {action.value: plan.count(action) for action in Action}


def plan_document(
    plan: Plan,
    *,
    lineage: str | None,
    serial: int,
    specs_digest: str,
    backend: str,
) -> dict[str, Any]:
    """The plan as plain JSON data, in address order."""
    return {
        "format_version": PLAN_FORMAT_VERSION,
        "kind": "segspec-plan",
        "backend": backend,
        "state": {"lineage": lineage, "serial": serial},
        "specs_digest": specs_digest,
        "has_changes": plan.has_changes,
        "summary": summary(plan),
        "changes": [change_data(change) for change in plan.changes],
    }


def render_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "index",
        "bucket",
        "object_key",
        "in",
        "out",
        "duration",
        "first_frame",
        "last_frame",
    ],
    "properties": {
        "index": {"type": "integer", "minimum": 0},
        "bucket": {"type": "string"},
        "object_key": {"type": "string"},
        "in": {"type": "number", "description": "Source time of the first frame (s)."},
        "out": {"type": "number", "description": "Source time the object ends at (s)."},
        "duration": {"type": "number", "minimum": 0},
        "first_frame": {"type": ["integer", "null"], "minimum": 0},
        "last_frame": {"type": ["integer", "null"], "minimum": 0},
    },
}


def plan_schema() -> dict[str, Any]:
    """JSON Schema of `segspec plan --json` (and of saved plan files, which add `saved`)."""
    side = {"type": ["object", "null"], "description": "backend, request, local, input, ..."}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://segspec.invalid/schemas/plan.schema.json",
        "title": "segspec plan",
        "type": "object",
        "required": [
            "format_version",
            "kind",
            "backend",
            "state",
            "specs_digest",
            "has_changes",
            "summary",
            "changes",
        ],
        "additionalProperties": False,
        "properties": {
            "format_version": {"const": PLAN_FORMAT_VERSION},
            "kind": {"const": "segspec-plan"},
            "backend": {"type": "string"},
            "state": {
                "type": "object",
                "required": ["lineage", "serial"],
                "additionalProperties": False,
                "properties": {
                    "lineage": {"type": ["string", "null"]},
                    "serial": {"type": "integer", "minimum": 0},
                },
            },
            "specs_digest": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
            "has_changes": {"type": "boolean"},
            "summary": {
                "type": "object",
                "additionalProperties": False,
                "required": [a.value for a in Action],
                "properties": {a.value: {"type": "integer", "minimum": 0} for a in Action},
            },
            "changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "address",
                        "actions",
                        "before",
                        "after",
                        "reasons",
                        "objects",
                        "problems",
                        "shots",
                    ],
                    "additionalProperties": False,
                    "properties": {
                        "address": {"type": "string"},
                        "actions": {
                            "enum": [list(v) for v in ACTIONS.values()],
                        },
                        "before": side,
                        "after": side,
                        "reasons": {"type": "array", "items": {"type": "string"}},
                        "objects": {
                            "type": "array",
                            "description": "What a create or replace will write (UserDefined).",
                            "items": OBJECT_SCHEMA,
                        },
                        "problems": {
                            "type": "array",
                            "description": "What apply would fail on for this job.",
                            "items": {"type": "string"},
                        },
                        "shots": {
                            "type": ["integer", "null"],
                            "minimum": 0,
                            "description": "Clips a BasicClipSplit job will produce "
                            "(plan --preview-shots), else null.",
                        },
                    },
                },
            },
            "saved": {
                "type": "object",
                "description": "Only in plan files: what `segspec apply FILE` needs.",
            },
        },
    }


def stream_plan_json(
    plan: Plan,
    *,
    lineage: str | None,
    serial: int,
    specs_digest: str,
    backend: str,
    batch: int = 256,
    changes: Iterable[Change] | None = None,
) -> Iterator[str]:
    """`render_json(plan_document(...))` in pieces, one batch of changes at a time, so a
    100,000-job plan is never held as one document or one string (same bytes).

    `changes` (default: the plan's) are the changes to write, in the plan's order; the
    caller may produce them as they are written (see engine.operations.plan.shown_changes)
    while `plan` gives the summary."""
    head = plan_document(
        Plan(()), lineage=lineage, serial=serial, specs_digest=specs_digest, backend=backend
    )
    head["has_changes"], head["summary"] = plan.has_changes, summary(plan)
    text = render_json(head)
    marker = '\n  "changes": []'
    at = text.index(marker) + len(marker) - 2  # keep `"changes": `, stream the array
    yield text[:at]
    if not plan.changes:
        yield "[]"
    else:
        pieces: list[str] = []
        for number, change in enumerate(plan.changes if changes is None else changes):
            item = json.dumps(change_data(change), indent=2, sort_keys=True, ensure_ascii=False)
            pieces.append(("[\n    " if number == 0 else ",\n    ") + item.replace("\n", "\n    "))
            if len(pieces) >= batch:
                yield "".join(pieces)
                pieces = []
        yield "".join(pieces) + "\n  ]"
    yield text[at + 2 :]
