"""An exclusive, advisory lock on a state file, naming its holder.

`flock` on `<state>.lock` gives exclusivity (and is released by the kernel if the holder
dies); the file's content says who holds it, so the second process can tell the user.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from segspec.errors import LockError, os_error_message
from segspec.state.atomic import open_private
from segspec.state.model import now_utc


class StateLock:
    """Context manager; waits up to `timeout` seconds for the lock, then raises `LockError`."""

    def __init__(self, state_path: Path, *, timeout: float = 0.0, command: str = "") -> None:
        self.path = state_path.with_name(state_path.name + ".lock")
        self.timeout = timeout
        self.command = command or " ".join(["segspec", *sys.argv[1:]])
        self._handle: IO[str] | None = None

    def __enter__(self) -> StateLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            handle = os.fdopen(open_private(self.path, os.O_RDWR | os.O_APPEND), "a+")
        except OSError as exc:
            raise LockError(os_error_message(exc, f"taking the state lock {self.path}")) from exc
        deadline = time.monotonic() + self.timeout
        delay = 0.05
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder()
                    handle.close()
                    raise LockError(self._message(holder)) from None
                time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 1.0)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": self.command,
            "since": now_utc(),
        }
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(info))
            handle.flush()
        except OSError as exc:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            with contextlib.suppress(OSError):
                handle.close()
            raise LockError(os_error_message(exc, f"writing the state lock {self.path}")) from exc
        self._handle = handle
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.flush()
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def _holder(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            return data if isinstance(data, dict) else {}
        except (OSError, json.JSONDecodeError):
            return {}

    def _message(self, holder: dict[str, object]) -> str:
        who = (
            f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} "
            f"({holder.get('command', '?')}, since {holder.get('since', '?')})"
        )
        waited = f" after waiting {self.timeout:g} s" if self.timeout else ""
        return (
            f"the state {self.path.with_suffix('')} is locked by {who}{waited} — wait for "
            "it to finish, or pass --lock-timeout SECONDS to wait for the lock"
        )
