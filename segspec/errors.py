"""The error hierarchy users see.

Only `SegspecError` and its subclasses are printed without a traceback: each one is a
full sentence that points at the place and names the remedy. Anything else that escapes
is a bug and the CLI says so (exit 3).
"""

from __future__ import annotations


class SegspecError(Exception):
    """A failure the user can act on; `str(err)` is the whole message."""

    exit_code = 1


class SpecError(SegspecError):
    """One or more problems in the spec files, all reported at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the specs:"
        super().__init__("\n".join([head, *self.problems]))


class StateError(SegspecError):
    """The state file is unreadable, of an unknown version, or inconsistent."""


class LockError(SegspecError):
    """Another process holds the state lock."""


class BackendError(SegspecError):
    """A backend refused or failed a request; keeps the service's code and request id."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.request_id = request_id
        self.retryable = retryable


class MediaError(SegspecError):
    """A media file could not be read, probed, cut or written; keeps ffmpeg's last words."""

    def __init__(self, message: str, *, code: str = "MediaError") -> None:
        super().__init__(message)
        self.code = code


class PlanError(SegspecError):
    """A saved plan cannot be applied (stale, another lineage, unknown version)."""
