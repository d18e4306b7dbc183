"""Facts that let a plan see what apply will do: probed inputs and previewed shots.

This is planning's media I/O, done before the planner runs (like input identity) and
handed to it as `Facts.media` and `Facts.shots`, so the planner stays pure. Only the
local engine's inputs are files segspec can read; other backends get no such facts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from segspec.backends.local.inputs import resolve_input
from segspec.backends.local.store import LocalStore
from segspec.errors import MediaError
from segspec.media.probe import probe
from segspec.plan.model import Want
from segspec.plan.outputs import MediaFacts
from segspec.state.atomic import write_atomic

SHOTS_CACHE_VERSION = 1


def _source(want: Want, store: LocalStore) -> Path | None:
    """The local file a want's input names, or None when it is not a readable file."""
    if want.input is None or want.input.get("error") or "sha256" not in want.input:
        return None  # missing (reported from the identity) or a URL read only at apply
    try:
        return resolve_input(want.request["InputConfig"], Path(want.base_dir), store)
    except (MediaError, OSError):
        return None


def gather_media(wants: Iterable[Want], store: LocalStore) -> dict[str, MediaFacts]:
    """Probe each distinct input once: its length and frame rate, or why it is unusable."""
    by_path: dict[Path, MediaFacts] = {}
    facts = {}
    for want in wants:
        src = _source(want, store)
        if src is None:
            continue
        if src not in by_path:
            try:
                info = probe(src)
            except MediaError as exc:
                by_path[src] = MediaFacts(error=str(exc))
            else:
                by_path[src] = MediaFacts(info.duration, info.fps, info.frames)
        facts[want.address] = by_path[src]
    return facts


class ShotCache:
    """Shot counts by input content and detector options, in one small JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, int] = {}
        self.dirty = False
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return  # no cache yet, or an unreadable one: it is only a cache
        if isinstance(data, dict) and data.get("version") == SHOTS_CACHE_VERSION:
            self.entries = {k: int(v) for k, v in data.get("shots", {}).items()}

    def save(self) -> None:
        if self.dirty:
            doc = {"version": SHOTS_CACHE_VERSION, "shots": dict(sorted(self.entries.items()))}
            write_atomic(self.path, json.dumps(doc, indent=1).encode())


def gather_shots(wants: Iterable[Want], store: LocalStore) -> dict[str, int]:
    """How many clips each BasicClipSplit job will produce, by running the detector.

    Cached by the input's sha256 and the job's detector options, so a second preview of
    an unchanged input costs nothing.
    """
    from segspec.backends.local.split import detector_options
    from segspec.detect import detect_shots

    cache = ShotCache(store.root / "cache" / "shots.json")
    counts = {}
    for want in wants:
        if want.request.get("JobParams", {}).get("Mode") != "BasicClipSplit":
            continue
        src = _source(want, store)
        if src is None or want.input is None:
            continue
        options = detector_options(want.local)
        shown = options.model_dump(mode="json") if options is not None else {}
        key = f"{want.input['sha256']}:{json.dumps(shown, sort_keys=True)}"
        if key not in cache.entries:
            try:
                cache.entries[key] = len(detect_shots(src, options))
            except MediaError:
                continue  # the input's problem is reported from its probe
            cache.dirty = True
        counts[want.address] = cache.entries[key]
    cache.save()
    return counts
