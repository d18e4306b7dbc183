"""An edited spec file whose `for_each` is a long run of one-line items (read by
segspec.spec.yamlruns on the cached load) loads exactly as a load without the cache:
rows, bodies, positions and errors, block or JSON style."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import segspec.spec.chunks as chunks_module
import segspec.spec.entries as entries_module
from segspec.errors import SpecError
from segspec.spec import yamlruns
from segspec.spec.cache import SpecCache
from tests.spec.test_cache_reuse import everything, load

KEYS = [f"ep{i:04d}" for i in range(300)]


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    directory = tmp_path / "specs"
    directory.mkdir()
    return directory


@pytest.fixture
def cache(tmp_path: Path) -> SpecCache:
    return SpecCache(tmp_path / ".segspec" / "cache" / "specs")


def block(keys: list[str], solo: bool = False, out: str = "1") -> str:
    text = (
        "version: 1\n"
        "defaults:\n  InputConfig: {Type: OSS}\n"
        "  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}\n"
        "jobs:\n  ep:\n    InputConfig: {Media: 'media/${each.key}.mp4'}\n"
        f"    JobParams: {{Mode: UserDefined, Ranges: [{{In: 0, Out: {out}}}]}}\n"
        "    OutputConfig: {ObjectKey: 'clips/${each.key}_{index}.mp4'}\n"
        "    for_each:\n" + "".join(f"    - {key}\n" for key in keys)
    )
    if solo:
        text += (
            "  solo:\n    InputConfig: {Media: media/ep0000.mp4}\n"
            "    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 0.5}]}\n"
            "    OutputConfig: {ObjectKey: 'clips/solo_{index}.mp4'}\n"
        )
    return text


def as_json(keys: list[str], solo: bool = False, out: str = "1") -> str:
    body: dict[str, Any] = {
        "InputConfig": {"Media": "media/${each.key}.mp4"},
        "JobParams": {"Mode": "UserDefined", "Ranges": [{"In": 0, "Out": float(out)}]},
        "OutputConfig": {"ObjectKey": "clips/${each.key}_{index}.mp4"},
        "for_each": keys,
    }
    jobs: dict[str, Any] = {"ep": body}
    if solo:
        jobs["solo"] = {
            "InputConfig": {"Media": "media/ep0000.mp4"},
            "JobParams": {"Mode": "UserDefined", "Ranges": [{"In": 0, "Out": 0.5}]},
            "OutputConfig": {"ObjectKey": "clips/solo_{index}.mp4"},
        }
    doc = {
        "version": 1,
        "defaults": {
            "InputConfig": {"Type": "OSS"},
            "OutputConfig": {"OutputMediaTarget": "oss-object", "Bucket": "clips"},
        },
        "jobs": jobs,
    }
    return json.dumps(doc, indent=1) + "\n"


EDITS = {
    "first entry moved out": lambda w: w(KEYS[1:], solo=True),
    "an entry removed in the middle": lambda w: w(KEYS[:150] + KEYS[151:]),
    "an entry added": lambda w: w([*KEYS[:10], "new_one", *KEYS[10:]]),
    "the template edited": lambda w: w(KEYS, out="2"),
    "an entry YAML reads as a boolean": lambda w: w([*KEYS[:100], "true", *KEYS[100:]]),
    "the last entries cut": lambda w: w(KEYS[:-40]),
}


@pytest.mark.parametrize("style", ["block", "json"])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_run_loads_as_a_fresh_load(
    specs: Path, cache: SpecCache, style: str, edit: str
) -> None:
    write = block if style == "block" else as_json
    (specs / "all.yaml").write_text(write(KEYS), encoding="utf-8")
    load(specs, cache)
    text = EDITS[edit](write)
    # (the path under test; a plain run holding an item of another type is left whole)
    taken = style == "json" or "boolean" not in edit
    assert (yamlruns.cut_runs(text) is not None) == taken
    (specs / "all.yaml").write_text(text, encoding="utf-8")
    edited = load(specs, cache)
    fresh = load(specs, None)
    assert everything(edited) == everything(fresh)
    assert everything(load(specs, cache)) == everything(fresh)  # and the entry it wrote


@pytest.mark.parametrize("style", ["block", "json"])
def test_a_duplicate_in_an_edited_run_is_the_fresh_load_s_error(
    specs: Path, cache: SpecCache, style: str
) -> None:
    write = block if style == "block" else as_json
    (specs / "all.yaml").write_text(write(KEYS), encoding="utf-8")
    load(specs, cache)
    (specs / "all.yaml").write_text(write([*KEYS, KEYS[7]], solo=True), encoding="utf-8")
    with pytest.raises(SpecError) as cached:
        load(specs, cache)
    with pytest.raises(SpecError) as fresh:
        load(specs, None)
    assert str(cached.value) == str(fresh.value)
    assert "all.yaml:" in str(cached.value) and "jobs.ep.for_each" in str(cached.value)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of about 8 jobs (at most 32), so a few hundred jobs make many chunks."""
    monkeypatch.setattr(chunks_module, "SPREAD", 8)
    monkeypatch.setattr(chunks_module, "MOST", 32)


