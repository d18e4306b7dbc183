"""Deleting a job's recorded outputs (destroy, and lifecycle.prune_outputs)."""

from __future__ import annotations

from segspec.backends.objects import ObjectStore
from segspec.errors import BackendError
from segspec.state.model import JobRecord


def delete_outputs(record: JobRecord, store: ObjectStore) -> tuple[int, list[str]]:
    """Delete every recorded output of `record`; return (deleted count, problems).

    An object already gone is not a problem; a store error is, and is reported with the
    object's place so the user can act.
    """
    deleted, problems = 0, []
    for output in record.outputs:
        try:
            if store.delete(output.bucket, output.object_key):
                deleted += 1
        except (BackendError, OSError) as exc:
            problems.append(
                f"cannot delete {store.describe(output.bucket, output.object_key)}: {exc}"
            )
    picture = record.picture
    if picture is not None:
        # The picture goes with the clips it shows; it is not counted as an output.
        try:
            store.delete(picture.bucket, picture.object_key)
        except (BackendError, OSError) as exc:
            where = store.describe(picture.bucket, picture.object_key)
            problems.append(f"cannot delete {where}: {exc}")
    return deleted, problems
