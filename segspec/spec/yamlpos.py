"""Read YAML into plain data while remembering where every key and item stands.

Positions are 1-based (line, column), keyed by the path of the value: a tuple of mapping
keys and sequence indexes. A key's position is where the key is written, so an error
about `OutputConfig.ObjectKey` points at `ObjectKey:` itself.

`read_yaml` composes nodes (with segspec's limits) and records every position: what an
error message needs. `read_plain` is the fast path for a load that will most likely meet
no problem (a changed file of a valid spec set): it builds the data straight from
libyaml's events, keeps only the positions a load without problems uses (paths of at most
two keys: top-level blocks, job names, variables), and gives up (None) on anything that
is not plain data well within the limits (anchors, aliases, tags, merge keys, non-string
or duplicate keys, ...), so the caller parses that file with `read_yaml` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from segspec.spec.limits import (
    CONTROL,
    MAX_DEPTH,
    MAX_EXPANDED_CHARS,
    MAX_FILE_BYTES,
    MAX_NODES,
    MAX_NUMBER_CHARS,
    MAX_SCALAR_CHARS,
    LimitedComposer,
    LimitError,
)
from segspec.spec.yamlruns import Cut, Run, cut_runs

Path_ = tuple[str | int, ...]
Pos = tuple[int, int]

_PARSERS: tuple[type, ...]
try:  # libyaml's parser when PyYAML was built with it (the wheels are)
    from yaml._yaml import CParser

    _PARSERS = (CParser,)
except ImportError:  # pragma: no cover
    _PARSERS = (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser)


def _init_loader(self: Any, stream: str) -> None:
    for base in _PARSERS:
        base.__init__(self, *((stream,) if base is _PARSERS[0] else ()))  # type: ignore[misc]
    LimitedComposer.__init__(self)
    SafeConstructor.__init__(self)
    Resolver.__init__(self)


_LOADER: Any = type(
    "_Loader", (LimitedComposer, *_PARSERS, SafeConstructor, Resolver), {"__init__": _init_loader}
)
"""libyaml's parser (pure Python when PyYAML lacks it) under segspec's limited composer."""


@dataclass
class Located:
    """A parsed document and the position of each path in it."""

    data: Any
    positions: dict[Path_, Pos] = field(default_factory=dict)
    problems: list[tuple[Pos, Path_, str]] = field(default_factory=list)
    """(position, path, message) for problems found while reading (duplicate keys, ...)."""

    def position(self, path: Path_) -> Pos:
        """Position of `path`, or of its nearest ancestor that is written in the file."""
        for cut in range(len(path), -1, -1):
            pos = self.positions.get(path[:cut])
            if pos is not None:
                return pos
        return (1, 1)

    def has(self, path: Path_) -> bool:
        return path in self.positions


class YamlSyntaxError(Exception):
    """The text is not YAML; carries the position and the parser's complaint."""

    def __init__(self, pos: Pos, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


def read_yaml(text: str) -> Located:
    """Parse one YAML document within segspec's limits (see `segspec.spec.limits`).

    Raises `YamlSyntaxError` when it does not parse and `LimitError` when it breaks a limit.
    """
    if len(text) > MAX_FILE_BYTES:
        raise LimitError(
            (1, 1),
            f"is {len(text):,} characters long, more than the limit of {MAX_FILE_BYTES:,} "
            "— split it into several spec files",
        )
    found = CONTROL.search(text)
    if found is not None:
        at = found.start()
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise LimitError(
            (line, column),
            f"contains control character U+{ord(found[0]):04X} — remove it (control "
            "characters other than tab and newline are not allowed)",
        )
    loader = _LOADER(text)
    try:
        root = loader.get_single_node()
    except LimitError:
        raise
    except RecursionError as exc:  # pragma: no cover - the depth limit comes first
        raise LimitError((1, 1), "nested too deeply — flatten the structure") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = str(exc.problem or exc.context or "invalid YAML")
        if "nesting depth" in problem:  # libyaml's own limit, met while scanning ahead
            raise LimitError(
                pos, f"nested more than {MAX_DEPTH} levels deep — flatten the structure"
            ) from exc
        raise YamlSyntaxError(pos, problem) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError((1, 1), str(exc)) from exc
    finally:
        loader.dispose()
    located = Located(data=None)
    if root is None:
        return located
    located.positions[()] = _pos(root)
    located.data = _Builder(located).build(root, ())
    return located


def read_yaml_file(path: Path) -> Located:
    return read_yaml(path.read_text(encoding="utf-8"))


def _pos(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, located: Located) -> None:
        self._located = located
        self._scalars = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self._located.positions[(*path, index)] = _pos(item)
                items.append(self.build(item, (*path, index)))
            return items
        return self._scalars.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        self._scalars.flatten_mapping(node)  # resolve YAML merge keys (<<)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalars.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                self._located.problems.append(
                    (_pos(key_node), path, f"key {key!r} must be a string — quote it")
                )
                key = str(key)
            if key in result:
                first = self._located.positions[(*path, key)]
                self._located.problems.append(
                    (
                        _pos(key_node),
                        (*path, key),
                        f"duplicate key (first at line {first[0]}) — keep one of them",
                    )
                )
                continue
            self._located.positions[(*path, key)] = _pos(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result


PLAIN_DEPTH = 2
"""`read_plain` keeps the positions of paths up to this long."""
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
_CONSTRUCTED = frozenset(
    ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
     "tag:yaml.org,2002:null")
)  # fmt: skip
_NO_KEY: Any = object()


