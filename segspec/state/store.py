"""The local state store: one JSON file plus an append-only journal.

Why a journal: every job transition must be durable as it happens (an interrupted apply
loses nothing that finished), and rewriting a 10,000-job state file per transition would
cost O(jobs²) over an apply. So each transition appends one fsynced JSON line to
`<state>.journal` (O(1)), and the journal is folded into the state file, atomically and
with the previous version kept as `<state>.backup`, when an apply ends (or when the next
command loads a journal left by an interrupted one). State, journal and backup are
created private to the user (0600).

`<state>.index` (state/index.py) is derived from the state file and written after it at
every fold: opening a large state reads it instead of parsing every record, and only
while it names the file exactly as it is (inode, size, mtime, ctime). Deleting it is
always safe; it is rebuilt by the next open.

A torn last journal line (the process died mid-write) is ignored; anything else that does
not parse is refused with a message naming the backup, and nothing is overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from segspec.errors import StateError, os_error_message
from segspec.state.atomic import copy_atomic, fsync_dir, open_private, write_atomic_chunks
from segspec.state.base import LockInfo
from segspec.state.document import Span, tail_bytes
from segspec.state.index import decode_index
from segspec.state.journaled import JournaledState, Render, render_state
from segspec.state.lock import StateLock, force_unlock_file

__all__ = ["FileStateBackend", "StateStore", "append_durably", "render_state"]


class StateStore(JournaledState):
    """The jobs of one state file. Thread-safe for `put`/`remove`."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.journal_path = path.with_name(path.name + ".journal")
        self.backup_path = path.with_name(path.name + ".backup")
        self.index_path = path.with_name(path.name + ".index")
        self._journal: int | None = None
        """File descriptor of the journal, opened for appending on the first change."""
        self._read_version: dict[str, int] | None = None
        """Inode, size, mtime and ctime of the file as read: the local file's ETag."""
        self._document: int | None = None
        """File descriptor of the state file as read (or last written): records are read
        from it, so they come from that version even if the file is replaced meanwhile."""
        self._closer: weakref.finalize[[int], StateStore] | None = None

    @classmethod
    def open(cls, path: Path) -> StateStore:
        """Load the state file and replay any journal an interrupted run left behind."""
        store = cls(path)
        store._load_file()
        store._replay(store._journal_entries())
        return store

    @property
    def location(self) -> str:
        return str(self.path)

    # --- reading ----------------------------------------------------------------------
    @property
    def index_location(self) -> str:
        return str(self.index_path)

    def _load_file(self) -> None:
        if not self.path.exists():
            self._refuse_orphan_journal()
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
            self._adopt_fd(fd)
            if self._load_indexed(fd):
                return
            data = _read_all(fd)
        except OSError as exc:
            raise StateError(
                f"state file {self.path} cannot be read: {exc.strerror or exc} — fix its "
                f"permissions (e.g. chmod 600 {self.path}) and run the command again. It has "
                "not been changed."
            ) from exc
        self._load_bytes(data, f"file {self.path}", self._hint())

    def _adopt_fd(self, fd: int) -> None:
        """Read records from `fd` from now on (closing the previous one)."""
        if self._closer is not None:
            self._closer()
        self._document, self._closer = fd, weakref.finalize(self, os.close, fd)
        self._read_version = _identity(os.fstat(fd))

    def _load_indexed(self, fd: int) -> bool:
        """Load the index when it describes this very file (and the file's last bytes
        agree with it); False otherwise, and the file is read instead."""
        assert self._read_version is not None
        try:
            with self.index_path.open("rb") as handle:
                index = decode_index(handle, self._read_version)
        except OSError:
            return False
        if index is None:
            return False
        tail = tail_bytes(index.lineage, index.serial)
        size = self._read_version["size"]
        if size < len(tail) or os.pread(fd, len(tail), size - len(tail)) != tail:
            return False
        self._load_index(index)
        self._document_bytes = size
        return True

    def _hint(self) -> str:
        if self.backup_path.exists():
            backup = (
                f"the previous version is in {self.backup_path}: inspect it and copy it over "
                f"{self.path} to recover"
            )
        else:
            backup = "there is no backup; fix the file by hand or restore it from version control"
        return f"It has not been changed; {backup}."

    def _refuse_orphan_journal(self) -> None:
        """A journal whose first entry does not start a fresh state means the state file
        it continues was deleted or moved: planning from the journal alone would recreate
        every job the journal does not hold."""
        first = first_journal_serial(self.journal_path)
        if first is None or first <= 1:
            return  # no journal, or one that starts from an empty state (a first apply)
        restore = (
            f"restore it with `cp {self.backup_path} {self.path}` (the backup may miss the "
            "latest changes, which the journal then adds back)"
            if self.backup_path.exists()
            else "restore it from version control or wherever it was moved"
        )
        raise StateError(
            f"state file {self.path} is missing, but its journal {self.journal_path} "
            f"continues a state (its first change is serial {first}). The state was "
            f"deleted or moved; {restore}, then run the command again. To start from an "
            f"empty state instead, move {self.journal_path} aside. Nothing was changed."
        )

    def _journal_entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        if not self.journal_path.exists():
            return
        try:
            text = self.journal_path.read_text(encoding="utf-8")
            self._journal_bytes = len(text.encode())
            lines = text.split("\n")
        except OSError as exc:
            raise StateError(
                f"journal {self.journal_path} cannot be read: {exc.strerror or exc} — fix "
                "its permissions and run the command again. Nothing was changed."
            ) from exc
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                if number >= len(lines) - 1:
                    # torn final write of a killed process: it never completed. Fold at the
                    # next compact, so no later entry is ever appended after the torn line.
                    self._must_fold = True
                    return
                raise StateError(
                    f"journal {self.journal_path} line {number} is corrupt ({exc}). Nothing "
                    "was changed; move the journal aside to load the state without it."
                ) from exc
            yield f"{self.journal_path} line {number}", entry

    # --- writing ----------------------------------------------------------------------
    def _write_entry(self, entry: dict[str, Any], line: str) -> None:
        try:
            append_durably(self, (line + "\n").encode())
        except OSError as exc:
            raise StateError(
                os_error_message(exc, f"recording {entry['address']} in {self.journal_path}")
                + ". Everything recorded before is kept; the journal is folded into the "
                "state by the next command."
            ) from exc

    def _read_spans(self, spans: list[Span]) -> list[bytes]:
        fd = self._document
        assert fd is not None, "spans are known only for a state file that was read"
        found = []
        for offset, length in spans:
            try:
                data = os.pread(fd, length, offset)
            except OSError as exc:
                raise StateError(
                    os_error_message(exc, f"reading the state file {self.path}")
                ) from exc
            if len(data) != length:
                raise StateError(
                    f"the state file {self.path} was cut short while it was being read (it is "
                    f"{os.fstat(fd).st_size} bytes, a record ends at {offset + length}) — "
                    "run the command again"
                )
            found.append(data)
        return found

    def _write_state(self, render: Render) -> tuple[list[Span], int]:
        on_disk = _identity(self.path.stat()) if self.path.exists() else None
        if on_disk != self._read_version:
            raise StateError(
                f"the state {self.path} changed since it was read (another writer that held "
                "no lock): it was not overwritten — run the command again"
            )
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            made = render(_FileSink(fd, self._document))
            os.fsync(fd)
            if self.path.exists():
                self._keep_backup()
            os.replace(tmp, self.path)
            fsync_dir(self.path.parent)
        except OSError as exc:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StateError(
                os_error_message(exc, f"writing the state file {self.path}")
                + f". Nothing is lost: every change is in {self.journal_path}, which the "
                "next command folds into the state."
            ) from exc
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._adopt_fd(fd)  # the file just written, whatever replaces it later
        return made

    def _keep_backup(self) -> None:
        """Make the current state file the backup: a hard link (no copy of a large file),
        or a copy where the file system has no hard links."""
        link = self.backup_path.with_name(f".{self.backup_path.name}.{os.getpid()}.tmp")
        try:
            link.unlink(missing_ok=True)
            os.link(self.path, link)
            os.replace(link, self.backup_path)
        except OSError:
            with contextlib.suppress(OSError):
                link.unlink()
            copy_atomic(self.path, self.backup_path)

    def _write_index(self, chunks: Callable[[dict[str, Any]], Iterable[bytes]]) -> None:
        if self._read_version is None:
            return
        with contextlib.suppress(OSError):  # only derived: without it, opens are slower
            write_atomic_chunks(self.index_path, chunks(self._read_version))

    def _drop_index(self) -> None:
        with contextlib.suppress(OSError):
            self.index_path.unlink(missing_ok=True)

    def _clear_journal(self) -> None:
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None
        self.journal_path.unlink(missing_ok=True)


