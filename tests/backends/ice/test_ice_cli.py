"""End to end: the segspec CLI, the real SDK and the emulator on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from segspec.backends import registry
from segspec.backends.base import JobRequest
from segspec.backends.ice import RetryPolicy, make_ice_backend
from segspec.cli.main import entrypoint
from segspec.schemas import SCHEMA_DIR
from segspec.testing.ice_emulator import Fault, FaultSettings, IceEmulator, ServiceSettings

SPEC = """\
version: 1
backend:
  type: ice
  region: cn-shanghai
  endpoint: {endpoint}
defaults:
  InputConfig: {{Type: OSS, Media: "https://media-in.oss-cn-shanghai.aliyuncs.com/raw/{input}"}}
  OutputConfig: {{OutputMediaTarget: oss-object, Bucket: media-out}}
jobs:
{jobs}"""
USER_DEFINED = """\
  {name}:
    JobParams:
      Mode: UserDefined
      Ranges: [{{In: 0, Out: 10}}, {{In: 20, Out: 30}}]
    OutputConfig: {{ObjectKey: "clips/{name}_{{index}}.mp4"}}
"""
BASIC = """\
  {name}:
    JobParams: {{Mode: BasicClipSplit}}
    OutputConfig: {{ObjectKey: "shots/{name}_{{index}}.mp4"}}
"""


class Project:
    def __init__(self, root: Path, emu: IceEmulator) -> None:
        self.root, self.emu = root, emu
        self.specs = root / "specs"
        self.specs.mkdir(parents=True, exist_ok=True)
        self.state = root / "segspec.state.json"

    def write(self, user_defined: int = 2, basic: int = 1, input_name: str = "in.mp4") -> None:
        jobs = "".join(USER_DEFINED.format(name=f"cut{i}") for i in range(user_defined))
        jobs += "".join(BASIC.format(name=f"shots{i}") for i in range(basic))
        text = SPEC.format(endpoint=self.emu.url, input=input_name, jobs=jobs)
        (self.specs / "jobs.yaml").write_text(text)

    def run(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        code = entrypoint(["--specs", str(self.specs), *args])
        out, err = capsys.readouterr()
        return code, out, err

    def jobs(self) -> dict[str, Any]:
        return dict(json.loads(self.state.read_text())["jobs"])


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch, access_key_id: str, planted_secret: str) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", access_key_id)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", planted_secret)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch, fake_time: Any) -> None:
    """The registry's ice factory, with retries that sleep on a fake clock."""

    def factory(config: Any, store_root: Path) -> Any:
        return make_ice_backend(
            config,
            retry=RetryPolicy(max_attempts=15, max_total_seconds=1e6),
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            poll_seconds=0.0,
            seed=5,
        )

    entry = dataclasses.replace(registry.REGISTRY["ice"], make=factory)
    monkeypatch.setitem(registry.REGISTRY, "ice", entry)


@pytest.fixture
def project(tmp_path: Path, emulator: IceEmulator) -> Iterator[Project]:
    yield Project(tmp_path / "proj", emulator)


