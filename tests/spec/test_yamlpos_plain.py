"""`read_plain` (the cached load's fast YAML path) gives exactly `read_yaml`'s data and
shallow positions, or gives up (None) so the file is read by `read_yaml`; it never
accepts what `read_yaml` refuses or reports."""

from __future__ import annotations

import pytest

from segspec.spec.limits import LimitError
from segspec.spec.yamlpos import PLAIN_DEPTH, YamlSyntaxError, read_plain, read_yaml
from tests.spec.hostile import CASES

PLAIN = {
    "block spec": """\
version: 1
variables:
  out: {type: number, default: 3}
defaults:
  InputConfig: {Type: OSS}
  OutputConfig:
    OutputMediaTarget: oss-object
    Bucket: clips
jobs:
  single:
    InputConfig: {Media: media/a.mp4}
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: "${var.out}"}]}
    OutputConfig: {ObjectKey: "single/{index}.mp4"}
  ep:
    for_each: [a, b, 'c d', "e\\tf", 3, 4.5]
    JobParams:
      Mode: UserDefined
      Ranges:
        - {In: 1, Out: 2}
        - In: 2.5
          Out: 3
""",
    "json flow": '{"version": 1, "jobs": {"a": {"x": [1, -2, 0.5, "s", true, null]}}}\n',
    "scalars of YAML 1.1": """\
version: 1
values:
  ints: [0, 12, -3, +4, 0x1F, 0o17, 017, 1_000, 190:20:30]
  floats: [1.5, -0.25, 1e3, 1.0e+3, .inf, -.Inf, .nan, 6.8523015e+5, 1_0.5]
  bools: [yes, No, on, OFF, true, False, y, n]
  nulls: [~, null, Null, ""]
  dates: [2001-12-14, 2001-12-14t21:59:43.10-05:00]
  strings: ['quoted ''single''', "double \\u00e9 \\x41", plain text, -, "=", "<<", é]
  block: |
    line one
    line two
  folded: >-
    folded
    text
  empty: {}
  none:
""",
    "lists at the top": """\
version: 1
jobs:
  - a
  - [b, c]
  - {d: e}
""",
    "comments and document markers": "---\n# a comment\nversion: 1 # trailing\njobs: {a: 1}\n...\n",
    "scalar document": "just text\n",
    "runs of text in deep lists": """\
version: 1
jobs:
  ep:
    for_each: [a, "b", 'c', d e, 2001-12-14, f, 3, g, [h, "i", 4], {j: k}, l, "", ~, yes, m]
    deep: {x: {y: [[a, b], [], [c, 1.5], "q", "\\t"]}}
    block:
      - n
      - "o"
      - - p
        - 7
""",
}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_is_what_read_yaml_builds(name: str) -> None:
    text = PLAIN[name]
    full = read_yaml(text)
    plain = read_plain(text)
    assert not full.problems
    assert plain is not None
    assert plain.data == full.data
    assert repr(plain.data) == repr(full.data)  # the same types too (1 is not 1.0 nor True)
    shallow = {p: pos for p, pos in full.positions.items() if len(p) <= PLAIN_DEPTH}
    assert plain.positions == shallow


GIVES_UP = {
    "anchor and alias": "version: 1\na: &x [1]\nb: *x\n",
    "merge key": "version: 1\nbase: &b {x: 1}\njobs: {a: {<<: *b, y: 2}}\n",
    "explicit tag": "version: 1\njobs: !!map {a: 1}\n",
    "local tag": "version: 1\njobs: {a: !thing 1}\n",
    "duplicate key": "version: 1\njobs: {a: 1}\njobs: {b: 2}\n",
    "deep duplicate key": "version: 1\njobs: {a: {x: 1, x: 2}}\n",
    "integer key": "version: 1\n1: a\n",
    "boolean key": "version: 1\njobs: {yes: 1}\n",
    "complex key": "version: 1\n? [a, b]\n: c\n",
    "two documents": "version: 1\n---\nversion: 1\n",
    "empty document": "",
    "only a comment": "# nothing\n",
    "syntax error": "version: 1\njobs: [a\n",
    "escaped control character": 'version: 1\njobs: {a: "x\\x01y"}\n',
    "raw control character": "version: 1\njobs: {a: x\x01y}\n",
    "too deep": "version: 1\njobs: " + "[" * 70 + "]" * 70 + "\n",
    "long number": "version: 1\nn: " + "9" * 200 + "\n",
    "value tag": "version: 1\nx: =\n",
    "anchor in a run of text": "version: 1\njobs: {a: {b: [x, &y z]}}\n",
    "tag in a run of text": "version: 1\njobs: {a: {b: [x, !!str y]}}\n",
    "control escape in a run of text": 'version: 1\njobs: {a: {b: [x, "y\\x01"]}}\n',
    "value tag in a run of text": "version: 1\njobs: {a: {b: [x, =]}}\n",
}


@pytest.mark.parametrize("name", sorted(GIVES_UP))
def test_plain_gives_up_on_what_is_not_plain_data(name: str) -> None:
    assert read_plain(GIVES_UP[name]) is None


@pytest.mark.parametrize("name", sorted(CASES))
def test_plain_never_accepts_a_hostile_text(name: str) -> None:
    text = CASES[name][0]
    try:
        full = read_yaml(text)
    except (YamlSyntaxError, LimitError):
        assert read_plain(text) is None
        return
    plain = read_plain(text)
    if full.problems:
        assert plain is None
    elif plain is not None:
        assert repr(plain.data) == repr(full.data)
