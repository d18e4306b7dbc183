"""Where a project's pieces live, and the steps every command shares.

A project is a spec directory; by default its state file (`segspec.state.json`) and the
local engine's store (`.segspec/`) sit beside it, in the directory above `specs/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from segspec.backends.local.inputs import HashCache, input_identity
from segspec.backends.local.store import LocalStore
from segspec.backends.objects import LocalObjects, ObjectStore
from segspec.engine.drift import gather_drift
from segspec.errors import SegspecError, SpecError
from segspec.plan.model import Facts, Plan, Want, matches
from segspec.plan.outputs import MediaFacts
from segspec.plan.planner import plan as make_plan
from segspec.spec.loader import SpecSet, load_specs
from segspec.spec.models import BackendConfig
from segspec.spec.normalize import fingerprint
from segspec.spec.problems import display_path
from segspec.spec.variables import VariableInputs
from segspec.state.store import StateStore

BACKEND_ENV = "SEGSPEC_BACKEND"


@dataclass(frozen=True)
class Project:
    specs_dir: Path
    state_path: Path
    backend_override: str | None = None
    variables: VariableInputs | None = None

    @classmethod
    def locate(cls, specs: Path | None, state: Path | None, backend: str | None = None) -> Project:
        specs_dir = specs if specs is not None else Path("specs")
        root = specs_dir.resolve().parent
        return cls(
            specs_dir=specs_dir,
            state_path=state if state is not None else root / "segspec.state.json",
            backend_override=backend or os.environ.get(BACKEND_ENV) or None,
        )

    @property
    def root(self) -> Path:
        return self.specs_dir.resolve().parent

    def load_specs(self) -> SpecSet:
        return load_specs(self.specs_dir, self.variables)

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

    def open_state(self) -> StateStore:
        return StateStore.open(self.state_path)


def check_backend(specs: SpecSet, config: BackendConfig) -> None:
    """Refuse, before any request, what the chosen backend's service would refuse.

    Pure (no network): for ice, the region and every OSS input/output region; raises
    `SpecError` with one file:line:col line per problem.
    """
    if config.type != "ice":
        return
    from segspec.backends.ice.checks import region_problems

    problems = region_problems(
        specs.jobs.values(),
        config.region,
        backend_where=specs.backend_where,
        display=display_path,
    )
    if problems:
        raise SpecError(problems)


def gather_wants(
    project: Project, specs: SpecSet, config: BackendConfig, cache: HashCache | None = None
) -> list[Want]:
    """Everything the planner needs about each desired job, including input identities.

    This is where planning's I/O happens: local inputs are stat'ed and hashed (hashes are
    cached by size and mtime), so the planner itself stays pure. A `cache` passed in is
    left for the caller to save; otherwise one is opened and saved here.
    """
    store = project.local_store(config) if config.type == "local" else None
    owned = cache is None and store is not None
    if owned:
        cache = project.hash_cache(config)
    wants = []
    for job in specs.jobs.values():
        # `local:` options only shape the local engine's clips; on other backends they
        # are ignored, so they must not trigger reruns there either.
        options = job.local if config.type == "local" else {}
        identity = None
        if store is not None and cache is not None:
            identity = input_identity(job.request["InputConfig"], job.base_dir, store, cache)
        wants.append(
            Want(
                address=job.address,
                backend=config.type,
                request=job.request,
                local=options,
                input=identity,
                fingerprint=fingerprint(job.request, options, identity),
                prune_outputs=bool(job.body.lifecycle and job.body.lifecycle.prune_outputs),
                base_dir=str(job.base_dir),
            )
        )
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


@dataclass(frozen=True)
class Planned:
    specs: SpecSet
    config: BackendConfig
    wants: dict[str, Want]
    plan: Plan
    objects: ObjectStore | None = None
    """The outputs' store when planning already opened it (apply reuses it)."""


def object_store(
    project: Project, config: BackendConfig, cache: HashCache | None = None
) -> ObjectStore | None:
    """The store holding this backend's outputs, or None when segspec cannot reach it."""
    if config.type == "local":
        return LocalObjects(project.local_store(config), cache)
    try:
        from segspec.backends.s3objects import s3_objects_for
    except ImportError:
        return None
    return s3_objects_for(config)


def plan_project(
    project: Project,
    state: StateStore,
    options: PlanOptions | None = None,
    *,
    specs: SpecSet | None = None,
) -> Planned:
    """Load specs, gather facts (inputs, drift) and plan against `state`."""
    options = options or PlanOptions()
    specs = specs or project.load_specs()
    config = project.backend_config(specs)
    check_backend(specs, config)
    cache = project.hash_cache(config) if config.type == "local" else None
    wants = gather_wants(project, specs, config, cache)
    records = state.jobs
    known = set(records) | {w.address for w in wants}
    _check_patterns(known, options.targets, "--target")
    _check_patterns(known, options.replace, "--replace")
    selected = [
        a for a in known if not options.targets or any(matches(a, t) for t in options.targets)
    ]
    drift: dict[str, tuple[str, ...]] = {}
    store = object_store(project, config, cache) if options.refresh else None
    if store is not None:
        drift = gather_drift(records, selected, store)
    if cache is not None:
        cache.save()
    media: dict[str, MediaFacts] = {}
    shots: dict[str, int] = {}
    if config.type == "local":
        from segspec.engine.foresight import gather_media, gather_shots

        picked = set(selected)
        chosen = [w for w in wants if w.address in picked]
        media = gather_media(chosen, project.local_store(config))
        if options.preview_shots:
            shots = gather_shots(chosen, project.local_store(config))
    facts = Facts(
        media=media,
        shots=shots,
        drift=drift,
        force_replace=frozenset(a for a in known if any(matches(a, r) for r in options.replace)),
        targets=options.targets,
    )
    result = make_plan(wants, records, facts)
    return Planned(specs, config, {w.address: w for w in wants}, result, store)


def _check_patterns(known: set[str], patterns: tuple[str, ...], flag: str) -> None:
    for pattern in patterns:
        if not any(matches(address, pattern) for address in known):
            listed = ", ".join(sorted(known)) or "none"
            raise SegspecError(
                f"{flag} {pattern!r} matches no job — use an address from the specs or the "
                f"state ({listed}); quote addresses with brackets, e.g. 'ep[\"a\"]'"
            )