class Keys:
    """Counts the own keys made for instances (the chunks found by their entries make
    none for theirs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = entries_module.instance_keys

        def counting(base: str, each: list[Any]) -> list[str]:
            self.count += len(each)
            return real(base, each)

        monkeypatch.setattr(entries_module, "instance_keys", counting)


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("style", ["block", "json"])
def test_chunks_found_by_their_entries_make_no_key(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch, style: str
) -> None:
    """The scale benchmark's edit, then one more entry removed (the first edit meets an
    entry whose chunks are listed with their entries; so does the second, written by the
    first): only the instances around the edit get keys, and the load is a fresh one."""
    write = block if style == "block" else as_json
    (specs / "all.yaml").write_text(write(KEYS), encoding="utf-8")
    load(specs, cache)
    keys = Keys(monkeypatch)
    made = []
    for gone in (1, 2):
        (specs / "all.yaml").write_text(write(KEYS[gone:], solo=True), encoding="utf-8")
        keys.count = 0
        edited = load(specs, cache)
        made.append(keys.count)
        assert everything(edited) == everything(load(specs, None))
    assert all(0 < count < 40 for count in made), made  # (of 300 instances each)


@pytest.mark.usefixtures("small_chunks")
def test_an_entry_written_before_chunks_listed_entries_is_upgraded(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A manifest whose chunks lack their entries (written by the previous release of the
    same format) is read as before; the edit that takes its chunks lists them, so the next
    edit finds them by their entries."""
    (specs / "all.yaml").write_text(block(KEYS), encoding="utf-8")
    load(specs, cache)
    (manifest,) = cache.directory.glob("*.json")
    first, rest = manifest.read_bytes().split(b"\n", 1)
    data = json.loads(first)
    data["chunks"] = [listed[:4] for listed in data["chunks"]]
    manifest.write_bytes(json.dumps(data, separators=(",", ":")).encode() + b"\n" + rest)
    assert everything(load(specs, cache)) == everything(load(specs, None))  # still a hit
    keys = Keys(monkeypatch)
    (specs / "all.yaml").write_text(block(KEYS, out="2"), encoding="utf-8")  # the template:
    load(specs, cache)  # every job made again, chunks listed with their entries
    (specs / "all.yaml").write_text(block(KEYS[1:], out="2"), encoding="utf-8")
    keys.count = 0
    edited = load(specs, cache)
    assert keys.count < 40
    assert everything(edited) == everything(load(specs, None))


@pytest.mark.usefixtures("small_chunks")
def test_a_chunk_listed_with_other_entries_is_not_taken(specs: Path, cache: SpecCache) -> None:
    """Listed entries that do not match the chunk's rows (a damaged manifest) are caught
    by the rows' first and last addresses: the jobs are made again, the load is right."""
    (specs / "all.yaml").write_text(block(KEYS), encoding="utf-8")
    load(specs, cache)
    (manifest,) = cache.directory.glob("*.json")
    first, rest = manifest.read_bytes().split(b"\n", 1)
    data = json.loads(first)
    listed = data["chunks"]
    for a, b in zip(listed[::2], listed[1::2], strict=False):  # swap the entries of pairs
        a[4:], b[4:] = b[4:], a[4:]
    manifest.write_bytes(json.dumps(data, separators=(",", ":")).encode() + b"\n" + rest)
    (specs / "all.yaml").write_text(block(KEYS[1:], solo=True), encoding="utf-8")
    assert everything(load(specs, cache)) == everything(load(specs, None))


@pytest.mark.usefixtures("small_chunks")
def test_a_manifest_with_a_torn_chunk_listing_is_a_miss(specs: Path, cache: SpecCache) -> None:
    (specs / "all.yaml").write_text(block(KEYS), encoding="utf-8")
    load(specs, cache)
    (manifest,) = cache.directory.glob("*.json")
    first, rest = manifest.read_bytes().split(b"\n", 1)
    data = json.loads(first)
    data["chunks"][3] = data["chunks"][3][:6]
    manifest.write_bytes(json.dumps(data, separators=(",", ":")).encode() + b"\n" + rest)
    assert everything(load(specs, cache)) == everything(load(specs, None))
    (specs / "all.yaml").write_text(block(KEYS[1:], solo=True), encoding="utf-8")
    assert everything(load(specs, cache)) == everything(load(specs, None))


_EDITS = st.lists(
    st.tuples(st.sampled_from(["remove", "insert", "replace", "move"]), st.integers(0, 10**6)),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=_EDITS, style=st.sampled_from(["block", "json"]), rounds=st.integers(1, 3))
def test_any_edits_of_a_run_load_as_a_fresh_load(
    tmp_path_factory: pytest.TempPathFactory,
    small_chunks: None,
    edits: list[tuple[str, int]],
    style: str,
    rounds: int,
) -> None:
    root = tmp_path_factory.mktemp("edits")
    specs = root / "specs"
    specs.mkdir()
    cache = SpecCache(root / "cache")
    write = block if style == "block" else as_json
    keys = KEYS[:200]
    (specs / "all.yaml").write_text(write(keys), encoding="utf-8")
    load(specs, cache)
    fresh_names = iter(f"new{i}" for i in range(100))
    for _ in range(rounds):
        keys = list(keys)
        for kind, at in edits:
            at %= len(keys)
            if kind == "remove" and len(keys) > 1:
                del keys[at]
            elif kind == "insert":
                keys.insert(at, next(fresh_names))
            elif kind == "replace":
                keys[at] = next(fresh_names)
            else:
                keys.insert((at * 7) % len(keys), keys.pop(at))
        (specs / "all.yaml").write_text(write(keys), encoding="utf-8")
        assert everything(load(specs, cache)) == everything(load(specs, None))
