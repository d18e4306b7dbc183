"""Options shared by plan, apply and destroy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from segspec.cli.complete import complete_address
from segspec.cli.context import Context
from segspec.engine.project import PlanOptions
from segspec.spec.variables import VariableInputs

F = TypeVar("F", bound=Callable[..., Any])


def variable_options(func: F) -> F:
    func = click.option(
        "--var-file",
        "var_files",
        multiple=True,
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help="YAML or JSON file of variable values (repeatable).",
    )(func)
    func = click.option(
        "--var", "var_pairs", multiple=True, metavar="NAME=VALUE", help="Set a variable."
    )(func)
    return func


def selection_options(func: F) -> F:
    func = click.option(
        "--refresh",
        type=click.BOOL,
        default=True,
        show_default=True,
        help="Check recorded outputs for drift (--refresh=false for a fast plan).",
    )(func)
    func = click.option(
        "--replace",
        "replace_addresses",
        multiple=True,
        metavar="ADDRESS",
        shell_complete=complete_address,
        help="Rerun this unchanged job (repeatable, globs allowed).",
    )(func)
    func = click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="ADDRESS",
        shell_complete=complete_address,
        help='Only plan these jobs (repeatable, globs allowed; quote ep["a"]).',
    )(func)
    return func


def with_variables(ctx: Context, pairs: tuple[str, ...], files: tuple[Path, ...]) -> Context:
    if not pairs and not files:
        return ctx
    inputs = VariableInputs.parse_flags(pairs, files)
    return replace(ctx, project=ctx.project.with_variables(inputs))


def plan_options(
    targets: tuple[str, ...],
    replace_addresses: tuple[str, ...],
    refresh: bool,
    preview_shots: bool = False,
) -> PlanOptions:
    return PlanOptions(
        targets=targets, replace=replace_addresses, refresh=refresh, preview_shots=preview_shots
    )


def warn(ctx: Context, warnings: tuple[str, ...]) -> None:
    """Deprecations in the specs, on stderr (they never change the exit code)."""
    for line in warnings:
        ctx.ui.err(f"Warning: {line}")


def json_option(func: F) -> F:
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Stream events as JSON lines (schema: schemas/events.schema.json).",
    )(func)
