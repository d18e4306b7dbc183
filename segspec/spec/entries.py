"""A job's instances as the loader hands them to a file's jobs (segspec.spec.filejobs):
one, or one per `for_each` entry, with their addresses, `each` pairs and own keys made
only for the instances that are added one by one (a chunk of the previous cache entry
found by its entries takes its instances whole, without them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from segspec.spec.cache import Previous, instance_keys
from segspec.spec.filejobs import FileJobs, JobOf


def add_entries(
    out: FileJobs, job: JobOf, entries: Entries, base: str, previous: Previous | None
) -> bool:
    """Hand the job's instances to `out`: runs of them that a chunk of the previous entry
    holds exactly (found by their entries) are taken whole, with no key made; the others
    are added one by one. False once the file's budget is exhausted."""
    found = previous.located(base, entries.texts) if previous and entries.texts else []
    start = 0
    for at, chunk in found:
        if not entries.add(out, job, base, start, at) or not out.cut():
            return False
        end = at + chunk.count
        (first,), (last,) = entries.addresses(at, at + 1), entries.addresses(end - 1, end)
        taken = out.take(job, chunk, first, last)
        if taken is False:
            return False
        start = at if taken is None else end
    return entries.add(out, job, base, start, len(entries))


@dataclass(frozen=True)
class Entries:
    """A job's instances: one, or one per `for_each` entry (key and value), in order."""

    name: str
    each: list[tuple[str, Any] | None]
    texts: list[str] | None = None
    """The entries when each is text with key and value the same (a list of names): the
    pairs are then made only for the instances added one by one."""

    def __len__(self) -> int:
        return len(self.texts) if self.texts is not None else len(self.each)

    def pairs(self, start: int, end: int | None = None) -> list[tuple[str, Any] | None]:
        if self.texts is None:
            return self.each[start:end]
        texts = self.texts[start:end]
        return list(zip(texts, texts, strict=True))

    def addresses(self, start: int, end: int | None = None) -> list[str]:
        if self.each == [None]:
            return [self.name]
        keys = self.texts[start:end] if self.texts is not None else None
        if keys is None:
            keys = [pair[0] for pair in self.each[start:end] if pair is not None]
        joined = "".join(keys)
        name = self.name
        if joined.isprintable() and '"' not in joined and "\\" not in joined:
            # every key is the usual one (`_quoted` would only add quotes): one check for all
            return [f'{name}["{key}"]' for key in keys]
        return [f"{name}[{_quoted(key)}]" for key in keys]

    def add(self, out: FileJobs, job: JobOf, base: str, start: int, end: int) -> bool:
        """Add instances `start` to `end` one by one."""
        if start >= end:
            return True
        each = self.pairs(start, end)
        return out.add(job, self.addresses(start, end), each, instance_keys(base, each))


def _quoted(key: str) -> str:
    """`json.dumps(key, ensure_ascii=False)`, without the call for the usual key (JSON
    escapes nothing but quotes, backslashes and control characters, none of which a
    printable key without quotes and backslashes has)."""
    if key.isprintable() and '"' not in key and "\\" not in key:
        return f'"{key}"'
    return json.dumps(key, ensure_ascii=False)
