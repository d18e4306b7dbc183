"""Words a reviewer can check for why a job changes (the same words deepdiff gives)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def render_value(value: Any) -> str:
    """Compact rendering: 30.0 → 30, strings quoted, absent as (none)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, sort_keys=True, separators=(", ", ": "))
    return str(value)


def field_path(parts: list[Any], prefix: str = "") -> str:
    """`['JobParams', 'Ranges', 1, 'Out']` → `JobParams.Ranges[1].Out`."""
    out = prefix
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def diff_reasons(
    before: Mapping[str, Any], after: Mapping[str, Any], prefix: str = ""
) -> list[str]:
    """One line per changed leaf: `JobParams.Ranges[1].Out: 30 → 35`, in path order.

    Requests are JSON data, and their usual changes (a value, a key, a list of mappings
    such as Ranges) are walked here directly; only a changed list of plain values, where
    deepdiff matches items as a sequence diff would, is handed to deepdiff (it pulls in
    numpy: ~0.3 s that a plan of one changed job should not pay)."""
    lines: list[tuple[str, str]] = []
    try:
        _walk(dict(before), dict(after), [], prefix, lines)
    except _Sequence:
        lines = _deepdiff_lines(before, after, prefix)
    return [line for _, line in sorted(lines)]


class _Sequence(Exception):
    """A changed list of plain values: deepdiff's sequence matching decides."""


_PLAIN = (str, int, float, bool, type(None))
_DEEPER = 0.33
"""deepdiff's threshold_to_diff_deeper: mappings sharing fewer keys differ as a whole."""


def _walk(a: Any, b: Any, at: list[Any], prefix: str, lines: list[tuple[str, str]]) -> None:
    """deepdiff's tree view of two JSON values, for all but lists of plain values."""
    if isinstance(a, dict) and isinstance(b, dict):
        union = len(a.keys() | b.keys())
        if union > 1 and len(a.keys() & b.keys()) / union < _DEEPER:
            path = field_path(at, prefix)  # too little in common: changed as a whole
            lines.append((path, f"{path}: {render_value(a)} → {render_value(b)}"))
            return
        for key in a.keys() - b.keys():
            path = field_path([*at, key], prefix)
            lines.append((path, f"{path}: removed (was {render_value(a[key])})"))
        for key in b.keys() - a.keys():
            path = field_path([*at, key], prefix)
            lines.append((path, f"{path}: added {render_value(b[key])}"))
        for key in a.keys() & b.keys():
            _walk(a[key], b[key], [*at, key], prefix, lines)
    elif isinstance(a, list) and isinstance(b, list):
        if all(isinstance(x, _PLAIN) for x in a) and all(isinstance(y, _PLAIN) for y in b):
            same = len(a) == len(b) and all(
                type(x) is type(y) and x == y for x, y in zip(a, b, strict=True)
            )
            if same:
                return
            raise _Sequence
        for index, (x, y) in enumerate(zip(a, b, strict=False)):  # in order, as deepdiff
            _walk(x, y, [*at, index], prefix, lines)
        for index in range(len(b), len(a)):
            path = field_path([*at, index], prefix)
            lines.append((path, f"{path}: removed (was {render_value(a[index])})"))
        for index in range(len(a), len(b)):
            path = field_path([*at, index], prefix)
            lines.append((path, f"{path}: added {render_value(b[index])}"))
    elif type(a) is not type(b) or a != b:
        path = field_path(at, prefix)
        lines.append((path, f"{path}: {render_value(a)} → {render_value(b)}"))


def _deepdiff_lines(
    before: Mapping[str, Any], after: Mapping[str, Any], prefix: str
) -> list[tuple[str, str]]:
    from deepdiff import DeepDiff  # imported here: it pulls in numpy

    diff = DeepDiff(dict(before), dict(after), ignore_order=False, verbose_level=2, view="tree")
    lines: list[tuple[str, str]] = []
    for kind, items in diff.items():
        for item in items:
            path = field_path(item.path(output_format="list"), prefix)
            if kind in ("dictionary_item_added", "iterable_item_added"):
                lines.append((path, f"{path}: added {render_value(item.t2)}"))
            elif kind in ("dictionary_item_removed", "iterable_item_removed"):
                lines.append((path, f"{path}: removed (was {render_value(item.t1)})"))
            else:
                lines.append((path, f"{path}: {render_value(item.t1)} → {render_value(item.t2)}"))
    return lines


def human_size(size: int) -> str:
    """Bytes in decimal units with one decimal: 10.2 MB."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def input_reasons(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """Why the input's identity differs, if it does."""
    before, after = before or {}, after or {}
    if after.get("error"):
        return [f"input unavailable: {after['error']}"]
    if before.get("size") is not None and after.get("size") is not None:
        if before["size"] != after["size"]:
            return [
                f"input changed: size {human_size(before['size'])} → {human_size(after['size'])}"
            ]
        if before.get("sha256") != after.get("sha256"):
            old, new = str(before.get("sha256"))[:12], str(after.get("sha256"))[:12]
            return [f"input changed: content sha256 {old}… → {new}… (same size)"]
    if before.get("etag") != after.get("etag") and (before.get("etag") or after.get("etag")):
        return [f"input changed: ETag {before.get('etag')} → {after.get('etag')}"]
    if before.get("error") and not after.get("error"):
        return ["input is now available"]
    return []
