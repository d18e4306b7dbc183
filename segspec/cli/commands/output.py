"""output: the output objects and pictures of jobs."""

from __future__ import annotations

import json

import click

from segspec.cli.complete import complete_address
from segspec.cli.context import Context
from segspec.cli.globals import SegspecCommand
from segspec.cli.records import find_record, output_doc
from segspec.render.words import plural


def register(group: click.Group) -> None:
    group.add_command(output)


@click.command(cls=SegspecCommand)
@click.argument("name", required=False, shell_complete=complete_address)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def output(ctx: Context, name: str | None, as_json: bool) -> None:
    """The output objects of job NAME, or of every job (paths on the local engine)."""
    if name is not None:
        records = [find_record(ctx, name)]
    else:
        records = [rec for _, rec in sorted(ctx.project.open_state().jobs.items())]
    docs = [output_doc(ctx, record) for record in records]
    if as_json:
        ctx.ui.out(json.dumps(docs[0] if name is not None else {"jobs": docs}, indent=2))
        return
    if not records:
        ctx.ui.out("The state records no jobs yet. Run `segspec apply` to create them.")
    for record, doc in zip(records, docs, strict=True):
        if name is None:
            ctx.ui.out(
                f"{record.address} ({record.status}, {plural(len(doc['outputs']), 'output')})"
            )
        indent = "" if name is not None else "  "
        for row in doc["outputs"]:
            ctx.ui.out(indent + (row.get("path") or f"oss://{row['bucket']}/{row['object_key']}"))
        if doc.get("picture"):
            picture = doc["picture"]
            where = picture.get("path") or f"oss://{picture['bucket']}/{picture['object_key']}"
            ctx.ui.out(f"{indent}{picture['kind']}: {where}")
