"""Global options (`--specs`, `--state`, `--backend`, `--lock-timeout`, `--no-color`).

They are accepted before the subcommand (`segspec --lock-timeout 5 plan`) and after it
(`segspec plan --lock-timeout 5`), as people type them: every command made through
`SegspecGroup` carries the same options, and a value given after the subcommand
overrides the one given before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click


@dataclass(frozen=True)
class Settings:
    """What the global options said, before they are turned into a project and a UI."""

    specs: Path | None = None
    state: str | None = None
    backend: str | None = None
    lock_timeout: float = 0.0
    no_color: bool = False


def global_params() -> list[click.Option]:
    """A fresh set of the global options (click options cannot be shared between commands)."""
    return [
        click.Option(
            ["--specs"],
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="Spec directory (default: specs).",
        ),
        click.Option(
            ["--state"],
            default=None,
            metavar="PATH|s3://BUCKET/KEY|oss://BUCKET/KEY",
            help="Where the state lives (also SEGSPEC_STATE, or a state: block; default: "
            "segspec.state.json beside the spec directory).",
        ),
        click.Option(
            ["--backend"],
            type=click.Choice(["local", "ice"]),
            default=None,
            help="Override the specs' backend (also SEGSPEC_BACKEND).",
        ),
        click.Option(
            ["--lock-timeout"],
            type=click.FloatRange(min=0),
            default=None,
            help="Seconds to wait for the state lock (default: fail at once).",
        ),
        click.Option(
            ["--no-color"], is_flag=True, default=None, help="Plain output (also NO_COLOR)."
        ),
    ]


GLOBAL_NAMES = frozenset(p.name for p in global_params() if p.name)


def split_globals(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Pop the global options out of a command's keyword arguments; keep those given."""
    given = {}
    for name in GLOBAL_NAMES:
        value = kwargs.pop(name, None)
        if value is not None and value is not False:
            given[name] = value
    return given


Apply = Callable[[click.Context, dict[str, Any]], None]
_handlers: list[Apply] = []


def on_globals(handler: Apply) -> None:
    """Set what turns the global options into `ctx.obj` (the CLI's entry module does)."""
    _handlers[:] = [handler]


def _apply(ctx: click.Context) -> None:
    given = split_globals(ctx.params)
    if _handlers and (given or ctx.obj is None):
        _handlers[0](ctx, given)


class SegspecCommand(click.Command):
    """A command that also takes the global options after its name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(global_params())

    def invoke(self, ctx: click.Context) -> Any:
        _apply(ctx)
        return super().invoke(ctx)


class SegspecGroup(click.Group):
    """A group whose commands and subgroups accept the global options too."""

    command_class = SegspecCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(global_params())

    def invoke(self, ctx: click.Context) -> Any:
        _apply(ctx)
        return super().invoke(ctx)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, (SegspecCommand, SegspecGroup)):
            raise TypeError(f"{cmd.name}: make segspec commands with SegspecGroup.command")
        super().add_command(cmd, name)


SegspecGroup.group_class = SegspecGroup


def merge(settings: Settings, given: dict[str, Any]) -> Settings:
    return replace(settings, **given)
