"""Two clones of one project share a remote state and an output bucket (moto on loopback).

This is the README's "Working as a team" workflow end to end: clone A applies; clone B
plans against the same state and finds the outputs in the bucket; B changes a range and
applies a saved plan; A pulls and sees a no-op; two applies at once; a kill -9 in the
middle of a remote apply, the lock it leaves, force-unlock, and the rerun.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from segspec.cli.main import entrypoint
from tests.backends.s3server import S3Server, loopback_only
from tests.conftest import frame_numbers

STATE_BUCKET = "team-state"
CLIPS_BUCKET = "team-clips"
STATE_KEY = "clips/segspec.state.json"
WATCH_SECONDS = 120.0
JOBS = 4

pytestmark = pytest.mark.slow


def spec(url: str, out: float = 1.0) -> str:
    lines = [
        "version: 1",
        f"state: {{type: s3, bucket: {STATE_BUCKET}, key: {STATE_KEY}, endpoint: '{url}'}}",
        f"engine: {{type: local, object_endpoint: '{url}'}}",
        "defaults:",
        "  InputConfig: {Type: OSS, Media: media/numbered.mp4}",
        f"  OutputConfig: {{OutputMediaTarget: oss-object, Bucket: {CLIPS_BUCKET}}}",
        "  local: {preset: ultrafast}",
        "jobs:",
    ]
    for n in range(JOBS):
        end = out if n == 0 else 1.0
        lines += [f"  job{n}:", "    JobParams:", "      Mode: UserDefined", "      Ranges:"]
        lines += [f"        - {{In: {n * 0.2:.1f}, Out: {end + n * 0.2:.1f}}}"]
        lines += ["    OutputConfig:", f"      ObjectKey: job{n}/clip_{{index}}.mp4"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    loopback_only(monkeypatch, tmp_path)
    monkeypatch.delenv("SEGSPEC_STATE", raising=False)
    monkeypatch.delenv("SEGSPEC_BACKEND", raising=False)
    s3_server.reset()
    for bucket in (STATE_BUCKET, CLIPS_BUCKET):
        s3_server.client().create_bucket(Bucket=bucket)
    return s3_server


@pytest.fixture
def clones(tmp_path: Path, numbered_video: Path, s3: S3Server) -> tuple[Path, Path]:
    """Two checkouts of the same project (specs and media in git, nothing else)."""
    roots = []
    for name in ("a", "b"):
        specs = tmp_path / name / "specs"
        (specs / "media").mkdir(parents=True)
        shutil.copyfile(numbered_video, specs / "media" / "numbered.mp4")
        (specs / "jobs.yaml").write_text(spec(s3.url), encoding="utf-8")
        roots.append(tmp_path / name)
    return roots[0], roots[1]


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(root: Path, *args: str) -> tuple[int, str, str]:
        monkeypatch.chdir(root)
        capsys.readouterr()
        code = entrypoint(["--no-color", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def keys(s3: S3Server, bucket: str, prefix: str = "") -> list[str]:
    found = s3.client().list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return sorted(item["Key"] for item in found)


def remote_state(s3: S3Server) -> dict[str, Any]:
    body = s3.client().get_object(Bucket=STATE_BUCKET, Key=STATE_KEY)["Body"].read()
    data: dict[str, Any] = json.loads(body)
    return data


def lock_left(s3: S3Server) -> bool:
    return f"{STATE_KEY}.lock" in keys(s3, STATE_BUCKET)


def journal(s3: S3Server) -> list[str]:
    return keys(s3, STATE_BUCKET, f"{STATE_KEY}.journal/")


def start_apply(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "segspec.cli.main", "--no-color", "apply", "--auto-approve"],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(check: Callable[[], bool], proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + WATCH_SECONDS
    while time.monotonic() < deadline:
        if check():
            return
        assert proc.poll() is None, f"the apply ended before {what}: {proc.communicate()}"
        time.sleep(0.02)
    pytest.fail(f"not within {WATCH_SECONDS} s: {what}")


def finished_in_journal(s3: S3Server) -> set[str]:
    done = set()
    for key in journal(s3):
        body = s3.client().get_object(Bucket=STATE_BUCKET, Key=key)["Body"].read()
        entry = json.loads(body)
        if entry.get("op") == "put" and entry["record"]["status"] == "Finished":
            done.add(entry["address"])
    return done


def modified(s3: S3Server, job: str) -> dict[str, Any]:
    found = s3.client().list_objects_v2(Bucket=CLIPS_BUCKET, Prefix=f"{job}/")["Contents"]
    return {item["Key"]: (item["LastModified"], item["ETag"]) for item in found}


def test_team_two_clones_share_state_and_outputs(
    clones: tuple[Path, Path], s3: S3Server, cli: Run, tmp_path: Path
) -> None:
    a, b = clones
    code, out, err = cli(a, "apply", "--auto-approve")
    assert code == 0, err
    assert "Apply complete: 4 finished" in out
    assert not (a / "segspec.state.json").exists()  # the state lives in the bucket only
    assert len(remote_state(s3)["jobs"]) == JOBS
    assert keys(s3, CLIPS_BUCKET) == [  # each job's clip and the picture beside it
        key
        for n in range(JOBS)
        for key in (f"job{n}/clip_0.mp4", f"job{n}/clip_first-last-frames.jpg")
    ]
    assert not lock_left(s3) and journal(s3) == []
    record = remote_state(s3)["jobs"]["job0"]
    assert record["outputs"][0]["etag"] and record["outputs"][0]["size"] > 0
    result = record["ai_result"]["SegmentationResult"]
    assert (result["OutputEndpoint"], result["OutputBucket"]) == (s3.url, CLIPS_BUCKET)
    clip = tmp_path / "clip0.mp4"
    s3.client().download_file(CLIPS_BUCKET, "job0/clip_0.mp4", str(clip))
    assert frame_numbers(clip) == list(range(0, 25))

    code, out, err = cli(b, "output", "job0")
    picture = f"first-last-frames: oss://{CLIPS_BUCKET}/job0/clip_first-last-frames.jpg"
    assert (code, out) == (0, f"oss://{CLIPS_BUCKET}/job0/clip_0.mp4\n{picture}\n"), err

    # B has no local state and no local outputs, yet nothing is to be done.
    code, out, err = cli(b, "plan", "--detailed-exitcode")
    assert code == 0, out + err
    assert f"No changes. {JOBS} jobs match the specs and the state." in out

    # B changes a range, reviews a saved plan, applies exactly it.
    (b / "specs" / "jobs.yaml").write_text(spec(s3.url, out=1.2), encoding="utf-8")
    code, out, err = cli(b, "plan", "--out", "plan.json", "--detailed-exitcode")
    assert code == 2, err
    assert "JobParams.Ranges[0].Out: 1 → 1.2" in out
    before = remote_state(s3)
    code, out, err = cli(b, "apply", "plan.json")
    assert code == 0, err
    assert "Apply complete: 1 finished" in out
    backup = s3.client().get_object(Bucket=STATE_BUCKET, Key=f"{STATE_KEY}.backup")
    assert json.loads(backup["Body"].read()) == before  # the previous version is kept
    assert remote_state(s3)["serial"] > before["serial"]

    # A pulls the change: its next plan is a no-op against the shared state.
    shutil.copyfile(b / "specs" / "jobs.yaml", a / "specs" / "jobs.yaml")
    code, out, err = cli(a, "plan", "--detailed-exitcode")
    assert code == 0, out + err
    assert not lock_left(s3) and journal(s3) == []
    assert remote_state(s3)["jobs"]["job0"]["request"]["JobParams"]["Ranges"][0]["Out"] == 1.2

    # destroy, from either clone, deletes the clips in the bucket and forgets the jobs.
    code, out, err = cli(b, "destroy", "--auto-approve", "--target", "job1")
    assert code == 0, err
    assert "job1/clip_0.mp4" not in keys(s3, CLIPS_BUCKET)
    assert "job1/clip_first-last-frames.jpg" not in keys(s3, CLIPS_BUCKET)
    assert "job0/clip_0.mp4" in keys(s3, CLIPS_BUCKET)
    assert "job1" not in remote_state(s3)["jobs"]


def test_team_second_apply_refused_naming_holder(
    clones: tuple[Path, Path], s3: S3Server, cli: Run
) -> None:
    a, b = clones
    proc = start_apply(a)
    try:
        wait_until(lambda: lock_left(s3), proc, "A took the lock")
        code, _, err = cli(b, "apply", "--auto-approve")
        assert code == 1
        assert f"the state s3://{STATE_BUCKET}/{STATE_KEY} is locked by" in err
        assert "segspec --no-color apply --auto-approve" in err and "lock ID" in err
        assert "--lock-timeout" in err
    finally:
        _, stderr = proc.communicate(timeout=WATCH_SECONDS)
    assert proc.returncode == 0, stderr
    # Once A is done, B finds nothing left to do.
    code, out, err = cli(b, "--lock-timeout", "30", "apply", "--auto-approve")
    assert code == 0, err
    assert f"No changes. {JOBS} jobs match the specs and the state." in out


def test_team_kill_mid_remote_apply_then_force_unlock_and_rerun(
    clones: tuple[Path, Path], s3: S3Server, cli: Run
) -> None:
    a, b = clones
    proc = start_apply(a)
    try:
        wait_until(lambda: bool(finished_in_journal(s3)), proc, "a job was recorded Finished")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    finished = finished_in_journal(s3)
    assert 0 < len(finished) < JOBS, finished
    kept = {job: modified(s3, job) for job in finished}

    # The dead process's lock stays; the message says how to remove it.
    assert lock_left(s3)
    code, _, err = cli(b, "plan")
    assert code == 1
    assert "segspec force-unlock" in err
    lock_id = re.search(r"segspec force-unlock (\S+)", err)
    assert lock_id is not None
    holder = json.loads(
        s3.client().get_object(Bucket=STATE_BUCKET, Key=f"{STATE_KEY}.lock")["Body"].read()
    )
    assert holder["id"] == lock_id[1]
    assert holder["command"] == "segspec --no-color apply --auto-approve"
    code, out, err = cli(b, "force-unlock", lock_id[1])
    assert code == 0, err
    assert not lock_left(s3)

    # B reruns: only the unfinished jobs run; the finished ones are not submitted again.
    code, out, err = cli(b, "apply", "--auto-approve")
    assert code == 0, err
    assert f"Apply complete: {JOBS - len(finished)} finished" in out
    state = remote_state(s3)
    assert {r["status"] for r in state["jobs"].values()} == {"Finished"}
    assert len(state["jobs"]) == JOBS
    for job in finished:
        assert modified(s3, job) == kept[job]  # the clip was not uploaded again
    assert not lock_left(s3) and journal(s3) == []
    code, out, err = cli(a, "plan", "--detailed-exitcode")
    assert code == 0, out + err
