"""Load a spec directory into validated jobs, reporting every problem at once.

Each `*.yaml` file has `version: 1`, optional `defaults:` (deep-merged into each of its
jobs), optional `backend:`, and `jobs:` mapping a name to a body in the service's own
parameter names. Problems are collected across all files and raised together as one
`SpecError` whose lines read `file:line:col: jobs.NAME.Path: message — remedy`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from segspec.errors import SpecError
from segspec.spec.messages import describe, suggest, word_error
from segspec.spec.models import JOB_NAME_RE, BackendConfig, JobBody
from segspec.spec.normalize import local_options, normalized_request
from segspec.spec.yamlpos import Located, Path_, YamlSyntaxError, read_yaml

TOP_LEVEL_KEYS = ("version", "backend", "defaults", "jobs")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class DesiredJob:
    """One job the specs ask for, validated and normalized."""

    address: str
    file: Path
    line: int
    column: int
    body: JobBody
    request: dict[str, Any]
    local: dict[str, Any]

    @property
    def base_dir(self) -> Path:
        """Relative local input paths resolve against the spec file's directory."""
        return self.file.parent

    @property
    def where(self) -> str:
        return f"{display_path(self.file)}:{self.line}:{self.column}"


@dataclass(frozen=True)
class SpecSet:
    """Everything a spec directory declares."""

    directory: Path
    jobs: dict[str, DesiredJob]
    backend: BackendConfig
    backend_where: str | None
    digest: str
    """sha256 over the spec files' bytes, to tell whether a saved plan is stale."""
    files: tuple[Path, ...] = field(default=())


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is below it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class _Problems:
    """Problems in the order a reader meets them: by file, then line and column."""

    def __init__(self) -> None:
        self._found: list[tuple[int, int, int, str]] = []
        self._files: dict[Path, int] = {}

    def add(self, file: Path, pos: tuple[int, int], path: Path_, message: str) -> None:
        order = self._files.setdefault(file, len(self._files))
        where = f"{display_path(file)}:{pos[0]}:{pos[1]}"
        line = f"{where}: {render_path(path)}: {message}" if path else f"{where}: {message}"
        self._found.append((order, pos[0], pos[1], line))

    @property
    def lines(self) -> list[str]:
        return [line for *_, line in sorted(self._found, key=lambda f: f[:3])]


def render_path(path: Path_) -> str:
    """`('jobs', 'a', 'JobParams', 'Ranges', 1, 'Out')` → `jobs.a.JobParams.Ranges[1].Out`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def spec_files(directory: Path) -> list[Path]:
    """The spec files of a directory, in a stable order."""
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_specs(directory: Path) -> SpecSet:
    """Read, validate and normalize every spec file in `directory`.

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
    problems = _Problems()
    jobs: dict[str, DesiredJob] = {}
    backend: BackendConfig | None = None
    backend_where: str | None = None
    digest = hashlib.sha256()
    for file in files:
        raw = file.read_bytes()
        digest.update(f"{file.name}\0{len(raw)}\0".encode() + raw)
        located = _parse(file, raw, problems)
        if located is None:
            continue
        found_backend = _backend(file, located, problems)
        if found_backend is not None:
            where = f"{display_path(file)}:{located.position(('backend',))[0]}"
            if backend is not None and found_backend != backend:
                problems.add(
                    file,
                    located.position(("backend",)),
                    ("backend",),
                    f"differs from the backend declared at {backend_where} — declare the "
                    "backend in one file only",
                )
            else:
                backend, backend_where = found_backend, where
        for job in _jobs(file, located, problems):
            other = jobs.get(job.address)
            if other is not None:
                problems.add(
                    file,
                    (job.line, job.column),
                    ("jobs", job.address),
                    f"job name already used at {other.where} — rename one of them",
                )
                continue
            jobs[job.address] = job
    if problems.lines:
        raise SpecError(problems.lines)
    return SpecSet(
        directory=directory,
        jobs=dict(sorted(jobs.items())),
        backend=backend or BackendConfig(),
        backend_where=backend_where,
        digest="sha256:" + digest.hexdigest(),
        files=tuple(files),
    )


def _parse(file: Path, raw: bytes, problems: _Problems) -> Located | None:
    try:
        located = read_yaml(raw.decode("utf-8"))
    except UnicodeDecodeError:
        problems.add(file, (1, 1), (), "is not UTF-8 text — save it as UTF-8")
        return None
    except YamlSyntaxError as exc:
        problems.add(file, exc.pos, (), f"YAML syntax error: {exc.message} — fix the syntax")
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


def _backend(file: Path, located: Located, problems: _Problems) -> BackendConfig | None:
    raw = located.data.get("backend")
    if raw is None:
        return None
    try:
        return BackendConfig.model_validate(raw)
    except ValidationError as exc:
        _report(file, located, problems, exc, ("backend",), BackendConfig, ())
        return None


def _jobs(file: Path, located: Located, problems: _Problems) -> list[DesiredJob]:
    data: Mapping[str, Any] = located.data
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.add(file, located.position(("defaults",)), ("defaults",), "must be a mapping")
        return []
    jobs = data.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        problems.add(
            file,
            located.position(("jobs",)),
            ("jobs",),
            "must map job names to job bodies — add at least one job",
        )
        return []
    out: list[DesiredJob] = []
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
        merged = deep_merge(defaults, body)
        try:
            model = JobBody.model_validate(merged)
        except ValidationError as exc:
            _report(file, located, problems, exc, ("jobs", name), JobBody, ("defaults",))
            continue
        out.append(
            DesiredJob(
                address=name,
                file=file,
                line=pos[0],
                column=pos[1],
                body=model,
                request=normalized_request(model),
                local=local_options(model),
            )
        )
    return out


def _report(
    file: Path,
    located: Located,
    problems: _Problems,
    exc: ValidationError,
    prefix: Path_,
    model: Any,
    fallback: Path_,
) -> None:
    for err in exc.errors():
        loc: Path_ = tuple(err["loc"])
        path = (*prefix, *loc)
        if located.has(path) or not fallback or not located.has((*fallback, *loc)):
            pos = located.position(path)
        else:
            pos = located.position((*fallback, *loc))  # the value came from defaults
        problems.add(file, pos, path, word_error(model, err))


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` on top of `base`: mappings merge key by key; lists and scalars replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
