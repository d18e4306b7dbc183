"""Terminal output: colour only on a terminal and never under NO_COLOR."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import click

from segspec.engine.apply import Event

COLOURS = {"green": "green", "yellow": "yellow", "red": "red", "cyan": "cyan"}


@dataclass(frozen=True)
class UI:
    colour: bool

    @classmethod
    def detect(cls, no_colour_flag: bool = False) -> UI:
        enabled = (
            not no_colour_flag
            and "NO_COLOR" not in os.environ
            and sys.stdout.isatty()
            and os.environ.get("TERM") != "dumb"
        )
        return cls(colour=enabled)

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

    def event(self, event: Event) -> None:
        marks = {
            "submitting": ("…", "cyan"),
            "submitted": ("→", "cyan"),
            "running": ("⋯", "cyan"),
            "finished": ("✓", "green"),
            "failed": ("✗", "red"),
            "deleted": ("-", "red"),
        }
        mark, colour = marks.get(event.kind, ("·", "bold"))
        detail = f": {event.message}" if event.message else ""
        line = f"{self.style(mark, colour)} {event.address} {event.kind}{detail}"
        if event.kind == "failed":
            # Failures keep their full message (ffmpeg's stderr lines included).
            click.echo(line, err=True)
        else:
            click.echo(line)
