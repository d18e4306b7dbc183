"""Limits that hold for any YAML input, enforced while the document is composed.

A spec file is untrusted input (CI plans pull requests), so the loader must refuse, fast
and in bounded memory, what would otherwise take the machine down or crash it: alias
bombs, recursive aliases, deep nesting, huge strings, tags segspec does not mean, and
control characters. Every check here is node-level and uses only the marks the parser
already gives each event, so it costs nothing per node beyond a few additions and does
not depend on building a position table for the document.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer

MAX_FILE_BYTES = 4 * 1024 * 1024
"""A spec file larger than this is refused before it is parsed."""
MAX_DEPTH = 64
"""Nesting of mappings and sequences; real specs need fewer than ten levels."""
MAX_SCALAR_CHARS = 64 * 1024
"""Longest string (key or value), before and after `${...}` interpolation."""
MAX_NUMBER_CHARS = 100
"""Longest integer literal (Python refuses to convert more than 4,300 digits at all)."""
MAX_NODES = 500_000
"""Values (scalars, lists, mappings) a document may hold once its aliases are expanded."""
MAX_EXPANDED_CHARS = 16 * 1024 * 1024
"""Characters of all strings a document may hold once its aliases are expanded."""

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters refused in every string (tab, newline and CR are allowed)."""

STR_TAG = "tag:yaml.org,2002:str"
_SHORT = "tag:yaml.org,2002:"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"


