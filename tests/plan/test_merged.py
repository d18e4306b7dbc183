"""The planner places the few jobs that run among the settled ones by bisection: the same
order as merging both (addresses never shared), and `Plan` counts from its acting changes
what it counted from all of them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from segspec.plan.model import Action, Change, Plan, Settled
from segspec.plan.planner import _merged

jobs = st.dictionaries(st.text('ab[]"', max_size=4), st.booleans(), max_size=30)
"""address -> whether it runs (loud) or is settled"""


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(jobs)
def test_merged_is_the_sorted_union(runs: dict[str, bool]) -> None:
    everything = sorted(runs)
    loud = [a for a in everything if runs[a]]
    quiet = [Settled(a, 1, ("b", a, True, 1)) for a in everything if not runs[a]]
    merged = list(_merged(loud, quiet))
    assert [a for a, _ in merged] == everything
    assert all((s is None) == runs[a] and (s is None or s.address == a) for a, s in merged)


@given(st.lists(st.sampled_from(list(Action)), max_size=20))
def test_counts_from_acting_changes(actions: list[Action]) -> None:
    plan = Plan(tuple(Change(f"j{i}", action, None, None) for i, action in enumerate(actions)))
    for action in Action:
        assert plan.count(action) == actions.count(action)
    assert plan.has_changes == any(a is not Action.NOOP for a in actions)
    assert [c.action for c in plan.acting] == [a for a in actions if a is not Action.NOOP]
