"""Load a spec directory into validated jobs, reporting every problem at once.

Each `*.yaml` file has `version: 1`, optional `defaults:` (deep-merged into each of its
jobs), optional `backend:`, and `jobs:` mapping a name to a body in the service's own
parameter names. Problems are collected across all files and raised together as one
`SpecError` whose lines read `file:line:col: jobs.NAME.Path: message — remedy`.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from segspec.errors import SpecError
from segspec.spec.cache import (
    Entry,
    Previous,
    SpecCache,
    file_key,
    job_base,
    values_key,
)
from segspec.spec.entries import Entries, add_entries
from segspec.spec.filejobs import FileJobs, Instance, JobOf
from segspec.spec.interpolate import UNSET, Scope, interpolate, size
from segspec.spec.limits import MAX_FILE_BYTES, Budget, LimitError
from segspec.spec.messages import describe, suggest
from segspec.spec.models import JOB_NAME_RE, BackendConfig, JobBody, StateConfig
from segspec.spec.normalize import SERVICE_KEYS, canonical_json
from segspec.spec.paths import Resolver, is_within
from segspec.spec.problems import Problems, display_path, position_in_job, report_validation
from segspec.spec.rows import JobRow
from segspec.spec.variables import Variable, VariableInputs
from segspec.spec.variables import resolve as resolve_variables
from segspec.spec.yamlpos import Located, Path_, YamlSyntaxError, read_plain, read_yaml

TOP_LEVEL_KEYS = ("version", "engine", "backend", "state", "variables", "defaults", "jobs")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class DesiredJob:
    """One job the specs ask for, validated and normalized."""

    address: str
    file: Path
    line: int
    column: int
    body_data: dict[str, Any]
    """The validated body as JSON data (defaults filled, `None`s dropped)."""
    request: dict[str, Any]
    local: dict[str, Any]
    model: JobBody | None = field(default=None, compare=False, repr=False)
    """The model the body was validated into, when this load made it (else: made on use)."""

    @classmethod
    def made(cls, address: str, file: Path, pos: tuple[int, int], model: JobBody) -> DesiredJob:
        """The job of a freshly validated body."""
        return cls.of_data(
            address, file, pos, model.model_dump(mode="json", exclude_none=True), model
        )

    @classmethod
    def of_data(
        cls,
        address: str,
        file: Path,
        pos: tuple[int, int],
        body: dict[str, Any],
        model: JobBody | None = None,
    ) -> DesiredJob:
        """The job of a body validated earlier (the spec cache), or just now (`model`)."""
        request = {key: body[key] for key in SERVICE_KEYS if key in body}
        local = {k: v for k, v in (body.get("local") or {}).items() if k != "allow_outside_project"}
        return cls(address, file, pos[0], pos[1], body, request, local, model)

    @cached_property
    def body(self) -> JobBody:
        return self.model if self.model is not None else JobBody.model_validate(self.body_data)

    @property
    def prune_outputs(self) -> bool:
        return bool((self.body_data.get("lifecycle") or {}).get("prune_outputs"))

    @property
    def allow_outside_project(self) -> bool:
        return bool((self.body_data.get("local") or {}).get("allow_outside_project"))

    @property
    def base_dir(self) -> Path:
        """Relative local input paths resolve against the spec file's directory."""
        return self.file.parent

    @property
    def where(self) -> str:
        return f"{display_path(self.file)}:{self.line}:{self.column}"


class Jobs(Mapping[str, DesiredJob]):
    """The jobs of a spec set by address, in address order; a job the spec cache had is
    read from it (its body only) on first use."""

    def __init__(
        self,
        rows: Mapping[str, JobRow],
        made: Mapping[str, DesiredJob],
        cached: Mapping[str, tuple[Entry, int]],
    ) -> None:
        self._rows, self._made, self._cached = rows, dict(made), cached

    def __getitem__(self, address: str) -> DesiredJob:
        job = self._made.get(address)
        if job is None:
            row = self._rows[address]
            entry, index = self._cached[address]
            body = entry.body(index, address)
            job = DesiredJob.of_data(address, row.file, (row.line, row.column), body)
            self._made[address] = job
        return job

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, address: object) -> bool:
        return address in self._rows


