"""The planner: a pure function from (wants, records, facts) to a Plan with reasons."""

from __future__ import annotations

import copy
from typing import Any

from segspec.plan.model import Action, Change, Facts, Plan, Settled, Want
from segspec.plan.planner import INTERRUPTED, plan
from segspec.render.human import render_plan, summary_line
from segspec.spec.normalize import fingerprint
from segspec.state.model import JobError, JobRecord, OutputRecord

INPUT = {"path": "/p/in.mp4", "size": 10_200_000, "mtime_ns": 1, "sha256": "aa" * 32}


def request(*outs: float) -> dict[str, Any]:
    ranges = [{"In": float(i * 10), "Out": float(out)} for i, out in enumerate(outs or (10.0,))]
    return {
        "InputConfig": {"Type": "OSS", "Media": "in.mp4"},
        "JobParams": {"Mode": "UserDefined", "Ranges": ranges},
        "OutputConfig": {
            "OutputMediaTarget": "oss-object",
            "Bucket": "clips",
            "ObjectKey": "c_{index}.mp4",
            "ExportAsNewMedia": False,
        },
    }


def want(address: str, req: dict[str, Any] | None = None, identity: Any = INPUT) -> Want:
    req = req or request()
    return Want(address, "local", req, {}, identity, fingerprint(req, {}, identity))


def record(source: Want, status: str = "Finished", **update: Any) -> JobRecord:
    fields: dict[str, Any] = {
        "address": source.address,
        "backend": source.backend,
        "request": copy.deepcopy(dict(source.request)),
        "local": dict(source.local),
        "fingerprint": source.fingerprint,
        "input": dict(source.input) if source.input else None,
        "client_token": "t" * 32,
        "job_id": None if status == "Submitting" else "j" * 32,
        "status": status,
        "submitted_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "outputs": [OutputRecord(index=0, bucket="clips", object_key="c_0.mp4")],
    }
    fields.update(update)
    return JobRecord(**fields)


def only(result: Plan) -> Change:
    assert len(result.changes) == 1
    return result.changes[0]


def test_planner_create_new_job() -> None:
    change = only(plan([want("a")], {}, Facts()))
    assert (change.action, change.reasons, change.attempt) == (Action.CREATE, ("new job",), 1)
    assert change.before is None and change.after is not None
    assert change.after["request"] == request()


def test_planner_noop_when_fingerprint_matches_finished() -> None:
    w = want("a")
    result = plan([w], {"a": record(w)}, Facts())
    change = only(result)
    assert change.action is Action.NOOP and change.reasons == ()
    assert not result.has_changes
    assert render_plan(result) == "No changes. 1 job matches the specs and the state.\n"


def test_planner_replace_names_the_changed_range() -> None:
    old = want("a", request(10, 30))
    new = want("a", request(10, 35))
    change = only(plan([new], {"a": record(old)}, Facts()))
    assert change.action is Action.REPLACE
    assert change.reasons == ("JobParams.Ranges[1].Out: 30 → 35",)
    # A fresh attempt, so the ClientToken never matches an earlier run of the same request.
    assert change.attempt == 2
    later = only(plan([old], {"a": record(new, attempt=2)}, Facts()))
    assert (later.action, later.attempt) == (Action.REPLACE, 3)


def test_planner_replace_lists_every_changed_field_in_path_order() -> None:
    old = want("a", request(10, 30))
    changed = request(12, 30, 45)
    changed["OutputConfig"]["ObjectKey"] = "d_{index}.mp4"
    change = only(plan([want("a", changed)], {"a": record(old)}, Facts()))
    assert change.reasons == (
        "JobParams.Ranges[0].Out: 10 → 12",
        'JobParams.Ranges[2]: added {"In": 20.0, "Out": 45.0}',
        'OutputConfig.ObjectKey: "c_{index}.mp4" → "d_{index}.mp4"',
    )


