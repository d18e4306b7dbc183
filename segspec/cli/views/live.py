"""The live display on a terminal (rich): a line per running job, an overall bar.

Each running job has a line with its stage, a progress bar from ffmpeg's `-progress`
output or the detector's frame count, throughput and time left; under them an overall bar
counts the jobs done. What happens once (submitted, finished, failed, retrying, state
saved) is printed above the bars and stays in the scrollback. The plan and the prompt come
before the display starts; the summary after it stops. rich is imported only here.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

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
    JobFinished,
    JobProgress,
    JobQueued,
    JobRetrying,
    JobStarted,
    JobStatus,
    JobSubmitted,
    OperationFinished,
    OperationStarted,
    PlanReady,
    SpecWarning,
    StateSaved,
)
from segspec.render.human import render_plan

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

REFRESH_PER_SECOND = 8


class LiveView:
    def __init__(self, ui: UI, console: Console | None = None) -> None:
        from rich.console import Console, Group
        from rich.live import Live
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.ui = ui
        self.console = console or Console(no_color=not ui.colour, highlight=False)
        columns = (
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=30),
            TextColumn("{task.fields[info]}", markup=False),
        )
        self.progress = Progress(*columns, console=self.console)
        self.overall = Progress(*columns, TimeElapsedColumn(), console=self.console)
        self.live = Live(
            Group(self.progress, self.overall),
            console=self.console,
            refresh_per_second=REFRESH_PER_SECOND,
            transient=True,
        )
        self.operation = "apply"
        self._jobs: dict[str, TaskID] = {}
        self._overall: TaskID | None = None
        self._total = 0
        self._done = 0
        self._started = False
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self._show(event)

    def close(self) -> None:
        with self._lock:
            self._stop()

    # What happens before the display starts, and after it stops, is plain text.
    def _show(self, event: Event) -> None:
        if isinstance(event, OperationStarted):
            self.operation = event.operation
        elif isinstance(event, SpecWarning):
            self.ui.err(f"Warning: {event.message}")
        elif isinstance(event, PlanReady):
            if event.refresh_only and not event.plan.changes:
                self.ui.out(NOTHING_TO_REFRESH)
            else:
                self.ui.out(render_plan(event.plan, self.ui.style), nl=False)
        elif isinstance(event, OperationFinished):
            self._stop()
            show_summary(self.ui, event)
        elif isinstance(event, StateSaved):
            self._print("", "", f"State saved: {event.location} (serial {event.serial}).")
        else:
            self._job(event)

    def _job(
        self,
        event: JobQueued
        | JobStarted
        | JobSubmitted
        | JobStatus
        | JobProgress
        | JobRetrying
        | JobFinished
        | JobFailed
        | JobDeleted,
    ) -> None:
        self._start()
        if isinstance(event, JobQueued):
            self._total += 1
            self._update_overall()
        elif isinstance(event, JobProgress):
            task = self._task(event.address)
            self.progress.update(
                task,
                description=f"{event.address} {event.stage}",
                total=1.0,
                completed=event.fraction,
                info=progress_text(event),
            )
        elif isinstance(event, JobDeleted):
            self._print(*deleted_line(event, self.operation))
            self._end_job(event.address)
        else:
            self._print(*job_line(event))
            if isinstance(event, JobStarted):
                self.progress.update(
                    self._task(event.address), description=f"{event.address} {event.action}"
                )
            elif isinstance(event, JobSubmitted):
                self.progress.update(self._task(event.address), info="started")
            elif isinstance(event, JobRetrying) and event.address in self._jobs:
                wait = f"retrying {event.call} in {event.delay_seconds:.1f} s"
                self.progress.update(self._jobs[event.address], info=wait)
            elif isinstance(event, JobFinished | JobFailed):
                self._end_job(event.address)

    def _task(self, address: str) -> TaskID:
        if address not in self._jobs:
            self._jobs[address] = self.progress.add_task(address, total=None, info="")
            self._update_overall()
        return self._jobs[address]

    def _end_job(self, address: str) -> None:
        task = self._jobs.pop(address, None)
        if task is not None:
            self.progress.remove_task(task)
        self._done += 1
        self._update_overall()

    def _update_overall(self) -> None:
        label = f"{self.operation}: {self._done}/{self._total} jobs done"
        if self._overall is None:
            self._overall = self.overall.add_task(label, total=max(self._total, 1), info="")
        running = len(self._jobs)
        self.overall.update(
            self._overall,
            description=label,
            total=max(self._total, 1),
            completed=self._done,
            info=f"{running} running" if running else "",
        )

    def _print(self, mark: str, colour: str, text: str) -> None:
        from rich.text import Text

        line = Text.assemble((mark, colour), " ", text) if mark else Text(text)
        # while the display runs, rich prints above it and redraws it below
        self.live.console.print(line)

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self.live.start()

    def _stop(self) -> None:
        if self._started:
            self._started = False
            self.live.stop()
