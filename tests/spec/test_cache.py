"""The spec cache: a hit gives exactly what a fresh load gives, and anything that can
change the plan (spec bytes, variables from flags or the environment, segspec's version,
the input's content) is a miss or is not cached at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import segspec.spec.cache as cache_module
import segspec.spec.files as files_module
from segspec.engine.project import Project, gather_wants
from segspec.errors import SpecError
from segspec.spec import yamlpos
from segspec.spec.cache import SpecCache
from segspec.spec.desired import SpecSet
from segspec.spec.loader import load_specs
from segspec.spec.variables import VariableInputs

SPEC = """\
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
  ep:
    for_each: [a, b]
    JobParams: {Mode: UserDefined, Ranges: [{In: 1, Out: 2}]}
    OutputConfig: {ObjectKey: "ep/${each.key}_{index}.mp4"}
"""


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    directory = tmp_path / "specs"
    (directory / "media").mkdir(parents=True)
    (directory / "media" / "a.mp4").write_bytes(b"not really a video, but bytes to hash")
    (directory / "jobs.yaml").write_text(SPEC, encoding="utf-8")
    return directory


@pytest.fixture
def cache(tmp_path: Path) -> SpecCache:
    return SpecCache(tmp_path / ".segspec" / "cache" / "specs")


class Parses:
    """Counts real YAML parses (a cache hit makes none), by either reader: `read_plain`
    for a cached load, `read_yaml` for a full one (or when `read_plain` gives up)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real, plain = yamlpos.read_yaml, yamlpos.read_plain

        def counting(text: str) -> Any:
            self.count += 1
            return real(text)

        def counting_plain(text: str) -> Any:
            found = plain(text)
            self.count += found is not None
            return found

        monkeypatch.setattr(files_module, "read_yaml", counting)
        monkeypatch.setattr(files_module, "read_plain", counting_plain)


def summary(specs: SpecSet) -> dict[str, Any]:
    return {
        address: (job.line, job.column, job.request, job.local, job.body, job.prune_outputs)
        for address, job in specs.jobs.items()
    }


def load(specs: Path, cache: SpecCache | None, **environ: str) -> SpecSet:
    return load_specs(specs, VariableInputs(environ=environ), cache=cache)


