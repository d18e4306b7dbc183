"""The cycle collector is paused for a phase; only the segspec process freezes after it."""

from __future__ import annotations

import gc
import subprocess
import sys

from segspec.gcpause import collector_paused


def test_paused_then_resumed_without_freezing_in_a_library_process() -> None:
    before = gc.get_freeze_count()
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: still paused after the inner block
            pass
        assert not gc.isenabled()
        kept = [[n] for n in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == before  # no garbage kept for the rest of the process
    assert len(kept) == 1000


def test_the_segspec_process_freezes_what_a_phase_built() -> None:
    code = (
        "import gc\n"
        "from segspec.gcpause import collector_paused, freeze_after_pauses\n"
        "freeze_after_pauses()\n"
        "with collector_paused():\n"
        "    kept = [[n] for n in range(10000)]\n"
        "print(gc.isenabled(), gc.get_freeze_count() >= 10000)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]
