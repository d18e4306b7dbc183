"""The one list of engines (where jobs run), by the name `engine: {type: ...}` uses.

Everything the engine layer needs to know about a backend is declared here, once: how to
build it, where its outputs live (`objects`), how its inputs are identified for planning
(`inputs`), what its service would refuse before any request (`check`), and its defaults.
Callers ask the entry and never branch on a backend's name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segspec.backends.base import Backend
from segspec.backends.objects import ObjectStore, RoutedObjects
from segspec.errors import SegspecError
from segspec.spec.models import BackendConfig
from segspec.spec.paths import Resolver

BackendFactory = Callable[[BackendConfig, Path], Backend]
"""Build a backend from its config and the project's local store root."""
InputIdentity = Callable[
    [Mapping[str, Any], "Path | str", Mapping[str, Any] | None], dict[str, Any]
]
"""(InputConfig, spec file's directory, the identity the state recorded or None) -> the
input's identity for the fingerprint."""


@dataclass(frozen=True)
class Checked:
    """A job as the pre-request checks see it (see `ice.checks.CheckedJob`)."""

    jobs: Iterable[Any]
    where: str | None
    display: Callable[[Path], str]


@dataclass(frozen=True)
class BackendEntry:
    name: str
    make: BackendFactory
    objects: Callable[[BackendConfig, Path, Any, Mapping[str, str]], ObjectStore | None]
    """(config, store root, hash cache or None, bucket -> OutputConfig.Endpoint) -> the
    store its outputs live in, or None when segspec cannot reach it."""
    inputs: Callable[[BackendConfig, Path, Any, Resolver], InputIdentity] | None = None
    """Identify inputs on this machine (None: the service reads them; not identified).
    (config, store root, hash cache, the command's path resolver)."""
    check: Callable[[Checked, BackendConfig], list[str]] | None = None
    """`file:line:col: ...` problems the service would refuse, found without a request."""
    default_parallelism: int = 1
    uses_local_options: bool = False
    """Whether a job's `local:` block shapes its outputs (else it is ignored, and must
    not trigger reruns)."""
    uses_hash_cache: bool = False


def _make_local(config: BackendConfig, store_root: Path) -> Backend:
    from segspec.backends.local.engine import LocalBackend
    from segspec.backends.local.store import LocalStore

    return LocalBackend(LocalStore(store_root), config.object_endpoint)


def _local_objects(
    config: BackendConfig, store_root: Path, cache: Any, endpoints: Mapping[str, str]
) -> ObjectStore | None:
    from segspec.backends.local.objects import LocalObjects
    from segspec.backends.local.store import LocalStore

    if config.object_endpoint is None and not endpoints:
        return LocalObjects(LocalStore(store_root), cache)
    from segspec.backends.s3objects import s3_objects_at

    opened: dict[str, ObjectStore] = {}

    def at(endpoint: str) -> ObjectStore:
        if endpoint not in opened:
            opened[endpoint] = s3_objects_at(endpoint)
        return opened[endpoint]

    default = (
        at(config.object_endpoint)
        if config.object_endpoint
        else LocalObjects(LocalStore(store_root), cache)
    )
    return RoutedObjects(default, {bucket: at(e) for bucket, e in endpoints.items()})


def _local_inputs(
    config: BackendConfig, store_root: Path, cache: Any, resolver: Resolver
) -> InputIdentity:
    from segspec.backends.local.inputs import RemoteInputs, input_identity
    from segspec.backends.local.store import LocalStore

    store = LocalStore(store_root)
    remote = None
    if config.object_endpoint:
        from segspec.backends.s3objects import S3Objects, s3_objects_at

        opened: dict[str, S3Objects] = {}

        def at(endpoint: str) -> S3Objects:
            if endpoint not in opened:
                opened[endpoint] = s3_objects_at(endpoint)
            return opened[endpoint]

        remote = RemoteInputs(config.object_endpoint, at)

    def identify(
        input_config: Mapping[str, Any], base_dir: Path | str, known: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        return input_identity(input_config, base_dir, store, cache, remote, resolver, known)

    return identify


def _make_ice(config: BackendConfig, store_root: Path) -> Backend:
    from segspec.backends.ice import make_ice_backend

    backend: Backend = make_ice_backend(config)
    return backend


def _ice_objects(
    config: BackendConfig, store_root: Path, cache: Any, endpoints: Mapping[str, str]
) -> ObjectStore | None:
    from segspec.backends.s3objects import s3_objects_for

    return s3_objects_for(config)


def _ice_check(checked: Checked, config: BackendConfig) -> list[str]:
    from segspec.backends.ice.checks import region_problems

    return region_problems(
        checked.jobs, config.region, backend_where=checked.where, display=checked.display
    )


REGISTRY: dict[str, BackendEntry] = {
    "local": BackendEntry(
        name="local",
        make=_make_local,
        objects=_local_objects,
        inputs=_local_inputs,
        default_parallelism=1,
        uses_local_options=True,
        uses_hash_cache=True,
    ),
    "ice": BackendEntry(
        name="ice",
        make=_make_ice,
        objects=_ice_objects,
        check=_ice_check,
        default_parallelism=8,
    ),
}


def backend_entry(name: str) -> BackendEntry:
    """The entry for `name`; raises `SegspecError` for an unknown name."""
    entry = REGISTRY.get(name)
    if entry is None:
        raise SegspecError(f"unknown engine {name!r} — use one of {', '.join(sorted(REGISTRY))}")
    return entry


def make_backend(config: BackendConfig, store_root: Path) -> Backend:
    """Build the backend `config.type` names; raises `SegspecError` for an unknown name."""
    return backend_entry(config.type).make(config, store_root)
