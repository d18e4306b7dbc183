"""How events are shown: JSON lines (schema, golden), plain lines, the live display."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rich.console import Console

from segspec.cli.main import entrypoint
from segspec.cli.ui import UI
from segspec.cli.views.live import LiveView
from segspec.engine.events import (
    JobFinished,
    JobProgress,
    JobQueued,
    JobRetrying,
    JobStarted,
    JobSubmitted,
    OperationFinished,
    OperationStarted,
)
from segspec.schemas import SCHEMA_DIR
from tests.conftest import check_golden
from tests.engine.test_events import SPEC

ANSI = re.compile(r"\x1b\[")


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = entrypoint(["--specs", str(root / "specs"), "--state", str(root / "s.json"), *args])
    out, err = capsys.readouterr()
    return code, out, err


def normalized(lines: list[dict[str, Any]], root: Path) -> str:
    """The stream with what changes from run to run made fixed: times, ids, paths, and
    progress (how many reports ffmpeg makes depends on the machine's speed)."""
    kept = []
    for line in lines:
        if line["type"] == "job_progress":
            continue
        line = dict(line, timestamp="T")
        if line["type"] == "version":
            line["segspec"] = "V"
        if "job_id" in line:
            line["job_id"] = "ID"
        if "location" in line:
            line["location"] = line["location"].replace(str(root), "ROOT")
        kept.append(line)
    return "".join(json.dumps(line, sort_keys=True) + "\n" for line in kept)


def test_event_views_json_stream_validates_and_matches_golden(
    project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(SPEC)
    code, out, err = run(root, capsys, "apply", "--auto-approve", "--json")
    assert code == 0, err
    lines = [json.loads(text) for text in out.splitlines()]
    schema = json.loads((SCHEMA_DIR / "events.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for line in lines:
        validator.validate(line)
    assert lines[0]["type"] == "version" and lines[0]["stream_version"] == 1
    assert all("type" in line and line["timestamp"].endswith("Z") for line in lines)
    progress = [line for line in lines if line["type"] == "job_progress"]
    assert {(p["address"], p["stage"]) for p in progress} == {
        ("cut", "cut"),
        ("shots", "split"),
    }
    assert ANSI.search(out) is None

    code, out, err = run(root, capsys, "refresh", "--json")
    assert code == 0, err
    refreshed = [json.loads(text) for text in out.splitlines()]
    for line in refreshed:
        validator.validate(line)
    assert [line["type"] for line in refreshed] == [
        "version",
        "operation_started",
        "plan",
        "operation_finished",
    ]
    assert refreshed[2]["changes"] == [] and refreshed[3]["ran"] is False

    code, out, err = run(root, capsys, "destroy", "--auto-approve", "--json")
    assert code == 0, err
    destroyed = [json.loads(text) for text in out.splitlines()]
    for line in destroyed:
        validator.validate(line)
    check_golden("events_apply_destroy.jsonl", normalized(lines + destroyed, root))


def test_event_views_json_needs_auto_approve(
    project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(SPEC)
    code, out, err = run(root, capsys, "apply", "--json")
    assert code == 1 and out == ""
    assert "apply --json needs --auto-approve" in err


def test_event_views_plain_lines_have_no_ansi_codes(
    project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # Not on a terminal (captured): plain lines, no animation, no colour, even without
    # --no-color.
    root = project(SPEC)
    code, out, err = run(root, capsys, "apply", "--auto-approve")
    assert code == 0, err
    assert ANSI.search(out + err) is None and "\r" not in out
    assert "→ cut submitted: " in out and "✓ shots finished: " in out
    assert re.search(r"^  shots split: 100%", out, re.M)
    assert out.index("→ shots submitted") < out.index("  shots split: ")
    assert out.rstrip().endswith("Apply complete: 2 finished, 0 failed, 0 forgotten.")


def test_event_views_no_color_respected_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("segspec.cli.ui.is_terminal", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert UI.detect() == UI(colour=False, terminal=True)
    monkeypatch.delenv("NO_COLOR")
    assert UI.detect(no_colour_flag=True).colour is False
    assert UI.detect().colour is True


def live_console() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=100, record=True)


def test_event_views_live_display_shows_jobs_bars_and_retries() -> None:
    console = live_console()
    view = LiveView(UI(colour=True, terminal=True), console)
    view(OperationStarted("apply"))
    for address in ("a", "b", "c"):
        view(JobQueued(address, "create"))
    view(JobStarted("a", "create"))
    view(JobSubmitted("a", "job-1"))
    view(JobProgress("a", "encode", 0.5, 240.0, 12.0))
    view(JobStarted("b", "create"))
    view(JobRetrying("b", "SubmitSegmentationJob", "Throttling.User: slow down", 1.5, 1))
    frame = console.export_text(clear=False)
    view.live.refresh()
    view.live.console.print("")  # make rich draw the display once into the record
    screen = console.export_text()
    assert "↻ b retrying SubmitSegmentationJob in 1.50 s (attempt 2): Throttling.User" in frame
    assert "a encode" in screen and "50% · 240 fps · 0:12 left" in screen
    assert "retrying SubmitSegmentationJob in 1.5 s" in screen
    assert "apply: 0/3 jobs done" in screen and "2 running" in screen
    assert "━" in screen  # the bars
    view(JobFinished("a", 2))
    view(OperationFinished("apply", ran=True, finished=("a",)))
    view.close()
    text = console.export_text()
    assert "✓ a finished: 2 outputs" in text
    assert not view.live.is_started
