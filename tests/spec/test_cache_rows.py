"""Spec-cache rows: what a cached load gives a plan is what a fresh load gives it.

A plan reads each job's `JobRow` from the cache and its body only when the job changes;
rows, lazily read bodies and fingerprints must equal the fresh load's, across edits,
variables, for_each, Endpoints, unicode, and the outside-project check, which is decided
again on every load because it depends on symlinks on disk, not on the spec's bytes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from segspec.errors import SegspecError, SpecError
from segspec.spec.cache import Entry, SpecCache
from segspec.spec.desired import SpecSet
from segspec.spec.limits import MAX_FILE_VALUES, VALUES_PER_INSTANCE, Budget
from segspec.spec.loader import load_specs
from segspec.spec.normalize import fingerprint
from segspec.spec.rows import row_of
from segspec.spec.variables import VariableInputs

BASE = """\
version: 1
variables:
  out: {type: number, default: 3}
defaults:
  InputConfig: {Type: OSS, Media: media/a.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
jobs:
  single:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: "${var.out}"}]}
    OutputConfig: {ObjectKey: "single/{index}.mp4"}
    local: {preset: veryfast}
    lifecycle: {prune_outputs: true}
  ep:
    for_each: {a: media/a.mp4, "é b": media/b.mp4}
    InputConfig: {Media: "${each.value}"}
    JobParams: {Mode: UserDefined, Ranges: [{In: 1, Out: 2}, {In: 3, Out: 4}]}
    OutputConfig: {ObjectKey: "ep/${each.key}_{index}.mp4"}
    UserData: {note: "naïve ☃"}
  split:
    InputConfig: {Media: "file://MEDIA_ABS"}
    JobParams: {Mode: BasicClipSplit}
    OutputConfig: {ObjectKey: "split/{index}.mp4", Endpoint: "http://127.0.0.1:9"}
