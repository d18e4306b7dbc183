"""A state kept in an S3-compatible bucket (OSS, AWS S3, any S3 server).

Objects, for a state at `s3://BUCKET/KEY`:
  KEY                       the state document (same bytes as the local file would hold)
  KEY.lock                  the lock: created with If-None-Match: *, names its holder
  KEY.backup                the previous state document
  KEY.index                 derived from KEY at each fold, naming KEY's ETag (state/index.py)
  KEY.journal/<serial>.json one object per job transition since the last fold

Safety: the lock is a conditional create, so two processes never both hold it. Every
state write is conditional on the ETag that was read (If-Match; If-None-Match: * for the
first), so a writer whose lock was forced away can never overwrite a newer state; each
journal object is a conditional create too, so two writers cannot record the same serial.
A kill -9 leaves the journal objects; the next open replays them and the next fold (any
command that changes or plans) writes them into the state and deletes them.

Opening reads KEY.index and HEADs KEY: when the index names KEY's current ETag, the
document is not downloaded; the few records a command needs are read with ranged GETs,
each conditional on that ETag (If-Match). Otherwise the document is downloaded and read
as the local file is, and its index written.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from segspec.errors import LockError, StateError
from segspec.state.base import LockInfo
from segspec.state.document import Span
from segspec.state.index import decode_index
from segspec.state.journaled import JournaledState, Render
from segspec.state.lock import lock_info_from, new_lock_info
from segspec.state.s3access import S3Access

__all__ = ["S3Access", "S3State", "S3StateBackend"]

RANGED_READS = 16
"""Up to this many records are read with one ranged GET each; more, with one GET."""


class S3State(JournaledState):
    """An opened remote state; see the module doc."""

    keeps_journal = False  # each journal object would cost one GET on every open

    def __init__(self, access: S3Access) -> None:
        super().__init__()
        self.access = access
        self.journal_prefix = access.key + ".journal/"
        self.backup_key = access.key + ".backup"
        self.index_key = access.key + ".index"
        self.etag: str | None = None
        self._journal_keys: list[str] = []

    @property
    def location(self) -> str:
        return self.access.url()

    @property
    def index_location(self) -> str:
        return self.access.url(self.index_key)

    @classmethod
    def open(cls, access: S3Access) -> S3State:
        state = cls(access)
        if not state._load_indexed():
            found = access.get(access.key)
            hint = (
                "It has not been changed; the previous version is "
                f"{access.url(state.backup_key)}: inspect it and copy it over "
                f"{access.url()} to recover."
            )
            if found is not None:
                data, state.etag = found
                state._load_bytes(data, access.url(), hint)
        state._journal_keys = access.keys(state.journal_prefix)
        state._replay(state._entries())
        return state

    def _load_indexed(self) -> bool:
        found = self.access.get(self.index_key)
        if found is None:
            return False
        etag = self.access.etag(self.access.key)
        index = decode_index(io.BytesIO(found[0]), {"etag": etag}) if etag else None
        if index is None:
            return False
        self.etag = etag
        self._load_index(index)
        self._document_bytes = index.spans.end()
        return True

    def _read_spans(self, spans: list[Span]) -> list[bytes]:
        if len(spans) > RANGED_READS:  # many records: one GET of the document instead
            whole = self._fetch(0, -1)
            return [whole[o : o + n] for o, n in spans]
        return [self._fetch(o, n) for o, n in spans]

    def _fetch(self, offset: int, length: int) -> bytes:
        assert self.etag is not None, "spans are known only for a state that was read"
        data = self.access.get_range(self.access.key, offset, length, if_match=self.etag)
        if data is None or (length >= 0 and len(data) != length):
            raise StateError(
                f"the state {self.location} changed since it was read (its ETag is no "
                f"longer {self.etag}) — run the command again"
            )
        return data

    def _write_index(self, chunks: Callable[[dict[str, Any]], Iterable[bytes]]) -> None:
        if self.etag is None:
            return
        with contextlib.suppress(StateError):  # only derived: without it, opens are slower
            self.access.put(self.index_key, b"".join(chunks({"etag": self.etag})))

    def _drop_index(self) -> None:
        with contextlib.suppress(StateError):
            self.access.delete(self.index_key)

    def _entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for key in self._journal_keys:
            found = self.access.get(key)
            if found is None:
                continue  # folded and deleted by another process since the listing
            try:
                entry = json.loads(found[0])
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise StateError(
                    f"journal object {self.access.url(key)} is corrupt ({exc}). Nothing was "
                    "changed; move it aside to load the state without it."
                ) from exc
            yield self.access.url(key), entry

    def _write_entry(self, entry: dict[str, Any], line: str) -> None:
        key = f"{self.journal_prefix}{entry['serial']:012d}.json"
        if self.access.put(key, line.encode(), create=True) is None:
            raise StateError(
                f"journal object {self.access.url(key)} already exists: another process wrote "
                f"to {self.location} while this one held its lock (was the lock forced?). "
                "Nothing was overwritten; run the command again"
            )
        self._journal_keys.append(key)

    def _write_state(self, render: Render) -> tuple[list[Span], int]:
        sink = _BytesSink(lambda: self._fetch(0, -1))
        made = render(sink)
        data = bytes(sink.data)
        if self.etag is not None:
            self.access.copy(self.access.key, self.backup_key, if_match=self.etag)
        etag = self.access.put(self.access.key, data, if_match=self.etag, create=self.etag is None)
        if etag is None:
            raise StateError(
                f"the state {self.location} changed since it was read (another writer, whose "
                "lock was forced or who held none): it was not overwritten (If-Match "
                f"{self.etag} failed) — run the command again; it plans against the newer state"
            )
        self.etag = etag
        return made

    def _clear_journal(self) -> None:
        self.access.delete_many(self._journal_keys)
        self._journal_keys = []


class _BytesSink:
    """Builds a document in memory, copying from the previous one (fetched when first
    needed)."""

    def __init__(self, previous: Callable[[], bytes]) -> None:
        self.data = bytearray()
        self._previous = previous
        self._old: bytes | None = None

    def write(self, data: bytes) -> None:
        self.data += data

    def copy(self, offset: int, length: int) -> None:
        if self._old is None:
            self._old = self._previous()
        self.data += self._old[offset : offset + length]


class S3StateBackend:
    """A state at `scheme://bucket/key` behind an S3-compatible endpoint."""

    def __init__(self, access: S3Access) -> None:
        self.access = access
        self.lock_key = access.key + ".lock"

    @property
    def location(self) -> str:
        return self.access.url()

    def open(self) -> S3State:
        return S3State.open(self.access)

    @contextmanager
    def lock(self, *, timeout: float = 0.0, command: str = "") -> Iterator[LockInfo]:
        info = new_lock_info(command)
        etag = self._acquire(info, timeout)
        try:
            yield info
        finally:
            self._release(info, etag)

    def _acquire(self, info: LockInfo, timeout: float) -> str:
        body = json.dumps(vars(info), sort_keys=True).encode()
        deadline = time.monotonic() + timeout
        delay = 0.1
        while True:
            etag = self.access.put(self.lock_key, body, create=True)
            if etag is not None:
                return etag
            if time.monotonic() >= deadline:
                raise LockError(self._held_message(timeout))
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 2.0)

    def _release(self, info: LockInfo, etag: str) -> None:
        # Conditional on our lock's ETag: a lock forced away and retaken by someone else
        # is theirs, and stays. A store that refuses conditional deletes gets a
        # read-compare-delete instead (a narrower race, still never someone else's lock
        # unless it was taken in between).
        try:
            self.access.delete(self.lock_key, if_match=etag)
        except StateError:
            holder = self.holder()
            if holder is not None and holder.id == info.id:
                self.access.delete(self.lock_key)

    def holder(self) -> LockInfo | None:
        found = self.access.get(self.lock_key)
        if found is None:
            return None
        try:
            return lock_info_from(json.loads(found[0]))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return LockInfo(id="?", host="?", user="?", pid=0, command="?", since="?")

    def _held_message(self, timeout: float) -> str:
        holder = self.holder()
        waited = f" after waiting {timeout:g} s" if timeout else ""
        who = holder.describe() if holder else "another process (it just finished)"
        lock_id = holder.id if holder else "LOCK_ID"
        return (
            f"the state {self.location} is locked by {who}{waited} — wait for it to finish, "
            "pass --lock-timeout SECONDS to wait for the lock, or, if that process is dead "
            f"(killed, or its machine gone), remove its lock with: segspec force-unlock {lock_id}"
        )

    def force_unlock(self, lock_id: str) -> LockInfo:
        found = self.access.get(self.lock_key)
        if found is None:
            raise LockError(f"the state {self.location} is not locked — there is nothing to unlock")
        holder = self.holder()
        if holder is None or holder.id != lock_id:
            current = holder.id if holder else "unreadable"
            raise LockError(
                f"the state {self.location} is locked with ID {current}, not {lock_id} — "
                "copy the ID from the lock message"
            )
        if not self.access.delete(self.lock_key, if_match=found[1]):
            raise LockError(f"the lock on {self.location} changed meanwhile — look again")
        return holder

    def check(self) -> list[str]:
        lines = [f"endpoint {self.access.s3.endpoint}: reachable, credentials accepted"]
        with self.lock(command="segspec init"):
            if self.access.put(self.lock_key, b"{}", create=True) is not None:
                raise StateError(
                    f"{self.access.s3.endpoint} ignored If-None-Match: * on "
                    f"{self.access.url(self.lock_key)}, so two processes could both hold the "
                    "lock — use a store with conditional writes (OSS, AWS S3, MinIO, ...)"
                )
            self._check_if_match()
            state = self.open()
            lines.insert(
                0,
                f"bucket {self.access.bucket}: readable; state {self.location} "
                f"{'exists' if state.exists else 'not created yet'}, {len(state.summaries())} jobs",
            )
        lines.append(
            f"lock {self.access.url(self.lock_key)}: created, a second create refused, removed"
        )
        lines.append("state writes: a write with a stale ETag (If-Match) is refused")
        return lines

    def _check_if_match(self) -> None:
        probe = self.access.key + ".init-probe"
        self.access.put(probe, b"{}")
        try:
            if self.access.put(probe, b"{}", if_match='"0-stale"') is not None:
                raise StateError(
                    f"{self.access.s3.endpoint} ignored If-Match on {self.access.url(probe)}, "
                    "so a writer that lost its lock could overwrite a newer state — use a "
                    "store with conditional writes (OSS, AWS S3, MinIO, ...)"
                )
        finally:
            self.access.delete(probe)