def test_cache_hit_is_the_fresh_load(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = load(specs, None)
    parses = Parses(monkeypatch)
    first = load(specs, cache)
    assert parses.count == 1
    second = load(specs, cache)
    assert parses.count == 1  # a hit: nothing parsed
    assert summary(second) == summary(first) == summary(fresh)
    assert second.digest == fresh.digest and second.variables == fresh.variables
    assert list(second.jobs) == ['ep["a"]', 'ep["b"]', "single"]


def test_cache_spec_edit_is_a_miss(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(specs, cache)
    file = specs / "jobs.yaml"
    file.write_text(SPEC.replace("In: 1, Out: 2", "In: 1, Out: 2.5"), encoding="utf-8")
    parses = Parses(monkeypatch)
    edited = load(specs, cache)
    assert parses.count == 1
    assert edited.jobs['ep["a"]'].request["JobParams"]["Ranges"][0]["Out"] == 2.5


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_cache_variable_value_is_a_miss_for_jobs(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    assert load(specs, cache).jobs["single"].request["JobParams"]["Ranges"][0]["Out"] == 3
    inputs = (
        VariableInputs(flags={"out": "7"}, environ={})
        if how == "flag"
        else VariableInputs(environ={"SEGSPEC_VAR_out": "7"})
    )
    parses = Parses(monkeypatch)
    changed = load_specs(specs, inputs, cache=cache)
    assert parses.count == 1  # the jobs were made again from the file
    assert changed.jobs["single"].request["JobParams"]["Ranges"][0]["Out"] == 7
    assert load(specs, cache).jobs["single"].request["JobParams"]["Ranges"][0]["Out"] == 3


def test_cache_other_segspec_version_is_a_miss(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(specs, cache)
    monkeypatch.setattr(cache_module, "__version__", "999.0.0")
    parses = Parses(monkeypatch)
    load(specs, cache)
    assert parses.count == 1


def test_cache_corrupt_entry_is_a_miss(specs: Path, cache: SpecCache) -> None:
    load(specs, cache)
    for entry in cache.directory.glob("*.json"):
        entry.write_bytes(b'{"key": "truncat')
    assert summary(load(specs, cache)) == summary(load(specs, None))


@pytest.mark.parametrize(
    "cut", ["torn", "missing", "not json", "rows not a list", "another chunk", "manifest torn"]
)
def test_cache_entry_with_a_bad_chunk_is_a_miss_and_is_rebuilt(
    specs: Path, cache: SpecCache, monkeypatch: pytest.MonkeyPatch, cut: str
) -> None:
    """A chunk that is torn, missing, not JSON, misshapen or another chunk's bytes (or a
    torn manifest) makes the entry a miss: the load parses the file again, gives what a
    fresh load gives, and rewrites the entry, which the next load then hits."""
    load(specs, cache)
    (manifest,) = cache.directory.glob("*.json")
    chunks = sorted(manifest.with_suffix("").iterdir())
    assert len(chunks) == 2  # `single`, then the for_each job `ep` (a chunk of its own)
    chunk = chunks[0]
    blob = chunk.read_bytes()
    if cut == "torn":
        chunk.write_bytes(blob[: len(blob) // 2])
    elif cut == "missing":
        chunk.unlink()
    elif cut == "not json":  # the same size: only decoding it finds it
        chunk.write_bytes(blob.replace(b'"rows":[', b'"rows":{', 1))
    elif cut == "rows not a list":
        chunk.write_bytes(blob.replace(b'"rows":[[', b'"rows":{"', 1).replace(b"]]", b"}}", 1))
    elif cut == "another chunk":
        chunk.write_bytes(chunks[1].read_bytes())
    else:
        manifest.write_bytes(manifest.read_bytes()[:100])
    parses = Parses(monkeypatch)
    assert summary(load(specs, cache)) == summary(load(specs, None))
    assert parses.count == 2  # the cached load fell back to a parse (and so did the fresh one)
    assert summary(load(specs, cache)) == summary(load(specs, None))
    assert parses.count == 3  # rebuilt: a hit again (only the fresh load parsed)
    assert sorted(manifest.with_suffix("").iterdir()) == chunks


def test_cache_errors_are_reported_from_a_real_parse(specs: Path, cache: SpecCache) -> None:
    """A problem met on a cached load is reported with the positions a fresh load gives
    (the duplicate points into the cached file, at its real line and column)."""
    load(specs, cache)
    (specs / "more.yaml").write_text(
        SPEC.replace("  ep:\n", "  other:\n").replace(
            "variables:\n  out: {type: number, default: 3}\n", ""
        ),
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as cached:
        load(specs, cache)
    cache_dir = cache.directory
    with pytest.raises(SpecError) as fresh:
        load(specs, None)
    assert str(cached.value) == str(fresh.value)
    assert "jobs.yaml:8:3" in str(cached.value)  # where `single:` is written
    assert "job name already used" in str(cached.value)
    assert len(list(cache_dir.glob("*.json"))) == 1  # a load with problems stores nothing


def test_cache_missing_variable_is_an_error_every_time(specs: Path, cache: SpecCache) -> None:
    text = SPEC.replace("{type: number, default: 3}", "{type: number}")
    (specs / "jobs.yaml").write_text(text, encoding="utf-8")
    for _ in range(2):
        with pytest.raises(SpecError, match="out"):
            load(specs, cache)
    assert load(specs, cache, SEGSPEC_VAR_out="4").jobs["single"].request["JobParams"]


def test_cache_input_content_is_never_cached(specs: Path) -> None:
    """The cache holds what the specs say; the inputs' identities are gathered every plan,
    so a changed input changes the fingerprint even when every spec file is a hit."""
    project = Project(specs_dir=specs)

    def fingerprints() -> dict[str, str]:
        loaded = Project(specs_dir=specs).load_specs()
        wants = gather_wants(project, loaded, project.backend_config(loaded))
        return {w.address: w.fingerprint for w in wants}

    before = fingerprints()
    assert fingerprints() == before
    (specs / "media" / "a.mp4").write_bytes(b"other bytes, other size")
    after = fingerprints()
    assert all(after[a] != before[a] for a in before)
