"""plan(wants, records, facts) -> Plan: pure, deterministic, no I/O."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from itertools import islice, pairwise
from operator import attrgetter
from typing import Any

from segspec.plan.model import Action, Change, Facts, Plan, Settled, Want, matches
from segspec.plan.outputs import job_problems, key_clashes, planned_objects
from segspec.plan.reasons import diff_reasons, input_reasons, render_value
from segspec.state.model import JobRecord

INTERRUPTED = (
    "an earlier apply stopped before the job id was recorded; resubmitting with the same "
    "ClientToken, so no second job is created"
)


def plan(
    wants: Iterable[Want],
    records: Mapping[str, JobRecord],
    facts: Facts,
    settled: Iterable[Settled] = (),
) -> Plan:
    """Compare what the specs want with what the state records.

    Promises: one Change per address in `wants` ∪ `records` ∪ `settled` (those
    `facts.targets` select, when given), sorted by address; a job whose fingerprint matches
    a Finished record with intact outputs is a no-op; every other action carries at least
    one reason. A `settled` job (the engine found it unchanged from summaries) is a no-op
    without before/after; it counts in key clashes like any other job.
    """
    wanted = {want.address: want for want in wants}
    quiet = _in_order([s for s in settled if s.address not in wanted])
    # (the settled keys are read only when some job runs, in any order: no list of
    # 100,000 pairs for a no-op plan)
    clashes = key_clashes(
        ((a, w.request) for a, w in sorted(wanted.items())),
        ((s.address, s.clash) for s in quiet),
    )
    loud = sorted(wanted.keys() | {a for a in records if not _holds(quiet, a)})
    changes = []
    for address, calm in _merged(loud, quiet):
        if facts.targets and not any(matches(address, t) for t in facts.targets):
            continue
        if calm is not None:
            changes.append(Change(address, Action.NOOP, None, None, (), calm.attempt))
            continue
        want, record = wanted.get(address), records.get(address)
        if want is None:
            assert record is not None
            changes.append(_delete(record))
            continue
        if record is None:
            change = Change(address, Action.CREATE, None, _after(want), ("new job",))
        else:
            change = _update(want, record, facts)
        changes.append(_foresee(change, want, facts, clashes.get(address, [])))
    return Plan(tuple(changes))


_address = attrgetter("address")


def _in_order(settled: list[Settled]) -> list[Settled]:
    """`settled` by address, one per address (the last, as a dict would keep): as given
    when it already is (the engine gives the specs' rows in address order)."""
    if all(a.address < b.address for a, b in pairwise(settled)):
        return settled
    return sorted({s.address: s for s in settled}.values(), key=_address)


def _holds(quiet: list[Settled], address: str) -> bool:
    at = bisect_left(quiet, address, key=_address)
    return at < len(quiet) and quiet[at].address == address


def _merged(loud: list[str], quiet: list[Settled]) -> Iterator[tuple[str, Settled | None]]:
    """Every address of `loud` (with None) and of `quiet` (with its Settled), in order: the
    two never share one. No set or dictionary of 100,000 settled addresses is made."""
    calm = ((s.address, s) for s in quiet)
    if not loud:
        return calm
    return _between(loud, quiet, calm)


def _between(
    loud: list[str], quiet: list[Settled], calm: Iterator[tuple[str, Settled]]
) -> Iterator[tuple[str, Settled | None]]:
    """`_merged` when some jobs run: each of the few `loud` addresses is placed among the
    settled ones by bisection, and the runs of settled jobs between them are passed on as
    they are (no comparison per settled job, as a general merge would make)."""
    done = 0
    for address in loud:
        at = bisect_left(quiet, address, lo=done, key=_address)
        yield from islice(calm, at - done)
        done = at
        yield address, None
    yield from calm


def _foresee(change: Change, want: Want, facts: Facts, clashes: list[str]) -> Change:
    """Add what a create or replace will write and what it would fail on."""
    if change.action not in (Action.CREATE, Action.REPLACE):
        return change
    media = facts.media.get(want.address)
    problems = job_problems(want.request, want.input, media) + clashes
    objects = planned_objects(want.request, media)
    return replace(
        change,
        objects=tuple(o.data() for o in objects),
        problems=tuple(problems),
        shots=facts.shots.get(want.address),
    )


def _after(want: Want) -> dict[str, Any]:
    return {
        "backend": want.backend,
        "request": dict(want.request),
        "local": dict(want.local),
        "input": dict(want.input) if want.input else None,
    }


def _before(record: JobRecord) -> dict[str, Any]:
    return {
        "backend": record.backend,
        "request": record.request,
        "local": record.local,
        "input": record.input,
        "job_id": record.job_id,
        "status": record.status,
        "outputs": [o.object_key for o in record.outputs],
    }


def _delete(record: JobRecord) -> Change:
    count = len(record.outputs)
    if record.prune_outputs:
        reason = (
            f"no longer in the specs; lifecycle.prune_outputs deletes its {count} output "
            f"object{'s' if count != 1 else ''}"
        )
        return Change(record.address, Action.DELETE, _before(record), None, (reason,))
    objects = "output object stays" if count == 1 else "output objects stay"
    reason = f"no longer in the specs; its {count} {objects}"
    return Change(record.address, Action.DELETE, _before(record), None, (reason,))


def _update(want: Want, record: JobRecord, facts: Facts) -> Change:
    before, after = _before(record), _after(want)
    if want.fingerprint != record.fingerprint or want.backend != record.backend:
        reasons = _differences(want, record)
        # A new attempt number even though the fingerprint is new: after a revert
        # (X → Y → X) the token of X's first attempt would fetch X's old job back, whose
        # outputs Y has since overwritten.
        attempt = record.attempt + 1
        return Change(want.address, Action.REPLACE, before, after, tuple(reasons), attempt)
    if record.status == "Submitting":
        return Change(want.address, Action.CREATE, before, after, (INTERRUPTED,), record.attempt)
    if record.status in ("Created", "Executing"):
        reason = f"job {record.job_id} is {record.status} on {record.backend}; collect its result"
        return Change(want.address, Action.READ, before, after, (reason,), record.attempt)
    rerun = record.attempt + 1
    if record.status == "Failed":
        error = record.error
        why = f"{error.code}: {error.message}" if error else "no reason recorded"
        reason = f"previous run failed ({why}); running it again"
        return Change(want.address, Action.REPLACE, before, after, (reason,), rerun)
    if want.address in facts.force_replace:
        reason = "rerun requested with --replace"
        return Change(want.address, Action.REPLACE, before, after, (reason,), rerun)
    drift = facts.drift.get(want.address, ())
    if drift:
        return Change(want.address, Action.REPLACE, before, after, tuple(drift), rerun)
    return Change(want.address, Action.NOOP, before, after, (), record.attempt)


def _differences(want: Want, record: JobRecord) -> list[str]:
    reasons: list[str] = []
    if want.backend != record.backend:
        reasons.append(f"backend changed: {record.backend} → {want.backend}")
    reasons += diff_reasons(record.request, want.request)
    reasons += diff_reasons(record.local, want.local, prefix="local")
    reasons += input_reasons(record.input, want.input)
    if not reasons:
        reasons.append(
            f"fingerprint changed: {record.fingerprint[:19]}… → {want.fingerprint[:19]}…"
            f" (recorded input {render_value(record.input)})"
        )
    return reasons
