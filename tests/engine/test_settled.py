"""Planning from summaries: unchanged jobs are settled with one stat per file, and the plan
is the one a full comparison makes.

A real apply (real ffmpeg cuts of the numbered video) records each output's size, sha256
and mtime; later plans stat the inputs and outputs and read no file to hash unless a
size or mtime moved. What a stat cannot see is pinned down too: bytes changed in place
with the size and mtime put back are not detected (the hash cache has always made the
same bet).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import segspec.backends.local.inputs as inputs_module
import segspec.backends.local.objects as objects_module
from segspec.cli.main import entrypoint
from segspec.engine.project import PlanOptions, Project, plan_project
from segspec.plan.model import Action, Plan
from segspec.render.human import render_plan

SPEC = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
  local: {preset: ultrafast}
jobs:
  alpha:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 0.5}]}
    OutputConfig: {ObjectKey: "alpha/clip_{index}.mp4"}
  beta:
    JobParams: {Mode: UserDefined, Ranges: [{In: 1, Out: 1.5}]}
    OutputConfig: {ObjectKey: "beta/clip_{index}.mp4"}
  gamma:
    JobParams: {Mode: UserDefined, Ranges: [{In: 2, Out: 2.5}]}
    OutputConfig: {ObjectKey: "gamma/clip_{index}.mp4"}
  delta:
    JobParams: {Mode: UserDefined, Ranges: [{In: 3, Out: 3.5}]}
    OutputConfig: {ObjectKey: "delta/clip_{index}.mp4"}
"""


class Hashes:
    """Counts files read to hash them, by planning's two readers (inputs and outputs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files: list[str] = []
        self.cache_reads = 0
        real_hash = inputs_module.sha256_file

        def counting(path: Path) -> str:
            self.files.append(path.name)
            return real_hash(path)

        monkeypatch.setattr(inputs_module, "sha256_file", counting)
        monkeypatch.setattr(objects_module, "sha256_file", counting)
        real_entries = inputs_module.HashCache.entries.fget
        assert real_entries is not None

        def entries(cache: inputs_module.HashCache) -> dict[str, list[Any]]:
            if cache._entries is None:
                self.cache_reads += 1
            return real_entries(cache)  # type: ignore[no-any-return]

        monkeypatch.setattr(inputs_module.HashCache, "entries", property(entries))


@pytest.fixture
def applied(project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = project(SPEC)
    monkeypatch.chdir(root)
    monkeypatch.delenv("SEGSPEC_BACKEND", raising=False)
    assert entrypoint(["--no-color", "apply", "--auto-approve"]) == 0
    yield root


def plan_of(root: Path, **options: Any) -> Plan:
    project = Project(specs_dir=root / "specs")
    state = project.open_state()
    return plan_project(project, state, PlanOptions(**options)).plan


def clip(root: Path, job: str) -> Path:
    return root / ".segspec" / "objects" / "clips" / job / "clip_0.mp4"


def test_apply_records_output_mtimes(applied: Path) -> None:
    state = json.loads((applied / "segspec.state.json").read_text("utf-8"))
    for address in ("alpha", "beta", "gamma", "delta"):
        (out,) = state["jobs"][address]["outputs"]
        assert out["mtime_ns"] == os.stat(clip(applied, address)).st_mtime_ns
        assert out["size"] == os.stat(clip(applied, address)).st_size


def test_plan_after_apply_hashes_nothing(applied: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What apply computed (the input's identity, each output's size, sha256 and mtime)
    is in the state: the next plan stats and compares, and opens no file to hash, not
    even the hash cache."""
    hashes = Hashes(monkeypatch)
    for settle in (True, False):
        plan = plan_of(applied, settle=settle)
        assert not plan.has_changes and len(plan.changes) == 4
    assert hashes.files == [] and hashes.cache_reads == 0


