"""Carry out a Plan: submit, wait, and record every transition as it happens.

The engine never prints; it reports progress as typed events (`segspec.engine.events`)
through `emit`. Each job's
transitions are written to the state store before the next step (the token before the
request is sent, the job id as soon as it is known, the result when it is terminal), so
stopping at any point leaves a state from which the next plan resumes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from segspec.backends.base import Backend, JobRequest, JobResult
from segspec.backends.objects import ObjectStore
from segspec.backends.progress import reporting
from segspec.engine.destroy import delete_outputs
from segspec.engine.drift import measure_outputs
from segspec.engine.events import (
    Emit,
    JobDeleted,
    JobFailed,
    JobFinished,
    JobQueued,
    JobRetrying,
    JobStarted,
    JobStatus,
    JobSubmitted,
)
from segspec.engine.reporter import JobEvents
from segspec.errors import BackendError
from segspec.plan.model import Action, Change, Plan, Want
from segspec.spec.normalize import client_token
from segspec.state.base import State
from segspec.state.model import JobError, JobRecord, OutputRecord, PictureRecord, now_utc

MAX_POLL_SECONDS = 10.0
MAX_GET_FAILURES = 6
"""Consecutive retryable polling errors tolerated before giving up on collecting a job."""
NOT_FOUND_CODES = frozenset({"JobNotFound", "NotFound", "InvalidParameter.JobNotFound"})


@dataclass(frozen=True)
class ApplyOptions:
    parallelism: int = 1
    wait: bool = True
    timeout: float | None = None
    """Give up waiting after this many seconds (jobs stay recorded as running)."""


@dataclass
class ApplyReport:
    finished: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


class _Run:
    def __init__(
        self,
        state: State,
        backend: Backend,
        options: ApplyOptions,
        emit: Emit,
        objects: ObjectStore | None = None,
    ) -> None:
        self.state, self.backend, self.options, self.emit = state, backend, options, emit
        self.objects = objects
        self.report = ApplyReport()
        self.stop = threading.Event()
        self._mutex = threading.Lock()

    def submit(self, change: Change, want: Want) -> None:
        events = JobEvents(want.address, self.emit)
        with reporting(events):
            self._submit(change, want, events)

    def _submit(self, change: Change, want: Want, events: JobEvents) -> None:
        token = client_token(want.address, want.fingerprint, change.attempt)
        stamp = now_utc()
        record = JobRecord(
            address=want.address,
            backend=self.backend.name,
            request=dict(want.request),
            local=dict(want.local),
            fingerprint=want.fingerprint,
            input=dict(want.input) if want.input else None,
            prune_outputs=want.prune_outputs,
            attempt=change.attempt,
            client_token=token,
            status="Submitting",
            submitted_at=stamp,
            updated_at=stamp,
        )
        self.state.put(record)
        self.emit(JobStarted(want.address, change.action.value))
        job = JobRequest(
            address=want.address,
            fingerprint=want.fingerprint,
            client_token=token,
            request=want.request,
            local=want.local,
            base_dir=Path(want.base_dir),
        )
        try:
            job_id = self.backend.submit(job)
        except BackendError as exc:
            if self.stop.is_set():
                return
            if exc.retryable:
                # The request may have created the job. Keep the record at Submitting so the
                # next apply resends the same token and gets that job back, not a second one.
                with self._mutex:
                    self.report.failed[want.address] = f"{exc.code}: {exc}"
                self.emit(JobFailed(want.address, f"{exc.code}: {exc}"))
                return
            self._fail(record, exc.code or "SubmitFailed", str(exc), exc.request_id)
            return
        record = record.model_copy(update={"job_id": job_id, "status": "Created"})
        self.state.put(record)
        events.submitted(job_id)  # no second event when the backend already said so
        if self.options.wait:
            self.collect(record)
        else:
            self._add(self.report.pending, want.address)

    def read(self, record: JobRecord, want: Want | None) -> None:
        """Collect a job recorded as running (a plan's `read`)."""
        with reporting(JobEvents(record.address, self.emit)):
            self.emit(JobStarted(record.address, Action.READ.value, record.job_id or ""))
            self.collect(record, want)

    def collect(self, record: JobRecord, want: Want | None = None) -> None:
        """Poll until terminal. `want` (the job's spec, for a `read`) lets a job the
        backend does not know be sent again under its recorded token: a local-engine job
        started on another machine (a teammate's apply that was killed) lives only there."""
        assert record.job_id is not None
        deadline = None if self.options.timeout is None else time.monotonic() + self.options.timeout
        delay = self.backend.poll_seconds
        misses = 0
        while not self.stop.is_set():
            try:
                result = self.backend.get(record.job_id)
            except BackendError as exc:
                misses += 1
                in_time = deadline is None or time.monotonic() < deadline
                if exc.retryable and in_time and misses < MAX_GET_FAILURES:
                    pause = min(self.backend.poll_seconds * 2**misses, MAX_POLL_SECONDS)
                    reason = f"{exc.code or 'error'}: {exc}"
                    self.emit(JobRetrying(record.address, "get", reason, pause, misses))
                    self.stop.wait(pause)
                    continue
                if self.stop.is_set():
                    return
                if exc.code in NOT_FOUND_CODES and want is not None and self._resend(record, want):
                    return
                self._lost(record, exc)
                return
            misses = 0
            if result.state.terminal:
                self._record_result(record, result)
                return
            if result.state.value != record.status:
                record = record.model_copy(
                    update={"status": result.state.value, "updated_at": now_utc()}
                )
                self.state.put(record)
                self.emit(JobStatus(record.address, result.state.value))
            if deadline is not None and time.monotonic() >= deadline:
                self._add(self.report.pending, record.address)
                return
            self.stop.wait(delay)
            delay = min(max(delay * 1.5, 0.2), MAX_POLL_SECONDS)

    def _resend(self, record: JobRecord, want: Want) -> bool:
        """Submit `record`'s job again with its own ClientToken; False when the spec moved
        on (then the job is Failed and the next plan replaces it)."""
        if want.fingerprint != record.fingerprint:
            return False
        self.emit(JobStarted(record.address, "resend", "not known to this backend; again"))
        job = JobRequest(
            address=record.address,
            fingerprint=record.fingerprint,
            client_token=record.client_token,
            request=want.request,
            local=want.local,
            base_dir=Path(want.base_dir),
        )
        try:
            job_id = self.backend.submit(job)
        except BackendError as exc:
            self._fail(record, exc.code or "SubmitFailed", str(exc), exc.request_id)
            return True
        record = record.model_copy(update={"job_id": job_id, "status": "Created"})
        self.state.put(record)
        self.emit(JobSubmitted(record.address, job_id))
        self.collect(record)
        return True

    def _lost(self, record: JobRecord, exc: BackendError) -> None:
        """Polling failed. A job the backend does not know is Failed; any other error
        leaves the record as it is (the job may still be running), so the next apply or
        refresh reads it again instead of submitting a second job."""
        if exc.code in NOT_FOUND_CODES:
            self._fail(record, exc.code or "NotFound", str(exc), exc.request_id)
            return
        with self._mutex:
            self.report.failed[record.address] = (
                f"{exc.code or 'GetFailed'}: {exc} (the job stays recorded as "
                f"{record.status}; collect it later with `segspec refresh`)"
            )
        self.emit(JobFailed(record.address, f"could not collect the result: {exc}"))

    def _record_result(self, record: JobRecord, result: JobResult) -> None:
        stamp = now_utc()
        if result.state.value == "Failed":
            self._fail(record, result.error_code or "Failed", result.error_message or "", None)
            return
        outputs = [OutputRecord(**vars(seg)) for seg in result.segments]
        note = ""
        if self.objects is not None:
            outputs, note = measure_outputs(outputs, self.objects)
        record = record.model_copy(
            update={
                "status": "Finished",
                "updated_at": stamp,
                "finished_at": stamp,
                "error": None,
                "ai_result": dict(result.ai_result) if result.ai_result else None,
                "media_id": result.media_id,
                "media_url": result.media_url,
                "outputs": outputs,
                "picture": PictureRecord(**result.picture) if result.picture else None,
            }
        )
        self.state.put(record)
        self._add(self.report.finished, record.address)
        self.emit(JobFinished(record.address, len(outputs), note))

    def _fail(self, record: JobRecord, code: str, message: str, request_id: str | None) -> None:
        stamp = now_utc()
        record = record.model_copy(
            update={
                "status": "Failed",
                "updated_at": stamp,
                "finished_at": stamp,
                "error": JobError(code=code, message=message, request_id=request_id),
            }
        )
        self.state.put(record)
        with self._mutex:
            self.report.failed[record.address] = f"{code}: {message}"
        self.emit(JobFailed(record.address, f"{code}: {message}"))

    def delete(self, change: Change) -> None:
        record = self.state.get(change.address)
        detail, deleted = "", 0
        if record is not None and record.prune_outputs:
            if self.objects is None:
                self._fail_delete(change.address, "the output store cannot be reached")
                return
            deleted, problems = delete_outputs(record, self.objects)
            if problems:
                self._fail_delete(change.address, "; ".join(problems))
                return
            objects = "output object" if deleted == 1 else "output objects"
            detail = f"{deleted} {objects} deleted (lifecycle.prune_outputs)"
        self.state.remove(change.address)
        self._add(self.report.deleted, change.address)
        self.emit(JobDeleted(change.address, deleted, detail))

    def _fail_delete(self, address: str, why: str) -> None:
        # The record stays, so the outputs are still known and the next apply retries.
        with self._mutex:
            self.report.failed[address] = f"PruneFailed: {why}"
        self.emit(JobFailed(address, f"PruneFailed: {why}"))

    def _add(self, bucket: list[str], address: str) -> None:
        with self._mutex:
            bucket.append(address)


WAKE_SECONDS = 0.2
"""How often the main thread wakes while jobs run. The kernel may hand a Ctrl-C to any
thread; a worker that takes it only flags it, and Python runs the handler (raising
KeyboardInterrupt) in the main thread, so that thread must not sleep until every job is
done."""


def _wait_awake(futures: list[Future[None]]) -> list[Future[None]]:
    """Wait for every future, or the first to raise, waking every WAKE_SECONDS. O(1) a
    wake: each future reports itself done (a wait() over all of them would cost O(jobs)
    every time)."""
    over = threading.Event()
    lock = threading.Lock()
    left = len(futures)

    def finished(future: Future[None]) -> None:
        nonlocal left
        with lock:
            left -= 1
            if left == 0 or (not future.cancelled() and future.exception() is not None):
                over.set()

    if not futures:
        return []
    for future in futures:
        future.add_done_callback(finished)
    while not over.wait(WAKE_SECONDS):
        pass
    return [f for f in futures if f.done()]


def apply_plan(
    plan: Plan,
    wants: Mapping[str, Want],
    state: State,
    backend: Backend,
    options: ApplyOptions,
    emit: Emit,
    *,
    objects: ObjectStore | None = None,
) -> ApplyReport:
    """Run every non-no-op change of `plan`; jobs run `options.parallelism` at a time.

    A job that fails is recorded as Failed with its reason and does not stop the others;
    one whose submission failed transiently stays at Submitting, to be resent with the same
    token. A backend with a `preflight()` (a cheap authenticated call) runs it first, so a
    refusal that concerns every job (credentials, endpoint) leaves the state untouched.
    On KeyboardInterrupt no new job starts, nothing half-done is recorded as failed, and
    the interrupt is re-raised once the workers have returned. `objects` is where outputs
    live; deleting a job whose record asks for `prune_outputs` deletes them there, and a
    finished job's outputs that the backend reported without size or checksum are stat'ed
    there and recorded with them, so later plans can tell when one changed or went missing.
    """
    run = _Run(state, backend, options, emit, objects)
    todo = [c for c in plan.changes if c.action is not Action.NOOP]
    preflight = getattr(backend, "preflight", None)
    if callable(preflight) and any(c.action is not Action.DELETE for c in todo):
        with reporting(JobEvents(None, emit)):
            preflight()  # e.g. wrong credentials: fail before anything is recorded
    for change in todo:
        emit(JobQueued(change.address, change.action.value))
    for change in todo:
        if change.action is Action.DELETE:
            run.delete(change)
    jobs = [c for c in todo if c.action is not Action.DELETE]
    pool = ThreadPoolExecutor(max_workers=max(1, options.parallelism))
    try:
        futures: list[Future[None]] = []
        for change in jobs:
            if change.action is Action.READ:
                record = state.get(change.address)
                assert record is not None
                futures.append(pool.submit(run.read, record, wants.get(change.address)))
            else:
                futures.append(pool.submit(run.submit, change, wants[change.address]))
        done = _wait_awake(futures)
        for future in done:
            future.result()  # re-raise a bug from a worker
    except BaseException:
        run.stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return run.report
