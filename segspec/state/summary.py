"""What planning needs to know about a recorded job, without its whole record.

A no-op plan at 100,000 jobs cannot afford to parse 100,000 full records (requests,
AiResults, captions): it only asks, per address, "same fingerprint, finished, outputs
still there?". `RecordSummary` is that question's data; `State.summaries()` gives one per
recorded job, and `State.records(addresses)` loads the full records of the few jobs a plan
must show or act on. `summarize` is the one definition of a summary: every store's
summaries must equal `summarize` of its records (the contract suite checks it).

At 100,000 jobs the summaries are most of what a no-op plan holds, so they are compact:
msgspec structs (no `__dict__`, untracked by the cycle collector: they hold only strings,
numbers and each other), each encoded as a JSON array in the state index, and the common
input of a local file (path, size, mtime, a lowercase hex sha256) as an `InputSummary`
rather than a dict. Digests are held as 32 raw bytes (a 64-character str is 48 bytes
more: ~5 MB per 100,000 inputs or outputs); any other recorded sha256 value is kept as it
was recorded.
"""

from __future__ import annotations

from typing import Any

import msgspec

from segspec.state.model import JobRecord, Status


class OutputSummary(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One recorded output, as drift checks it (make one with `of`)."""

    bucket: str
    object_key: str
    size: int | None
    digest: bytes | None
    """The recorded sha256 as raw bytes, when it is a lowercase hex digest."""
    etag: str | None
    mtime_ns: int | None = None
    """The local file's mtime when recorded: an unchanged (size, mtime) is not re-hashed."""
    other_sha256: str | None = None
    """A recorded sha256 that is not a lowercase hex digest, exactly as recorded."""

    @classmethod
    def of(
        cls,
        bucket: str,
        object_key: str,
        size: int | None,
        sha256: str | None,
        etag: str | None,
        mtime_ns: int | None = None,
    ) -> OutputSummary:
        digest = _raw_digest(sha256)
        other = sha256 if digest is None else None
        return cls(bucket, object_key, size, digest, etag, mtime_ns, other)

    @property
    def sha256(self) -> str | None:
        """The recorded sha256, as the record holds it."""
        digest = self.digest
        return digest.hex() if digest is not None else self.other_sha256


class InputSummary(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A recorded input identity of exactly the shape a local file's has (every other
    shape stays a dict): a fraction of the dict's size, and its path split after the last
    separator so the index can give jobs whose inputs share a directory one string for it."""

    directory: str
    """The path up to and including its last `/` ("" when it has none)."""
    name: str
    size: int
    mtime_ns: int
    digest: bytes
    """The sha256 as raw bytes (only a lowercase hex digest is held so: see
    `compact_input`; any other recorded value keeps the identity a dict)."""

    @property
    def path(self) -> str:
        return self.directory + self.name

    @property
    def sha256(self) -> str:
        return self.digest.hex()

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.directory + self.name, "size": self.size,
                "mtime_ns": self.mtime_ns, "sha256": self.digest.hex()}  # fmt: skip


_LOCAL_KEYS = frozenset(("path", "size", "mtime_ns", "sha256"))


def compact_input(identity: dict[str, Any] | None) -> InputSummary | dict[str, Any] | None:
    """`identity` as a summary holds it: an `InputSummary` when it has exactly its shape."""
    if (
        identity is not None
        and len(identity) == len(_LOCAL_KEYS)
        and identity.keys() == _LOCAL_KEYS
        and type(path := identity["path"]) is str
        and type(identity["size"]) is int
        and type(identity["mtime_ns"]) is int
        and (digest := _raw_digest(identity["sha256"])) is not None
    ):
        head, sep, name = path.rpartition("/")
        return InputSummary(head + sep, name, identity["size"], identity["mtime_ns"], digest)
    return identity


def _raw_digest(value: object) -> bytes | None:
    """`value` as raw bytes when it is exactly a lowercase hex sha256 (so that `.hex()`
    gives it back), else None."""
    if type(value) is not str or len(value) != 64:
        return None
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        return None
    return raw if raw.hex() == value else None


class RecordSummary(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One recorded job, as a no-op plan compares it."""

    address: str
    backend: str
    fingerprint: str
    status: Status
    attempt: int
    prune_outputs: bool
    input: InputSummary | dict[str, Any] | None
    """The input's identity when submitted (size, sha256, mtime_ns, ...), as recorded
    (see `identity` for it as the record has it)."""
    outputs: tuple[OutputSummary, ...]
    endpoint: tuple[str, str] | None
    """(Bucket, Endpoint) when the request's OutputConfig named an Endpoint."""

    @property
    def identity(self) -> dict[str, Any] | None:
        """The recorded input identity as the record holds it (a new dict each time)."""
        found = self.input
        return found.as_dict() if isinstance(found, InputSummary) else found


def summarize(record: JobRecord) -> RecordSummary:
    out = record.request.get("OutputConfig") or {}
    endpoint = (str(out["Bucket"]), str(out["Endpoint"])) if out.get("Endpoint") else None
    return RecordSummary(
        address=record.address,
        backend=record.backend,
        fingerprint=record.fingerprint,
        status=record.status,
        attempt=record.attempt,
        prune_outputs=record.prune_outputs,
        input=compact_input(record.input),
        outputs=tuple(
            OutputSummary.of(o.bucket, o.object_key, o.size, o.sha256, o.etag, o.mtime_ns)
            for o in record.outputs
        ),
        endpoint=endpoint,
    )
