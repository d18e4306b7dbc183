"""The JSON-lines event stream of `apply/destroy/refresh --json` and its JSON Schema.

The first line is `{"type": "version", "segspec": ..., "stream_version": 1, ...}`; then
one object per event with its `type`, an ISO-8601 UTC `timestamp` and the event's fields
(a plan as `changes` with address, actions and reasons, and `summary` counts). The schema
(schemas/events.schema.json) is generated from the event classes, so they cannot drift.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, datetime
from typing import Any

from segspec.engine.events import EVENT_TYPES, Event, PlanReady
from segspec.plan.model import Action
from segspec.render.plan_json import ACTIONS

STREAM_VERSION = 1


def timestamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def version_line(version: str, at: float) -> dict[str, Any]:
    return {
        "type": "version",
        "timestamp": timestamp(at),
        "segspec": version,
        "stream_version": STREAM_VERSION,
    }


def event_data(event: Event) -> dict[str, Any]:
    """One event as the JSON object of its line."""
    data: dict[str, Any] = {"type": event.type, "timestamp": timestamp(event.at)}
    if isinstance(event, PlanReady):
        changes = [c for c in event.plan.changes if c.action is not Action.NOOP]
        counts = {a.value: 0 for a in Action if a is not Action.NOOP}
        for change in changes:
            counts[change.action.value] += 1
        data.update(
            operation=event.operation,
            refresh_only=event.refresh_only,
            changes=[
                {"address": c.address, "actions": ACTIONS[c.action], "reasons": list(c.reasons)}
                for c in changes
            ],
            summary=counts,
        )
        return data
    for item in dataclasses.fields(event):
        if item.name == "at":
            continue
        value = getattr(event, item.name)
        if item.name == "failed":
            value = [{"address": a, "reason": r} for a, r in value]
        elif isinstance(value, tuple):
            value = list(value)
        data[item.name] = value
    return data


def render_line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, allow_nan=False)


_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
}


def _schema_of(hint: Any, name: str) -> dict[str, Any]:
    if name == "failed":
        return {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["address", "reason"],
                "properties": {"address": {"type": "string"}, "reason": {"type": "string"}},
            },
        }
    if hint in _SCALARS:
        return dict(_SCALARS[hint])
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return {"anyOf": [_schema_of(arg, name) for arg in typing.get_args(hint)]}
    if origin is tuple:
        return {"type": "array", "items": _schema_of(typing.get_args(hint)[0], name)}
    raise TypeError(f"no JSON schema for {hint!r} ({name}) — extend events_json._schema_of")


def _plan_schema() -> dict[str, Any]:
    return {
        "operation": {"type": "string"},
        "refresh_only": {"type": "boolean"},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["address", "actions", "reasons"],
                "properties": {
                    "address": {"type": "string"},
                    "actions": {"type": "array", "items": {"type": "string"}},
                    "reasons": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "summary": {
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "required": [a.value for a in Action if a is not Action.NOOP],
        },
    }


def events_schema() -> dict[str, Any]:
    """The schema one line of the stream validates against."""
    variants: list[dict[str, Any]] = [
        {
            "title": "version",
            "type": "object",
            "additionalProperties": False,
            "required": ["type", "timestamp", "segspec", "stream_version"],
            "properties": {
                "type": {"const": "version"},
                "timestamp": {"type": "string", "format": "date-time"},
                "segspec": {"type": "string"},
                "stream_version": {"const": STREAM_VERSION},
            },
        }
    ]
    for cls in EVENT_TYPES:
        if cls is PlanReady:
            fields = _plan_schema()
        else:
            hints = typing.get_type_hints(cls)
            fields = {
                f.name: _schema_of(hints[f.name], f.name)
                for f in dataclasses.fields(cls)
                if f.name != "at"
            }
        variants.append(
            {
                "title": cls.type,
                "description": (cls.__doc__ or "").strip().replace("\n    ", " "),
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "timestamp", *fields],
                "properties": {
                    "type": {"const": cls.type},
                    "timestamp": {"type": "string", "format": "date-time"},
                    **fields,
                },
            }
        )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://segspec.invalid/schemas/events.schema.json",
        "title": "segspec event stream line (apply/destroy/refresh --json)",
        "oneOf": variants,
    }
