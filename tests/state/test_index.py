"""The state index: used only for the document it names; anything else reads the document.

Every test checks results against the document's own full parse (`StateFile`), so an
index that was wrongly trusted shows up as a difference.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import segspec.state.store as store_module
from segspec.errors import StateError
from segspec.state.document import scan_document
from segspec.state.journaled import render_state
from segspec.state.model import JobRecord, StateFile
from segspec.state.store import StateStore
from segspec.state.summary import summarize
from tests.state.test_store import rec

REPO = Path(__file__).resolve().parents[2]


def records(count: int, prefix: str = "job") -> dict[str, JobRecord]:
    return {
        f"{prefix}{n:04d}": rec(f"{prefix}{n:04d}", input={"size": n, "sha256": f"{n:064x}"})
        for n in range(count)
    }


def folded(path: Path, jobs: dict[str, JobRecord], lineage: str = "lineage-1") -> StateStore:
    store = StateStore.open(path)
    store.adopt(lineage, 1, jobs)
    store.compact()
    return store


def truth(path: Path) -> dict[str, JobRecord]:
    """The document's records by the full parse (journal not included)."""
    return dict(StateFile.model_validate_json(path.read_bytes()).jobs)


def assert_reads_as(store: StateStore, jobs: dict[str, JobRecord]) -> None:
    assert dict(store.summaries()) == {a: summarize(r) for a, r in jobs.items()}
    assert dict(store.jobs) == jobs
    some = sorted(jobs)[:: max(1, len(jobs) // 5)]
    assert store.records(some) == {a: jobs[a] for a in some}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "segspec.state.json"


def index_of(path: Path) -> Path:
    return path.with_name(path.name + ".index")


def never(*args: object) -> bytes:
    raise AssertionError("the whole document was read")


def resealed(data: bytes) -> bytes:
    """`data` (an index, perhaps edited) with its trailer made to match its rows again:
    what a writer that produced those rows would have written (so a test reaches the
    checks behind the CRC)."""
    head, *rows = [line for line in data.split(b"\n") if line]
    if rows and rows[-1].startswith(b"{"):
        rows.pop()
    body = b"".join(row + b"\n" for row in rows)
    trailer = json.dumps({"crc32": zlib.crc32(body)}, separators=(",", ":")).encode()
    return head + b"\n" + body + trailer + b"\n"


def test_index_written_after_fold_and_used_by_open(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = records(50)
    folded(path, jobs)
    head = json.loads(index_of(path).read_bytes().split(b"\n", 1)[0])
    assert head["format"] == "segspec-state-index" and head["jobs"] == 50
    assert head["document"]["size"] == path.stat().st_size
    with monkeypatch.context() as patched:
        patched.setattr(store_module, "_read_all", never)
        store = StateStore.open(path)
    assert not store._records  # nothing parsed: summaries and spans came from the index
    assert_reads_as(store, jobs)
    assert oct(index_of(path).stat().st_mode & 0o777) == "0o600"


def test_index_missing_reads_document_and_rebuilds_index(path: Path) -> None:
    jobs = records(30)
    folded(path, jobs)
    written = index_of(path).read_bytes()
    index_of(path).unlink()
    store = StateStore.open(path)
    assert_reads_as(store, jobs)
    assert index_of(path).read_bytes() == written  # rebuilt at open, identical


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # torn
        lambda data: b"",
        lambda data: b"\x00" * len(data),
        lambda data: data.replace(b'"Finished"', b'"Nonsense"', 1),
        lambda data: data + b'[[1,1],["zzz","local","f","Finished",1,false,null,[],null]]\n',
        lambda data: data.replace(b",1,false,", b",true,false,", 1),  # attempt: a bool
        lambda data: data.replace(b'"Finished",1,', b'"Finished","1",', 1),
        lambda data: data.replace(b"[", b"{", 1),
    ],
    ids=["torn", "empty", "zeros", "bad-status", "extra-row", "bool-int", "str-int", "not-json"],
)
@pytest.mark.parametrize("seal", [False, True], ids=["as-is", "resealed"])
def test_index_corrupt_is_ignored(path: Path, damage: object, seal: bool) -> None:
    jobs = records(20)
    folded(path, jobs)
    data = index_of(path).read_bytes()
    damaged = damage(data)  # type: ignore[operator]
    index_of(path).write_bytes(resealed(damaged) if seal and damaged.strip() else damaged)
    assert_reads_as(StateStore.open(path), jobs)


def test_index_stale_when_document_replaced_by_its_backup(path: Path) -> None:
    first = records(10)
    store = folded(path, first)
    store.put(rec("job0003", "Failed"))
    store.compact()  # small state: folded; backup = first version, index = second
    os.replace(store.backup_path, path)  # the user restores the backup
    assert truth(path) == first
    assert_reads_as(StateStore.open(path), first)


def test_index_of_another_state_is_ignored(path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / "segspec.state.json"
    other.parent.mkdir()
    folded(other, records(10, "x"), lineage="lineage-other")
    jobs = records(10)
    folded(path, jobs)
    os.replace(index_of(other), index_of(path))
    assert_reads_as(StateStore.open(path), jobs)


def test_index_hand_edit_in_place_same_size_same_mtime(path: Path) -> None:
    """The worst hand edit: same inode, same size, mtime put back. ctime still moves."""
    jobs = records(10)
    folded(path, jobs)
    before = path.stat()
    data = path.read_bytes()
    edited = data.replace(b'"status": "Finished"', b'"status": "Failed"  ', 1)
    assert len(edited) == len(data)
    with path.open("r+b") as handle:
        handle.write(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    now = truth(path)
    assert now["job0000"].status == "Failed"
    store = StateStore.open(path)
    assert_reads_as(store, now)


def test_index_reformatted_document_is_parsed_whole_then_rewritten(path: Path) -> None:
    jobs = records(10)
    folded(path, jobs)
    data = json.loads(path.read_bytes())
    path.write_text(json.dumps(data, indent=4), encoding="utf-8")  # e.g. an editor's format
    assert scan_document(path.read_bytes()) is None
    store = StateStore.open(path)
    assert_reads_as(store, jobs)
    store.compact()  # a document that is not laid out as segspec writes is folded at once
    expected = render_state(StateFile(lineage="lineage-1", serial=1, jobs=jobs)).encode()
    assert path.read_bytes() == expected
    assert not StateStore.open(path)._records  # indexed again


def test_index_record_not_as_segspec_renders_it_is_parsed_whole(path: Path) -> None:
    """Laid out right but not rendered so (here: non-ASCII escaped): read whole, not
    indexed, and rewritten by the next fold."""
    jobs = records(5) | {"é": rec("é", input={"path": "ü.mp4"})}
    folded(path, jobs)
    index_of(path).unlink()
    text = json.dumps(json.loads(path.read_bytes()), indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    assert scan_document(path.read_bytes()) is not None  # the layout is right
    store = StateStore.open(path)
    assert not index_of(path).exists()
    assert_reads_as(store, jobs)
    store.compact()
    assert b'"\xc3\xa9"' in path.read_bytes() and index_of(path).exists()


def test_index_spans_out_of_order_are_not_trusted(path: Path) -> None:
    """Spans swapped between two rows (the CRC made to match): records are written in
    address order, so the index is not used and the document is read."""
    jobs = records(3)
    folded(path, jobs)
    lines = index_of(path).read_bytes().split(b"\n")
    first, second = json.loads(lines[1]), json.loads(lines[2])
    first[0], second[0] = second[0], first[0]  # swap the spans
    lines[1], lines[2] = json.dumps(first).encode(), json.dumps(second).encode()
    index_of(path).write_bytes(resealed(b"\n".join(lines)))
    assert_reads_as(StateStore.open(path), jobs)


def test_index_record_disagreeing_with_summary_drops_the_index(path: Path) -> None:
    """An index that passes every check yet says something else of a record than the
    document (a forged one; or the file rewritten in place keeping inode, size, mtime and
    ctime): the record read is checked, the command stops, the index is removed and the
    next open rebuilds it from the document."""
    jobs = records(3)
    folded(path, jobs)
    written = index_of(path).read_bytes()
    index_of(path).write_bytes(resealed(written.replace(b'"Finished"', b'"Executing"', 1)))
    store = StateStore.open(path)
    assert store.summaries()["job0000"].status == "Executing"  # (trusted: it passed)
    with pytest.raises(StateError, match=r"does not match the state's index .*removed") as err:
        store.get("job0000")
    assert "Delete" not in str(err.value)
    assert not index_of(path).exists()
    assert_reads_as(StateStore.open(path), jobs)
    assert index_of(path).read_bytes() == written


def test_index_journal_overlay_after_crash(path: Path) -> None:
    jobs = records(20)
    crashed = folded(path, jobs)
    crashed.put(rec("job0004", "Failed"))
    crashed.put(rec("new", "Executing"))
    crashed.remove("job0009")
    del crashed  # killed: no compact
    expected = {a: r for a, r in jobs.items() if a != "job0009"}
    expected |= {"job0004": rec("job0004", "Failed"), "new": rec("new", "Executing")}
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(store_module, "_read_all", never)
        store = StateStore.open(path)
    assert set(store._records) == {"job0004", "new"}  # only the journal's records parsed
    assert_reads_as(store, expected)
    store.compact()
    assert truth(path) == expected
    assert_reads_as(StateStore.open(path), expected)


def test_index_fold_keeps_unchanged_records_byte_identical(path: Path) -> None:
    jobs = records(300)
    folded(path, jobs)
    old = path.read_bytes()
    old_spans = dict(scan_document(old).entries)  # type: ignore[union-attr]
    store = StateStore.open(path)
    store.put(rec("job0150", "Failed"))
    store.remove("job0007")
    store.put(rec("job9999"))
    store._must_fold = True
    store.compact()
    new = path.read_bytes()
    expected = dict(jobs)
    del expected["job0007"]
    expected |= {"job0150": rec("job0150", "Failed"), "job9999": rec("job9999")}
    assert new == render_state(StateFile(lineage="lineage-1", serial=4, jobs=expected)).encode()
    new_spans = dict(scan_document(new).entries)  # type: ignore[union-attr]
    for address in set(expected) - {"job0150", "job9999"}:
        (o, n), (p, m) = old_spans[address], new_spans[address]
        assert old[o : o + n] == new[p : p + m]
    assert store.backup_path.read_bytes() == old
    assert_reads_as(StateStore.open(path), expected)


def test_index_fold_without_copy_file_range_or_hard_links(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = records(40)
    folded(path, jobs)
    old = path.read_bytes()

    def refuse(*args: object, **kwargs: object) -> int:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refuse)
    monkeypatch.setattr(os, "link", refuse)
    store = StateStore.open(path)
    store.put(rec("job0001", "Failed"))
    store.compact()
    expected = jobs | {"job0001": rec("job0001", "Failed")}
    assert truth(path) == expected
    assert store.backup_path.read_bytes() == old
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "segspec.state.json",
        "segspec.state.json.backup",
        "segspec.state.json.index",
    ]


CRASHER = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
import segspec.state.store as store_module
from tests.state.test_store import rec

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # the document is written, its index is not

store = store_module.StateStore.open(Path(sys.argv[1]))
store.put(rec("job0002", "Failed"))
store.put(rec("added"))
store_module.write_atomic_chunks = die
store._must_fold = True
store.compact()
"""


def test_index_kill9_between_document_and_index(path: Path) -> None:
    jobs = records(30)
    folded(path, jobs)
    old_index = index_of(path).read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", CRASHER, str(path), str(REPO)], capture_output=True, text=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    expected = jobs | {"job0002": rec("job0002", "Failed"), "added": rec("added")}
    assert truth(path) == expected  # the fold's document is in place
    assert index_of(path).read_bytes() == old_index  # stale: names the previous file
    store = StateStore.open(path)
    assert_reads_as(store, expected)
    assert index_of(path).read_bytes() != old_index  # rebuilt by that open
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(store_module, "_read_all", never)
        assert_reads_as(StateStore.open(path), expected)


def test_index_records_come_from_the_version_read(path: Path) -> None:
    """A reader keeps reading the file it opened even if a fold replaces it meanwhile."""
    jobs = records(10)
    folded(path, jobs)
    reader = StateStore.open(path)
    writer = StateStore.open(path)
    writer.put(rec("job0005", "Failed"))
    writer._must_fold = True
    writer.compact()
    assert reader.get("job0005") == jobs["job0005"]
    assert StateStore.open(path).get("job0005") == rec("job0005", "Failed")


def test_index_fold_where_there_is_no_copy_file_range(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(macOS and other systems without it: the bytes are copied by hand.)"""
    jobs = records(40)
    folded(path, jobs)
    monkeypatch.delattr(os, "copy_file_range")
    store = StateStore.open(path)
    store.put(rec("job0009", "Failed"))
    store.compact()
    assert truth(path) == jobs | {"job0009": rec("job0009", "Failed")}