def test_planner_input_changed_reason() -> None:
    old = want("a")
    grown = want("a", identity={**INPUT, "size": 11_000_000, "sha256": "bb" * 32})
    change = only(plan([grown], {"a": record(old)}, Facts()))
    assert change.action is Action.REPLACE
    assert change.reasons == ("input changed: size 10.2 MB → 11.0 MB",)
    same_size = want("a", identity={**INPUT, "sha256": "cc" * 32})
    change = only(plan([same_size], {"a": record(old)}, Facts()))
    assert change.reasons == (
        f"input changed: content sha256 {'a' * 12}… → {'c' * 12}… (same size)",
    )


def test_planner_touched_input_is_not_a_change() -> None:
    old = want("a")
    touched = want("a", identity={**INPUT, "mtime_ns": 2})
    assert only(plan([touched], {"a": record(old)}, Facts())).action is Action.NOOP


def test_planner_unavailable_input_reason() -> None:
    old = want("a")
    gone = want("a", identity={"error": "cannot read input in.mp4: No such file"})
    change = only(plan([gone], {"a": record(old)}, Facts()))
    assert change.action is Action.REPLACE
    assert change.reasons == ("input unavailable: cannot read input in.mp4: No such file",)


def test_planner_delete_job_removed_from_specs() -> None:
    change = only(plan([], {"gone": record(want("gone"))}, Facts()))
    assert change.action is Action.DELETE
    assert change.after is None and change.before is not None
    assert change.reasons == ("no longer in the specs; its 1 output object stays",)


def test_planner_read_executing_record() -> None:
    w = want("a")
    change = only(plan([w], {"a": record(w, "Executing", attempt=2)}, Facts()))
    assert change.action is Action.READ
    assert change.attempt == 2
    assert change.reasons == (f"job {'j' * 32} is Executing on local; collect its result",)


def test_planner_failed_is_replaced_with_next_attempt() -> None:
    w = want("a")
    failed = record(
        w, "Failed", attempt=2, outputs=[], error=JobError(code="MediaError", message="bad input")
    )
    change = only(plan([w], {"a": failed}, Facts()))
    assert change.action is Action.REPLACE
    assert change.attempt == 3
    assert change.reasons == ("previous run failed (MediaError: bad input); running it again",)


def test_planner_submitting_is_created_again_with_same_attempt() -> None:
    w = want("a")
    change = only(plan([w], {"a": record(w, "Submitting", attempt=4)}, Facts()))
    assert change.action is Action.CREATE
    assert change.attempt == 4  # same attempt → same ClientToken → no second job
    assert change.reasons == (INTERRUPTED,)


def test_planner_force_replace_bumps_attempt() -> None:
    w, other = want("a"), want("b")
    records = {"a": record(w), "b": record(other)}
    result = plan([w, other], records, Facts(force_replace=frozenset({"a"})))
    a, b = result.changes
    assert (a.action, a.attempt, a.reasons) == (
        Action.REPLACE,
        2,
        ("rerun requested with --replace",),
    )
    assert b.action is Action.NOOP


def test_planner_drift_reasons_replace() -> None:
    w = want("a")
    drift = ("output missing: clips/c_0.mp4", "output changed: clips/c_1.mp4")
    change = only(plan([w], {"a": record(w)}, Facts(drift={"a": drift})))
    assert (change.action, change.reasons, change.attempt) == (Action.REPLACE, drift, 2)


def test_planner_drift_on_changed_job_reports_the_change() -> None:
    old, new = want("a", request(10, 30)), want("a", request(10, 35))
    facts = Facts(drift={"a": ("output missing: clips/c_0.mp4",)})
    change = only(plan([new], {"a": record(old)}, facts))
    assert change.reasons == ("JobParams.Ranges[1].Out: 30 → 35",)


def test_planner_backend_change_is_a_reason() -> None:
    w = want("a")
    moved = Want("a", "ice", w.request, {}, None, fingerprint(w.request, {}, None))
    change = only(plan([moved], {"a": record(w)}, Facts()))
    assert change.action is Action.REPLACE
    assert change.reasons[0] == "backend changed: local → ice"


