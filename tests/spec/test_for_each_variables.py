"""for_each and variables: instances and their addresses, `${...}` substitution, precedence."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from segspec.cli.main import entrypoint
from segspec.errors import SpecError
from segspec.spec.desired import SpecSet
from segspec.spec.loader import load_specs
from segspec.spec.variables import VariableInputs

HEAD = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
"""


def load(tmp_path: Path, text: str, inputs: VariableInputs | None = None) -> SpecSet:
    specs = tmp_path / "specs"
    specs.mkdir(exist_ok=True)
    (specs / "jobs.yaml").write_text(text, encoding="utf-8")
    return load_specs(specs, inputs or VariableInputs(environ={}))


def problems(tmp_path: Path, text: str, inputs: VariableInputs | None = None) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load(tmp_path, text, inputs)
    return caught.value.problems


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Problems name files relative to the working directory: specs/jobs.yaml.
    monkeypatch.chdir(tmp_path)


def test_for_each_map_plans_three_jobs_with_keyed_addresses(
    project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project(
        HEAD
        + """\
jobs:
  ep:
    for_each: {one: 0, two: 1, three: 2}
    JobParams: {Mode: UserDefined, Ranges: [{In: "${each.value}", Out: 3}]}
    OutputConfig: {ObjectKey: "ep/${each.key}_{index}.mp4"}
"""
    )
    assert entrypoint(["--no-color", "plan", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    changes = {c["address"]: c for c in document["changes"]}
    assert sorted(changes) == ['ep["one"]', 'ep["three"]', 'ep["two"]']
    assert all(c["actions"] == ["create"] for c in changes.values())
    request = changes['ep["two"]']["after"]["request"]
    assert request["JobParams"]["Ranges"] == [{"In": 1.0, "Out": 3.0}]
    # ${each.key} is substituted; the service's {index} is left for the service.
    assert request["OutputConfig"]["ObjectKey"] == "ep/two_{index}.mp4"


def test_for_each_list_form_key_and_value_are_the_entry(tmp_path: Path) -> None:
    specs = load(
        tmp_path,
        HEAD
        + """\
jobs:
  cut:
    for_each: [intro, outro]
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig: {ObjectKey: "${each.key}/${each.value}_{index}.mp4"}
""",
    )
    assert list(specs.jobs) == ['cut["intro"]', 'cut["outro"]']
    keys = [job.request["OutputConfig"]["ObjectKey"] for job in specs.jobs.values()]
    assert keys == ["intro/intro_{index}.mp4", "outro/outro_{index}.mp4"]


def test_for_each_list_of_mixed_scalars_and_keys_to_quote(tmp_path: Path) -> None:
    """A list with numbers, a bool and keys JSON must escape takes the per-key path (its
    keys are the entries' text, addresses quote them as JSON does); a list of plain
    strings the one-pass path, with the same addresses an entry-by-entry load gives."""
    specs = load(
        tmp_path,
        HEAD
        + """\
jobs:
  ep:
    for_each: [1, 2.5, true, 'a"b', "tab\\tin", plain]
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig: {ObjectKey: "${each.key}/{index}.mp4"}
  cut:
    for_each: [intro, "x-1", "\u00e9t\u00e9"]
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig: {ObjectKey: "${each.value}/{index}.mp4"}
""",
    )
    expected = {
        'ep["1"]': "1",
        'ep["2.5"]': "2.5",
        'ep["True"]': "True",
        'ep["a\\"b"]': 'a"b',
        'ep["tab\\tin"]': "tab\tin",
        'ep["plain"]': "plain",
        'cut["intro"]': "intro",
        'cut["x-1"]': "x-1",
        'cut["\u00e9t\u00e9"]': "\u00e9t\u00e9",
    }
    assert sorted(specs.jobs) == sorted(expected)
    for address, key in expected.items():
        assert specs.jobs[address].request["OutputConfig"]["ObjectKey"] == f"{key}/{{index}}.mp4"


def test_for_each_list_duplicates_of_text_and_number_are_refused(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        HEAD
        + """\
jobs:
  ep:
    for_each: [1, "1"]
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig: {ObjectKey: "${each.key}/{index}.mp4"}
""",
    )
    assert found == [
        "specs/jobs.yaml:7:5: jobs.ep.for_each: has duplicate entries — remove them"
    ], found


def test_for_each_value_field_keeps_its_type_and_text_form(tmp_path: Path) -> None:
    specs = load(
        tmp_path,
        HEAD
        + """\
jobs:
  ep:
    for_each:
      a: {out: 2.5, name: first}
      b: {out: 3, name: second}
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: "${each.value.out}"}]}
    OutputConfig: {ObjectKey: "${each.value.name}/${each.value.out}-{index}.mp4"}
""",
    )
    a, b = specs.jobs['ep["a"]'].request, specs.jobs['ep["b"]'].request
    assert a["JobParams"]["Ranges"][0]["Out"] == 2.5
    assert b["JobParams"]["Ranges"][0]["Out"] == 3.0
    assert a["OutputConfig"]["ObjectKey"] == "first/2.5-{index}.mp4"
    assert b["OutputConfig"]["ObjectKey"] == "second/3-{index}.mp4"


def test_interpolation_double_dollar_writes_a_literal(tmp_path: Path) -> None:
    specs = load(
        tmp_path,
        HEAD
        + """\
variables:
  season: {default: s1}
jobs:
  a:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig: {ObjectKey: "${var.season}/$${var.season}_{index}.mp4"}
""",
    )
    assert specs.jobs["a"].request["OutputConfig"]["ObjectKey"] == "s1/${var.season}_{index}.mp4"


PREFIX_SPEC = (
    HEAD
    + """\
variables:
  prefix: {default: from-default}
jobs:
  a:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig: {ObjectKey: "${var.prefix}/a_{index}.mp4"}
"""
)


def _prefix(specs: SpecSet) -> str:
    return str(specs.jobs["a"].request["OutputConfig"]["ObjectKey"]).split("/")[0]


@pytest.mark.parametrize(
    ("env", "file", "flag", "expected"),
    [
        (False, False, False, "from-default"),
        (True, False, False, "from-env"),
        (True, True, False, "from-file"),
        (True, True, True, "from-flag"),
        (False, False, True, "from-flag"),
    ],
)
def test_variables_precedence_default_env_file_flag(
    tmp_path: Path, env: bool, file: bool, flag: bool, expected: str
) -> None:
    var_file = tmp_path / "vars.yaml"
    var_file.write_text("prefix: from-file\n", encoding="utf-8")
    inputs = VariableInputs(
        environ={"SEGSPEC_VAR_prefix": "from-env"} if env else {},
        files=(var_file,) if file else (),
        flags={"prefix": "from-flag"} if flag else {},
    )
    specs = load(tmp_path, PREFIX_SPEC, inputs)
    assert _prefix(specs) == expected
    assert specs.variables == {"prefix": expected}


def test_variables_cli_flags_and_environment_reach_the_plan(
    project: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = project(PREFIX_SPEC)
    (root / "vars.json").write_text('{"prefix": "from-file"}', encoding="utf-8")
    monkeypatch.setenv("SEGSPEC_VAR_prefix", "from-env")

    def key(*args: str) -> str:
        assert entrypoint(["plan", "--json", *args]) == 0
        change = json.loads(capsys.readouterr().out)["changes"][0]
        return str(change["after"]["request"]["OutputConfig"]["ObjectKey"])

    assert key() == "from-env/a_{index}.mp4"
    assert key("--var-file", "vars.json") == "from-file/a_{index}.mp4"
    assert key("--var-file", "vars.json", "--var", "prefix=cli") == "cli/a_{index}.mp4"


def test_variables_typed_integer_conversion(tmp_path: Path) -> None:
    text = (
        HEAD
        + """\
variables:
  out: {type: integer, default: 2}
jobs:
  a:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: "${var.out}"}]}
    OutputConfig: {ObjectKey: "a_${var.out}_{index}.mp4"}
"""
    )
    specs = load(tmp_path, text, VariableInputs(flags={"out": "3"}, environ={}))
    assert specs.variables == {"out": 3}
    request = specs.jobs["a"].request
    assert request["JobParams"]["Ranges"][0]["Out"] == 3.0
    assert request["OutputConfig"]["ObjectKey"] == "a_3_{index}.mp4"

    found = problems(tmp_path, text, VariableInputs(flags={"out": "three"}, environ={}))
    assert found == [
        "specs/jobs.yaml:6:3: variables.out: --var out sets out to 'three', which is not an "
        "integer — fix the value"
    ]
    found = problems(tmp_path, text, VariableInputs(environ={"SEGSPEC_VAR_out": "2.5"}))
    assert len(found) == 1
    assert "environment SEGSPEC_VAR_out sets out to '2.5', which is not an integer" in found[0]


def test_variables_undefined_is_an_error_with_place(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        HEAD
        + """\
jobs:
  a:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig:
      ObjectKey: "${var.nope}/a_{index}.mp4"
""",
    )
    assert len(found) == 1
    assert found[0].startswith("specs/jobs.yaml:9:7: jobs.a.OutputConfig.ObjectKey: ")
    assert "undefined variable 'nope'" in found[0]


def test_variables_flag_for_undeclared_name_is_an_error(tmp_path: Path) -> None:
    found = problems(tmp_path, PREFIX_SPEC, VariableInputs(flags={"prefx": "x"}, environ={}))
    assert len(found) == 1
    assert "--var prefx=...: no variable 'prefx' is declared" in found[0]


def test_each_outside_for_each_is_an_error_with_place(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        HEAD
        + """\
jobs:
  a:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig:
      ObjectKey: "${each.key}_{index}.mp4"
""",
    )
    assert found == [
        "specs/jobs.yaml:9:7: jobs.a.OutputConfig.ObjectKey: ${each.key} is only allowed "
        "in a job with for_each"
    ]


def test_for_each_over_a_variable_set_from_outside(tmp_path: Path) -> None:
    text = (
        HEAD
        + """\
variables:
  episodes: {default: {e1: 0}}
  names: {type: list, default: [x]}
jobs:
  ep:
    for_each: "${var.episodes}"
    JobParams: {Mode: UserDefined, Ranges: [{In: "${each.value}", Out: 3}]}
    OutputConfig: {ObjectKey: "ep/${each.key}_{index}.mp4"}
  n:
    for_each: "${var.names}"
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}]}
    OutputConfig: {ObjectKey: "n/${each.value}_{index}.mp4"}
"""
    )
    assert list(load(tmp_path, text).jobs) == ['ep["e1"]', 'n["x"]']
    inputs = VariableInputs(
        flags={"episodes": "{e2: 1, e3: 2}"}, environ={"SEGSPEC_VAR_names": "[y, z]"}
    )
    specs = load(tmp_path, text, inputs)
    assert list(specs.jobs) == ['ep["e2"]', 'ep["e3"]', 'n["y"]', 'n["z"]']
    assert specs.jobs['ep["e3"]'].request["JobParams"]["Ranges"][0]["In"] == 2.0


def test_variables_without_value_reported_once_at_the_declaration(tmp_path: Path) -> None:
    found = problems(tmp_path, PREFIX_SPEC.replace("{default: from-default}", "{}"))
    assert found == [
        "specs/jobs.yaml:6:3: variables.prefix: has no value — set it with --var "
        "prefix=VALUE, a --var-file, or SEGSPEC_VAR_prefix, or give it a default"
    ]
