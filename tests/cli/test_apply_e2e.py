"""End to end through the CLI in a temporary project: real clips, real state, real reruns.

Clip contents are checked frame by frame with the ffprobe-equivalent (libavformat via
PyAV): the numbered video's frame n has luma 16 + 2n.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import jsonschema
import pytest

from segspec.backends.local.cut import frame_span
from segspec.cli.main import entrypoint
from segspec.media.probe import frame_times, probe
from segspec.schemas import SCHEMA_DIR
from segspec.spec.loader import load_specs
from tests.conftest import REPO, check_golden, frame_numbers, make_numbered_video

SPEC = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
  local: {preset: ultrafast}
jobs:
  alpha:
    JobParams:
      Mode: UserDefined
      Ranges:
        - {In: 0, Out: 1}
        - {In: 1.5, Out: 2}
    OutputConfig:
      ObjectKey: alpha/clip_{index}.mp4
  beta:
    JobParams:
      Mode: UserDefined
      Ranges:
        - {In: 2, Out: 3}
    OutputConfig:
      ObjectKey: beta/clip_{index}.mp4
      ExportAsNewMedia: true
"""

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `segspec --no-color ARGS` in-process; return (exit code, stdout, stderr)."""
    monkeypatch.delenv("SEGSPEC_BACKEND", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = entrypoint(["--no-color", *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return run


@pytest.fixture
def proj(project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    def make(text: str = SPEC) -> Path:
        root = project(text)
        monkeypatch.chdir(root)
        return root

    return make


def clip(root: Path, key: str) -> Path:
    return root / ".segspec" / "objects" / "clips" / key


def state(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "segspec.state.json").read_text("utf-8"))
    return data


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """(inode, mtime_ns, bytes) of every file the engine wrote: clips, job records, catalog."""
    files = sorted(
        p for p in (root / ".segspec").rglob("*") if p.is_file() and "cache" not in p.parts
    )
    files.append(root / "segspec.state.json")
    return {str(p): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in files}


def edit(root: Path, old: str, new: str) -> None:
    spec = root / "specs" / "jobs.yaml"
    text = spec.read_text("utf-8")
    assert old in text
    spec.write_text(text.replace(old, new), "utf-8")


def test_apply_e2e_produces_the_clips(proj: Callable[[str], Path], cli: Run) -> None:
    root = proj(SPEC)
    code, out, err = cli("apply", "--auto-approve")
    assert code == 0, err
    assert "Plan: 2 to create, 0 to replace, 0 to delete." in out
    assert out.rstrip().endswith("Apply complete: 2 finished, 0 failed, 0 forgotten.")
    assert frame_numbers(clip(root, "alpha/clip_0.mp4")) == list(range(0, 25))
    assert frame_numbers(clip(root, "alpha/clip_1.mp4")) == list(range(37, 50))
    assert frame_numbers(clip(root, "beta/clip_0.mp4")) == list(range(50, 75))
    recorded = state(root)
    assert {name: job["status"] for name, job in recorded["jobs"].items()} == {
        "alpha": "Finished",
        "beta": "Finished",
    }
    alpha = recorded["jobs"]["alpha"]
    assert [(o["first_frame"], o["last_frame"]) for o in alpha["outputs"]] == [(0, 24), (37, 49)]
    seg = alpha["ai_result"]["SegmentationResult"]
    assert seg["OutputBucket"] == "clips"
    assert [o["ObjectKey"] for o in seg["OutputObjectResults"]] == [
        "alpha/clip_0.mp4",
        "alpha/clip_1.mp4",
    ]
    schema = json.loads((SCHEMA_DIR / "state.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(recorded)
    assert not (root / "segspec.state.json.journal").exists()


@pytest.mark.slow
def test_apply_e2e_second_apply_does_nothing(proj: Callable[[str], Path], cli: Run) -> None:
    root = proj(SPEC)
    assert cli("apply", "--auto-approve")[0] == 0
    before = snapshot(root)
    code, out, _ = cli("apply", "--auto-approve")
    assert code == 0
    assert out == "No changes. 2 jobs match the specs and the state.\n"
    assert snapshot(root) == before


@pytest.mark.slow
def test_apply_e2e_one_range_changed_one_replace(proj: Callable[[str], Path], cli: Run) -> None:
    root = proj(SPEC)
    assert cli("apply", "--auto-approve")[0] == 0
    beta_clip = clip(root, "beta/clip_0.mp4")
    beta_before = (beta_clip.stat().st_ino, beta_clip.stat().st_mtime_ns)
    edit(root, "{In: 1.5, Out: 2}", "{In: 1.5, Out: 2.4}")
    code, out, _ = cli("plan")
    assert code == 0
    check_golden("plan_replace_range.txt", out)
    code, out, err = cli("apply", "--auto-approve")
    assert code == 0, err
    assert "Apply complete: 1 finished, 0 failed, 0 forgotten." in out
    assert frame_numbers(clip(root, "alpha/clip_1.mp4")) == list(range(37, 60))
    assert (beta_clip.stat().st_ino, beta_clip.stat().st_mtime_ns) == beta_before
    assert state(root)["jobs"]["alpha"]["request"]["JobParams"]["Ranges"][1]["Out"] == 2.4


@pytest.mark.slow
def test_apply_e2e_reverted_change_cuts_again(proj: Callable[[str], Path], cli: Run) -> None:
    root = proj(SPEC)
    assert cli("apply", "--auto-approve")[0] == 0
    edit(root, "{In: 1.5, Out: 2}", "{In: 1.5, Out: 2.4}")
    assert cli("apply", "--auto-approve")[0] == 0
    edit(root, "{In: 1.5, Out: 2.4}", "{In: 1.5, Out: 2}")
    code, out, _ = cli("apply", "--auto-approve")
    assert code == 0
    assert "JobParams.Ranges[1].Out: 2.4 → 2" in out
    # Not the first run's job fetched back by its old token: the clip is cut again.
    assert frame_numbers(clip(root, "alpha/clip_1.mp4")) == list(range(37, 50))
    assert state(root)["jobs"]["alpha"]["attempt"] == 3


@pytest.mark.slow
def test_apply_e2e_input_bytes_changed_replace(
    proj: Callable[[str], Path], cli: Run, tmp_path: Path
) -> None:
    root = proj(SPEC)
    assert cli("apply", "--auto-approve")[0] == 0
    assert cli("plan", "--detailed-exitcode")[0] == 0
    source = root / "specs" / "media" / "numbered.mp4"
    make_numbered_video(tmp_path / "shorter.mp4", seconds=3.5)
    os.replace(tmp_path / "shorter.mp4", source)
    code, out, _ = cli("plan", "--detailed-exitcode")
    assert code == 2
    assert "Plan: 0 to create, 2 to replace, 0 to delete." in out
    reasons = [line.strip() for line in out.splitlines() if "input" in line]
    assert len(reasons) == 2
    assert all(r.startswith("input changed: size ") for r in reasons), reasons


def test_apply_e2e_touched_input_no_change(proj: Callable[[str], Path], cli: Run) -> None:
    root = proj(SPEC)
    assert cli("apply", "--auto-approve")[0] == 0
    source = root / "specs" / "media" / "numbered.mp4"
    os.utime(source, ns=(1, 1))
    assert cli("plan", "--detailed-exitcode")[:2] == (
        0,
        "No changes. 2 jobs match the specs and the state.\n",
    )


@pytest.mark.slow
def test_apply_e2e_removed_job_deleted(proj: Callable[[str], Path], cli: Run) -> None:
    root = proj(SPEC)
    assert cli("apply", "--auto-approve")[0] == 0
    spec = root / "specs" / "jobs.yaml"
    spec.write_text(SPEC.split("  beta:")[0], "utf-8")
    code, out, _ = cli("plan", "--detailed-exitcode")
    assert code == 2
    assert "  - beta (delete)\n      no longer in the specs; its 1 output object stays\n" in out
    assert out.endswith("Plan: 0 to create, 0 to replace, 1 to delete.\n")
    code, out, _ = cli("apply", "--auto-approve")
    assert code == 0
    assert "Apply complete: 0 finished, 0 failed, 1 forgotten." in out
    assert set(state(root)["jobs"]) == {"alpha"}
    assert clip(root, "beta/clip_0.mp4").exists()  # outputs stay unless pruned


BAD_SPEC = (
    SPEC
    + """\
  late:
    JobParams:
      Mode: UserDefined
      Ranges:
        - {In: 1, Out: 2}
        - {In: 3, Out: 9}
    OutputConfig:
      ObjectKey: late/clip_{index}.mp4
  ghost:
    InputConfig: {Type: OSS, Media: media/missing.mp4}
    JobParams:
      Mode: UserDefined
      Ranges:
        - {In: 0, Out: 1}
    OutputConfig:
      ObjectKey: ghost/clip_{index}.mp4
