"""Collecting spec problems with their file:line:col, worded for the user."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from segspec.spec.messages import word_error
from segspec.spec.yamlpos import Located, Path_


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is below it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class Problems:
    """Problems in the order a reader meets them: by file, then line and column."""

    def __init__(self) -> None:
        self._found: list[tuple[int, int, int, str]] = []
        self._files: dict[Path, int] = {}

    def add(self, file: Path, pos: tuple[int, int], path: Path_, message: str) -> None:
        order = self._files.setdefault(file, len(self._files))
        where = f"{display_path(file)}:{pos[0]}:{pos[1]}"
        line = f"{where}: {render_path(path)}: {message}" if path else f"{where}: {message}"
        self._found.append((order, pos[0], pos[1], line))

    @property
    def lines(self) -> list[str]:
        return [line for *_, line in sorted(self._found, key=lambda f: f[:3])]


def render_path(path: Path_) -> str:
    """`('jobs', 'a', 'JobParams', 'Ranges', 1, 'Out')` → `jobs.a.JobParams.Ranges[1].Out`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def position_in_job(located: Located, prefix: Path_, path: Path_) -> tuple[int, int]:
    """Where `path` of a job body is written: in the job itself, else in `defaults:`."""
    if located.has((*prefix, *path)) or not located.has(("defaults", *path)):
        return located.position((*prefix, *path))
    return located.position(("defaults", *path))


def report_validation(
    file: Path,
    located: Located,
    problems: Problems,
    exc: ValidationError,
    prefix: Path_,
    model: Any,
    fallback: Path_,
    address: str | None = None,
) -> None:
    shown = (*prefix[:-1], address) if address is not None else prefix
    for err in exc.errors():
        loc: Path_ = tuple(err["loc"])
        pos = (
            position_in_job(located, prefix, loc) if fallback else located.position((*prefix, *loc))
        )
        problems.add(file, pos, (*shown, *loc), word_error(model, err))
