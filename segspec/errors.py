"""The error hierarchy users see.

Only `SegspecError` and its subclasses are printed without a traceback: each one is a
full sentence that points at the place and names the remedy. Anything else that escapes
is a bug and the CLI says so (exit 3).
"""

from __future__ import annotations

import errno


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


class FileSystemError(SegspecError):
    """The operating system refused a read or write (disk full, permission, read-only...)."""

    def __init__(self, message: str, *, errno_code: int | None = None) -> None:
        super().__init__(message)
        self.errno_code = errno_code


_REMEDIES = {
    errno.ENOSPC: "the disk is full — free some space and run the command again",
    errno.EDQUOT: "the disk quota is exhausted — free some space and run the command again",
    errno.EACCES: "permission denied — check the file's and its directory's permissions",
    errno.EPERM: "the operation is not permitted — check the file's owner and permissions",
    errno.EROFS: "the file system is read-only — run from a writable location",
    errno.ENAMETOOLONG: "the path is too long — use a shorter name or directory",
    errno.ENOENT: "it does not exist — check the path",
    errno.EISDIR: "it is a directory — give a file",
    errno.ENOTDIR: "a part of the path is not a directory — check the path",
    errno.ELOOP: "the path has a symlink loop — fix the symlinks",
    errno.EMFILE: "too many open files — raise the limit (ulimit -n) and retry",
    errno.ENFILE: "the system has too many open files — retry later",
    errno.EIO: "an input/output error — check the disk",
    errno.EXDEV: "the files are on different file systems — keep them on one",
    errno.EEXIST: "it already exists — remove it or choose another name",
}


def os_error_message(exc: OSError, doing: str) -> str:
    """A full sentence for `exc`, which happened while `doing` (e.g. "writing the state")."""
    where = f" on {exc.filename}" if exc.filename is not None else ""
    reason = exc.strerror or str(exc) or type(exc).__name__
    remedy = _REMEDIES.get(exc.errno or -1, "check the file and retry")
    return f"{doing} failed{where}: {reason} ({remedy})"


def file_system_error(exc: OSError, doing: str) -> FileSystemError:
    """The `SegspecError` to raise `from exc`."""
    return FileSystemError(os_error_message(exc, doing), errno_code=exc.errno)
