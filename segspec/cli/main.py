"""The `segspec` command: global options, error handling and exit codes.

Exit codes are a contract: 0 ok, 1 user-facing error, 2 changes present under
`plan --detailed-exitcode`, 3 internal error (a bug), 130 interrupted.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import click

from segspec import __version__
from segspec.cli.context import EXIT_BUG, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, Context
from segspec.cli.globals import SegspecGroup, Settings, merge, on_globals
from segspec.errors import SegspecError, os_error_message


def _take_globals(ctx: click.Context, given: dict[str, Any]) -> None:
    """Global options given here (before or after a subcommand) override earlier ones."""
    base = ctx.obj.settings if isinstance(ctx.obj, Context) else Settings()
    ctx.obj = Context.build(merge(base, given))


on_globals(_take_globals)


COMMANDS = {
    "apply": (
        ("commands.apply",),
        "Submit new and changed jobs, wait for them, record their results.",
    ),
    "destroy": (
        ("commands.destroy",),
        "Delete the recorded output objects of jobs and forget the jobs.",
    ),
    "detect": (
        ("commands.detect",),
        "Preview the shots a BasicClipSplit job would cut VIDEO into.",
    ),
    "force-unlock": (
        ("commands.force_unlock",),
        "Remove the state lock LOCK_ID that a dead process left behind.",
    ),
    "import": (
        ("commands.import_",),
        "Adopt existing job JOB_ID into the state as job NAME (it must match the spec).",
    ),
    "init": (
        ("commands.init",),
        "Check where the state lives (bucket reachable, credentials valid, lock works).",
    ),
    "media": (("commands.media",), "The local engine's media catalog (Type: Media inputs)."),
    "output": (
        ("commands.output",),
        "The output objects of job NAME, or of every job (paths on the local engine).",
    ),
    "plan": (("commands.plan",), "Show what apply would change, and why."),
    "refresh": (
        ("commands.refresh",),
        "Collect the results of jobs still running (the plan's `read` entries).",
    ),
    "report": (
        ("commands.report",),
        "Write a self-contained HTML page of the project: the pending plan, every job with "
        "its status, a timeline of its clips, their keys, durations and pictures.",
    ),
    "show": (("commands.show",), "Show the state, one job's record, or a saved plan file."),
    "state": (("commands.state",), "Inspect or edit the state."),
    "validate": (("commands.validate",), "Check every spec file; report all problems at once."),
}
"""The modules whose `register(group)` add each command (and its subcommands), in
order, and the first paragraph of its help: `segspec --help` imports no command, and
running one imports only its modules (the engine, pydantic and the models cost ~150 ms;
`detect`'s numpy ~100 ms more). tests/cli/test_startup.py checks the table."""
COMMAND_MODULES = tuple(module for modules, _ in COMMANDS.values() for module in modules)
"""Every command module (one per command, under segspec.cli.commands)."""
SHORT_HELP = {name: text for name, (_, text) in COMMANDS.items()}


class LazyGroup(SegspecGroup):
    """The top-level group: commands are imported when one is run, not for `--help`."""

    loaded = False
    """Whether every command module is imported."""
    imported: frozenset[str] = frozenset()

    def load(self, modules: tuple[str, ...] = COMMAND_MODULES) -> None:
        """Import and register `modules` (default: every command's), each once."""
        import importlib

        for name in modules:
            if name not in self.imported:
                self.imported = self.imported | {name}
                importlib.import_module(f"segspec.cli.{name}").register(self)
        self.loaded = self.loaded or modules == COMMAND_MODULES

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands) if self.loaded else sorted(SHORT_HELP)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        known = COMMANDS.get(cmd_name)
        self.load(known[0] if known is not None else COMMAND_MODULES)  # unknown: all, to suggest
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.loaded:
            super().format_commands(ctx, formatter)
            return
        limit = formatter.width - 6 - max(len(name) for name in SHORT_HELP)
        rows = [
            (name, click.Command(name, help=text).get_short_help_str(limit))
            for name, text in SHORT_HELP.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="segspec")
def cli() -> None:
    """Video segmentation jobs as code: specs in git, reviewed plans, reproducible applies.

    Global options (--specs, --state, --backend, --lock-timeout, --no-color) go before
    or after the subcommand.
    """


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
    from segspec.gcpause import freeze_after_pauses

    freeze_after_pauses()  # one command per process: what planning builds lives to the end
    sys.exit(entrypoint())


if __name__ == "__main__":  # pragma: no cover
    run()