def test_planner_output_sorted_and_deterministic() -> None:
    wants = [want(name, request(10 + i)) for i, name in enumerate(["zeta", "alpha", "mid"])]
    records = {"beta": record(want("beta")), "mid": record(want("mid"))}
    first = plan(wants, records, Facts())
    assert [c.address for c in first.changes] == ["alpha", "beta", "mid", "zeta"]
    assert [c.action for c in first.changes] == [
        Action.CREATE,
        Action.DELETE,
        Action.REPLACE,
        Action.CREATE,
    ]
    assert summary_line(first) == "Plan: 2 to create, 1 to replace, 1 to delete."
    # Pure: same input, equal output, whatever the input order; inputs are not mutated.
    snapshot = copy.deepcopy(records)
    again = plan(list(reversed(wants)), dict(reversed(list(records.items()))), Facts())
    assert again == first
    assert records == snapshot
    assert render_plan(again) == render_plan(first)


def keyed(key: str, *outs: float) -> dict[str, Any]:
    req = request(*outs)
    req["OutputConfig"]["ObjectKey"] = key
    return req


def test_planner_render_groups_by_action_with_reasons() -> None:
    old = want("b", request(10, 30))
    result = plan(
        [want("a", keyed("a_{index}.mp4")), want("b", request(10, 35))],
        {"b": record(old), "c": record(want("c", keyed("x_{index}.mp4")))},
        Facts(),
    )
    assert render_plan(result) == (
        "segspec will perform these actions:\n"
        "\n"
        "  + a (create)\n"
        "      new job\n"
        "      writes clips/a_0.mp4  0.000–10.000 s (10.000 s)\n"
        "  -/+ b (replace)\n"
        "      JobParams.Ranges[1].Out: 30 → 35\n"
        "      writes clips/c_0.mp4  0.000–10.000 s (10.000 s)\n"
        "      writes clips/c_1.mp4  10.000–35.000 s (25.000 s)\n"
        "  - c (delete)\n"
        "      no longer in the specs; its 1 output object stays\n"
        "\n"
        "Plan: 1 to create, 1 to replace, 1 to delete.\n"
    )


def test_planner_settled_jobs_merge_in_address_order() -> None:
    """Settled no-ops are merged with the wants and records in address order, given in
    any order and even twice (the last counts); a settled address the records also hold
    is the settled no-op; targets select among all of them."""
    run = want("m", request(20.0))
    gone = record(want("b"))
    also = record(want("k"))
    settled = [
        Settled("z", 3, ("clips", "z_{index}.mp4", True, 1)),
        Settled("a", 1, ("clips", "a_{index}.mp4", True, 1)),
        Settled("k", 2, ("clips", "k_{index}.mp4", True, 1)),
        Settled("a", 4, ("clips", "a_{index}.mp4", True, 1)),
        Settled("m", 9, ("clips", "m_{index}.mp4", True, 1)),  # wanted: not settled
    ]
    result = plan([run], {"b": gone, "k": also}, Facts(), settled)
    assert [(c.address, c.action, c.attempt) for c in result.changes] == [
        ("a", Action.NOOP, 4),
        ("b", Action.DELETE, 1),
        ("k", Action.NOOP, 2),
        ("m", Action.CREATE, 1),
        ("z", Action.NOOP, 3),
    ]
    last = {s.address: s for s in settled if s.address != "m"}
    in_order = [last[a] for a in sorted(last)]
    targeted = plan([run], {"b": gone}, Facts(targets=("z", "b")), in_order)
    assert [(c.address, c.action) for c in targeted.changes] == [
        ("b", Action.DELETE),
        ("z", Action.NOOP),
    ]


def test_planner_settled_job_clashes_with_a_job_that_runs() -> None:
    run = want("m")  # writes clips/c_{index}.mp4, one range
    settled = [Settled("s", 1, ("clips", "c_{index}.mp4", True, 1))]
    change = {c.address: c for c in plan([run], {}, Facts(), settled).changes}["m"]
    assert any("also written by s" in p for p in change.problems)
