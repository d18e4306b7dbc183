"""Plain data the planner consumes and produces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from segspec.plan.outputs import MediaFacts


class Action(StrEnum):
    """What apply will do for one address; a closed set."""

    CREATE = "create"
    REPLACE = "replace"
    DELETE = "delete"
    READ = "read"
    NOOP = "no-op"


@dataclass(frozen=True)
class Want:
    """One desired job with everything gathered about it before planning."""

    address: str
    backend: str
    request: Mapping[str, Any]
    local: Mapping[str, Any]
    input: Mapping[str, Any] | None
    fingerprint: str
    prune_outputs: bool = False
    base_dir: str = "."
    """Directory of the spec file (relative local inputs resolve against it); not compared."""


@dataclass(frozen=True, slots=True)
class Settled:
    """A recorded job the engine found unchanged from summaries alone (same fingerprint
    and backend, Finished, outputs intact, no --replace): a no-op whose full want and
    record were never loaded. Its no-op carries no before/after; plans that show them
    (`plan --json`, saved plans) are made without settled jobs."""

    address: str
    attempt: int
    clash: tuple[str, str, bool, int]
    """What it writes, for key clashes with the jobs that do run (see spec.rows.ClashKey)."""


@dataclass(frozen=True)
class Facts:
    """I/O results and user choices gathered before planning, so the planner stays pure.

    `drift` maps an address to reasons its recorded outputs no longer match (missing,
    changed). `force_replace` holds addresses the user asked to rerun.
    """

    drift: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    force_replace: frozenset[str] = frozenset()
    targets: tuple[str, ...] = ()
    """When set, only addresses matching one of these globs are planned (`--target`)."""
    media: Mapping[str, MediaFacts] = field(default_factory=dict)
    """What probing each job's input found (local engine): length, frame rate, or error."""
    shots: Mapping[str, int] = field(default_factory=dict)
    """How many clips shot detection found for BasicClipSplit jobs (`--preview-shots`)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One address's planned action and the reasons a reviewer can check."""

    address: str
    action: Action
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    reasons: tuple[str, ...] = ()
    attempt: int = 1
    """Which run of this fingerprint apply would submit (bumped when rerunning a failure)."""
    objects: tuple[Mapping[str, Any], ...] = ()
    """What a create or replace will write: index, bucket, object_key, in, out, duration,
    first_frame, last_frame (UserDefined jobs)."""
    problems: tuple[str, ...] = ()
    """What apply would fail on for this job, as far as planning can tell."""
    shots: int | None = None
    """Clips a BasicClipSplit job will produce, when shot detection was previewed."""


@dataclass(frozen=True)
class Plan:
    """Changes in address order, including no-ops (renderers may hide them)."""

    changes: tuple[Change, ...]

    @cached_property
    def acting(self) -> tuple[Change, ...]:
        """The changes other than no-ops, in address order: found once, so that counting
        and showing the few of a 100,000-job plan do not each walk every no-op."""
        return tuple(change for change in self.changes if change.action is not Action.NOOP)

    def count(self, action: Action) -> int:
        if action is Action.NOOP:
            return len(self.changes) - len(self.acting)
        return sum(1 for change in self.acting if change.action is action)

    @property
    def has_changes(self) -> bool:
        return bool(self.acting)

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(address, problem) for every problem of every change."""
        return [(c.address, p) for c in self.changes for p in c.problems]

    def by_address(self) -> dict[str, Change]:
        return {change.address: change for change in self.changes}


def matches(address: str, pattern: str) -> bool:
    """True when `pattern` (a glob) names `address`, or names the job it is an instance of.

    `--target ep` selects every `ep["..."]` a for_each makes; `--target 'ep["a*"]'` some.
    """
    from fnmatch import fnmatchcase

    # Brackets are literal in addresses (ep["a"]); only * and ? are wildcards.
    glob = "".join({"[": "[[]", "]": "[]]"}.get(ch, ch) for ch in pattern)
    base = address.split("[", 1)[0]
    return fnmatchcase(address, glob) or fnmatchcase(base, glob)
