"""examples/ci/segspec.yml: its segspec commands, in its order, against moto on loopback.

The workflow file is read, not copied: each `run:` line that calls segspec is executed
in-process (a `> FILE` redirect captures stdout into FILE), so a change to the workflow's
commands changes what this test runs. The pull request's plan job runs in one checkout,
the apply job after merge in a fresh one, sharing only the bucket and the plan artifact.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from segspec.cli.main import entrypoint
from tests.backends.s3server import S3Server, loopback_only
from tests.conftest import REPO

pytestmark = pytest.mark.slow

WORKFLOW = REPO / "examples" / "ci" / "segspec.yml"
SPEC = """\
version: 1
engine: {{type: local, object_endpoint: '{url}'}}
jobs:
  alpha:
    InputConfig: {{Type: OSS, Media: media/numbered.mp4}}
    JobParams:
      Mode: UserDefined
      Ranges: [{{In: 0, Out: {out}}}]
    OutputConfig:
      OutputMediaTarget: oss-object
      Bucket: team-clips
      ObjectKey: alpha/clip_{{index}}.mp4
    local: {{preset: ultrafast}}
"""


def segspec_lines(job: str) -> list[str]:
    """The segspec commands of one workflow job, in order."""
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"][job]["steps"]
    lines = []
    for step in steps:
        for line in str(step.get("run", "")).splitlines():
            line = line.strip()
            if line.startswith("segspec "):
                lines.append(line.split(" || ")[0])
    return lines


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    loopback_only(monkeypatch, tmp_path)
    monkeypatch.delenv("SEGSPEC_BACKEND", raising=False)
    s3_server.reset()
    for bucket in ("team-state", "team-clips"):
        s3_server.client().create_bucket(Bucket=bucket)
    env = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["env"]
    monkeypatch.setenv("SEGSPEC_STATE", env["SEGSPEC_STATE"])
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.url)  # the workflow's, on loopback
    return s3_server


def checkout(tmp_path: Path, name: str, numbered_video: Path, spec: str) -> Path:
    specs = tmp_path / name / "specs"
    (specs / "media").mkdir(parents=True)
    shutil.copyfile(numbered_video, specs / "media" / "numbered.mp4")
    (specs / "jobs.yaml").write_text(spec, encoding="utf-8")
    return tmp_path / name


def run_line(
    line: str, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    words = shlex.split(line)
    target = None
    if ">" in words:
        target = root / words[words.index(">") + 1]
        words = words[: words.index(">")]
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = entrypoint(["--no-color", *words[1:]])
    out, err = capsys.readouterr()
    if target is not None:
        target.write_text(out, encoding="utf-8")
    return code, out + err


def test_ci_workflow_commands_in_order(
    s3: S3Server,
    tmp_path: Path,
    numbered_video: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan_job, apply_job = segspec_lines("plan"), segspec_lines("apply")
    assert plan_job == [
        "segspec init",
        "segspec plan --out plan.json --detailed-exitcode",
        "segspec show plan.json",
        "segspec plan --markdown > plan.md",
    ]
    assert apply_job == ["segspec apply plan.json"]

    # main as it is: applied once (by a teammate, or by this workflow earlier).
    main = checkout(tmp_path, "main", numbered_video, SPEC.format(url=s3.url, out=0.4))
    assert run_line("segspec apply --auto-approve", main, monkeypatch, capsys)[0] == 0

    # The pull request changes a range; its runner has nothing but the checkout.
    pr = checkout(tmp_path, "pr", numbered_video, SPEC.format(url=s3.url, out=0.6))
    codes = {}
    for line in plan_job:
        code, text = run_line(line, pr, monkeypatch, capsys)
        codes[line] = code
        assert code in (0, 2), text
    assert codes["segspec plan --out plan.json --detailed-exitcode"] == 2
    assert "JobParams.Ranges[0].Out: 0.4 → 0.6" in (pr / "plan.md").read_text()
    artifact = (pr / "plan.json").read_bytes()

    # After merge: a fresh checkout of main (now with the change) and the artifact.
    merged = checkout(tmp_path, "merged", numbered_video, SPEC.format(url=s3.url, out=0.6))
    (merged / "plan.json").write_bytes(artifact)
    for line in apply_job:
        code, text = run_line(line, merged, monkeypatch, capsys)
        assert code == 0, text
        assert "Apply complete: 1 finished" in text
    code, text = run_line("segspec plan --detailed-exitcode", main, monkeypatch, capsys)
    assert code == 2  # main's old checkout is behind the specs, not the state
    code, text = run_line("segspec plan --detailed-exitcode", merged, monkeypatch, capsys)
    assert code == 0, text
