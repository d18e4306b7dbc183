"""Variables: declared in specs, set by --var, --var-file or SEGSPEC_VAR_<NAME>.

Precedence, lowest first: the declared default, the environment, var files (in order),
then --var flags. Values from text (flags, environment) are converted to the declared
`type` (or the default's type); a variable with no value anywhere is an error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from segspec.errors import SpecError
from segspec.spec.limits import LimitError
from segspec.spec.yamlpos import YamlSyntaxError, read_yaml

ENV_PREFIX = "SEGSPEC_VAR_"
VarType = Literal["string", "number", "integer", "boolean", "list", "map"]


class Variable(BaseModel):
    """One declared variable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: VarType | None = Field(default=None, description="Value type; default: the default's.")
    default: Any = Field(default=None, description="Value when nothing else sets it.")
    description: str | None = None


@dataclass(frozen=True)
class VariableInputs:
    """Values supplied from outside the specs."""

    flags: Mapping[str, str] = field(default_factory=dict)
    files: Sequence[Path] = ()
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    fixed: Mapping[str, Any] | None = None
    """Exact values (a saved plan's); when set, nothing else is consulted."""

    @classmethod
    def parse_flags(cls, pairs: Sequence[str], files: Sequence[Path]) -> VariableInputs:
        flags: dict[str, str] = {}
        for pair in pairs:
            name, sep, value = pair.partition("=")
            if not sep or not name:
                raise SpecError([f"--var {pair!r}: write it as --var NAME=VALUE"])
            flags[name.strip()] = value
        return cls(flags=flags, files=tuple(files))


def _type_of(var: Variable) -> VarType:
    if var.type:
        return var.type
    match var.default:
        case bool():
            return "boolean"
        case int():
            return "integer"
        case float():
            return "number"
        case list():
            return "list"
        case dict():
            return "map"
    return "string"


def convert(name: str, text: str, var: Variable, origin: str) -> Any:
    """A textual value converted to the variable's type; raises ValueError with a remedy."""
    kind = _type_of(var)
    if kind == "string":
        return text
    try:
        value = read_yaml(text).data if kind in ("list", "map", "boolean") else None
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except (ValueError, YamlSyntaxError, LimitError):
        value = None
    expected = {"boolean": bool, "list": list, "map": dict}.get(kind)
    if expected is not None and isinstance(value, expected):
        return value
    raise ValueError(
        f"{origin} sets {name} to {text!r}, which is not {_article(kind)} — fix the value"
    )


def resolve(
    declared: Mapping[str, Variable], inputs: VariableInputs
) -> tuple[dict[str, Any], list[tuple[str | None, str]]]:
    """Final values of the declared variables, and (variable name or None, message) problems."""
    problems: list[tuple[str | None, str]] = []
    if inputs.fixed is not None:
        return {n: inputs.fixed[n] for n in declared if n in inputs.fixed}, [
            (n, "has no value in the saved plan — make a new plan")
            for n in declared
            if n not in inputs.fixed
        ]
    values: dict[str, Any] = {n: v.default for n, v in declared.items() if v.default is not None}
    for key, text in inputs.environ.items():
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :] in declared:
            name = key[len(ENV_PREFIX) :]
            try:
                values[name] = convert(name, text, declared[name], f"environment {key}")
            except ValueError as exc:
                problems.append((name, str(exc)))
    for file in inputs.files:
        values.update(_read_var_file(file, declared, problems))
    for name, text in inputs.flags.items():
        if name not in declared:
            problems.append(
                (
                    None,
                    f"--var {name}=...: no variable {name!r} is declared — declare it "
                    "under variables: in a spec file",
                )
            )
            continue
        try:
            values[name] = convert(name, text, declared[name], f"--var {name}")
        except ValueError as exc:
            problems.append((name, str(exc)))
    for name in declared:
        if name not in values:
            problems.append(
                (
                    name,
                    f"has no value — set it with --var {name}=VALUE, a --var-file, or "
                    f"{ENV_PREFIX}{name}, or give it a default",
                )
            )
    return values, problems


def _read_var_file(
    file: Path, declared: Mapping[str, Variable], problems: list[tuple[str | None, str]]
) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8")
        data = json.loads(text) if file.suffix == ".json" else read_yaml(text).data
    except (OSError, ValueError, RecursionError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        problems.append((None, f"{file}: cannot read the var file ({reason}) — check it"))
        return {}
    except (YamlSyntaxError, LimitError) as exc:
        where = f"{file}:{exc.pos[0]}:{exc.pos[1]}"
        problems.append((None, f"{where}: cannot read the var file ({exc.message}) — fix it"))
        return {}
    if not isinstance(data, dict):
        problems.append((None, f"{file}: a var file is a mapping of NAME: value — fix it"))
        return {}
    for name in data:
        if name not in declared:
            problems.append(
                (
                    None,
                    f"{file}: {name}: no variable {name!r} is declared — remove it or "
                    "declare it under variables:",
                )
            )
    return {k: v for k, v in data.items() if k in declared}


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
