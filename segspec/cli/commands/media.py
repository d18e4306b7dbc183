"""media add|list: the local engine's media catalog."""

from __future__ import annotations

from pathlib import Path

import click

from segspec.cli.context import Context
from segspec.cli.globals import SegspecGroup


def register(group: click.Group) -> None:
    group.add_command(media)


@click.group(cls=SegspecGroup)
def media() -> None:
    """The local engine's media catalog (Type: Media inputs)."""


@media.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bucket", default="media", show_default=True, help="Bucket to store it in.")
@click.pass_obj
def media_add(ctx: Context, file: Path, bucket: str) -> None:
    """Copy FILE into the local store and print its new MediaId."""
    import shutil

    from segspec.backends.local.store import LocalStore
    from segspec.errors import file_system_error

    store = LocalStore(ctx.project.root / ".segspec")
    work = store.work_dir("media-add") / file.name
    try:
        shutil.copyfile(file, work)
        _, size, digest = store.put_object(work, bucket, file.name)
        media_id = store.register_media(bucket, file.name, size, digest)
    except OSError as exc:
        raise file_system_error(exc, f"adding {file} to the media catalog") from exc
    finally:
        work.unlink(missing_ok=True)
    ctx.ui.out(media_id)


@media.command("list")
@click.pass_obj
def media_list(ctx: Context) -> None:
    """List MediaIds in the local catalog."""
    from segspec.backends.local.store import LocalStore

    for media_id, entry in sorted(LocalStore(ctx.project.root / ".segspec").catalog().items()):
        ctx.ui.out(f"{media_id}  oss://{entry['bucket']}/{entry['key']}  {entry['size']} B")
