"""The state document's layout: rendered record by record it is byte for byte what
`render_state` writes, and found again only when laid out exactly so."""

from __future__ import annotations

import json

import pytest

from segspec.state.document import DocumentWriter, Span, render_value, scan_document
from segspec.state.journaled import render_state
from segspec.state.model import JobRecord, StateFile
from tests.state.test_store import rec

ODD = {
    "a": rec("a"),
    'b"quoted\\': rec('b"quoted\\', input={"path": 'é\n"x"', "size": 1}),
    "c[0]": rec("c[0]", "Failed"),
    "dé": rec("dé", local={"note": "\u2603"}),
}


class Buffer:
    def __init__(self, previous: bytes = b"") -> None:
        self.data, self.previous = bytearray(), previous
        self.copies = 0

    def write(self, data: bytes) -> None:
        self.data += data

    def copy(self, offset: int, length: int) -> None:
        self.data += self.previous[offset : offset + length]
        self.copies += 1


def document(jobs: dict[str, JobRecord], serial: int = 3) -> bytes:
    return render_state(StateFile(lineage="L-1", serial=serial, jobs=jobs)).encode()


@pytest.mark.parametrize("jobs", [{}, {"a": ODD["a"]}, ODD], ids=["empty", "one", "odd-keys"])
def test_document_writer_renders_what_render_state_writes(jobs: dict[str, JobRecord]) -> None:
    buffer = Buffer()
    writer = DocumentWriter(buffer)
    for address in sorted(jobs):
        writer.rendered(address, render_value(jobs[address]))
    size = writer.finish("L-1", 3)
    expected = document(jobs)
    assert bytes(buffer.data) == expected and size == len(expected)
    scanned = scan_document(expected)
    assert scanned is not None and (scanned.lineage, scanned.serial) == ("L-1", 3)
    assert [address for address, _ in scanned.entries] == sorted(jobs)
    assert [span for _, span in scanned.entries] == writer.spans
    for address, (offset, length) in scanned.entries:
        assert JobRecord.model_validate_json(expected[offset : offset + length]) == jobs[address]


def test_document_writer_copies_runs_of_unchanged_records() -> None:
    jobs = {f"j{n:03d}": rec(f"j{n:03d}") for n in range(20)}
    old = document(jobs)
    spans: dict[str, Span] = dict(scan_document(old).entries)  # type: ignore[union-attr]
    new_jobs = dict(jobs) | {"j005": rec("j005", "Failed"), "zzz": rec("zzz")}
    del new_jobs["j000"], new_jobs["j012"]
    buffer = Buffer(old)
    writer = DocumentWriter(buffer)
    for address in sorted(new_jobs):
        if address in spans and address != "j005":
            writer.copied(address, spans[address])
        else:
            writer.rendered(address, render_value(new_jobs[address]))
    writer.finish("L-1", 4)
    assert bytes(buffer.data) == document(new_jobs, 4)
    assert buffer.copies == 3  # j001-j004, j006-j011, j013-j019: one copy per run


def unsorted(data: bytes) -> bytes:
    body = json.loads(data)
    body["jobs"] = dict(reversed(body["jobs"].items()))
    return (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode()


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.replace(b'"a": {', b'"a":  {', 1),
        lambda d: d.replace(b'\n  "serial": 3\n}\n', b'\n  "serial": 3\n}\n\n'),
        lambda d: d.replace(b'"format_version": 1', b'"format_version": 2'),
        lambda d: d.replace(b'"lineage": "L-1"', b'"lineage": null'),
        lambda d: json.dumps(json.loads(d), indent=4).encode(),
        lambda d: unsorted(d),
        lambda d: d.replace(b'\n    "c[0]": {', b'\n    "a": {'),  # a duplicate key
        lambda d: d[:-5],
    ],
    ids=["spacing", "trailing", "version", "null-lineage", "indent4", "unsorted", "dup", "torn"],
)
def test_document_scan_refuses_other_layouts(edit: object) -> None:
    original = document(ODD)
    edited = edit(original)  # type: ignore[operator]
    assert edited != original
    assert scan_document(edited) is None
