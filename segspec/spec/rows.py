"""What planning reads of every desired job, so an unchanged job is never loaded whole.

A no-op plan of 100,000 jobs asks, per job, only: which input (to stat it), what its
fingerprint is now (request and local options as canonical JSON, plus the input's
content), which objects it writes (to find key clashes) and where its outputs live (an
Endpoint). `JobRow` is that, as plain strings and numbers; the spec cache keeps one row
per job and the full job beside it, read only for the few jobs a plan acts on.
"""

from __future__ import annotations

from collections.abc import Mapping
from hashlib import sha256
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING, Any

import msgspec

from segspec.spec.normalize import canonical_json, content_identity

if TYPE_CHECKING:
    from segspec.spec.desired import DesiredJob

ClashKey = tuple[str, str, bool, int]
"""(Bucket, ObjectKey template, UserDefined?, number of ranges): what a job writes."""


class JobRow(msgspec.Struct, frozen=True, gc=False):
    """One desired job as planning compares it (see the module doc). A msgspec struct:
    made 100,000 times per plan, it is built in C (a frozen dataclass sets each field
    through `object.__setattr__`) and holds only strings, numbers and a Path, so the
    cycle collector need not track it."""

    address: str
    file: Path
    line: int
    column: int
    request_json: str
    """The normalized request as canonical JSON (what the fingerprint hashes)."""
    local_json: str
    """The local options (without allow_outside_project) as canonical JSON."""
    input_type: str
    media: str
    allow_outside_project: bool
    prune_outputs: bool
    clash: ClashKey
    endpoint: tuple[str, str] | None
    """(Bucket, Endpoint) when the OutputConfig names an Endpoint."""
    base_dir: str
    """The spec file's directory, against which a relative input path resolves."""

    @property
    def input_config(self) -> dict[str, Any]:
        return {"Type": self.input_type, "Media": self.media}

    def fingerprint(self, identity: Mapping[str, Any] | None, with_local: bool) -> str:
        """`normalize.fingerprint` of this job with `identity`, from the cached JSON
        (the same bytes, so the same digest, without rebuilding the request)."""
        local = self.local_json if with_local else "{}"
        material = (
            f'{{"input":{_content_json(identity)},"local":{local},"request":{self.request_json}}}'
        )
        return "sha256:" + sha256(material.encode()).hexdigest()

    def to_list(self) -> list[Any]:
        """The row as JSON data for the spec cache (the file is the entry's own, and the
        position is kept apart: a job that moves keeps its cached row)."""
        bucket, template, cutter, ranges = self.clash
        return [
            self.address, self.request_json, self.local_json, self.input_type, self.media,
            self.allow_outside_project, self.prune_outputs, bucket, template, cutter, ranges,
            list(self.endpoint) if self.endpoint else None,
        ]  # fmt: skip

    @classmethod
    def from_list(
        cls, data: list[Any], file: Path, base_dir: str, line: int, column: int
    ) -> JobRow:
        (address, request, local, kind, media, outside, prune,
         bucket, template, cutter, ranges, endpoint) = data  # fmt: skip
        return cls(
            intern(address), file, line, column, request, intern(local), intern(kind), media,
            outside, prune, (intern(bucket), template, cutter, ranges),
            (endpoint[0], endpoint[1]) if endpoint else None, base_dir,
        )  # fmt: skip


def _content_json(identity: Mapping[str, Any] | None) -> str:
    """`canonical_json(content_identity(identity))`, written directly for the common
    identity of a local file (size and a hex sha256: nothing to escape)."""
    if identity is not None and "etag" not in identity and "error" not in identity:
        size, digest = identity.get("size"), identity.get("sha256")
        if type(size) is int and isinstance(digest, str) and digest.isalnum() and digest.isascii():
            return '{"sha256":"' + digest + '","size":' + str(size) + "}"
    return canonical_json(content_identity(identity))


def clash_key(request: Mapping[str, Any]) -> ClashKey:
    out = request.get("OutputConfig") or {}
    params = request.get("JobParams") or {}
    cutter = params.get("Mode") == "UserDefined"
    return (
        str(out.get("Bucket")),
        str(out.get("ObjectKey")),
        cutter,
        len(params.get("Ranges") or []) if cutter else 0,
    )


def endpoint_of(request: Mapping[str, Any]) -> tuple[str, str] | None:
    out = request.get("OutputConfig") or {}
    return (str(out["Bucket"]), str(out["Endpoint"])) if out.get("Endpoint") else None


def row_of(job: DesiredJob) -> JobRow:
    """The row of a freshly loaded job."""
    config = job.request["InputConfig"]
    return JobRow(
        address=job.address,
        file=job.file,
        line=job.line,
        column=job.column,
        request_json=canonical_json(job.request),
        local_json=canonical_json(job.local),
        input_type=str(config["Type"]),
        media=str(config["Media"]),
        allow_outside_project=job.allow_outside_project,
        prune_outputs=job.prune_outputs,
        clash=clash_key(job.request),
        endpoint=endpoint_of(job.request),
        base_dir=str(job.file.parent),
    )
