"""An index that is not exactly what this segspec writes for the document is rebuilt from
the document (the document is the truth, the index a cache), on the local and the S3
store, and a plan made over it is the plan of the document: an index of another layout
under the same version number, a truncated one, garbage.

S3 runs against moto's real server on loopback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import segspec.state.store as store_module
from segspec.cli.main import entrypoint
from segspec.errors import StateError
from segspec.spec.models import StateConfig
from segspec.state.config import make_state_backend
from segspec.state.index import INDEX_VERSION, LAYOUT
from segspec.state.s3 import S3Access, S3StateBackend
from segspec.state.store import StateStore
from segspec.state.summary import summarize
from tests.backends.s3server import S3Server, loopback_only
from tests.engine.test_settled import applied
from tests.state.test_index import assert_reads_as, folded, index_of, never, records, resealed

__all__ = ["applied"]  # the fixture: four jobs really applied on the local engine

Damage = Callable[[bytes], bytes]


def rows_edited(data: bytes, edit: Callable[[list[Any]], None]) -> list[bytes]:
    head, *rows = [line for line in data.split(b"\n") if line]
    edited = [head]
    for line in rows:
        if line.startswith(b"["):
            row = json.loads(line)
            edit(row)
            line = json.dumps(row, separators=(",", ":")).encode()
        edited.append(line)
    return edited


def swap_backend_and_fingerprint(row: list[Any]) -> None:
    summary = row[1]
    summary[1], summary[2] = summary[2], summary[1]


def another_build(data: bytes) -> bytes:
    """What a build with the same index version but another row layout (here: backend
    and fingerprint in each other's place) writes: a consistent index, its own layout."""
    head, *rest = rows_edited(data, swap_backend_and_fingerprint)
    header = json.loads(head)
    assert header["version"] == INDEX_VERSION and header["layout"] == LAYOUT
    header["layout"] = "0123456789abcdef"
    return resealed(b"\n".join([json.dumps(header).encode(), *rest]) + b"\n")


def same_claims_other_rows(data: bytes) -> bytes:
    """Rows of another layout under this build's very header and trailer."""
    return b"\n".join(rows_edited(data, swap_backend_and_fingerprint)) + b"\n"


def cut_mid_row(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


def cut_at_row(data: bytes) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(lines[: len(lines) // 2]) + b"\n"


def no_trailer(data: bytes) -> bytes:
    return data[: data.rstrip(b"\n").rfind(b"\n") + 1]


def after_trailer(data: bytes) -> bytes:
    return data + data.split(b"\n")[1] + b"\n"


def garbage(data: bytes) -> bytes:
    return os.urandom(len(data))


def edited_value(data: bytes) -> bytes:
    """One row's status changed to another valid one (the CRC no longer matches)."""
    return data.replace(b'"Finished"', b'"Failed"', 1)


def span_past_end(data: bytes) -> bytes:
    def stretch(row: list[Any]) -> None:
        row[0][1] += 10**9

    return resealed(b"\n".join(rows_edited(data, stretch)) + b"\n")


def overlapping(data: bytes) -> bytes:
    def widen(row: list[Any]) -> None:
        row[0][1] += 200  # into the next record

    return resealed(b"\n".join(rows_edited(data, widen)) + b"\n")


DAMAGES: dict[str, Damage] = {
    "another-build-layout": another_build,
    "other-rows-same-header": same_claims_other_rows,
    "truncated-mid-row": cut_mid_row,
    "truncated-at-row": cut_at_row,
    "truncated-no-trailer": no_trailer,
    "rows-after-trailer": after_trailer,
    "garbage": garbage,
    "zeros": lambda data: b"\0" * len(data),
    "edited-value": edited_value,
    "span-past-end": span_past_end,
    "overlapping-spans": overlapping,
}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "segspec.state.json"


@pytest.mark.parametrize("damage", list(DAMAGES.values()), ids=list(DAMAGES))
def test_rebuild_local_index_from_document(
    path: Path, monkeypatch: pytest.MonkeyPatch, damage: Damage
) -> None:
    jobs = records(40)
    folded(path, jobs)
    written = index_of(path).read_bytes()
    index_of(path).write_bytes(damage(written))
    reads: list[object] = []
    read_all = store_module._read_all
    monkeypatch.setattr(store_module, "_read_all", lambda *a: reads.append(a) or read_all(*a))
    store = StateStore.open(path)
    assert len(reads) == 1  # the document was read
    assert_reads_as(store, jobs)
    assert index_of(path).read_bytes() == written  # and the index rebuilt from it
    with monkeypatch.context() as patched:
        patched.setattr(store_module, "_read_all", never)
        assert_reads_as(StateStore.open(path), jobs)  # which the next open uses


# --- S3 ---------------------------------------------------------------------------------

BUCKET, KEY = "team-state", "clips/segspec.state.json"


@pytest.fixture
def backend(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3StateBackend:
    loopback_only(monkeypatch, tmp_path)
    s3_server.reset()
    s3_server.client().create_bucket(Bucket=BUCKET)
    config = StateConfig(type="s3", bucket=BUCKET, key=KEY, endpoint=s3_server.url)
    made = make_state_backend(config, tmp_path)
    assert isinstance(made, S3StateBackend)
    return made


def index_object(s3: S3Server) -> bytes:
    body: bytes = s3.client().get_object(Bucket=BUCKET, Key=KEY + ".index")["Body"].read()
    return body


def document_gets(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    gets: list[str] = []
    real = S3Access.get

    def get(self: S3Access, key: str) -> Any:
        if key == KEY:
            gets.append(key)
        return real(self, key)

    monkeypatch.setattr(S3Access, "get", get)
    return gets


S3_DAMAGES = ["another-build-layout", "truncated-mid-row", "truncated-at-row", "garbage"]


@pytest.mark.parametrize("name", S3_DAMAGES)
def test_rebuild_s3_index_from_document(
    backend: S3StateBackend, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    jobs = records(30)
    state = backend.open()
    state.adopt("lineage-1", 1, jobs)
    state.compact()
    written = index_object(s3_server)
    damaged = DAMAGES[name](written)
    s3_server.client().put_object(Bucket=BUCKET, Key=KEY + ".index", Body=damaged)
    gets = document_gets(monkeypatch)
    again = backend.open()
    assert gets == [KEY]  # the document was downloaded
    assert dict(again.summaries()) == {a: summarize(r) for a, r in jobs.items()}
    assert dict(again.jobs) == jobs
    assert index_object(s3_server) == written  # the index rebuilt from it
    gets.clear()
    reopened = backend.open()
    assert gets == []  # which the next open uses
    assert dict(reopened.jobs) == jobs


def test_s3_record_disagreeing_with_index_drops_it(
    backend: S3StateBackend, s3_server: S3Server
) -> None:
    jobs = records(5)
    state = backend.open()
    state.adopt("lineage-1", 1, jobs)
    state.compact()
    written = index_object(s3_server)
    forged = resealed(written.replace(b'"Finished"', b'"Executing"', 1))
    s3_server.client().put_object(Bucket=BUCKET, Key=KEY + ".index", Body=forged)
    again = backend.open()
    with pytest.raises(StateError, match=r"does not match the state's index .*removed"):
        again.get("job0000")
    keys = [o["Key"] for o in s3_server.client().list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert KEY + ".index" not in keys
    assert dict(backend.open().jobs) == jobs
    assert index_object(s3_server) == written


# --- the plan over a damaged index ------------------------------------------------------

PLAN_DAMAGES = ["another-build-layout", "truncated-mid-row", "garbage"]


@pytest.mark.parametrize("name", PLAN_DAMAGES)
def test_rebuild_plan_over_damaged_local_index_is_the_documents(
    applied: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Four jobs really applied; with the index damaged, the plan is still "no changes"
    (trusting `another-build-layout` would have made every job a replace), and the
    index is whole again afterwards."""
    index = applied / "segspec.state.json.index"
    written = index.read_bytes()
    index.write_bytes(DAMAGES[name](written))
    capsys.readouterr()
    assert entrypoint(["--no-color", "plan", "--detailed-exitcode"]) == 0
    out = capsys.readouterr().out
    assert "No changes" in out, out
    assert index.read_bytes() == written


def test_rebuild_trusting_another_layout_fails_the_plan(
    applied: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check above can fail: the same rows under this build's layout are trusted
    (their CRC made to match), and the plan is not "no changes" (every fingerprint
    differs, and the records then read disagree with the index)."""
    index = applied / "segspec.state.json.index"
    index.write_bytes(resealed(same_claims_other_rows(index.read_bytes())))
    capsys.readouterr()
    assert entrypoint(["--no-color", "plan", "--detailed-exitcode"]) != 0


SPEC = """\
version: 1
state: {{type: s3, bucket: {bucket}, key: {key}, endpoint: '{url}'}}
jobs:
  alpha:
    InputConfig: {{Type: OSS, Media: media/numbered.mp4}}
    JobParams: {{Mode: UserDefined, Ranges: [{{In: 0, Out: 0.4}}]}}
    OutputConfig: {{OutputMediaTarget: oss-object, Bucket: clips, ObjectKey: "a/c_{{index}}.mp4"}}
    local: {{preset: ultrafast}}
"""


@pytest.mark.parametrize("name", PLAN_DAMAGES)
def test_rebuild_plan_over_damaged_s3_index_is_the_documents(
    project: Callable[[str], Path],
    s3_server: S3Server,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    loopback_only(monkeypatch, tmp_path)
    for variable in ("SEGSPEC_STATE", "SEGSPEC_BACKEND"):
        monkeypatch.delenv(variable, raising=False)
    s3_server.reset()
    s3_server.client().create_bucket(Bucket=BUCKET)
    root = project(SPEC.format(bucket=BUCKET, key=KEY, url=s3_server.url))
    monkeypatch.chdir(root)
    assert entrypoint(["--no-color", "apply", "--auto-approve"]) == 0
    written = index_object(s3_server)
    s3_server.client().put_object(Bucket=BUCKET, Key=KEY + ".index", Body=DAMAGES[name](written))
    capsys.readouterr()
    assert entrypoint(["--no-color", "plan", "--detailed-exitcode"]) == 0
    out = capsys.readouterr().out
    assert "No changes" in out, out
    assert index_object(s3_server) == written
