"""Where a spec-cache chunk ends: decided by the jobs' own keys, so an edit moves no
other chunk's boundaries, and evenly spread even over keys that differ in a character."""

from __future__ import annotations

import random
from typing import Any

import pytest

import segspec.spec.chunks as chunks_module
from segspec.spec.cache import instance_key, instance_keys
from segspec.spec.chunks import chunk_ends, ends_chunk, key_crc


@pytest.mark.parametrize("spread,most", [(8, 32), (4, 8), (2, 3), (1, 1), (1024, 4096)])
def test_chunk_ends_is_ends_chunk_applied_job_by_job(
    monkeypatch: pytest.MonkeyPatch, spread: int, most: int
) -> None:
    monkeypatch.setattr(chunks_module, "SPREAD", spread)
    monkeypatch.setattr(chunks_module, "MOST", most)
    rng = random.Random(10)
    for _ in range(2000):
        crcs = [rng.getrandbits(32) for _ in range(rng.randint(0, 60))]
        count = rng.randint(0, most - 1)
        expected, running = [], count
        for at, crc in enumerate(crcs, 1):
            running += 1
            if ends_chunk(crc, running):
                expected.append(at)
                running = 0
        assert chunk_ends(crcs, count) == expected


def test_keys_of_one_for_each_spread_evenly() -> None:
    """100,000 keys that differ only in a few digits (a for_each's): the chunks are about
    SPREAD jobs long, and few are cut at MOST (crc32 alone, being linear, gave clumps)."""
    keys = ["b" * 32 + repr((f"ep{i:06d}", f"ep{i:06d}")) for i in range(100_000)]
    ends = chunk_ends([key_crc(key) for key in keys], 0)
    sizes = [b - a for a, b in zip([0, *ends], ends, strict=False)]
    assert 60 <= len(ends) <= 160
    assert sum(size == chunks_module.MOST for size in sizes) <= 5


def test_an_edit_moves_no_other_boundary() -> None:
    keys = ["c" * 32 + repr((f"k{i}", i)) for i in range(20_000)]
    before = set(chunk_ends([key_crc(k) for k in keys], 0))
    edited = keys[:1] + keys[2:]  # the second job removed
    after = {end + 1 for end in chunk_ends([key_crc(k) for k in edited], 0)}
    assert len(before - after) <= 1


@pytest.mark.parametrize(
    "entries",
    [
        [("ep1", "ep1"), ("ep2", "ep2")],
        [("a", "x.mp4"), ("b", "y.mp4")],
        [("it's", "it's"), ("b", "b")],
        [('say "hi"', "v"), ("b", "b")],
        [("back\\slash", "v")],
        [("tab\there", "v"), ("\u00e9t\u00e9", "\u00e9t\u00e9")],
        [("nl", "a\nb")],
        [("1", 1), ("2.5", 2.5), ("True", True)],
        [("a", {"out": 2, "name": "x"}), ("b", ["x", "y"])],
        [("a", None)],
    ],
)
def test_instance_keys_are_instance_key_of_each_entry(entries: list[tuple[str, Any]]) -> None:
    base = "0" * 32
    each: list[tuple[str, Any] | None] = list(entries)
    assert instance_keys(base, each) == [instance_key(base, entry) for entry in entries]
    assert instance_keys(base, [None]) == [instance_key(base, None)]
