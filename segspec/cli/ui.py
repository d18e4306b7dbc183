"""Terminal output: colour only on a terminal and never under NO_COLOR."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import click

COLOURS = {"green": "green", "yellow": "yellow", "red": "red", "cyan": "cyan"}


def is_terminal() -> bool:
    """stdout is an interactive terminal that can show more than plain text."""
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


@dataclass(frozen=True)
class UI:
    colour: bool
    terminal: bool = False
    """stdout is a terminal: a live display may be drawn (even without colour)."""

    @classmethod
    def detect(cls, no_colour_flag: bool = False) -> UI:
        terminal = is_terminal()
        enabled = not no_colour_flag and "NO_COLOR" not in os.environ and terminal
        return cls(colour=enabled, terminal=terminal)

    def style(self, text: str, colour: str) -> str:
        if not self.colour:
            return text
        if colour == "bold":
            return click.style(text, bold=True)
        return click.style(text, fg=COLOURS.get(colour, colour))

    def out(self, text: str = "", nl: bool = True) -> None:
        click.echo(text, nl=nl)

    def err(self, text: str) -> None:
        click.echo(text, err=True)
