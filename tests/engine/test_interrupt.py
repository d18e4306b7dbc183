"""A killed or interrupted apply leaves a valid state, and a rerun finishes only the rest.

The apply runs in a real subprocess; the test watches its journal (a bounded polling
loop, no fixed sleeps) and stops it right after the first job is recorded Finished.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from segspec.backends.local.cut import frame_span
from segspec.cli.main import entrypoint
from segspec.state.store import StateStore
from tests.conftest import frame_numbers

JOBS = 16
RANGES = [(0.2 * i, 0.2 * i + 0.4) for i in range(6)]
WATCH_SECONDS = 120.0

pytestmark = pytest.mark.slow


def spec() -> str:
    lines = [
        "version: 1",
        "defaults:",
        "  InputConfig: {Type: OSS, Media: media/numbered.mp4}",
        "  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}",
        "  local: {preset: ultrafast}",
        "jobs:",
    ]
    for n in range(JOBS):
        lines += [f"  job{n}:", "    JobParams:", "      Mode: UserDefined", "      Ranges:"]
        lines += [f"        - {{In: {a + n * 0.1:.1f}, Out: {b + n * 0.1:.1f}}}" for a, b in RANGES]
        lines += ["    OutputConfig:", f"      ObjectKey: job{n}/clip_{{index}}.mp4"]
    return "\n".join(lines) + "\n"


def default_sigint() -> None:
    """In the child before exec: SIGINT back to its default action. A suite started in the
    background by a non-interactive shell (`cmd &`) inherits SIGINT ignored, and so would
    the apply, which then never sees the test's signal (Python keeps an ignored SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_apply(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "segspec.cli.main", "--no-color", "apply", "--auto-approve"],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )


def statuses(root: Path) -> dict[str, str]:
    """Load the state as the next command would (state file + journal replay)."""
    store = StateStore.open(root / "segspec.state.json")
    return {address: record.status for address, record in store.jobs.items()}


def wait_for_first_finished(root: Path, proc: subprocess.Popen[str]) -> int:
    """Poll until a job is recorded Finished; load the state on every poll. Returns polls."""
    deadline = time.monotonic() + WATCH_SECONDS
    polls = 0
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the apply ended before any job was seen Finished"
        polls += 1
        if "Finished" in statuses(root).values():  # must load at every moment of the run
            return polls
        time.sleep(0.01)
    pytest.fail(f"no job finished within {WATCH_SECONDS} s")


def local_records(root: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.name: (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted((root / ".segspec" / "jobs").glob("*.json"))
    }


def outputs_of(root: Path, job: str) -> dict[str, tuple[int, int]]:
    folder = root / ".segspec" / "objects" / "clips" / job
    clips = sorted(folder.glob("*.mp4"))  # the pictures beside them are checked elsewhere
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in clips}


def rerun(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = entrypoint(["--no-color", "apply", "--auto-approve"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def check_all_clips(root: Path) -> None:
    for n in range(JOBS):
        for index, (start, end) in enumerate(RANGES):
            first, last = frame_span(
                round(start + n * 0.1, 1), round(end + n * 0.1, 1), Fraction(25)
            )
            path = root / ".segspec" / "objects" / "clips" / f"job{n}" / f"clip_{index}.mp4"
            assert frame_numbers(path) == list(range(first, last + 1)), path


def job_id_of(root: Path, address: str) -> str:
    data = json.loads((root / "segspec.state.json").read_text("utf-8"))
    return str(data["jobs"][address]["job_id"])


def test_interrupt_sigkill_then_rerun_completes_the_rest(
    project: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = project(spec())
    proc = start_apply(root)
    try:
        wait_for_first_finished(root, proc)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    after_kill = statuses(root)
    finished = sorted(a for a, s in after_kill.items() if s == "Finished")
    assert finished, after_kill
    assert len(finished) < JOBS, "the run ended before the kill; nothing left to resume"
    assert "Failed" not in after_kill.values()
    kept_outputs = {job: outputs_of(root, job) for job in finished}
    assert all(len(files) == len(RANGES) for files in kept_outputs.values())
    kept_records = local_records(root)

    out = rerun(root, monkeypatch, capsys)
    planned = {
        line.split()[1] for line in out.splitlines() if line.startswith(("  + ", "  <= ", "  -/+ "))
    }
    assert planned == {f"job{n}" for n in range(JOBS)} - set(finished)
    assert f"Apply complete: {JOBS - len(finished)} finished, 0 failed" in out

    assert set(statuses(root).values()) == {"Finished"}
    assert len(statuses(root)) == JOBS
    for job in finished:
        assert outputs_of(root, job) == kept_outputs[job]  # not redone
        record = f"{job_id_of(root, job)}.json"
        assert local_records(root)[record] == kept_records[record]
    check_all_clips(root)
    assert not (root / "segspec.state.json.journal").exists()
    leftovers = [p for p in (root / ".segspec" / "objects").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_interrupt_sigint_exits_130_nothing_failed(
    project: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = project(spec())
    proc = start_apply(root)
    try:
        wait_for_first_finished(root, proc)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=WATCH_SECONDS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, f"{err}\n{out[-2000:]}"
    assert "Interrupted. Everything finished so far is recorded in the state." in err, err
    assert "Traceback" not in err, err

    recorded = statuses(root)
    assert "Failed" not in recorded.values(), (recorded, err)
    finished = {a for a, s in recorded.items() if s == "Finished"}
    # every job Finished would mean the SIGINT arrived after the last one: nothing tested
    assert 1 <= len(finished) < JOBS, (recorded, err)
    # The interrupted apply folded its journal into the state file on the way out.
    assert not (root / "segspec.state.json.journal").exists()

    out = rerun(root, monkeypatch, capsys)
    assert f"Apply complete: {JOBS - len(finished)} finished, 0 failed" in out
    assert set(statuses(root).values()) == {"Finished"} and len(statuses(root)) == JOBS
    check_all_clips(root)


def test_interrupt_taken_by_a_worker_thread_still_stops_the_apply(
    project: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The kernel may hand a process's SIGINT to any of its threads. Here it goes to the
    job's worker thread on purpose: the main thread must still raise KeyboardInterrupt
    and start no new job (it used to sleep in wait() until every job had finished)."""
    root = project(spec())
    monkeypatch.chdir(root)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    sent: list[str] = []

    def interrupt_a_worker() -> None:
        deadline = time.monotonic() + WATCH_SECONDS
        while time.monotonic() < deadline and not sent:
            if "Finished" in statuses(root).values():
                workers = [t for t in threading.enumerate() if t.name.startswith("ThreadPool")]
                if workers:
                    assert workers[0].ident is not None
                    signal.pthread_kill(workers[0].ident, signal.SIGINT)
                    sent.append(workers[0].name)
                    return
            time.sleep(0.01)

    watcher = threading.Thread(target=interrupt_a_worker, name="watcher")
    watcher.start()
    try:
        capsys.readouterr()
        code = entrypoint(["--no-color", "apply", "--auto-approve"])
    finally:
        watcher.join()
        signal.signal(signal.SIGINT, previous)
    _, err = capsys.readouterr()
    assert sent, "no worker thread was found to interrupt"
    assert code == 130, err
    assert "Interrupted. Everything finished so far is recorded in the state." in err
    finished = [a for a, s in statuses(root).items() if s == "Finished"]
    # the job seen Finished, and at most the one running when the signal came
    assert 1 <= len(finished) <= 2, finished
    assert "Failed" not in statuses(root).values()
