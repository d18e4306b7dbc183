"""The amortized fold: a large state is rewritten only once its journal has grown to a
fraction of it, and nothing is lost whenever the process dies (kill -9 included)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from segspec.state.journaled import FOLD_ALWAYS_BELOW, FOLD_RATIO
from segspec.state.model import JobRecord
from segspec.state.store import StateStore

PADDING = "x" * 2000
"""Makes each record about 2.4 KB, like a real finished local job."""


def rec(address: str, note: str = "") -> JobRecord:
    return JobRecord(
        address=address,
        backend="local",
        request={"JobParams": {"Mode": "UserDefined"}, "UserData": {"pad": PADDING, "n": note}},
        fingerprint="sha256:" + "0" * 64,
        client_token="t" * 32,
        job_id="j" * 32,
        status="Finished",
        submitted_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
    )


def large_state(path: Path) -> int:
    """A folded state just over FOLD_ALWAYS_BELOW bytes; returns its job count."""
    store = StateStore.open(path)
    count = FOLD_ALWAYS_BELOW // len(PADDING) + 10
    store.adopt("lineage-1", 1, {f"job{n:04d}": rec(f"job{n:04d}") for n in range(count)})
    store.compact()
    assert path.stat().st_size >= FOLD_ALWAYS_BELOW
    assert not store.journal_path.exists()
    return count


def test_fold_small_state_is_folded_every_time(tmp_path: Path) -> None:
    path = tmp_path / "segspec.state.json"
    store = StateStore.open(path)
    store.put(rec("a"))
    store.compact()
    assert not store.journal_path.exists()
    assert json.loads(path.read_text("utf-8"))["jobs"]["a"]["address"] == "a"


def test_fold_large_state_waits_until_the_journal_is_a_fraction_of_it(tmp_path: Path) -> None:
    path = tmp_path / "segspec.state.json"
    count = large_state(path)
    before = (path.stat().st_ino, path.read_bytes())
    store = StateStore.open(path)
    store.put(rec("job0000", "changed"))
    store.compact()
    # not rewritten: the change is in the durable journal, and every open replays it
    assert (path.stat().st_ino, path.read_bytes()) == before
    assert store.journal_path.exists()
    reopened = StateStore.open(path)
    assert reopened.jobs["job0000"].request["UserData"]["n"] == "changed"
    assert len(reopened.jobs) == count
    # once the journal reaches 1/FOLD_RATIO of the document, the next compact folds it
    n = 0
    while store.journal_path.exists():
        store.put(rec(f"new{n:04d}"))
        store.compact()
        n += 1
        assert n <= len(before[1]) // (len(PADDING) * FOLD_RATIO) + 2  # not later than due
    assert n > 1
    folded = json.loads(path.read_text("utf-8"))
    assert folded["jobs"]["job0000"]["request"]["UserData"]["n"] == "changed"
    assert len(folded["jobs"]) == count + n
    assert folded["serial"] == StateStore.open(path).serial


def test_fold_adopted_state_is_folded_at_once(tmp_path: Path) -> None:
    """Adopted jobs are in no journal: only the fold makes them durable."""
    path = tmp_path / "segspec.state.json"
    large_state(path)  # asserts the document was written although the journal is empty
    assert len(StateStore.open(path).jobs) > 0


WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from tests.state.test_fold import rec
from segspec.state.store import StateStore
store = StateStore.open(Path(sys.argv[1]))
n = 0
while True:
    store.put(rec(f"new{n:05d}"))
    store.compact()
    print(n, flush=True)
    n += 1
"""


@pytest.mark.slow
def test_fold_kill9_during_puts_and_folds_loses_nothing(tmp_path: Path) -> None:
    """A writer that puts and compacts in a loop (folding every few dozen puts) is killed
    -9 at an arbitrary moment, possibly mid-fold: every put that returned is there."""
    path = tmp_path / "segspec.state.json"
    count = large_state(path)
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(repo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    per_fold = FOLD_ALWAYS_BELOW // (len(PADDING) * FOLD_RATIO)
    done = -1
    for line in proc.stdout:
        done = int(line)
        if done >= 3 * per_fold + 7:  # several folds happened, and the kill lands anywhere
            break
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    jobs = StateStore.open(path).jobs
    assert all(f"new{n:05d}" in jobs for n in range(done + 1))
    assert sum(1 for a in jobs if a.startswith("job")) == count
    assert path.with_name(path.name + ".backup").exists()  # a fold did happen meanwhile
