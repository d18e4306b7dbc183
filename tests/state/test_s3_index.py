"""The S3 state's index object: a reopened state reads summaries from KEY.index and the
few records it needs with ranged GETs, never the whole document, and only while the
index names the document's current ETag (moto's real server on loopback)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from segspec.errors import StateError
from segspec.spec.models import StateConfig
from segspec.state.config import make_state_backend
from segspec.state.journaled import render_state
from segspec.state.model import StateFile
from segspec.state.s3 import S3Access, S3State, S3StateBackend
from segspec.state.summary import summarize
from tests.backends.s3server import S3Server, loopback_only
from tests.state.test_index import records
from tests.state.test_store import rec

KEY = "clips/segspec.state.json"
BUCKET = "team-state"


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    loopback_only(monkeypatch, tmp_path)
    s3_server.reset()
    s3_server.client().create_bucket(Bucket=BUCKET)
    return s3_server


@pytest.fixture
def backend(s3: S3Server, tmp_path: Path) -> S3StateBackend:
    config = StateConfig(type="s3", bucket=BUCKET, key=KEY, endpoint=s3.url)
    made = make_state_backend(config, tmp_path)
    assert isinstance(made, S3StateBackend)
    return made


def counted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every GET of the state document: ("get", key) or ("range", length)."""
    calls: list[tuple[str, Any]] = []
    real_get, real_range = S3Access.get, S3Access.get_range

    def get(self: S3Access, key: str) -> Any:
        if key == KEY:
            calls.append(("get", key))
        return real_get(self, key)

    def get_range(self: S3Access, key: str, offset: int, length: int, **kw: Any) -> Any:
        calls.append(("range", length))
        return real_range(self, key, offset, length, **kw)

    monkeypatch.setattr(S3Access, "get", get)
    monkeypatch.setattr(S3Access, "get_range", get_range)
    return calls


def test_s3_index_open_reads_no_document(
    backend: S3StateBackend,
    s3: S3Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jobs = records(40)
    state = backend.open()
    state.adopt("lineage-1", 1, jobs)
    state.compact()
    keys = [o["Key"] for o in s3.client().list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert KEY + ".index" in keys
    calls = counted(monkeypatch)
    again = backend.open()
    assert calls == []  # summaries from the index: the document was not downloaded
    assert dict(again.summaries()) == {a: summarize(r) for a, r in jobs.items()}
    assert again.records(["job0003", "job0017"]) == {a: jobs[a] for a in ("job0003", "job0017")}
    assert [c[0] for c in calls] == ["range", "range"]  # one ranged GET per record
    assert dict(again.jobs) == jobs


def test_s3_index_stale_when_document_replaced(
    backend: S3StateBackend,
    s3: S3Server,
) -> None:
    state = backend.open()
    state.adopt("lineage-1", 1, records(10))
    state.compact()
    other = records(10) | {"job0004": rec("job0004", "Failed")}
    body = render_state(StateFile(lineage="lineage-1", serial=7, jobs=other)).encode()
    s3.client().put_object(Bucket=BUCKET, Key=KEY, Body=body)  # written by someone else
    again = backend.open()
    assert isinstance(again, S3State)
    assert dict(again.jobs) == other and again.serial == 7
    assert dict(again.summaries()) == {a: summarize(r) for a, r in other.items()}


def test_s3_index_changed_document_refuses_ranged_read(
    backend: S3StateBackend,
    s3: S3Server,
) -> None:
    state = backend.open()
    state.adopt("lineage-1", 1, records(10))
    state.compact()
    reader = backend.open()
    s3.client().put_object(Bucket=BUCKET, Key=KEY, Body=b"{}")
    with pytest.raises(StateError, match="changed since it was read"):
        reader.get("job0001")
