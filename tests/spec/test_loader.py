"""The spec loader: valid specs load, and every mistake is reported at once with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from segspec.cli.main import entrypoint
from segspec.errors import SpecError
from segspec.spec.expand import deep_merge
from segspec.spec.loader import load_specs
from tests.conftest import REPO, check_golden

HEAD = """\
version: 1
defaults:
  InputConfig:
    Type: OSS
    Media: media/numbered.mp4
  OutputConfig:
    OutputMediaTarget: oss-object
    Bucket: clips
"""

# One file, many mistakes: each job below carries exactly one.
MANY_MISTAKES = (
    HEAD
    + """\
jobs:
  typo:
    JobParams:
      Mode: UserDefined
      Ranges: [{In: 0, Out: 1}]
    OutputConfig:
      Objectkey: typo_{index}.mp4
  noindex:
    JobParams:
      Mode: UserDefined
      Ranges: [{In: 0, Out: 1}]
    OutputConfig:
      ObjectKey: clips/noindex.mp4
  backwards:
    JobParams:
      Mode: UserDefined
      Ranges:
        - {In: 0, Out: 1}
        - {In: 3, Out: 2}
    OutputConfig:
      ObjectKey: b_{index}.mp4
  badmode:
    JobParams:
      Mode: Userdefined
      Ranges: [{In: 0, Out: 1}]
    OutputConfig:
      ObjectKey: m_{index}.mp4
  split:
    JobParams:
      Mode: BasicClipSplit
      Ranges: [{In: 0, Out: 1}]
    OutputConfig:
      ObjectKey: s_{index}.mp4
  mediaid:
    InputConfig:
      Type: Media
      Media: abc123
    JobParams:
      Mode: UserDefined
      Ranges: [{In: 0, Out: 1}]
    OutputConfig:
      ObjectKey: i_{index}.mp4
  crf:
    JobParams:
      Mode: UserDefined
      Ranges: [{In: 0, Out: 1}]
    OutputConfig:
      ObjectKey: c_{index}.mp4
      Video:
        Crf: 60
  dupkey:
    JobParams:
      Mode: UserDefined
      Ranges: [{In: 0, Out: 1}]
    OutputConfig:
      ObjectKey: d_{index}.mp4
      ObjectKey: e_{index}.mp4
"""
)


def good_job(name: str) -> str:
    """A valid job body (indented under `jobs:`) for the defaults in HEAD."""
    return (
        "    JobParams:\n"
        "      Mode: UserDefined\n"
        "      Ranges: [{In: 0, Out: 1}]\n"
        "    OutputConfig:\n"
        f"      ObjectKey: {name}_{{index}}.mp4\n"
    )


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_specs(directory)
    return caught.value.problems


def test_loader_sample_spec_is_valid() -> None:
    specs = load_specs(REPO / "specs")
    assert sorted(specs.jobs) == ["highlights", "shots", "teaser"]
    teaser = specs.jobs["teaser"]
    assert teaser.request["OutputConfig"]["Video"] == {"Codec": "H.265", "Crf": 30}
    assert teaser.request["OutputConfig"]["ExportAsNewMedia"] is True
    assert specs.digest.startswith("sha256:")


def test_loader_defaults_deep_merge_into_each_job(tmp_path: Path) -> None:
    text = (
        HEAD
        + """\
jobs:
  plain:
"""
        + good_job("plain")
        + """\
  override:
    InputConfig:
      Media: other.mp4
