"""The `variables:` blocks of the spec files, collected (each name declared once) and
resolved against the values given from outside (see segspec.spec.variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from segspec.spec.interpolate import UNSET
from segspec.spec.problems import Problems, display_path, report_validation
from segspec.spec.variables import Variable, VariableInputs
from segspec.spec.variables import resolve as resolve_variables
from segspec.spec.yamlpos import Located


def collect_variables(
    parsed: list[tuple[Path, Located]], inputs: VariableInputs, problems: Problems
) -> dict[str, Any]:
    """Collect `variables:` declarations of all files and resolve their values."""
    declared: dict[str, Variable] = {}
    where: dict[str, tuple[Path, tuple[int, int]]] = {}
    for file, located in parsed:
        block = located.data.get("variables") or {}
        if not isinstance(block, dict):
            problems.add(
                file, located.position(("variables",)), ("variables",), "must be a mapping"
            )
            continue
        for name, body in block.items():
            pos = located.position(("variables", name))
            if name in declared:
                first = where[name]
                problems.add(
                    file,
                    pos,
                    ("variables", name),
                    f"already declared at {display_path(first[0])}:{first[1][0]} — keep one",
                )
                continue
            try:
                declared[name] = Variable.model_validate(body if body is not None else {})
            except ValidationError as exc:
                report_validation(file, located, problems, exc, ("variables", name), Variable, ())
                continue
            where[name] = (file, pos)
    values, found = resolve_variables(declared, inputs)
    for name, message in found:
        if name is not None and name in where:
            file, pos = where[name]
            problems.add(file, pos, ("variables", name), message)
        else:
            problems.add(parsed[0][0] if parsed else Path("."), (1, 1), (), message)
    return {name: values.get(name, UNSET) for name in declared}
