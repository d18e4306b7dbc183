"""Building many long-lived objects without the cycle collector rescanning them.

Loading a large state or planning 100,000 jobs makes hundreds of thousands of dicts and
models that live until the command ends and form no reference cycles; with the collector
running, each of its full passes rescans all of them (about a quarter of a large plan's
time). Those phases run with it paused; it is resumed right after, so a long apply still
collects whatever cycles it makes.

In the `segspec` process itself (`freeze_after_pauses`, called by the console script),
what a phase built is also frozen when it ends (`gc.freeze`): otherwise the very next
young collection walks all of it once more (~0.3 s after loading 100,000 jobs) before
promoting it. The price is that a cycle which became garbage during the phase is kept
until the command exits; a process that runs many commands (the test suite, a library
user) does not freeze, and so never keeps such garbage.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_freeze = False


def freeze_after_pauses() -> None:
    """Freeze what each outermost paused phase built, from now on in this process."""
    global _freeze
    _freeze = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the `with` block (nested uses are fine)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:  # the outermost pause
            if _freeze:
                gc.freeze()
            gc.enable()
