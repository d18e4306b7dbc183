"""The compact summaries of the state index (version 5): what they hold, how an index of
an older version is treated, and that a summary read from the index still equals
`summarize` of the record."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

import segspec.state.store as store_module
from segspec.state.index import INDEX_VERSION
from segspec.state.model import JobRecord
from segspec.state.store import StateStore
from segspec.state.summary import InputSummary, compact_input, summarize
from tests.state.test_index import assert_reads_as, folded, index_of, never, records, resealed
from tests.state.test_store import rec

LOCAL = {"path": "/p/ep.mp4", "size": 10, "mtime_ns": 1_700_000_000_000_000_001,
         "sha256": "a" * 64}  # fmt: skip
INPUTS: dict[str, dict[str, Any] | None] = {
    "local": LOCAL,
    "none": None,
    "url": {"url": "https://example.invalid/ep.mp4"},
    "error": {"error": "cannot read input ep.mp4: No such file"},
    "etag": {"size": 5, "etag": '"abc"', "endpoint": "http://127.0.0.1:9"},
    "extra-key": LOCAL | {"note": "x"},
    "missing-key": {k: v for k, v in LOCAL.items() if k != "mtime_ns"},
    "bool-size": LOCAL | {"size": True},
    "str-size": LOCAL | {"size": "10"},
    # sha256 values other backends (or older releases) may have recorded: not a lowercase
    # hex digest, so never packed into raw bytes (the identity stays the dict, exactly)
    "upper-sha": LOCAL | {"sha256": "A" * 64},
    "short-sha": LOCAL | {"sha256": "abc"},
    "non-hex-sha": LOCAL | {"sha256": "z" * 64},
    "spaced-sha": LOCAL | {"sha256": "aa " * 21 + "a"},
    "prefixed-sha": LOCAL | {"sha256": "sha256:" + "a" * 57},
    "empty-sha": LOCAL | {"sha256": ""},
    "none-sha": LOCAL | {"sha256": None},
}


def varied() -> dict[str, JobRecord]:
    return {f"in-{name}": rec(f"in-{name}", input=given) for name, given in INPUTS.items()}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "segspec.state.json"


def test_compact_input_only_for_the_exact_local_shape() -> None:
    for name, given in INPUTS.items():
        found = compact_input(given)
        if name == "local":
            assert isinstance(found, InputSummary) and found.as_dict() == LOCAL
            assert (found.directory, found.name, found.path) == ("/p/", "ep.mp4", "/p/ep.mp4")
        else:
            assert found is given, name


def test_compact_input_holds_the_digest_as_raw_bytes() -> None:
    digest = bytes(range(32))
    found = compact_input(LOCAL | {"sha256": digest.hex()})
    assert isinstance(found, InputSummary) and found.digest == digest
    assert found.sha256 == digest.hex() and found.as_dict()["sha256"] == digest.hex()


def test_compact_input_path_without_separator() -> None:
    found = compact_input(LOCAL | {"path": "ep.mp4"})
    assert isinstance(found, InputSummary) and (found.directory, found.name) == ("", "ep.mp4")
    assert found.as_dict() == LOCAL | {"path": "ep.mp4"}


def test_summary_identity_is_the_record_input() -> None:
    for record in varied().values():
        summary = summarize(record)
        assert summary.identity == record.input
        assert isinstance(summary.input, InputSummary) == (record.address == "in-local")


def test_index_round_trips_every_input_shape(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = varied() | records(5)
    folded(path, jobs)
    with monkeypatch.context() as patched:
        patched.setattr(store_module, "_read_all", never)  # from the index only
        store = StateStore.open(path)
        summaries = dict(store.summaries())
    assert summaries == {a: summarize(r) for a, r in jobs.items()}
    assert isinstance(summaries["in-local"].input, InputSummary)
    assert {a: s.identity for a, s in summaries.items()} == {a: r.input for a, r in jobs.items()}
    assert_reads_as(StateStore.open(path), jobs)


OUTPUT_SHAS = ["b" * 64, "B" * 64, "abc", "", None, "z" * 64, "sha256:" + "b" * 57]


def test_output_sha256_round_trips_every_value(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An output's lowercase hex sha256 is held as 32 raw bytes; any other value (another
    backend's, an empty one, none) as recorded; the index gives each back exactly."""
    outputs = [
        {"index": n, "bucket": "clips", "object_key": f"o{n}.mp4", "size": 1, "sha256": sha}
        for n, sha in enumerate(OUTPUT_SHAS)
    ]
    jobs = {"j": rec("j", outputs=outputs)} | records(3)
    folded(path, jobs)
    with monkeypatch.context() as patched:
        patched.setattr(store_module, "_read_all", never)  # from the index only
        summaries = dict(StateStore.open(path).summaries())
    assert summaries == {a: summarize(r) for a, r in jobs.items()}
    found = summaries["j"].outputs
    assert [o.sha256 for o in found] == OUTPUT_SHAS
    assert found[0].digest == bytes.fromhex("b" * 64) and found[0].other_sha256 is None
    assert all(o.digest is None for o in found[1:])


