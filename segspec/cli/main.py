"""The `segspec` command: global options, error handling and exit codes.

Exit codes are a contract: 0 ok, 1 user-facing error, 2 changes present under
`plan --detailed-exitcode`, 3 internal error (a bug), 130 interrupted.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field
from typing import Any

import click

from segspec import __version__
from segspec.cli.globals import SegspecGroup, Settings, merge, on_globals
from segspec.cli.ui import UI
from segspec.engine.project import Project
from segspec.errors import SegspecError, os_error_message

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


@dataclass(frozen=True)
class Context:
    project: Project
    ui: UI
    lock_timeout: float
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def build(cls, settings: Settings) -> Context:
        project = Project.locate(settings.specs, settings.state, settings.backend)
        return cls(project, UI.detect(settings.no_color), settings.lock_timeout, settings)


def _take_globals(ctx: click.Context, given: dict[str, Any]) -> None:
    """Global options given here (before or after a subcommand) override earlier ones."""
    base = ctx.obj.settings if isinstance(ctx.obj, Context) else Settings()
    ctx.obj = Context.build(merge(base, given))


on_globals(_take_globals)


@click.group(cls=SegspecGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="segspec")
def cli() -> None:
    """Video segmentation jobs as code: specs in git, reviewed plans, reproducible applies.

    Global options (--specs, --state, --backend, --lock-timeout, --no-color) go before
    or after the subcommand.
    """


def _register() -> None:
    from segspec.cli import (
        commands_cloud,
        commands_destroy,
        commands_init,
        commands_plan,
        commands_report,
        commands_state,
    )

    commands_plan.register(cli)
    commands_init.register(cli)
    commands_state.register(cli)
    commands_cloud.register(cli)
    commands_destroy.register(cli)
    commands_report.register(cli)


def entrypoint(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every outcome into the exit-code contract."""
    _register()
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