"""
)


@pytest.mark.slow
def test_apply_e2e_bad_media_fails_only_that_job(proj: Callable[[str], Path], cli: Run) -> None:
    root = proj(BAD_SPEC)
    code, out, err = cli("apply", "--auto-approve")
    assert code == 1
    assert "Apply finished with failures: 2 finished, 2 failed, 0 forgotten." in err
    assert (
        "✗ late: InvalidParameter.RangeOutOfBounds: JobParams.Ranges[1].Out is 9 s, past "
        "the end of the input (4.00 s long) — shorten the range"
    ) in err
    assert "✗ ghost: InputNotFound: input " in err and "missing.mp4 does not exist" in err
    assert "finished jobs are kept" in err
    jobs = state(root)["jobs"]
    assert {n: j["status"] for n, j in jobs.items()} == {
        "alpha": "Finished",
        "beta": "Finished",
        "ghost": "Failed",
        "late": "Failed",
    }
    assert jobs["late"]["error"]["code"] == "InvalidParameter.RangeOutOfBounds"
    assert "past the end of the input" in jobs["late"]["error"]["message"]
    assert not clip(root, "late/clip_0.mp4").exists()  # nothing published from a failed job
    assert frame_numbers(clip(root, "beta/clip_0.mp4")) == list(range(50, 75))
    # The next plan reruns the failures (next attempt) and leaves the rest alone.
    code, out, _ = cli("plan", "--detailed-exitcode")
    assert code == 2
    assert "  -/+ late (replace)\n      previous run failed (InvalidParameter." in out
    assert "Plan: 0 to create, 2 to replace, 0 to delete." in out


def test_apply_e2e_no_terminal_needs_auto_approve(proj: Callable[[str], Path], cli: Run) -> None:
    root = proj(SPEC)
    code, out, err = cli("apply")
    assert code == 1
    assert "Plan: 2 to create, 0 to replace, 0 to delete." in out
    assert err.startswith("Error: apply needs confirmation but there is no terminal")
    assert "pass --auto-approve" in err
    assert not (root / ".segspec" / "jobs").exists()
    assert not (root / "segspec.state.json").exists()
    assert not (root / "segspec.state.json.journal").exists()


def test_apply_e2e_detailed_exitcode(proj: Callable[[str], Path], cli: Run) -> None:
    proj(SPEC)
    assert cli("plan", "--detailed-exitcode")[0] == 2
    assert cli("plan")[0] == 0
    assert cli("apply", "--auto-approve")[0] == 0
    code, out, _ = cli("plan", "--detailed-exitcode")
    assert (code, out) == (0, "No changes. 2 jobs match the specs and the state.\n")


def test_apply_e2e_show_output_state_commands(proj: Callable[[str], Path], cli: Run) -> None:
    root = proj(SPEC)
    code, out, _ = cli("show")
    assert (code, out) == (
        0,
        "The state records no jobs yet. Run `segspec apply` to create them.\n",
    )
    assert cli("apply", "--auto-approve")[0] == 0

    code, out, _ = cli("show")
    assert code == 0
    assert out.splitlines() == [
        "alpha  Finished      2 outputs  local",
        "beta   Finished      1 output   local",
    ]
    assert cli("state", "list")[1] == out

    code, out, _ = cli("show", "alpha")
    assert code == 0
    assert "  status       Finished" in out
    assert "    [1] clips/alpha/clip_1.mp4  1.480–2.000 s frames 37–49" in out

    code, out, _ = cli("output", "alpha", "--json")
    data = json.loads(out)
    assert data["address"] == "alpha" and data["status"] == "Finished"
    paths = [Path(row["path"]) for row in data["outputs"]]
    assert paths == [clip(root, "alpha/clip_0.mp4"), clip(root, "alpha/clip_1.mp4")]
    assert [(r["first_frame"], r["last_frame"]) for r in data["outputs"]] == [(0, 24), (37, 49)]
    picture = f"first-last-frames: {clip(root, 'alpha/clip_first-last-frames.jpg')}"
    assert cli("output", "alpha")[1].splitlines() == [*map(str, paths), picture]

    code, out, _ = cli("state", "show", "beta")
    record = json.loads(out)
    assert record["address"] == "beta" and record["status"] == "Finished"

    code, _, err = cli("state", "show", "nope")
    assert code == 1 and "no job 'nope'" in err and "(recorded: alpha, beta)" in err

    code, out, _ = cli("state", "rm", "beta")
    assert (code, out) == (0, "Removed 1 job from the state.\n")
    assert set(state(root)["jobs"]) == {"alpha"}
    assert clip(root, "beta/clip_0.mp4").exists()
    code, out, _ = cli("plan")
    assert "  + beta (create)" in out  # forgotten, so the next plan creates it again
    code, _, err = cli("state", "rm", "beta")
    assert code == 1 and "no job 'beta'" in err


@pytest.mark.slow
def test_apply_e2e_exported_media_id_used_as_input(proj: Callable[[str], Path], cli: Run) -> None:
    root = proj(SPEC)
    assert cli("apply", "--auto-approve")[0] == 0
    (row,) = json.loads(cli("output", "beta", "--json")[1])["outputs"]
    media_id = row["media_id"]
    assert media_id and len(media_id) == 32
    catalog = json.loads((root / ".segspec" / "media.json").read_text("utf-8"))
    assert catalog[media_id]["key"] == "beta/clip_0.mp4"
    spec = root / "specs" / "jobs.yaml"
    spec.write_text(
        spec.read_text("utf-8")
        + f"""\
  gamma:
    InputConfig: {{Type: Media, Media: {media_id}}}
    JobParams:
      Mode: UserDefined
      Ranges:
        - {{In: 0.2, Out: 0.4}}
    OutputConfig:
      ObjectKey: gamma/clip_{{index}}.mp4
