"""The real CLI under a pseudo-terminal: the live display is drawn, and cleaned up."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.engine.test_events import SPEC

pytestmark = pytest.mark.slow
WATCH_SECONDS = 120.0


def run_in_pty(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run `args` with stdin/stdout/stderr on a new pseudo-terminal; return (code, output)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + WATCH_SECONDS
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        if proc.poll() is None:
            proc.kill()
        code = proc.wait()
        os.close(master)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_live_pty_apply_draws_bars_and_ends_with_the_summary(
    project: Callable[[str], Path],
) -> None:
    root = project(SPEC)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="30")
    code, screen = run_in_pty(
        [sys.executable, "-m", "segspec.cli.main", "apply", "--auto-approve"], root, env
    )
    (root / "capture.txt").write_text(screen)
    assert code == 0, screen
    assert "\x1b[" in screen  # colour and cursor movement: a live display, not plain lines
    assert "━" in screen  # progress bars
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    assert re.search(r"apply: \d/2 jobs done", plain)
    assert "✓ shots finished" in plain and "✓ cut finished" in plain
    assert "↻" not in plain  # nothing was retried
    assert "Apply complete: 2 finished, 0 failed, 0 forgotten." in plain
    assert "\x1b[?25h" in screen  # the cursor is shown again at the end