"""

MORE = '  more:\n    JobParams: {Mode: BasicClipSplit}\n    OutputConfig: {ObjectKey: "{index}"}\n'
EDITS = {
    "as written": lambda text: text,
    "range edited": lambda text: text.replace("In: 1, Out: 2", "In: 1, Out: 2.5"),
    "job added": lambda text: text + MORE,
    "opt-in": lambda text: text.replace(
        "local: {preset: veryfast}", "local: {preset: veryfast, allow_outside_project: true}"
    ),
}


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    directory = tmp_path / "specs"
    (directory / "media").mkdir(parents=True)
    for name in ("a.mp4", "b.mp4"):
        (directory / "media" / name).write_bytes(name.encode() * 10)
    return directory


def write(specs: Path, text: str) -> None:
    text = text.replace("MEDIA_ABS", str(specs / "media" / "b.mp4"))
    (specs / "jobs.yaml").write_text(text, encoding="utf-8")


def view(loaded: SpecSet) -> dict[str, Any]:
    return {
        address: (job.line, job.column, job.body_data, job.request, job.local, job.where)
        for address, job in loaded.jobs.items()
    }


def load(specs: Path, cache: SpecCache | None, **flags: str) -> SpecSet:
    return load_specs(specs, VariableInputs(flags=flags, environ={}), cache=cache)


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("flags", [{}, {"out": "7"}])
def test_cached_rows_and_bodies_are_the_fresh_ones(
    specs: Path, tmp_path: Path, edit: str, flags: dict[str, str]
) -> None:
    cache = SpecCache(tmp_path / "cache")
    write(specs, BASE)
    load(specs, cache)  # an entry of the unedited file, with default variables
    write(specs, EDITS[edit](BASE))
    fresh = load(specs, None, **flags)
    made = load(specs, cache, **flags)  # a miss (edit or variables) or a hit
    hit = load(specs, cache, **flags)  # a hit
    assert list(hit.rows) == list(made.rows) == list(fresh.rows) == list(fresh.jobs)
    assert hit.rows == made.rows == fresh.rows
    assert {a: row_of(j) for a, j in fresh.jobs.items()} == dict(fresh.rows)
    assert view(hit) == view(made) == view(fresh)
    assert hit.digest == fresh.digest
    identity = {"path": "/x", "size": 5, "mtime_ns": 9, "sha256": "ab" * 32}
    for address, row in hit.rows.items():
        job = fresh.jobs[address]
        for ident in (identity, None, {"error": "gone"}, {"url": "http://h/x"}):
            assert row.fingerprint(ident, True) == fingerprint(job.request, job.local, ident)
            assert row.fingerprint(ident, False) == fingerprint(job.request, {}, ident)


def test_rows_carry_what_plans_compare(specs: Path, tmp_path: Path) -> None:
    write(specs, BASE)
    rows = load(specs, SpecCache(tmp_path / "cache")).rows
    rows = load(specs, SpecCache(tmp_path / "cache")).rows  # from the cache
    assert rows["single"].prune_outputs and not rows['ep["a"]'].prune_outputs
    assert rows['ep["é b"]'].media == "media/b.mp4"
    assert rows['ep["a"]'].clash == ("clips", "ep/a_{index}.mp4", True, 2)
    assert rows["split"].clash == ("clips", "split/{index}.mp4", False, 0)
    assert rows["split"].endpoint == ("clips", "http://127.0.0.1:9")


def test_outside_check_is_made_again_on_a_cached_load(specs: Path, tmp_path: Path) -> None:
    """An input that is a symlink inside the project passes; once the link is swapped to
    a file outside, the same (cached, unchanged) spec file is refused, and the other way."""
    outside = tmp_path.parent / f"{tmp_path.name}-outside.mp4"
    outside.write_bytes(b"elsewhere")
    link = specs / "media" / "link.mp4"
    link.symlink_to(specs / "media" / "a.mp4")
    write(specs, BASE.replace("Media: media/a.mp4}", "Media: media/link.mp4}"))
    cache = SpecCache(tmp_path / "cache")
    assert "single" in load(specs, cache).jobs
    assert "single" in load(specs, cache).jobs
    link.unlink()
    link.symlink_to(outside)
    for where in (cache, None):
        with pytest.raises(SpecError, match="outside the project directory"):
            load(specs, where)
    link.unlink()
    link.symlink_to(specs / "media" / "b.mp4")
    assert "single" in load(specs, cache).jobs


def test_outside_refusal_is_the_same_cached_or_not(specs: Path, tmp_path: Path) -> None:
    write(specs, BASE.replace("Media: media/a.mp4}", "Media: ../../etc/passwd}"))
    cache = SpecCache(tmp_path / "cache")
    messages = []
    for where in (cache, cache, None):
        with pytest.raises(SpecError) as refused:
            load(specs, where)
        messages.append(str(refused.value))
    assert messages[0] == messages[1] == messages[2]
    assert "jobs.yaml:5:" in messages[0] and "outside the project directory" in messages[0]


def test_a_cached_body_is_read_only_when_asked(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(specs, BASE)
    cache = SpecCache(tmp_path / "cache")
    load(specs, cache)
    reads: list[int] = []
    real = Entry.body

    def counting(entry: Entry, index: int, address: str) -> dict[str, Any]:
        reads.append(index)
        return real(entry, index, address)

    monkeypatch.setattr(Entry, "body", counting)
    hit = load(specs, cache)
    assert len(hit.rows) == 4 and reads == []  # a plan of unchanged jobs reads no body
    assert hit.jobs['ep["é b"]'].request["UserData"] == {"note": "naïve ☃"}
    assert hit.jobs["single"].prune_outputs
    assert len(reads) == 2
    (manifest,) = cache.directory.glob("*.json")
    assert b'"lifecycle"' not in manifest.read_bytes()
    for chunk in manifest.with_suffix("").iterdir():
        header = chunk.read_bytes().split(b"\n", 1)[0]
        assert b'"lifecycle"' not in header
    assert any(b'"lifecycle"' in c.read_bytes() for c in manifest.with_suffix("").iterdir())


def test_an_entry_replaced_while_reading_is_an_error(specs: Path, tmp_path: Path) -> None:
    write(specs, BASE)
    cache = SpecCache(tmp_path / "cache")
    load(specs, cache)
    hit = load(specs, cache)
    write(specs, BASE.replace("In: 1, Out: 2", "In: 1, Out: 2.5"))
    load(specs, cache)  # another command rewrote the entry, and `ep`'s chunk
    assert hit.jobs["single"].request  # (its chunk is unchanged, and still there)
    with pytest.raises(SegspecError, match="changed while this command read it"):
        hit.jobs['ep["a"]'].request  # noqa: B018


def test_budget_grows_per_for_each_entry_up_to_the_cap() -> None:
    budget = Budget()
    base = budget.limit
    budget.allow(1000)
    assert budget.limit == base + 1000 * VALUES_PER_INSTANCE
    budget.allow(10**7)
    assert budget.limit == MAX_FILE_VALUES
    assert budget.spend(MAX_FILE_VALUES) and not budget.spend(1)


@pytest.mark.slow
def test_a_100000_job_for_each_loads(tmp_path: Path) -> None:
    """A catalogue in one for_each (the scale benchmark's shape) is not refused by the
    expansion limit, while the hostile multiplications (tests/spec/test_hostile.py) are."""
    specs = tmp_path / "specs"
    specs.mkdir()
    keys = ",".join(f"ep{i:06d}" for i in range(100_000))
    (specs / "all.yaml").write_text(
        "version: 1\n"
        "defaults:\n  InputConfig: {Type: OSS}\n"
        "  OutputConfig: {OutputMediaTarget: oss-object, Bucket: scale-clips, Width: 160}\n"
        "jobs:\n  ep:\n"
        f"    for_each: [{keys}]\n"
        '    InputConfig: {Media: "media/${each.key}.mp4"}\n'
        "    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 0.6}]}\n"
        '    OutputConfig: {ObjectKey: "clips/${each.key}_{index}.mp4"}\n',
        encoding="utf-8",
    )
    # in a process of its own: 100,000 jobs would raise this one's peak memory, which
    # tests/test_fuzz.py bounds
    script = (
        "import sys; from pathlib import Path; from segspec.spec.loader import load_specs; "
        "rows = load_specs(Path(sys.argv[1])).rows; "
        "print(len(rows), rows['ep[\"ep099999\"]'].media, Path(rows['ep[\"ep000000\"]'].file).name)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(specs)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["100000", "media/ep099999.mp4", "all.yaml"]


def test_many_cached_bodies_are_read_in_one_go(specs: Path, tmp_path: Path) -> None:
    """Past BODIES_READ_ONE_BY_ONE reads (`plan --json` shows every job), the entry is
    read whole once; every body still equals the fresh load's."""
    keys = ", ".join(f"k{i}" for i in range(100))
    write(
        specs,
        BASE.replace(
            'for_each: {a: media/a.mp4, "é b": media/b.mp4}', f"for_each: [{keys}]"
        ).replace('InputConfig: {Media: "${each.value}"}', "InputConfig: {Media: media/a.mp4}"),
    )
    cache = SpecCache(tmp_path / "cache")
    load(specs, cache)
    hit, fresh = load(specs, cache), load(specs, None)
    assert len(hit.jobs) == 102
    assert view(hit) == view(fresh)
