"""`${var.NAME}` and `${each.key}` / `${each.value}` in spec string values.

Only `${...}` is ours: the service's own `{index}` placeholder (no `$`) is never touched,
and `$${` writes a literal `${`. A string that is exactly one `${...}` takes the value's
own type (so `Out: ${each.value.out}` stays a number); inside longer text the value is
written as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from segspec.spec.limits import MAX_NODES, MAX_SCALAR_CHARS, Budget
from segspec.spec.yamlpos import Path_

PATTERN = re.compile(r"\$\$\{|\$\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}")
WHOLE = re.compile(r"^\$\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}$")


UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()
"""Value of a declared variable that got no value: its declaration is reported already,
so a use of it fails the job silently instead of reporting it again."""


class _Unset(KeyError):
    pass


@dataclass(frozen=True)
class Problem:
    path: Path_
    message: str
    """Empty when the problem was already reported elsewhere (an unset variable)."""


class Scope:
    """What `${...}` may refer to: `var.*` always, `each.*` inside a for_each job."""

    def __init__(self, variables: Mapping[str, Any], each: tuple[str, Any] | None = None) -> None:
        self.variables = variables
        self.each = each

    def lookup(self, reference: str) -> Any:
        """The value of `reference`; raises KeyError with a remedy when it is unknown."""
        head, _, rest = reference.partition(".")
        if head == "var":
            name, _, tail = rest.partition(".")
            if name not in self.variables:
                known = ", ".join(sorted(self.variables)) or "none declared"
                raise KeyError(
                    f"undefined variable {name!r} — declare it under variables: (declared: "
                    f"{known}) or fix the name"
                )
            if self.variables[name] is UNSET:
                raise _Unset(name)
            return _dig(self.variables[name], tail, reference)
        if head == "each":
            if self.each is None:
                raise KeyError(f"${{{reference}}} is only allowed in a job with for_each")
            attr, _, tail = rest.partition(".")
            if attr == "key":
                return self.each[0]
            if attr == "value":
                return _dig(self.each[1], tail, reference)
            raise KeyError(f"unknown {reference!r} — use each.key or each.value")
        raise KeyError(f"unknown reference ${{{reference}}} — use ${{var.NAME}} or ${{each.key}}")


def _dig(value: Any, tail: str, reference: str) -> Any:
    for part in (p for p in tail.split(".") if p):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(f"{reference!r}: no key {part!r} in the value — check the name")
        value = value[part]
    return value


def size(value: Any) -> int:
    """How many values `value` holds, counting itself (shared parts count once per use)."""
    count, stack = 0, [value]
    while stack:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        if count > MAX_NODES:
            break
    return count


class _TooLong(Exception):
    pass


def interpolate(
    data: Any, scope: Scope, path: Path_ = (), budget: Budget | None = None
) -> tuple[Any, list[Problem]]:
    """Substitute every `${...}` in the string values of `data` (a fresh copy is returned).

    Bounded: a string may not grow past `MAX_SCALAR_CHARS` and all substituted values
    together may not hold more than `MAX_NODES` values, so a few references to a large
    variable cannot blow memory up. `budget` is shared across calls when given.
    """
    problems: list[Problem] = []
    budget = budget if budget is not None else Budget()

    def walk(node: Any, where: Path_) -> Any:
        if isinstance(node, dict):
            return {key: walk(value, (*where, key)) for key, value in node.items()}
        if isinstance(node, list):  # (a for_each of 100,000 plain strings: no call each)
            if set(map(type, node)) <= {str} and "$" not in "".join(node):
                return list(node)  # (nothing to substitute: one pass in C, not one each)
            return [
                walk(item, (*where, i))
                if isinstance(item, (dict, list)) or (isinstance(item, str) and "$" in item)
                else item
                for i, item in enumerate(node)
            ]
        if isinstance(node, str) and "$" in node:
            return _string(node, scope, where, problems, budget)
        return node

    return walk(data, path), problems


def _string(text: str, scope: Scope, where: Path_, problems: list[Problem], budget: Budget) -> Any:
    whole = WHOLE.match(text)
    if whole:
        try:
            value = scope.lookup(whole[1])
            if not budget.spend(size(value)):
                problems.append(
                    Problem(
                        where,
                        f"substituting ${{{whole[1]}}} takes the file past {budget.limit:,} "
                        "values in all — use large values fewer times, or split the file",
                    )
                )
                return text
            return value
        except _Unset:
            problems.append(Problem(where, ""))
            return text
        except KeyError as exc:
            problems.append(Problem(where, str(exc.args[0])))
            return text

    def replace(match: re.Match[str]) -> str:
        if match[0] == "$${":
            return "${"
        try:
            value = scope.lookup(match[1])
        except _Unset:
            problems.append(Problem(where, ""))
            return match[0]
        except KeyError as exc:
            problems.append(Problem(where, str(exc.args[0])))
            return match[0]
        if isinstance(value, (dict, list)):
            problems.append(
                Problem(
                    where,
                    f"${{{match[1]}}} is a {type(value).__name__}; it cannot be "
                    "written inside text — use it as the whole value",
                )
            )
            return match[0]
        written = str(value).lower() if isinstance(value, bool) else str(value)
        length[0] += len(written) - len(match[0])
        if length[0] > MAX_SCALAR_CHARS:
            raise _TooLong
        return written

    length = [len(text)]
    try:
        return PATTERN.sub(replace, text)
    except _TooLong:
        problems.append(
            Problem(
                where,
                f"the text grows past {MAX_SCALAR_CHARS:,} characters once its ${{...}} "
                "references are substituted — use shorter values or fewer references",
            )
        )
        return text
