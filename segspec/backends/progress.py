"""How a backend tells about the job it is working on, without knowing who listens.

The engine sets a `JobReporter` for the job a worker thread is running (`reporting`);
code deep inside a backend (an ffmpeg run, the detector's frame loop, a retried service
call) reaches it with `current()` and needs no extra parameter threaded through every
signature. Without a reporter, `current()` is a no-op, so backends and media code run the
same in tests, benchmarks and `segspec detect`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol


class JobReporter(Protocol):
    """What a backend may report while it runs one job. Every method is thread-safe and
    cheap; none may raise."""

    def submitted(self, job_id: str) -> None:
        """The job is known by `job_id` and its work has started."""
        ...

    def progress(self, stage: str, done: float, total: float | None, fps: float | None) -> None:
        """`done` of `total` units (frames or media seconds) of `stage` are done."""
        ...

    def retrying(self, call: str, reason: str, delay: float, attempt: int) -> None:
        """Call `call` failed transiently with `reason`; it is sent again after `delay` s."""
        ...


class _Silent:
    def submitted(self, job_id: str) -> None:
        pass

    def progress(self, stage: str, done: float, total: float | None, fps: float | None) -> None:
        pass

    def retrying(self, call: str, reason: str, delay: float, attempt: int) -> None:
        pass


SILENT: JobReporter = _Silent()
_current: ContextVar[JobReporter] = ContextVar("segspec_job_reporter", default=SILENT)


def current() -> JobReporter:
    """The reporter of the job this thread works on (a silent one when none)."""
    return _current.get()


@contextmanager
def reporting(reporter: JobReporter) -> Iterator[None]:
    """Make `reporter` current for this thread (and context) inside the `with` block."""
    token = _current.set(reporter)
    try:
        yield
    finally:
        _current.reset(token)


def frame_progress(
    reporter: JobReporter, frames: int | None, stage: str = "detect"
) -> Callable[[int], None]:
    """A callback reporting `count` of `frames` decoded in `stage` to `reporter`, with the
    frames per second since the callback was made."""
    started = time.monotonic()

    def report(count: int) -> None:
        elapsed = time.monotonic() - started
        reporter.progress(stage, count, frames, count / elapsed if elapsed > 0 else None)

    return report
