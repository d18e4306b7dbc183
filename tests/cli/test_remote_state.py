"""Choosing where the state lives, init, migration and failures, against moto on loopback."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from segspec.cli.main import entrypoint
from tests.backends.s3server import S3Server, loopback_only

BUCKET = "team-state"
KEY = "proj/segspec.state.json"
JOB = """\
version: 1
{extra}
jobs:
  alpha:
    InputConfig: {{Type: OSS, Media: media/numbered.mp4}}
    JobParams:
      Mode: UserDefined
      Ranges: [{{In: 0, Out: 0.4}}]
    OutputConfig:
      OutputMediaTarget: oss-object
      Bucket: clips
      ObjectKey: a/c_{{index}}.mp4
    local: {{preset: ultrafast}}
"""

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    loopback_only(monkeypatch, tmp_path)
    for name in ("SEGSPEC_STATE", "SEGSPEC_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    s3_server.reset()
    s3_server.client().create_bucket(Bucket=BUCKET)
    return s3_server


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(root: Path, *args: str) -> tuple[int, str, str]:
        monkeypatch.chdir(root)
        capsys.readouterr()
        code = entrypoint(["--no-color", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def remote(s3: S3Server, key: str = KEY) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(s3.client().get_object(Bucket=BUCKET, Key=key)["Body"].read())
    return data


def state_block(url: str) -> str:
    return f"state: {{type: s3, bucket: {BUCKET}, key: {KEY}, endpoint: '{url}'}}"


def test_remote_state_flag_with_aws_endpoint_url_convention(
    project: Callable[[str], Path], s3: S3Server, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(JOB.format(extra=""))
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.url)
    code, out, err = cli(root, "--state", f"s3://{BUCKET}/{KEY}", "apply", "--auto-approve")
    assert code == 0, err
    assert list(remote(s3)["jobs"]) == ["alpha"]
    assert not (root / "segspec.state.json").exists()
    monkeypatch.setenv("SEGSPEC_STATE", f"s3://{BUCKET}/{KEY}")
    code, out, err = cli(root, "state", "list")
    assert code == 0 and "alpha" in out
    code, out, err = cli(root, "plan", "--detailed-exitcode")
    assert code == 0, out + err
    code, out, err = cli(root, "state", "mv", "alpha", "renamed")
    assert code == 0, err
    assert list(remote(s3)["jobs"]) == ["renamed"]
    code, out, err = cli(root, "state", "rm", "renamed")
    assert code == 0, err
    assert remote(s3)["jobs"] == {}
    left = [o["Key"] for o in s3.client().list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert sorted(left) == [KEY, KEY + ".backup", KEY + ".index"]  # no lock, no journal


def test_remote_state_block_errors_name_file_line(
    project: Callable[[str], Path], s3: S3Server, cli: Run
) -> None:
    root = project(JOB.format(extra="state: {type: s3, bucket: team-state}"))
    code, _, err = cli(root, "show")
    assert code == 1
    assert "specs/jobs.yaml:2:" in err and "needs bucket: and key:" in err


def test_remote_state_backend_key_is_deprecated_for_engine(
    project: Callable[[str], Path], cli: Run
) -> None:
    root = project(JOB.format(extra="backend: {type: local}"))
    code, _, err = cli(root, "validate")
    assert code == 0, err
    assert "backend: is deprecated — rename it to engine:" in err
    (root / "specs" / "jobs.yaml").write_text(JOB.format(extra="engine: {type: local}"))
    code, _out, err = cli(root, "validate")
    assert code == 0 and "deprecated" not in err


def test_remote_state_init_on_the_default_local_file(
    project: Callable[[str], Path], cli: Run
) -> None:
    root = project(JOB.format(extra=""))
    code, out, err = cli(root, "init")
    assert code == 0, err
    assert "not created yet, 0 jobs" in out and "taken and released" in out
    assert f"State store ready: {root / 'segspec.state.json'}" in out


def test_remote_state_init_checks_store_and_lock(
    project: Callable[[str], Path], s3: S3Server, cli: Run
) -> None:
    root = project(JOB.format(extra=state_block(s3.url)))
    code, out, err = cli(root, "init")
    assert code == 0, err
    assert f"bucket {BUCKET}: readable" in out
    assert "a second create refused" in out
    assert "a write with a stale ETag (If-Match) is refused" in out
    # init leaves nothing behind: no probe, no lock, and no state until a job is recorded
    assert s3.client().list_objects_v2(Bucket=BUCKET).get("Contents", []) == []
    assert f"State store ready: s3://{BUCKET}/{KEY}" in out
    s3.client().delete_bucket(Bucket=BUCKET)
    code, out, err = cli(root, "init")
    assert code == 1
    assert "NoSuchBucket" in err and "Traceback" not in err


def test_remote_state_unreachable_endpoint_is_a_user_error(
    project: Callable[[str], Path], s3: S3Server, cli: Run
) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = project(JOB.format(extra=state_block(f"http://127.0.0.1:{port}")))
    code, _, err = cli(root, "plan")
    assert code == 1
    assert f"http://127.0.0.1:{port}" in err and "segspec init" in err
    assert "Traceback" not in err


def test_remote_state_migrate_local_to_remote_and_back(
    project: Callable[[str], Path], s3: S3Server, cli: Run
) -> None:
    root = project(JOB.format(extra=""))
    code, _, err = cli(root, "apply", "--auto-approve")
    assert code == 0, err
    local = json.loads((root / "segspec.state.json").read_text())

    (root / "specs" / "jobs.yaml").write_text(JOB.format(extra=state_block(s3.url)))
    code, out, err = cli(root, "init", "--migrate-state")
    assert code == 0, err
    assert "Migrated 1 job from" in out
    moved = remote(s3)
    assert (moved["lineage"], moved["serial"], moved["jobs"]) == (
        local["lineage"],
        local["serial"],
        local["jobs"],
    )
    code, out, err = cli(root, "init", "--migrate-state")  # twice: nothing duplicated
    assert code == 0 and "already holds this state" in out
    code, out, err = cli(root, "plan", "--detailed-exitcode")
    assert code == 0, out + err

    back = root / "back.json"
    code, out, err = cli(
        root, "--state", str(back), "init", "--migrate-state", "--from", f"s3://{BUCKET}/{KEY}"
    )
    assert code == 0, err
    assert json.loads(back.read_text())["jobs"] == local["jobs"]


def test_remote_state_migrate_refuses_a_different_target(
    project: Callable[[str], Path], s3: S3Server, cli: Run
) -> None:
    root = project(JOB.format(extra=""))
    assert cli(root, "apply", "--auto-approve")[0] == 0
    other = {"format_version": 1, "lineage": "other", "serial": 9, "jobs": {}}
    s3.client().put_object(Bucket=BUCKET, Key=KEY, Body=json.dumps(other).encode())
    (root / "specs" / "jobs.yaml").write_text(JOB.format(extra=state_block(s3.url)))
    code, _, err = cli(root, "init", "--migrate-state")
    assert code == 1 and "already holds a state (lineage other" in err
    assert remote(s3) == other


def test_remote_state_unknown_format_refused_never_overwritten(
    project: Callable[[str], Path], s3: S3Server, cli: Run
) -> None:
    root = project(JOB.format(extra=state_block(s3.url)))
    future = b'{"format_version": 7, "lineage": "x", "serial": 1, "jobs": {}}'
    s3.client().put_object(Bucket=BUCKET, Key=KEY, Body=future)
    code, _, err = cli(root, "apply", "--auto-approve")
    assert code == 1
    assert "format_version 7" in err and f"s3://{BUCKET}/{KEY}.backup" in err
    assert s3.client().get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == future
    keys = [o["Key"] for o in s3.client().list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [KEY]  # no lock, no journal left


def test_remote_state_force_unlock_wrong_id_refused(
    project: Callable[[str], Path], s3: S3Server, cli: Run
) -> None:
    root = project(JOB.format(extra=state_block(s3.url)))
    lock = {"id": "abc", "host": "h", "user": "u", "pid": 1, "command": "c", "since": "s"}
    s3.client().put_object(Bucket=BUCKET, Key=KEY + ".lock", Body=json.dumps(lock).encode())
    code, _, err = cli(root, "force-unlock", "zzz")
    assert code == 1 and "locked with ID abc, not zzz" in err
    code, out, err = cli(root, "force-unlock", "abc")
    assert code == 0 and "u@h" in out
    code, _, err = cli(root, "force-unlock", "abc")
    assert code == 1 and "not locked" in err