def test_ice_cli_apply_records_ai_results_and_second_apply_does_nothing(
    project: Project, creds: None, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(user_defined=2, basic=1)
    code, out, err = project.run(capsys, "apply", "--auto-approve")
    assert code == 0, err

    jobs = project.jobs()
    assert {a: j["status"] for a, j in jobs.items()} == dict.fromkeys(
        ["cut0", "cut1", "shots0"], "Finished"
    )
    cut = jobs["cut0"]["ai_result"]["SegmentationResult"]
    assert [o["ObjectKey"] for o in cut["OutputObjectResults"]] == [
        "clips/cut0_0.mp4",
        "clips/cut0_1.mp4",
    ]
    assert len(jobs["shots0"]["outputs"]) == 3
    assert jobs["cut0"]["media_url"].endswith("/raw/in.mp4")
    submits = project.emu.requests["SubmitSegmentationJob"]

    code, out, _ = project.run(capsys, "apply", "--auto-approve")
    assert code == 0
    assert out.startswith("No changes.")
    assert project.emu.requests["SubmitSegmentationJob"] == submits
    assert project.emu.service.counters.jobs_created == 3


def test_ice_cli_throttling_and_server_errors_still_one_job_per_spec(
    emulator_factory: Callable[..., IceEmulator],
    tmp_path: Path,
    creds: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = emulator_factory(faults=FaultSettings(throttle_rate=0.3, server_error_rate=0.1, seed=4))
    proj = Project(tmp_path, emu)
    proj.write(user_defined=5, basic=3)
    code, _, err = proj.run(capsys, "apply", "--auto-approve", "--parallelism", "4")

    assert code == 0, err
    assert all(j["status"] == "Finished" for j in proj.jobs().values())
    assert emu.faults.injected[Fault.THROTTLE] > 0 and emu.faults.injected[Fault.SERVER_ERROR] > 0
    assert emu.service.counters.jobs_created == 8
    assert sorted(emu.service.counters.by_address) == sorted(proj.jobs())
    assert set(emu.service.counters.by_address.values()) == {1}


def test_ice_cli_server_error_after_create_then_retry_one_job(
    project: Project, creds: None, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(user_defined=1, basic=0)
    project.emu.faults.queue("SubmitSegmentationJob", Fault.ERROR_AFTER_CREATE)
    code, _, err = project.run(capsys, "apply", "--auto-approve")

    assert code == 0, err
    assert project.emu.responses[("SubmitSegmentationJob", "InternalError")] == 1
    assert project.emu.service.counters.jobs_created == 1
    assert project.jobs()["cut0"]["status"] == "Finished"


def test_ice_cli_killed_after_submit_rerun_creates_no_second_job(
    emulator_factory: Callable[..., IceEmulator],
    tmp_path: Path,
    creds: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = emulator_factory(faults=FaultSettings(slow_seconds=60))
    emu.faults.queue("SubmitSegmentationJob", Fault.SLOW)  # job created, answer withheld
    proj = Project(tmp_path, emu)
    proj.write(user_defined=1, basic=0)
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "segspec.cli.main",
            "--specs",
            str(proj.specs),
            "apply",
            "--auto-approve",
        ],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert emu.service.wait_for_jobs(1, timeout=60)
    finally:
        child.kill()
        child.wait()
    journal = proj.state.with_name(proj.state.name + ".journal")
    assert '"status":"Submitting"' in journal.read_text()  # token recorded before sending

    code, out, err = proj.run(capsys, "apply", "--auto-approve")

    assert code == 0, err
    assert "same ClientToken" in out
    assert emu.service.counters.jobs_created == 1
    assert proj.jobs()["cut0"]["status"] == "Finished"
    assert emu.requests["SubmitSegmentationJob"] == 2


def test_ice_cli_wrong_credentials_exit_1_and_state_unchanged(
    project: Project,
    creds: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project.write(user_defined=1, basic=0)
    assert project.run(capsys, "apply", "--auto-approve")[0] == 0
    before = project.state.read_bytes()
    project.write(user_defined=2, basic=1)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "a-wrong-secret-123")

    code, _, err = project.run(capsys, "apply", "--auto-approve")

    assert code == 1
    assert "SignatureDoesNotMatch" in err and "check the AccessKey secret" in err
    assert "a-wrong-secret-123" not in err
    assert project.state.read_bytes() == before
    assert not project.state.with_name(project.state.name + ".journal").exists()
    assert project.emu.service.counters.jobs_created == 1


def test_ice_cli_region_mismatch_caught_before_any_request(
    project: Project, creds: None, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(user_defined=1, basic=0)
    spec = project.specs / "jobs.yaml"
    spec.write_text(spec.read_text().replace("oss-cn-shanghai", "oss-cn-beijing"))

    for command in ("validate", "plan"):
        code, _, err = project.run(capsys, command)
        assert code == 1
        assert (
            "jobs.yaml:7:28: jobs.cut0.InputConfig.Media: the input is in OSS region "
            "cn-beijing but the backend's region is cn-shanghai" in err
        )
    assert sum(project.emu.requests.values()) == 0


def test_ice_cli_no_wait_then_refresh_collects(
    emulator_factory: Callable[..., IceEmulator],
    tmp_path: Path,
    creds: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = emulator_factory(service=ServiceSettings(polls_to_finish=2))
    proj = Project(tmp_path, emu)
    proj.write(user_defined=1, basic=1)
    code, out, err = proj.run(capsys, "apply", "--auto-approve", "--no-wait")
    assert code == 0, err
    assert {j["status"] for j in proj.jobs().values()} == {"Created"}

    code, out, _ = proj.run(capsys, "plan")
    assert "(read)" in out and "2 to read" in out

    code, out, err = proj.run(capsys, "refresh")
    assert code == 0, err
    assert {j["status"] for j in proj.jobs().values()} == {"Finished"}
    assert emu.service.counters.jobs_created == 2
    assert proj.run(capsys, "refresh")[1].startswith("Nothing to refresh")


def test_ice_cli_import_adopts_matching_job_and_refuses_others(
    project: Project,
    creds: None,
    capsys: pytest.CaptureFixture[str],
    backend_for: Callable[..., Any],
    make_user_defined: Callable[..., Any],
) -> None:
    project.write(user_defined=1, basic=1)
    backend = backend_for(project.emu)
    stranger = backend.submit(make_user_defined("stranger"))
    code, _, err = project.run(capsys, "import", "cut0", stranger)
    assert code == 1
    assert (
        "InputConfig.Media: spec 'https://media-in.oss-cn-shanghai.aliyuncs.com/raw/in.mp4'" in err
    )
    assert "OutputConfig.ObjectKey" in err

    request = make_user_defined("cut0").request | {
        "InputConfig": {
            "Type": "OSS",
            "Media": "https://media-in.oss-cn-shanghai.aliyuncs.com/raw/in.mp4",
        },
        "OutputConfig": {
            "OutputMediaTarget": "oss-object",
            "Bucket": "media-out",
            "ObjectKey": "clips/cut0_{index}.mp4",
        },
        "UserData": None,
    }
    adopted = backend.submit(
        JobRequest(address="elsewhere", fingerprint="x", client_token="hand-made", request=request)
    )
    code, _, err = project.run(capsys, "import", "cut0", adopted)
    assert code == 1 and "address: the job was submitted for 'elsewhere'" in err

    plain = backend.submit(
        JobRequest(address="cut0", fingerprint="x", client_token="hand-made-2", request=request)
    )
    code, _, err = project.run(capsys, "import", "cut0", plain)
    assert code == 1 and "fingerprint: spec sha256:" in err
    assert not project.state.exists()


def test_ice_cli_import_after_lost_state_records_the_job(
    project: Project, creds: None, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(user_defined=1, basic=0)
    assert project.run(capsys, "apply", "--auto-approve")[0] == 0
    job_id = project.jobs()["cut0"]["job_id"]
    assert project.run(capsys, "state", "rm", "cut0")[0] == 0

    code, out, err = project.run(capsys, "import", "cut0", job_id)

    assert code == 0, err
    assert f"Imported job {job_id} as cut0 (Finished)" in out
    assert project.jobs()["cut0"]["outputs"][1]["object_key"] == "clips/cut0_1.mp4"
    assert project.run(capsys, "plan")[1].startswith("No changes.")
    assert project.emu.service.counters.jobs_created == 1


def test_ice_cli_planted_secret_appears_in_no_artifact(
    project: Project,
    creds: None,
    capsys: pytest.CaptureFixture[str],
    planted_secret: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project.write(user_defined=1, basic=1)
    outputs = [project.run(capsys, "plan", "--out", str(project.root / "saved.plan"))]
    outputs.append(project.run(capsys, "apply", "--auto-approve"))
    outputs += [
        project.run(capsys, "show"),
        project.run(capsys, "show", "cut0"),
        project.run(capsys, "state", "show", "cut0"),
        project.run(capsys, "output", "cut0", "--json"),
    ]
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIunknown")
    project.write(user_defined=2, basic=1)
    outputs.append(project.run(capsys, "apply", "--auto-approve"))
    assert outputs[-1][0] == 1

    texts = [out + err for _, out, err in outputs]
    files = [p for p in project.root.rglob("*") if p.is_file()]
    assert project.state in files
    leaks = [t for t in texts if planted_secret in t]
    leaks += [str(p) for p in files if planted_secret.encode() in p.read_bytes()]
    assert leaks == []


def test_ice_cli_throttled_calls_emit_retrying_with_reason_and_delay(
    project: Project, creds: None, capsys: pytest.CaptureFixture[str], fake_time: Any
) -> None:
    project.write(user_defined=1, basic=1)
    project.emu.faults.queue("SubmitSegmentationJob", Fault.THROTTLE, Fault.THROTTLE)
    project.emu.faults.queue("GetSmartHandleJob", Fault.SERVER_ERROR)
    code, out, err = project.run(capsys, "apply", "--auto-approve", "--json", "--parallelism", "1")
    assert code == 0, err

    lines = [json.loads(text) for text in out.splitlines()]
    schema = json.loads((SCHEMA_DIR / "events.schema.json").read_text())
    for line in lines:
        jsonschema.validate(line, schema)
    retries = [line for line in lines if line["type"] == "job_retrying"]
    submits = [r for r in retries if r["call"] == "SubmitSegmentationJob"]
    assert len(submits) == 2 and all(r["address"] == "cut0" for r in submits)
    assert all("Throttling.User" in r["reason"] for r in submits)
    assert [r["attempt"] for r in submits] == [1, 2]
    gets = [r for r in retries if r["call"] == "GetSmartHandleJob"]
    assert len(gets) == 1 and "ServiceUnavailable" in gets[0]["reason"]
    assert all("RequestId" in r["reason"] and "gave up" not in r["reason"] for r in retries)
    # The delays are the pauses the retrier really took, in order.
    assert [r["delay_seconds"] for r in retries] == pytest.approx(fake_time.sleeps)
    # Each retry sits between the job's start and its end.
    for retry in retries:
        mine = [i for i, line in enumerate(lines) if line.get("address") == retry["address"]]
        index = lines.index(retry)
        kinds = [lines[i]["type"] for i in mine]
        assert kinds[0] == "job_queued" and kinds[-1] == "job_finished"
        assert mine[1] < index < mine[-1]
    assert lines[-1]["type"] == "operation_finished" and lines[-1]["failed"] == []


def test_ice_cli_throttled_calls_show_as_plain_lines(
    project: Project, creds: None, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(user_defined=1, basic=0)
    project.emu.faults.queue("SubmitSegmentationJob", Fault.THROTTLE)
    code, out, err = project.run(capsys, "--no-color", "apply", "--auto-approve")
    assert code == 0, err
    assert re.search(
        r"^↻ cut0 retrying SubmitSegmentationJob in \d+\.\d\d s \(attempt 2\): .*Throttling\.User",
        out,
        re.M,
    )
    assert out.index("… cut0 submitting") < out.index("↻ cut0") < out.index("→ cut0 submitted")
    assert "\x1b[" not in out
