"""Turn pydantic validation errors into sentences that name the remedy.

The loader adds `file:line:col: path:` in front; this module only words the problem.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

_KINDS = {
    "string_type": "a string",
    "float_type": "a number",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "list_type": "a list",
    "int_from_float": "a whole number",
}


def fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The field names allowed at `loc` inside `model` (empty if `loc` leaves the models)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if _is_model(current) else None
        if field is None:
            return []
        current = _model_in(field.annotation)
        if current is None:
            return []
    return list(current.model_fields) if _is_model(current) else []


def _is_model(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if _is_model(annotation):
        return annotation  # type: ignore[no-any-return]
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def suggest(word: str, candidates: list[str]) -> str | None:
    """The closest candidate to a misspelt `word`, case-insensitively, or None."""
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def describe(value: Any) -> str:
    """A short rendering of a user's value for a message."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null (empty)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def word_error(model: type[BaseModel], err: ErrorDetails) -> str:
    """One sentence, ending in a remedy, for one pydantic error at `err['loc']`."""
    loc = tuple(err["loc"])
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    given = err.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = fields_at(model, loc[:-1])
        hint = suggest(key, allowed)
        if hint:
            return f"unknown key {key!r} — did you mean {hint!r}?"
        return f"unknown key {key!r} — remove it (allowed here: {', '.join(allowed)})"
    if kind == "missing":
        return f"required key {loc[-1]!r} is missing — add it"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        options = [o.strip().strip("'") for o in expected.split(",") if o.strip()]
        hint = suggest(str(given), options) if isinstance(given, str) else None
        tail = f" — did you mean {hint!r}?" if hint else f" — use one of {expected}"
        return f"must be one of {expected}, got {describe(given)}{tail}"
    if kind in _KINDS:
        return f"must be {_KINDS[kind]}, got {describe(given)} — write {_KINDS[kind]} here"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": ("greater than", "gt"),
            "greater_than_equal": ("at least", "ge"),
            "less_than": ("less than", "lt"),
            "less_than_equal": ("at most", "le"),
        }[kind]
        return f"must be {words[0]} {ctx.get(words[1])}, got {describe(given)} — change the value"
    if kind in ("literal_error", "enum"):
        return f"{err['msg']} — change the value"
    if kind.startswith("value_error") or " — " in err["msg"]:
        return str(err["msg"])
    return f"{err['msg'][:1].lower()}{err['msg'][1:]} — check the value"
