"""The `segspec` command: global options, error handling and exit codes.

Exit codes are a contract: 0 ok, 1 user-facing error, 2 changes present under
`plan --detailed-exitcode`, 3 internal error (a bug), 130 interrupted.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from segspec import __version__
from segspec.errors import SegspecError, os_error_message

if TYPE_CHECKING:
    from segspec.cli.ui import UI
    from segspec.engine.project import Project

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


@dataclass(frozen=True)
class Context:
    project: Project
    ui: UI
    lock_timeout: float


COMMAND_MODULES = (
    "commands_plan",
    "commands_init",
    "commands_state",
    "commands_cloud",
    "commands_destroy",
)
"""The modules whose `register(group)` adds the commands, imported on first use."""

SHORT_HELP = {
    "apply": "Submit new and changed jobs, wait for them, record their...",
    "destroy": "Delete the recorded output objects of jobs and forget the...",
    "detect": "Preview the shots a BasicClipSplit job would cut VIDEO into.",
    "force-unlock": "Remove the state lock LOCK_ID that a dead process left...",
    "import": "Adopt existing job JOB_ID into the state as job NAME (it...",
    "init": "Check where the state lives (bucket reachable,...",
    "media": "The local engine's media catalog (Type: Media inputs).",
    "output": "The output objects of job NAME (paths on the local engine).",
    "plan": "Show what apply would change, and why.",
    "refresh": "Collect the results of jobs still running (the plan's...",
    "show": "Show the state, one job's record, or a saved plan file.",
    "state": "Inspect or edit the state.",
    "validate": "Check every spec file; report all problems at once.",
}
"""`segspec --help`'s command list, so that help does not import the engine (pydantic,
the models: ~150 ms). tests/cli/test_startup.py checks it against the real commands."""


class LazyGroup(click.Group):
    """The top-level group: commands are imported when one is run, not for `--help`."""

    loaded = False

    def load(self) -> None:
        if not self.loaded:
            self.loaded = True
            import importlib

            for name in COMMAND_MODULES:
                importlib.import_module(f"segspec.cli.{name}").register(self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands) if self.loaded else sorted(SHORT_HELP)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self.load()
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.loaded:
            super().format_commands(ctx, formatter)
            return
        with formatter.section("Commands"):
            formatter.write_dl(sorted(SHORT_HELP.items()))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--specs",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Spec directory (default: specs).",
)
@click.option(
    "--state",
    default=None,
    metavar="PATH|s3://BUCKET/KEY|oss://BUCKET/KEY",
    help="Where the state lives (also SEGSPEC_STATE, or a state: block; default: "
    "segspec.state.json beside the spec directory).",
)
@click.option(
    "--backend",
    type=click.Choice(["local", "ice"]),
    default=None,
    help="Override the specs' backend (also SEGSPEC_BACKEND).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Seconds to wait for the state lock (default: fail at once).",
)
@click.option("--no-color", is_flag=True, help="Plain output (also NO_COLOR).")
@click.version_option(__version__, prog_name="segspec")
@click.pass_context
def cli(
    ctx: click.Context,
    specs: Path | None,
    state: str | None,
    backend: str | None,
    lock_timeout: float,
    no_color: bool,
) -> None:
    """Video segmentation jobs as code: specs in git, reviewed plans, reproducible applies."""
    from segspec.cli.ui import UI
    from segspec.engine.project import Project

    ctx.obj = Context(Project.locate(specs, state, backend), UI.detect(no_color), lock_timeout)


def _register() -> None:
    """Import every command now (tests and callers that inspect `cli.commands`)."""
    assert isinstance(cli, LazyGroup)
    cli.load()


def entrypoint(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every outcome into the exit-code contract."""
    try:
        # Outside standalone mode click *returns* the code of an `Exit` raised by a command
        # (e.g. `--detailed-exitcode`'s 2) instead of raising it.
        code = cli.main(args=argv, prog_name="segspec", standalone_mode=False)
        if isinstance(code, int) and not isinstance(code, bool):
            return code
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.Abort as abort:
        # click turns Ctrl-C into Abort; say what a stopped apply kept.
        if isinstance(abort.__cause__, KeyboardInterrupt):
            click.echo(
                "Interrupted. Everything finished so far is recorded in the state.", err=True
            )
        else:
            click.echo("Interrupted.", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except SegspecError as exc:
        click.echo(f"Error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted. Everything finished so far is recorded in the state.", err=True)
        return EXIT_INTERRUPTED
    except OSError as exc:
        # The machine refused a read or write (disk full, permissions, read-only, path too
        # long...): something the user fixes, not a bug. The edges that can say more
        # (state store, local engine, media add) translate first; this is the net.
        click.echo(f"Error: {os_error_message(exc, 'reading or writing a file')}", err=True)
        return EXIT_ERROR
    except Exception:
        click.echo(
            "segspec hit an internal error (a bug, not something you did). Please report it "
            "with this traceback:\n" + traceback.format_exc(),
            err=True,
        )
        return EXIT_BUG
    return EXIT_OK


def run() -> None:  # pragma: no cover - console script
    sys.exit(entrypoint())


if __name__ == "__main__":  # pragma: no cover
    run()
