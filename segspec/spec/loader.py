"""Load a spec directory into validated jobs, reporting every problem at once.

Each `*.yaml` file has `version: 1`, optional `defaults:` (deep-merged into each of its
jobs), optional `backend:`, and `jobs:` mapping a name to a body in the service's own
parameter names. Problems are collected across all files and raised together as one
`SpecError` whose lines read `file:line:col: jobs.NAME.Path: message — remedy`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from segspec.errors import SpecError
from segspec.spec.cache import Entry, SpecCache, file_key, values_key
from segspec.spec.config import find_engine_config, find_state_config
from segspec.spec.declared import collect_variables
from segspec.spec.desired import DesiredJob, Jobs, SpecSet
from segspec.spec.expand import expand_jobs
from segspec.spec.files import parse_spec, read_spec, spec_files
from segspec.spec.interpolate import UNSET
from segspec.spec.models import BackendConfig
from segspec.spec.normalize import canonical_json
from segspec.spec.paths import Resolver, is_within
from segspec.spec.problems import Problems, display_path, position_in_job
from segspec.spec.rows import JobRow
from segspec.spec.variables import VariableInputs
from segspec.spec.yamlpos import Located


def load_specs(
    directory: Path,
    variables: VariableInputs | None = None,
    root: Path | None = None,
    cache: SpecCache | None = None,
    resolver: Resolver | None = None,
) -> SpecSet:
    """Read, validate and normalize every spec file in `directory`.

    `variables` supplies values from outside the specs (--var, --var-file, environment).
    Local inputs must lie inside `root` (default: the directory above `directory`) unless
    their job sets `local: {allow_outside_project: true}`; nothing is opened to decide.
    With a `cache`, files whose bytes (and variable values) are unchanged since a load
    without problems are not parsed again; see `segspec.spec.cache`. A `resolver` shares
    resolved paths with the rest of the command.
    Raises `SpecError` listing every problem found, in file order.
    """
    if not directory.is_dir():
        raise SpecError(
            [f"{display_path(directory)}: spec directory not found — create it or pass --specs DIR"]
        )
    files = spec_files(directory)
    if not files:
        raise SpecError(
            [f"{display_path(directory)}: no *.yaml spec files — add one (see README, Specs)"]
        )
    inputs = variables or VariableInputs()
    if cache is not None:
        loaded = _load(directory, files, inputs, root, cache, resolver)
        if loaded is not None:
            return loaded
    # Without a cache, or when the cached load met a problem: a full load, with every
    # file parsed for positions, so each message points at the right line and column.
    loaded = _load(directory, files, inputs, root, None, resolver)
    assert loaded is not None
    return loaded


def _load(
    directory: Path,
    files: list[Path],
    inputs: VariableInputs,
    root: Path | None,
    cache: SpecCache | None,
    resolver: Resolver | None,
) -> SpecSet | None:
    """The specs; with a cache, None as soon as there is any problem (the caller then
    loads again without one); without, raises SpecError listing every problem."""
    problems = Problems()
    digest = hashlib.sha256()
    parsed: list[tuple[Path, Located]] = []
    raws: dict[Path, bytes] = {}
    entries: dict[Path, Entry] = {}
    missed: set[Path] = set()
    for file in files:
        raw = read_spec(file, problems)
        if raw is None:
            continue
        raws[file] = raw
        digest.update(f"{file.name}\0{len(raw)}\0".encode() + raw)
        entry = cache.get(file, file_key(file, raw)) if cache is not None else None
        if entry is not None:
            entries[file] = entry
            parsed.append((file, entry.located()))
            continue
        located = parse_spec(file, raw, problems, fast=cache is not None)
        if located is not None:
            parsed.append((file, located))
            if cache is not None:
                entries[file] = Entry.of(file_key(file, raw), located)
                missed.add(file)
    values = collect_variables(parsed, inputs, problems)
    digest.update(canonical_json({k: v for k, v in values.items() if v is not UNSET}).encode())
    jobs_key = values_key(values)
    for file, entry in entries.items():
        if entry.jobs_key == jobs_key and not entry.fresh:
            raws.pop(file, None)  # its jobs come from the cache: its bytes are not needed
    rows: dict[str, JobRow] = {}
    made: dict[str, DesiredJob] = {}
    cached: dict[str, tuple[Entry, int]] = {}
    backend: BackendConfig | None = None
    backend_where: str | None = None
    warnings: list[str] = []
    resolver = resolver or Resolver()
    project = str(root or directory.resolve().parent)
    project_real = resolver.realpath(os.path.abspath(project))
    changed: list[Path] = []
    for file, located in parsed:
        found_backend, key = find_engine_config(file, located, problems, warnings)
        if found_backend is not None:
            where = f"{display_path(file)}:{located.position((key,))[0]}"
            if backend is not None and found_backend != backend:
                problems.add(
                    file,
                    located.position((key,)),
                    (key,),
                    f"differs from the engine declared at {backend_where} — declare the "
                    "engine in one file only",
                )
            else:
                backend, backend_where = found_backend, where
        entry = entries.get(file)
        made_now: dict[int, DesiredJob] = {}
        if entry is not None and entry.jobs_key == jobs_key and not entry.fresh:
            file_rows = entry.take_rows(file)
        else:
            if entry is not None and located.data.get("jobs") is None:
                # the cached top only
                located = parse_spec(file, raws[file], problems, fast=True) or located
            previous = cache.previous(file) if cache is not None and file in missed else None
            loaded = expand_jobs(
                file, located, problems, values, jobs_key, previous, entry is not None
            )
            file_rows, made_now = loaded.rows, loaded.made
            if entry is not None:
                entry.remember_jobs(jobs_key, loaded.chunks, loaded.rows)
                changed.append(file)
        for index, row in enumerate(file_rows):
            _check_inside(row, located, problems, project, project_real, resolver)
            other = rows.get(row.address)
            if other is not None:
                problems.add(
                    file,
                    (row.line, row.column),
                    ("jobs", row.address),
                    f"job name already used at {display_path(other.file)}:{other.line}:"
                    f"{other.column} — rename one of them",
                )
                continue
            rows[row.address] = row
            job = made_now.get(index)
            if job is not None:
                made[row.address] = job
            elif entry is not None:
                cached[row.address] = (entry, index)
    state = find_state_config(parsed, problems)
    if problems.lines:
        if cache is not None:
            return None
        raise SpecError(problems.lines)
    if cache is not None:
        for file in changed:
            cache.put(file, entries[file])
    ordered = dict(sorted(rows.items()))
    return SpecSet(
        directory=directory,
        jobs=Jobs(ordered, made, cached),
        rows=ordered,
        backend=backend or BackendConfig(),
        backend_where=backend_where,
        digest="sha256:" + digest.hexdigest(),
        variables=values,
        files=tuple(files),
        state=state,
        warnings=tuple(warnings),
    )


def _check_inside(
    row: JobRow,
    located: Located,
    problems: Problems,
    root: str,
    root_real: str,
    resolver: Resolver,
) -> None:
    """Refuse a path or file:// input outside the project unless the job opts in.

    Decided on every load, cached or not: it depends on the symlinks on disk, not only on
    the spec's bytes (a cached decision would miss a link swapped since). It costs one
    `lstat` per input, which input identification then reuses as the input's stat.
    """
    if row.input_type != "OSS" or row.allow_outside_project:
        return
    path = resolver.local(row.media, row.base_dir)
    if path is None:
        return
    # a relative path comes back resolved; an absolute one or a file:// URL as named
    written = row.media.startswith(("file://", os.sep, "~"))
    real = resolver.realpath(os.path.abspath(path)) if written else path
    if is_within(real, root_real):
        return
    name = row.address.partition("[")[0]
    at = position_in_job(located, ("jobs", name), ("InputConfig", "Media"))
    problems.add(
        row.file,
        at,
        ("jobs", row.address, "InputConfig", "Media"),
        f"{row.media!r} resolves to {real}, outside the project directory {root} — move the "
        "file into the project, or set local: {allow_outside_project: true} on this job "
        "if you trust the spec",
    )