@dataclass(frozen=True)
class SpecSet:
    """Everything a spec directory declares."""

    directory: Path
    jobs: Mapping[str, DesiredJob]
    backend: BackendConfig
    backend_where: str | None
    digest: str
    """sha256 over the spec files' bytes and variable values, to tell if a plan is stale."""
    variables: dict[str, Any] = field(default_factory=dict)
    files: tuple[Path, ...] = field(default=())
    state: StateConfig | None = None
    """The `state:` block, when one file has it."""
    warnings: tuple[str, ...] = ()
    """Deprecations to tell the user about (the spec is valid)."""
    rows: Mapping[str, JobRow] = field(default_factory=dict)
    """What planning compares of each job, by address (see segspec.spec.rows)."""


def spec_files(directory: Path) -> list[Path]:
    """The spec files of a directory, in a stable order (anything named *.yaml but a
    directory is listed, so a non-regular one is reported rather than silently skipped)."""
    return sorted(
        p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir()
    )


def _read_spec(file: Path, problems: Problems) -> bytes | None:
    """The bytes of a spec file, or None with a problem recorded; reads at most the limit."""
    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            problems.add(
                file,
                (1, 1),
                (),
                f"is not a regular file (it is {_file_kind(file)}) — replace it with a "
                "YAML spec file, or remove it",
            )
            return None
        with file.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        problems.add(
            file, (1, 1), (), f"cannot be read ({exc.strerror or exc}) — check its permissions"
        )
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.add(
            file,
            (1, 1),
            (),
            f"is larger than the limit of {MAX_FILE_BYTES:,} bytes — split it into several "
            "spec files",
        )
        return None
    return raw