class _GiveUp(Exception):
    """Not plain data: `read_plain` leaves this file to `read_yaml`."""


def read_plain(text: str) -> Located | None:
    """The data of `text` as `read_yaml` builds it, with the positions of paths of at
    most `PLAIN_DEPTH` keys only, or None when the text is anything but plain YAML data
    within the limits (see the module doc); never raises for bad input."""
    if len(_PARSERS) != 1 or len(text) > MAX_FILE_BYTES or CONTROL.search(text):
        return None
    cut = cut_runs(text)  # long runs of one-line items: see segspec.spec.yamlruns
    if cut is not None:
        located = _read_plain(cut.text, cut)
        if located is not None:
            return located
    return _read_plain(text, None)


def _read_plain(text: str, cut: Cut | None) -> Located | None:
    parser = _PARSERS[0](text)
    try:
        return _plain(parser, cut)
    except (_GiveUp, yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None
    finally:
        parser.dispose()


def _splice(event: Any, items: list[Any], runs: dict[str, Run]) -> tuple[int, int]:
    """Put the run of the sentinel `event` holds in its stead in `items` (a list whose
    items need no positions); (items added beyond the sentinel, their characters beyond
    its). Raises _GiveUp unless the sentinel is where and as its run's line wrote it."""
    run = runs.pop(event.value)
    mark = event.start_mark
    if event.style != run.style or mark.line != run.line or mark.column != run.column:
        raise _GiveUp
    items.extend(run.items)
    return len(run.items) - 1, sum(map(len, run.items)) - len(event.value)


_SCALARS = yaml.SafeLoader("")
_RESOLVER: Any = Resolver()


def _plain(parser: Any, cut: Cut | None) -> Located:
    get = parser.get_event
    runs = dict(cut.runs) if cut is not None else {}
    """The sentinels not met yet (see `_splice`)."""
    if type(get()) is not yaml.StreamStartEvent or type(get()) is not yaml.DocumentStartEvent:
        raise _GiveUp
    positions: dict[Path_, Pos] = {}
    stack: list[list[Any]] = []
    """Open containers: [value, pending key (maps), path or None, next index (lists)]."""
    nodes = chars = 0
    root: Any = _NO_KEY
    constructors = _SCALARS.yaml_constructors
    pending: Any = None
    """An event `_texts` read past the end of its run, for the loop to take next."""
    while True:
        event, pending = (get(), None) if pending is None else (pending, None)
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise _GiveUp
            text = event.value
            if len(text) > MAX_SCALAR_CHARS or (event.style == '"' and CONTROL.search(text)):
                raise _GiveUp
            nodes += 1
            chars += len(text)
            value: Any = text
            if event.implicit[0]:  # plain: resolved as the composer would
                tag = _RESOLVER.resolve(yaml.ScalarNode, text, event.implicit)
                if tag in _CONSTRUCTED:
                    if tag == _INT and len(text) > MAX_NUMBER_CHARS:
                        raise _GiveUp
                    value = constructors[tag](_SCALARS, yaml.ScalarNode(tag, text))
                elif tag != _STR and tag != _TIMESTAMP:  # (a date stays its text)
                    raise _GiveUp
            container: Any = None
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _GiveUp
            nodes += 1
            container = {} if kind is yaml.MappingStartEvent else []
            value = container
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = stack.pop()
            if frame[1] is not _NO_KEY:
                raise _GiveUp  # (a key without a value: not made by libyaml)
            value, container = frame[0], None
            event = None  # attached below, already positioned
        elif kind is yaml.DocumentEndEvent:
            if type(get()) is not yaml.StreamEndEvent:
                raise _GiveUp  # several documents
            break
        else:  # an alias, or anything unexpected
            raise _GiveUp
        if len(stack) + 1 > MAX_DEPTH:
            raise _GiveUp
        if event is not None and not stack:
            positions[()] = (event.start_mark.line + 1, event.start_mark.column + 1)
        if stack and event is not None:
            parent = stack[-1]
            path = parent[2]
            if type(parent[0]) is dict:
                if parent[1] is _NO_KEY:  # this is a key
                    if kind is not yaml.ScalarEvent or type(value) is not str:
                        raise _GiveUp
                    if value in parent[0]:
                        raise _GiveUp  # a duplicate key: read_yaml reports it
                    parent[1] = value
                    if path is not None:
                        mark = event.start_mark
                        positions[(*path, value)] = (mark.line + 1, mark.column + 1)
                    continue
            elif path is not None:
                mark = event.start_mark
                positions[(*path, len(parent[0]))] = (mark.line + 1, mark.column + 1)
        if container is not None:
            path = None
            if not stack:
                path = ()
            else:
                parent = stack[-1]
                if parent[2] is not None and len(parent[2]) + 1 < PLAIN_DEPTH:
                    key = parent[1] if type(parent[0]) is dict else len(parent[0])
                    path = (*parent[2], key)
            stack.append([container, _NO_KEY, path])
            if len(stack) > 1:
                if kind is yaml.SequenceStartEvent and path is None and len(stack) < MAX_DEPTH:
                    pending, count, length = _texts(get, container, runs)
                    nodes += count
                    chars += length
                continue
            root = container
            continue
        if stack:
            parent = stack[-1]
            if type(parent[0]) is dict:
                parent[0][parent[1]] = value
                parent[1] = _NO_KEY
            elif runs and event is not None and type(value) is str and value in runs:
                if parent[2] is not None:
                    raise _GiveUp  # (its items would need positions)
                count, length = _splice(event, parent[0], runs)
                nodes += count
                chars += length
            else:
                parent[0].append(value)
        elif root is _NO_KEY:
            root = value
    if nodes > MAX_NODES or chars > MAX_EXPANDED_CHARS or root is _NO_KEY or runs:
        raise _GiveUp  # (a sentinel not met: the runs were not what they seemed)
    if cut is not None:
        positions = {path: (cut.line(line), column) for path, (line, column) in positions.items()}
    return Located(data=root, positions=positions)


def _texts(get: Any, items: list[Any], runs: dict[str, Run]) -> tuple[Any, int, int]:
    """Append the run of text scalars that opens a just-started list whose items need no
    positions (a `for_each` of 100,000 names: far fewer steps each than `_plain`'s loop),
    exactly as `_plain` would; (the first event past the run, scalars, characters)."""
    count = length = 0
    append, resolve = items.append, _RESOLVER.resolve
    while True:
        event = get()
        if type(event) is not yaml.ScalarEvent or event.anchor is not None:
            return event, count, length
        text = event.value
        if event.tag is not None or (
            event.implicit[0] and resolve(yaml.ScalarNode, text, event.implicit) != _STR
        ):
            return event, count, length  # (`_plain` resolves it, or gives up)
        if len(text) > MAX_SCALAR_CHARS or (event.style == '"' and CONTROL.search(text)):
            raise _GiveUp
        if runs and text in runs:
            more, chars = _splice(event, items, runs)
            count += more
            length += chars
        else:
            append(text)
        count += 1
        length += len(text)
