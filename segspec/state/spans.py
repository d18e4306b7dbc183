"""Where each unchanged record sits in the state document, compactly.

A state opened from its index keeps, for every job whose record it has not parsed, the
record's span in the document. At 100,000 jobs a dict of `(offset, length)` tuples costs
about 15 MB (a tuple and two ints per job, plus the dict); `SpanTable` holds the same in
one list of the (shared) address strings and two arrays of machine integers, about
2.4 MB, and finds an address by bisection. The spans of a document always come in
address order (records are written sorted), which is what makes that possible.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator

Span = tuple[int, int]
"""(offset, length) of one record's JSON object in the document."""


class SpanTable:
    """Spans by address, added in strictly increasing address order; a span can be
    dropped (its record changed, or the job went), never added back out of order."""

    __slots__ = ("_addresses", "_lengths", "_live", "_offsets")

    def __init__(self) -> None:
        self._addresses: list[str] = []
        self._offsets = array("q")
        self._lengths = array("q")
        """-1 where the span was dropped."""
        self._live = 0

    @classmethod
    def of(cls, entries: Iterable[tuple[str, Span]]) -> SpanTable:
        """A table of `entries`, which must be in strictly increasing address order."""
        table = cls()
        for address, (offset, length) in entries:
            table.append(address, offset, length)
        return table

    @classmethod
    def adopt(cls, addresses: list[str], offsets: array[int], lengths: array[int]) -> SpanTable:
        """A table made of these (taken, not copied); the caller has checked that the
        addresses strictly increase and that no length is negative (the index does)."""
        if not len(addresses) == len(offsets) == len(lengths):
            raise ValueError("spans: addresses, offsets and lengths differ in number")
        table = cls()
        table._addresses, table._offsets, table._lengths = addresses, offsets, lengths
        table._live = len(addresses)
        return table

    def append(self, address: str, offset: int, length: int) -> None:
        addresses = self._addresses
        if addresses and not address > addresses[-1]:
            raise ValueError(f"span of {address!r} added out of address order")
        if length < 0:
            raise ValueError(f"span of {address!r} has a negative length")
        addresses.append(address)
        self._offsets.append(offset)
        self._lengths.append(length)
        self._live += 1

    def _find(self, address: str) -> int:
        """The position of `address`' live span, or -1."""
        addresses = self._addresses
        at = bisect_left(addresses, address)
        if at < len(addresses) and addresses[at] == address and self._lengths[at] >= 0:
            return at
        return -1

    def get(self, address: str) -> Span | None:
        at = self._find(address)
        return (self._offsets[at], self._lengths[at]) if at >= 0 else None

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and self._find(address) >= 0

    def __getitem__(self, address: str) -> Span:
        found = self.get(address)
        if found is None:
            raise KeyError(address)
        return found

    def discard(self, address: str) -> None:
        at = self._find(address)
        if at >= 0:
            self._lengths[at] = -1
            self._live -= 1

    def __len__(self) -> int:
        return self._live

    def items(self) -> Iterator[tuple[str, Span]]:
        """The live spans, in address order."""
        for address, offset, length in zip(
            self._addresses, self._offsets, self._lengths, strict=True
        ):
            if length >= 0:
                yield address, (offset, length)

    def end(self) -> int:
        """Where the live span that ends last ends (0 when there is none)."""
        return max((o + n for _, (o, n) in self.items()), default=0)