def _file_kind(file: Path) -> str:
    try:
        mode = file.stat().st_mode
    except OSError:
        return "unreadable"
    kind = (
        "a character device"
        if stat.S_ISCHR(mode)
        else "a block device"
        if stat.S_ISBLK(mode)
        else "a named pipe"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    if file.is_symlink():
        kind += f", through a symlink to {os.readlink(file)}"
    return kind


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
        raw = _read_spec(file, problems)
        if raw is None:
            continue
        raws[file] = raw
        digest.update(f"{file.name}\0{len(raw)}\0".encode() + raw)
        entry = cache.get(file, file_key(file, raw)) if cache is not None else None
        if entry is not None:
            entries[file] = entry
            parsed.append((file, entry.located()))
            continue
        located = _parse(file, raw, problems, fast=cache is not None)
        if located is not None:
            parsed.append((file, located))
            if cache is not None:
                entries[file] = Entry.of(file_key(file, raw), located)
                missed.add(file)
    values = _variables(parsed, inputs, problems)
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
        found_backend, key = _backend(file, located, problems, warnings)
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
                located = _parse(file, raws[file], problems, fast=True) or located
            previous = cache.previous(file) if cache is not None and file in missed else None
            loaded = _jobs(file, located, problems, values, jobs_key, previous, entry is not None)
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


def _variables(
    parsed: list[tuple[Path, Located]], inputs: VariableInputs, problems: Problems
) -> dict[str, Any]:
    """Collect `variables:` declarations of all files and resolve their values."""
    declared: dict[str, Variable] = {}
    where: dict[str, tuple[Path, tuple[int, int]]] = {}
    for file, located in parsed:
        block = located.data.get("variables") or {}
        if not isinstance(block, dict):
            problems.add(
                file, located.position(("variables",)), ("variables",), "must be a mapping"
            )
            continue
        for name, body in block.items():
            pos = located.position(("variables", name))
            if name in declared:
                first = where[name]
                problems.add(
                    file,
                    pos,
                    ("variables", name),
                    f"already declared at {display_path(first[0])}:{first[1][0]} — keep one",
                )
                continue
            try:
                declared[name] = Variable.model_validate(body if body is not None else {})
            except ValidationError as exc:
                report_validation(file, located, problems, exc, ("variables", name), Variable, ())
                continue
            where[name] = (file, pos)
    values, found = resolve_variables(declared, inputs)
    for name, message in found:
        if name is not None and name in where:
            file, pos = where[name]
            problems.add(file, pos, ("variables", name), message)
        else:
            problems.add(parsed[0][0] if parsed else Path("."), (1, 1), (), message)
    return {name: values.get(name, UNSET) for name in declared}


def _parse(file: Path, raw: bytes, problems: Problems, fast: bool = False) -> Located | None:
    """The file's document, or None with its problems recorded. `fast`: for a load that
    is redone in full if it meets any problem (the cached one), so positions deeper than
    job names are not needed (`read_plain`, falling back to `read_yaml`)."""
    try:
        text = raw.decode("utf-8")
        located = (read_plain(text) if fast else None) or read_yaml(text)
    except UnicodeDecodeError:
        problems.add(file, (1, 1), (), "is not UTF-8 text — save it as UTF-8")
        return None
    except YamlSyntaxError as exc:
        problems.add(file, exc.pos, (), f"YAML syntax error: {exc.message} — fix the syntax")
        return None
    except LimitError as exc:
        problems.add(file, exc.pos, (), exc.message)
        return None
    for pos, path, message in located.problems:
        problems.add(file, pos, path, message)
    data = located.data
    if not isinstance(data, dict):
        problems.add(file, (1, 1), (), "must be a mapping with version: 1 and jobs: — see README")
        return None
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            hint = suggest(key, list(TOP_LEVEL_KEYS))
            remedy = f"did you mean {hint!r}?" if hint else f"use {', '.join(TOP_LEVEL_KEYS)}"
            problems.add(file, located.position((key,)), (key,), f"unknown key — {remedy}")
    version = data.get("version")
    if version != FORMAT_VERSION:
        message = (
            "required key 'version' is missing — add version: 1 at the top"
            if "version" not in data
            else f"unsupported version {describe(version)} — this segspec reads version: 1"
        )
        problems.add(file, located.position(("version",)), ("version",), message)
        return None
    return located


def _backend(
    file: Path, located: Located, problems: Problems, warnings: list[str]
) -> tuple[BackendConfig | None, str]:
    """The `engine:` block (where jobs run); `backend:` is its old, deprecated name."""
    data = located.data
    if "engine" in data and "backend" in data:
        problems.add(
            file,
            located.position(("backend",)),
            ("backend",),
            "is the old name of engine: and this file has both — keep only engine:",
        )
    key = "engine" if "engine" in data or "backend" not in data else "backend"
    raw = data.get(key)
    if raw is None:
        return None, key
    if key == "backend":
        line, column = located.position(("backend",))
        warnings.append(
            f"{display_path(file)}:{line}:{column}: backend: is deprecated — rename it to "
            "engine: (where jobs run); state: now says where the state lives"
        )
    try:
        return BackendConfig.model_validate(raw), key
    except ValidationError as exc:
        report_validation(file, located, problems, exc, (key,), BackendConfig, ())
        return None, key


def find_state_config(parsed: list[tuple[Path, Located]], problems: Problems) -> StateConfig | None:
    """The one `state:` block of the spec files (declared in one file only)."""
    found: StateConfig | None = None
    where = ""
    for file, located in parsed:
        raw = located.data.get("state")
        if raw is None:
            continue
        pos = located.position(("state",))
        try:
            config = StateConfig.model_validate(raw)
        except ValidationError as exc:
            report_validation(file, located, problems, exc, ("state",), StateConfig, ())
            continue
        if config.type != "local" and (not config.bucket or not config.key):
            problems.add(
                file,
                pos,
                ("state",),
                f"type {config.type} needs bucket: and key: — e.g. "
                "state: {type: s3, bucket: team-state, key: clips/segspec.state.json}",
            )
            continue
        if found is not None:
            problems.add(
                file, pos, ("state",), f"already declared at {where} — declare state: in one file"
            )
            continue
        found, where = config, f"{display_path(file)}:{pos[0]}"
    return found


def read_state_config(directory: Path) -> StateConfig | None:
    """Only the `state:` block of a spec directory (cheap: no jobs are validated), for
    commands that read the state without planning. Raises SpecError for a bad block."""
    if not directory.is_dir():
        return None
    problems = Problems()
    parsed = []
    for file in spec_files(directory):
        raw = file.read_bytes()
        if b"state" not in raw:
            continue
        located = _parse(file, raw, problems)
        if located is not None:
            parsed.append((file, located))
    found = find_state_config(parsed, problems)
    if problems.lines:
        raise SpecError(problems.lines)
    return found


def _jobs(
    file: Path,
    located: Located,
    problems: Problems,
    values: Mapping[str, Any],
    jobs_key: str = "",
    previous: Previous | None = None,
    keep: bool = False,
) -> FileJobs:
    """The file's jobs; those `previous` (the file's last cache entry) holds under the same
    own key are taken from it instead of being made again (see segspec.spec.cache), and
    with `keep` they are grouped into the chunks of the file's new entry."""
    budget = Budget()

    def make(instance: Instance) -> DesiredJob | None:
        return _one_job(file, located, problems, instance, Scope(values, instance.each), budget)

    out = FileJobs(file, problems, budget, make, previous, keep)
    data: Mapping[str, Any] = located.data
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.add(file, located.position(("defaults",)), ("defaults",), "must be a mapping")
        return out
    jobs = data.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        problems.add(
            file,
            located.position(("jobs",)),
            ("jobs",),
            "must map job names to job bodies — add at least one job",
        )
        return out
    defaults_size = size(defaults)
    for name, body in jobs.items():
        pos = located.position(("jobs", name))
        if not JOB_NAME_RE.match(name):
            problems.add(
                file,
                pos,
                ("jobs", name),
                "job names start with a letter or _ and use letters, digits, _ and - — rename it",
            )
            continue
        if not isinstance(body, dict):
            problems.add(file, pos, ("jobs", name), "must be a mapping with InputConfig, ...")
            continue
        body = dict(body)
        entries = _instances(file, located, problems, name, body, values, budget)
        if "for_each" in jobs[name]:
            if not out.cut():  # (the budget widens here: see segspec.spec.filejobs)
                return out
            budget.allow(len(entries))
        if not budget.spend(len(entries) * (defaults_size + size(body))):
            problems.add(
                file,
                pos,
                ("jobs", name),
                f"with defaults and for_each the file's jobs hold more than {budget.limit:,} "
                "values — split the file or use fewer for_each entries",
            )
            return out
        base = job_base(jobs_key, defaults, name, body)
        job = JobOf(name, pos, _merged(defaults, body), base if entries.texts else None)
        if not add_entries(out, job, entries, base, previous):
            return out
        if "for_each" in jobs[name] and not out.cut():
            return out
    out.cut()
    return out


def _merged(defaults: dict[str, Any], body: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """The job's body with the defaults merged in, made on first use and kept."""
    kept: list[dict[str, Any]] = []

    def merged() -> dict[str, Any]:
        if not kept:
            kept.append(deep_merge(defaults, body))
        return kept[0]

    return merged


def _instances(
    file: Path,
    located: Located,
    problems: Problems,
    name: str,
    body: dict[str, Any],
    values: Mapping[str, Any],
    budget: Budget,
) -> Entries:
    """The instances of a job: one, or one per `for_each` entry."""
    if "for_each" not in body:
        return Entries(name, [None])
    where: Path_ = ("jobs", name, "for_each")
    raw, found = interpolate(body.pop("for_each"), Scope(values), where, budget)
    for problem in (p for p in found if p.message):
        problems.add(file, located.position(problem.path), problem.path, problem.message)
    if found:
        return Entries(name, [])
    types = set(map(type, raw)) if isinstance(raw, list) else set()
    if raw and types == {str}:  # a list of names: no pair made yet
        if len(set(raw)) != len(raw):
            problems.add(
                file, located.position(where), where, "has duplicate entries — remove them"
            )
            return Entries(name, [])
        return Entries(name, [], raw)
    if isinstance(raw, list) and (
        types <= {str, int, float} or all(isinstance(v, (str, int, float)) for v in raw)
    ):  # (the type set first: one pass in C; `all` for their subclasses, e.g. bool)
        entries = dict(zip(raw, raw, strict=True)) if types <= {str} else {str(v): v for v in raw}
        if len(entries) != len(raw):
            problems.add(
                file, located.position(where), where, "has duplicate entries — remove them"
            )
            return Entries(name, [])
    elif isinstance(raw, dict):
        entries = {str(k): v for k, v in raw.items()}
    else:
        problems.add(
            file,
            located.position(where),
            where,
            "must be a map (key: value) or a list of strings — e.g. for_each: {ep1: a.mp4}",
        )
        return Entries(name, [])
    if not entries:
        problems.add(file, located.position(where), where, "is empty — add at least one entry")
    return Entries(name, list(entries.items()))


def _one_job(
    file: Path,
    located: Located,
    problems: Problems,
    instance: Instance,
    scope: Scope,
    budget: Budget,
) -> DesiredJob | None:
    name, address = instance.name, instance.address
    merged, found = interpolate(instance.job.merged(), scope, (), budget)
    for problem in (p for p in found if p.message):
        at = position_in_job(located, ("jobs", name), problem.path)
        problems.add(file, at, ("jobs", address, *problem.path), problem.message)
    if found:
        return None
    try:
        model = JobBody.model_validate(merged)
    except ValidationError as exc:
        report_validation(
            file, located, problems, exc, ("jobs", name), JobBody, ("defaults",), address
        )
        return None
    return DesiredJob.made(address, file, instance.pos, model)


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


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` on top of `base`: mappings merge key by key; lists and scalars replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
