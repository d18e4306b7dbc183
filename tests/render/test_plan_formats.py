"""Plan output in its three formats (human, --json, --markdown), colour and exit codes.

One real project is applied once, then moved into a state where the next plan holds every
action: `new` is created, `a` replaced (two reasons), `b` read (its record is Executing),
`old` deleted (gone from the specs) and `keep` a no-op.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from segspec.cli.main import entrypoint
from segspec.render.plan_json import plan_schema
from segspec.state.store import StateStore
from tests.conftest import REPO, check_golden

HEAD = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
jobs:
"""


def job(name: str, out: float = 1, key: str | None = None) -> str:
    return (
        f"  {name}:\n"
        f"    JobParams: {{Mode: UserDefined, Ranges: [{{In: 0, Out: {out}}}]}}\n"
        f'    OutputConfig: {{ObjectKey: "{key or name}/clip_{{index}}.mp4"}}\n'
    )


BEFORE = HEAD + job("a") + job("b") + job("keep") + job("old")
AFTER = HEAD + job("a", out=1.5, key="a2") + job("b") + job("keep") + job("new")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, numbered_video: Path) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("formats")
    specs = root / "specs"
    (specs / "media").mkdir(parents=True)
    shutil.copyfile(numbered_video, specs / "media" / "numbered.mp4")
    (specs / "jobs.yaml").write_text(BEFORE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        assert entrypoint(["--no-color", "apply", "--auto-approve"]) == 0
    state = StateStore.open(root / "segspec.state.json")
    record = state.get("b")
    assert record is not None
    # A job still running on the backend: the next plan reads it (a fixed id keeps it stable).
    state.put(record.model_copy(update={"status": "Executing", "job_id": "job-0001"}))
    state.compact()
    state.close()
    (specs / "jobs.yaml").write_text(AFTER, encoding="utf-8")
    yield root


@pytest.fixture
def in_scenario(scenario: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(scenario)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return scenario


def plan_output(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert entrypoint(["--no-color", "plan", *args]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


HEX32 = re.compile(r"^[0-9a-f]{32}$")


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    """Replace what depends on the machine's ffmpeg build or on chance with placeholders."""
    document["state"]["lineage"] = "<lineage>"
    for change in document["changes"]:
        for side in (change["before"], change["after"]):
            if side is None:
                continue
            if side.get("input"):
                side["input"]["sha256"] = "<sha256>"
                side["input"]["size"] = "<size>"
            if HEX32.match(str(side.get("job_id"))):
                side["job_id"] = "<job-id>"
    return document


def test_plan_human_golden(in_scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = plan_output(capsys)
    assert "\x1b[" not in out
    check_golden("plan_formats_human.txt", out)


def test_plan_markdown_golden(in_scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_golden("plan_formats_markdown.md", plan_output(capsys, "--markdown"))


def test_plan_json_golden_and_schema(in_scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = plan_output(capsys, "--json")
    # Local paths and mtimes never reach the document, so it is the same on every machine.
    assert str(in_scenario) not in out
    assert "mtime" not in out and '"path"' not in out
    document = json.loads(out)
    committed = json.loads((REPO / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    assert committed == plan_schema()
    jsonschema.Draft202012Validator(committed).validate(document)
    assert document["summary"] == {"create": 1, "replace": 1, "delete": 1, "read": 1, "no-op": 1}
    actions = {c["address"]: c["actions"] for c in document["changes"]}
    assert actions == {
        "a": ["delete", "create"],
        "b": ["read"],
        "keep": ["no-op"],
        "new": ["create"],
        "old": ["delete"],
    }
    golden = json.dumps(normalized(document), indent=2, sort_keys=True, ensure_ascii=False)
    check_golden("plan_formats.json", golden + "\n")


def test_plan_json_schema_rejects_unknown_actions(
    in_scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(plan_output(capsys, "--json"))
    document["changes"][0]["actions"] = ["update"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(plan_schema()).validate(document)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def plan_on_terminal(*args: str) -> str:
    terminal = Terminal()
    with contextlib.redirect_stdout(terminal):
        assert entrypoint([*args[:1], "plan", *args[1:]] if args else ["plan"]) == 0
    return terminal.getvalue()


def test_plan_colour_only_on_a_terminal(
    in_scenario: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    coloured = plan_on_terminal()
    assert "\x1b[32m+\x1b[0m" in coloured  # green create symbol
    assert "\x1b[33m-/+\x1b[0m" in coloured
    # The same text once the escapes are removed.
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plan_output(capsys)

    # Not a terminal (captured output): no colour even without --no-color.
    assert entrypoint(["plan"]) == 0
    assert "\x1b[" not in capsys.readouterr().out


def test_plan_no_color_env_and_flag_respected(
    in_scenario: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    assert "\x1b[" in plan_on_terminal()
    flagged = plan_on_terminal("--no-color")
    assert "\x1b[" not in flagged and "-/+ a (replace)" in flagged
    monkeypatch.setenv("NO_COLOR", "1")
    from_env = plan_on_terminal()
    assert "\x1b[" not in from_env and "-/+ a (replace)" in from_env


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), 2),  # changes
        (("--target", "keep"), 0),  # only the no-op: nothing to do
        (("--target", "nothing-here"), 1),  # an error
    ],
)
def test_plan_detailed_exitcode(
    in_scenario: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int
) -> None:
    assert entrypoint(["--no-color", "plan", "--detailed-exitcode", *args]) == code
    # Without the flag, changes are not an error.
    if code != 1:
        assert entrypoint(["--no-color", "plan", *args]) == 0


def test_plan_detailed_exitcode_spec_error_is_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bad.yaml").write_text("version: 1\njobs: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert entrypoint(["--no-color", "plan", "--detailed-exitcode"]) == 1
    assert "problem in the specs" in capsys.readouterr().err
