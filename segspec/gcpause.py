"""Building many long-lived objects without the cycle collector rescanning them.

Loading a large state or planning 100,000 jobs makes hundreds of thousands of dicts and
models that live until the command ends and form no reference cycles; with the collector
running, each of its full passes rescans all of them (about a quarter of a large plan's
time). Those phases run with it paused; it is resumed right after, so a long apply still
collects whatever cycles it makes. What the phase built is frozen first (`gc.freeze`):
otherwise the very next young collection would walk all of it once more (~0.3 s after
loading 100,000 jobs) before promoting it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the `with` block (nested uses are fine)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:  # the outermost pause: its objects are long-lived, never rescanned
            gc.freeze()
            gc.enable()
