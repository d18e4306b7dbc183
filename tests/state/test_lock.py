"""The state lock: exclusive across processes, and the loser learns who holds it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

import segspec.state.lock as lock_module
from segspec.cli.main import entrypoint
from segspec.errors import LockError
from segspec.state.lock import StateLock

HOLDER = """\
import sys
from pathlib import Path
from segspec.state.lock import StateLock

with StateLock(Path(sys.argv[1]), command="segspec apply --holder"):
    print("locked", flush=True)
    sys.stdin.readline()
"""


class Holder:
    """Another process that holds the lock until its stdin is closed."""

    def __init__(self, state: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(state)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline() == "locked\n"

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait()  # blocking waitpid: no polling
        assert self.proc.returncode == 0


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "segspec.state.json"


@pytest.fixture
def holder(state: Path) -> Iterator[Holder]:
    held = Holder(state)
    yield held
    if held.proc.poll() is None:
        held.proc.kill()
        held.proc.wait()


def test_lock_second_holder_named(state: Path, holder: Holder) -> None:
    with pytest.raises(LockError) as caught, StateLock(state):
        pass
    message = str(caught.value)
    assert f"pid {holder.proc.pid} on {socket.gethostname()}" in message
    assert "(segspec apply --holder, since 20" in message
    assert "pass --lock-timeout SECONDS" in message
    assert "after waiting" not in message


def test_lock_acquired_after_holder_exits(state: Path, holder: Holder) -> None:
    holder.release()
    with StateLock(state, command="second") as lock:
        assert '"command": "second"' in lock.path.read_text()
    assert lock.path.read_text() == ""  # released: the holder info is cleared


def test_lock_released_by_kernel_when_holder_killed(state: Path, holder: Holder) -> None:
    holder.proc.kill()
    holder.proc.wait()
    with StateLock(state):
        pass


def test_lock_timeout_waits_for_release(
    state: Path, holder: Holder, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        # The first time the waiter backs off, the holder finishes.
        waits.append(seconds)
        holder.release()

    fake_time = types.SimpleNamespace(monotonic=time.monotonic, sleep=sleep)
    monkeypatch.setattr(lock_module, "time", fake_time)
    with StateLock(state, timeout=60):
        pass
    assert len(waits) == 1


def test_lock_timeout_expires_with_holder_named(state: Path, holder: Holder) -> None:
    with pytest.raises(LockError) as caught, StateLock(state, timeout=0.2):
        pass
    assert "after waiting 0.2 s" in str(caught.value)
    assert f"pid {holder.proc.pid}" in str(caught.value)


def test_lock_cli_plan_refused_while_held(
    tmp_path: Path,
    holder: Holder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "specs").mkdir()
    monkeypatch.chdir(tmp_path)
    assert entrypoint(["--no-color", "--lock-timeout", "0.1", "plan"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: the state ")
    assert f"is locked by pid {holder.proc.pid}" in err
    assert "after waiting 0.1 s" in err
    assert "Traceback" not in err