def test_touched_input_is_rehashed_and_still_a_noop(
    applied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = applied / "specs" / "media" / "numbered.mp4"
    info = os.stat(media)
    os.utime(media, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    hashes = Hashes(monkeypatch)
    plan = plan_of(applied, settle=True)
    assert not plan.has_changes
    assert hashes.files == ["numbered.mp4"]  # one read, shared by the four jobs


def test_touched_output_is_rehashed_and_still_a_noop(
    applied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = clip(applied, "beta")
    info = os.stat(out)
    os.utime(out, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    hashes = Hashes(monkeypatch)
    assert not plan_of(applied, settle=True).has_changes
    assert hashes.files == ["clip_0.mp4"]


def test_output_changed_with_new_mtime_is_drift(applied: Path) -> None:
    out = clip(applied, "gamma")
    data = bytearray(out.read_bytes())
    data[-1] ^= 0xFF  # same size, other bytes, new mtime
    out.write_bytes(bytes(data))
    for settle in (True, False):
        change = plan_of(applied, settle=settle).by_address()["gamma"]
        assert change.action is Action.REPLACE
        assert change.reasons[0].startswith("output changed: clips/gamma/clip_0.mp4 content")


def test_output_changed_with_size_and_mtime_restored_is_not_seen(applied: Path) -> None:
    """The limit of a stat: bytes rewritten in place, same size, mtime set back. Not
    detected (as with the hash cache before); `--replace` reruns such a job."""
    out = clip(applied, "gamma")
    info = os.stat(out)
    data = bytearray(out.read_bytes())
    data[-1] ^= 0xFF
    out.write_bytes(bytes(data))
    os.utime(out, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert not plan_of(applied, settle=True).has_changes
    change = plan_of(applied, settle=True, replace=("gamma",)).by_address()["gamma"]
    assert change.action is Action.REPLACE


def test_settled_plan_is_the_full_plan(applied: Path) -> None:
    """Every kind of change at once; planning from summaries finds the same actions,
    reasons, attempts, objects and problems as comparing every job in full, and the
    reviewer's text is the same."""
    specs = applied / "specs" / "jobs.yaml"
    text = specs.read_text("utf-8")
    text = text.replace("In: 1, Out: 1.5", "In: 1, Out: 1.25")  # beta: changed
    text = text.replace(
        "  delta:\n    JobParams: {Mode: UserDefined, Ranges: [{In: 3, Out: 3.5}]}\n"
        '    OutputConfig: {ObjectKey: "delta/clip_{index}.mp4"}\n',
        "",
    )  # delta: deleted
    text += (
        "  eps:\n    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 0.5}]}\n"
        '    OutputConfig: {ObjectKey: "alpha/clip_{index}.mp4"}\n'
    )  # eps: new, and it writes alpha's object (a clash with a settled job)
    specs.write_text(text, encoding="utf-8")
    clip(applied, "gamma").unlink()  # gamma: drifted
    for options in ({}, {"replace": ("alpha",)}, {"targets": ("gamma", "eps")}):
        settled, full = plan_of(applied, settle=True, **options), plan_of(applied, **options)
        assert [c.address for c in settled.changes] == [c.address for c in full.changes]
        for quick, whole in zip(settled.changes, full.changes, strict=True):
            assert (quick.action, quick.reasons, quick.attempt) == (
                whole.action,
                whole.reasons,
                whole.attempt,
            )
            assert (quick.objects, quick.problems) == (whole.objects, whole.problems)
            if quick.action is not Action.NOOP:
                assert (quick.before, quick.after) == (whole.before, whole.after)
        assert render_plan(settled) == render_plan(full)
    actions = {c.address: c.action for c in plan_of(applied, settle=True).changes}
    assert actions == {
        "alpha": Action.NOOP,
        "beta": Action.REPLACE,
        "delta": Action.DELETE,
        "eps": Action.CREATE,
        "gamma": Action.REPLACE,
    }
    eps = plan_of(applied, settle=True).by_address()["eps"]
    assert any("also written by alpha" in p for p in eps.problems)


def test_plan_json_shows_noops_in_full(applied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`plan --json` is never settled: every no-op keeps its before and after."""
    capsys.readouterr()
    assert entrypoint(["--no-color", "plan", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [c["actions"] for c in document["changes"]] == [["no-op"]] * 4
    for change in document["changes"]:
        assert change["before"]["request"] == change["after"]["request"]
        assert change["before"]["status"] == "Finished"


def _renamed(root: Path) -> None:
    spec = root / "specs" / "jobs.yaml"
    spec.write_text(spec.read_text("utf-8").replace("  alpha:", "  alpha2:"), "utf-8")


def test_a_renamed_job_keeps_its_input_s_recorded_identity(
    applied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job renamed (a new address over the same input) is identified from the record of
    the job that is gone: one stat, no hash cache, and the identity that record holds."""
    recorded = json.loads((applied / "segspec.state.json").read_text("utf-8"))
    _renamed(applied)
    hashes = Hashes(monkeypatch)
    project = Project(specs_dir=applied / "specs")
    planned = plan_project(project, project.open_state(), PlanOptions(settle=True))
    assert hashes.files == [] and hashes.cache_reads == 0
    actions = {c.address: c.action for c in planned.plan.changes if c.action != Action.NOOP}
    assert actions == {"alpha2": Action.CREATE, "alpha": Action.DELETE}
    assert planned.wants["alpha2"].input == recorded["jobs"]["alpha"]["input"]
    monkeypatch.undo()
    full = plan_of(applied, settle=False)  # the plan that identifies every job in full
    assert render_plan(planned.plan) == render_plan(full)


def test_a_renamed_job_over_a_touched_input_is_hashed(
    applied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gone job's record is only trusted while the file keeps its size and mtime."""
    media = applied / "specs" / "media" / "numbered.mp4"
    info = os.stat(media)
    os.utime(media, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    _renamed(applied)
    hashes = Hashes(monkeypatch)
    planned = plan_project(
        Project(specs_dir=applied / "specs"),
        Project(specs_dir=applied / "specs").open_state(),
        PlanOptions(settle=True),
    )
    assert hashes.files == ["numbered.mp4"]
    assert planned.wants["alpha2"].input is not None
    assert planned.wants["alpha2"].input["mtime_ns"] == info.st_mtime_ns + 5_000_000_000
