"""Shell completion of job addresses (click's completion protocol calls these).

Completion runs without invoking any command, so nothing here locks, writes or talks
to a backend: it reads the state file and the specs, and stays quiet when either is
unreadable (a completion that prints an error would corrupt the user's command line).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from segspec.engine.project import Project
from segspec.errors import SegspecError


def _given(ctx: click.Context, name: str) -> str | None:
    """The value of global option `name` wherever on the command line it was given."""
    current: click.Context | None = ctx
    while current is not None:
        value = current.params.get(name)
        if value is not None:
            return str(value)
        current = current.parent
    return None


def known_addresses(project: Project) -> dict[str, str]:
    """Addresses in the state and in the specs, each with a short description."""
    found: dict[str, str] = {}
    with contextlib.suppress(SegspecError, OSError):
        jobs = project.open_state().summaries()
        found.update({address: f"{rec.status} in the state" for address, rec in jobs.items()})
    try:
        specs = project.load_specs()
    except (SegspecError, OSError):
        return found
    for address, job in specs.jobs.items():
        found.setdefault(address, f"{job.request['JobParams']['Mode']} in the specs")
    return found


def complete_address(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Job addresses starting with what was typed so far."""
    specs = _given(ctx, "specs")
    project = Project.locate(Path(specs) if specs else None, _given(ctx, "state"))
    return [
        CompletionItem(address, help=help_text)
        for address, help_text in sorted(known_addresses(project).items())
        if address.startswith(incomplete)
    ]
