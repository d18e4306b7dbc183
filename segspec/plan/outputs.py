"""What a job will write, worked out before it runs (pure: media facts are handed in).

For a UserDefined job each Range becomes one object whose key, span and frames follow
from the Range and the input's frame rate, exactly as the local engine will cut it. The
same reasoning finds, before apply, what apply would fail on: an input that is missing
or unreadable, a range past the input's end, a range holding no whole frame, and two
jobs writing the same object.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from segspec.spec.rows import ClashKey, clash_key

EPSILON = 1e-6


@dataclass(frozen=True)
class MediaFacts:
    """What probing an input found: its length, frame rate and frame count, or an error."""

    duration: float | None = None
    fps: Fraction | None = None
    frames: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class PlannedObject:
    index: int
    bucket: str
    object_key: str
    in_s: float
    out_s: float
    first_frame: int | None = None
    last_frame: int | None = None

    @property
    def seconds(self) -> float:
        return self.out_s - self.in_s

    def data(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "bucket": self.bucket,
            "object_key": self.object_key,
            "in": round(self.in_s, 6),
            "out": round(self.out_s, 6),
            "duration": round(self.seconds, 6),
            "first_frame": self.first_frame,
            "last_frame": self.last_frame,
        }


def frame_span(start: float, end: float, fps: Fraction) -> tuple[int, int]:
    """(first, last) source frame numbers (inclusive) of the range [start, end).

    Frame n is shown from n/fps to (n+1)/fps, so the range holds frames
    floor(start·fps) … ceil(end·fps)−1.
    """
    first = math.floor(start * fps + EPSILON)
    stop = math.ceil(end * fps - EPSILON)
    return first, stop - 1


def range_problems(
    ranges: Sequence[Mapping[str, Any]], duration: float, fps: Fraction
) -> list[tuple[str, str]]:
    """(code, message) for every range past the input's end or holding no whole frame.

    One frame of slack is allowed at the end, for rounding.
    """
    problems = []
    slack = float(1 / fps)
    for index, item in enumerate(ranges):
        if float(item["Out"]) > duration + slack:
            problems.append(
                (
                    "InvalidParameter.RangeOutOfBounds",
                    f"JobParams.Ranges[{index}].Out is {float(item['Out']):g} s, past the end "
                    f"of the input ({duration:.2f} s long) — shorten the range",
                )
            )
            continue
        first, last = frame_span(float(item["In"]), float(item["Out"]), fps)
        if last < first:
            problems.append(
                (
                    "InvalidParameter.EmptyRange",
                    f"JobParams.Ranges[{index}] holds no whole frame at {float(fps):g} fps — "
                    "widen the range",
                )
            )
    return problems


def object_key(template: str, index: int) -> str:
    return template.replace("{index}", str(index))


def planned_objects(request: Mapping[str, Any], media: MediaFacts | None) -> list[PlannedObject]:
    """The objects a UserDefined request will write (none for other modes: their count is
    known only once shots are detected). Frames are filled in when the frame rate is known.
    """
    params = request.get("JobParams", {})
    if params.get("Mode") != "UserDefined":
        return []
    out = request.get("OutputConfig", {})
    fps = media.fps if media is not None else None
    last_frame = media.frames - 1 if media is not None and media.frames else None
    objects = []
    for index, item in enumerate(params.get("Ranges", [])):
        start, end = float(item["In"]), float(item["Out"])
        first = last = None
        if fps is not None:
            first, last = frame_span(start, end, fps)
            if last_frame is not None:
                last = min(last, last_frame)
            start, end = float(first / fps), float((last + 1) / fps)
        objects.append(
            PlannedObject(
                index,
                str(out.get("Bucket")),
                object_key(str(out["ObjectKey"]), index),
                start,
                end,
                first,
                last,
            )
        )
    return objects


def job_problems(
    request: Mapping[str, Any], identity: Mapping[str, Any] | None, media: MediaFacts | None
) -> list[str]:
    """What would make this job fail at apply, as far as the gathered facts tell."""
    if identity is not None and identity.get("error"):
        return [f"input: {identity['error']}"]
    if media is None:
        return []
    if media.error:
        return [f"input: {media.error}"]
    params = request.get("JobParams", {})
    if params.get("Mode") != "UserDefined" or media.duration is None or media.fps is None:
        return []
    return [
        message
        for _, message in range_problems(params.get("Ranges", []), media.duration, media.fps)
    ]


def _writes(key: ClashKey) -> list[tuple[str, str]]:
    """(bucket, tagged key) of everything a job writes (see `key_clashes`)."""
    bucket, template, cutter, ranges = key
    found = [(bucket, "template\0" + template)]
    if cutter:
        found += [(bucket, "key\0" + object_key(template, i)) for i in range(ranges)]
    return found


INDEX = "{index}"
SIFTED = 256
"""Up to this many written objects of the jobs to check, the other jobs are sifted by
their key's head (see `_meeting`); past it the prefixes would outweigh the walk."""


