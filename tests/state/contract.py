"""The contract every state store honours, run on each implementation.

Subclass `StateContract` (name starting with `Test`) and provide a `backend` fixture: a
`() -> StateBackend` factory, each call a new handle on the same, initially empty place
(as a second process would see it). Nothing here knows where the state is kept.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from segspec.errors import LockError, StateError
from segspec.state.base import StateBackend
from segspec.state.journaled import render_state
from segspec.state.model import JobRecord, StateFile
from segspec.state.summary import summarize

Factory = Callable[[], StateBackend]


def rec(address: str, status: str = "Finished", **extra: Any) -> JobRecord:
    return JobRecord(
        address=address,
        backend="local",
        request={"JobParams": {"Mode": "UserDefined"}},
        fingerprint="sha256:" + "0" * 64,
        client_token="t" * 32,
        job_id="j" * 32,
        status=status,  # type: ignore[arg-type]
        submitted_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
        **extra,
    )


class StateContract:
    def test_contract_empty_state_has_no_lineage(self, backend: Factory) -> None:
        state = backend().open()
        assert not state.exists and state.lineage is None and state.serial == 0
        assert dict(state.jobs) == {}

    def test_contract_put_is_durable_before_compact(self, backend: Factory) -> None:
        # A process killed after put() (no compact) loses nothing: a new handle sees it.
        first = backend().open()
        first.put(rec("a"))
        first.put(rec("b", "Submitting"))
        first.remove("a")
        again = backend().open()
        assert set(again.jobs) == {"b"}
        assert again.get("b") == rec("b", "Submitting")
        assert again.lineage == first.lineage and again.serial == 3

    def test_contract_compact_then_reopen_keeps_lineage_and_serial(self, backend: Factory) -> None:
        state = backend().open()
        state.put(rec("a"))
        state.compact()
        state.put(rec("c"))
        state.compact()
        again = backend().open()
        assert set(again.jobs) == {"a", "c"}
        assert (again.lineage, again.serial) == (state.lineage, 2)

    def test_contract_interrupted_journal_is_folded_by_next_compact(self, backend: Factory) -> None:
        crashed = backend().open()
        crashed.put(rec("a"))
        crashed.compact()
        crashed.put(rec("b"))  # then killed
        survivor = backend().open()
        survivor.compact()
        assert set(backend().open().jobs) == {"a", "b"}
        assert backend().open().serial == 2

    def test_contract_jobs_is_a_copy(self, backend: Factory) -> None:
        state = backend().open()
        state.put(rec("a"))
        snapshot = state.jobs
        state.put(rec("b"))
        assert set(snapshot) == {"a"}

    def test_contract_compact_refuses_to_overwrite_newer_state(self, backend: Factory) -> None:
        # Two writers read the same version; the second to write must not win silently.
        seed = backend().open()
        seed.put(rec("a"))
        seed.compact()
        one, two = backend().open(), backend().open()
        one.put(rec("b"))
        one.compact()
        two.put(rec("c"))
        with pytest.raises(StateError):
            two.compact()
        assert "b" in backend().open().jobs

    def test_contract_lock_excludes_second_holder_naming_first(self, backend: Factory) -> None:
        with backend().lock(command="segspec apply --first"):
            with pytest.raises(LockError) as caught, backend().lock(command="second"):
                pass
            assert "segspec apply --first" in str(caught.value)
        with backend().lock():  # released
            pass

    def test_contract_lock_timeout_waits_for_release(self, backend: Factory) -> None:
        held = threading.Event()
        release = threading.Event()

        def holder() -> None:
            with backend().lock(command="holder"):
                held.set()
                release.wait(10)

        thread = threading.Thread(target=holder)
        thread.start()
        assert held.wait(10)
        threading.Timer(0.3, release.set).start()
        with backend().lock(timeout=30):
            pass
        thread.join()

    def test_contract_force_unlock_refuses_wrong_id_or_no_lock(self, backend: Factory) -> None:
        with pytest.raises(LockError, match="not locked"):
            backend().force_unlock("no-such-lock")

    def test_contract_adopt_into_empty_state_only(self, backend: Factory) -> None:
        target = backend().open()
        target.adopt("lineage-x", 7, {"a": rec("a")})
        target.compact()
        again = backend().open()
        assert (again.lineage, again.serial, set(again.jobs)) == ("lineage-x", 7, {"a"})
        with pytest.raises(StateError, match="already holds"):
            again.adopt("lineage-y", 1, {"b": rec("b")})

    def test_contract_check_reports_lock_and_state(self, backend: Factory) -> None:
        lines = backend().check()
        assert any("lock" in line for line in lines)

    def test_contract_summaries_equal_summarize_of_records(self, backend: Factory) -> None:
        state = backend().open()
        state.put(rec("a"))
        state.put(rec("b", "Failed", input={"size": 3, "sha256": "ab"}))
        state.compact()
        state.put(rec("c", "Executing"))
        state.remove("a")
        again = backend().open()
        summaries = dict(again.summaries())
        assert set(summaries) == {"b", "c"}
        assert summaries == {a: summarize(r) for a, r in again.jobs.items()}
        assert again.records(["c", "zzz"]) == {"c": rec("c", "Executing")}

    def test_contract_reopened_records_equal_what_was_put(self, backend: Factory) -> None:
        # A reopened state reads records lazily (by their place in the document) or from
        # the journal: get, records and jobs all give back exactly what was put.
        put = {
            f"job{n:02d}": rec(f"job{n:02d}", input={"size": n, "path": f"in/é{n}"})
            for n in range(12)
        }
        state = backend().open()
        for record in put.values():
            state.put(record)
        state.compact()
        state.put(rec("job03", "Failed"))  # journaled (or folded, on a store that always folds)
        state.remove("job05")
        expected = {a: r for a, r in put.items() if a != "job05"} | {
            "job03": rec("job03", "Failed")
        }
        again = backend().open()
        assert dict(again.jobs) == expected
        assert again.get("job07") == put["job07"] and again.get("job05") is None
        assert again.records(["job03", "job11", "job05"]) == {
            "job03": expected["job03"],
            "job11": put["job11"],
        }
        assert dict(again.summaries()) == {a: summarize(r) for a, r in expected.items()}

    def test_contract_write_document_is_what_a_fold_writes(self, backend: Factory) -> None:
        state = backend().open()
        empty = io.BytesIO()
        state.write_document(empty)
        assert json.loads(empty.getvalue()) == {
            "format_version": 1,
            "jobs": {},
            "lineage": None,
            "serial": 0,
        }
        for address in ("b", "a", "c"):
            state.put(rec(address))
        state.compact()
        state.put(rec("d", "Executing"))
        again = backend().open()
        out = io.BytesIO()
        again.write_document(out)
        document = StateFile(lineage=again.lineage or "", serial=again.serial, jobs=again.jobs)
        assert out.getvalue() == render_state(document).encode()
        assert set(json.loads(out.getvalue())["jobs"]) == {"a", "b", "c", "d"}
