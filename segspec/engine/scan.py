"""Which jobs a plan must look at closely, decided from summaries and one stat per file.

A no-op plan of 100,000 jobs cannot afford a full want and a full record per job. Every
job is compared in its cheap form, a `JobRow` of the specs against a `RecordSummary` of
the state: its input is stat'ed (an unchanged size and mtime keep the recorded sha256),
its fingerprint recomputed from the row's cached JSON, its outputs stat'ed for drift.
Only the candidates (new, changed, not Finished, drifted, --replace) are then loaded in
full, from the spec cache and `State.records`; the rest reach the planner as `Settled`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from segspec.plan.model import Settled, Want
from segspec.spec.loader import DesiredJob
from segspec.spec.paths import Resolver
from segspec.spec.rows import JobRow
from segspec.state.summary import RecordSummary

Identify = Callable[[Mapping[str, Any], Any, Mapping[str, Any] | None], dict[str, Any]]


@dataclass(frozen=True)
class Looked:
    """The input identity and fingerprint of each job a plan must see in full."""

    identities: dict[str, dict[str, Any] | None]
    fingerprints: dict[str, str]

    @property
    def candidates(self) -> set[str]:
        return set(self.fingerprints)


def look(
    rows: Mapping[str, JobRow],
    summaries: Mapping[str, RecordSummary],
    identify: Identify | None,
    with_local: bool,
    backend: str,
    keep: Callable[[str], bool] | None = None,
    elsewhere: Callable[[JobRow], Mapping[str, Any] | None] | None = None,
) -> Looked:
    """Identify every job's input (reusing the recorded identity when the file's size and
    mtime are unchanged), compute its fingerprint, and keep both for the jobs the planner
    must see in full: all but the unchanged, Finished ones (or those `keep` names: every
    job for a full plan, a drifted one later). Drift is found by the caller, only among
    the jobs this leaves out. A job the state has no record of is offered the identity
    `elsewhere` finds for its input (see `recorded_elsewhere`)."""
    identities: dict[str, dict[str, Any] | None] = {}
    fingerprints: dict[str, str] = {}
    for address, row in rows.items():
        known = summaries.get(address)
        identity = None
        if identify is not None:
            recorded = (
                known.identity if known else elsewhere(row) if elsewhere is not None else None
            )
            identity = identify(row.input_config, row.base_dir, recorded)
        found = row.fingerprint(identity, with_local)
        if (
            known is None
            or known.status != "Finished"
            or known.fingerprint != found
            or known.backend != backend
            or (keep is not None and keep(address))
        ):
            identities[address] = identity
            fingerprints[address] = found
    return Looked(identities, fingerprints)


def recorded_elsewhere(
    gone: Iterable[str], summaries: Mapping[str, RecordSummary], resolver: Resolver
) -> Callable[[JobRow], Mapping[str, Any] | None]:
    """For a job the state has no record of, the input identity the state records for a
    job the specs no longer have, when both name the same local file: a renamed job, or a
    `for_each` instance moved into a job of its own, keeps its input's recorded sha256
    (the identifier still checks the path, size and mtime, as it does for a job's own
    record) instead of opening the hash cache for it, which at 100,000 inputs is larger
    than the rest of a one-change plan. `gone`: the addresses the state has and the specs
    do not; their identities are listed on the first call only (a plan in which every job
    has its record never lists them)."""
    found: dict[str, Mapping[str, Any]] | None = None

    def elsewhere(row: JobRow) -> Mapping[str, Any] | None:
        nonlocal found
        if row.input_type != "OSS" or "://" in row.media:
            return None
        if found is None:
            found = {}
            for address in gone:
                identity = summaries[address].identity
                if identity is not None and isinstance(identity.get("path"), str):
                    found.setdefault(identity["path"], identity)
        if not found:
            return None
        path = resolver.local(row.media, row.base_dir)
        return found.get(path) if path is not None else None

    return elsewhere


def want_of(job: DesiredJob, backend: str, looked: Looked, with_local: bool) -> Want:
    return Want(
        address=job.address,
        backend=backend,
        request=job.request,
        local=job.local if with_local else {},
        input=looked.identities[job.address],
        fingerprint=looked.fingerprints[job.address],
        prune_outputs=job.prune_outputs,
        base_dir=str(job.base_dir),
    )


def settled(
    rows: Mapping[str, JobRow], summaries: Mapping[str, RecordSummary], full: Iterable[str]
) -> list[Settled]:
    """The desired jobs not loaded in full, as the planner's no-ops."""
    skip = set(full)
    return [
        Settled(address, summaries[address].attempt if address in summaries else 1, row.clash)
        for address, row in rows.items()
        if address not in skip
    ]


def endpoints(rows: Mapping[str, JobRow], summaries: Mapping[str, RecordSummary]) -> dict[str, str]:
    """Bucket -> OutputConfig.Endpoint, from the specs and the state (the state's last)."""
    found = {}
    for source in (rows.values(), summaries.values()):
        for item in source:
            if item.endpoint is not None:
                found[item.endpoint[0]] = item.endpoint[1]
    return found
