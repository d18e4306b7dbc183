"""The words for each event, shared by the plain view and the live display."""

from __future__ import annotations

from segspec.cli.ui import UI
from segspec.engine.events import (
    JobDeleted,
    JobFailed,
    JobFinished,
    JobProgress,
    JobRetrying,
    JobStarted,
    JobStatus,
    JobSubmitted,
    OperationFinished,
)
from segspec.render.words import plural

NOTHING_TO_REFRESH = "Nothing to refresh: no job is running; nothing was submitted."

Line = tuple[str, str, str]
"""(mark, colour of the mark, rest of the line)."""


def duration(seconds: float) -> str:
    """`0:07`, `12:03`, `1:02:03`."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def job_line(
    event: JobStarted | JobSubmitted | JobStatus | JobFinished | JobFailed | JobRetrying,
) -> Line:
    if isinstance(event, JobStarted):
        if event.action == "read":
            return "⋯", "cyan", f"{event.address} collecting: {event.detail}"
        detail = event.detail or event.action
        return "…", "cyan", f"{event.address} submitting: {detail}"
    if isinstance(event, JobSubmitted):
        return "→", "cyan", f"{event.address} submitted: {event.job_id}"
    if isinstance(event, JobStatus):
        return "⋯", "cyan", f"{event.address} running: {event.status}"
    if isinstance(event, JobFinished):
        return (
            "✓",
            "green",
            f"{event.address} finished: {plural(event.outputs, 'output')}{event.note}",
        )
    if isinstance(event, JobFailed):
        return "✗", "red", f"{event.address} failed: {event.reason}"
    who = event.address or "(all jobs)"
    return (
        "↻",
        "yellow",
        f"{who} retrying {event.call} in {event.delay_seconds:.2f} s "
        f"(attempt {event.attempt + 1}): {event.reason}",
    )


def deleted_line(event: JobDeleted, operation: str) -> Line:
    if operation == "destroy":
        return (
            "-",
            "red",
            f"{event.address}: {plural(event.objects, 'output object')} deleted, {event.detail}",
        )
    detail = f": {event.detail}" if event.detail else ""
    return "-", "red", f"{event.address} deleted{detail}"


def progress_text(event: JobProgress) -> str:
    """`45% · 612 fps · 0:07 left`."""
    parts = [f"{event.fraction * 100:.0f}%"]
    if event.fps:
        parts.append(f"{event.fps:.0f} fps")
    if event.eta_seconds is not None and event.fraction < 1:
        parts.append(f"{duration(event.eta_seconds)} left")
    return " · ".join(parts)


def summary_lines(event: OperationFinished) -> tuple[bool, list[str]]:
    """(ok, lines) for the end of an operation; the failures listed one per line."""
    if event.operation == "destroy":
        if event.failed:
            return False, [
                f"Destroy finished with {plural(len(event.failed), 'failure')}; run it again "
                "to retry them."
            ]
        return True, [f"Destroy complete: {plural(len(event.deleted), 'job')} destroyed."]
    parts = [f"{len(event.finished)} finished"]
    if event.pending:
        parts.append(f"{len(event.pending)} still running (collect with: segspec refresh)")
    parts += [f"{len(event.failed)} failed", f"{len(event.deleted)} forgotten"]
    name = event.operation.capitalize()
    if not event.failed:
        return True, [f"{name} complete: {', '.join(parts)}."]
    lines = [f"{name} finished with failures: {', '.join(parts)}."]
    lines += [f"  ✗ {address}: {reason.splitlines()[0]}" for address, reason in event.failed]
    lines.append("Fix the inputs or specs and run apply again; finished jobs are kept.")
    return False, lines


def show_summary(ui: UI, event: OperationFinished) -> None:
    """The end of an operation: a bold line on stdout, or the failures on stderr."""
    if not event.ran:
        return
    ok, lines = summary_lines(event)
    if event.operation != "destroy":
        ui.out("")
    if ok:
        ui.out(lines[0] if event.operation == "destroy" else ui.style(lines[0], "bold"))
        return
    for line in lines:
        ui.err(line.replace("✗", ui.style("✗", "red"), 1))
