"""`segspec detect`: the table and the JSON document users read (golden files)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import Result
from tests.conftest import check_golden

SAMPLE = Path(__file__).resolve().parents[2] / "specs" / "media" / "sample.mp4"


def test_detect_table_shows_each_transition_golden(segspec: Callable[..., Result]) -> None:
    result = segspec("detect", str(SAMPLE))
    assert result.code == 0, result.err
    check_golden("detect_sample.txt", result.out)


def test_detect_json_carries_each_transition_golden(segspec: Callable[..., Result]) -> None:
    result = segspec("detect", "--json", str(SAMPLE))
    assert result.code == 0, result.err
    check_golden("detect_sample.json", result.out)
    shots = json.loads(result.out)["shots"]
    assert shots[0]["transition"] is None
    kinds = [s["transition"]["kind"] for s in shots[1:]]
    assert kinds == ["cut", "cut", "cut", "dissolve"]
    for s in shots[1:]:
        t = s["transition"]
        assert t["first"] <= t["frame"] == s["first_frame"] <= t["last"]
