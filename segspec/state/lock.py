"""An exclusive, advisory lock on a state file, naming its holder.

`flock` on `<state>.lock` gives exclusivity (and is released by the kernel if the holder
dies); the file's content says who holds it, so the second process can tell the user.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import socket
import sys
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import IO

from segspec.errors import LockError, os_error_message
from segspec.state.atomic import open_private
from segspec.state.base import LockInfo
from segspec.state.model import now_utc


def new_lock_info(command: str) -> LockInfo:
    """A fresh lock record for this process."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return LockInfo(
        id=str(uuid.uuid4()),
        host=socket.gethostname(),
        user=user,
        pid=os.getpid(),
        command=command or " ".join(["segspec", *sys.argv[1:]]),
        since=now_utc(),
    )


def lock_info_from(data: object) -> LockInfo | None:
    """A LockInfo from decoded JSON, or None when it is not one."""
    if not isinstance(data, dict):
        return None
    try:
        return LockInfo(
            id=str(data.get("id", "?")),
            host=str(data.get("host", "?")),
            user=str(data.get("user", "?")),
            pid=int(data.get("pid", 0)),
            command=str(data.get("command", "?")),
            since=str(data.get("since", "?")),
        )
    except (TypeError, ValueError):
        return None


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
        info = vars(new_lock_info(self.command))
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


def force_unlock_file(state_path: Path, lock_id: str) -> LockInfo:
    """Clear the lock record a killed process left (its flock died with it); refuse while
    a live process holds the lock, or when `lock_id` is not the recorded one."""
    path = state_path.with_name(state_path.name + ".lock")
    if not path.exists():
        raise LockError(f"the state {state_path} is not locked — there is nothing to unlock")
    with path.open("r+", encoding="utf-8") as handle:
        text = handle.read()
        try:
            holder = lock_info_from(json.loads(text)) if text.strip() else None
        except json.JSONDecodeError:
            holder = None
        if holder is None:
            raise LockError(f"the state {state_path} is not locked — there is nothing to unlock")
        if holder.id != lock_id:
            raise LockError(
                f"the state {state_path} is locked with ID {holder.id}, not {lock_id} — "
                "copy the ID from the lock message"
            )
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockError(
                f"the state {state_path} is held by a live process: {holder.describe()} — "
                "a local lock is released when its process exits; stop that process instead"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.flush()
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return holder
