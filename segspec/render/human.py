"""The plan as a reviewer reads it in a terminal."""

from __future__ import annotations

from collections.abc import Callable

from segspec.plan.model import Action, Plan
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


def render_plan(plan: Plan, style: Style = plain) -> str:
    """Changes grouped by action, each with its reasons, then the summary line."""
    if not plan.has_changes:
        count = len(plan.changes)
        verb = "matches" if count == 1 else "match"
        return f"No changes. {plural(count, 'job')} {verb} the specs and the state.\n"
    lines = ["segspec will perform these actions:", ""]
    for action in ORDER:
        symbol, colour = SYMBOLS[action]
        for change in (c for c in plan.changes if c.action is action):
            lines.append(
                f"  {style(symbol, colour)} {style(change.address, 'bold')} ({action.value})"
            )
            lines.extend(f"      {reason}" for reason in change.reasons)
    lines += ["", style(summary_line(plan), "bold")]
    return "\n".join(lines) + "\n"
