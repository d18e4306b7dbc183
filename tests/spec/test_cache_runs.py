"""An edited spec file whose `for_each` is a long run of one-line items (read by
segspec.spec.yamlruns on the cached load) loads exactly as a load without the cache:
rows, bodies, positions and errors, block or JSON style."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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
    "an entry added": lambda w: w(KEYS[:10] + ["new_one"] + KEYS[10:]),
    "the template edited": lambda w: w(KEYS, out="2"),
    "an entry YAML reads as a boolean": lambda w: w(KEYS[:100] + ["true"] + KEYS[100:]),
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
    (specs / "all.yaml").write_text(write(KEYS + [KEYS[7]], solo=True), encoding="utf-8")
    with pytest.raises(SpecError) as cached:
        load(specs, cache)
    with pytest.raises(SpecError) as fresh:
        load(specs, None)
    assert str(cached.value) == str(fresh.value)
    assert "all.yaml:" in str(cached.value) and "jobs.ep.for_each" in str(cached.value)
