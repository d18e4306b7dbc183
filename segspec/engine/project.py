"""Where a project's pieces live, and the steps every command shares.

A project is a spec directory; by default its state file (`segspec.state.json`) and the
local engine's store (`.segspec/`) sit beside it, in the directory above `specs/`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from segspec.backends.local.inputs import HashCache
from segspec.backends.local.store import LocalStore
from segspec.backends.objects import ObjectStore
from segspec.backends.registry import Checked, backend_entry
from segspec.engine import scan
from segspec.engine.drift import gather_drift
from segspec.errors import SegspecError, SpecError
from segspec.gcpause import collector_paused
from segspec.plan.model import Facts, Plan, Want, matches
from segspec.plan.outputs import MediaFacts
from segspec.plan.planner import plan as make_plan
from segspec.spec.cache import SpecCache
from segspec.spec.loader import SpecSet, load_specs, read_state_config
from segspec.spec.models import BackendConfig, StateConfig
from segspec.spec.paths import Resolver
from segspec.spec.problems import display_path
from segspec.spec.variables import VariableInputs
from segspec.state.base import State, StateBackend
from segspec.state.config import ENV_STATE, make_state_backend, parse_state_url

BACKEND_ENV = "SEGSPEC_BACKEND"


@dataclass(frozen=True)
class Project:
    specs_dir: Path
    state_override: str | None = None
    """`--state` or SEGSPEC_STATE: a path or s3://BUCKET/KEY, stronger than `state:`."""
    backend_override: str | None = None
    variables: VariableInputs | None = None

    @classmethod
    def locate(
        cls, specs: Path | None, state: str | Path | None, backend: str | None = None
    ) -> Project:
        specs_dir = specs if specs is not None else Path("specs")
        override = str(state) if state is not None else os.environ.get(ENV_STATE) or None
        return cls(
            specs_dir=specs_dir,
            state_override=override,
            backend_override=backend or os.environ.get(BACKEND_ENV) or None,
        )

    @property
    def root(self) -> Path:
        return self.specs_dir.resolve().parent

    @cached_property
    def resolver(self) -> Resolver:
        """Local paths resolved for this command (a Project lives for one command)."""
        return Resolver()

    def load_specs(self) -> SpecSet:
        cache = SpecCache(self.root / ".segspec" / "cache" / "specs")
        return load_specs(self.specs_dir, self.variables, self.root, cache, self.resolver)

    def with_variables(self, variables: VariableInputs) -> Project:
        return replace(self, variables=variables)

    def backend_config(self, specs: SpecSet) -> BackendConfig:
        """The spec's backend block, with the CLI flag / environment override applied."""
        config = specs.backend
        if self.backend_override and self.backend_override != config.type:
            config = config.model_copy(update={"type": self.backend_override})
        return config

    def store_root(self, config: BackendConfig) -> Path:
        if config.store:
            path = Path(config.store)
            return path if path.is_absolute() else self.root / path
        return self.root / ".segspec"

    def hash_cache(self, config: BackendConfig) -> HashCache:
        """sha256s of local files (inputs and outputs), kept by size and mtime."""
        return HashCache(self.store_root(config) / "cache" / "sha256.json")

    def local_store(self, config: BackendConfig) -> LocalStore:
        return LocalStore(self.store_root(config))

    def state_config(self) -> StateConfig | None:
        """Where the state lives, as configured (None: the default local file)."""
        block = read_state_config(self.specs_dir)
        if self.state_override is None:
            return block
        return parse_state_url(self.state_override, block)

    @cached_property
    def state_backend(self) -> StateBackend:
        """The state store (made once per project; nothing is sent until it is used)."""
        config = self.state_config()
        if self.state_override is not None and config is not None and config.type == "local":
            from segspec.state.store import FileStateBackend

            return FileStateBackend(Path(self.state_override))  # as given, relative to cwd
        return make_state_backend(config, self.root)

    def open_state(self) -> State:
        return self.state_backend.open()

    def lock(self, timeout: float = 0.0) -> AbstractContextManager[object]:
        """The state's lock, for the `with` block of one command."""
        return self.state_backend.lock(timeout=timeout)


def check_backend(specs: SpecSet, config: BackendConfig) -> None:
    """Refuse, before any request, what the chosen backend's service would refuse.

    Pure (no network); raises `SpecError` with one file:line:col line per problem.
    """
    entry = backend_entry(config.type)
    if entry.check is None:
        return
    problems = entry.check(Checked(specs.jobs.values(), specs.backend_where, display_path), config)
    if problems:
        raise SpecError(problems)


def _identifier(
    project: Project, config: BackendConfig, cache: HashCache | None
) -> scan.Identify | None:
    entry = backend_entry(config.type)
    if entry.inputs is None:
        return None
    return entry.inputs(config, project.store_root(config), cache, project.resolver)


def gather_wants(
    project: Project, specs: SpecSet, config: BackendConfig, cache: HashCache | None = None
) -> list[Want]:
    """Everything the planner needs about each desired job, including input identities.

    This is where planning's I/O happens: inputs the backend reads on this machine are
    stat'ed and hashed (hashes are cached by size and mtime), so the planner itself stays
    pure. A `cache` passed in is left for the caller to save; otherwise one is opened and
    saved here.
    """
    entry = backend_entry(config.type)
    owned = cache is None and entry.uses_hash_cache
    if owned:
        cache = project.hash_cache(config)
    # `local:` options only shape the local engine's clips; on other backends they are
    # ignored, so they must not trigger reruns there either.
    with_local = entry.uses_local_options
    looked = scan.look(specs.rows, {}, _identifier(project, config, cache), with_local, "")
    wants = [scan.want_of(job, config.type, looked, with_local) for job in specs.jobs.values()]
    if owned and cache is not None:
        cache.save()
    return wants


