"""Bounded retries with exponential backoff and full jitter.

The SDK makes exactly one attempt per call, so retrying is segspec's job. Only errors
marked `retryable` (throttling, 5xx, timeouts, connection failures) are retried; every
retried call must be safe to repeat, which SubmitSegmentationJob is thanks to ClientToken.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from segspec.backends.progress import current
from segspec.errors import BackendError

T = TypeVar("T")
log = logging.getLogger("segspec.backends.ice")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most `max_attempts` calls within `max_total_seconds`.

    The n-th retry waits a uniformly random time in [0, min(max_delay, base_delay * 2**n)]
    ("full jitter"), so many parallel submitters that were throttled together spread out.
    A delay that would cross `max_total_seconds` is not taken; the last error is raised.
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_total_seconds: float = 120.0

    def delay(self, retry_number: int, rng: random.Random) -> float:
        """The pause before retry `retry_number` (0 for the first retry)."""
        cap = min(self.max_delay, self.base_delay * (2**retry_number))
        return rng.uniform(0.0, cap)


@dataclass
class Retrier:
    """Runs calls under a `RetryPolicy`; `sleep`, `clock` and `rng` are injectable for tests."""

    policy: RetryPolicy
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random | None = None

    def __post_init__(self) -> None:
        if self.rng is None:
            self.rng = random.Random()

    def run(self, what: str, call: Callable[[], T]) -> T:
        """Return `call()`'s result, retrying retryable `BackendError`s within the bounds.

        `what` names the operation in log lines and in the retrying event the current job
        reporter is told of. The error that ends the attempts is raised unchanged, so its
        code and request id reach the user.
        """
        assert self.rng is not None
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return call()
            except BackendError as err:
                if not err.retryable or attempt >= self.policy.max_attempts:
                    raise
                pause = self.policy.delay(attempt - 1, self.rng)
                if self.clock() - started + pause > self.policy.max_total_seconds:
                    raise
                log.info(
                    "%s: attempt %d failed with %s (RequestId %s); retrying in %.2fs",
                    what,
                    attempt,
                    err.code,
                    err.request_id,
                    pause,
                )
                # what went wrong, without the remedy meant for when retrying gives up
                reason = str(err).splitlines()[0].split(" — ")[0] if str(err) else "failed"
                if err.code and err.code not in reason:
                    reason = f"{err.code}: {reason}"
                if err.request_id and err.request_id not in reason:
                    reason += f" (RequestId {err.request_id})"
                current().retrying(what, reason, pause, attempt)
                self.sleep(pause)