"""
        + good_job("override")
    )
    specs = load_specs(write(tmp_path / "specs", "a.yaml", text))
    plain, override = specs.jobs["plain"].request, specs.jobs["override"].request
    assert plain["InputConfig"] == {"Type": "OSS", "Media": "media/numbered.mp4"}
    # A nested key overrides one default and keeps its siblings.
    assert override["InputConfig"] == {"Type": "OSS", "Media": "other.mp4"}
    assert plain["OutputConfig"]["Bucket"] == override["OutputConfig"]["Bucket"] == "clips"
    assert override["OutputConfig"]["ObjectKey"] == "override_{index}.mp4"


def test_loader_deep_merge_lists_replace_and_inputs_unchanged() -> None:
    base = {"a": {"x": 1, "l": [1, 2]}, "b": 1}
    over = {"a": {"l": [3]}, "c": 2}
    assert deep_merge(base, over) == {"a": {"x": 1, "l": [3]}, "b": 1, "c": 2}
    assert base == {"a": {"x": 1, "l": [1, 2]}, "b": 1}


def test_loader_reports_all_mistakes_golden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "specs", "many.yaml", MANY_MISTAKES)
    monkeypatch.chdir(tmp_path)
    problems = problems_of(Path("specs"))
    text = "\n".join(problems) + "\n"
    check_golden("spec_errors.txt", text)
    # Every job's mistake is there, each with file:line:col and its key path.
    for needle in (
        "specs/many.yaml:",
        "did you mean 'ObjectKey'?",
        "must contain {index}",
        "Ranges[1].Out: must be greater than In",
        "did you mean 'UserDefined'?",
        "not allowed with Mode BasicClipSplit",
        "a media ID is 32 letters and digits",
        "Video.Crf: must be at most 51",
        "duplicate key (first at line",
    ):
        assert needle in text, needle
    assert all(line.startswith("specs/many.yaml:") for line in problems)
    # Ordered as a reader meets them.
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == sorted(lines)


def test_loader_mistake_position_points_at_the_key(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path / "specs", "many.yaml", MANY_MISTAKES))
    typo = next(p for p in problems if "Objectkey" in p)
    lines = MANY_MISTAKES.splitlines()
    _, line, col, _ = typo.split(":", 3)
    assert lines[int(line) - 1][int(col) - 1 :].startswith("Objectkey:")


def test_loader_yaml_syntax_error_has_position(tmp_path: Path) -> None:
    text = "version: 1\njobs:\n  a:\n    JobParams: [unclosed\n    OutputConfig: {}\n"
    problems = problems_of(write(tmp_path / "specs", "broken.yaml", text))
    assert len(problems) == 1
    where, message = problems[0].split(": ", 1)
    file, line, col = where.rsplit(":", 2)
    assert file.endswith("broken.yaml")
    # The parser notices the unclosed flow sequence on the line after it opens.
    assert (int(line), int(col)) == (5, 17)
    assert message.startswith("YAML syntax error:") and "fix the syntax" in message


def test_loader_duplicate_job_name_across_files_names_both(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    job = HEAD + "jobs:\n  shared:\n" + good_job("shared")
    write(specs, "a.yaml", job)
    write(specs, "b.yaml", job)
    problems = problems_of(specs)
    assert len(problems) == 1
    assert "b.yaml:10:3: jobs.shared: job name already used at " in problems[0]
    assert "a.yaml:10:3" in problems[0]
    assert "rename one of them" in problems[0]


def test_loader_unknown_top_level_key(tmp_path: Path) -> None:
    text = HEAD + "job:\n  a:\n" + good_job("a")
    problems = problems_of(write(tmp_path / "specs", "a.yaml", text))
    assert any("a.yaml:9:1: job: unknown key — did you mean 'jobs'?" in p for p in problems)


def test_loader_problems_from_several_files_all_reported(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    write(specs, "a.yaml", "version: 2\njobs: {}\n")
    write(specs, "b.yaml", HEAD + "jobs:\n  b:\n" + good_job("b").replace("0,", "-1,"))
    problems = problems_of(specs)
    assert len(problems) == 2
    assert "a.yaml:1:1: version: unsupported version 2" in problems[0]
    assert "b.yaml:" in problems[1] and "Ranges[0].In: must be at least 0" in problems[1]


def test_loader_error_from_defaults_points_into_defaults(tmp_path: Path) -> None:
    text = HEAD.replace("Bucket: clips", "Bucket: Bad_Bucket") + "jobs:\n  a:\n"
    text += good_job("a")
    problems = problems_of(write(tmp_path / "specs", "a.yaml", text))
    assert len(problems) == 1
    # The value was written under defaults (line 8), not under the job.
    assert ":8:5: jobs.a.OutputConfig.Bucket:" in problems[0]


def test_validate_bad_spec_exits_1_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "specs", "many.yaml", MANY_MISTAKES)
    monkeypatch.chdir(tmp_path)
    assert entrypoint(["validate"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert captured.err.startswith("Error: 9 problems in the specs:")
    assert "specs/many.yaml:" in captured.err


def test_validate_good_spec_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "specs", "a.yaml", HEAD + "jobs:\n  a:\n" + good_job("a"))
    monkeypatch.chdir(tmp_path)
    assert entrypoint(["validate", "--help"]) == 0
    capsys.readouterr()
    assert entrypoint(["validate"]) == 0
    assert "1 job in 1 file valid." in capsys.readouterr().out
