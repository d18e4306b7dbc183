"""Runs of one-line list items read by a regular expression (segspec.spec.yamlruns) give
`read_plain` exactly `read_yaml`'s data and shallow positions; any text the runs are not
what they seem in (a block scalar, a continued scalar, keys, positioned lists) is read
without them, and nothing `read_yaml` refuses or reports is accepted."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segspec.spec import yamlruns
from segspec.spec.limits import LimitError
from segspec.spec.yamlpos import PLAIN_DEPTH, YamlSyntaxError, _read_plain, read_plain, read_yaml


@pytest.fixture(autouse=True)
def short_runs() -> Iterator[None]:
    """Runs of 3 lines already count (the texts stay small)."""
    kept, yamlruns.MIN_RUN = yamlruns.MIN_RUN, 3
    try:
        yield
    finally:
        yamlruns.MIN_RUN = kept


def _names(n: int, at: int = 0) -> list[str]:
    return [f"ep{i:06d}" for i in range(at, at + n)]


def _block(names: list[str], indent: str = "    ", quoted: bool = False) -> str:
    return "".join(f'{indent}- "{n}"\n' if quoted else f"{indent}- {n}\n" for n in names)


SPEC_HEAD = "version: 1\ndefaults:\n  InputConfig: {Type: OSS}\njobs:\n"
JOB = "  ep:\n    InputConfig: {Media: 'media/${each.key}.mp4'}\n    for_each:\n"

SPLICED = {  # texts whose runs must be read through their sentinels
    "block for_each": SPEC_HEAD + JOB + _block(_names(50)) + "  later:\n    x: 1\n",
    "block for_each, quoted": SPEC_HEAD + JOB + _block(_names(20), quoted=True) + "  b: {}\n",
    "compact block (same indent as the key)": SPEC_HEAD
    + "  ep:\n    for_each:\n"
    + _block(_names(9), "    ")
    + "    Other: 2\n",
    "json": json.dumps(
        {"version": 1, "jobs": {"ep": {"for_each": _names(40)}, "solo": {"a": [1]}}}, indent=1
    )
    + "\n",
    "two runs and jobs after each": SPEC_HEAD
    + JOB
    + _block(_names(30))
    + "  mid:\n    for_each:\n"
    + _block(_names(12, 100), "      ")
    + "    Note: x\n  last: {}\n",
    "items of every allowed character": SPEC_HEAD
    + JOB
    + _block(["a", "_b", "c.d", "e/f-g", "9z", "h_1.2/3", "x-"])
    + "    q:\n"
    + _block(["a:b", "c@d", "e+f", "", "1", "true", "null", "~"], "      ", quoted=True),
    "nested lists": "version: 1\njobs:\n  a:\n    b:\n      -\n"
    + _block(_names(5), "        ")
    + "      - x\n",
    "a run ending the file without a newline after it": SPEC_HEAD
    + JOB
    + _block(_names(5)).rstrip("\n")
    + "\n",
    "comment after the run": SPEC_HEAD + JOB + _block(_names(5)) + "    # done\n  z: 1\n",
}

READ_WHOLE = {  # texts whose runs are not what they seem: read without them (same data)
    "a literal block scalar": "version: 1\njobs:\n  a:\n    text: |\n"
    + _block(_names(6), "      "),
    "a folded block scalar": "version: 1\njobs:\n  a:\n    text: >\n" + _block(_names(6), "      "),
    "a continued plain scalar": "version: 1\njobs:\n  a:\n    k: x\n" + _block(_names(6), "      "),
    "continued after the run": SPEC_HEAD + JOB + _block(_names(6)) + "      more words\n",
    "a run at the top (positioned items)": "version: 1\njobs:\n" + _block(_names(6), ""),
    "a run under a top key (positioned items)": "version: 1\nthings:\n"
    + _block(_names(6), "  ")
    + "jobs: {}\n",
    "keys of a flow mapping": 'version: 1\njobs: {\n  "a",\n  "b",\n  "c",\n  "d",\n}\n',
    "a multi-line double-quoted scalar": 'version: 1\njobs:\n  a: "start\n'
    + _block(_names(6), "    ")
    + '    end"\n',
    "a multi-line single-quoted scalar": "version: 1\njobs:\n  a: 'start\n"
    + _block(_names(6), "    ")
    + "    end'\n",
    "items YAML reads as other types": SPEC_HEAD
    + JOB
    + _block(["a", "true", "b", "null", "c", "1_000", "d", "2001-12-14", "No", "e"]),
    "the sentinels' mark in the text": SPEC_HEAD
    + JOB
    + _block(_names(5))
    + "    note: zzsegspecrun\n",
}


def _same_as_read_yaml(text: str) -> None:
    full = read_yaml(text)
    plain = read_plain(text)
    assert not full.problems
    assert plain is not None
    assert repr(plain.data) == repr(full.data)
    shallow = {p: pos for p, pos in full.positions.items() if len(p) <= PLAIN_DEPTH}
    assert plain.positions == shallow


@pytest.mark.parametrize("name", sorted(SPLICED))
def test_runs_read_through_sentinels_are_what_read_yaml_builds(name: str) -> None:
    text = SPLICED[name]
    cut = yamlruns.cut_runs(text)
    assert cut is not None and cut.runs
    assert len(cut.text) < len(text)
    assert _read_plain(cut.text, cut) is not None  # the sentinels were all met
    _same_as_read_yaml(text)


@pytest.mark.parametrize("name", sorted(READ_WHOLE))
def test_runs_that_are_not_what_they_seem_are_read_whole(name: str) -> None:
    text = READ_WHOLE[name]
    cut = yamlruns.cut_runs(text)
    if cut is not None:
        assert _read_plain(cut.text, cut) is None
    _same_as_read_yaml(text)


def test_line_numbers_after_runs_are_those_of_the_whole_text() -> None:
    text = SPLICED["two runs and jobs after each"]
    plain = read_plain(text)
    assert plain is not None
    lines = text.splitlines()
    for name in ("ep", "mid", "last"):
        line, column = plain.positions[("jobs", name)]
        assert lines[line - 1][column - 1 :].startswith(f"{name}:")


def test_a_short_list_is_left_to_the_parser() -> None:
    yamlruns.MIN_RUN = 64
    text = SPEC_HEAD + JOB + _block(_names(63))
    assert yamlruns.cut_runs(text) is None
    assert yamlruns.cut_runs(SPEC_HEAD + JOB + _block(_names(64))) is not None


def test_a_long_item_is_left_to_the_parser() -> None:
    long = "a" * (yamlruns.LONGEST + 1)
    text = SPEC_HEAD + JOB + _block(["b", long, "c", "d"])
    cut = yamlruns.cut_runs(text)
    assert cut is None or all(long not in run.items for run in cut.runs.values())
    _same_as_read_yaml(text)


# Texts made of lines of the shapes runs have, mixed with the YAML around them that could
# change what they mean: most are not valid YAML at all (then read_plain must give up too).
_ITEMS = st.sampled_from(["a", "b1", "x.y", "c-d", "e/f", "true", "1", "null", "~", "no", "a:b"])
_INDENTS = st.sampled_from(["", "  ", "    ", "      "])
_LINE = st.one_of(
    st.tuples(_INDENTS, st.sampled_from(["- {}", '- "{}"', '"{}",', '"{}"']), _ITEMS),
    st.tuples(
        _INDENTS,
        st.sampled_from(
            [
                "{}:",
                "k{}: |",
                "k{}: >",
                "k{}: [",
                "]",
                "}}",
                "k{}: {{",
                "# {}",
                "",
                "k{}: v",
                "-",
                "- - {}",
                "k{}: 'x",
                'k{}: "x',
                "x'",
                'x"',
            ]
        ),
        _ITEMS,
    ),
)


_OPENERS = st.sampled_from(
    [
        "",
        "jobs:\n  ep:\n    for_each:\n",
        "jobs:\n  ep:\n    for_each: [\n",
        "jobs:\n  ep:\n    for_each:\n      -\n",
        "jobs:\n  ep:\n    text: |\n",
        "jobs:\n  ep: {\n",
        "jobs:\n  ep:\n    k: x\n",
    ]
)
_NEAR = st.tuples(
    st.sampled_from(["    ", "      ", "        "]),
    st.sampled_from(["- {}", '- "{}"', '"{}",']),
    _ITEMS,
)


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = ["version: 1\n", draw(_OPENERS)]
    for _ in range(draw(st.integers(1, 8))):
        indent, shape, item = draw(st.one_of(_NEAR, _NEAR, _LINE))
        times = draw(st.sampled_from([1, 1, 2, 3, 5]))
        for _ in range(times):
            parts.append(indent + shape.format(draw(_ITEMS) if times > 1 else item) + "\n")
    return "".join(parts)


@settings(
    max_examples=600,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(_texts())
def test_read_plain_with_runs_is_read_yaml_or_gives_up(text: str) -> None:
    try:
        full = read_yaml(text)
    except (YamlSyntaxError, LimitError):
        assert read_plain(text) is None
        return
    plain = read_plain(text)
    if full.problems:
        assert plain is None
        return
    cut = yamlruns.cut_runs(text)
    spliced = _read_plain(cut.text, cut) if cut is not None else None
    for found in (plain, spliced):
        if found is not None:
            assert repr(found.data) == repr(full.data)
            shallow = {p: pos for p, pos in full.positions.items() if len(p) <= PLAIN_DEPTH}
            assert found.positions == shallow


def test_block_list_made_by_a_yaml_writer() -> None:
    doc = {"version": 1, "jobs": {"ep": {"for_each": _names(200)}, "after": {"x": 1}}}
    text = yaml.safe_dump(doc, sort_keys=False)
    cut = yamlruns.cut_runs(text)
    assert cut is not None and _read_plain(cut.text, cut) is not None
    _same_as_read_yaml(text)