def append_durably(store: StateStore, line: bytes) -> None:
    """Append one journal line and fsync it; on failure cut the journal back to where it
    was (no torn line is left for a later entry to follow) and let the OSError through."""
    if store._journal is None:
        fresh = not store.journal_path.exists()
        store._journal = open_private(store.journal_path, os.O_WRONLY | os.O_APPEND)
        if fresh:
            fsync_dir(store.journal_path.parent)
    fd = store._journal
    start = os.lseek(fd, 0, os.SEEK_END)
    try:
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, start)
            if start == 0:  # the journal this append created holds nothing: remove it
                os.close(fd)
                store._journal = None
                store.journal_path.unlink()
        raise


def first_journal_serial(path: Path) -> int | None:
    """The serial of a journal's first complete entry, or None (no journal, none readable)."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 20)
    except FileNotFoundError:
        return None
    except OSError:
        return None  # reported when the journal is replayed
    try:
        serial = json.loads(first).get("serial")
    except (ValueError, AttributeError):
        return None
    return serial if isinstance(serial, int) else None


def _identity(stat: os.stat_result) -> dict[str, int]:
    """What tells one version of the state file from another (its ETag): any rewrite,
    replacement, touch or chmod changes one of these."""
    return {
        "inode": stat.st_ino,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "ctime_ns": stat.st_ctime_ns,
    }


def _read_all(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    data = os.pread(fd, size, 0)
    if len(data) == size and not os.pread(fd, 1, size):
        return data  # the usual case: one read, no second copy of a large file
    chunks: list[bytes] = []
    offset = 0
    while True:
        data = os.pread(fd, max(size - offset, 1 << 16), offset)
        if not data:
            return b"".join(chunks)
        chunks.append(data)
        offset += len(data)


class _FileSink:
    """Writes a new state file to `out`, copying unchanged records from `source` inside
    the kernel (copy_file_range) where it can."""

    def __init__(self, out: int, source: int | None) -> None:
        self.out, self.source = out, source
        self.kernel = hasattr(os, "copy_file_range")  # Linux only

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.out, view) :]

    def copy(self, offset: int, length: int) -> None:
        assert self.source is not None
        end = offset + length
        while offset < end:
            done = 0
            if self.kernel:
                try:
                    done = os.copy_file_range(self.source, self.out, end - offset, offset)
                except OSError:  # not supported here, or across these file systems
                    self.kernel = False
            if done <= 0:  # by hand
                data = os.pread(self.source, min(end - offset, 1 << 22), offset)
                if not data:
                    raise OSError(errno.EIO, "the state file being folded was cut short")
                self.write(data)
                done = len(data)
            offset += done


class FileStateBackend:
    """A state kept in a local file (the default: segspec.state.json)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def lock(self, *, timeout: float = 0.0, command: str = "") -> AbstractContextManager[object]:
        return StateLock(self.path, timeout=timeout, command=command)

    def open(self) -> StateStore:
        return StateStore.open(self.path)

    def force_unlock(self, lock_id: str) -> LockInfo:
        return force_unlock_file(self.path, lock_id)

    def check(self) -> list[str]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock(command="segspec init"):
            state = self.open()
        jobs = len(state.summaries())
        return [
            f"state file {self.path}: {'exists' if state.exists else 'not created yet'}, "
            f"{jobs} job{'s' if jobs != 1 else ''}",
            f"lock {self.path.name}.lock: taken and released",
        ]
