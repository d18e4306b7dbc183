"""Start-up: `--version` and `--help` must not import the engine or heavy libraries.

Their time is measured in benchmarks/scale.py; here we check what makes it, in a fresh
interpreter (modules already imported by other tests would hide a regression).
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

HEAVY = ("pydantic", "numpy", "deepdiff", "boto3", "botocore", "av", "alibabacloud_ice20201109")

PROBE = """
import io, json, sys
from contextlib import redirect_stdout
from segspec.cli.main import entrypoint
with redirect_stdout(io.StringIO()) as out:
    code = entrypoint(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def _probe(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_startup_imports_no_heavy_module(flag: str) -> None:
    result = _probe(flag)
    assert result["code"] == 0
    modules = result["modules"]
    assert isinstance(modules, list)
    loaded = [m for m in modules if m.split(".")[0] in HEAVY or m.startswith("segspec.engine")]
    assert loaded == []


def test_startup_help_lists_the_real_commands() -> None:
    """The lazy command list equals what click prints once every command is imported."""
    lazy = _probe("--help")
    assert isinstance(lazy["out"], str)
    full = subprocess.run(
        [
            sys.executable,
            "-c",
            "from segspec.cli.main import _register, entrypoint; _register(); "
            "entrypoint(['--help'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "validate" in full.stdout
    assert lazy["out"] == full.stdout


def test_startup_help_table_is_each_commands_first_paragraph() -> None:
    """At any terminal width the lazy list matches: the table holds the whole paragraph."""
    import inspect

    from segspec.cli.main import SHORT_HELP, _register, cli

    _register()
    real = {
        name: " ".join(inspect.cleandoc(command.help or "").split("\n\n")[0].split())
        for name, command in cli.commands.items()
        if not command.hidden
    }
    assert real == SHORT_HELP


def test_startup_commands_table_names_each_commands_module() -> None:
    from segspec.cli.main import COMMANDS, _register, cli

    _register()
    assert set(COMMANDS) == set(cli.commands)
    for name, command in cli.commands.items():
        made_in = {command.callback.__module__} if command.callback else set()
        if isinstance(command, click.Group):
            made_in |= {c.callback.__module__ for c in command.commands.values() if c.callback}
        assert made_in <= {f"segspec.cli.{module}" for module in COMMANDS[name][0]}, name


@pytest.mark.parametrize("args", [("state", "mv", "--help"), ("destroy", "--help")])
def test_startup_command_with_subcommands_from_two_modules(args: tuple[str, ...]) -> None:
    assert _probe(*args)["code"] == 0


def test_startup_plan_imports_only_its_module() -> None:
    """Running `plan --help` imports the planning commands, not numpy or the others."""
    result = _probe("plan", "--help")
    assert result["code"] == 0
    modules = result["modules"]
    assert isinstance(modules, list)
    assert "segspec.cli.commands.plan" in modules
    assert "segspec.cli.commands.detect" not in modules
    assert "numpy" not in modules


def test_startup_command_still_runs() -> None:
    result = _probe("show", "--help")
    assert result["code"] == 0
    assert "Usage:" in str(result["out"])
