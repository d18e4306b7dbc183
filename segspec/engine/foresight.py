"""Facts that let a plan see what apply will do: probed inputs and previewed shots.

This is planning's media I/O, done before the planner runs (like input identity) and
handed to it as `Facts.media` and `Facts.shots`, so the planner stays pure. Only the
local engine's inputs are files segspec can read; other backends get no such facts.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

from segspec.backends.local.inputs import resolve_input
from segspec.backends.local.store import LocalStore
from segspec.errors import MediaError
from segspec.plan.model import Want
from segspec.plan.outputs import MediaFacts
from segspec.state.atomic import write_atomic

SHOTS_CACHE_VERSION = 1
MEDIA_CACHE_VERSION = 1


def _source(want: Want, store: LocalStore) -> Path | None:
    """The local file a want's input names, or None when it is not a readable file."""
    if want.input is None or want.input.get("error") or "sha256" not in want.input:
        return None  # missing (reported from the identity) or a URL read only at apply
    try:
        return resolve_input(want.request["InputConfig"], Path(want.base_dir), store)
    except (MediaError, OSError):
        return None


def gather_media(wants: Iterable[Want], store: LocalStore) -> dict[str, MediaFacts]:
    """Probe each distinct input content once: its length and frame rate, or why it is
    unusable. What a probe found is kept by content (size and sha256) in
    `<store>/cache/media.json`, so an unchanged input is not probed again by later plans."""
    cache = MediaCache(store.root / "cache" / "media.json")
    failed: dict[Path, MediaFacts] = {}
    facts = {}
    for want in wants:
        key = content_key(want)
        if key is None:
            continue  # missing (reported from the identity) or a URL read only at apply
        found = cache.get(key)
        if found is None:
            src = _source(want, store)
            if src is None:
                continue
            if src in failed:
                found = failed[src]
            else:
                from segspec.media.probe import probe  # PyAV (~0.2 s): only on a miss

                try:
                    info = probe(src)
                except MediaError as exc:
                    found = failed[src] = MediaFacts(error=str(exc))  # names the path: not kept
                else:
                    found = MediaFacts(info.duration, info.fps, info.frames)
                    cache.put(key, found)
        facts[want.address] = found
    cache.save()
    return facts


def content_key(want: Want) -> str | None:
    """The input's content as a cache key, when its identity has one."""
    identity = want.input
    if identity is None or identity.get("error") or "sha256" not in identity:
        return None
    return f"{identity.get('size')}:{identity['sha256']}"


class MediaCache:
    """Probe results by input content, in one small JSON file (a lost file only costs
    probing again)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        self._made: dict[str, MediaFacts] = {}
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("version") == MEDIA_CACHE_VERSION:
            self.entries = dict(data.get("media", {}))

    def get(self, key: str) -> MediaFacts | None:
        made = self._made.get(key)
        if made is not None:
            return made
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            duration, (num, den), frames = entry
            made = MediaFacts(float(duration), Fraction(int(num), int(den)), int(frames))
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        self._made[key] = made
        return made

    def put(self, key: str, facts: MediaFacts) -> None:
        if facts.duration is None or facts.fps is None or facts.frames is None:
            return
        self.entries[key] = [
            facts.duration,
            [facts.fps.numerator, facts.fps.denominator],
            facts.frames,
        ]
        self._made[key] = facts
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            doc = {"version": MEDIA_CACHE_VERSION, "media": dict(sorted(self.entries.items()))}
            with contextlib.suppress(OSError):  # only a cache
                write_atomic(self.path, json.dumps(doc, separators=(",", ":")).encode())
            self.dirty = False


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
