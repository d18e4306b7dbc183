"""validate: check every spec file, all problems at once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from segspec.cli.context import Context
from segspec.cli.globals import SegspecCommand
from segspec.cli.options import variable_options, warn, with_variables
from segspec.engine.project import check_backend
from segspec.errors import SegspecError
from segspec.render.words import plural


def register(group: click.Group) -> None:
    group.add_command(validate)


@click.command(cls=SegspecCommand)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@variable_options
@click.pass_obj
def validate(
    ctx: Context, files: tuple[Path, ...], var_pairs: tuple[str, ...], var_files: tuple[Path, ...]
) -> None:
    """Check every spec file; report all problems at once.

    With FILES (as pre-commit passes them), check the spec directories holding them:
    a spec file is only valid together with the other files of its directory (job names
    are unique across them).
    """
    ctx = with_variables(ctx, var_pairs, var_files)
    projects = [ctx.project]
    if files:
        dirs = sorted({file.resolve().parent for file in files})
        projects = [replace(ctx.project, specs_dir=directory) for directory in dirs]
    failures: list[SegspecError] = []
    for project in projects:
        try:
            specs = project.load_specs()
            warn(ctx, specs.warnings)
            check_backend(specs, project.backend_config(specs))
        except SegspecError as exc:
            failures.append(exc)
            continue
        ctx.ui.out(
            f"{ctx.ui.style('✓', 'green')} {plural(len(specs.jobs), 'job')} in "
            f"{plural(len(specs.files), 'file')} valid."
        )
    if len(failures) == 1:
        raise failures[0]
    if failures:
        raise SegspecError("\n".join(str(f) for f in failures))
