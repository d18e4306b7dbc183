"""Fault injection: failures at a seeded rate, or queued one-shot for exact scenarios."""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from enum import StrEnum


class Fault(StrEnum):
    """What can go wrong with one request."""

    THROTTLE = "throttle"
    """HTTP 400 `Throttling.User` before the request is handled."""
    SERVER_ERROR = "server-error"
    """HTTP 503 `ServiceUnavailable` before the request is handled."""
    SLOW = "slow"
    """The request is handled at once, but the response is delayed by `slow_seconds`."""
    ERROR_AFTER_CREATE = "error-after-create"
    """The request is handled (the job exists), then HTTP 500 `InternalError` is returned."""


@dataclass
class FaultSettings:
    """Rates are per request, in [0, 1]; `seed` makes the sequence repeatable."""

    throttle_rate: float = 0.0
    server_error_rate: float = 0.0
    slow_rate: float = 0.0
    error_after_create_rate: float = 0.0
    slow_seconds: float = 1.0
    retry_after_ms: int | None = None
    """When set, throttling responses carry `x-acs-retry-after` (the SDK then raises
    its ThrottlingException instead of ClientException)."""
    actions: frozenset[str] = frozenset()
    """Actions the rates apply to; empty means all."""
    seed: int = 0


@dataclass
class FaultPlan:
    """Decides, per request, which fault (if any) happens."""

    settings: FaultSettings = field(default_factory=FaultSettings)
    injected: Counter[Fault] = field(default_factory=Counter)
    _queued: dict[str, deque[Fault]] = field(default_factory=dict)
    _rng: random.Random = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.settings.seed)

    def queue(self, action: str, *faults: Fault) -> None:
        """Make the next requests for `action` (or "*" for any) fail in this order."""
        with self._lock:
            self._queued.setdefault(action, deque()).extend(faults)

    def next_for(self, action: str) -> Fault | None:
        """The fault for one incoming request: a queued one first, then the rates."""
        with self._lock:
            for key in (action, "*"):
                pending = self._queued.get(key)
                if pending:
                    return self._count(pending.popleft())
            s = self.settings
            if s.actions and action not in s.actions:
                return None
            draw = self._rng.random()
            for fault, rate in (
                (Fault.THROTTLE, s.throttle_rate),
                (Fault.SERVER_ERROR, s.server_error_rate),
                (Fault.SLOW, s.slow_rate),
                (Fault.ERROR_AFTER_CREATE, s.error_after_create_rate),
            ):
                if draw < rate:
                    return self._count(fault)
                draw -= rate
            return None

    def _count(self, fault: Fault) -> Fault:
        self.injected[fault] += 1
        return fault
