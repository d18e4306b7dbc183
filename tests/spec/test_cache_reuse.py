"""A changed spec file takes its unchanged jobs from its previous cache entry: the load
is exactly a fresh one (rows, bodies, positions, errors and limits), and only the jobs
whose own inputs changed are made again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import segspec.spec.chunks as chunks_module
import segspec.spec.expand as expand_module
import segspec.spec.filejobs as filejobs_module
from segspec.errors import SegspecError, SpecError
from segspec.spec.cache import SpecCache
from segspec.spec.desired import SpecSet
from segspec.spec.limits import Budget
from segspec.spec.loader import load_specs
from segspec.spec.variables import VariableInputs

HEAD = """\
version: 1
variables:
  out: {type: number, default: 3}
defaults:
  InputConfig: {Type: OSS, Media: media/a.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
jobs:
"""


def named(count: int, out: str = "2", first: str = "0") -> str:
    lines = []
    for i in range(count):
        lines.append(f"  job{i}:")
        start = first if i == 0 else "0"
        lines.append(f"    JobParams: {{Mode: UserDefined, Ranges: [{{In: {start}, Out: {out}}}]}}")
        lines.append(f'    OutputConfig: {{ObjectKey: "job{i}/{{index}}.mp4"}}')
    return HEAD + "\n".join(lines) + "\n"


def each(keys: list[str], out: str = '"${var.out}"') -> str:
    return HEAD + (
        f"  ep:\n    for_each: [{', '.join(keys)}]\n"
        f"    JobParams: {{Mode: UserDefined, Ranges: [{{In: 1, Out: {out}}}]}}\n"
        '    OutputConfig: {ObjectKey: "ep/${each.key}_{index}.mp4"}\n'
    )


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    directory = tmp_path / "specs"
    (directory / "media").mkdir(parents=True)
    (directory / "media" / "a.mp4").write_bytes(b"bytes")
    return directory


@pytest.fixture
def cache(tmp_path: Path) -> SpecCache:
    return SpecCache(tmp_path / ".segspec" / "cache" / "specs")


class Made:
    """Counts jobs made (interpolated and validated) rather than taken from the cache."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = expand_module._one_job

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(expand_module, "_one_job", counting)


def load(specs: Path, cache: SpecCache | None, **values: str) -> SpecSet:
    return load_specs(specs, VariableInputs(flags=dict(values), environ={}), cache=cache)


def everything(loaded: SpecSet) -> dict[str, Any]:
    """What a load gives, job by job: rows, positions and bodies."""
    return {
        address: (loaded.rows[address], job.line, job.column, job.body_data, job.request)
        for address, job in loaded.jobs.items()
    }


def test_one_edited_job_is_the_only_one_made(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    (specs / "jobs.yaml").write_text(named(6), encoding="utf-8")
    load(specs, cache)
    made = Made(monkeypatch)
    (specs / "jobs.yaml").write_text(named(6, first="1"), encoding="utf-8")
    edited = load(specs, cache)
    assert made.count == 1
    again = load(specs, cache)  # and the entry written from taken jobs is a whole one
    assert made.count == 1
    fresh = everything(load(specs, None))
    assert everything(edited) == fresh
    assert everything(again) == fresh


def test_a_removed_for_each_entry_leaves_the_others_taken(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    (specs / "jobs.yaml").write_text(each(["a", "b", "c", "d"]), encoding="utf-8")
    load(specs, cache)
    made = Made(monkeypatch)
    (specs / "jobs.yaml").write_text(each(["b", "c", "d", "e"]), encoding="utf-8")
    edited = load(specs, cache)
    assert made.count == 1  # only ep["e"]
    assert everything(edited) == everything(load(specs, None))
    assert sorted(edited.jobs) == ['ep["b"]', 'ep["c"]', 'ep["d"]', 'ep["e"]']


def test_jobs_that_move_keep_their_new_line(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    (specs / "jobs.yaml").write_text(named(3), encoding="utf-8")
    load(specs, cache)
    made = Made(monkeypatch)
    text = named(3).replace("  job0:", "  # a comment that moves every job down\n  job0:")
    (specs / "jobs.yaml").write_text(text, encoding="utf-8")
    moved = load(specs, cache)
    assert made.count == 0
    fresh = load(specs, None)
    assert moved.jobs["job2"].line == fresh.jobs["job2"].line == 15
    assert everything(moved) == everything(fresh)


@pytest.mark.parametrize(
    "change",
    ["defaults", "variable", "body"],
)
def test_what_every_job_is_made_from_is_a_miss_for_all(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    (specs / "jobs.yaml").write_text(each(["a", "b", "c"]), encoding="utf-8")
    load(specs, cache)
    made = Made(monkeypatch)
    values: dict[str, str] = {}
    text = each(["a", "b", "c"])
    if change == "defaults":
        text = text.replace("Bucket: clips", "Bucket: other")
    elif change == "variable":
        values = {"out": "4"}
    else:
        text = each(["a", "b", "c"], out="5")
    (specs / "jobs.yaml").write_text(text, encoding="utf-8")
    loaded = load(specs, cache, **values)
    assert made.count == 3
    assert everything(loaded) == everything(load(specs, None, **values))


def test_taken_jobs_spend_the_budget_they_spent_when_made(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list variable substituted in every job (a small budget stands for the real one):
    the file a fresh load refuses is refused the same after its first jobs were cached
    (taken jobs are not free)."""
    monkeypatch.setattr(expand_module, "Budget", lambda: Budget(4000))
    big = "[" + ", ".join(str(i) for i in range(100)) + "]"
    head = HEAD.replace("variables:\n", f"variables:\n  big: {{type: list, default: {big}}}\n")

    def text(count: int) -> str:
        lines = []
        for i in range(count):
            lines.append(f"  job{i}:")
            lines.append("    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}")
            lines.append(f'    OutputConfig: {{ObjectKey: "job{i}/{{index}}.mp4"}}')
            lines.append('    UserData: {t: "${var.big}"}')
        return head + "\n".join(lines) + "\n"

    def refusal(count: int, with_cache: SpecCache | None) -> str | None:
        (specs / "jobs.yaml").write_text(text(count), encoding="utf-8")
        try:
            load(specs, with_cache)
        except SpecError as exc:
            return str(exc)
        return None

    fits = next(n for n in range(1, 100) if refusal(n + 1, None) is not None)
    assert refusal(fits, cache) is None  # cached: `fits` jobs, each with its cost
    fresh = refusal(fits + 1, None)
    assert fresh is not None and "value" in fresh
    assert refusal(fits + 1, cache) == fresh


def test_an_error_in_a_changed_file_names_file_line_column_and_key(
    specs: Path, cache: SpecCache
) -> None:
    (specs / "jobs.yaml").write_text(named(4), encoding="utf-8")
    load(specs, cache)
    broken = named(4).replace(
        'Out: 2}]}\n    OutputConfig: {ObjectKey: "job2',
        'Out: -2}]}\n    OutputConfig: {ObjectKey: "job2',
        1,
    )
    assert broken != named(4)
    (specs / "jobs.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(SpecError) as cached:
        load(specs, cache)
    with pytest.raises(SpecError) as fresh:
        load(specs, None)
    assert str(cached.value) == str(fresh.value)
    assert "jobs.yaml:15:" in str(cached.value) and "jobs.job2.JobParams.Ranges" in str(
        cached.value
    )


def each_map(values: dict[str, str]) -> str:
    """A for_each map whose values are the ranges' ends (so one entry can be edited)."""
    listed = ", ".join(f"{k}: {v}" for k, v in values.items())
    return HEAD + (
        f"  ep:\n    for_each: {{{listed}}}\n"
        '    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: "${each.value}"}]}\n'
        '    OutputConfig: {ObjectKey: "ep/${each.key}_{index}.mp4"}\n'
    )


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of about 8 jobs (at most 32), so a few hundred jobs make many chunks."""
    monkeypatch.setattr(chunks_module, "SPREAD", 8)
    monkeypatch.setattr(chunks_module, "MOST", 32)


def chunk_files(cache: SpecCache) -> dict[str, int]:
    (manifest,) = cache.directory.glob("*.json")
    return {p.name: p.stat().st_mtime_ns for p in manifest.with_suffix("").iterdir()}


@pytest.mark.usefixtures("small_chunks")
def test_one_edited_for_each_entry_rewrites_one_chunk(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One entry of a 300-entry for_each edited: that instance is made again (with its new
    value), every other is taken, only its chunk is written, and the chunk it replaces is
    removed (the entry keeps the chunks its manifest lists, no more)."""
    values = {f"k{i:03d}": "2" for i in range(300)}
    (specs / "jobs.yaml").write_text(each_map(values), encoding="utf-8")
    load(specs, cache)
    before = chunk_files(cache)
    assert len(before) > 10
    made = Made(monkeypatch)
    values["k150"] = "2.5"
    (specs / "jobs.yaml").write_text(each_map(values), encoding="utf-8")
    edited = load(specs, cache)
    assert made.count == 1  # only ep["k150"]
    assert edited.jobs['ep["k150"]'].request["JobParams"]["Ranges"] == [{"In": 0, "Out": 2.5}]
    assert edited.jobs['ep["k149"]'].request["JobParams"]["Ranges"] == [{"In": 0, "Out": 2}]
    assert everything(edited) == everything(load(specs, None))
    after = chunk_files(cache)
    assert len(set(after) - set(before)) == 1  # one new chunk
    assert len(set(before) - set(after)) == 1  # and the one it replaces is gone
    assert all(after[name] == before[name] for name in set(after) & set(before))
    counted = made.count
    again = load(specs, cache)  # a hit on the new entry
    assert made.count == counted
    assert everything(again) == everything(edited)


@pytest.mark.usefixtures("small_chunks")
def test_an_entry_moved_out_of_a_for_each_is_planned_as_fresh(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scale benchmark's edit: the first entry leaves the for_each for a job of its
    own. Only that job is made; the rest of the for_each is taken, chunk by chunk."""
    keys = [f"e{i:03d}" for i in range(200)]
    (specs / "jobs.yaml").write_text(each(keys), encoding="utf-8")
    load(specs, cache)
    made = Made(monkeypatch)
    solo = "  solo:\n    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}\n"
    solo += '    OutputConfig: {ObjectKey: "solo/{index}.mp4"}\n'
    (specs / "jobs.yaml").write_text(each(keys[1:]) + solo, encoding="utf-8")
    edited = load(specs, cache)
    assert made.count == 1
    assert 'ep["e000"]' not in edited.jobs and "solo" in edited.jobs
    assert everything(edited) == everything(load(specs, None))


@pytest.mark.usefixtures("small_chunks")
def test_a_damaged_body_is_refused_and_its_entry_rebuilt(specs: Path, cache: SpecCache) -> None:
    """A body line changed on disk (same size, still JSON) fails its checksum: reading it
    is an error naming the chunk, the entry is removed, and the next load rebuilds it."""
    values = {f"k{i:03d}": "2" for i in range(40)}
    (specs / "jobs.yaml").write_text(each_map(values), encoding="utf-8")
    load(specs, cache)
    for chunk in cache.directory.glob("*/*"):
        blob = chunk.read_bytes()
        if b'"ep[\\"k007\\"]"' in blob:
            at = blob.index(b'"Out":2', blob.index(b'"ep[\\"k007\\"]",{'))
            chunk.write_bytes(blob[:at] + b'"Out":3' + blob[at + 7 :])
    hit = load(specs, cache)
    with pytest.raises(SegspecError, match="damaged or changed"):
        hit.jobs['ep["k007"]'].request  # noqa: B018
    assert not list(cache.directory.glob("*.json"))
    rebuilt = load(specs, cache)
    assert rebuilt.jobs['ep["k007"]'].request["JobParams"]["Ranges"] == [{"In": 0, "Out": 2}]
    assert everything(load(specs, cache)) == everything(load(specs, None))


@pytest.mark.usefixtures("small_chunks")
def test_an_error_in_one_for_each_entry_names_file_line_column_and_key(
    specs: Path, cache: SpecCache
) -> None:
    values = {f"k{i:03d}": "2" for i in range(100)}
    (specs / "jobs.yaml").write_text(each_map(values), encoding="utf-8")
    load(specs, cache)
    values["k042"] = "-1"
    (specs / "jobs.yaml").write_text(each_map(values), encoding="utf-8")
    with pytest.raises(SpecError) as cached:
        load(specs, cache)
    with pytest.raises(SpecError) as fresh:
        load(specs, None)
    assert str(cached.value) == str(fresh.value)
    assert "jobs.yaml:10:53: " in str(cached.value)  # where the Out of the Range is written
    assert 'jobs.ep["k042"].JobParams.Ranges' in str(cached.value)


@pytest.mark.usefixtures("small_chunks")
def test_a_neighbour_whose_key_crc_another_chunk_shares_is_still_taken(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The previous entry finds a job by its key's crc32: when two chunks hold that crc
    (keys that collide), the job is found in either. Every job that can share k150's
    chunk (at most 32 jobs: k119-k181) gets the crc of a job far before it (odd) or far
    after it (even); editing k150 makes k150 alone again, its neighbours taken from the
    first or the last chunk holding their crc."""
    real = filejobs_module.crc32

    def colliding(data: bytes) -> int:
        for i in range(119, 182):
            if i != 150 and f"'k{i:03d}'".encode() in data:
                other = i - 119 if i % 2 else i + 118
                return real(data.replace(f"'k{i:03d}'".encode(), f"'k{other:03d}'".encode()))
        return real(data)

    monkeypatch.setattr(filejobs_module, "crc32", colliding)
    values = {f"k{i:03d}": "2" for i in range(300)}
    (specs / "jobs.yaml").write_text(each_map(values), encoding="utf-8")
    load(specs, cache)
    made = Made(monkeypatch)
    values["k150"] = "2.5"
    (specs / "jobs.yaml").write_text(each_map(values), encoding="utf-8")
    edited = load(specs, cache)
    assert made.count == 1  # only ep["k150"]
    assert edited.jobs['ep["k150"]'].request["JobParams"]["Ranges"] == [{"In": 0, "Out": 2.5}]
    assert everything(edited) == everything(load(specs, None))
