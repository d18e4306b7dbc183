"""The plan as a reviewer reads it in a terminal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from segspec.plan.model import Action, Change, Plan
from segspec.render.words import plural

Style = Callable[[str, str], str]
"""style(text, colour) -> text; identity when colour is off."""

SYMBOLS = {
    Action.CREATE: ("+", "green"),
    Action.REPLACE: ("-/+", "yellow"),
    Action.DELETE: ("-", "red"),
    Action.READ: ("<=", "cyan"),
}
ORDER = (Action.CREATE, Action.REPLACE, Action.READ, Action.DELETE)


def plain(text: str, colour: str) -> str:
    return text


def summary_line(plan: Plan) -> str:
    line = (
        f"Plan: {plan.count(Action.CREATE)} to create, {plan.count(Action.REPLACE)} to "
        f"replace, {plan.count(Action.DELETE)} to delete."
    )
    reads = plan.count(Action.READ)
    return line[:-1] + f", {reads} to read." if reads else line


def object_line(obj: Mapping[str, Any]) -> str:
    """`writes clips/a_0.mp4  0.000–1.000 s (1.000 s), frames 0–24`."""
    frames = (
        f", frames {obj['first_frame']}–{obj['last_frame']}"
        if obj.get("first_frame") is not None
        else ""
    )
    return (
        f"writes {obj['bucket']}/{obj['object_key']}  {obj['in']:.3f}–{obj['out']:.3f} s "
        f"({obj['duration']:.3f} s){frames}"
    )


def foresight_lines(change: Change) -> list[str]:
    """What a create or replace will write (its objects, or its previewed clip count)."""
    lines = [object_line(obj) for obj in change.objects]
    if change.shots is not None:
        lines.append(f"will produce {plural(change.shots, 'clip')} (shot detection preview)")
    return lines


def render_plan(plan: Plan, style: Style = plain) -> str:
    """Changes grouped by action, each with its reasons, then the summary line."""
    if not plan.has_changes:
        count = len(plan.changes)
        verb = "matches" if count == 1 else "match"
        return f"No changes. {plural(count, 'job')} {verb} the specs and the state.\n"
    lines = ["segspec will perform these actions:", ""]
    for action in ORDER:
        symbol, colour = SYMBOLS[action]
        for change in (c for c in plan.acting if c.action is action):
            lines.append(
                f"  {style(symbol, colour)} {style(change.address, 'bold')} ({action.value})"
            )
            lines.extend(f"      {reason}" for reason in change.reasons)
            lines.extend(f"      {line}" for line in foresight_lines(change))
            lines.extend(f"      {style('✗', 'red')} {problem}" for problem in change.problems)
    lines += ["", style(summary_line(plan), "bold")]
    problems = plan.problems
    if problems:
        jobs = len({address for address, _ in problems})
        lines.append(
            style(
                f"{plural(len(problems), 'problem')} in {plural(jobs, 'job')}: apply would fail "
                "them or overwrite another job's outputs — fix the inputs or specs first.",
                "red",
            )
        )
    return "\n".join(lines) + "\n"
