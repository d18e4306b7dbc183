"""The plan as a compact pull-request comment: a summary table, then each change."""

from __future__ import annotations

from segspec.plan.model import Action, Plan
from segspec.render.human import ORDER, SYMBOLS, foresight_lines, summary_line
from segspec.render.words import plural


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(plan: Plan) -> str:
    if not plan.has_changes:
        count = len(plan.changes)
        verb = "matches" if count == 1 else "match"
        return f"### segspec plan: no changes\n\n{plural(count, 'job')} {verb} the specs.\n"
    lines = [
        f"### segspec plan: {summary_line(plan).removeprefix('Plan: ').rstrip('.')}",
        "",
        "| | job | action | first reason |",
        "|---|---|---|---|",
    ]
    changes = [c for action in ORDER for c in plan.changes if c.action is action]
    for change in changes:
        symbol = SYMBOLS[change.action][0]
        first = change.reasons[0] if change.reasons else ""
        more = f" (+{len(change.reasons) - 1} more)" if len(change.reasons) > 1 else ""
        lines.append(
            f"| `{symbol}` | `{_cell(change.address)}` | {change.action.value} | "
            f"{_cell(first)}{more} |"
        )
    lines += ["", "<details><summary>Details</summary>", ""]
    for change in changes:
        lines.append(f"#### `{change.address}` ({change.action.value})")
        lines.extend(f"- {_cell(reason)}" for reason in change.reasons)
        lines.extend(f"- {_cell(line)}" for line in foresight_lines(change))
        lines.extend(f"- ✗ **{_cell(problem)}**" for problem in change.problems)
        if change.action in (Action.CREATE, Action.REPLACE) and change.after:
            params = change.after.get("request", {}).get("JobParams", {})
            target = change.after.get("request", {}).get("OutputConfig", {})
            lines.append(
                f"- runs `{params.get('Mode')}` → `{target.get('Bucket')}/"
                f"{target.get('ObjectKey')}`"
            )
        lines.append("")
    lines += ["</details>", ""]
    return "\n".join(lines)
