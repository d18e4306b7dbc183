"""Turns what a backend reports about one job into events (see `backends.progress`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from segspec.engine.events import Emit, JobProgress, JobRetrying, JobSubmitted

PROGRESS_EVERY_SECONDS = 0.25
"""At most this often a progress event per job (the last one, at 100 %, always goes)."""


class JobEvents:
    """The `JobReporter` of one job (`address`); `None` for the whole operation."""

    def __init__(
        self, address: str | None, emit: Emit, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.address, self._emit, self._clock = address, emit, clock
        self.job_id: str | None = None
        """Set once the backend said the job started under this id."""
        self._stage = ""
        self._stage_started = 0.0
        self._last = -1.0
        self._lock = threading.Lock()

    def submitted(self, job_id: str) -> None:
        if self.address is None or self.job_id == job_id:
            return
        self.job_id = job_id
        self._emit(JobSubmitted(self.address, job_id))

    def progress(self, stage: str, done: float, total: float | None, fps: float | None) -> None:
        if self.address is None:
            return
        now = self._clock()
        with self._lock:
            if stage != self._stage:
                self._stage, self._stage_started, self._last = stage, now, -1.0
            fraction = min(1.0, max(0.0, done / total)) if total else 0.0
            if fraction < 1.0 and now - self._last < PROGRESS_EVERY_SECONDS:
                return
            self._last = now
            elapsed = now - self._stage_started
        eta = elapsed * (1.0 - fraction) / fraction if fraction > 0 and elapsed > 0 else None
        self._emit(JobProgress(self.address, stage, fraction, fps, eta))

    def retrying(self, call: str, reason: str, delay: float, attempt: int) -> None:
        self._emit(JobRetrying(self.address, call, reason, delay, attempt))
