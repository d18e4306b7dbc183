"""Asking a person to agree before apply or destroy changes anything."""

from __future__ import annotations

import sys

import click

from segspec.engine.operations.apply import Approve
from segspec.engine.project import Planned
from segspec.errors import SegspecError


def confirmation(auto_approve: bool, command: str = "apply") -> Approve:
    """The `approve` hook for `command`: agrees at once under --auto-approve, else asks
    on the terminal for "yes"; refuses when there is no terminal to ask on."""

    def approve(planned: Planned) -> None:
        if auto_approve:
            return
        if not sys.stdin.isatty():
            # Only apply can be reviewed as a saved plan; destroy is confirmed with the flag.
            saved = " (or save it with plan --out and apply the file)" if command == "apply" else ""
            raise SegspecError(
                f"{command} needs confirmation but there is no terminal to ask on — review "
                f"the plan above and pass --auto-approve{saved}"
            )
        answer = click.prompt(
            f"{command.capitalize()} these changes? Only 'yes' is accepted",
            default="",
            show_default=False,
        )
        if answer.strip() != "yes":
            raise SegspecError(f"{command} cancelled; nothing was changed")

    return approve