def _heads(writers: Mapping[tuple[str, str], list[str]]) -> set[str] | None:
    """Every head (see `_meeting`) that can meet `writers`: the head of each template and
    every prefix of each object key; None when there are too many writes to sift."""
    if len(writers) > SIFTED:
        return None
    heads: set[str] = set()
    for _, tagged in writers:
        kind, key = tagged.split("\0", 1)
        if kind == "template":
            heads.add(key.partition(INDEX)[0])
        else:
            heads.update(key[:end] for end in range(len(key) + 1))
    return heads


def _meeting(
    writers: Mapping[tuple[str, str], list[str]], keys: Iterable[tuple[str, ClashKey]]
) -> Iterator[tuple[str, ClashKey, list[tuple[str, str]]]]:
    """The (address, key, writes) of `keys` writing something `writers` holds.

    A key's head is its template up to the first `{index}` (all of it when there is
    none). Two jobs share a template only if they share its head, and every object a
    template makes starts with its head (the text before the first `{index}` is left as
    it is): so a key whose head is neither a template's head in `writers` nor a prefix
    of an object key there writes nothing they hold, and is passed over after one string
    partition and one set lookup, without making its objects' keys.
    """
    heads = _heads(writers)
    for address, key in keys:
        if heads is not None and key[1].partition(INDEX)[0] not in heads:
            continue
        writes = _writes(key)
        if any(written in writers for written in writes):
            yield address, key, writes


def key_clashes(
    requests: Iterable[tuple[str, Mapping[str, Any]]],
    keys: Iterable[tuple[str, ClashKey]] = (),
) -> dict[str, list[str]]:
    """Problems for each address whose output objects another job also writes.

    `requests` are (address, request) of the jobs to check; `keys` are (address, clash
    key) of other jobs (`spec.rows.clash_key`), which count only where they meet one of
    `requests` (a plan checks the jobs it runs against every job, not the 100,000 settled
    ones against each other; the keys that cannot meet them are passed over cheaply, see
    `_meeting`). UserDefined keys are compared object by object; a BasicClipSplit job
    (whose count is unknown) clashes with any job using the same Bucket and ObjectKey
    template.
    """
    writers: dict[tuple[str, str], list[str]] = {}
    cutters: set[str] = set()
    for address, request in requests:
        writes = clash_key(request)
        if writes[2]:
            cutters.add(address)
        for written in _writes(writes):
            writers.setdefault(written, []).append(address)
    if writers:
        for other, clash, its_writes in _meeting(writers, keys):
            if clash[2]:
                cutters.add(other)
            for write in its_writes:
                found = writers.get(write)
                if found is not None:
                    found.append(other)
    clashes: dict[str, set[str]] = {}
    for (bucket, tagged), addresses in writers.items():
        if len(addresses) < 2:
            continue  # the common case, decided without building sets
        kind, key = tagged.split("\0", 1)
        if len(set(addresses)) < 2 or (kind == "template" and set(addresses) <= cutters):
            continue  # two UserDefined jobs clash only if they write the same object
        for address in addresses:
            others = ", ".join(sorted(set(addresses) - {address}))
            clashes.setdefault(address, set()).add(
                f"output {bucket}/{key} is also written by {others} — give each job its own "
                "ObjectKey"
            )
    return {address: sorted(found) for address, found in clashes.items()}
