"""`plan --json` is written in pieces; the pieces must make exactly the document."""

from __future__ import annotations

import pytest

from segspec.plan.model import Action, Change, Plan
from segspec.render.plan_json import plan_document, render_json, stream_plan_json

SIDE = {"backend": "local", "request": {"JobParams": {"Ranges": [{"In": 0, "Out": 3}]}}}


def changes(count: int) -> tuple[Change, ...]:
    kinds = [Action.CREATE, Action.REPLACE, Action.DELETE, Action.READ, Action.NOOP]
    return tuple(
        Change(
            f'ep["é{n:03d}"]',
            kinds[n % len(kinds)],
            None if n % 5 == 0 else SIDE,
            None if n % 5 == 2 else {**SIDE, "input": {"size": n, "path": "/x", "sha256": "ab"}},
            (f"JobParams.Ranges[0].Out: {n} → {n + 1}",) if n % 5 else (),
        )
        for n in range(count)
    )


@pytest.mark.parametrize("count", [0, 1, 2, 7])
@pytest.mark.parametrize("batch", [1, 2, 256])
def test_plan_json_stream_is_the_document(count: int, batch: int) -> None:
    plan = Plan(changes(count))
    meta = {"lineage": "l-1", "serial": 4, "specs_digest": "sha256:" + "0" * 64, "backend": "x"}
    whole = render_json(plan_document(plan, **meta))  # type: ignore[arg-type]
    pieces = list(stream_plan_json(plan, batch=batch, **meta))  # type: ignore[arg-type]
    assert "".join(pieces) == whole
    if count > batch:
        assert len(pieces) > 3  # really in pieces, not one string
