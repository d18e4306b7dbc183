"""One plain line per event: for logs and pipes (no animation; colour only where allowed)."""

from __future__ import annotations

import threading

from segspec.cli.ui import UI
from segspec.cli.views.lines import (
    NOTHING_TO_REFRESH,
    deleted_line,
    job_line,
    progress_text,
    show_summary,
)
from segspec.engine.events import (
    Event,
    JobDeleted,
    JobFailed,
    JobProgress,
    JobQueued,
    OperationFinished,
    OperationStarted,
    PlanReady,
    SpecWarning,
    StateSaved,
)
from segspec.render.human import render_plan

PROGRESS_STEP = 0.25
"""A log gets a progress line only when a stage crosses a quarter (25 %, 50 %, ...)."""


class PlainView:
    def __init__(self, ui: UI) -> None:
        self.ui = ui
        self.operation = "apply"
        self._shown: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self._show(event)

    def close(self) -> None:
        pass

    def _show(self, event: Event) -> None:
        ui = self.ui
        if isinstance(event, OperationStarted):
            self.operation = event.operation
        elif isinstance(event, SpecWarning):
            ui.err(f"Warning: {event.message}")
        elif isinstance(event, PlanReady):
            if event.refresh_only and not event.plan.changes:
                ui.out(NOTHING_TO_REFRESH)
            else:
                ui.out(render_plan(event.plan, ui.style), nl=False)
        elif isinstance(event, JobQueued):
            pass  # the plan above already lists every job that will run
        elif isinstance(event, JobProgress):
            step = int(event.fraction / PROGRESS_STEP + 1e-9)
            key = (event.address, event.stage)
            if step > self._shown.get(key, 0):
                self._shown[key] = step
                ui.out(f"  {event.address} {event.stage}: {progress_text(event)}")
        elif isinstance(event, JobDeleted):
            mark, colour, text = deleted_line(event, self.operation)
            ui.out(f"{ui.style(mark, colour)} {text}")
        elif isinstance(event, JobFailed) and self.operation == "destroy":
            ui.err(f"{ui.style('✗', 'red')} {event.address}: {event.reason}")
        elif isinstance(event, StateSaved):
            ui.out(f"State saved: {event.location} (serial {event.serial}).")
        elif isinstance(event, OperationFinished):
            show_summary(self.ui, event)
        else:
            mark, colour, text = job_line(event)
            line = f"{ui.style(mark, colour)} {text}"
            # Failures keep their full message (ffmpeg's stderr lines included).
            (ui.err if isinstance(event, JobFailed) else ui.out)(line)
