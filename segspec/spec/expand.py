"""A spec file's jobs: each job's instances (one, or one per `for_each` entry), the
file's `defaults:` deep-merged into each body, `${...}` substituted and the result
validated into a `DesiredJob`; jobs the file's previous cache entry holds are taken
from it instead (see segspec.spec.filejobs and segspec.spec.entries)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from segspec.spec.cache import Previous, job_base
from segspec.spec.desired import DesiredJob
from segspec.spec.entries import Entries, add_entries
from segspec.spec.filejobs import FileJobs, Instance, JobOf
from segspec.spec.interpolate import Scope, interpolate, size
from segspec.spec.limits import Budget
from segspec.spec.models import JOB_NAME_RE, JobBody
from segspec.spec.problems import Problems, position_in_job, report_validation
from segspec.spec.yamlpos import Located, Path_


def expand_jobs(
    file: Path,
    located: Located,
    problems: Problems,
    values: Mapping[str, Any],
    jobs_key: str = "",
    previous: Previous | None = None,
    keep: bool = False,
) -> FileJobs:
    """The file's jobs; those `previous` (the file's last cache entry) holds under the same
    own key are taken from it instead of being made again (see segspec.spec.cache), and
    with `keep` they are grouped into the chunks of the file's new entry."""
    budget = Budget()

    def make(instance: Instance) -> DesiredJob | None:
        return _one_job(file, located, problems, instance, Scope(values, instance.each), budget)

    out = FileJobs(file, problems, budget, make, previous, keep)
    data: Mapping[str, Any] = located.data
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.add(file, located.position(("defaults",)), ("defaults",), "must be a mapping")
        return out
    jobs = data.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        problems.add(
            file,
            located.position(("jobs",)),
            ("jobs",),
            "must map job names to job bodies — add at least one job",
        )
        return out
    defaults_size = size(defaults)
    for name, body in jobs.items():
        pos = located.position(("jobs", name))
        if not JOB_NAME_RE.match(name):
            problems.add(
                file,
                pos,
                ("jobs", name),
                "job names start with a letter or _ and use letters, digits, _ and - — rename it",
            )
            continue
        if not isinstance(body, dict):
            problems.add(file, pos, ("jobs", name), "must be a mapping with InputConfig, ...")
            continue
        body = dict(body)
        entries = _instances(file, located, problems, name, body, values, budget)
        if "for_each" in jobs[name]:
            if not out.cut():  # (the budget widens here: see segspec.spec.filejobs)
                return out
            budget.allow(len(entries))
        if not budget.spend(len(entries) * (defaults_size + size(body))):
            problems.add(
                file,
                pos,
                ("jobs", name),
                f"with defaults and for_each the file's jobs hold more than {budget.limit:,} "
                "values — split the file or use fewer for_each entries",
            )
            return out
        base = job_base(jobs_key, defaults, name, body)
        job = JobOf(name, pos, _merged(defaults, body), base if entries.texts else None)
        if not add_entries(out, job, entries, base, previous):
            return out
        if "for_each" in jobs[name] and not out.cut():
            return out
    out.cut()
    return out


def _merged(defaults: dict[str, Any], body: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """The job's body with the defaults merged in, made on first use and kept."""
    kept: list[dict[str, Any]] = []

    def merged() -> dict[str, Any]:
        if not kept:
            kept.append(deep_merge(defaults, body))
        return kept[0]

    return merged


def _instances(
    file: Path,
    located: Located,
    problems: Problems,
    name: str,
    body: dict[str, Any],
    values: Mapping[str, Any],
    budget: Budget,
) -> Entries:
    """The instances of a job: one, or one per `for_each` entry."""
    if "for_each" not in body:
        return Entries(name, [None])
    where: Path_ = ("jobs", name, "for_each")
    raw, found = interpolate(body.pop("for_each"), Scope(values), where, budget)
    for problem in (p for p in found if p.message):
        problems.add(file, located.position(problem.path), problem.path, problem.message)
    if found:
        return Entries(name, [])
    types = set(map(type, raw)) if isinstance(raw, list) else set()
    if raw and types == {str}:  # a list of names: no pair made yet
        if len(set(raw)) != len(raw):
            problems.add(
                file, located.position(where), where, "has duplicate entries — remove them"
            )
            return Entries(name, [])
        return Entries(name, [], raw)
    if isinstance(raw, list) and (
        types <= {str, int, float} or all(isinstance(v, (str, int, float)) for v in raw)
    ):  # (the type set first: one pass in C; `all` for their subclasses, e.g. bool)
        entries = dict(zip(raw, raw, strict=True)) if types <= {str} else {str(v): v for v in raw}
        if len(entries) != len(raw):
            problems.add(
                file, located.position(where), where, "has duplicate entries — remove them"
            )
            return Entries(name, [])
    elif isinstance(raw, dict):
        entries = {str(k): v for k, v in raw.items()}
    else:
        problems.add(
            file,
            located.position(where),
            where,
            "must be a map (key: value) or a list of strings — e.g. for_each: {ep1: a.mp4}",
        )
        return Entries(name, [])
    if not entries:
        problems.add(file, located.position(where), where, "is empty — add at least one entry")
    return Entries(name, list(entries.items()))


def _one_job(
    file: Path,
    located: Located,
    problems: Problems,
    instance: Instance,
    scope: Scope,
    budget: Budget,
) -> DesiredJob | None:
    name, address = instance.name, instance.address
    merged, found = interpolate(instance.job.merged(), scope, (), budget)
    for problem in (p for p in found if p.message):
        at = position_in_job(located, ("jobs", name), problem.path)
        problems.add(file, at, ("jobs", address, *problem.path), problem.message)
    if found:
        return None
    try:
        model = JobBody.model_validate(merged)
    except ValidationError as exc:
        report_validation(
            file, located, problems, exc, ("jobs", name), JobBody, ("defaults",), address
        )
        return None
    return DesiredJob.made(address, file, instance.pos, model)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` on top of `base`: mappings merge key by key; lists and scalars replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
