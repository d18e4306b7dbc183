"""Editing the state by hand: `state rm`, `state mv`, `import`."""

from __future__ import annotations

from segspec.engine.events import ignore
from segspec.engine.operations.lifecycle import locked_state
from segspec.engine.project import Project, check_backend, gather_wants
from segspec.errors import SegspecError, StateError
from segspec.state.model import JobRecord


def remove_jobs(project: Project, names: tuple[str, ...], lock_timeout: float) -> None:
    """Forget `names` (their outputs stay); all of them or, when one is unknown, none."""
    with locked_state(project, lock_timeout) as state:
        missing = [n for n in names if state.get(n) is None]
        if missing:
            raise StateError(
                f"no job {', '.join(map(repr, missing))} in {project.state_backend.location}"
            )
        for name in names:
            state.remove(name)


def move_job(project: Project, old: str, new: str, lock_timeout: float) -> None:
    """Rename job `old` to `new` in the state, so renaming it in the specs is no rerun."""
    with locked_state(project, lock_timeout) as state:
        record = state.get(old)
        if record is None:
            raise StateError(
                f"no job {old!r} in {project.state_backend.location} — check `segspec state list`"
            )
        if state.get(new) is not None:
            raise StateError(
                f"{new!r} is already in the state — remove it first (`segspec state rm {new}`)"
            )
        # The client token stays: it names the job already submitted, whatever we call it.
        state.put(record.model_copy(update={"address": new}))
        state.remove(old)


def import_existing(project: Project, name: str, job_id: str, lock_timeout: float) -> JobRecord:
    """Adopt job `job_id` of the backend into the state as job `name` (it must match)."""
    from segspec.backends.registry import make_backend
    from segspec.engine.adopt import import_job

    specs = project.load_specs()
    config = project.backend_config(specs)
    check_backend(specs, config)
    if name not in specs.jobs:
        known = ", ".join(sorted(specs.jobs)) or "none"
        raise SegspecError(f"no job {name!r} in {project.specs_dir} (jobs: {known})")
    with locked_state(project, lock_timeout, ignore) as state:
        (want,) = [w for w in gather_wants(project, specs, config) if w.address == name]
        backend = make_backend(config, project.store_root(config))
        return import_job(want, state, backend, job_id, config.type)
