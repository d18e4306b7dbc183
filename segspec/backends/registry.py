"""The one list of backends, by the name a spec's `backend: {type: ...}` uses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from segspec.backends.base import Backend
from segspec.errors import SegspecError
from segspec.spec.models import BackendConfig

BackendFactory = Callable[[BackendConfig, Path], Backend]
"""Build a backend from its config and the project's local store root."""


def _local(config: BackendConfig, store_root: Path) -> Backend:
    from segspec.backends.local.engine import LocalBackend
    from segspec.backends.local.store import LocalStore

    return LocalBackend(LocalStore(store_root), config.object_endpoint)


def _ice(config: BackendConfig, store_root: Path) -> Backend:
    try:
        from segspec.backends.ice import make_ice_backend
    except ImportError as exc:  # pragma: no cover - present once the ice backend lands
        raise SegspecError(f"the ice backend is not available in this build ({exc})") from exc
    backend: Backend = make_ice_backend(config)
    return backend


REGISTRY: dict[str, BackendFactory] = {"local": _local, "ice": _ice}


def make_backend(config: BackendConfig, store_root: Path) -> Backend:
    """Build the backend `config.type` names; raises `SegspecError` for an unknown name."""
    factory = REGISTRY.get(config.type)
    if factory is None:
        raise SegspecError(
            f"unknown backend {config.type!r} — use one of {', '.join(sorted(REGISTRY))}"
        )
    return factory(config, store_root)
