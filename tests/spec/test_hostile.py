"""Hostile and careless specs: each is refused at validate with file:line:col, the limit it
hit and the remedy, exit 1 (never a traceback), and nothing is read or hashed first."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from segspec.cli.main import entrypoint
from tests.spec.hostile import CASES, job

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = entrypoint(["--no-color", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_spec_refused_at_validate(name: str, tmp_path: Path, cli: Run) -> None:
    text, fragment = CASES[name]
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "evil.yaml").write_text(text, encoding="utf-8")
    for command in ("validate", "plan"):
        code, _, err = cli("--specs", str(specs), command)
        assert code == 1, err
        assert "Traceback" not in err
        assert fragment in err
        line = err.splitlines()[1]
        file_part, row, col, _ = line.split(":", 3)
        assert file_part.endswith("evil.yaml") and row.isdigit() and col.isdigit(), line
        assert " — " in line  # every message ends with a remedy


def test_hostile_limit_positions_point_at_the_offender(tmp_path: Path, cli: Run) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "a.yaml").write_text(job(media='"media/\\0sample.mp4"'), encoding="utf-8")
    _, _, err = cli("--specs", str(specs), "validate")
    assert ":4:37: the string contains a control character NUL" in err


def test_hostile_unquoted_date_stays_text(project: Callable[[str], Path], cli: Run) -> None:
    # PyYAML would make a datetime of it (not JSON serializable); a spec means the text.
    root = project(job() + "    UserData: {day: 2024-01-01}\n")
    code, out, err = cli("--specs", str(root / "specs"), "plan", "--json")
    assert code == 0, err
    assert json.loads(out)["changes"][0]["after"]["request"]["UserData"] == {"day": "2024-01-01"}


@pytest.mark.parametrize(
    "media",
    ["file:///etc/passwd", "../../../../../../etc/passwd", "/etc/passwd", "~/../../etc/passwd"],
)
def test_hostile_input_outside_project_refused_before_reading(
    media: str, project: Callable[[str], Path], cli: Run
) -> None:
    root = project(job(media=media))
    code, out, err = cli("--specs", str(root / "specs"), "plan", "--json")
    assert code == 1, err
    assert "outside the project directory" in err and "allow_outside_project" in err
    assert "sha256" not in out
    assert not (root / ".segspec" / "cache" / "sha256.json").exists()  # nothing hashed
    assert not (root / "segspec.state.json").exists()


def test_hostile_symlink_out_of_project_refused(
    project: Callable[[str], Path], cli: Run, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "secret.mp4"
    elsewhere.write_bytes(b"secret")
    root = project(job(media="media/link.mp4"))
    os.symlink(elsewhere, root / "specs" / "media" / "link.mp4")
    code, _, err = cli("--specs", str(root / "specs"), "validate")
    assert code == 1 and str(elsewhere) in err and "outside the project" in err


def test_hostile_input_outside_project_allowed_by_opt_in(
    project: Callable[[str], Path], cli: Run, numbered_video: Path
) -> None:
    spec = job(media=f"file://{numbered_video}") + "    local: {allow_outside_project: true}\n"
    root = project(spec)
    code, out, err = cli("--specs", str(root / "specs"), "plan", "--json")
    assert code == 0, err
    assert json.loads(out)["changes"][0]["address"] == "a"


@pytest.mark.parametrize(
    ("media", "fragment"),
    [
        ("oss://clips/../../../../etc/passwd", "contains a '.' or '..' segment"),
        ("oss://clips//etc/passwd", "starts with '/'"),
        ("https://clips.oss-cn-shanghai.aliyuncs.com/%2E%2E/x.mp4", "'..' segment"),
    ],
)
def test_hostile_oss_key_escapes_refused_at_validate(
    media: str, fragment: str, project: Callable[[str], Path], cli: Run
) -> None:
    root = project(job(media=media))
    code, _, err = cli("--specs", str(root / "specs"), "validate")
    assert code == 1 and fragment in err, err


def test_hostile_object_key_leading_slash_message(project: Callable[[str], Path], cli: Run) -> None:
    root = project(job(key='"/abs/a_{index}.mp4"'))
    code, _, err = cli("--specs", str(root / "specs"), "validate")
    assert code == 1
    assert "starts with '/'" in err and "drop the leading '/'" in err
    assert ".." not in err.split("ObjectKey:", 1)[1].split("(", 1)[0]


def test_hostile_spec_symlink_to_dev_zero(tmp_path: Path, cli: Run) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    os.symlink("/dev/zero", specs / "zero.yaml")
    code, _, err = cli("--specs", str(specs), "validate")
    assert code == 1
    assert "zero.yaml:1:1: is not a regular file (it is a character device" in err
    assert "/dev/zero" in err and "no *.yaml" not in err


def test_hostile_for_each_times_defaults_bounded(tmp_path: Path, cli: Run) -> None:
    # 3,000 for_each entries × a 1,000-value defaults block = 3 million values once merged
    defaults = ", ".join(f"k{i}: {i}" for i in range(1000))
    entries = ", ".join(f"e{i}" for i in range(3000))
    text = (
        f"version: 1\ndefaults: {{UserData: {{{defaults}}}}}\n"
        f"jobs: {{a: {{for_each: [{entries}]}}}}\n"
    )
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "a.yaml").write_text(text, encoding="utf-8")
    code, _, err = cli("--specs", str(specs), "validate")
    assert code == 1 and "split the file or use fewer for_each entries" in err, err


def test_hostile_interpolation_growth_bounded(tmp_path: Path, cli: Run) -> None:
    big = "x" * 60000
    text = (
        f"version: 1\nvariables: {{x: {{default: {big}}}}}\n"
        "jobs: {a: {UserData: {k: 'aa${var.x}${var.x}'}}}\n"
    )
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "a.yaml").write_text(text, encoding="utf-8")
    code, _, err = cli("--specs", str(specs), "validate")
    assert code == 1 and "grows past 65,536 characters" in err, err
