"""`key_clashes` sifts the settled jobs by their key's head instead of making every
object key of all of them: the same answer as the plain walk it replaced (kept here as
the reference), over random jobs whose keys really clash."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from segspec.plan import outputs
from segspec.plan.outputs import key_clashes
from segspec.spec.rows import ClashKey, clash_key


def reference_clashes(
    requests: Iterable[tuple[str, Mapping[str, Any]]],
    keys: Iterable[tuple[str, ClashKey]] = (),
) -> dict[str, list[str]]:
    """`key_clashes` as it was before the sift (main e898aeb): every settled key's
    objects are made and looked up."""

    def writes_of(key: ClashKey) -> list[tuple[str, str]]:
        bucket, template, cutter, ranges = key
        found = [(bucket, "template\0" + template)]
        if cutter:
            found += [
                (bucket, "key\0" + template.replace("{index}", str(i))) for i in range(ranges)
            ]
        return found

    writers: dict[tuple[str, str], list[str]] = {}
    cutters: set[str] = set()
    for address, request in requests:
        writes = clash_key(request)
        if writes[2]:
            cutters.add(address)
        for written in writes_of(writes):
            writers.setdefault(written, []).append(address)
    if writers:
        for address, writes in keys:
            for written in writes_of(writes):
                found = writers.get(written)
                if found is not None:
                    found.append(address)
                    if writes[2]:
                        cutters.add(address)
    clashes: dict[str, set[str]] = {}
    for (bucket, tagged), addresses in writers.items():
        if len(addresses) < 2:
            continue
        kind, key = tagged.split("\0", 1)
        if len(set(addresses)) < 2 or (kind == "template" and set(addresses) <= cutters):
            continue
        for address in addresses:
            others = ", ".join(sorted(set(addresses) - {address}))
            clashes.setdefault(address, set()).add(
                f"output {bucket}/{key} is also written by {others} — give each job its own "
                "ObjectKey"
            )
    return {address: sorted(found) for address, found in clashes.items()}


# Few, short pieces, so that templates and their objects often meet: "a{index}" with
# three ranges writes a0, a1 and a2, which "a1" (no {index}) and "{index}" ... also hit.
PIECES = ["a", "b", "_", "0", "1", "10", "{index}", "{ind", "ex}", "\0"]
templates = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
addresses = st.sampled_from(["j1", "j2", "j3", "j4", "j5", "j6"])
buckets = st.sampled_from(["clips", "other"])


@st.composite
def clash_keys(draw: st.DrawFn) -> ClashKey:
    cutter = draw(st.booleans())
    ranges = draw(st.integers(0, 12)) if cutter else 0
    return (draw(buckets), draw(templates), cutter, ranges)


def request_of(key: ClashKey, with_bucket: bool) -> dict[str, Any]:
    bucket, template, cutter, ranges = key
    out: dict[str, Any] = {"ObjectKey": template}
    if with_bucket:
        out["Bucket"] = bucket  # else the bucket is "None" (str of the missing value)
    params: dict[str, Any] = {"Mode": "UserDefined" if cutter else "BasicClipSplit"}
    if cutter:
        params["Ranges"] = [{"In": i, "Out": i + 1} for i in range(ranges)]
    return {"OutputConfig": out, "JobParams": params}


requests = st.lists(
    st.tuples(addresses, clash_keys(), st.booleans()).map(lambda t: (t[0], request_of(t[1], t[2]))),
    max_size=5,
)
settled = st.lists(st.tuples(addresses, clash_keys()), max_size=12)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(requests, settled)
@example(
    [("j1", request_of(("clips", "a1", True, 1), True))],
    [("j2", ("clips", "a{index}", True, 3)), ("j3", ("clips", "b{index}", True, 3))],
)
@example(
    [("j1", request_of(("clips", "a{index}", False, 0), True))],
    [("j2", ("clips", "a{index}", True, 2)), ("j3", ("clips", "a{index}", False, 0))],
)
@example(
    [("j1", request_of(("clips", "10", True, 1), True))],
    [("j2", ("clips", "1{index}", True, 1)), ("j2", ("clips", "{index}0", True, 2))],
)
def test_sifted_clashes_match_the_plain_walk(
    jobs: list[tuple[str, dict[str, Any]]], others: list[tuple[str, ClashKey]]
) -> None:
    expected = reference_clashes(jobs, others)
    assert key_clashes(jobs, iter(others)) == expected
    with mock.patch.object(outputs, "SIFTED", 0):  # too many writes to sift: the plain walk
        assert key_clashes(jobs, iter(others)) == expected


def test_sift_passes_over_keys_that_cannot_meet() -> None:
    """The keys that can meet the checked job are the only ones whose objects are made."""
    job = ("solo", request_of(("clips", "clips/solo_{index}.mp4", True, 2), True))
    others = [(f"ep{i}", ("clips", f"clips/ep{i}_{{index}}.mp4", True, 3)) for i in range(50)]
    others += [("near", ("clips", "clips/solo_1.mp4", True, 1))]  # writes solo_1 too
    made: list[ClashKey] = []
    real = outputs._writes

    def counted(key: ClashKey) -> list[tuple[str, str]]:
        made.append(key)
        return real(key)

    with mock.patch.object(outputs, "_writes", counted):
        found = key_clashes([job], others)
    assert found == reference_clashes([job], others)
    assert found["near"] == [
        "output clips/clips/solo_1.mp4 is also written by solo — give each job its own ObjectKey"
    ]
    assert [key for key in made if key[1] != "clips/solo_{index}.mp4"] == [others[-1][1]]
