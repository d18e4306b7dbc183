"""What a spec directory declares, once loaded: its jobs (`DesiredJob`, by address in
`Jobs`) and the whole set (`SpecSet`). Made by `segspec.spec.loader.load_specs`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from segspec.spec.cache import Entry
from segspec.spec.models import BackendConfig, JobBody, StateConfig
from segspec.spec.normalize import SERVICE_KEYS
from segspec.spec.problems import display_path
from segspec.spec.rows import JobRow


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
