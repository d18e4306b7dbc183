"""`segspec report` opened in real headless Chromium (the system package).

The browser is started by the test on a fresh profile with everything that would reach
the network turned off. Console messages are read from Chromium's own log on stderr
(`--enable-logging=stderr`): the page's check script reports any picture that did not
decode there, and so does Chromium for any script error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.cli.conftest import Result

SPEC = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
  local: {preset: ultrafast}
jobs:
  cuts:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}, {In: 1.5, Out: 2}]}
    OutputConfig: {ObjectKey: 'cuts/clip_{index}.mp4'}
  shots:
    JobParams: {Mode: BasicClipSplit}
    OutputConfig: {ObjectKey: 'shots/shot_{index}.mp4'}
"""
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]
SHOTS = (
    Path(os.environ.get("SEGSPEC_SCREENSHOT_DIR", ""))
    if os.environ.get("SEGSPEC_SCREENSHOT_DIR")
    else None
)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        pytest.skip(
            "Chromium is not installed (apt-get install -y chromium; .ci/run installs it "
            "when it can reach the package mirror)"
        )
    return found


def browse(page: Path, tmp_path: Path, *extra: str) -> tuple[str, str]:
    """Open `page` once with `extra` flags; return (stdout, the console lines on stderr)."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    proc = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, "\n".join(console)


def test_browser_console_check_catches_errors(tmp_path: Path) -> None:
    """The console check can fail: a page with a broken picture and a script error."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><img alt="broken" src="data:image/png;base64,AAAA">'
        "<script>window.addEventListener('load',()=>{for(const i of document.images)"
        "{if(i.naturalWidth===0){console.error('picture did not load: '+i.alt)}}});"
        "missing();</script>",
        "utf-8",
    )
    _, console = browse(page, tmp_path, "--dump-dom")
    assert "missing is not defined" in console
    assert "picture did not load: broken" in console


@pytest.mark.slow
def test_report_renders_in_chromium(
    project: Callable[[str], Path],
    segspec: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    browser = chromium()
    root = project(SPEC)
    monkeypatch.chdir(root)
    monkeypatch.delenv("SEGSPEC_BACKEND", raising=False)
    assert segspec("apply", "--auto-approve").code == 0
    spec = root / "specs" / "jobs.yaml"
    spec.write_text(spec.read_text("utf-8").replace("Out: 2}", "Out: 2.5}"), "utf-8")
    out_dir = tmp_path / "report"
    result = segspec("report", "--out", str(out_dir))
    assert result.code == 0, result.err
    page = out_dir / "index.html"
    assert result.out == f"Wrote {page}\n"
    html = page.read_text("utf-8")
    assert 'src="file:' not in html and "http" not in html.replace("http-equiv", "")

    dom, console = browse(page, tmp_path, "--dump-dom")
    assert console == "", console
    assert browser
    for text in ("segspec: ", "cuts", "shots", "will replace", "Plan: 0 to create, 1 to replace"):
        assert text in dom
    assert dom.count('class="picture"') == 2
    state = json.loads((root / "segspec.state.json").read_text("utf-8"))
    assert dom.count('class="clip"') == sum(len(j["outputs"]) for j in state["jobs"].values())

    shot = tmp_path / "report.png"
    _, console = browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1200,1400")
    assert console == "", console
    if SHOTS is not None:
        shutil.copyfile(shot, SHOTS / "report.png")
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3)
    assert pixels.std() > 20, "the screenshot is blank"

    def share(rgb: tuple[int, int, int]) -> float:
        return float(np.all(np.abs(pixels.astype(int) - rgb) <= 6, axis=1).mean())

    assert share((0x2E, 0x7D, 0x32)) > 0.0002, "no 'Finished' badge in the screenshot"
    assert share((0x42, 0xA5, 0xF5)) > 0.001, "no clips on a timeline in the screenshot"
    assert share((0xFF, 0xF8, 0xE1)) > 0.005, "no pending plan box in the screenshot"
