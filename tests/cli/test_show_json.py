"""`show --json`: the state as its document, streamed, the journal included; and the
commands that list the state read summaries, not records."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import segspec.state.store as store_module
from segspec.state.journaled import render_state
from segspec.state.model import StateFile
from segspec.state.store import StateStore
from tests.cli.conftest import Result
from tests.conftest import check_golden
from tests.state.test_store import rec


@pytest.fixture
def state(tmp_path: Path) -> Path:
    path = tmp_path / "segspec.state.json"
    store = StateStore.open(path)
    store.adopt(
        "11111111-2222-3333-4444-555555555555",
        1,
        {"teaser": rec("teaser"), "intro": rec("intro", input={"size": 3, "path": "é.mp4"})},
    )
    store.compact()
    store.put(rec("credits", "Failed"))  # left in the journal, as an interrupted apply would
    return path


def test_show_json_is_the_state_document_with_the_journal(
    segspec: Callable[..., Result], state: Path
) -> None:
    result = segspec("show", "--json", "--state", str(state))
    assert result.code == 0, result.err
    jobs = StateStore.open(state).jobs
    assert set(jobs) == {"credits", "intro", "teaser"}
    document = StateFile(lineage="11111111-2222-3333-4444-555555555555", serial=2, jobs=jobs)
    assert result.out == render_state(document)
    check_golden("show_state.json", result.out)


def test_show_json_of_an_empty_state(segspec: Callable[..., Result], tmp_path: Path) -> None:
    result = segspec("show", "--json", "--state", str(tmp_path / "none.json"))
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "format_version": 1,
        "jobs": {},
        "lineage": None,
        "serial": 0,
    }


def test_show_json_of_one_job_is_its_record(segspec: Callable[..., Result], state: Path) -> None:
    result = segspec("show", "credits", "--json", "--state", str(state))
    assert result.code == 0, result.err
    assert json.loads(result.out) == json.loads(
        rec("credits", "Failed").model_dump_json(exclude_none=True)
    )
    assert result.out == segspec("state", "show", "credits", "--state", str(state)).out


def test_state_list_reads_summaries_only(
    segspec: Callable[..., Result], state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    StateStore.open(state).compact()  # fold the journal: the index names every job

    def no_records(self: object, *args: object) -> object:
        raise AssertionError("a record was read")

    monkeypatch.setattr(StateStore, "_read_spans", no_records)
    monkeypatch.setattr(store_module, "_read_all", no_records)
    result = segspec("state", "list", "--state", str(state))
    assert result.code == 0, result.err
    assert result.out.split() == [
        "credits", "Failed", "0", "outputs", "local",
        "intro", "Finished", "0", "outputs", "local",
        "teaser", "Finished", "0", "outputs", "local",
    ]  # fmt: skip
    assert segspec("show", "--state", str(state)).out == result.out
