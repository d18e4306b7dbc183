"""The `segspec` command: global options, error handling and exit codes.

Exit codes are a contract: 0 ok, 1 user-facing error, 2 changes present under
`plan --detailed-exitcode`, 3 internal error (a bug), 130 interrupted.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import Any

import click

from segspec import __version__
from segspec.cli.context import EXIT_BUG, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, Context
from segspec.cli.globals import SegspecGroup, Settings, merge, on_globals
from segspec.errors import SegspecError, os_error_message

COMMANDS = (
    "validate",
    "plan",
    "apply",
    "refresh",
    "import_",
    "destroy",
    "show",
    "output",
    "state",
    "media",
    "detect",
    "init",
    "force_unlock",
    "report",
)
"""One module per command under segspec.cli.commands, each with a `register(group)`."""


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
    if cli.commands:
        return
    for name in COMMANDS:
        importlib.import_module(f"segspec.cli.commands.{name}").register(cli)


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
