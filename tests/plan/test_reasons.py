"""`diff_reasons` walks JSON data itself and gives deepdiff's words (checked against it)."""

from __future__ import annotations

import random
import subprocess
import sys
from typing import Any

from segspec.plan import reasons
from segspec.plan.reasons import diff_reasons


def _deepdiff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [line for _, line in sorted(reasons._deepdiff_lines(before, after, ""))]


def _value(rnd: random.Random, depth: int) -> Any:
    roll = rnd.random()
    if depth > 2 or roll < 0.5:
        return rnd.choice([0, 1, 30, 30.0, 0.6, "a", "b", True, False, None, "30"])
    if roll < 0.75:
        return {rnd.choice("xyz"): _value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))}
    return [
        {rnd.choice("io"): _value(rnd, depth + 1)} if rnd.random() < 0.7 else _value(rnd, depth)
        for _ in range(rnd.randint(0, 3))
    ]


def _mutate(rnd: random.Random, value: Any, depth: int = 0) -> Any:
    if isinstance(value, dict):
        out = {k: _mutate(rnd, v, depth + 1) if rnd.random() < 0.3 else v for k, v in value.items()}
        if rnd.random() < 0.2:
            out[rnd.choice("xyzw")] = _value(rnd, depth + 1)
        if out and rnd.random() < 0.2:
            out.pop(rnd.choice(list(out)))
        return out
    if isinstance(value, list):
        items = [_mutate(rnd, v, depth + 1) if rnd.random() < 0.3 else v for v in value]
        if rnd.random() < 0.2:
            items.append(_value(rnd, depth + 1))
        if items and rnd.random() < 0.2:
            items.pop()
        return items
    return _value(rnd, depth) if rnd.random() < 0.5 else value


def test_same_words_as_deepdiff_on_random_json() -> None:
    rnd = random.Random(10)
    changed = 0
    for _ in range(3000):
        before = {key: _value(rnd, 1) for key in "ABC"}
        after = _mutate(rnd, before)
        found = diff_reasons(before, after)
        assert found == _deepdiff(before, after), (before, after)
        changed += bool(found)
    assert changed > 1000  # the cases really differ


def test_usual_changes() -> None:
    before = {"JobParams": {"Mode": "UserDefined", "Ranges": [{"In": 0, "Out": 30.0}]}}
    after = {"JobParams": {"Mode": "UserDefined", "Ranges": [{"In": 0, "Out": 35.0}, {"In": 40}]}}
    assert diff_reasons(before, after) == [
        "JobParams.Ranges[0].Out: 30 → 35",
        'JobParams.Ranges[1]: added {"In": 40}',
    ]
    assert diff_reasons({"a": 30}, {"a": 30.0}) == ["a: 30 → 30"]  # a type change, as deepdiff
    assert diff_reasons({"a": [1, 2, 3]}, {"a": [1, 3]}) == ["a[1]: removed (was 2)"]


def test_a_changed_value_does_not_import_deepdiff() -> None:
    code = (
        "import sys\n"
        "from segspec.plan.reasons import diff_reasons\n"
        "assert diff_reasons({'R': [{'Out': 1}]}, {'R': [{'Out': 2}]}) == ['R[0].Out: 1 → 2']\n"
        "print('deepdiff' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