""",
        "utf-8",
    )
    code, out, err = cli("apply", "--auto-approve")
    assert code == 0, err
    assert "Plan: 1 to create, 0 to replace, 0 to delete." in out
    # beta's clip holds source frames 50..74, so 0.2-0.4 s of it are source frames 55..59.
    assert frame_numbers(clip(root, "gamma/clip_0.mp4")) == [55, 56, 57, 58, 59]


@pytest.mark.slow
def test_apply_e2e_example_specs(tmp_path: Path, cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("apply", "--auto-approve")
    assert code == 0, err
    jobs = state(tmp_path)["jobs"]
    assert set(jobs) == set(load_specs(tmp_path / "specs").jobs)
    objects = tmp_path / ".segspec" / "objects" / "sample-clips"
    fps = probe(tmp_path / "specs" / "media" / "sample.mp4").fps
    for address, job in jobs.items():
        assert job["status"] == "Finished", address
        ranges = job["request"]["JobParams"].get("Ranges")
        spans = []
        for output in job["outputs"]:
            frames = frame_times(objects / output["object_key"]).count
            assert frames == output["last_frame"] - output["first_frame"] + 1, output
            spans.append((output["first_frame"], output["last_frame"]))
        if ranges:  # UserDefined: exactly the frames each Range names
            assert spans == [frame_span(r["In"], r["Out"], fps) for r in ranges]
        else:  # BasicClipSplit: shots cover the video, back to back
            assert spans[0][0] == 0 and len(spans) > 1
            assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(spans))
    teaser = objects / jobs["teaser"]["outputs"][0]["object_key"]
    with av.open(str(teaser)) as container:
        video = container.streams.video[0].codec_context
        assert (video.name, video.width) == ("hevc", 320)
    assert jobs["teaser"]["outputs"][0]["media_id"]
    code, out, _ = cli("apply", "--auto-approve")
    assert (code, out.startswith("No changes.")) == (0, True)
