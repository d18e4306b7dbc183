"""Long runs of one-line list items, read by a regular expression instead of libyaml.

A `for_each` of 100,000 names is 100,000 lines of one shape (`    - ep000123`, or
`    "ep000123",` in a JSON-style file): libyaml makes an event object for each, and
reading them is most of the load of an edited file that holds one. `read_plain` (see
segspec.spec.yamlpos) hands the text here first. Each run of at least `MIN_RUN`
consecutive lines of exactly the same shape, one item per line, is cut out and replaced by
a single line of that shape whose item is a sentinel (a name found nowhere in the text);
the text left is parsed as usual, and where the parse meets the sentinel as a list item,
with the style and at the place its line gives it, the run's items are put in its stead.

Why that gives the same data as parsing the whole text: every line of a run has the
sentinel line's indentation and shape, and an item made of characters that mean nothing
to YAML there (letters, digits, `_ . / -`, and inside double quotes also `: @ +`). The
parser's state at the start of the run is the state at the start of the sentinel line
(the text before is the same); a sentinel read there as one whole list item, not continued
by the line after it, means that state is "next item of this list", and a line of that
shape read in it leaves the parser in that same state, so every line of the run is the
next item of the same list, and the text after the run is read as it was after the
sentinel. A plain item is text unless YAML's implicit types would make it something else
(`true`, `null`, `1.5`, ...): a run holding any item an implicit resolver matches is left
to the parser. A sentinel met anywhere else (inside a block scalar, as a key, continued by
the next line, in a list whose items need positions, not met at all) means the text is not
what the runs assumed: `read_plain` then parses the whole text instead.
"""

from __future__ import annotations

import re
import secrets
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from operator import getitem, itemgetter
from typing import Any

from yaml.resolver import Resolver

from segspec.spec.limits import MAX_SCALAR_CHARS

MIN_RUN = 64
"""Lines of one shape at least, for a run to be cut out."""

LONGEST = 1000
"""Characters of an item at most (a longer one is left to the parser)."""
assert LONGEST <= MAX_SCALAR_CHARS
_PLAIN = rf"[A-Za-z0-9_][A-Za-z0-9_./-]{{0,{LONGEST - 1}}}"
_QUOTED = rf"[A-Za-z0-9_./:@+-]{{0,{LONGEST}}}"
_SHAPES = (  # the pattern of one line after its indentation; prefix, suffix, scalar style
    ("- " + _PLAIN, "- ", "", ""),
    ('- "' + _QUOTED + '"', '- "', '"', '"'),
    ('"' + _QUOTED + '",', '"', '",', '"'),
)
_MARK = "zzsegspecrun"


@dataclass(frozen=True)
class Run:
    """One run cut out of the text: its items, and where its sentinel must be met."""

    items: list[str]
    line: int
    """The sentinel's line in the cut text (0-based)."""
    column: int
    """Where the sentinel's scalar starts on it (0-based: the quote of a quoted one)."""
    style: str


@dataclass(frozen=True)
class Cut:
    """The text with its runs replaced by sentinels."""

    text: str
    runs: dict[str, Run]
    """Sentinel -> its run."""
    lines: list[int]
    """The cut text's line of each sentinel, in order."""
    shifts: list[int]
    """Lines removed up to and including each sentinel's run."""

    def line(self, line: int) -> int:
        """The line (1-based) in the whole text of line `line` (1-based) of the cut text."""
        at = bisect_right(self.lines, line - 2)
        return line + (self.shifts[at - 1] if at else 0)


@lru_cache(maxsize=8)
def _runs_pattern(least: int) -> re.Pattern[str]:
    """Runs of at least `least` lines of one shape (group `s0`, `s1`, ...: which), all with
    the indentation of the first (group 1)."""
    shapes = "|".join(
        rf"(?P<s{n}>{line}\n(?:\1{line}\n){{{least - 1},}})"
        for n, (line, _, _, _) in enumerate(_SHAPES)
    )
    return re.compile(rf"^( *)(?:{shapes})", re.M | re.ASCII)


_RESOLVERS: dict[Any, Any] = Resolver.yaml_implicit_resolvers


@lru_cache(maxsize=64)
def _multiline(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(pattern.pattern, pattern.flags | re.M)


def _all_text(items: list[str]) -> bool:
    """Whether YAML resolves every one of these plain items to a string: no implicit
    resolver of an item's first character (nor a wildcard one) matches it, tried on all
    the items at once, one per line."""
    firsts = set(map(itemgetter(0), items))
    patterns = {p for c in (*firsts, None) for _, p in _RESOLVERS.get(c, ())}
    if not patterns:
        return True
    joined = "\n".join(items)
    return not any(_multiline(p).search(joined) for p in patterns)


def cut_runs(text: str) -> Cut | None:
    """`text` with its runs (see the module doc) replaced by sentinels, or None if it has
    none (or holds the sentinels' mark)."""
    if text.count("\n") < MIN_RUN or _MARK in text:
        return None
    found = list(_runs_pattern(MIN_RUN).finditer(text))
    if not found:
        return None
    nonce = secrets.token_hex(4)
    pieces: list[str] = []
    runs: dict[str, Run] = {}
    lines: list[int] = []
    shifts: list[int] = []
    at = removed = counted = 0
    line_no = 0  # of `counted` in the whole text
    for match in found:
        start, end, indent = match.start(), match.end(), match[1]
        _, prefix, suffix, style = _SHAPES[int(str(match.lastgroup)[1:])]
        cut = slice(len(indent) + len(prefix), -len(suffix) if suffix else None)
        items: list[str] = list(map(getitem, text[start : end - 1].split("\n"), repeat(cut)))
        if not style and not _all_text(items):
            continue
        sentinel = f"{_MARK}{len(runs)}x{nonce}"
        line_no += text.count("\n", counted, start)
        counted = start
        pieces.append(text[at:start])
        pieces.append(f"{indent}{prefix}{sentinel}{suffix}\n")
        at = end
        column = len(indent) + len(prefix) - (1 if style else 0)
        runs[sentinel] = Run(items, line_no - removed, column, style)
        lines.append(line_no - removed)
        removed += len(items) - 1
        shifts.append(removed)
    if not runs:
        return None
    pieces.append(text[at:])
    return Cut("".join(pieces), runs, lines, shifts)
