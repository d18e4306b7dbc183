"""The in-process CLI runner shared by the CLI tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from segspec.cli.main import entrypoint


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def segspec(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run `segspec --no-color ARGS...` in-process; return its exit code and output."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = entrypoint(["--no-color", *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