@dataclass(frozen=True)
class PlanOptions:
    """What the user chose for this plan."""

    targets: tuple[str, ...] = ()
    """Only plan addresses matching these globs (`--target`)."""
    replace: tuple[str, ...] = ()
    """Rerun these unchanged jobs (`--replace`, globs allowed)."""
    refresh: bool = True
    """Check that recorded outputs still exist unchanged (`--refresh=false` skips it)."""
    preview_shots: bool = False
    """Run shot detection for BasicClipSplit jobs to show how many clips each makes."""
    settle: bool = False
    """Let unchanged jobs be planned from summaries alone: their no-ops then carry no
    before/after and `Planned.wants` holds only the jobs that change. Plans that show
    every job in full (`plan --json`, saved plans, the report) leave it off."""


@dataclass(frozen=True)
class Planned:
    specs: SpecSet
    config: BackendConfig
    wants: dict[str, Want]
    plan: Plan
    objects: ObjectStore | None = None
    """The outputs' store when planning already opened it (apply reuses it)."""


def object_store(
    project: Project,
    config: BackendConfig,
    cache: HashCache | None = None,
    requests: Iterable[Mapping[str, Any]] = (),
    endpoints: Mapping[str, str] | None = None,
) -> ObjectStore | None:
    """The store holding this backend's outputs, or None when segspec cannot reach it.

    A job whose OutputConfig names an Endpoint may keep its bucket in the S3-compatible
    store there; `requests` (of the specs and the state) say which, or `endpoints`
    (bucket -> Endpoint) when already known.
    """
    if endpoints is None:
        endpoints = {
            str(out["Bucket"]): str(out["Endpoint"])
            for request in requests
            if (out := request.get("OutputConfig") or {}).get("Endpoint")
        }
    entry = backend_entry(config.type)
    return entry.objects(config, project.store_root(config), cache, endpoints)


def default_parallelism(config: BackendConfig) -> int:
    return backend_entry(config.type).default_parallelism


def plan_project(
    project: Project,
    state: State,
    options: PlanOptions | None = None,
    *,
    specs: SpecSet | None = None,
) -> Planned:
    """Load specs, gather facts (inputs, drift) and plan against `state`."""
    with collector_paused():
        return _plan_project(project, state, options or PlanOptions(), specs)


def _plan_project(
    project: Project, state: State, options: PlanOptions, specs: SpecSet | None
) -> Planned:
    specs = specs or project.load_specs()
    config = project.backend_config(specs)
    check_backend(specs, config)
    entry = backend_entry(config.type)
    cache = project.hash_cache(config) if entry.uses_hash_cache else None
    summaries = state.summaries()
    rows = specs.rows
    known = summaries.keys() | rows.keys()
    _check_patterns(known, options.targets, "--target")
    _check_patterns(known, options.replace, "--replace")
    selected = (
        {a for a in known if any(matches(a, t) for t in options.targets)}
        if options.targets
        else known
    )
    force = (
        frozenset(a for a in known if any(matches(a, r) for r in options.replace))
        if options.replace
        else frozenset()
    )
    with_local = entry.uses_local_options
    identify = _identifier(project, config, cache)
    keep = force.__contains__ if options.settle else (lambda address: True)
    gone = set(summaries.keys() - rows.keys())  # (a set made to its size: the difference
    # keeps the table of all the summaries' keys, megabytes at 100,000 jobs, even when empty)
    elsewhere = scan.recorded_elsewhere(gone, summaries, project.resolver)
    looked = scan.look(rows, summaries, identify, with_local, config.type, keep, elsewhere)
    full = looked.candidates
    drift: dict[str, tuple[str, ...]] = {}
    endpoints = scan.endpoints(rows, summaries)
    store = object_store(project, config, cache, endpoints=endpoints) if options.refresh else None
    if store is not None:
        # only a job otherwise unchanged can drift (any other is rerun or shown anyway)
        calm = [a for a in rows if a in selected and a in summaries and a not in full]
        drift = gather_drift(summaries, calm if options.settle else sorted(selected), store)
        drifted = {a: rows[a] for a in drift if a in rows and a not in full}
        if drifted:  # settled but for their outputs: now seen in full
            more = scan.look(drifted, summaries, identify, with_local, config.type, bool)
            looked.identities.update(more.identities)
            looked.fingerprints.update(more.fingerprints)
            full |= set(drifted)
    if cache is not None:
        cache.save()
    look_at = (full | gone) & selected
    records = state.records(sorted(look_at))
    wants = [
        scan.want_of(specs.jobs[a], config.type, looked, with_local)
        for a in rows
        if a in full and a in selected
    ]
    media: dict[str, MediaFacts] = {}
    shots: dict[str, int] = {}
    if config.type == "local" and wants:  # (no-op plans do not even import PyAV)
        from segspec.engine.foresight import gather_media, gather_shots

        media = gather_media(wants, project.local_store(config))
        if options.preview_shots:
            shots = gather_shots(wants, project.local_store(config))
    facts = Facts(
        media=media, shots=shots, drift=drift, force_replace=force, targets=options.targets
    )
    settled = scan.settled(rows, summaries, (w.address for w in wants))
    result = make_plan(wants, records, facts, settled)
    return Planned(specs, config, {w.address: w for w in wants}, result, store)


def _check_patterns(known: set[str], patterns: tuple[str, ...], flag: str) -> None:
    for pattern in patterns:
        if not any(matches(address, pattern) for address in known):
            listed = ", ".join(sorted(known)) or "none"
            raise SegspecError(
                f"{flag} {pattern!r} matches no job — use an address from the specs or the "
                f"state ({listed}); quote addresses with brackets, e.g. 'ep[\"a\"]'"
            )