def test_index_summaries_share_strings(path: Path) -> None:
    """One string per backend, input directory and bucket, however many jobs (what keeps
    100,000 summaries small); the address is the dictionary's own key."""
    outputs = [
        {"index": 0, "bucket": "clips", "object_key": "a.mp4", "size": 1, "sha256": "b" * 64}
    ]
    jobs = {
        f"j{n}": rec(f"j{n}", outputs=outputs, input=LOCAL | {"path": f"/media/{n}.mp4"})
        for n in range(4)
    }
    folded(path, jobs)
    summaries = StateStore.open(path).summaries()
    assert len({id(s.backend) for s in summaries.values()}) == 1
    assert len({id(s.outputs[0].bucket) for s in summaries.values()}) == 1
    inputs = [s.input for s in summaries.values()]
    assert all(isinstance(i, InputSummary) for i in inputs)
    assert len({id(i.directory) for i in inputs if isinstance(i, InputSummary)}) == 1
    assert [s.identity for s in summaries.values()] == [r.input for r in jobs.values()]
    assert all(s.address is key for key, s in summaries.items())


def v2_index(path: Path, jobs: dict[str, JobRecord]) -> bytes:
    """The index version 2 wrote for the current document: the same identity, the rows
    in its layout."""
    head, *rows = index_of(path).read_bytes().splitlines()
    rows = [row for row in rows if row.startswith(b"[")]  # (no trailer before version 5)
    old_head = json.loads(head) | {"version": 2}
    lines = [json.dumps(old_head, sort_keys=True).encode()]
    for row in rows:
        (offset, length), summary = json.loads(row)
        address, backend, fingerprint, status, attempt, prune, given, outs, endpoint = summary
        given = jobs[address].input  # as a dict, as version 2 wrote it
        lines.append(json.dumps([address, offset, length, backend, fingerprint, status,
                                 attempt, prune, given, outs, endpoint]).encode())  # fmt: skip
    return b"\n".join(lines) + b"\n"


def v3_index(path: Path) -> bytes:
    """The index version 3 wrote for the current document: a local input's sha256 as hex."""
    head, *rows = index_of(path).read_bytes().splitlines()
    rows = [row for row in rows if row.startswith(b"[")]  # (no trailer before version 5)
    lines = [json.dumps(json.loads(head) | {"version": 3}, sort_keys=True).encode()]
    for row in rows:
        span, summary = json.loads(row)
        if isinstance(given := summary[6], list):
            given[4] = base64.b64decode(given[4]).hex()
        for output in summary[7]:  # [bucket, key, size, sha256, etag, mtime_ns]
            digest, other = output[3], output.pop(6)
            output[3] = base64.b64decode(digest).hex() if digest is not None else other
        lines.append(json.dumps([span, summary]).encode())
    return b"\n".join(lines) + b"\n"


@pytest.mark.parametrize("old", [v2_index, lambda path, jobs: v3_index(path)], ids=["v2", "v3"])
def test_index_of_an_older_version_is_rebuilt(
    path: Path, monkeypatch: pytest.MonkeyPatch, old: Any
) -> None:
    assert INDEX_VERSION == 5
    jobs = varied() | records(20)
    folded(path, jobs)
    written = index_of(path).read_bytes()
    index_of(path).write_bytes(old(path, jobs))
    reads: list[object] = []
    read_all = store_module._read_all
    monkeypatch.setattr(store_module, "_read_all", lambda *a: reads.append(a) or read_all(*a))
    store = StateStore.open(path)  # the old index is not used: the document is read
    assert len(reads) == 1
    assert_reads_as(store, jobs)
    assert index_of(path).read_bytes() == written  # and the index rebuilt at once
    assert json.loads(written.split(b"\n", 1)[0])["version"] == INDEX_VERSION


def test_index_with_hostile_values_is_refused(path: Path) -> None:
    """A row whose input nests 200,000 levels deep, or whose values have the wrong types,
    makes the index unusable (the document is read); nothing in it is executed."""
    jobs = records(3)
    folded(path, jobs)
    head, first, *rest = index_of(path).read_bytes().splitlines()
    deep = b'{"a":' * 200_000 + b"1" + b"}" * 200_000
    (span, summary) = json.loads(first)
    summary[6] = "INPUT"
    hostile = json.dumps([span, summary]).encode().replace(b'"INPUT"', deep)
    for row in (hostile, first.replace(b'"local"', b"7", 1)):
        index_of(path).write_bytes(resealed(b"\n".join([head, row, *rest]) + b"\n"))
        assert_reads_as(StateStore.open(path), jobs)