class LimitError(Exception):
    """The input breaks one of the limits; carries the 1-based position and the message."""

    def __init__(self, pos: tuple[int, int], message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


def tag_name(tag: str) -> str:
    """How the user wrote a tag: `!!timestamp` for the YAML core tags, else as is."""
    return "!!" + tag[len(_SHORT) :] if tag.startswith(_SHORT) else tag


def control_character(text: str) -> str | None:
    """A description of the first control character in `text`, or None."""
    found = CONTROL.search(text)
    if found is None:
        return None
    code = ord(found[0])
    name = "NUL" if code == 0 else f"U+{code:04X}"
    return f"control character {name} at offset {found.start()}"


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


class LimitedComposer(Composer):
    """PyYAML's composer with segspec's limits; mix in before a parser and a resolver.

    Each node's expanded size (values and characters, counting every alias use as a full
    copy) is computed bottom-up as it is composed, so an alias bomb is refused at the
    alias that crosses the budget, long before anything is expanded in memory.
    """

    if TYPE_CHECKING:  # provided by the parser and resolver this is mixed with

        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...
        def get_event(self) -> Any: ...
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any: ...

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._nodes = 0
        self._chars = 0
        self._open: set[str] = set()
        self._sizes: dict[int, tuple[int, int]] = {}

    def _charge(self, nodes: int, chars: int, mark: Any) -> None:
        self._nodes += nodes
        self._chars += chars
        if self._nodes > MAX_NODES:
            raise LimitError(
                _pos(mark),
                f"the document expands to more than {MAX_NODES:,} values (aliases count "
                "once per use) — write fewer aliases, or split the file",
            )
        if self._chars > MAX_EXPANDED_CHARS:
            raise LimitError(
                _pos(mark),
                f"the document expands to more than {MAX_EXPANDED_CHARS:,} characters of "
                "text (aliases count once per use) — write fewer aliases, or split the file",
            )

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            anchor = event.anchor
            if anchor in self._open:
                raise LimitError(
                    _pos(event.start_mark),
                    f"alias *{anchor} refers to the node that contains it (a recursive "
                    "alias) — copy the values instead of referring to the enclosing node",
                )
            if anchor not in self.anchors:
                raise LimitError(
                    _pos(event.start_mark),
                    f"alias *{anchor} is not defined earlier in the file — define "
                    f"&{anchor} before using it",
                )
            target = self.anchors[anchor]
            nodes, chars = self._sizes[id(target)]
            self._charge(nodes, chars, event.start_mark)
            self.get_event()
            return target
        event = self.peek_event()
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise LimitError(
                _pos(event.start_mark),
                f"nested more than {MAX_DEPTH} levels deep — flatten the structure",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open.add(anchor)
        before = (self._nodes, self._chars)
        try:
            node: Any = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.discard(anchor)
        self._sizes[id(node)] = (self._nodes - before[0], self._chars - before[1])
        return node

    def compose_scalar_node(self, anchor: Any) -> Any:
        written = self.peek_event().tag
        node = super().compose_scalar_node(anchor)
        value: str = node.value
        if len(value) > MAX_SCALAR_CHARS:
            raise LimitError(
                _pos(node.start_mark),
                f"a string of {len(value):,} characters is longer than the limit of "
                f"{MAX_SCALAR_CHARS:,} — shorten it",
            )
        found = control_character(value)
        if found is not None:
            raise LimitError(
                _pos(node.start_mark),
                f"the string contains a {found} — remove it (control characters other "
                "than tab and newline are not allowed)",
            )
        if written not in (None, "!"):
            implicit = self.resolve(yaml.ScalarNode, value, (True, False))
            if written != STR_TAG and (written != implicit or written == _TIMESTAMP):
                raise _tag_error(written, node)
        if node.tag == _INT and len(value) > MAX_NUMBER_CHARS:
            raise LimitError(
                _pos(node.start_mark),
                f"a number of {len(value):,} digits is longer than the limit of "
                f"{MAX_NUMBER_CHARS} — shorten it, or quote it to make it a string",
            )
        if node.tag == _TIMESTAMP:
            node.tag = STR_TAG  # an unquoted date stays the text it is written as
        self._charge(1, len(value), node.start_mark)
        return node

    def compose_sequence_node(self, anchor: Any) -> Any:
        written = self.peek_event().tag
        node = super().compose_sequence_node(anchor)
        if written not in (None, "!", _SEQ):
            raise _tag_error(written, node)
        self._charge(1, 0, node.start_mark)
        return node

    def compose_mapping_node(self, anchor: Any) -> Any:
        written = self.peek_event().tag
        node = super().compose_mapping_node(anchor)
        if written not in (None, "!", _MAP):
            raise _tag_error(written, node)
        self._charge(1, 0, node.start_mark)
        return node


def _tag_error(written: str, node: Any) -> LimitError:
    return LimitError(
        _pos(node.start_mark),
        f"YAML tag {tag_name(written)} is not supported here — remove it (specs use plain "
        "strings, numbers, booleans, null, lists and mappings; quote a value to make it "
        "a string)",
    )


VALUES_PER_INSTANCE = 32
"""Values each `for_each` entry may add to its file's budget: a job body with its defaults
holds 15-25 (a catalogue of 100,000 episodes in one for_each must load), while a
hostile file multiplies a large body or `defaults:` by many entries (refused)."""
MAX_FILE_VALUES = 4_000_000
"""What a file may never expand to, however many for_each entries it has (about 300 MB
of Python objects while it is loaded)."""


class Budget:
    """Values one spec file may expand to after defaults, for_each and `${...}` are applied.

    Shared by all jobs of a file, so a large `defaults:` block merged into many jobs, or a
    large variable substituted in many places, is refused instead of multiplied. The base
    of `values` grows by `VALUES_PER_INSTANCE` per for_each entry (`allow`), up to
    `MAX_FILE_VALUES`: many small jobs pass, a few values copied many times do not.
    """

    def __init__(self, values: int = 2 * MAX_NODES) -> None:
        self.left = values
        self.limit = values

    def allow(self, instances: int) -> None:
        """Grow the budget for `instances` more for_each entries (up to the cap)."""
        grown = min(self.limit + VALUES_PER_INSTANCE * instances, MAX_FILE_VALUES)
        self.left += grown - self.limit
        self.limit = grown

    def spend(self, values: int) -> bool:
        """Take `values` from the budget; False once it is exhausted."""
        self.left -= values
        return self.left >= 0
