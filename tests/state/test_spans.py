"""SpanTable (where unchanged records are) and the summaries snapshot a state lends."""

from __future__ import annotations

from pathlib import Path

import pytest

from segspec.state.spans import SpanTable
from segspec.state.store import StateStore
from segspec.state.summary import summarize
from tests.state.test_index import folded, records
from tests.state.test_store import rec


def test_spans_lookup_discard_and_order() -> None:
    entries = [("a", (10, 5)), ("b", (20, 7)), ("d", (40, 1))]
    table = SpanTable.of(entries)
    assert len(table) == 3 and list(table.items()) == entries
    assert table.get("b") == (20, 7) and table["d"] == (40, 1)
    assert table.get("c") is None and "c" not in table and table.get("") is None
    table.discard("b")
    table.discard("b")  # twice: still one fewer
    table.discard("zz")  # unknown: nothing
    assert len(table) == 2 and "b" not in table and table.get("b") is None
    assert list(table.items()) == [entries[0], entries[2]]
    assert table.end() == 41
    with pytest.raises(KeyError):
        table["b"]
    assert SpanTable().end() == 0 and len(SpanTable()) == 0


def test_spans_refuse_out_of_order() -> None:
    table = SpanTable.of([("b", (0, 1))])
    for address in ("a", "b"):
        with pytest.raises(ValueError, match="out of address order"):
            table.append(address, 5, 1)
    with pytest.raises(ValueError, match="negative"):
        table.append("c", 5, -1)


def test_summaries_snapshot_unchanged_by_later_changes(tmp_path: Path) -> None:
    """`summaries()` lends a view, not a copy; a later put or remove must not reach it."""
    path = tmp_path / "segspec.state.json"
    jobs = records(5)
    folded(path, jobs)
    store = StateStore.open(path)
    before = store.summaries()
    store.put(rec("job0001", "Failed"))
    store.remove("job0002")
    store.put(rec("new"))
    assert dict(before) == {a: summarize(r) for a, r in jobs.items()}
    after = store.summaries()
    assert after["job0001"].status == "Failed" and "job0002" not in after and "new" in after
    store.put(rec("job0003", "Failed"))
    assert after["job0003"].status == "Finished"  # that snapshot stays too
    with pytest.raises(TypeError):
        after["x"] = after["new"]  # type: ignore[index]


def test_spans_adopted_arrays_must_agree() -> None:
    from array import array

    table = SpanTable.adopt(["a", "b"], array("q", [1, 9]), array("q", [3, 4]))
    assert list(table.items()) == [("a", (1, 3)), ("b", (9, 4))] and len(table) == 2
    with pytest.raises(ValueError, match="differ in number"):
        SpanTable.adopt(["a"], array("q", [1, 2]), array("q", [3]))
